import { useRef, useState, type PointerEvent } from 'react';
import { formatClock, spokenClock } from '../format';
import { cueAt, type StoryboardCue } from './storyboard';

interface SeekBarProps {
  currentTime: number;
  duration: number;
  bufferedEnd: number;
  cues: readonly StoryboardCue[];
  onSeek(time: number): void;
  /** The pointer is over the bar for the first time: a good moment to load the storyboard. */
  onFirstHover?(): void;
}

/** The seek slider, with a storyboard thumbnail and time over the spot under the pointer. */
export function SeekBar({ currentTime, duration, bufferedEnd, cues, onSeek, onFirstHover }: SeekBarProps) {
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
  const previewWidth = cue?.w ?? 64;
  const left = hover ? Math.min(Math.max(0, hover.x - previewWidth / 2), Math.max(0, hover.width - previewWidth)) : 0;
  const played = known ? (Math.min(currentTime, duration) / duration) * 100 : 0;
  const buffered = known ? (Math.min(bufferedEnd, duration) / duration) * 100 : 0;

  return (
    <div className="seek" ref={root} onPointerMove={onPointerMove} onPointerLeave={() => setHover(null)}>
      <div className="seek__track" aria-hidden="true">
        <div className="seek__buffered" style={{ width: `${buffered}%` }} />
        <div className="seek__played" style={{ width: `${played}%` }} />
      </div>
      <input
        className="seek__input"
        type="range"
        min={0}
        max={known ? duration : 0}
        step="any"
        value={known ? Math.min(currentTime, duration) : 0}
        disabled={!known}
        aria-label="Seek"
        aria-valuetext={`${spokenClock(currentTime)} of ${spokenClock(duration)}`}
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
        <div className="seek__preview" style={{ left }} aria-hidden="true" data-testid="seek-preview">
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
          <span className="seek__time">{formatClock(hover.time)}</span>
        </div>
      )}
    </div>
  );
}
