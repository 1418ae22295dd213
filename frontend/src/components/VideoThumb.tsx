import { useState } from 'react';
import { formatClock } from '../format';

interface VideoThumbProps {
  posterUrl?: string | null;
  duration?: number | null;
  /** Shown over the picture instead of the duration, e.g. "Processing 45%". */
  badge?: string | null;
}

/**
 * A video's poster at 16:9 with its length in the corner; a gradient while
 * there is no poster yet, or when it does not load (a taken-down video's
 * media is refused), rather than the browser's broken-image frame.
 * Decorative: the title and details next to it say what it is.
 */
export function VideoThumb({ posterUrl, duration, badge }: VideoThumbProps) {
  const [failed, setFailed] = useState<string | null>(null);
  const corner = badge ?? (duration ? formatClock(duration) : null);
  return (
    <div className="video-thumb" aria-hidden="true">
      {posterUrl && posterUrl !== failed && (
        <img className="video-thumb__img" src={posterUrl} alt="" loading="lazy" decoding="async" onError={() => setFailed(posterUrl)} />
      )}
      {corner && <span className="video-thumb__badge">{corner}</span>}
    </div>
  );
}
