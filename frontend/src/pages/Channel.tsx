// A user's channel, /c/<handle> (or /c/<user id>): who they are and their
// public videos, newest or most viewed first (?sort=popular).
import { useEffect } from 'react';
import { Link, useSearch } from 'wouter';
import { useQuery } from 'urql';
import { Alert } from '../components/Alert';
import { Page } from '../components/Page';
import { LoadMore, usePageCursors, type PageInfoLike } from '../components/paging';
import { channelPath, VideoCard } from '../components/VideoCard';
import { formatDate } from '../format';
import { graphql } from '../gql';
import type { ChannelVideoOrder } from '../gql/graphql';
import { formErrors } from '../graphql/errors';
import { useViewer } from '../session';
import './Channel.css';

const ChannelDocument = graphql(`
  query Channel($handle: String!, $order: ChannelVideoOrder!, $first: Int!, $after: String) {
    channel(handle: $handle) {
      id
      name
      handle
      description
      createdAt
      videoCount
      channelVideos(order: $order, first: $first, after: $after) {
        edges {
          cursor
          node {
            ...VideoCardFields
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

const PAGE_SIZE = 24;

/** One user's channel page. */
export function Channel({ handle }: { handle: string }) {
  const popular = new URLSearchParams(useSearch()).get('sort') === 'popular';
  const order: ChannelVideoOrder = popular ? 'MOST_VIEWED' : 'NEWEST';
  const [{ data, fetching, error }, refetch] = useQuery({
    query: ChannelDocument,
    variables: { handle, order, first: PAGE_SIZE, after: null },
  });
  const { user } = useViewer();
  const channel = data?.channel;

  if (error && !data) {
    return (
      <Page title="Channel">
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
      <Page title="Channel" hideTitle>
        <p className="muted" role="status">
          Loading channel…
        </p>
      </Page>
    );
  }
  if (!channel) {
    return (
      <Page title="Channel not found">
        <div className="card stack">
          <p>There is no channel at this address.</p>
          <p>
            <Link href="/">Go to the home page</Link>
          </p>
        </div>
      </Page>
    );
  }

  const base = channelPath(channel);
  const count = channel.videoCount;
  return (
    <div className="channel">
      <div className="channel__head">
        <span className="avatar avatar--large" aria-hidden="true">
          {initial(channel.name)}
        </span>
        <div className="channel__who">
          <Page title={channel.name}>
            <p className="muted channel__facts">
              <span>@{channel.handle}</span>
              <span aria-hidden="true"> · </span>
              <span>{count === 1 ? '1 video' : `${count.toLocaleString()} videos`}</span>
              <span aria-hidden="true"> · </span>
              <span>
                Joined <time dateTime={channel.createdAt}>{formatDate(channel.createdAt)}</time>
              </span>
            </p>
            {channel.description && <p className="channel__description">{channel.description}</p>}
            {user?.id === channel.id && (
              <p className="small">
                <Link href="/account">Edit your channel</Link>
              </p>
            )}
          </Page>
        </div>
      </div>
      <nav className="channel__tabs" aria-label="Sort videos">
        <Link href={base} className="channel__tab" aria-current={!popular ? 'page' : undefined}>
          Newest
        </Link>
        <Link href={`${base}?sort=popular`} className="channel__tab" aria-current={popular ? 'page' : undefined}>
          Most viewed
        </Link>
      </nav>
      {channel.channelVideos.edges.length === 0 ? (
        <p className="muted">{channel.name} has no public videos yet.</p>
      ) : (
        <ChannelVideos key={order} handle={handle} order={order} />
      )}
    </div>
  );
}

function ChannelVideos({ handle, order }: { handle: string; order: ChannelVideoOrder }) {
  const { cursors, report, nextCursor, loadMore } = usePageCursors();
  return (
    <>
      <ul className="video-grid" aria-label="Videos">
        {cursors.map((after, i) => (
          <ChannelPage key={after ?? ''} index={i} handle={handle} order={order} after={after} report={report} />
        ))}
      </ul>
      {nextCursor && <LoadMore onLoad={loadMore} label="More videos" />}
    </>
  );
}

interface ChannelPageProps {
  index: number;
  handle: string;
  order: ChannelVideoOrder;
  after: string | null;
  report: (index: number, info: PageInfoLike | undefined) => void;
}

function ChannelPage({ index, handle, order, after, report }: ChannelPageProps) {
  const [{ data, fetching, error }] = useQuery({
    query: ChannelDocument,
    variables: { handle, order, first: PAGE_SIZE, after },
  });
  const pageInfo = data?.channel?.channelVideos.pageInfo;
  useEffect(() => report(index, pageInfo), [index, pageInfo, report]);
  if (error && !data) {
    return (
      <li className="video-grid__wide">
        <Alert>{formErrors(error).message}</Alert>
      </li>
    );
  }
  if (fetching && !data) {
    return (
      <li className="video-grid__wide muted" role="status">
        Loading more videos…
      </li>
    );
  }
  return (
    <>
      {(data?.channel?.channelVideos.edges ?? []).map(({ node }) => (
        <li key={node.id}>
          <VideoCard video={node} />
        </li>
      ))}
    </>
  );
}

function initial(name: string): string {
  return (Array.from(name.trim())[0] ?? '?').toUpperCase();
}
