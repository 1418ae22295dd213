import { useQuery } from 'urql';
import { Alert } from '../components/Alert';
import { Page } from '../components/Page';
import { formatDate } from '../format';
import { graphql } from '../gql';
import { formErrors } from '../graphql/errors';

const FeedDocument = graphql(`
  query Feed($first: Int!, $after: String) {
    videos(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          title
          createdAt
          owner {
            id
            name
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

/** The public feed: the newest public, playable videos. */
export function Home() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: FeedDocument, variables: { first: 20 } });
  const edges = data?.videos.edges ?? [];

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
      ) : edges.length === 0 ? (
        <section className="empty card" aria-labelledby="empty-title">
          <div className="empty__art" aria-hidden="true">
            ▶
          </div>
          <h2 id="empty-title">No videos yet</h2>
          <p className="muted">Public videos shared on this instance will show up here.</p>
        </section>
      ) : (
        <ul className="video-grid" aria-label="Videos">
          {edges.map(({ node }) => (
            <li key={node.id}>
              <article className="video-card" aria-labelledby={`video-${node.id}`}>
                <div className="video-card__thumb" aria-hidden="true" />
                <h2 id={`video-${node.id}`} className="video-card__title">
                  {node.title}
                </h2>
                <p className="video-card__meta">
                  <span>{node.owner.name}</span>
                  <span aria-hidden="true"> · </span>
                  <time dateTime={node.createdAt}>{formatDate(node.createdAt)}</time>
                </p>
              </article>
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
