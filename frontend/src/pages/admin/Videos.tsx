import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { useSearch } from 'wouter';
import { Alert } from '../../components/Alert';
import { Page } from '../../components/Page';
import { formatDate } from '../../format';
import { graphql } from '../../gql';
import type { VideoStatus } from '../../gql/graphql';
import { formErrors } from '../../graphql/errors';

const AdminVideosDocument = graphql(`
  query AdminVideos($status: VideoStatus, $ownerId: ID, $appealed: Boolean) {
    adminVideos(status: $status, ownerId: $ownerId, appealed: $appealed, first: 50) {
      edges {
        node {
          id
          title
          status
          privacy
          createdAt
          takedownReason
          takedownAppeal {
            message
            createdAt
            answer
            answeredAt
          }
          owner {
            id
            name
          }
          processing {
            error
          }
        }
      }
    }
  }
`);

export const TakeDownVideoDocument = graphql(`
  mutation TakeDownVideo($videoId: ID!, $reason: String!) {
    takeDownVideo(videoId: $videoId, reason: $reason) {
      id
      status
      takedownReason
      takedownAppeal {
        message
      }
    }
  }
`);

const RestoreVideoDocument = graphql(`
  mutation RestoreVideo($videoId: ID!) {
    restoreVideo(videoId: $videoId) {
      id
      status
      takedownReason
      takedownAppeal {
        message
      }
    }
  }
`);

const AnswerTakedownAppealDocument = graphql(`
  mutation AnswerTakedownAppeal($videoId: ID!, $message: String!) {
    answerTakedownAppeal(videoId: $videoId, message: $message) {
      id
      status
      takedownAppeal {
        message
        createdAt
        answer
        answeredAt
      }
    }
  }
`);

const AdminDeleteVideoDocument = graphql(`
  mutation AdminDeleteVideo($videoId: ID!, $reason: String) {
    adminDeleteVideo(videoId: $videoId, reason: $reason)
  }
`);

const FILTERS: { value: VideoStatus | ''; label: string }[] = [
  { value: '', label: 'Any status' },
  { value: 'UPLOADING', label: 'Uploading' },
  { value: 'PROCESSING', label: 'Processing' },
  { value: 'READY', label: 'Ready' },
  { value: 'FAILED', label: 'Failed' },
  { value: 'TAKEN_DOWN', label: 'Taken down' },
];

/**
 * An open appeal, answered or not; an unanswered one has the form that
 * refuses it with an answer the owner reads (granting it is Restore).
 */
function Appeal({ videoId, title, appeal }: {
  videoId: string;
  title: string;
  appeal: { message: string; createdAt: string; answer?: string | null; answeredAt?: string | null };
}) {
  const id = useId();
  const [message, setMessage] = useState('');
  const [{ fetching, error }, answer] = useMutation(AnswerTakedownAppealDocument);
  const errors = formErrors(error, ['message']);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (fetching || !message.trim()) return;
    await answer({ videoId, message: message.trim() });
  }

  return (
    <div className="small stack admin-appeal" data-answered={appeal.answer ? '' : undefined}>
      <div>
        <strong>Appeal</strong> ({formatDate(appeal.createdAt)}), <span className="admin-appeal__state">{appeal.answer ? 'answered' : 'unanswered'}</span>:{' '}
        {appeal.message}
      </div>
      {appeal.answer ? (
        <div>
          <strong>Answer</strong> ({appeal.answeredAt ? formatDate(appeal.answeredAt) : ''}): {appeal.answer}
        </div>
      ) : (
        <form className="form stack" aria-label={`Answer the appeal of ${title}`} onSubmit={onSubmit}>
          <Alert>{errors.message}</Alert>
          <div className="field">
            <label htmlFor={`${id}-answer`}>Answer (the video stays down; Restore grants the appeal)</label>
            <textarea id={`${id}-answer`} required maxLength={2000} rows={2} value={message} onChange={(e) => setMessage(e.target.value)}
              aria-invalid={errors.fields.message ? true : undefined} />
            {errors.fields.message && <p className="field__error">{errors.fields.message}</p>}
          </div>
          <button type="submit" className="button button--small" aria-disabled={fetching || !message.trim() || undefined}>
            {fetching ? 'Sending…' : 'Send answer'}
          </button>
        </form>
      )}
    </div>
  );
}

