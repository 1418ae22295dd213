// The watch page's Share dialog (opened by ShareButton, loaded on demand):
// the link (optionally at the current time), the embed code, and for the
// owner the sites allowed to embed the video and, for a private video, a
// signed embed link. Modal and CopyField serve the integrator pages too.
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useMutation, useQuery } from 'urql';
import { formatClock } from '../format';
import type { SharedVideo } from './ShareButton';
import { NewLinkButton } from './NewLinkButton';
import { formErrors } from '../graphql/errors';
import {
  SignEmbedDocument,
  UpdateEmbedOriginsDocument,
  VideoEmbedSettingsDocument,
  type SignEmbedData,
  type UpdateEmbedOriginsData,
  type VideoEmbedSettingsData,
} from '../graphql/integrations';
import './ShareDialog.css';

/** How long a signed embed link of a private video lasts: 7 days, the most createPlaybackToken allows. */
export const SIGNED_EMBED_TTL = 7 * 86400;

/** The embed page's URL with its options. */
export function embedUrl(origin: string, id: string, opts: { start?: number; token?: string } = {}): string {
  const q = new URLSearchParams();
  if (opts.start && opts.start > 0) q.set('start', String(Math.floor(opts.start)));
  if (opts.token) q.set('token', opts.token);
  const qs = q.toString();
  return `${origin}/embed/${id}${qs ? `?${qs}` : ''}`;
}

/** The iframe code for a video: 640 pixels wide at its aspect ratio. */
export function embedCode(src: string, title: string, width?: number | null, height?: number | null): string {
  const aspect = width && height ? width / height : 16 / 9;
  const h = Math.round(640 / aspect);
  const escaped = title.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return (
    `<iframe src="${src.replace(/&/g, '&amp;')}" width="640" height="${h}" title="${escaped}" ` +
    `style="border:0" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen></iframe>`
  );
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog: the rest of the page is inert while it is open, Tab
 * cycles inside it, Escape and the backdrop close it.
 */
export function Modal({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    // Focus goes back where it was (the button that opened the dialog)
    // once the page is no longer inert: an inert element takes no focus.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const app = document.getElementById('root');
    app?.setAttribute('inert', '');
    // The first field (the link, ready to copy), else the first control.
    const first = box.current?.querySelector<HTMLElement>('input, textarea') ?? box.current?.querySelector<HTMLElement>(FOCUSABLE);
    (first ?? box.current)?.focus();
    return () => {
      app?.removeAttribute('inert');
      opener?.focus();
    };
  }, []);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      close.current();
      return;
    }
    if (e.key !== 'Tab' || !box.current) return;
    const items = Array.from(box.current.querySelectorAll<HTMLElement>(FOCUSABLE));
    if (items.length === 0) return;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return createPortal(
    <div
      className="modal"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) close.current();
      }}
    >
      <div ref={box} className="modal__box card stack" role="dialog" aria-modal="true" aria-labelledby={titleId} tabIndex={-1} onKeyDown={onKeyDown}>
        <div className="modal__head">
          <h2 id={titleId} className="modal__title">
            {title}
          </h2>
          <button type="button" className="button button--quiet button--small modal__close" onClick={() => close.current()} aria-label="Close">
            ✕
          </button>
        </div>
        {children}
      </div>
    </div>,
    document.body,
  );
}

/** Copies text to the clipboard; false when the browser refused. */
export async function copyText(text: string, fallback?: HTMLInputElement | HTMLTextAreaElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!fallback) return false;
    fallback.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

