// The subtitles editor (/videos/:id/subtitles), for the video's owner: each
// language's track with where it came from (generated, edited, uploaded);
// a table of cues to correct (text and timings), add and remove, saved as
// WebVTT through updateSubtitles; a subtitle file of one's own through
// uploadSubtitles; and regenerateSubtitles. The server validates every
// file and names the line of a problem; the editor points at the cue on
// that line, and keeps every edit until a save succeeds.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { useMutation } from 'urql';
import { Alert } from '../components/Alert';
import { Page } from '../components/Page';
import { OwnerVideoPage } from '../components/OwnerVideoPage';
import { formatDate } from '../format';
import type { SubtitlesEditorQuery } from '../gql/graphql';
import { formErrors } from '../graphql/errors';
import {
  PROVENANCE_LABELS,
  RegenerateSubtitlesDocument,
  SubtitlesEditorDocument,
  UpdateSubtitlesDocument,
  UploadSubtitlesDocument,
} from '../subtitles/operations';
import { useCues } from '../subtitles/useCues';
import { errorLine, formatTimestamp, parseTimestamp, serializeVTT, type Cue } from '../subtitles/vtt';

type EditedVideo = NonNullable<SubtitlesEditorQuery['video']>;
type Track = EditedVideo['subtitles'][number];

/** How often the page looks again while subtitles are being made. */
const PENDING_POLL_MS = 3000;

/** The subtitles editor page of video `id`. */
export function SubtitlesEditor({ id }: { id: string }) {
  return (
    <OwnerVideoPage
      id={id}
      title="Subtitles"
      path={`/videos/${id}/subtitles`}
      signIn="Log in to edit the subtitles of your videos."
      loading="Loading subtitles…"
      notOwner="Only the video’s owner can edit its subtitles."
      query={SubtitlesEditorDocument}
    >
      {(video, reload) => <Editor video={video} reload={reload} />}
    </OwnerVideoPage>
  );
}

function Editor({ video, reload }: { video: EditedVideo; reload: () => void }) {
  const [selected, setSelected] = useState<string | null>(null);
  // A language being added: edited from an empty table until saved.
  const [adding, setAdding] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const pending = video.subtitleState.status === 'pending';
  useEffect(() => {
    if (!pending) return;
    const t = setInterval(reload, PENDING_POLL_MS);
    return () => clearInterval(t);
  }, [pending, reload]);

  const tracks = video.subtitles;
  const current = adding ?? selected ?? tracks[0]?.language ?? null;
  const track = tracks.find((t) => t.language === current);

  return (
    <Page title={`Subtitles of “${video.title}”`}>
      <nav className="page-actions" aria-label="Video">
        <Link href={`/watch/${video.id}`}>Watch the video</Link>
        <Link href="/my-videos">My videos</Link>
      </nav>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {video.status !== 'READY' ? (
        <p className="card">Subtitles can be edited once the video is ready.</p>
      ) : (
        <>
          <StateNote
            video={video}
            onRegenerated={(message) => {
              setNotice(message);
              reload();
            }}
          />
          {tracks.length > 0 && (
            <section className="stack" aria-labelledby="tracks-title">
              <h2 id="tracks-title" className="section-title">
                Tracks
              </h2>
              <ul className="subtitle-tracks">
                {tracks.map((t) => (
                  <TrackRow
                    key={t.language}
                    track={t}
                    editing={t.language === current}
                    onEdit={() => {
                      setAdding(null);
                      setSelected(t.language);
                    }}
                  />
                ))}
              </ul>
            </section>
          )}
          {current && (
            <TrackEditor
              key={current}
              videoId={video.id}
              language={current}
              track={track ?? null}
              onSaved={(saved, count) => {
                setAdding(null);
                setSelected(saved.language);
                setNotice(`Saved ${saved.label}: ${count === 1 ? '1 cue' : `${count} cues`}. ${PROVENANCE_LABELS[saved.provenance]}.`);
              }}
              onCancelNew={adding ? () => setAdding(null) : undefined}
            />
          )}
          <div className="subtitle-forms">
            <AddLanguageForm
              existing={tracks.map((t) => t.language)}
              onAdd={(language) => {
                if (tracks.some((t) => t.language === language)) {
                  setAdding(null);
                  setSelected(language);
                } else setAdding(language);
              }}
            />
            <UploadForm
              videoId={video.id}
              defaultLanguage={current ?? 'en'}
              onUploaded={(t) => {
                setAdding(null);
                setSelected(t.language);
                setNotice(`Uploaded ${t.label}. ${PROVENANCE_LABELS[t.provenance]}.`);
              }}
            />
          </div>
        </>
      )}
    </Page>
  );
}

