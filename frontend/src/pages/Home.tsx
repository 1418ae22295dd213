import { useEffect } from 'react';
import { useQuery } from 'urql';
import { Alert } from '../components/Alert';
import { Page } from '../components/Page';
import { LoadMore, usePageCursors, type PageInfoLike } from '../components/paging';
import { VideoCard } from '../components/VideoCard';
import { graphql } from '../gql';
import { formErrors } from '../graphql/errors';

const FeedDocument = graphql(`
  query Feed($first: Int!, $after: String) {
    videos(first: $first, after: $after) {
      edges {
        cursor
        node {
          ...VideoCardFields
          owner {
            id
            name
            handle
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const PAGE_SIZE = 20;

/** The public feed: the newest public, playable videos, more as the reader scrolls. */
export function Home() {
  const { cursors, report, nextCursor, loadMore } = usePageCursors();
  // The first page decides what the page shows; FeedPage runs the same
  // query, which urql answers from this one request.
  const [{ data, fetching, error }, refetch] = useQuery({ query: FeedDocument, variables: { first: PAGE_SIZE, after: null } });

  return (
    <Page title="Latest videos">
      {error && !data ? (
        <div className="stack">
          <Alert>{formErrors(error).message}</Alert>
          <div>
            <button type="button" className="button" onClick={() => refetch({ requestPolicy: 'network-only' })}>
              Try again
            </button>
          </div>
        </div>
      ) : fetching && !data ? (
        <p className="muted" role="status">
          Loading videos…
        </p>
      ) : data?.videos.edges.length === 0 ? (
        <section className="empty card" aria-labelledby="empty-title">
          <div className="empty__art" aria-hidden="true">
            ▶
          </div>
          <h2 id="empty-title">No videos yet</h2>
          <p className="muted">Public videos shared on this instance will show up here.</p>
        </section>
      ) : (
        <>
          <ul className="video-grid" aria-label="Videos">
            {cursors.map((after, i) => (
              <FeedPage key={after ?? ''} index={i} after={after} report={report} />
            ))}
          </ul>
          {nextCursor && <LoadMore onLoad={loadMore} label="More videos" />}
        </>
      )}
    </Page>
  );
}

interface FeedPageProps {
  index: number;
  after: string | null;
  report: (index: number, info: PageInfoLike | undefined) => void;
}

/** One page of the feed, as list items. */
function FeedPage({ index, after, report }: FeedPageProps) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: FeedDocument, variables: { first: PAGE_SIZE, after } });
  const pageInfo = data?.videos.pageInfo;
  useEffect(() => report(index, pageInfo), [index, pageInfo, report]);

  if (error && !data) {
    return (
      <li className="video-grid__wide stack">
        <Alert>{formErrors(error).message}</Alert>
        <div>
          <button type="button" className="button" onClick={() => refetch({ requestPolicy: 'network-only' })}>
            Try again
          </button>
        </div>
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
      {(data?.videos.edges ?? []).map(({ node }) => (
        <li key={node.id}>
          <VideoCard video={node} />
        </li>
      ))}
    </>
  );
}
