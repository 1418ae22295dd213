// The watch page's transcript: the cues of one subtitle track (the one
// matching the captions shown, else the first), with their times. A cue
// seeks the player when activated; the cue being spoken is marked and kept
// in view (unless the viewer is scrolling the list); a search box filters
// the cues and highlights the words found. Keyboard: Tab reaches the
// search box, then the list (one stop); ↑/↓/Home/End move between cues;
// ↓ or Enter in the search box goes to the first match.
import { memo, useCallback, useEffect, useId, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent, type ReactNode } from 'react';
import { Alert } from '../components/Alert';
import { formatClock } from '../format';
import { sameLanguage, type PlayerLink } from '../player/link';
import { highlight, matchRanges, queryWords } from './search';
import { useCues } from './useCues';
import { activeCueIndex, plainText } from './vtt';

/** A track as the transcript needs it. */
export interface TranscriptTrack {
  language: string;
  label: string;
  vttUrl: string;
  /** Changes when the track is edited: the transcript reloads. */
  updatedAt?: string | null;
}

interface TranscriptPanelProps {
  tracks: readonly TranscriptTrack[];
  link: PlayerLink;
  /** Start open (the panel otherwise loads nothing until opened). */
  defaultOpen?: boolean;
}

/** The track to show: the captions' language, else the viewer's pick, else the first. */
export function pickTrack<T extends { language: string }>(tracks: readonly T[], captionLanguage: string | null, picked: string | null): T | undefined {
  const exact = tracks.find((t) => captionLanguage && t.language.toLowerCase() === captionLanguage.toLowerCase());
  return (
    exact ??
    tracks.find((t) => sameLanguage(t.language, captionLanguage)) ??
    tracks.find((t) => t.language === picked) ??
    tracks[0]
  );
}

/** A "Transcript" disclosure; the cues load when it is first opened. */
export function TranscriptPanel({ tracks, link, defaultOpen = false }: TranscriptPanelProps) {
  const [open, setOpen] = useState(defaultOpen);
  const bodyId = useId();
  return (
    <section className="transcript card" aria-label="Transcript">
      <h2 className="transcript__heading">
        <button
          type="button"
          className="transcript__toggle"
          aria-expanded={open}
          aria-controls={bodyId}
          onClick={() => setOpen((o) => !o)}
        >
          <span aria-hidden="true" className="transcript__chevron">
            {open ? '▾' : '▸'}
          </span>
          Transcript
        </button>
      </h2>
      <div id={bodyId} hidden={!open}>
        {open && <TranscriptBody tracks={tracks} link={link} />}
      </div>
    </section>
  );
}

