// Account › Webhooks: endpoints that receive signed POSTs about your
// videos. Create, edit, pause, send a test, and read each one's delivery
// log (status, latency, the endpoint's answer) with redelivery.
import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Alert } from '../components/Alert';
import { Field } from '../components/Field';
import { formatDate } from '../format';
import { formErrors } from '../graphql/errors';
import {
  CreateWebhookDocument,
  DeleteWebhookDocument,
  RedeliverWebhookDocument,
  TestWebhookDocument,
  UpdateWebhookDocument,
  WebhookDeliveriesDocument,
  WebhooksDocument,
  type CreateWebhookData,
  type DeleteWebhookData,
  type RedeliverWebhookData,
  type TestWebhookData,
  type UpdateWebhookData,
  type WebhookDeliveriesData,
  type WebhookItem,
  type WebhooksData,
  type WebhookEventType,
} from '../graphql/integrations';
import { Checklist, DeveloperList, DeveloperPage, OneTimeSecret, SignedInPage } from './Integrations';

/** Every event, with its name on the wire (graph/schema/webhooks.graphqls). */
export const EVENTS: { type: WebhookEventType; wire: string; what: string }[] = [
  { type: 'VIDEO_CREATED', wire: 'video.created', what: 'A video was created' },
  { type: 'VIDEO_UPLOAD_COMPLETED', wire: 'video.upload_completed', what: 'Its upload finished' },
  { type: 'VIDEO_PLAYABLE', wire: 'video.playable', what: 'It can be played' },
  { type: 'VIDEO_READY', wire: 'video.ready', what: 'Processing finished' },
  { type: 'VIDEO_FAILED', wire: 'video.failed', what: 'Processing failed' },
  { type: 'VIDEO_DELETED', wire: 'video.deleted', what: 'It was deleted' },
  { type: 'SUBTITLES_READY', wire: 'subtitles.ready', what: 'Subtitles are ready' },
  { type: 'SUBTITLES_FAILED', wire: 'subtitles.failed', what: 'Subtitles could not be made' },
];

const wireName = (t: WebhookEventType) => EVENTS.find((e) => e.type === t)?.wire ?? t;

export function Webhooks() {
  return (
    <SignedInPage title="Webhooks" next="/account/webhooks" prompt="Log in to manage your webhooks.">
      <WebhooksPage />
    </SignedInPage>
  );
}

function WebhooksPage() {
  const [{ data, fetching, error }, refetch] = useQuery<WebhooksData>({ query: WebhooksDocument, requestPolicy: 'cache-and-network' });
  const [secret, setSecret] = useState<{ secret: string; url: string } | null>(null);
  const hooks = data?.webhooks ?? [];
  const reload = () => refetch({ requestPolicy: 'network-only' });
  return (
    <DeveloperPage
      title="Webhooks"
      current="webhooks"
      intro={
        <>
          clipcut POSTs a signed JSON event to each endpoint when something happens to your videos; check the <code>Clipcut-Signature</code>{' '}
          header with the webhook’s secret (see the README’s Webhooks section). Failed deliveries are retried for 24 hours.
        </>
      }
    >
      {secret && (
        <OneTimeSecret
          region="New webhook secret"
          title="Copy the signing secret now"
          label="Signing secret"
          value={secret.secret}
          onDone={() => setSecret(null)}
        >
          Deliveries to <span className="mono">{secret.url}</span> are signed with this secret. It is shown only now.
        </OneTimeSecret>
      )}
      <WebhookForm
        title="Add a webhook"
        submitLabel="Add webhook"
        onSaved={(s, url) => {
          setSecret({ secret: s, url });
          reload();
        }}
      />
      <DeveloperList id="hooks-title" title="Your webhooks" loaded={!!data} error={error} fetching={fetching} empty="No webhooks yet.">
        {hooks.map((h) => (
          <WebhookRow key={h.id} hook={h} onChanged={reload} />
        ))}
      </DeveloperList>
    </DeveloperPage>
  );
}

