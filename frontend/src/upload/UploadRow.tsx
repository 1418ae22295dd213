import { useId, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { ProgressBar } from '../components/ProgressBar';
import { formatBytes, formatSpeed, formatTimeLeft } from '../format';
import { canPause, canResume, stageLabel, timeLeft, uploadPercent, uploadSpeed, type UploadState } from './machine';
import type { UploadItem, Uploads } from './UploadsProvider';
import type { Privacy } from '../gql/graphql';
import { PRIVACY_OPTIONS } from '../videos/privacy';

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
  const [editing, setEditing] = useState(false);
  const editable = !finished || s.phase === 'error';

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
        {item.offer ? 'Unfinished upload found' : phaseText(s)}
      </p>

      {item.offer && (
        <div className="upload__offer" role="group" aria-label={`Resume ${item.title}`}>
          <p>
            You started uploading this file before (“{item.offer.title}”, {Math.floor((item.offer.offset / Math.max(1, s.size)) * 100)}% on the server). Resume it
            instead of starting a new video?
          </p>
          <div className="upload__actions">
            <button type="button" className="button button--small button--primary" onClick={() => uploads.answerOffer(key, true)} autoFocus>
              Resume upload
            </button>
            <button type="button" className="button button--small" onClick={() => uploads.answerOffer(key, false)}>
              Start over
            </button>
          </div>
        </div>
      )}

      {editing && <DetailsForm item={item} uploads={uploads} onDone={() => setEditing(false)} />}

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
        {editable && !editing && !item.offer && (
          <button type="button" className="button button--small" onClick={() => setEditing(true)} aria-label={`Edit details of ${item.title}`}>
            Edit details
          </button>
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

/** Title, description and privacy of one upload, while it waits or runs. */
function DetailsForm({ item, uploads, onDone }: { item: UploadItem; uploads: Uploads; onDone(): void }) {
  const id = useId();
  const [title, setTitle] = useState(item.title);
  const [description, setDescription] = useState(item.description ?? '');
  const [privacy, setPrivacy] = useState<Privacy>(item.privacy ?? 'PUBLIC');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (saving) return;
    setSaving(true);
    const err = await uploads.setDetails(item.key, { title, description, privacy });
    setSaving(false);
    if (err) setError(err);
    else onDone();
  }

  return (
    <form className="upload__details form" onSubmit={submit} noValidate aria-label={`Details of ${item.title}`}>
      {error && (
        <div role="alert" className="alert">
          {error}
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-title`}>Title</label>
        <input id={`${id}-title`} name="title" maxLength={200} required value={title} onChange={(e) => setTitle(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>Description</label>
        <textarea id={`${id}-description`} name="description" rows={2} maxLength={5000} value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-privacy`}>Who can watch</label>
        <select id={`${id}-privacy`} value={privacy} onChange={(e) => setPrivacy(e.target.value as Privacy)}>
          {PRIVACY_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <div className="upload__actions">
        <button type="submit" className="button button--small button--primary" aria-disabled={saving || undefined}>
          {saving ? 'Saving…' : 'Save details'}
        </button>
        <button type="button" className="button button--small" onClick={onDone}>
          Close
        </button>
      </div>
    </form>
  );
}