/** Why the video has the subtitles it has, and the button to make them again. */
function StateNote({ video, onRegenerated }: { video: EditedVideo; onRegenerated: (message: string) => void }) {
  const [{ fetching, error }, regenerate] = useMutation(RegenerateSubtitlesDocument);
  const state = video.subtitleState;
  async function onClick() {
    if (fetching) return;
    const result = await regenerate({ videoId: video.id });
    if (!result.error) onRegenerated('Making the subtitles again from the speech. Edited and uploaded tracks are kept.');
  }
  return (
    <section className="card stack subtitle-state" aria-label="Generated subtitles">
      {state.status === 'pending' ? (
        <p role="status">Subtitles are being made from the video’s speech…</p>
      ) : state.status === 'none' || state.status === 'failed' ? (
        <p>{state.note || (state.status === 'none' ? 'No subtitles were made.' : 'Making subtitles failed.')}</p>
      ) : null}
      <Alert>{formErrors(error).message}</Alert>
      <div className="upload__actions">
        <button type="button" className="button button--small" onClick={onClick} aria-disabled={fetching || state.status === 'pending' || undefined} disabled={state.status === 'pending'}>
          {fetching ? 'Starting…' : 'Make subtitles again from the speech'}
        </button>
        <p className="muted small">Replaces the generated track; edited and uploaded tracks are kept.</p>
      </div>
    </section>
  );
}

function TrackRow({ track, editing, onEdit }: { track: Track; editing: boolean; onEdit: () => void }) {
  return (
    <li className={`subtitle-track card${editing ? ' subtitle-track--editing' : ''}`}>
      <div className="subtitle-track__body">
        <h3 className="subtitle-track__title">
          {track.label} <span className="muted small">({track.language})</span>
        </h3>
        <p className="muted small subtitle-track__meta">
          <span className={`provenance-badge provenance-badge--${track.provenance.toLowerCase()}`}>{PROVENANCE_LABELS[track.provenance]}</span>
          <span>
            updated <time dateTime={track.updatedAt}>{formatDate(track.updatedAt)}</time>
          </span>
          <a href={track.vttUrl} download>
            WebVTT
          </a>
          <a href={track.srtUrl} download>
            SRT
          </a>
        </p>
      </div>
      {/* The accessible name starts with what the button shows (WCAG 2.5.3, label in name). */}
      <button type="button" className="button button--small" aria-pressed={editing} onClick={onEdit}>
        {editing ? 'Editing' : 'Edit'}{' '}
        <span className="visually-hidden">{track.label}</span>
      </button>
    </li>
  );
}

/** One row of the table: times as typed, so nothing is lost to a typo. */
interface Row {
  key: number;
  start: string;
  end: string;
  text: string;
  id?: string;
  settings?: string;
}

interface RowErrors {
  start?: string;
  end?: string;
  text?: string;
  /** The server's message for this cue's lines. */
  server?: string;
}

let nextKey = 1;

function toRow(c: Cue): Row {
  return { key: nextKey++, start: formatTimestamp(c.start), end: formatTimestamp(c.end), text: c.text, id: c.id, settings: c.settings };
}