function TranscriptBody({ tracks, link }: { tracks: readonly TranscriptTrack[]; link: PlayerLink }) {
  const id = useId();
  const captionLanguage = useSyncExternalStore(link.subscribe, () => link.getSnapshot().captionLanguage);
  const [picked, setPicked] = useState<string | null>(null);
  // Turning captions to another language brings the transcript along.
  useEffect(() => setPicked(null), [captionLanguage]);
  const track = pickTrack(tracks, picked === null ? captionLanguage : null, picked);
  const { status, cues, error, retry } = useCues(track?.vttUrl ?? null, track?.updatedAt ?? undefined);
  const [query, setQuery] = useState('');

  const texts = useMemo(() => (cues ?? []).map((c) => plainText(c.text)), [cues]);
  const words = useMemo(() => queryWords(query), [query]);
  const shown = useMemo(() => {
    const out: { index: number; ranges: [number, number][] }[] = [];
    texts.forEach((t, index) => {
      const ranges = matchRanges(t, words);
      if (ranges) out.push({ index, ranges });
    });
    return out;
  }, [texts, words]);

  const active = useSyncExternalStore(link.subscribe, () => (cues ? activeCueIndex(cues, link.getSnapshot().time) : -1));

  const list = useRef<HTMLOListElement>(null);
  const [focusAt, setFocusAt] = useState(0); // position in `shown` that Tab lands on
  const userScrolledAt = useRef(0);
  const activePos = shown.findIndex((s) => s.index === active);
  const tabStop = Math.min(focusAt, Math.max(0, shown.length - 1));

  // Keep the cue being spoken in view, scrolling the list only (never the
  // page), unless the viewer scrolled or moved through it in the last few
  // seconds. The list is positioned, so its items' offsetTop is within it.
  useEffect(() => {
    const el = list.current;
    if (!el || activePos < 0) return;
    if (Date.now() - userScrolledAt.current < 4000) return;
    const item = el.children[activePos] as HTMLElement | undefined;
    if (!item) return;
    const top = item.offsetTop;
    if (top < el.scrollTop || top + item.offsetHeight > el.scrollTop + el.clientHeight) {
      el.scrollTop = Math.max(0, top - el.clientHeight / 3);
    }
  }, [activePos]);

  function focusCue(pos: number) {
    const n = Math.max(0, Math.min(pos, shown.length - 1));
    setFocusAt(n);
    (list.current?.children[n]?.querySelector('button') as HTMLButtonElement | null)?.focus();
  }

  function onListKey(e: KeyboardEvent<HTMLOListElement>) {
    const at = Array.from(list.current?.children ?? []).findIndex((li) => li.contains(document.activeElement));
    const from = at >= 0 ? at : tabStop;
    const to =
      e.key === 'ArrowDown' ? from + 1 : e.key === 'ArrowUp' ? from - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? shown.length - 1 : null;
    if (to === null) return;
    e.preventDefault();
    userScrolledAt.current = Date.now();
    focusCue(to);
  }

  function onSearchKey(e: KeyboardEvent<HTMLInputElement>) {
    if ((e.key === 'ArrowDown' || e.key === 'Enter') && shown.length > 0) {
      e.preventDefault();
      focusCue(0);
    }
  }

  const seek = useCallback(
    (index: number, pos: number) => {
      setFocusAt(pos);
      const cue = cues?.[index];
      if (cue) link.seek(cue.start, true);
    },
    [cues, link],
  );

  let content: ReactNode;
  if (!track) content = null;
  else if (status === 'error')
    content = (
      <div className="stack">
        <Alert>{error}</Alert>
        <div>
          <button type="button" className="button button--small" onClick={retry}>
            Try again
          </button>
        </div>
      </div>
    );
  else if (status !== 'ready')
    content = (
      <p className="muted" role="status">
        Loading the transcript…
      </p>
    );
  else if (cues!.length === 0) content = <p className="muted">This track has no cues.</p>;
  else
    content = (
      <ol
        ref={list}
        className="transcript__list"
        aria-label={`Transcript, ${track.label}`}
        onKeyDown={onListKey}
        onWheel={() => (userScrolledAt.current = Date.now())}
        onTouchMove={() => (userScrolledAt.current = Date.now())}
      >
        {shown.map((s, pos) => (
          <CueItem
            key={s.index}
            index={s.index}
            pos={pos}
            start={cues![s.index]!.start}
            text={texts[s.index]!}
            ranges={s.ranges}
            active={s.index === active}
            tabbable={pos === tabStop}
            onSeek={seek}
          />
        ))}
      </ol>
    );

  return (
    <div className="transcript__body stack">
      <div className="transcript__tools">
        <div className="transcript__search">
          <label htmlFor={`${id}-search`} className="visually-hidden">
            Search the transcript
          </label>
          <input
            id={`${id}-search`}
            type="search"
            placeholder="Search the transcript"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setFocusAt(0);
            }}
            onKeyDown={onSearchKey}
            disabled={status !== 'ready'}
            aria-describedby={`${id}-count`}
          />
        </div>
        {tracks.length > 1 && (
          <div className="transcript__language">
            <label htmlFor={`${id}-language`}>Language</label>
            <select id={`${id}-language`} value={track?.language} onChange={(e) => setPicked(e.target.value)}>
              {tracks.map((t) => (
                <option key={t.language} value={t.language}>
                  {t.label}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      <p id={`${id}-count`} className="muted small" role="status">
        {status === 'ready' && words.length > 0
          ? shown.length === 0
            ? `No cue matches “${query.trim()}”.`
            : `${shown.length} of ${cues!.length} cues match “${query.trim()}”.`
          : ''}
      </p>
      {content}
    </div>
  );
}

interface CueItemProps {
  index: number;
  pos: number;
  start: number;
  text: string;
  ranges: [number, number][];
  active: boolean;
  tabbable: boolean;
  onSeek: (index: number, pos: number) => void;
}

// One row; memoized so the position ticking re-renders only the rows whose
// active state changes.
const CueItem = memo(function CueItem({ index, pos, start, text, ranges, active, tabbable, onSeek }: CueItemProps) {
  return (
    <li className={`transcript__item${active ? ' transcript__item--active' : ''}`}>
      <button
        type="button"
        className="transcript__cue"
        tabIndex={tabbable ? 0 : -1}
        aria-current={active ? 'time' : undefined}
        data-start={start}
        onClick={() => onSeek(index, pos)}
      >
        <span className="transcript__time">{formatClock(start)}</span>
        <span className="visually-hidden">, </span>
        <span className="transcript__text">{highlight(text, ranges)}</span>
      </button>
    </li>
  );
});
