import { useEffect, useRef, useState } from 'react';
import { Link, useSearch } from 'wouter';
import { useQuery, useSubscription, type Client } from 'urql';
import { usePlaybackAnalytics } from '../analytics/usePlaybackAnalytics';
import { Alert } from '../components/Alert';
import { Page } from '../components/Page';
import { channelPath, viewsLabel } from '../components/VideoCard';
import { ShareButton } from '../components/ShareButton';
import { ProgressBar } from '../components/ProgressBar';
import { formatDate } from '../format';
import { graphql } from '../gql';
import type { WatchVideoQuery } from '../gql/graphql';
import { formErrors } from '../graphql/errors';
import { canUseMediaSource, loadHls } from '../player/engine';
import { PlayerLink } from '../player/link';
import { Player } from '../player/Player';
import { hasClientNavigated } from '../routing';
import { useViewer } from '../session';
import { ReportButton } from '../components/ReportButton';
import { TranscriptPanel } from '../subtitles/TranscriptPanel';
import { stageLabel } from '../upload/machine';
import { PRIVACY_LABELS } from '../videos/privacy';

const WatchVideoDocument = graphql(`
  query WatchVideo($id: ID, $publicId: String) {
    video(id: $id, publicId: $publicId) {
      id
      publicId
      title
      description
      status
      playable
      privacy
      duration
      width
      height
      createdAt
      viewCount
      owner {
        id
        name
        handle
      }
      renditions {
        name
        width
        height
        bandwidth
        averageBandwidth
        codecs
        frameRate
      }
      playback {
        hlsUrl
        posterUrl
        storyboardUrl
        chaptersUrl
        expiresAt
      }
      subtitles {
        language
        label
        generated
        vttUrl
        srtUrl
        updatedAt
      }
      processing {
        stage
        percent
        error
      }
    }
  }
`);

/** Live progress of the video the page shows, by id or by public id (as the page was opened). */
const WatchProgressDocument = graphql(`
  subscription WatchProgress($id: ID, $publicId: String) {
    videoProgress(id: $id, publicId: $publicId) {
      videoId
      status
      stage
      percent
      playable
      error
    }
  }
`);

type WatchedVideo = NonNullable<WatchVideoQuery['video']>;

/**
 * Starts what a first visit to a watch page waits for before React has
 * rendered anything: the video's data and, where hls.js will play it, the
 * player's chunk, side by side. The page's own query then finds the answer
 * in flight or in urql's cache (same document and variables). Does nothing
 * on other paths.
 */
export function prefetchWatchPage(client: Client, pathname: string): void {
  // Ids and public ids need no escaping; anything escaped is left to the page.
  const ref = /^\/watch\/([\w-]+)\/?$/.exec(pathname)?.[1];
  if (!ref) return;
  if (canUseMediaSource()) loadHls().catch(() => {});
  void client.query(WatchVideoDocument, watchVariables(ref)).toPromise();
}

/** A public id's shape: 22 base64url characters (128 random bits); a video id is a 36-character UUID. */
const PUBLIC_ID = /^[A-Za-z0-9_-]{22}$/;

/**
 * The variables naming the video of /watch/<ref>: its public id (how UNLISTED
 * videos are shared) or its id (PUBLIC videos, and any video for its owner).
 */
export function watchVariables(ref: string): { id: string } | { publicId: string } {
  return PUBLIC_ID.test(ref) ? { publicId: ref } : { id: ref };
}

