// The studio (/videos/:id/studio), for the video's owner: the player with a
// timeline under it (storyboard thumbnails, the transcript's words, the
// cuts), in and out marks (mouse, or the keys I and O), cut-out ranges to
// preview (the player skips them) and save (editVideo with the ranges to
// keep), undo to the original; the transcript word by word, to cut words
// or clip a quote; chapters; the poster. Everything is in the time of the
// video as it plays now (see studio/ranges.ts); what is saved is mapped
// onto the original, which editVideo and createClip take.
import { useCallback, useEffect, useId, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { Link } from 'wouter';
import { useMutation } from 'urql';
import { Page } from '../components/Page';
import { OwnerVideoPage } from '../components/OwnerVideoPage';
import { formatClock } from '../format';
import type { StudioQuery } from '../gql/graphql';
import { formErrors, type FormErrors } from '../graphql/errors';
import { PlayerLink } from '../player/link';
import { Player } from '../player/Player';
import { parseStoryboard, type StoryboardCue } from '../player/storyboard';
import { CreateClipDocument, EditVideoDocument, SetChaptersDocument, SetPosterDocument, StudioDocument } from '../studio/operations';
import {
  complement,
  formatPrecise,
  keepForCuts,
  normalize,
  parseTime,
  skipTarget,
  toOriginalTime,
  totalLength,
  wordRanges,
  type Range,
  type TimedWord,
} from '../studio/ranges';
import './Studio.css';

type StudioVideo = NonNullable<StudioQuery['video']>;

/** How often the page looks again while an edit is being made. */
const EDIT_POLL_MS = 2000;
/** Thumbnails along the timeline when its width is not known yet. */
const STRIP_TILES = 12;
/** Height of the thumbnails, in CSS pixels (as in Studio.css). */
const STRIP_HEIGHT = 44;
/**
 * Source pixels left out on each side of a thumbnail: scaled, a sheet's
 * neighbouring tile would bleed into the edge of the cell.
 */
const TILE_INSET = 1;

/**
 * How one storyboard tile (w x h in its sheet) fills a cell of the strip
 * cellWidth x STRIP_HEIGHT: scaled to cover it (never leaving a gap in
 * which the next tile of the sheet would show), centred, with the inset
 * trimmed off. Exported for tests.
 */
export function tileStyle(c: { url: string; x: number; y: number; w: number; h: number }, cellWidth: number) {
  const w = c.w - 2 * TILE_INSET;
  const h = c.h - 2 * TILE_INSET;
  const scale = Math.max(cellWidth / w, STRIP_HEIGHT / h);
  return {
    backgroundImage: `url("${c.url}")`,
    backgroundPosition: `-${c.x + TILE_INSET}px -${c.y + TILE_INSET}px`,
    width: `${w}px`,
    height: `${h}px`,
    left: `${(cellWidth - w * scale) / 2}px`,
    top: `${(STRIP_HEIGHT - h * scale) / 2}px`,
    transform: `scale(${scale})`,
    transformOrigin: 'top left',
  } as const;
}

/** How many cells of about one thumbnail's aspect fit a strip trackWidth wide. */
export function stripCells(trackWidth: number, tile: { w: number; h: number } | undefined): number {
  if (!tile || trackWidth <= 0) return STRIP_TILES;
  return Math.max(1, Math.round(trackWidth / ((STRIP_HEIGHT * tile.w) / tile.h)));
}

/** The studio page of video `id`. */
export function Studio({ id }: { id: string }) {
  return (
    <OwnerVideoPage
      id={id}
      title="Studio"
      path={`/videos/${id}/studio`}
      signIn="Log in to edit your videos."
      loading="Loading the studio…"
      notOwner="Only the video’s owner can edit it."
      query={StudioDocument}
    >
      {(video, reload) => <StudioEditor video={video} reload={reload} />}
    </OwnerVideoPage>
  );
}

function StudioEditor({ video, reload }: { video: StudioVideo; reload: () => void }) {
  const [link] = useState(() => new PlayerLink());
  const [startedAt] = useState(() => performance.now());
  const time = useSyncExternalStore(link.subscribe, () => link.getSnapshot().time);
  const duration = video.duration ?? 0;
  const edit = video.edit ?? null;
  const editKey = JSON.stringify(edit);

  const [markIn, setMarkIn] = useState<number | null>(null);
  const [markOut, setMarkOut] = useState<number | null>(null);
  const [cuts, setCuts] = useState<Range[]>([]);
  const [previewing, setPreviewing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [editErrors, setEditErrors] = useState<FormErrors>({ fields: {}, message: null });
  const [markError, setMarkError] = useState<string | null>(null);
  const [editResult, editVideo] = useMutation(EditVideoDocument);
  const [clipResult, createClip] = useMutation(CreateClipDocument);
  const [clipErrors, setClipErrors] = useState<FormErrors>({ fields: {}, message: null });
  const [clipMade, setClipMade] = useState<{ id: string; title: string } | null>(null);

  // A published edit changes the timeline: cuts marked on the old one mean nothing on the new.
  useEffect(() => {
    setCuts([]);
    setMarkIn(null);
    setMarkOut(null);
    setPreviewing(false);
  }, [editKey]);

  const editing = video.processing?.stage === 'edit' && video.status === 'READY';
  useEffect(() => {
    if (!editing) return;
    const t = setInterval(reload, EDIT_POLL_MS);
    return () => clearInterval(t);
  }, [editing, reload]);

  const normalized = useMemo(() => normalize(cuts, duration), [cuts, duration]);
  const kept = useMemo(() => complement(normalized, duration), [normalized, duration]);
  const resultLength = totalLength(kept);

  // Preview: the player skips the cut ranges.
  useEffect(() => {
    if (!previewing) return;
    const jump = () => {
      const target = skipTarget(link.getSnapshot().time, normalized);
      if (target !== null) link.seek(Math.min(target, duration), true);
    };
    jump();
    return link.subscribe(jump);
  }, [previewing, normalized, link, duration]);

  const words = useMemo<TimedWord[]>(() => {
    const track = video.subtitles.find((t) => t.words && t.words.length > 0);
    return track?.words ?? [];
  }, [video.subtitles]);

  const doMarkIn = useCallback((t: number) => {
    setMarkIn(t);
    setMarkOut((out) => (out !== null && out <= t ? null : out));
    setMarkError(null);
  }, []);
  const doMarkOut = useCallback((t: number) => {
    setMarkOut(t);
    setMarkIn((inT) => (inT !== null && inT >= t ? null : inT));
    setMarkError(null);
  }, []);

  const addCut = useCallback(
    (r: Range) => {
      if (r.end - r.start < 0.05) {
        setMarkError('Mark an in point before the out point to cut.');
        return false;
      }
      setCuts((c) => normalize([...c, r], duration));
      setNotice(`Cut ${formatPrecise(r.start)} to ${formatPrecise(r.end)}. Preview or save the edit.`);
      return true;
    },
    [duration],
  );

  const cutMarked = () => {
    if (markIn === null || markOut === null) {
      setMarkError('Mark in and out first (the keys I and O, or the buttons).');
      return;
    }
    if (addCut({ start: markIn, end: markOut })) {
      setMarkIn(null);
      setMarkOut(null);
    }
  };

  // I and O mark in and out at the player's position, anywhere on the
  // page except where keys type.
  const keys = useRef({ doMarkIn, doMarkOut });
  keys.current = { doMarkIn, doMarkOut };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      const target = e.target instanceof Element ? e.target : null;
      if (target?.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"], [role="menu"]')) return;
      const t = link.getSnapshot().time;
      if (e.key === 'i' || e.key === 'I') keys.current.doMarkIn(t);
      else if (e.key === 'o' || e.key === 'O') keys.current.doMarkOut(t);
      else return;
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [link]);

  const save = async () => {
    setNotice(null);
    setPreviewing(false);
    const keep = keepForCuts(normalized, duration, edit);
    const res = await editVideo({ input: { videoId: video.id, keep } });
    setEditErrors(formErrors(res.error, ['keep', 'start', 'end', 'videoId']));
    if (!res.error) {
      setNotice('Saving the edit: the video plays as it was until the edit is ready.');
      reload();
    }
  };
  const restore = async () => {
    setNotice(null);
    setPreviewing(false);
    const res = await editVideo({ input: { videoId: video.id, keep: null } });
    setEditErrors(formErrors(res.error, ['keep', 'videoId']));
    if (!res.error) {
      setNotice('Restoring the original: it plays again once it is ready.');
      reload();
    }
  };

  const clip = async (r: Range) => {
    setClipMade(null);
    const res = await createClip({
      input: { videoId: video.id, start: round3(toOriginalTime(r.start, edit)), end: round3(toOriginalTime(r.end, edit)) },
    });
    setClipErrors(formErrors(res.error, ['start', 'end', 'videoId']));
    if (res.data) setClipMade(res.data.createClip);
  };

  const wasEditing = useRef(editing);
  useEffect(() => {
    if (wasEditing.current && !editing) {
      setNotice(video.processing?.error ? `The edit failed: ${video.processing?.error}` : 'The edit is ready.');
    }
    wasEditing.current = editing;
  }, [editing, video.processing?.error]);

  const aspect = video.width && video.height ? video.width / video.height : null;
  const editErrorId = useId();

  return (
    <Page title={`Studio: “${video.title}”`}>
      <nav className="page-actions" aria-label="Video">
        <Link href={`/watch/${video.id}`}>Watch the video</Link>
        <Link href={`/videos/${video.id}/subtitles`}>Edit subtitles</Link>
        <Link href="/my-videos">My videos</Link>
      </nav>
      <p className="notice studio__status" role="status" hidden={!notice && !editing}>
        {editing ? `Making the edit… ${Math.round((video.processing?.percent ?? 0))}%` : notice}
      </p>
      {video.status !== 'READY' || !video.playback ? (
        <p className="card">The studio opens once the video is ready.</p>
      ) : (
        <div className="studio">
          <div className="studio__main stack">
            <Player
              key={editKey}
              src={video.playback.hlsUrl}
              poster={video.playback.posterUrl}
              storyboardUrl={video.playback.storyboardUrl}
              title={video.title}
              startedAt={startedAt}
              autoPlay={false}
              aspectRatio={aspect}
              onRetry={reload}
              link={link}
            />
            <Timeline
              duration={duration}
              time={time}
              storyboardUrl={video.playback.storyboardUrl ?? null}
              words={words}
              cuts={normalized}
              markIn={markIn}
              markOut={markOut}
              onSeek={(t) => link.seek(t)}
              onMark={(r) => {
                setMarkIn(r.start);
                setMarkOut(r.end);
                setMarkError(null);
              }}
            />
            <section className="studio__panel stack" aria-labelledby="studio-cut-title">
              <h2 id="studio-cut-title" className="section-title">
                Cut
              </h2>
              <div className="studio__marks">
                <button type="button" className="button button--small" onClick={() => doMarkIn(time)} aria-keyshortcuts="I">
                  Mark in <kbd>I</kbd>
                </button>
                <span className="studio__mark" aria-live="polite">
                  In: <strong>{markIn === null ? '–' : formatPrecise(markIn)}</strong>
                </span>
                <button type="button" className="button button--small" onClick={() => doMarkOut(time)} aria-keyshortcuts="O">
                  Mark out <kbd>O</kbd>
                </button>
                <span className="studio__mark" aria-live="polite">
                  Out: <strong>{markOut === null ? '–' : formatPrecise(markOut)}</strong>
                </span>
              </div>
              <div className="studio__actions">
                <button type="button" className="button" onClick={cutMarked} aria-describedby={markError ? `${editErrorId}-mark` : undefined}>
                  Cut out marked range
                </button>
                <button
                  type="button"
                  className="button"
                  disabled={markIn === null || markOut === null || clipResult.fetching}
                  onClick={() => markIn !== null && markOut !== null && void clip({ start: markIn, end: markOut })}
                >
                  Clip marked range
                </button>
              </div>
              {markError && (
                <p id={`${editErrorId}-mark`} className="field__error">
                  {markError}
                </p>
              )}
              <h3 id={`${editErrorId}-cuts`} className="studio__subtitle">
                Cut ranges
              </h3>
              {normalized.length === 0 ? (
                <p className="muted small">Nothing cut yet.</p>
              ) : (
                <ul className="studio__cuts" aria-labelledby={`${editErrorId}-cuts`}>
                  {normalized.map((c) => (
                    <li key={`${c.start}-${c.end}`}>
                      <span>
                        {formatPrecise(c.start)} – {formatPrecise(c.end)} <span className="muted">({(c.end - c.start).toFixed(1)} s)</span>
                      </span>
                      <button
                        type="button"
                        className="button button--small button--quiet"
                        aria-label={`Remove cut ${formatPrecise(c.start)} to ${formatPrecise(c.end)}`}
                        onClick={() => setCuts(normalized.filter((x) => x !== c))}
                      >
                        Remove
                      </button>
                    </li>
                  ))}
                </ul>
              )}
              <p className="small">
                Result: <strong data-testid="studio-result">{formatPrecise(resultLength)}</strong> of {formatPrecise(duration)}
                {edit && <span className="muted"> (already edited: {edit.length} kept {edit.length === 1 ? 'range' : 'ranges'} of the original)</span>}
              </p>
              <div className="studio__actions">
                <button
                  type="button"
                  className="button"
                  aria-pressed={previewing}
                  disabled={normalized.length === 0}
                  onClick={() => {
                    if (!previewing) link.seek(kept[0]?.start ?? 0, true);
                    setPreviewing(!previewing);
                  }}
                >
                  {previewing ? 'Stop preview' : 'Preview'}
                </button>
                <button
                  type="button"
                  className="button button--primary"
                  disabled={normalized.length === 0 || editResult.fetching || editing}
                  aria-describedby={editErrors.message || Object.keys(editErrors.fields).length ? editErrorId : undefined}
                  onClick={() => void save()}
                >
                  Save
                </button>
                {edit && (
                  <button type="button" className="button" disabled={editResult.fetching || editing} onClick={() => void restore()}>
                    Restore original
                  </button>
                )}
              </div>
              {(editErrors.message || Object.keys(editErrors.fields).length > 0) && (
                <p id={editErrorId} className="field__error" role="alert">
                  {editErrors.message ?? Object.values(editErrors.fields).join(' ')}
                </p>
              )}
              {(clipErrors.message || Object.keys(clipErrors.fields).length > 0) && (
                <p className="field__error" role="alert">
                  {clipErrors.message ?? Object.values(clipErrors.fields).join(' ')}
                </p>
              )}
              {clipMade && (
                <p className="notice" role="status">
                  Making the clip “{clipMade.title}”. <Link href="/my-videos">Follow it in My videos</Link>.
                </p>
              )}
            </section>
          </div>
          <div className="studio__side stack">
            <Transcript
              words={words}
              cuts={normalized}
              subtitleNote={video.subtitleState.note ?? null}
              subtitlesStatus={video.subtitleState.status}
              hasSubtitles={video.subtitles.length > 0}
              time={time}
              onSeek={(t) => link.seek(t)}
              onCut={(ranges) => {
                for (const r of ranges) addCut(r);
              }}
              onClip={(r) => void clip(r)}
              clipping={clipResult.fetching}
            />
            <Chapters video={video} time={time} />
            <Poster video={video} time={toOriginalTime(time, edit)} shownTime={time} />
          </div>
        </div>
      )}
    </Page>
  );
}

function round3(s: number): number {
  return Math.round(s * 1000) / 1000;
}

/** The timeline under the player: thumbnails, words, cuts and marks; click seeks, drag marks. */
function Timeline({
  duration,
  time,
  storyboardUrl,
  words,
  cuts,
  markIn,
  markOut,
  onSeek,
  onMark,
}: {
  duration: number;
  time: number;
  storyboardUrl: string | null;
  words: readonly TimedWord[];
  cuts: readonly Range[];
  markIn: number | null;
  markOut: number | null;
  onSeek: (t: number) => void;
  onMark: (r: Range) => void;
}) {
  const [tiles, setTiles] = useState<StoryboardCue[]>([]);
  const track = useRef<HTMLDivElement>(null);
  const drag = useRef<{ from: number; moved: boolean } | null>(null);
  const [dragRange, setDragRange] = useState<Range | null>(null);

  useEffect(() => {
    if (!storyboardUrl) return;
    const ctl = new AbortController();
    fetch(storyboardUrl, { signal: ctl.signal, credentials: 'same-origin' })
      .then((res) => (res.ok ? res.text() : ''))
      .then((text) => setTiles(parseStoryboard(text, new URL(storyboardUrl, window.location.href).href)))
      .catch(() => {
        // No thumbnails: the timeline works without them.
      });
    return () => ctl.abort();
  }, [storyboardUrl]);

  // The strip holds as many cells as thumbnails fit at their own aspect,
  // so each cell shows one thumbnail, whole but for a sliver.
  const [trackWidth, setTrackWidth] = useState(0);
  useEffect(() => {
    const el = track.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setTrackWidth(el.clientWidth));
    ro.observe(el);
    setTrackWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);
  const cells = stripCells(trackWidth, tiles[0]);
  const cellWidth = trackWidth > 0 ? trackWidth / cells : (STRIP_HEIGHT * (tiles[0]?.w ?? 16)) / (tiles[0]?.h ?? 9);
  const strip = useMemo(() => {
    if (tiles.length === 0 || duration <= 0) return [];
    return Array.from({ length: cells }, (_, i) => {
      const t = ((i + 0.5) / cells) * duration;
      return tiles.find((c) => t >= c.start && t < c.end) ?? tiles[tiles.length - 1]!;
    });
  }, [tiles, duration, cells]);

  const pct = (t: number) => `${duration > 0 ? Math.min(100, Math.max(0, (t / duration) * 100)) : 0}%`;
  const timeAt = (clientX: number) => {
    const box = track.current?.getBoundingClientRect();
    if (!box || box.width === 0) return 0;
    return Math.min(duration, Math.max(0, ((clientX - box.left) / box.width) * duration));
  };

  const onKeyDown = (e: ReactKeyboardEvent) => {
    const step = e.shiftKey ? 5 : 1;
    let t: number | null = null;
    if (e.key === 'ArrowLeft' || e.key === 'ArrowDown') t = time - step;
    else if (e.key === 'ArrowRight' || e.key === 'ArrowUp') t = time + step;
    else if (e.key === 'Home') t = 0;
    else if (e.key === 'End') t = duration;
    if (t === null) return;
    e.preventDefault();
    e.stopPropagation(); // the player's own arrow keys would seek again
    onSeek(Math.min(duration, Math.max(0, t)));
  };

  const marked = dragRange ?? (markIn !== null && markOut !== null ? { start: markIn, end: markOut } : null);
  return (
    <div className="studio-timeline">
      <div
        ref={track}
        className="studio-timeline__track"
        role="slider"
        tabIndex={0}
        aria-label="Timeline: click to seek, drag to mark a range"
        aria-valuemin={0}
        aria-valuemax={Math.round(duration)}
        aria-valuenow={Math.round(time)}
        aria-valuetext={formatPrecise(time)}
        onKeyDown={onKeyDown}
        onPointerDown={(e) => {
          if (e.button !== 0) return;
          e.currentTarget.setPointerCapture?.(e.pointerId);
          drag.current = { from: timeAt(e.clientX), moved: false };
        }}
        onPointerMove={(e) => {
          const d = drag.current;
          if (!d) return;
          const t = timeAt(e.clientX);
          if (Math.abs(t - d.from) > duration / 200) d.moved = true;
          if (d.moved) setDragRange({ start: Math.min(d.from, t), end: Math.max(d.from, t) });
        }}
        onPointerUp={(e) => {
          const d = drag.current;
          drag.current = null;
          setDragRange(null);
          if (!d) return;
          const t = timeAt(e.clientX);
          if (d.moved) onMark({ start: Math.min(d.from, t), end: Math.max(d.from, t) });
          else onSeek(t);
        }}
        onPointerCancel={() => {
          drag.current = null;
          setDragRange(null);
        }}
      >
        <div className="studio-timeline__strip" aria-hidden="true">
          {strip.map((c, i) => (
            <div key={i} className="studio-timeline__tile">
              <div style={tileStyle(c, cellWidth)} />
            </div>
          ))}
        </div>
        <div className="studio-timeline__words" aria-hidden="true">
          {words.map((w, i) => (
            <span key={i} className="studio-timeline__word" style={{ left: pct(w.start), width: pct(w.end - w.start) }} title={w.text}>
              {w.text}
            </span>
          ))}
        </div>
        {cuts.map((c) => (
          <div key={`${c.start}-${c.end}`} className="studio-timeline__cut" style={{ left: pct(c.start), width: pct(c.end - c.start) }} aria-hidden="true" />
        ))}
        {marked && (
          <div className="studio-timeline__marked" style={{ left: pct(marked.start), width: pct(marked.end - marked.start) }} aria-hidden="true" />
        )}
        {markIn !== null && !dragRange && <div className="studio-timeline__pin" style={{ left: pct(markIn) }} aria-hidden="true" />}
        {markOut !== null && !dragRange && <div className="studio-timeline__pin" style={{ left: pct(markOut) }} aria-hidden="true" />}
        <div className="studio-timeline__playhead" style={{ left: pct(time) }} aria-hidden="true" />
      </div>
      <div className="studio-timeline__scale muted small" aria-hidden="true">
        <span>0:00</span>
        <span>{formatClock(duration)}</span>
      </div>
    </div>
  );
}

/** The transcript word by word: select words to cut them or clip the quote. */
function Transcript({
  words,
  cuts,
  subtitlesStatus,
  subtitleNote,
  hasSubtitles,
  time,
  onSeek,
  onCut,
  onClip,
  clipping,
}: {
  words: readonly TimedWord[];
  cuts: readonly Range[];
  subtitlesStatus: string;
  subtitleNote: string | null;
  hasSubtitles: boolean;
  time: number;
  onSeek: (t: number) => void;
  onCut: (ranges: Range[]) => void;
  onClip: (r: Range) => void;
  clipping: boolean;
}) {
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [anchor, setAnchor] = useState<number | null>(null);
  const hintId = useId();

  const select = (i: number, shift: boolean, toggle: boolean) => {
    if (shift && anchor !== null) {
      const next = new Set<number>();
      for (let k = Math.min(anchor, i); k <= Math.max(anchor, i); k++) next.add(k);
      setSelected(next);
      return;
    }
    if (toggle) {
      const next = new Set(selected);
      if (next.has(i)) next.delete(i);
      else next.add(i);
      setSelected(next);
    } else {
      setSelected(new Set([i]));
    }
    setAnchor(i);
  };

  const ranges = wordRanges(words, selected);
  const cutSelected = () => {
    if (ranges.length === 0) return;
    onCut(ranges);
    setSelected(new Set());
    setAnchor(null);
  };
  const quote = ranges.length > 0 ? { start: ranges[0]!.start, end: ranges[ranges.length - 1]!.end } : null;
  const isCut = (w: TimedWord) => cuts.some((c) => (w.start + w.end) / 2 >= c.start && (w.start + w.end) / 2 < c.end);
  const current = words.findIndex((w) => time >= w.start && time < w.end);

  return (
    <section className="studio__panel stack" aria-labelledby="studio-transcript-title">
      <h2 id="studio-transcript-title" className="section-title">
        Transcript
      </h2>
      {words.length === 0 ? (
        <p className="muted small">
          {subtitlesStatus === 'pending'
            ? 'The transcript is being made.'
            : hasSubtitles
              ? 'This video’s subtitles were written or corrected by hand, so there are no recognised words to edit by.'
              : (subtitleNote ?? 'There is no transcript.')}
        </p>
      ) : (
        <>
          <p id={hintId} className="muted small">
            Click a word to select it, shift-click to select up to it; press Delete to cut the selected words.
          </p>
          <div
            className="studio-words"
            role="group"
            aria-label="Transcript words"
            aria-describedby={hintId}
            onKeyDown={(e) => {
              if (e.key === 'Delete' || e.key === 'Backspace') {
                e.preventDefault();
                cutSelected();
              }
            }}
          >
            {words.map((w, i) => (
              <button
                key={i}
                type="button"
                className={[
                  'studio-word',
                  selected.has(i) ? 'studio-word--selected' : null,
                  isCut(w) ? 'studio-word--cut' : null,
                  i === current ? 'studio-word--current' : null,
                ]
                  .filter(Boolean)
                  .join(' ')}
                aria-pressed={selected.has(i)}
                onClick={(e) => {
                  select(i, e.shiftKey, e.ctrlKey || e.metaKey);
                  onSeek(w.start);
                }}
              >
                {/* The word first, then its time (shown above it): the visible text is the name. */}
                <span className="studio-word__text">{w.text}</span>
                <span className="studio-word__time"> {formatPrecise(w.start)}</span>
                {isCut(w) && <span className="visually-hidden">, cut</span>}
              </button>
            ))}
          </div>
          <div className="studio__actions">
            <button type="button" className="button" disabled={ranges.length === 0} onClick={cutSelected}>
              Cut selected words
            </button>
            <button type="button" className="button" disabled={!quote || clipping} onClick={() => quote && onClip(quote)}>
              Clip this
            </button>
            <button
              type="button"
              className="button button--quiet"
              disabled={selected.size === 0}
              onClick={() => {
                setSelected(new Set());
                setAnchor(null);
              }}
            >
              Clear selection
            </button>
          </div>
          <p className="muted small" aria-live="polite">
            {selected.size === 0
              ? 'No words selected.'
              : `${selected.size} ${selected.size === 1 ? 'word' : 'words'} selected${quote ? `, ${formatPrecise(quote.start)} to ${formatPrecise(quote.end)}` : ''}.`}
          </p>
        </>
      )}
    </section>
  );
}

interface ChapterRow {
  key: number;
  start: string;
  title: string;
}

/** The chapters list editor: setChapters, or back to the description's. */
function Chapters({ video, time }: { video: StudioVideo; time: number }) {
  const nextKey = useRef(0);
  const fromVideo = useCallback(
    () => video.chapters.map((c) => ({ key: nextKey.current++, start: formatPrecise(c.start), title: c.title })),
    [video.chapters],
  );
  const [rows, setRows] = useState<ChapterRow[]>(fromVideo);
  const [result, setChapters] = useMutation(SetChaptersDocument);
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, message: null });
  const [rowError, setRowError] = useState<{ key: number; message: string } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const chaptersKey = JSON.stringify(video.chapters);
  useEffect(() => setRows(fromVideo()), [chaptersKey, fromVideo]);
  const errorId = useId();

  const submit = async (chapters: { start: number; title: string }[] | null) => {
    setSaved(null);
    const res = await setChapters({ videoId: video.id, chapters });
    setErrors(formErrors(res.error, ['start', 'title', 'chapters']));
    if (!res.error) setSaved(chapters === null ? 'The chapters are the description’s again.' : 'Chapters saved.');
  };
  const save = () => {
    setRowError(null);
    const chapters: { start: number; title: string }[] = [];
    for (const r of rows) {
      const start = parseTime(r.start);
      if (start === null) {
        setRowError({ key: r.key, message: 'Write the start as m:ss, for example 1:05.' });
        return;
      }
      chapters.push({ start, title: r.title });
    }
    void submit(chapters);
  };
  const fieldError = errors.fields.start ?? errors.fields.title ?? errors.fields.chapters ?? null;

  return (
    <section className="studio__panel stack" aria-labelledby="studio-chapters-title">
      <h2 id="studio-chapters-title" className="section-title">
        Chapters
      </h2>
      {rows.length === 0 && <p className="muted small">No chapters.</p>}
      <ol className="studio-chapters">
        {rows.map((r, i) => (
          <li key={r.key} className="studio-chapters__row">
            <label className="visually-hidden" htmlFor={`${errorId}-s${r.key}`}>
              Start of chapter {i + 1}
            </label>
            <input
              id={`${errorId}-s${r.key}`}
              className="studio-chapters__start"
              value={r.start}
              inputMode="decimal"
              aria-invalid={rowError?.key === r.key || !!errors.fields.start || undefined}
              aria-describedby={rowError?.key === r.key ? `${errorId}-row` : fieldError ? errorId : undefined}
              onChange={(e) => setRows(rows.map((x) => (x.key === r.key ? { ...x, start: e.target.value } : x)))}
            />
            <label className="visually-hidden" htmlFor={`${errorId}-t${r.key}`}>
              Title of chapter {i + 1}
            </label>
            <input
              id={`${errorId}-t${r.key}`}
              className="studio-chapters__title"
              value={r.title}
              aria-invalid={!!errors.fields.title || undefined}
              aria-describedby={fieldError ? errorId : undefined}
              onChange={(e) => setRows(rows.map((x) => (x.key === r.key ? { ...x, title: e.target.value } : x)))}
            />
            <button
              type="button"
              className="button button--small button--quiet"
              aria-label={`Remove chapter ${i + 1}`}
              onClick={() => setRows(rows.filter((x) => x.key !== r.key))}
            >
              Remove
            </button>
            {rowError?.key === r.key && (
              <p id={`${errorId}-row`} className="field__error studio-chapters__error">
                {rowError.message}
              </p>
            )}
          </li>
        ))}
      </ol>
      <div className="studio__actions">
        <button
          type="button"
          className="button button--small"
          onClick={() => setRows([...rows, { key: nextKey.current++, start: formatPrecise(rows.length === 0 ? 0 : time), title: '' }])}
        >
          Add chapter here
        </button>
        <button type="button" className="button button--small button--primary" disabled={result.fetching} onClick={save}>
          Save chapters
        </button>
        <button type="button" className="button button--small" disabled={result.fetching} onClick={() => void submit(null)}>
          Use the description’s
        </button>
      </div>
      {(fieldError || errors.message) && (
        <p id={errorId} className="field__error" role="alert">
          {fieldError ?? errors.message}
        </p>
      )}
      {saved && (
        <p className="muted small" role="status">
          {saved}
        </p>
      )}
    </section>
  );
}