/** Creates a webhook, or edits `hook`. */
function WebhookForm({
  hook,
  title,
  submitLabel,
  onSaved,
  onCancel,
}: {
  hook?: WebhookItem;
  title: string;
  submitLabel: string;
  onSaved: (secret: string, url: string) => void;
  onCancel?: () => void;
}) {
  const [url, setUrl] = useState(hook?.url ?? '');
  const [events, setEvents] = useState<WebhookEventType[]>(hook?.events ?? ['VIDEO_READY', 'VIDEO_FAILED']);
  const [created, create] = useMutation<CreateWebhookData>(CreateWebhookDocument);
  const [updated, update] = useMutation<UpdateWebhookData>(UpdateWebhookDocument);
  const [local, setLocal] = useState<Record<string, string>>({});
  const busy = created.fetching || updated.fetching;
  const server = formErrors(hook ? updated.error : created.error);
  const errors = { ...server.fields, ...local };

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const problems: Record<string, string> = {};
    if (!/^https?:\/\/\S+$/i.test(url.trim())) problems.url = 'Enter the endpoint’s address, starting with https://.';
    if (events.length === 0) problems.events = 'Choose at least one event.';
    setLocal(problems);
    if (Object.keys(problems).length > 0) return;
    if (hook) {
      const res = await update({ input: { id: hook.id, url: url.trim(), events } });
      if (res.data) onSaved('', url.trim());
      return;
    }
    const res = await create({ input: { url: url.trim(), events } });
    const payload = res.data?.createWebhook;
    if (payload) {
      onSaved(payload.secret, payload.webhook.url);
      setUrl('');
    }
  }

  const Heading = hook ? 'h3' : 'h2';
  return (
    <form className={`stack form${hook ? '' : ' card'}`} onSubmit={onSubmit} noValidate aria-label={title}>
      <Heading className="section-title">{title}</Heading>
      <Field
        label="Endpoint URL"
        type="url"
        inputMode="url"
        placeholder="https://example.com/hooks/clipcut"
        value={url}
        onChange={(e) => setUrl(e.currentTarget.value)}
        error={errors.url}
        autoComplete="off"
      />
      <Checklist
        legend="Events"
        options={EVENTS.map((ev) => ({ value: ev.type, name: ev.wire, what: ev.what }))}
        chosen={events}
        onChange={setEvents}
        error={errors.events}
      />
      <Alert>{server.message}</Alert>
      <div className="dev-item__buttons">
        <button type="submit" className="button button--primary" aria-disabled={busy || undefined}>
          {busy ? 'Saving…' : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function WebhookRow({ hook, onChanged }: { hook: WebhookItem; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const [showLog, setShowLog] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [logKey, setLogKey] = useState(0);
  const [updated, update] = useMutation<UpdateWebhookData>(UpdateWebhookDocument);
  const [tested, test] = useMutation<TestWebhookData>(TestWebhookDocument);
  const [deleted, remove] = useMutation<DeleteWebhookData>(DeleteWebhookDocument);
  const error = formErrors(updated.error ?? tested.error ?? deleted.error).message;

  if (editing) {
    return (
      <li className="dev-item card">
        <WebhookForm
          hook={hook}
          title={`Edit ${hook.url}`}
          submitLabel="Save"
          onSaved={() => {
            setEditing(false);
            onChanged();
          }}
          onCancel={() => setEditing(false)}
        />
      </li>
    );
  }
  return (
    <li className="dev-item dev-item--column card">
      <div className="dev-item__main">
        <p className="dev-item__title">
          <strong className="mono break">{hook.url}</strong>{' '}
          <span className={`status-badge ${hook.active ? 'status-badge--ready' : 'status-badge--uploading'}`}>{hook.active ? 'Active' : 'Paused'}</span>
        </p>
        <p className="small">
          {hook.events.map((e) => (
            <span key={e} className="tag mono">
              {wireName(e)}
            </span>
          ))}
        </p>
        <p className="small muted">Added {formatDate(hook.createdAt)}</p>
      </div>
      <div className="dev-item__buttons">
        <button
          type="button"
          className="button button--small"
          aria-disabled={updated.fetching || undefined}
          onClick={async () => {
            if (updated.fetching) return;
            const res = await update({ input: { id: hook.id, active: !hook.active } });
            if (!res.error) onChanged();
          }}
        >
          {hook.active ? 'Pause' : 'Resume'}
        </button>
        <button type="button" className="button button--small" onClick={() => setEditing(true)}>
          Edit
        </button>
        <button
          type="button"
          className="button button--small"
          aria-disabled={tested.fetching || undefined}
          onClick={async () => {
            if (tested.fetching) return;
            const res = await test({ id: hook.id });
            if (!res.error) {
              setShowLog(true);
              setLogKey((k) => k + 1);
            }
          }}
        >
          {tested.fetching ? 'Sending…' : 'Send test'}
        </button>
        <button type="button" className="button button--small" aria-expanded={showLog} onClick={() => setShowLog((s) => !s)}>
          Deliveries
        </button>
        {confirming ? (
          <span className="confirm" role="group" aria-label={`Delete ${hook.url}`}>
            <button
              type="button"
              className="button button--small button--danger"
              onClick={async () => {
                if (deleted.fetching) return;
                const res = await remove({ id: hook.id });
                if (!res.error) onChanged();
              }}
            >
              {deleted.fetching ? 'Deleting…' : 'Delete'}
            </button>
            <button type="button" className="button button--small" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button type="button" className="button button--small button--quiet" onClick={() => setConfirming(true)}>
            Delete…
          </button>
        )}
      </div>
      <Alert>{error}</Alert>
      {showLog && <DeliveryLog key={logKey} webhookId={hook.id} />}
    </li>
  );
}

const STATUS_LABEL = { PENDING: 'Pending', DELIVERED: 'Delivered', FAILED: 'Failed' } as const;

/** One webhook's delivery log, newest first, 20 at a time. */
function DeliveryLog({ webhookId }: { webhookId: string }) {
  const [after, setAfter] = useState<string[]>([]);
  return (
    <div className="delivery-log stack">
      <h3 className="section-title small-title">Deliveries</h3>
      <DeliveryPage webhookId={webhookId} after={null} onMore={(c) => setAfter([c])} last={after.length === 0} />
      {after.map((c, i) => (
        <DeliveryPage key={c} webhookId={webhookId} after={c} onMore={(n) => setAfter((prev) => [...prev, n])} last={i === after.length - 1} />
      ))}
    </div>
  );
}

function DeliveryPage({ webhookId, after, onMore, last }: { webhookId: string; after: string | null; onMore: (cursor: string) => void; last: boolean }) {
  const [{ data, fetching, error }, refetch] = useQuery<WebhookDeliveriesData>({
    query: WebhookDeliveriesDocument,
    variables: { webhookId, first: 20, after },
    requestPolicy: 'network-only',
  });
  const [redelivered, redeliver] = useMutation<RedeliverWebhookData>(RedeliverWebhookDocument);
  const conn = data?.webhookDeliveries;
  // A pending delivery settles within seconds: follow it.
  const pending = conn?.edges.some((e) => e.node.status === 'PENDING') ?? false;
  useEffect(() => {
    if (!pending) return;
    const t = setInterval(() => refetch({ requestPolicy: 'network-only' }), 2000);
    return () => clearInterval(t);
  }, [pending, refetch]);
  if (error && !data) return <Alert>{formErrors(error).message}</Alert>;
  if (!conn) {
    return fetching ? (
      <p className="muted small" role="status">
        Loading deliveries…
      </p>
    ) : null;
  }
  if (conn.edges.length === 0 && after === null) return <p className="muted small">No deliveries yet. Send a test to see one here.</p>;
  return (
    <>
      <div className="table-scroll">
        <table className="delivery-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">HTTP</th>
              <th scope="col">Latency</th>
              <th scope="col">Response</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {conn.edges.map(({ node: d }) => (
              <tr key={d.id}>
                <td>
                  <time dateTime={d.createdAt}>{new Date(d.createdAt).toLocaleString()}</time>
                </td>
                <td className="mono">{d.eventType}</td>
                <td>
                  <span className={`delivery-status delivery-status--${d.status.toLowerCase()}`}>{STATUS_LABEL[d.status]}</span>
                  {d.attempts > 1 && <span className="muted small"> · {d.attempts} attempts</span>}
                </td>
                <td className="mono">{d.lastStatusCode ?? '—'}</td>
                <td className="mono">{d.lastLatencyMs != null ? `${d.lastLatencyMs} ms` : '—'}</td>
                <td className="delivery-response">{d.lastError ?? (d.status === 'DELIVERED' ? 'OK' : '—')}</td>
                <td>
                  {d.status !== 'PENDING' && (
                    <button
                      type="button"
                      className="button button--small"
                      aria-label={`Redeliver ${d.eventType} of ${new Date(d.createdAt).toLocaleString()}`}
                      onClick={async () => {
                        if (redelivered.fetching) return;
                        const res = await redeliver({ deliveryId: d.id });
                        if (!res.error) refetch({ requestPolicy: 'network-only' });
                      }}
                    >
                      Redeliver
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Alert>{formErrors(redelivered.error).message}</Alert>
      {last && conn.pageInfo.hasNextPage && conn.pageInfo.endCursor && (
        <div>
          <button type="button" className="button button--small" onClick={() => onMore(conn.pageInfo.endCursor!)}>
            Older deliveries
          </button>
        </div>
      )}
    </>
  );
}
