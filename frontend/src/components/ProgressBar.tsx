interface ProgressBarProps {
  /** What is progressing, read by screen readers ("Upload of Holiday"). */
  label: string;
  /** 0 to 100; null for an indeterminate bar. */
  value: number | null;
  /** How screen readers say the value ("45% uploaded"); defaults to the percent. */
  valueText?: string;
  tone?: 'accent' | 'success' | 'danger' | 'muted';
}

/** A labelled progress bar (role="progressbar"), determinate or not. */
export function ProgressBar({ label, value, valueText, tone = 'accent' }: ProgressBarProps) {
  const pct = value === null ? null : Math.min(100, Math.max(0, value));
  return (
    <div
      className={`progress progress--${tone}${pct === null ? ' progress--indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct === null ? undefined : Math.round(pct)}
      aria-valuetext={valueText ?? (pct === null ? undefined : `${Math.round(pct)}%`)}
    >
      <div className="progress__bar" style={pct === null ? undefined : { width: `${pct}%` }} />
    </div>
  );
}
