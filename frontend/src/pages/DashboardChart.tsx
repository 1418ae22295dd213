// A small, dependency-free SVG line chart for the analytics dashboard. Each
// chart is an image with a text summary for screen readers, and its figures
// are also in a table under a disclosure, so nothing is only visual.

import { useId } from 'react';

export interface ChartPoint {
  /** Label of the x value (a date, or a second of the video). */
  label: string;
  value: number | null;
}

interface ChartProps {
  title: string;
  points: ChartPoint[];
  /** Formats a value for the axis, the summary and the table. */
  format: (v: number) => string;
  /** Fix the top of the scale (1 for shares); default the largest value. */
  max?: number;
}

const W = 640;
const H = 180;
const PAD = { top: 12, right: 12, bottom: 24, left: 56 };

/** A line chart of one metric over time (or over the video). */
export function DashboardChart({ title, points, format, max }: ChartProps) {
  const id = useId();
  const values = points.map((p) => p.value).filter((v): v is number => v !== null);
  const top = max ?? Math.max(0, ...values);
  const scale = top > 0 ? top : 1;
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (points.length <= 1 ? innerW / 2 : (i / (points.length - 1)) * innerW);
  const y = (v: number) => PAD.top + innerH - (v / scale) * innerH;
  let path = '';
  points.forEach((p, i) => {
    if (p.value === null) return;
    path += `${path === '' || points[i - 1]?.value === null ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`;
  });
  const first = points[0]?.label ?? '';
  const last = points[points.length - 1]?.label ?? '';
  const latest = values[values.length - 1];
  const summary =
    latest !== undefined
      ? `${title}: ${points.length} points from ${first} to ${last}; highest ${format(Math.max(...values))}, latest ${format(latest)}.`
      : `${title}: no data in this range.`;
  const area = path && values.length > 1 ? `${path}L${x(points.length - 1).toFixed(1)},${y(0)}L${x(0).toFixed(1)},${y(0)}Z` : '';
  return (
    <figure className="chart card">
      <figcaption id={`${id}-title`} className="chart__title">
        {title}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-summary`} className="chart__svg">
        <desc id={`${id}-summary`}>{summary}</desc>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(scale * f)} y2={y(scale * f)} className="chart__grid" />
            <text x={PAD.left - 6} y={y(scale * f) + 4} textAnchor="end" className="chart__axis">
              {format(scale * f)}
            </text>
          </g>
        ))}
        {points.length > 0 && (
          <>
            <text x={PAD.left} y={H - 6} className="chart__axis">
              {first}
            </text>
            <text x={W - PAD.right} y={H - 6} textAnchor="end" className="chart__axis">
              {last}
            </text>
          </>
        )}
        {area && <path d={area} className="chart__area" />}
        {path && <path d={path} className="chart__line" />}
      </svg>
      <details className="chart__data">
        <summary>Data</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">{title}</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.label}>
                <th scope="row">{p.label}</th>
                <td>{p.value === null ? '—' : format(p.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
