import { useQuery } from 'urql';
import { Alert } from '../../components/Alert';
import { Page } from '../../components/Page';
import { graphql } from '../../gql';
import { formErrors } from '../../graphql/errors';

const AuditLogDocument = graphql(`
  query AuditLog {
    auditLog(first: 100) {
      edges {
        node {
          id
          action
          targetType
          targetId
          reason
          createdAt
          actor {
            id
            name
          }
        }
      }
    }
  }
`);

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** What administrators did, newest first. */
export function AuditLog() {
  const [{ data, fetching, error }] = useQuery({ query: AuditLogDocument, requestPolicy: 'cache-and-network' });
  const edges = data?.auditLog.edges ?? [];
  return (
    <Page title="Audit log">
      <Alert>{formErrors(error).message}</Alert>
      {fetching && !data && <p className="muted" role="status">Loading…</p>}
      {data && edges.length === 0 && <p className="muted">No administrator action yet.</p>}
      {edges.length > 0 && (
        <div className="admin-table-wrap">
          <table className="admin-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {edges.map(({ node: e }) => (
                <tr key={e.id}>
                  <td data-label="When">
                    <time dateTime={e.createdAt}>{timeFormat.format(new Date(e.createdAt))}</time>
                  </td>
                  <td data-label="Who">{e.actor?.name ?? 'a deleted account'}</td>
                  <td data-label="What">
                    {e.action}{' '}
                    {e.targetType === 'video' ? (
                      <a href={`/watch/${e.targetId}`}>video</a>
                    ) : (
                      <span className="mono small">{e.targetId}</span>
                    )}
                  </td>
                  <td data-label="Why">{e.reason ?? <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
