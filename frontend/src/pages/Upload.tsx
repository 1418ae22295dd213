import { useId, useRef, useState, type ChangeEvent, type DragEvent, type FormEvent } from 'react';
import { Link } from 'wouter';
import { useMutation, useSubscription } from 'urql';
import { Alert } from '../components/Alert';
import { Field } from '../components/Field';
import { Page } from '../components/Page';
import { ProgressBar } from '../components/ProgressBar';
import { SignInRequired } from '../components/SignInRequired';
import { useFormErrors } from '../components/useFormErrors';
import { formatBytes, formatDate } from '../format';
import { graphql } from '../gql';
import type { Privacy } from '../gql/graphql';
import { useViewer } from '../session';
import { stageLabel } from '../upload/machine';
import { UploadRow } from '../upload/UploadRow';
import { useUploads, type Uploads } from '../upload/UploadsProvider';
import type { PendingUpload } from '../upload/resumeStore';
import { VideoProgressDocument } from '../videos/operations';
import { PRIVACY_OPTIONS } from '../videos/privacy';
import { notAVideoMessage, sniffFile } from '../upload/sniff';

export const ImportVideoDocument = graphql(`
  mutation ImportVideo($input: ImportVideoInput!) {
    importVideo(input: $input) {
      id
      title
    }
  }
`);

/** A video being imported from a link, as the page lists it. */
interface Imported {
  id: string;
  title: string;
}

