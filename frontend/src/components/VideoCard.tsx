import { Fragment, type ReactNode } from 'react';
import { Link } from 'wouter';
import { formatDate, spokenClock } from '../format';
import { VideoThumb } from './VideoThumb';
import './VideoCard.css';

/** What a card shows of a video. */
export interface CardVideo {
  id: string;
  title: string;
  duration?: number | null;
  createdAt: string;
  viewCount?: number | null;
  owner?: { id: string; name: string; handle: string } | null;
  playback?: { posterUrl?: string | null } | null;
}

/** "1 view", "1,234 views". */
export function viewsLabel(n: number): string {
  return n === 1 ? '1 view' : `${n.toLocaleString()} views`;
}

/** Where a user's channel lives. */
export function channelPath(owner: { handle: string }): string {
  return `/c/${encodeURIComponent(owner.handle)}`;
}

interface VideoCardProps {
  video: CardVideo;
  /** Heading level of the title (2 on lists under the page's h1). */
  headingLevel?: 2 | 3;
  /** Replaces the plain title, e.g. with search highlights. */
  title?: ReactNode;
  /** Shown under the meta line (a search hit's description excerpt). */
  children?: ReactNode;
}

/**
 * A video in a list: poster, title linking to the watch page, then the
 * owner (linking to their channel), view count and date.
 */
export function VideoCard({ video, headingLevel = 2, title, children }: VideoCardProps) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <article className="video-card" aria-labelledby={`video-${video.id}`}>
      <Link href={`/watch/${video.id}`} className="video-card__thumb-link" tabIndex={-1} aria-hidden="true">
        <VideoThumb posterUrl={video.playback?.posterUrl} duration={video.duration} />
      </Link>
      <div className="video-card__body">
        <Heading id={`video-${video.id}`} className="video-card__title">
          <Link href={`/watch/${video.id}`}>{title ?? video.title}</Link>
        </Heading>
        <p className="video-card__meta">
          {video.owner && (
            <>
              <Link href={channelPath(video.owner)} className="owner-link">
                {video.owner.name}
              </Link>
              <span aria-hidden="true"> · </span>
            </>
          )}
          {video.viewCount != null && (
            <>
              <span>{viewsLabel(video.viewCount)}</span>
              <span aria-hidden="true"> · </span>
            </>
          )}
          <time dateTime={video.createdAt}>{formatDate(video.createdAt)}</time>
          {video.duration ? <span className="visually-hidden">, {spokenClock(video.duration)}</span> : null}
        </p>
        {children}
      </div>
    </article>
  );
}

/** Text runs with the matched ones in <mark>: React elements, never HTML. */
export function Highlighted({ runs }: { runs: readonly { text: string; match: boolean }[] }) {
  return (
    <>
      {runs.map((r, i) => (r.match ? <mark key={i}>{r.text}</mark> : <Fragment key={i}>{r.text}</Fragment>))}
    </>
  );
}
