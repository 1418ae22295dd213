import { useState } from 'react';
import { Link } from 'wouter';
import { ProgressBar } from '../components/ProgressBar';
import { formatBytes, formatSpeed, formatTimeLeft } from '../format';
import { canPause, canResume, stageLabel, timeLeft, uploadPercent, uploadSpeed, type UploadState } from './machine';
import type { UploadItem, Uploads } from './UploadsProvider';

/** What the upload is doing, in a few words; announced when it changes. */
export function phaseText(s: UploadState): string {
  switch (s.phase) {
    case 'queued':
      return 'Waiting to upload';
    case 'creating':
      return 'Starting…';
    case 'uploading':
      return s.resumedAt ? `Uploading (resumed at ${Math.floor((s.resumedAt / Math.max(1, s.size)) * 100)}%)` : 'Uploading';
    case 'paused':
      return `Paused at ${Math.floor(uploadPercent(s))}%`;
    case 'retrying':
      return s.retries > 1 ? `Connection lost. Retrying… (attempt ${s.retries})` : 'Connection lost. Retrying…';
    case 'processing':
      return s.playable ? 'Playable now; making the other qualities' : 'Uploaded; processing';
    case 'ready':
      return 'Ready';
    case 'failed':
      return 'Processing failed';
    case 'error':
      return s.error?.kind === 'network' ? 'Upload interrupted' : 'Upload failed';
  }
}

/** One upload on the upload page: progress, numbers, and what can be done with it. */
export function UploadRow({ item, uploads }: { item: UploadItem; uploads: Uploads }) {
  const { state: s, key } = item;
  const [confirming, setConfirming] = useState(false);
  const titleId = `${key}-title`;
  const pct = uploadPercent(s);
  const speed = uploadSpeed(s.samples);
  const left = timeLeft(s);
  const uploadDone = s.phase === 'processing' || s.phase === 'ready' || s.phase === 'failed';
  const showUploadBar = s.phase !== 'queued' && !uploadDone && !(s.phase === 'error' && !s.uploadUrl);
  const finished = s.phase === 'ready' || s.phase === 'failed' || s.phase === 'error';

  return (
    <li
      className="upload card"
      aria-labelledby={titleId}
      data-phase={s.phase}
      data-video-id={s.videoId ?? undefined}
      data-resumed-at={s.resumedAt ?? undefined}
    >
      <div className="upload__head">
        <h3 id={titleId} className="upload__title">
          {item.title}
        </h3>
        <span className="upload__file muted">
          {item.fileName} · {formatBytes(s.size)}
        </span>
      </div>

      <p className={`upload__phase upload__phase--${s.phase}`} role="status">
        {phaseText(s)}
      </p>

      {showUploadBar && (
        <div className="upload__progress">
          <ProgressBar
            label={`Upload of ${item.title}`}
            value={s.phase === 'creating' ? null : pct}
            valueText={`${Math.floor(pct)}% uploaded`}
            tone={s.phase === 'paused' || s.phase === 'error' ? 'muted' : 'accent'}
          />
          <p className="upload__numbers muted">
            <span>
              {formatBytes(s.bytesSent)} of {formatBytes(s.size)} ({Math.floor(pct)}%)
            </span>
            {s.phase === 'uploading' && speed !== null && <span> · {formatSpeed(speed)}</span>}
            {s.phase === 'uploading' && left !== null && <span> · {formatTimeLeft(left)}</span>}
          </p>
        </div>
      )}

      {(s.phase === 'processing' || s.phase === 'ready') && (
        <div className="upload__progress">
          <ProgressBar
            label={`Processing of ${item.title}`}
            value={s.phase === 'ready' ? 100 : s.percent}
            valueText={`${stageLabel(s.stage)}, ${Math.floor(s.percent)}%`}
            tone={s.phase === 'ready' ? 'success' : 'accent'}
          />
          <p className="upload__numbers muted">
            {s.phase === 'ready' ? 'Every quality is ready.' : `${stageLabel(s.stage)} · ${Math.floor(s.percent)}%`}
          </p>
        </div>
      )}

      {s.phase === 'failed' && (
        <div role="alert" className="alert">
          {s.failure}
        </div>
      )}
      {s.phase === 'error' && s.error && (
        <div role="alert" className="alert">
          {s.error.message}
          {s.error.kind === 'session' && (
            <>
              {' '}
              <Link href="/login?next=%2Fupload">Log in</Link>
            </>
          )}
        </div>
      )}

      <div className="upload__actions">
        {(s.playable || s.phase === 'ready') && s.videoId && (
          <Link href={`/watch/${s.videoId}`} className="button button--small button--primary">
            {s.phase === 'ready' ? 'Watch' : 'Watch now'}
          </Link>
        )}
        {canPause(s) && (
          <button type="button" className="button button--small" onClick={() => uploads.pause(key)} aria-label={`Pause upload of ${item.title}`}>
            Pause
          </button>
        )}
        {canResume(s) && (
          <button type="button" className="button button--small button--primary" onClick={() => uploads.resume(key)} aria-label={`Resume upload of ${item.title}`}>
            Resume
          </button>
        )}
        {s.phase === 'error' && !s.uploadUrl && (s.error?.kind === 'network' || s.error?.kind === 'other') && (
          <button type="button" className="button button--small" onClick={() => uploads.retry(key)}>
            Try again
          </button>
        )}
        {!finished && s.phase !== 'processing' && s.phase !== 'creating' && !confirming && (
          <button type="button" className="button button--small button--quiet" onClick={() => setConfirming(true)} aria-label={`Cancel upload of ${item.title}`}>
            Cancel
          </button>
        )}
        {confirming && (
          <span className="confirm" role="group" aria-label="Confirm cancelling">
            <span>Cancel this upload and delete the video?</span>
            <button type="button" className="button button--small button--danger" onClick={() => void uploads.cancel(key)} autoFocus>
              Cancel upload
            </button>
            <button type="button" className="button button--small" onClick={() => setConfirming(false)}>
              Keep uploading
            </button>
          </span>
        )}
        {finished && (
          <button type="button" className="button button--small button--quiet" onClick={() => uploads.dismiss(key)} aria-label={`Remove ${item.title} from this list`}>
            Dismiss
          </button>
        )}
      </div>
    </li>
  );
}
