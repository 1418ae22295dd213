// The embed page (/embed/<id>): one video's player filling the frame, for
// other sites. Without autoplay it shows the poster and a play button and
// loads the player (and hls.js) only when asked, so a page with many
// embeds stays light. It tells the page that frames it what the player
// does with postMessage (README "Embedding").
import { useCallback, useEffect, useRef, useState } from 'react';
import { usePlaybackAnalytics } from '../analytics/usePlaybackAnalytics';
import { parseStart } from '../components/startTime';
import { formatClock } from '../format';
import { Player } from '../player/Player';

/** What the server writes into the page for the player (server/embed.go embedData). */
export interface EmbedData {
  id: string;
  title: string;
  playable: boolean;
  /** The watch page; absent for private videos. */
  watchUrl?: string;
  hlsUrl?: string;
  posterUrl?: string;
  storyboardUrl?: string;
  duration?: number;
  width?: number;
  height?: number;
}

/** The embed URL's query parameters. */
export interface EmbedOptions {
  /** `autoplay=1`: start at once (muted if the browser insists). */
  autoplay: boolean;
  /** `muted=1`: start without sound. */
  muted: boolean;
  /** `start=<seconds>` (or `1:30`, `1m30s`): where to start. */
  start: number;
  /** `loop=1`: start over at the end. */
  loop: boolean;
}

/** The events the embed posts to the page that frames it. */
export type EmbedEvent = 'ready' | 'play' | 'pause' | 'timeupdate' | 'ended' | 'error';

/** One message posted to the parent page (README "Embedding"). */
export interface EmbedMessage {
  source: 'clipcut';
  event: EmbedEvent;
  videoId: string;
  /** Position in seconds. */
  currentTime: number;
  /** Length in seconds, when known. */
  duration: number | null;
  /** True while paused (or not started). */
  paused: boolean;
  muted: boolean;
  /** What went wrong (error only). */
  message?: string;
}

/** How often timeupdate is posted at most, in milliseconds. */
export const TIMEUPDATE_INTERVAL_MS = 250;

function flag(params: URLSearchParams, name: string): boolean {
  const v = params.get(name);
  return v !== null && v !== '0' && v.toLowerCase() !== 'false';
}

/** Reads the embed's options from its query string (`t` is taken for `start` too). */
export function parseEmbedOptions(search: string): EmbedOptions {
  const p = new URLSearchParams(search);
  return {
    autoplay: flag(p, 'autoplay'),
    muted: flag(p, 'muted'),
    start: parseStart(p.get('start') ?? p.get('t')),
    loop: flag(p, 'loop'),
  };
}

/** The data block the server wrote into the page, or null when there is none. */
export function readEmbedData(doc: Document): EmbedData | null {
  const text = doc.getElementById('clipcut-embed')?.textContent;
  if (!text) return null;
  try {
    return JSON.parse(text) as EmbedData;
  } catch {
    return null;
  }
}

/** Posts to the page that frames this one (nothing when not framed). */
export function postToParent(message: EmbedMessage): void {
  if (window.parent === window) return;
  // Any page may frame an embed (unless the video lists origins, which the
  // browser enforces with frame-ancestors); nothing posted is secret.
  window.parent.postMessage(message, '*');
}

/** The whole embed page: the player, or why there is none. */
export function EmbedPage({ data, options }: { data: EmbedData | null; options: EmbedOptions }) {
  if (!data) return <EmbedNotice>This video cannot be shown.</EmbedNotice>;
  if (!data.playable || !data.hlsUrl) {
    return <EmbedNotice title={data.title}>This video is still being processed. Try again in a moment.</EmbedNotice>;
  }
  return <EmbedPlayer data={data} options={options} />;
}

function EmbedNotice({ title, children }: { title?: string; children: string }) {
  return (
    <div className="embed embed--notice">
      <div className="embed__notice">
        {title && <p className="embed__notice-title">{title}</p>}
        <p role="status">{children}</p>
      </div>
    </div>
  );
}

