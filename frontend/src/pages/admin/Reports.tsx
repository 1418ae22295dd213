import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Alert } from '../../components/Alert';
import { Page } from '../../components/Page';
import { formatDate } from '../../format';
import { graphql } from '../../gql';
import { formErrors } from '../../graphql/errors';
import { REPORT_REASONS } from '../../components/ReportButton';

const ReportsDocument = graphql(`
  query Reports {
    reports(first: 50) {
      count
      video {
        id
        title
        status
        owner {
          id
          name
        }
      }
      reports {
        id
        reason
        note
        createdAt
      }
    }
  }
`);

const ResolveReportDocument = graphql(`
  mutation ResolveReport($videoId: ID!, $action: ReportAction!, $reason: String) {
    resolveReport(videoId: $videoId, action: $action, reason: $reason) {
      id
      status
    }
  }
`);

/** Open reports grouped by video, the most reported first; take down or dismiss. */
export function Reports() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: ReportsDocument, requestPolicy: 'cache-and-network' });
  const [resolving, resolve] = useMutation(ResolveReportDocument);
  const [notice, setNotice] = useState<string | null>(null);

  async function act(videoId: string, title: string, action: 'TAKE_DOWN' | 'DISMISS') {
    const reason =
      action === 'TAKE_DOWN'
        ? window.prompt(`Why take down "${title}"? The owner reads this.`)
        : window.prompt(`Why dismiss the reports of "${title}"? (kept in the audit log; may be empty)`);
    if (reason === null || (action === 'TAKE_DOWN' && !reason.trim())) return;
    const r = await resolve({ videoId, action, reason: reason || null });
    if (!r.error) {
      setNotice(action === 'TAKE_DOWN' ? `"${title}" is taken down.` : `The reports of "${title}" are dismissed.`);
      refetch({ requestPolicy: 'network-only' });
    }
  }

  const groups = data?.reports ?? [];
  return (
    <Page title="Reports">
      <Alert>{formErrors(error ?? resolving.error).message}</Alert>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {fetching && !data && <p className="muted" role="status">Loading…</p>}
      {data && groups.length === 0 && <p className="muted">No open reports.</p>}
      <ul className="stack">
        {groups.map((g) => (
          <li key={g.video.id} className="card stack">
            <h2 className="section-title">
              <a href={`/watch/${g.video.id}`}>{g.video.title}</a>{' '}
              <span className="muted small">
                by {g.video.owner.name} · {g.count} {g.count === 1 ? 'report' : 'reports'}
              </span>
            </h2>
            <ul>
              {g.reports.map((r) => (
                <li key={r.id}>
                  <strong>{REPORT_REASONS[r.reason]}</strong> · <time dateTime={r.createdAt}>{formatDate(r.createdAt)}</time>
                  {r.note && <div className="muted small">{r.note}</div>}
                </li>
              ))}
            </ul>
            <div className="admin-actions">
              <button type="button" className="button button--small button--danger" onClick={() => act(g.video.id, g.video.title, 'TAKE_DOWN')}>
                Take down
              </button>
              <button type="button" className="button button--small" onClick={() => act(g.video.id, g.video.title, 'DISMISS')}>
                Dismiss
              </button>
            </div>
          </li>
        ))}
      </ul>
    </Page>
  );
}
