import { useQuery } from 'urql';
import { Alert } from '../../components/Alert';
import { Page } from '../../components/Page';
import { formatBytes, formatDate } from '../../format';
import { graphql } from '../../gql';
import { formErrors } from '../../graphql/errors';

const AdminOverviewDocument = graphql(`
  query AdminOverview {
    adminOverview {
      videosByStatus {
        status
        count
      }
      storageBytes
      users
      openReports
      failures {
        videoId
        title
        error
        failedAt
      }
      queues {
        queue
        state
        count
      }
      workers {
        clientId
        hostname
        pid
        startedAt
      }
    }
  }
`);

const STATUS = { UPLOADING: 'Uploading', PROCESSING: 'Processing', READY: 'Ready', FAILED: 'Failed', TAKEN_DOWN: 'Taken down' };

/** The instance at a glance. */
export function Overview() {
  const [{ data, fetching, error }] = useQuery({ query: AdminOverviewDocument, requestPolicy: 'cache-and-network' });
  const o = data?.adminOverview;
  return (
    <Page title="Administration">
      <Alert>{formErrors(error).message}</Alert>
      {fetching && !o && <p className="muted" role="status">Loading…</p>}
      {o && (
        <div className="stack">
          <section className="card stack" aria-labelledby="admin-figures">
            <h2 id="admin-figures">Instance</h2>
            <dl className="admin-figures">
              <div>
                <dt>Accounts</dt>
                <dd>{o.users}</dd>
              </div>
              <div>
                <dt>Storage used</dt>
                <dd>{formatBytes(o.storageBytes)}</dd>
              </div>
              <div>
                <dt>Videos with open reports</dt>
                <dd>{o.openReports}</dd>
              </div>
              <div>
                <dt>Workers alive</dt>
                <dd>{o.workers.length}</dd>
              </div>
              {o.videosByStatus.map((s) => (
                <div key={s.status}>
                  <dt>{STATUS[s.status]}</dt>
                  <dd>{s.count}</dd>
                </div>
              ))}
            </dl>
          </section>
          <section className="card stack" aria-labelledby="admin-queues">
            <h2 id="admin-queues">Job queues</h2>
            {o.queues.length === 0 ? (
              <p className="muted">No jobs waiting or running.</p>
            ) : (
              <div className="admin-table-wrap">
                <table className="admin-table">
                  <thead>
                    <tr>
                      <th scope="col">Queue</th>
                      <th scope="col">State</th>
                      <th scope="col">Jobs</th>
                    </tr>
                  </thead>
                  <tbody>
                    {o.queues.map((q) => (
                      <tr key={`${q.queue}/${q.state}`}>
                        <td>{q.queue}</td>
                        <td>{q.state}</td>
                        <td>{q.count}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <p className="small">
              Running, retryable and discarded jobs with their errors: <a href="/admin/jobs/">the job queue (River UI)</a>.
            </p>
          </section>
          <section className="card stack" aria-labelledby="admin-failures">
            <h2 id="admin-failures">Failures in the last 24 hours</h2>
            {o.failures.length === 0 ? (
              <p className="muted">No video failed.</p>
            ) : (
              <ul className="stack">
                {o.failures.map((f) => (
                  <li key={f.videoId}>
                    <a href={`/watch/${f.videoId}`}>{f.title}</a> · <time dateTime={f.failedAt}>{formatDate(f.failedAt)}</time>
                    <br />
                    <span className="muted small">{f.error || 'No reason recorded.'}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className="card stack" aria-labelledby="admin-workers">
            <h2 id="admin-workers">Worker processes</h2>
            {o.workers.length === 0 ? (
              <p className="muted">No worker process is alive: uploads wait until one starts.</p>
            ) : (
              <ul>
                {o.workers.map((w) => (
                  <li key={w.clientId}>
                    <span className="mono">{w.hostname}</span> pid {w.pid}, since {formatDate(w.startedAt)}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </Page>
  );
}