/** Checks the rows; the cues to save when every row is fine. */
export function checkRows(rows: readonly Row[]): { cues: Cue[] | null; errors: Map<number, RowErrors> } {
  const errors = new Map<number, RowErrors>();
  const cues: Cue[] = [];
  for (const r of rows) {
    const e: RowErrors = {};
    const start = parseTimestamp(r.start);
    const end = parseTimestamp(r.end);
    if (start === null) e.start = 'Write a time such as 00:00:01.500.';
    if (end === null) e.end = 'Write a time such as 00:00:04.000.';
    else if (start !== null && end <= start) e.end = 'The cue must end after it starts.';
    if (r.text.trim() === '') e.text = 'Write what is said, or remove the cue.';
    else if (r.text.includes('-->')) e.text = 'The text cannot contain “-->”.';
    if (e.start || e.end || e.text) errors.set(r.key, e);
    else cues.push({ start: start!, end: end!, text: r.text, id: r.id, settings: r.settings });
  }
  if (rows.length === 0) return { cues: null, errors };
  return { cues: errors.size === 0 ? cues : null, errors };
}

interface TrackEditorProps {
  videoId: string;
  language: string;
  /** The track, or null for a language being added. */
  track: Track | null;
  onSaved: (track: Track, cues: number) => void;
  onCancelNew?: () => void;
}

