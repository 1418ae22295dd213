import { formatClock } from '../format';

interface VideoThumbProps {
  posterUrl?: string | null;
  duration?: number | null;
  /** Shown over the picture instead of the duration, e.g. "Processing 45%". */
  badge?: string | null;
}

/**
 * A video's poster at 16:9 with its length in the corner; a gradient while
 * there is no poster yet. Decorative: the title and details next to it say
 * what it is.
 */
export function VideoThumb({ posterUrl, duration, badge }: VideoThumbProps) {
  const corner = badge ?? (duration ? formatClock(duration) : null);
  return (
    <div className="video-thumb" aria-hidden="true">
      {posterUrl && <img className="video-thumb__img" src={posterUrl} alt="" loading="lazy" decoding="async" />}
      {corner && <span className="video-thumb__badge">{corner}</span>}
    </div>
  );
}