/** The poster: the player's current frame, or an uploaded image. */
function Poster({ video, time, shownTime }: { video: StudioVideo; time: number; shownTime: number }) {
  const [result, setPoster] = useMutation(SetPosterDocument);
  const [frameError, setFrameError] = useState<string | null>(null);
  const [imageError, setImageError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [uploading, setUploading] = useState(false);
  const file = useRef<HTMLInputElement>(null);
  const ids = useId();

  const takeFrame = async () => {
    setStatus(null);
    const res = await setPoster({ input: { videoId: video.id, time: round3(time) } });
    const errs = formErrors(res.error, ['time', 'videoId']);
    setFrameError(errs.fields.time ?? errs.fields.videoId ?? errs.message);
    if (!res.error) setStatus(`The frame at ${formatPrecise(shownTime)} becomes the poster in a moment.`);
  };

  const upload = async () => {
    const f = file.current?.files?.[0];
    setStatus(null);
    if (!f) {
      setImageError('Choose a JPEG, PNG or WebP image first.');
      return;
    }
    setUploading(true);
    setImageError(null);
    try {
      const res = await fetch(`/api/v1/videos/${video.id}/poster`, {
        method: 'PUT',
        body: f,
        credentials: 'same-origin',
        headers: { 'Content-Type': f.type || 'application/octet-stream' },
      });
      if (res.ok) {
        setStatus('The image is the poster now.');
        if (file.current) file.current.value = '';
      } else {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        setImageError(body?.error?.message ?? `The image was refused (HTTP ${res.status}).`);
      }
    } catch {
      setImageError("Can't reach the clipcut server. Check your connection and try again.");
    } finally {
      setUploading(false);
    }
  };

  return (
    <section className="studio__panel stack" aria-labelledby="studio-poster-title">
      <h2 id="studio-poster-title" className="section-title">
        Poster
      </h2>
      {video.playback?.posterUrl && <img className="studio-poster" src={video.playback.posterUrl} alt="The current poster" />}
      <div>
        <button
          type="button"
          className="button button--small"
          disabled={result.fetching}
          aria-describedby={frameError ? `${ids}-frame` : undefined}
          onClick={() => void takeFrame()}
        >
          Use this frame ({formatPrecise(shownTime)})
        </button>
        {frameError && (
          <p id={`${ids}-frame`} className="field__error">
            {frameError}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${ids}-file`}>Upload an image (JPEG, PNG or WebP, up to 10 MB)</label>
        <input
          id={`${ids}-file`}
          ref={file}
          type="file"
          accept="image/jpeg,image/png,image/webp"
          aria-invalid={imageError ? true : undefined}
          aria-describedby={imageError ? `${ids}-image` : undefined}
        />
        {imageError && (
          <p id={`${ids}-image`} className="field__error">
            {imageError}
          </p>
        )}
      </div>
      <div>
        <button type="button" className="button button--small" disabled={uploading} onClick={() => void upload()}>
          {uploading ? 'Uploading…' : 'Upload poster'}
        </button>
      </div>
      {status && (
        <p className="muted small" role="status">
          {status}
        </p>
      )}
    </section>
  );
}