function TrackEditor({ videoId, language, track, onSaved, onCancelNew }: TrackEditorProps) {
  const id = useId();
  const { status, cues, error: loadError, retry } = useCues(track?.vttUrl ?? null, track?.updatedAt);
  const [rows, setRows] = useState<Row[] | null>(track ? null : [{ key: nextKey++, start: formatTimestamp(0), end: formatTimestamp(2), text: '' }]);
  const [dirty, setDirty] = useState(false);
  const [errors, setErrors] = useState<Map<number, RowErrors>>(new Map());
  const [message, setMessage] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [{ fetching: saving }, update] = useMutation(UpdateSubtitlesDocument);
  // What "Discard changes" goes back to: the cues as loaded or last saved.
  const baseline = useRef<Cue[]>([]);
  const consumed = useRef<Cue[] | null>(null);

  // The server's cues, whenever they (re)load and nothing is being edited.
  useEffect(() => {
    if (status !== 'ready' || !cues || cues === consumed.current || dirty) return;
    consumed.current = cues;
    baseline.current = cues;
    setRows(cues.map(toRow));
  }, [status, cues, dirty]);

  // Focus to move once the rows it needs are rendered (an added cue, the
  // row that took a removed one's place).
  const [focusNext, setFocusNext] = useState<string | null>(null);
  useEffect(() => {
    if (!focusNext) return;
    document.getElementById(focusNext)?.focus();
    setFocusNext(null);
  }, [focusNext, rows]);

  // Leaving with unsaved edits asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  function change(key: number, patch: Partial<Row>) {
    setRows((rs) => rs && rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
    setDirty(true);
    setErrors((es) => {
      if (!es.has(key)) return es;
      const next = new Map(es);
      const e = { ...next.get(key)! };
      for (const f of Object.keys(patch) as (keyof RowErrors)[]) delete e[f];
      delete e.server;
      if (e.start || e.end || e.text) next.set(key, e);
      else next.delete(key);
      return next;
    });
  }

  function insertAfter(index: number) {
    if (!rows) return;
    const prev = rows[index];
    const from = prev ? (parseTimestamp(prev.end) ?? 0) : 0;
    const row: Row = { key: nextKey++, start: formatTimestamp(from), end: formatTimestamp(from + 2), text: '' };
    setRows([...rows.slice(0, index + 1), row, ...rows.slice(index + 1)]);
    setDirty(true);
    setFocusNext(`${id}-text-${row.key}`);
  }

  function remove(index: number) {
    if (!rows) return;
    const gone = rows[index]!;
    const next = rows.filter((_, i) => i !== index);
    setRows(next);
    setDirty(true);
    setErrors((es) => {
      const m = new Map(es);
      m.delete(gone.key);
      return m;
    });
    // Focus moves to the row that took its place, or the one before.
    const focusRow = next[Math.min(index, next.length - 1)];
    setFocusNext(focusRow ? `${id}-text-${focusRow.key}` : `${id}-add`);
  }

  function focusFirstError(errs: Map<number, RowErrors>) {
    const first = rows?.find((r) => errs.has(r.key));
    if (!first) return;
    const e = errs.get(first.key)!;
    const field = e.start ? 'start' : e.end ? 'end' : 'text';
    document.getElementById(`${id}-${field}-${first.key}`)?.focus();
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    if (saving || !rows) return;
    setAttempt((n) => n + 1);
    const checked = checkRows(rows);
    if (!checked.cues) {
      setErrors(checked.errors);
      setMessage(
        rows.length === 0
          ? 'A track needs at least one cue.'
          : `${checked.errors.size === 1 ? '1 cue needs' : `${checked.errors.size} cues need`} fixing before saving.`,
      );
      focusFirstError(checked.errors);
      return;
    }
    const { vtt, lineCues } = serializeVTT(checked.cues);
    const result = await update({ videoId, language, vtt });
    if (result.error) {
      // Nothing is lost: the rows stay as they are; the cue the server's
      // line points at is marked.
      const errs = new Map<number, RowErrors>();
      let text = formErrors(result.error, []).message ?? 'The subtitles could not be saved.';
      const gql = result.error.graphQLErrors[0];
      if (gql?.extensions?.code === 'BAD_USER_INPUT') {
        const line = errorLine(gql.message);
        const cue = line !== null ? (lineCues[line - 1] ?? -1) : -1;
        if (cue >= 0) {
          const row = rows[cue]!;
          errs.set(row.key, { server: gql.message });
          text = `Cue ${cue + 1} (${gql.message}): fix it and save again.`;
        } else {
          text = `The server refused the subtitles: ${gql.message}`;
        }
      }
      setErrors(errs);
      setMessage(text);
      focusFirstError(errs);
      return;
    }
    setErrors(new Map());
    setMessage(null);
    // The rows are what was saved; the cues reloaded after the save (the
    // track's new updatedAt) replace them, not the ones loaded before.
    consumed.current = cues;
    baseline.current = checked.cues;
    setDirty(false);
    if (result.data) onSaved(result.data.updateSubtitles, checked.cues.length);
  }

  function discard() {
    setErrors(new Map());
    setMessage(null);
    setDirty(false);
    setRows(baseline.current.map(toRow));
  }

  const title = track ? `Cues: ${track.label}` : `New track: ${language}`;
  return (
    <section className="stack track-editor" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="section-title">
        {title}
      </h2>
      {track && status === 'error' ? (
        <div className="stack">
          <Alert>{loadError}</Alert>
          <div>
            <button type="button" className="button button--small" onClick={retry}>
              Try again
            </button>
          </div>
        </div>
      ) : !rows ? (
        <p className="muted" role="status">
          Loading the cues…
        </p>
      ) : (
        <form className="stack" onSubmit={save} noValidate aria-label={`Edit ${track?.label ?? language}`}>
          <Alert key={attempt}>{message}</Alert>
          <p className="muted small">
            Times as hours:minutes:seconds.milliseconds (00:01:02.500). Cue text is WebVTT: &lt;i&gt;, &lt;b&gt; and &lt;v Name&gt; tags are kept.
          </p>
          <div className="cue-table__wrap">
            <table className="cue-table">
              <caption className="visually-hidden">Cues of {track?.label ?? language}, in the order they are saved</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Start</th>
                  <th scope="col">End</th>
                  <th scope="col">Text</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r, i) => (
                  <CueRow
                    key={r.key}
                    id={id}
                    row={r}
                    n={i + 1}
                    errors={errors.get(r.key)}
                    onChange={(patch) => change(r.key, patch)}
                    onInsert={() => insertAfter(i)}
                    onRemove={() => remove(i)}
                  />
                ))}
              </tbody>
            </table>
          </div>
          <div className="upload__actions track-editor__actions">
            <button id={`${id}-add`} type="button" className="button button--small" onClick={() => insertAfter(rows.length - 1)}>
              Add a cue at the end
            </button>
            <span className="player__spacer" />
            {dirty && <span className="muted small">Unsaved changes</span>}
            {track && (
              <button type="button" className="button button--small button--quiet" onClick={discard} disabled={!dirty}>
                Discard changes
              </button>
            )}
            {onCancelNew && (
              <button type="button" className="button button--small button--quiet" onClick={onCancelNew}>
                Cancel
              </button>
            )}
            <button type="submit" className="button button--small button--primary" aria-disabled={saving || undefined}>
              {saving ? 'Saving…' : 'Save subtitles'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

interface CueRowProps {
  id: string;
  row: Row;
  n: number;
  errors: RowErrors | undefined;
  onChange: (patch: Partial<Row>) => void;
  onInsert: () => void;
  onRemove: () => void;
}

function CueRow({ id, row, n, errors, onChange, onInsert, onRemove }: CueRowProps) {
  const err = (field: 'start' | 'end' | 'text') => {
    const m = errors?.[field] ?? (field === 'text' ? errors?.server : undefined);
    return m ? `${id}-${field}-${row.key}-error` : undefined;
  };
  const invalid = (field: 'start' | 'end' | 'text') => (err(field) ? true : undefined);
  return (
    <tr className={errors ? 'cue-table__row--invalid' : undefined} data-cue={n}>
      <th scope="row" className="cue-table__n">
        {n}
      </th>
      {(['start', 'end'] as const).map((field) => (
        <td key={field} className="cue-table__time" data-label={field === 'start' ? 'Start' : 'End'}>
          <input
            id={`${id}-${field}-${row.key}`}
            value={row[field]}
            inputMode="decimal"
            spellCheck={false}
            autoComplete="off"
            aria-label={`${field === 'start' ? 'Start' : 'End'} of cue ${n}`}
            aria-invalid={invalid(field)}
            aria-describedby={err(field)}
            onChange={(e) => onChange({ [field]: e.target.value })}
          />
          {errors?.[field] && (
            <p id={err(field)} className="field__error">
              {errors[field]}
            </p>
          )}
        </td>
      ))}
      <td className="cue-table__text" data-label="Text">
        <textarea
          id={`${id}-text-${row.key}`}
          value={row.text}
          rows={Math.min(4, Math.max(1, row.text.split('\n').length))}
          aria-label={`Text of cue ${n}`}
          aria-invalid={invalid('text')}
          aria-describedby={err('text')}
          onChange={(e) => onChange({ text: e.target.value })}
        />
        {(errors?.text || errors?.server) && (
          <p id={err('text')} className="field__error">
            {errors.text ?? errors.server}
          </p>
        )}
      </td>
      <td className="cue-table__actions">
        <button type="button" className="button button--small button--quiet" onClick={onInsert} aria-label={`Add a cue after cue ${n}`} title="Add a cue after this one">
          +
        </button>
        <button type="button" className="button button--small button--quiet" onClick={onRemove} aria-label={`Remove cue ${n}`} title="Remove this cue">
          ×
        </button>
      </td>
    </tr>
  );
}

const LANGUAGE_TAG = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i;

function AddLanguageForm({ existing, onAdd }: { existing: string[]; onAdd: (language: string) => void }) {
  const id = useId();
  const [language, setLanguage] = useState('');
  const [error, setError] = useState<string | null>(null);
  function submit(e: FormEvent) {
    e.preventDefault();
    const tag = language.trim();
    if (!LANGUAGE_TAG.test(tag)) {
      setError('Write a language tag such as en, fr or pt-BR.');
      return;
    }
    setError(null);
    setLanguage('');
    onAdd(existing.find((l) => l.toLowerCase() === tag.toLowerCase()) ?? tag);
  }
  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="section-title">
        Write subtitles in another language
      </h2>
      <div className={`field${error ? ' field--invalid' : ''}`}>
        <label htmlFor={`${id}-language`}>Language tag</label>
        <input
          id={`${id}-language`}
          value={language}
          placeholder="fr"
          autoComplete="off"
          onChange={(e) => setLanguage(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        {error && (
          <p id={`${id}-error`} className="field__error">
            {error}
          </p>
        )}
      </div>
      <div>
        <button type="submit" className="button button--small">
          Start a track
        </button>
      </div>
    </form>
  );
}

const UPLOAD_FIELDS = ['language', 'content', 'label'] as const;
/** Subtitle files are small; this keeps a wrong pick (a video) from being read into memory. */
const MAX_SUBTITLE_FILE = 5 * 1024 * 1024;

function UploadForm({ videoId, defaultLanguage, onUploaded }: { videoId: string; defaultLanguage: string; onUploaded: (t: Track) => void }) {
  const id = useId();
  const [language, setLanguage] = useState(defaultLanguage);
  const [label, setLabel] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [{ fetching, error }, upload] = useMutation(UploadSubtitlesDocument);
  const fileInput = useRef<HTMLInputElement>(null);
  const errors = formErrors(error, UPLOAD_FIELDS);
  const contentError = fileError ?? errors.fields.content;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (fetching) return;
    setAttempt((n) => n + 1);
    if (!file) {
      setFileError('Choose a WebVTT (.vtt) or SRT (.srt) file.');
      fileInput.current?.focus();
      return;
    }
    if (file.size > MAX_SUBTITLE_FILE) {
      setFileError('This file is too large for subtitles (5 MB at most).');
      return;
    }
    setFileError(null);
    let content: string;
    try {
      content = await file.text();
    } catch {
      setFileError('The file could not be read.');
      return;
    }
    const result = await upload({ videoId, language: language.trim(), content, label: label.trim() || null });
    if (!result.error && result.data) {
      setFile(null);
      setLabel('');
      if (fileInput.current) fileInput.current.value = '';
      onUploaded(result.data.uploadSubtitles);
    }
  }

  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="section-title">
        Upload a subtitle file
      </h2>
      <p className="muted small">WebVTT or SRT, UTF-8. It replaces the track of that language.</p>
      <Alert key={attempt}>{errors.message}</Alert>
      <div className={`field${errors.fields.language ? ' field--invalid' : ''}`}>
        <label htmlFor={`${id}-language`}>Language tag</label>
        <input
          id={`${id}-language`}
          value={language}
          autoComplete="off"
          onChange={(e) => setLanguage(e.target.value)}
          aria-invalid={errors.fields.language ? true : undefined}
          aria-describedby={errors.fields.language ? `${id}-language-error` : undefined}
        />
        {errors.fields.language && (
          <p id={`${id}-language-error`} className="field__error">
            {errors.fields.language}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-label`}>Name shown to viewers (optional)</label>
        <input id={`${id}-label`} value={label} placeholder="English (SDH)" onChange={(e) => setLabel(e.target.value)} />
      </div>
      <div className={`field${contentError ? ' field--invalid' : ''}`}>
        <label htmlFor={`${id}-file`}>Subtitle file</label>
        <input
          ref={fileInput}
          id={`${id}-file`}
          type="file"
          accept=".vtt,.srt,text/vtt,application/x-subrip"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setFileError(null);
          }}
          aria-invalid={contentError ? true : undefined}
          aria-describedby={contentError ? `${id}-file-error` : undefined}
        />
        {contentError && (
          <p id={`${id}-file-error`} className="field__error">
            {contentError}
          </p>
        )}
      </div>
      <div>
        <button type="submit" className="button button--small" aria-disabled={fetching || undefined}>
          {fetching ? 'Uploading…' : 'Upload subtitles'}
        </button>
      </div>
    </form>
  );
}
