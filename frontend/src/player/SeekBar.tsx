import { useRef, useState, type PointerEvent } from 'react';
import { formatClock, spokenClock } from '../format';
import { chapterAt, type Chapter } from './chapters';
import { cueAt, type StoryboardCue } from './storyboard';

interface SeekBarProps {
  currentTime: number;
  duration: number;
  bufferedEnd: number;
  cues: readonly StoryboardCue[];
  /** Chapters: a mark where each one starts, and the title of the one under the pointer. */
  chapters?: readonly Chapter[];
  onSeek(time: number): void;
  /** The pointer is over the bar for the first time: a good moment to load the storyboard. */
  onFirstHover?(): void;
}

/**
 * The seek slider, with chapter marks, and a storyboard thumbnail, the
 * chapter and the time over the spot under the pointer.
 */
export function SeekBar({ currentTime, duration, bufferedEnd, cues, chapters = [], onSeek, onFirstHover }: SeekBarProps) {
  const root = useRef<HTMLDivElement>(null);
  const hovered = useRef(false);
  const [hover, setHover] = useState<{ time: number; x: number; width: number } | null>(null);
  const known = Number.isFinite(duration) && duration > 0;

  function onPointerMove(e: PointerEvent<HTMLDivElement>) {
    const box = root.current?.getBoundingClientRect();
    if (!box || !known || box.width <= 0) return;
    if (!hovered.current) {
      hovered.current = true;
      onFirstHover?.();
    }
    const x = Math.min(Math.max(0, e.clientX - box.left), box.width);
    setHover({ time: (x / box.width) * duration, x, width: box.width });
  }

  const cue = hover ? cueAt(cues, hover.time) : null;
  const chapter = hover ? chapterAt(chapters, hover.time) : null;
  const playingChapter = chapterAt(chapters, currentTime);
  // Room for the chapter's title (clipped to the bar) next to a small thumbnail.
  const previewWidth = Math.max(cue?.w ?? 64, chapter && hover ? Math.min(hover.width, 160) : 0);
  const left = hover ? Math.min(Math.max(0, hover.x - previewWidth / 2), Math.max(0, hover.width - previewWidth)) : 0;
  const played = known ? (Math.min(currentTime, duration) / duration) * 100 : 0;
  const buffered = known ? (Math.min(bufferedEnd, duration) / duration) * 100 : 0;

  return (
    <div className="seek" ref={root} onPointerMove={onPointerMove} onPointerLeave={() => setHover(null)}>
      <div className="seek__track" aria-hidden="true">
        <div className="seek__buffered" style={{ width: `${buffered}%` }} />
        <div className="seek__played" style={{ width: `${played}%` }} />
      </div>
      {known &&
        chapters.map((c) =>
          c.start > 0 && c.start < duration ? (
            <span key={c.start} className="seek__mark" style={{ left: `${(c.start / duration) * 100}%` }} aria-hidden="true" data-testid="chapter-mark" />
          ) : null,
        )}
      <input
        className="seek__input"
        type="range"
        min={0}
        max={known ? duration : 0}
        step="any"
        value={known ? Math.min(currentTime, duration) : 0}
        disabled={!known}
        aria-label="Seek"
        aria-valuetext={`${spokenClock(currentTime)} of ${spokenClock(duration)}${playingChapter ? `, ${playingChapter.title}` : ''}`}
        onChange={(e) => onSeek(Number(e.target.value))}
        onKeyDown={(e) => {
          // Steps a person can use (5 s, 10%), not the slider's tiny default;
          // handled here so the page's shortcuts do not seek a second time.
          const step: Record<string, number> = {
            ArrowLeft: -5,
            ArrowDown: -5,
            ArrowRight: 5,
            ArrowUp: 5,
            PageDown: -duration / 10,
            PageUp: duration / 10,
            Home: -Infinity,
            End: Infinity,
          };
          const by = step[e.key];
          if (by === undefined || !known) return;
          e.preventDefault();
          e.stopPropagation();
          onSeek(Math.min(duration, Math.max(0, currentTime + by)));
        }}
      />
      {hover && (
        <div className="seek__preview" style={{ left, width: previewWidth }} aria-hidden="true" data-testid="seek-preview">
          {cue && (
            <div
              className="seek__thumb"
              style={{
                width: cue.w,
                height: cue.h,
                backgroundImage: `url("${cue.url}")`,
                backgroundPosition: `${-cue.x}px ${-cue.y}px`,
              }}
            />
          )}
          {chapter && <span className="seek__chapter">{chapter.title}</span>}
          <span className="seek__time">{formatClock(hover.time)}</span>
        </div>
      )}
    </div>
  );
}
