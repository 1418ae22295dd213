import { Fragment, useState, type FocusEvent, type ReactNode } from 'react';
import { Link } from 'wouter';
import { formatDate, spokenClock } from '../format';
import { graphql } from '../gql';
import { VideoThumb } from './VideoThumb';
import './VideoCard.css';

/**
 * The fields a card shows, spread into every query that lists cards (the
 * feed, search, channels), so that they ask for the same thing.
 */
export const VideoCardFields = graphql(`
  fragment VideoCardFields on Video {
    id
    title
    duration
    createdAt
    viewCount
    playback {
      posterUrl
      previewUrl
    }
  }
`);

/** What a card shows of a video. */
export interface CardVideo {
  id: string;
  title: string;
  duration?: number | null;
  createdAt: string;
  viewCount?: number | null;
  owner?: { id: string; name: string; handle: string } | null;
  playback?: { posterUrl?: string | null; previewUrl?: string | null } | null;
}

/** Whether the reader asked for less motion: then no preview plays. */
function reducedMotion(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
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
 * owner (linking to their channel), view count and date. While the
 * pointer is over the card or focus is inside it, the video's animated
 * preview plays over the poster (fetched only then), unless the reader
 * prefers reduced motion.
 */
export function VideoCard({ video, headingLevel = 2, title, children }: VideoCardProps) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const previewUrl = video.playback?.previewUrl;
  const [hovered, setHovered] = useState(false);
  const [focused, setFocused] = useState(false);
  const previewing = Boolean(previewUrl) && (hovered || focused) && !reducedMotion();
  const leaveFocus = (e: FocusEvent<HTMLElement>) => {
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFocused(false);
  };
  return (
    <article
      className="video-card"
      aria-labelledby={`video-${video.id}`}
      onMouseEnter={() => setHovered(true)}
      onMouseLeave={() => setHovered(false)}
      onFocus={() => setFocused(true)}
      onBlur={leaveFocus}
    >
      <Link href={`/watch/${video.id}`} className="video-card__thumb-link" tabIndex={-1} aria-hidden="true">
        <VideoThumb posterUrl={video.playback?.posterUrl} duration={video.duration} />
        {previewing && <img className="video-card__preview" src={previewUrl!} alt="" decoding="async" />}
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