/**
 * Every video, filtered by status, owner and open appeal; take down,
 * restore and delete. An owner's appeal against a takedown shows under
 * its reason, answered or with the form to answer it.
 */
export function Videos() {
  const owner = new URLSearchParams(useSearch()).get('owner');
  const [status, setStatus] = useState<VideoStatus | ''>('');
  const [appealed, setAppealed] = useState(false);
  const [{ data, fetching, error }, refetch] = useQuery({
    query: AdminVideosDocument,
    variables: { status: status || null, ownerId: owner, appealed: appealed || null },
  });
  const [takingDown, takeDown] = useMutation(TakeDownVideoDocument);
  const [restoring, restore] = useMutation(RestoreVideoDocument);
  const [deleting, deleteVideo] = useMutation(AdminDeleteVideoDocument);
  const [notice, setNotice] = useState<string | null>(null);

  async function onTakeDown(id: string, title: string) {
    const reason = window.prompt(`Why take down "${title}"? The owner reads this.`);
    if (!reason?.trim()) return;
    const r = await takeDown({ videoId: id, reason });
    if (!r.error) setNotice(`"${title}" is taken down.`);
  }

  async function onRestore(id: string, title: string) {
    const r = await restore({ videoId: id });
    if (!r.error) setNotice(`"${title}" is back up.`);
  }

  async function onDelete(id: string, title: string) {
    const reason = window.prompt(`Delete "${title}" and its files for good? Say why (kept in the audit log).`);
    if (reason === null) return;
    const r = await deleteVideo({ videoId: id, reason: reason.trim() || null });
    if (!r.error) {
      setNotice(`"${title}" is deleted.`);
      refetch({ requestPolicy: 'network-only' });
    }
  }

  const edges = data?.adminVideos.edges ?? [];
  return (
    <Page title="Videos">
      <div className="admin-search">
        <div className="field">
          <label htmlFor="admin-video-status">Status</label>
          <select id="admin-video-status" value={status} onChange={(e) => setStatus(e.target.value as VideoStatus | '')}>
            {FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
        <label className="checkbox" htmlFor="admin-video-appealed">
          <input id="admin-video-appealed" type="checkbox" checked={appealed} onChange={(e) => setAppealed(e.currentTarget.checked)} />
          Appealed only
        </label>
        {owner && (
          <p className="small">
            One account's videos. <a href="/admin/videos">Show everyone's</a>
          </p>
        )}
      </div>
      <Alert>{formErrors(error ?? takingDown.error ?? restoring.error ?? deleting.error).message}</Alert>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {fetching && !data && <p className="muted" role="status">Loading…</p>}
      {data && edges.length === 0 && <p className="muted">No video.</p>}
      {edges.length > 0 && (
        <div className="admin-table-wrap">
          <table className="admin-table">
            <thead>
              <tr>
                <th scope="col">Video</th>
                <th scope="col">Owner</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {edges.map(({ node: v }) => (
                <tr key={v.id}>
                  <th scope="row">
                    <a href={`/watch/${v.id}`}>{v.title}</a>
                  </th>
                  <td data-label="Owner">{v.owner.name}</td>
                  <td data-label="Status">
                    {v.status.replace('_', ' ').toLowerCase()}
                    {v.takedownReason && <div className="muted small">{v.takedownReason}</div>}
                    {v.takedownAppeal && <Appeal videoId={v.id} title={v.title} appeal={v.takedownAppeal} />}
                    {v.status === 'FAILED' && v.processing?.error && <div className="muted small">{v.processing.error}</div>}
                  </td>
                  <td data-label="Created">{formatDate(v.createdAt)}</td>
                  <td data-label="Actions">
                    <div className="admin-actions">
                      {v.status === 'TAKEN_DOWN' ? (
                        <button type="button" className="button button--small" aria-label={`Restore ${v.title}`} onClick={() => onRestore(v.id, v.title)}>
                          Restore
                        </button>
                      ) : (
                        <button type="button" className="button button--small button--danger" aria-label={`Take down ${v.title}`}
                          onClick={() => onTakeDown(v.id, v.title)}>
                          Take down
                        </button>
                      )}
                      <button type="button" className="button button--small button--quiet" aria-label={`Delete ${v.title}`}
                        onClick={() => onDelete(v.id, v.title)}>
                        Delete
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