/** The watch page: the player, then the title, owner and description. `id` is a video id or a public id. */
export function Watch({ id }: { id: string }) {
  // Time to first frame counts from navigation start when this page is the
  // one the browser loaded, else from the moment the app showed it.
  const [startedAt] = useState(() => (hasClientNavigated() ? performance.now() : 0));
  // Fetch the player alongside the video's data rather than after it.
  useEffect(() => {
    if (canUseMediaSource()) loadHls().catch(() => {});
  }, []);

  const [{ data, fetching, error }, refetch] = useQuery({ query: WatchVideoDocument, variables: watchVariables(id) });
  const video = data?.video;
  // The transcript follows and seeks the player through this.
  const [link] = useState(() => new PlayerLink());
  const { user } = useViewer();
  // Events name the video as the page did: a stranger may report playback
  // of an UNLISTED video by its public id only.
  usePlaybackAnalytics(video?.playable ? id : undefined);
  // ?t=83 (or 1m23s): start there, as links from search moments do.
  const start = parseStartTime(new URLSearchParams(useSearch()).get('t'));
  const leadRef = useStartAt(start);

  if (error && !data) {
    const code = error.graphQLErrors[0]?.extensions?.code;
    if (code === 'NOT_FOUND' || code === 'BAD_USER_INPUT') return <NotFoundVideo />;
    return (
      <Page title="Video">
        <Alert>{formErrors(error).message}</Alert>
        <div>
          <button type="button" className="button" onClick={() => refetch({ requestPolicy: 'network-only' })}>
            Try again
          </button>
        </div>
      </Page>
    );
  }
  if (fetching && !data) {
    return (
      <Page title="Video" hideTitle lead={<div className="player player--placeholder" aria-hidden="true" />}>
        <p className="muted" role="status">
          Loading video…
        </p>
      </Page>
    );
  }
  if (!video) return <NotFoundVideo />;

  const aspect = video.width && video.height ? video.width / video.height : null;
  const lead =
    video.playable && video.playback ? (
      // display: contents keeps the player the page's lead as before.
      <div ref={leadRef} style={{ display: 'contents' }}>
      <Player
        src={video.playback.hlsUrl}
        poster={video.playback.posterUrl}
        storyboardUrl={video.playback.storyboardUrl}
        chaptersUrl={video.playback.chaptersUrl}
        title={video.title}
        startedAt={startedAt}
        aspectRatio={aspect}
        // Private videos' URLs are signed for a few hours: start over with fresh ones.
        onRetry={() => refetch({ requestPolicy: 'network-only' })}
        link={link}
      />
      </div>
    ) : (
      <NotPlayable video={video} videoRef={id} onPlayable={() => refetch({ requestPolicy: 'network-only' })} />
    );

  return (
    <Page title={video.title} lead={lead}>
      <div className="watch__details stack">
        <p className="watch__meta muted">
          <Link href={channelPath(video.owner)} className="watch__owner owner-link">
            {video.owner.name}
          </Link>
          <span aria-hidden="true"> · </span>
          <span>{viewsLabel(video.viewCount)}</span>
          <span aria-hidden="true"> · </span>
          <time dateTime={video.createdAt}>{formatDate(video.createdAt)}</time>
          {video.privacy !== 'PUBLIC' && <span className="privacy-badge">{PRIVACY_LABELS[video.privacy]}</span>}
        </p>
        <div>
          <ShareButton video={video} link={link} isOwner={!!user && (user.id === video.owner.id || user.isAdmin)} />
        </div>
        {video.description && <p className="watch__description">{video.description}</p>}
        {video.renditions.length > 0 && (
          <p className="muted small">
            Qualities:{' '}
            {[...video.renditions]
              .sort((a, b) => Math.min(b.width, b.height) - Math.min(a.width, a.height))
              .map((r) => r.name)
              .join(' · ')}
          </p>
        )}
        {video.subtitles.length > 0 && (
          <p className="muted small watch__subtitles">
            Subtitles:{' '}
            {video.subtitles.map((t, i) => (
              <span key={t.language}>
                {i > 0 && ' · '}
                {t.label} (
                <a href={t.vttUrl} download>
                  WebVTT
                </a>
                ,{' '}
                <a href={t.srtUrl} download>
                  SRT
                </a>
                )
              </span>
            ))}
          </p>
        )}
        {user && (user.id === video.owner.id || user.isAdmin) && video.status === 'READY' && (
          <p className="small">
            <Link href={`/videos/${video.id}/subtitles`}>Edit subtitles</Link>
            {' · '}
            <Link href={`/videos/${video.id}/studio`}>Open in the studio</Link>
          </p>
        )}
        {video.playable && video.subtitles.length > 0 && <TranscriptPanel tracks={video.subtitles} link={link} />}
        {user && user.id !== video.owner.id && <ReportButton videoId={video.id} publicId={video.publicId} />}
        <KeyboardHelp />
      </div>
    </Page>
  );
}