/** A read-only value with a Copy button that says when it copied. */
export function CopyField({ label, value, multiline = false, hint }: { label: string; value: string; multiline?: boolean; hint?: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  useEffect(() => setCopied(null), [value]);
  return (
    <div className="field copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-field__row">
        {multiline ? (
          <textarea id={id} ref={input} readOnly value={value} rows={3} className="mono" onFocus={(e) => e.currentTarget.select()} />
        ) : (
          <input id={id} ref={input} readOnly value={value} className="mono" onFocus={(e) => e.currentTarget.select()} />
        )}
        <button
          type="button"
          className="button button--small"
          onClick={async () => setCopied((await copyText(value, input.current)) ? 'yes' : 'no')}
          aria-label={`Copy ${label.toLowerCase()}`}
        >
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
      </div>
      {hint && <p className="field__hint">{hint}</p>}
      <p className="visually-hidden" role="status">
        {copied === 'yes' ? `${label} copied` : copied === 'no' ? 'Could not copy: select the text and copy it yourself.' : ''}
      </p>
    </div>
  );
}

/** The Share dialog. `time` is the player's position when it opened. */
export function ShareDialog({ video, time, isOwner, onClose }: { video: SharedVideo; time: number; isOwner: boolean; onClose: () => void }) {
  const origin = window.location.origin;
  const [atTime, setAtTime] = useState(false);
  const start = atTime ? Math.floor(time) : 0;
  const startId = useId();
  // An UNLISTED video is shared by its public id: its id opens it only to its owner.
  const [publicId, setPublicId] = useState(video.publicId ?? null);
  const ref = video.privacy === 'UNLISTED' && publicId ? publicId : video.id;
  const watch = `${origin}/watch/${ref}${start > 0 ? `?t=${start}` : ''}`;
  const [signed, setSigned] = useState<{ token: string; expiresAt: string } | null>(null);
  const [signing, sign] = useMutation<SignEmbedData>(SignEmbedDocument);
  const isPrivate = video.privacy === 'PRIVATE';
  const src = embedUrl(origin, isPrivate ? video.id : ref, { start, token: signed?.token });

  return (
    <Modal title="Share" onClose={onClose}>
      <CopyField label="Link" value={watch} hint={isPrivate ? 'This video is private: only you can watch it at this link.' : undefined} />
      {time >= 1 && (
        <label className="checkbox" htmlFor={startId}>
          <input id={startId} type="checkbox" checked={atTime} onChange={(e) => setAtTime(e.currentTarget.checked)} />
          Start at {formatClock(time)}
        </label>
      )}
      {isPrivate && !signed ? (
        isOwner ? (
          <div className="stack share__signed">
            <p className="small muted">Private videos play elsewhere only with a signed link, valid for 7 days.</p>
            <div>
              <button
                type="button"
                className="button button--small"
                aria-disabled={signing.fetching || undefined}
                onClick={async () => {
                  if (signing.fetching) return;
                  const res = await sign({ id: video.id, ttl: SIGNED_EMBED_TTL });
                  const t = res.data?.createPlaybackToken;
                  if (t) setSigned({ token: t.token, expiresAt: t.expiresAt });
                }}
              >
                {signing.fetching ? 'Signing…' : 'Create a signed embed code'}
              </button>
            </div>
            {signing.error && <p role="alert" className="alert">{formErrors(signing.error).message}</p>}
          </div>
        ) : null
      ) : (
        <CopyField
          label="Embed code"
          multiline
          value={embedCode(src, video.title, video.width, video.height)}
          hint={signed ? `Signed: plays until ${new Date(signed.expiresAt).toLocaleString()}.` : 'Add ?autoplay=1, muted=1 or loop=1 to the src to change how it plays.'}
        />
      )}
      {isOwner && video.privacy === 'UNLISTED' && (
        <div className="stack">
          <p className="small muted">Anyone with this link can watch. A new link stops the current one, and embeds made with it, from working.</p>
          <NewLinkButton videoId={video.id} onRotated={setPublicId} />
        </div>
      )}
      {isOwner && <EmbedOrigins videoId={video.id} />}
    </Modal>
  );
}

/** The owner's list of sites allowed to embed the video. */
function EmbedOrigins({ videoId }: { videoId: string }) {
  const [{ data, fetching }] = useQuery<VideoEmbedSettingsData>({ query: VideoEmbedSettingsDocument, variables: { id: videoId }, requestPolicy: 'network-only' });
  const [saving, save] = useMutation<UpdateEmbedOriginsData>(UpdateEmbedOriginsDocument);
  const [text, setText] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const id = useId();
  const current = data?.video?.embedOrigins ?? [];
  const value = text ?? current.join('\n');
  const errors = formErrors(saving.error);
  const error = errors.fields.embedOrigins ?? errors.message;

  return (
    <form
      className="stack share__origins"
      onSubmit={async (e) => {
        e.preventDefault();
        if (saving.fetching) return;
        setSaved(false);
        const origins = value
          .split(/[\s,]+/)
          .map((s) => s.trim())
          .filter(Boolean);
        const res = await save({ id: videoId, origins });
        if (!res.error) {
          setText(null);
          setSaved(true);
        }
      }}
    >
      <div className={`field${error ? ' field--invalid' : ''}`}>
        <label htmlFor={id}>Sites allowed to embed</label>
        <textarea
          id={id}
          rows={2}
          className="mono"
          placeholder="https://blog.example.com"
          value={fetching && text === null ? '' : value}
          onChange={(e) => {
            setText(e.currentTarget.value);
            setSaved(false);
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        />
        <p id={`${id}-hint`} className="field__hint">
          One origin per line. Empty: any site may embed this video.
        </p>
        {error && (
          <p id={`${id}-error`} className="field__error">
            {error}
          </p>
        )}
      </div>
      <div className="share__save">
        <button type="submit" className="button button--small" aria-disabled={saving.fetching || undefined}>
          {saving.fetching ? 'Saving…' : 'Save sites'}
        </button>
        <span role="status" className="small muted">
          {saved ? 'Saved.' : ''}
        </span>
      </div>
    </form>
  );
}