/** The player with the embed's options, reporting to the parent page through `post`. */
export function EmbedPlayer({
  data,
  options,
  post = postToParent,
}: {
  data: EmbedData;
  options: EmbedOptions;
  post?: (m: EmbedMessage) => void;
}) {
  const [active, setActive] = useState(options.autoplay);
  const stage = useRef<HTMLDivElement>(null);
  const postRef = useRef(post);
  postRef.current = post;
  usePlaybackAnalytics(active ? data.id : undefined);

  const send = useCallback(
    (event: EmbedEvent, v: HTMLVideoElement | null, message?: string) => {
      const duration = v && Number.isFinite(v.duration) ? v.duration : (data.duration ?? null);
      postRef.current({
        source: 'clipcut',
        event,
        videoId: data.id,
        currentTime: v ? v.currentTime : options.start,
        duration,
        paused: v ? v.paused : true,
        muted: v ? v.muted : options.muted,
        ...(message ? { message } : {}),
      });
    },
    [data.id, data.duration, options.start, options.muted],
  );

  const readySent = useRef(false);
  useEffect(() => {
    if (readySent.current) return;
    readySent.current = true;
    send('ready', null);
  }, [send]);

  // The player's <video> element: options applied, events forwarded.
  useEffect(() => {
    if (!active) return;
    const root = stage.current;
    const v = root?.querySelector('video');
    if (!root || !v) return;
    if (options.muted) v.muted = true;
    let positioned = options.start <= 0;
    let lastTime = 0;
    const onMetadata = () => {
      if (positioned || !Number.isFinite(v.duration)) return;
      positioned = true;
      if (options.start < v.duration) v.currentTime = options.start;
    };
    const onPlay = () => send('play', v);
    const onPause = () => {
      if (!v.ended) send('pause', v);
    };
    const onTime = () => {
      const now = performance.now();
      if (now - lastTime < TIMEUPDATE_INTERVAL_MS) return;
      lastTime = now;
      send('timeupdate', v);
    };
    const onEnded = () => {
      send('ended', v);
      if (options.loop) {
        v.currentTime = 0;
        void v.play().catch(() => {});
      }
    };
    v.addEventListener('loadedmetadata', onMetadata);
    v.addEventListener('play', onPlay);
    v.addEventListener('pause', onPause);
    v.addEventListener('timeupdate', onTime);
    v.addEventListener('ended', onEnded);
    onMetadata();
    // The player shows its errors (media and network alike) in an alert.
    let shown = '';
    const observer = new MutationObserver(() => {
      const alert = root.querySelector('.player__error p');
      const text = alert?.textContent ?? '';
      if (text && text !== shown) send('error', v, text);
      shown = text;
    });
    observer.observe(root, { childList: true, subtree: true });
    return () => {
      observer.disconnect();
      v.removeEventListener('loadedmetadata', onMetadata);
      v.removeEventListener('play', onPlay);
      v.removeEventListener('pause', onPause);
      v.removeEventListener('timeupdate', onTime);
      v.removeEventListener('ended', onEnded);
    };
  }, [active, options.muted, options.start, options.loop, send]);

  const aspect = data.width && data.height ? data.width / data.height : null;
  return (
    <div className="embed" ref={stage}>
      {active ? (
        <Player
          src={data.hlsUrl!}
          poster={data.posterUrl}
          storyboardUrl={data.storyboardUrl}
          title={data.title}
          startedAt={0}
          aspectRatio={aspect}
          onRetry={() => window.location.reload()}
        />
      ) : (
        <button type="button" className="embed__start" onClick={() => setActive(true)}>
          <span className="visually-hidden">Play “{data.title}”</span>
          {data.posterUrl && <img className="embed__poster" src={data.posterUrl} alt="" />}
          <span className="embed__play" aria-hidden="true">
            <svg viewBox="0 0 24 24" width="36" height="36" focusable="false">
              <path d="M8 5v14l11-7z" fill="currentColor" />
            </svg>
          </span>
          {data.duration ? (
            <span className="embed__duration" aria-hidden="true">
              {formatClock(data.duration)}
            </span>
          ) : null}
        </button>
      )}
      {!active && (
        <p className="embed__title">
          {data.watchUrl ? (
            <a href={options.start > 0 ? `${data.watchUrl}?t=${Math.floor(options.start)}` : data.watchUrl} target="_blank" rel="noopener">
              {data.title}
            </a>
          ) : (
            data.title
          )}
        </p>
      )}
    </div>
  );
}
