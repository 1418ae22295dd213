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
      activity {
        hour
        uploadsStarted
        processed
        failed
      }
      processingTime {
        count
        medianSeconds
        p95Seconds
      }
      discardedJobs {
        id
        kind
        queue
        error
        discardedAt
      }
    }
  }
`);

const STATUS = { UPLOADING: 'Uploading', PROCESSING: 'Processing', READY: 'Ready', FAILED: 'Failed', TAKEN_DOWN: 'Taken down' };

const hourFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

/** A processing duration: "42 s", "3 min 5 s". */
function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** The instance at a glance. */
export function Overview() {
  const [{ data, fetching, error }] = useQuery({ query: AdminOverviewDocument, requestPolicy: 'cache-and-network' });
  const o = data?.adminOverview;
  const busy = o?.activity.filter((h) => h.uploadsStarted + h.processed + h.failed > 0) ?? [];
  const total = (key: 'uploadsStarted' | 'processed' | 'failed') => o?.activity.reduce((n, h) => n + h[key], 0) ?? 0;
  const peak = Math.max(1, ...busy.map((h) => Math.max(h.uploadsStarted, h.processed, h.failed)));
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
          <section className="card stack" aria-labelledby="admin-rates">
            <h2 id="admin-rates">Last 24 hours</h2>
            <dl className="admin-figures">
              <div>
                <dt>Uploads started</dt>
                <dd>{total('uploadsStarted')}</dd>
              </div>
              <div>
                <dt>Videos processed</dt>
                <dd>{total('processed')}</dd>
              </div>
              <div>
                <dt>Videos failed</dt>
                <dd>{total('failed')}</dd>
              </div>
              <div>
                <dt>Processing, median</dt>
                <dd>{o.processingTime.count ? formatDuration(o.processingTime.medianSeconds) : '—'}</dd>
              </div>
              <div>
                <dt>Processing, 95th percentile</dt>
                <dd>{o.processingTime.count ? formatDuration(o.processingTime.p95Seconds) : '—'}</dd>
              </div>
            </dl>
            {busy.length === 0 ? (
              <p className="muted">Nothing was uploaded or processed.</p>
            ) : (
              <div className="admin-table-wrap">
                <table className="admin-table admin-rates">
                  <caption className="small">Per hour (hours without activity left out); processing time counts from the end of the upload.</caption>
                  <thead>
                    <tr>
                      <th scope="col">Hour</th>
                      <th scope="col">Uploads started</th>
                      <th scope="col">Processed</th>
                      <th scope="col">Failed</th>
                    </tr>
                  </thead>
                  <tbody>
                    {busy.map((h) => (
                      <tr key={h.hour}>
                        <th scope="row">
                          <time dateTime={h.hour}>{hourFormat.format(new Date(h.hour))}</time>
                        </th>
                        {(['uploadsStarted', 'processed', 'failed'] as const).map((k) => (
                          <td key={k} data-label={k === 'uploadsStarted' ? 'Uploads started' : k === 'processed' ? 'Processed' : 'Failed'}>
                            <span className={`admin-bar admin-bar--${k}`} style={{ inlineSize: `${(h[k] / peak) * 6}rem` }} aria-hidden="true" />
                            {h[k]}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
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
          <section className="card stack" aria-labelledby="admin-discarded">
            <h2 id="admin-discarded">Jobs discarded in the last 24 hours</h2>
            {o.discardedJobs.length === 0 ? (
              <p className="muted">No job was given up on.</p>
            ) : (
              <ul className="stack">
                {o.discardedJobs.map((j) => (
                  <li key={j.id}>
                    <a href={`/admin/jobs/jobs/${j.id}`}>
                      <span className="mono">{j.kind}</span> #{j.id}
                    </a>{' '}
                    in {j.queue} · <time dateTime={j.discardedAt}>{formatDate(j.discardedAt)}</time>
                    <br />
                    <span className="muted small admin-error">{j.error || 'No error recorded.'}</span>
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
