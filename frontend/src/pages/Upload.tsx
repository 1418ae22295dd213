import { useId, useRef, useState, type ChangeEvent, type DragEvent } from 'react';
import { Alert } from '../components/Alert';
import { Page } from '../components/Page';
import { SignInRequired } from '../components/SignInRequired';
import { formatBytes, formatDate } from '../format';
import type { Privacy } from '../gql/graphql';
import { useViewer } from '../session';
import { UploadRow } from '../upload/UploadRow';
import { useUploads, type Uploads } from '../upload/UploadsProvider';
import type { PendingUpload } from '../upload/resumeStore';
import { PRIVACY_OPTIONS } from '../videos/privacy';

/** Upload page: pick or drop videos, watch them upload and process. */
export function Upload() {
  const { user } = useViewer();
  const uploads = useUploads();

  if (!user) {
    return (
      <SignInRequired
        title="Upload videos"
        loading={user === undefined}
        next="/upload"
        notice={
          uploads.sessionExpired && (
            <Alert>Your session has expired. Log in again to go on uploading; unfinished uploads resume when you choose their files again.</Alert>
          )
        }
      >
        Log in to upload videos.
      </SignInRequired>
    );
  }

  return (
    <Page title="Upload videos">
      <Picker uploads={uploads} />
      {uploads.pending.length > 0 && <PendingList uploads={uploads} />}
      {uploads.items.length > 0 && (
        <section aria-labelledby="uploads-title" className="stack">
          <h2 id="uploads-title" className="section-title">
            Uploads
          </h2>
          <ul className="uploads" aria-label="Uploads">
            {uploads.items.map((item) => (
              <UploadRow key={item.key} item={item} uploads={uploads} />
            ))}
          </ul>
        </section>
      )}
    </Page>
  );
}

function Picker({ uploads }: { uploads: Uploads }) {
  const inputId = useId();
  const privacyId = useId();
  const [privacy, setPrivacy] = useState<Privacy>('PUBLIC');
  const [dragging, setDragging] = useState(false);
  const [refused, setRefused] = useState<string[]>([]);
  const depth = useRef(0);

  function addFiles(list: FileList | null) {
    const all = Array.from(list ?? []);
    const files = all.filter(isVideoFile);
    setRefused(all.filter((f) => !isVideoFile(f)).map((f) => f.name));
    if (files.length) uploads.add(files, { privacy });
  }

  function onChange(e: ChangeEvent<HTMLInputElement>) {
    addFiles(e.target.files);
    e.target.value = ''; // picking the same file again must fire change again
  }

  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer.types).includes('Files');

  return (
    <section
      className={`card dropzone${dragging ? ' dropzone--active' : ''}`}
      aria-label="Add videos"
      onDragEnter={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        depth.current++;
        setDragging(true);
      }}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={() => {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setDragging(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        depth.current = 0;
        setDragging(false);
        addFiles(e.dataTransfer.files);
      }}
    >
      <div className="dropzone__art" aria-hidden="true">
        ⬆
      </div>
      <p className="dropzone__lead">Drag and drop video files here</p>
      <p className="muted">or</p>
      <input id={inputId} className="visually-hidden file-input" type="file" accept="video/*" multiple onChange={onChange} />
      <label htmlFor={inputId} className="button button--primary">
        Choose video files
      </label>
      {refused.length > 0 && (
        <Alert>
          {refused.length === 1 ? `“${refused[0]}” is not a video file` : `${refused.map((n) => `“${n}”`).join(', ')} are not video files`}, so{' '}
          {refused.length === 1 ? 'it was' : 'they were'} not uploaded. Choose a video (MP4, MOV, MKV, WebM…) or audio file.
        </Alert>
      )}
      <div className="field dropzone__privacy">
        <label htmlFor={privacyId}>Who can watch</label>
        <select id={privacyId} value={privacy} onChange={(e) => setPrivacy(e.target.value as Privacy)} aria-describedby={`${privacyId}-hint`}>
          {PRIVACY_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        <p id={`${privacyId}-hint`} className="field__hint">
          {PRIVACY_OPTIONS.find((o) => o.value === privacy)?.hint} Uploads resume after a lost connection or a reload.
        </p>
      </div>
    </section>
  );
}

function PendingList({ uploads }: { uploads: Uploads }) {
  return (
    <section aria-labelledby="pending-title" className="card stack">
      <h2 id="pending-title" className="section-title">
        Unfinished uploads
      </h2>
      <p className="muted">Choose the same file again to resume where it stopped.</p>
      <ul className="pending" aria-label="Unfinished uploads">
        {uploads.pending.map((p) => (
          <PendingRow key={p.fingerprint} entry={p} uploads={uploads} />
        ))}
      </ul>
    </section>
  );
}

function PendingRow({ entry, uploads }: { entry: PendingUpload; uploads: Uploads }) {
  const inputId = useId();
  const [error, setError] = useState<string | null>(null);
  const pct = entry.size > 0 ? Math.floor((entry.bytesSent / entry.size) * 100) : 0;

  function onChange(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (file) setError(uploads.resumePending(entry.fingerprint, file));
  }

  return (
    <li className="pending__item" data-fingerprint={entry.fingerprint}>
      <div className="pending__text">
        <strong>{entry.title}</strong>
        <span className="muted">
          {entry.fileName} · {formatBytes(entry.size)} · about {pct}% uploaded · until {formatDate(entry.expiresAt)}
        </span>
      </div>
      <div className="upload__actions">
        <input id={inputId} className="visually-hidden file-input" type="file" accept="video/*" onChange={onChange} />
        <label htmlFor={inputId} className="button button--small button--primary">
          Choose file to resume<span className="visually-hidden"> {entry.title}</span>
        </label>
        <button type="button" className="button button--small button--quiet" onClick={() => void uploads.discardPending(entry.fingerprint)}>
          Discard<span className="visually-hidden"> {entry.title}</span>
        </button>
      </div>
      {error && <Alert>{error}</Alert>}
    </li>
  );
}

const MEDIA_EXTENSIONS = new Set([
  'mp4', 'm4v', 'mov', 'qt', 'mkv', 'webm', 'avi', 'wmv', 'flv', 'mpg', 'mpeg', 'm2v', 'ts', 'mts', 'm2ts', '3gp', '3g2', 'ogv', 'ogg', 'mxf', 'dv',
  'mp3', 'm4a', 'aac', 'wav', 'flac', 'opus', 'oga',
]);

/**
 * A file that may be a video (or audio, which the server turns into one):
 * by its type when the browser knows one, else by its extension. The server
 * probes every upload anyway; this spares sending a document or a picture.
 */
export function isVideoFile(file: { name: string; type: string }): boolean {
  if (file.type.startsWith('video/') || file.type.startsWith('audio/')) return true;
  const ext = file.name.includes('.') ? file.name.slice(file.name.lastIndexOf('.') + 1).toLowerCase() : '';
  if (file.type && file.type !== 'application/octet-stream' && !MEDIA_EXTENSIONS.has(ext)) return false;
  return MEDIA_EXTENSIONS.has(ext);
}