/** Upload page: pick or drop videos, or import one from a link; watch them upload and process. */
export function Upload() {
  const { user } = useViewer();
  const uploads = useUploads();
  const [imports, setImports] = useState<Imported[]>([]);

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
      <ImportForm onImported={(v) => setImports((list) => [v, ...list])} />
      {imports.length > 0 && (
        <section aria-labelledby="imports-title" className="stack">
          <h2 id="imports-title" className="section-title">
            Imports
          </h2>
          <ul className="uploads" aria-label="Imports">
            {imports.map((v) => (
              <ImportRow key={v.id} video={v} />
            ))}
          </ul>
        </section>
      )}
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
  const descriptionId = useId();
  const [privacy, setPrivacy] = useState<Privacy>('PUBLIC');
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [dragging, setDragging] = useState(false);
  const [refused, setRefused] = useState<string[]>([]);
  const [notVideos, setNotVideos] = useState<string[]>([]);
  const depth = useRef(0);

  async function addFiles(list: FileList | null) {
    const all = Array.from(list ?? []);
    const typed = all.filter(isVideoFile);
    setRefused(all.filter((f) => !isVideoFile(f)).map((f) => f.name));
    // The first bytes decide, whatever the name says: nothing is sent for a file that is not a video.
    const sniffed = await Promise.all(typed.map(sniffFile));
    const files = typed.filter((_, i) => sniffed[i]);
    setNotVideos(typed.filter((_, i) => !sniffed[i]).map((f) => f.name));
    if (files.length) {
      uploads.add(files, { privacy, title, description });
      setTitle('');
      setDescription('');
    }
  }

  function onChange(e: ChangeEvent<HTMLInputElement>) {
    const list = e.target.files ? Array.from(e.target.files) : [];
    e.target.value = ''; // picking the same file again must fire change again
    void addFiles(list as unknown as FileList);
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
        void addFiles(e.dataTransfer.files);
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
      {notVideos.map((name) => (
        <Alert key={name}>{notAVideoMessage(name)}</Alert>
      ))}
      <div className="dropzone__details">
        <Field
          label="Title"
          name="title"
          maxLength={200}
          hint="Optional; defaults to the file's name. You can change it while the file uploads."
          value={title}
          onChange={(e) => setTitle(e.target.value)}
        />
        <div className="field">
          <label htmlFor={descriptionId}>Description</label>
          <textarea id={descriptionId} name="description" rows={2} maxLength={5000} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
      </div>
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

const IMPORT_FIELDS = ['url', 'title'] as const;

/** The link check the server makes first (an http or https URL), so a typo is caught before sending. */
export function importLinkError(url: string): string | undefined {
  const u = url.trim();
  if (!u) return 'Paste the link to a video file.';
  if (!/^https?:\/\/[^/?#\s]+/i.test(u)) return 'The link must start with https:// (or http://).';
  return undefined;
}

/** "Import from a link": the server downloads a video file from another site. */
function ImportForm({ onImported }: { onImported(v: Imported): void }) {
  const privacyId = useId();
  const [{ fetching }, importVideo] = useMutation(ImportVideoDocument);
  const errors = useFormErrors(IMPORT_FIELDS);
  const [url, setUrl] = useState('');
  const [title, setTitle] = useState('');
  const [privacy, setPrivacy] = useState<Privacy>('PUBLIC');

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (fetching) return;
    const bad = importLinkError(url);
    if (bad) {
      errors.reportFields({ url: bad });
      return;
    }
    errors.clear();
    const input = { url: url.trim(), privacy, ...(title.trim() ? { title: title.trim() } : {}) };
    const result = await importVideo({ input }, { additionalTypenames: ['Video', 'VideoConnection'] });
    const video = result.data?.importVideo;
    if (result.error || !video) {
      errors.report(result.error);
      return;
    }
    setUrl('');
    setTitle('');
    onImported({ id: video.id, title: video.title });
  }

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="import-title">
      <h2 id="import-title" className="section-title">
        Import from a link
      </h2>
      <p className="muted">
        The server downloads the video file itself, so you can close this page; the video then appears in{' '}
        <Link href="/my-videos">My videos</Link>.
      </p>
      <Alert key={errors.attempt}>{errors.message}</Alert>
      <Field
        label="Link to the video file"
        name="url"
        type="url"
        inputMode="url"
        spellCheck={false}
        autoComplete="off"
        required
        placeholder="https://example.com/video.mp4"
        hint="A link that downloads the file itself (MP4, MOV, MKV, WebM…), not a page that plays it."
        value={url}
        onChange={(e) => {
          setUrl(e.target.value);
          errors.clearField('url');
        }}
        error={errors.fieldError('url')}
        ref={errors.refFor('url')}
      />
      <Field
        label="Title (optional)"
        name="title"
        maxLength={200}
        hint="Defaults to the file's name."
        value={title}
        onChange={(e) => {
          setTitle(e.target.value);
          errors.clearField('title');
        }}
        error={errors.fieldError('title')}
        ref={errors.refFor('title')}
      />
      <div className="field">
        <label htmlFor={privacyId}>Who can watch the import</label>
        <select id={privacyId} value={privacy} onChange={(e) => setPrivacy(e.target.value as Privacy)}>
          {PRIVACY_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button button--primary" aria-disabled={fetching || undefined}>
        {fetching ? 'Importing…' : 'Import'}
      </button>
    </form>
  );
}

/** What an import is doing, in a few words. */
function importPhase(status: string, stage: string, playable: boolean): string {
  if (status === 'FAILED') return 'Import failed';
  if (status === 'READY') return 'Ready';
  if (status === 'PROCESSING') return playable ? 'Playable now; making the other qualities' : 'Downloaded; processing';
  return stage === 'import' ? 'Downloading from the link' : 'Waiting for a worker';
}

/** One import: the download, then processing, from videoProgress. */
function ImportRow({ video }: { video: Imported }) {
  const titleId = useId();
  const [{ data }] = useSubscription({ query: VideoProgressDocument, variables: { id: video.id } });
  const p = data?.videoProgress;
  const status = p?.status ?? 'UPLOADING';
  const stage = p?.stage ?? 'import';
  const percent = p?.percent ?? 0;
  const playable = p?.playable ?? false;

  return (
    <li className="upload card" aria-labelledby={titleId} data-video-id={video.id} data-status={status}>
      <div className="upload__head">
        <h3 id={titleId} className="upload__title">
          {video.title}
        </h3>
      </div>
      <p className="upload__phase" role="status">
        {importPhase(status, stage, playable)}
      </p>
      {status === 'UPLOADING' && (
        <div className="upload__progress">
          <ProgressBar
            label={`Download of ${video.title}`}
            value={percent > 0 ? percent : null}
            valueText={percent > 0 ? `${Math.floor(percent)}% downloaded` : 'Downloading'}
          />
        </div>
      )}
      {(status === 'PROCESSING' || status === 'READY') && (
        <div className="upload__progress">
          <ProgressBar
            label={`Processing of ${video.title}`}
            value={status === 'READY' ? 100 : percent}
            valueText={`${stageLabel(stage)}, ${Math.floor(percent)}%`}
            tone={status === 'READY' ? 'success' : 'accent'}
          />
          <p className="upload__numbers muted">
            {status === 'READY' ? 'Every quality is ready.' : `${stageLabel(stage)} · ${Math.floor(percent)}%`}
          </p>
        </div>
      )}
      {status === 'FAILED' && p?.error && (
        <div role="alert" className="alert">
          {p.error}
        </div>
      )}
      {(playable || status === 'READY') && (
        <div className="upload__actions">
          <Link href={`/watch/${video.id}`} className="button button--small button--primary">
            {status === 'READY' ? 'Watch' : 'Watch now'}
          </Link>
        </div>
      )}
    </li>
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