/**
 * A start time from the URL: seconds ("83", "83.5") or YouTube's "1h2m3s"
 * form; null when absent or not a time.
 */
export function parseStartTime(t: string | null): number | null {
  if (!t) return null;
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(t);
  if (!m || !(m[1] || m[2] || m[3])) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/**
 * Seeks the player inside the returned ref's element to `start` once its
 * video knows its length (seeking earlier is ignored by the browser), once
 * per page.
 */
function useStartAt(start: number | null) {
  const done = useRef(false);
  const cleanup = useRef<(() => void) | null>(null);
  return (el: HTMLDivElement | null) => {
    cleanup.current?.();
    cleanup.current = null;
    const v = el?.querySelector('video');
    if (!v || start === null || done.current) return;
    const seek = () => {
      if (done.current || !Number.isFinite(v.duration)) return;
      done.current = true;
      v.currentTime = Math.min(start, v.duration);
    };
    if (v.readyState >= 1) seek();
    else {
      v.addEventListener('loadedmetadata', seek, { once: true });
      cleanup.current = () => v.removeEventListener('loadedmetadata', seek);
    }
  };
}

function NotFoundVideo() {
  return (
    <Page title="Video not found">
      <div className="card stack">
        <p>This video does not exist, or it is private.</p>
        <p>
          <Link href="/">Go to the home page</Link>
        </p>
      </div>
    </Page>
  );
}

/** Where a video that cannot play yet stands, live. */
function NotPlayable({ video, videoRef, onPlayable }: { video: WatchedVideo; videoRef: string; onPlayable: () => void }) {
  const active = video.status === 'PROCESSING' || video.status === 'UPLOADING';
  // Followed as the page named it: by public id, a stranger may follow an UNLISTED video.
  const [{ data }] = useSubscription({ query: WatchProgressDocument, variables: watchVariables(videoRef), pause: !active });
  const live = data?.videoProgress;
  const status = live?.status ?? video.status;
  const stage = live?.stage ?? video.processing?.stage;
  const percent = Math.max(live?.percent ?? 0, video.processing?.percent ?? 0);
  const failure = live?.error ?? video.processing?.error;
  const playable = live?.playable ?? false;

  const reload = useRef(onPlayable);
  reload.current = onPlayable;
  useEffect(() => {
    if (playable) reload.current();
  }, [playable]);

  return (
    <div className="player player--placeholder watch__pending" data-status={status}>
      <div className="watch__pending-body stack">
        {status === 'FAILED' ? (
          <>
            <p className="watch__pending-title">This video could not be processed.</p>
            <Alert>{failure || 'Processing failed.'}</Alert>
          </>
        ) : status === 'UPLOADING' ? (
          <>
            <p className="watch__pending-title">This video is still being uploaded.</p>
            {stage === 'uploading' && percent > 0 && <ProgressBar label="Upload" value={percent} valueText={`${Math.floor(percent)}% uploaded`} />}
          </>
        ) : (
          <>
            <p className="watch__pending-title" role="status">
              Processing: {stageLabel(stage)}
            </p>
            <ProgressBar label="Processing" value={percent} valueText={`${stageLabel(stage)}, ${Math.floor(percent)}%`} />
            <p className="muted small">{Math.floor(percent)}% · it plays here as soon as the first quality is ready.</p>
          </>
        )}
      </div>
    </div>
  );
}

const SHORTCUTS: [string, string][] = [
  ['Space or K', 'Play or pause'],
  ['F', 'Full screen'],
  ['M', 'Mute or unmute'],
  ['C', 'Captions on or off'],
  ['← / →', 'Back or forward 5 seconds'],
  ['J / L', 'Back or forward 10 seconds'],
  ['0 – 9', 'Jump to 0% – 90%'],
  ['< / >', 'Slower or faster'],
];

function KeyboardHelp() {
  return (
    <details className="shortcuts">
      <summary>Keyboard shortcuts</summary>
      <dl>
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys}>
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
