import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { WebhookDeliveryItem, WebhookItem } from '../graphql/integrations';
import { badInput, fakeClipcut, sent } from '../test/fakeServer';
import { renderApp } from '../test/render';

vi.mock('../graphql/client', async () => ({
  createClipcutClient: (await import('../test/fakeServer')).fakeClient,
}));

const ada = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse' };

function delivery(over: Partial<WebhookDeliveryItem>): WebhookDeliveryItem {
  return {
    id: 'del_1',
    eventId: 'evt_1',
    eventType: 'video.ready',
    videoId: 'vid_1',
    status: 'DELIVERED',
    attempts: 1,
    lastStatusCode: 200,
    lastError: null,
    lastLatencyMs: 42,
    nextAttemptAt: null,
    createdAt: '2026-12-05T10:00:00Z',
    deliveredAt: '2026-12-05T10:00:01Z',
    ...over,
  };
}

function hookServer() {
  let hooks: WebhookItem[] = [
    {
      id: 'wh_1',
      url: 'https://example.com/hooks',
      events: ['VIDEO_READY'],
      active: true,
      createdAt: '2026-11-01T08:00:00Z',
      updatedAt: '2026-11-01T08:00:00Z',
    },
  ];
  let deliveries: WebhookDeliveryItem[] = [
    delivery({ id: 'del_1', status: 'FAILED', attempts: 9, lastStatusCode: 500, lastError: 'HTTP 500: database is down', lastLatencyMs: 1200 }),
  ];
  fakeClipcut({
    accounts: [ada],
    signedInAs: ada.email,
    override: ({ name, variables }) => {
      const input = (variables.input ?? {}) as Record<string, unknown>;
      switch (name) {
        case 'Webhooks':
          return { data: { webhooks: hooks } };
        case 'CreateWebhook': {
          if (!String(input.url).startsWith('https://')) return badInput('url', 'The URL must use https.');
          const h: WebhookItem = { id: 'wh_2', url: input.url as string, events: input.events as WebhookItem['events'], active: true, createdAt: '2026-12-06T08:00:00Z', updatedAt: '2026-12-06T08:00:00Z' };
          hooks = [h, ...hooks];
          return { data: { createWebhook: { secret: 'whsec_' + 'a'.repeat(40), webhook: h } } };
        }
        case 'UpdateWebhook':
          hooks = hooks.map((h) => (h.id === input.id ? { ...h, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) } : h));
          return { data: { updateWebhook: hooks.find((h) => h.id === input.id) } };
        case 'TestWebhook':
          deliveries = [delivery({ id: 'del_2', eventType: 'webhook.test', videoId: null, lastLatencyMs: 35, createdAt: '2026-12-06T09:00:00Z' }), ...deliveries];
          return { data: { testWebhook: { id: 'del_2' } } };
        case 'WebhookDeliveries':
          return {
            data: {
              webhookDeliveries: {
                edges: deliveries.map((d) => ({ cursor: d.id, node: d })),
                pageInfo: { hasNextPage: false, endCursor: null },
              },
            },
          };
        case 'RedeliverWebhook':
          deliveries = deliveries.map((d) => (d.id === variables.deliveryId ? { ...d, status: 'DELIVERED', lastStatusCode: 204, lastError: null, lastLatencyMs: 80 } : d));
          return { data: { redeliverWebhook: { id: variables.deliveryId, status: 'DELIVERED' } } };
      }
      return undefined;
    },
  });
}

describe('webhooks page', () => {
  it('creates a webhook and shows its signing secret once', async () => {
    hookServer();
    renderApp('/account/webhooks');
    const form = await screen.findByRole('form', { name: 'Add a webhook' });
    await userEvent.type(within(form).getByLabelText('Endpoint URL'), 'http://');
    for (const box of within(form).getAllByRole('checkbox', { checked: true })) await userEvent.click(box);
    await userEvent.click(within(form).getByRole('button', { name: 'Add webhook' }));
    // Both problems at once, before any request.
    expect(await within(form).findByText(/starting with https/)).toBeInTheDocument();
    expect(within(form).getByText('Choose at least one event.')).toBeInTheDocument();

    await userEvent.clear(within(form).getByLabelText('Endpoint URL'));
    await userEvent.type(within(form).getByLabelText('Endpoint URL'), 'https://hooks.example.org/clipcut');
    await userEvent.click(within(form).getByRole('checkbox', { name: /video\.playable/ }));
    await userEvent.click(within(form).getByRole('button', { name: 'Add webhook' }));

    const secret = await screen.findByRole('region', { name: 'New webhook secret' });
    expect(within(secret).getByLabelText('Signing secret')).toHaveValue('whsec_' + 'a'.repeat(40));
    expect(sent.find((op) => op.name === 'CreateWebhook')?.variables).toEqual({
      input: { url: 'https://hooks.example.org/clipcut', events: ['VIDEO_PLAYABLE'] },
    });
    const list = screen.getByRole('list', { name: 'Your webhooks' });
    expect(await within(list).findByText('https://hooks.example.org/clipcut')).toBeInTheDocument();
  });

  it('pauses, edits, sends a test and redelivers from the delivery log', async () => {
    hookServer();
    renderApp('/account/webhooks');
    const row = (await screen.findByText('https://example.com/hooks')).closest('li')!;
    expect(within(row).getByText('Active')).toBeInTheDocument();

    await userEvent.click(within(row).getByRole('button', { name: 'Pause' }));
    expect(await within(row).findByText('Paused')).toBeInTheDocument();
    expect(sent.find((op) => op.name === 'UpdateWebhook')?.variables).toEqual({ input: { id: 'wh_1', active: false } });

    await userEvent.click(within(row).getByRole('button', { name: 'Edit' }));
    const edit = within(row).getByRole('form', { name: 'Edit https://example.com/hooks' });
    await userEvent.click(within(edit).getByRole('checkbox', { name: /video\.failed/ }));
    await userEvent.click(within(edit).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(row).queryByRole('form')).not.toBeInTheDocument());
    expect(await within(row).findByText('video.failed')).toBeInTheDocument();

    await userEvent.click(within(row).getByRole('button', { name: 'Send test' }));
    const table = await within(row).findByRole('table');
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(within(rows[1]!).getByText('webhook.test')).toBeInTheDocument();
    expect(within(rows[1]!).getByText('35 ms')).toBeInTheDocument();
    expect(within(rows[2]!).getByText('HTTP 500: database is down')).toBeInTheDocument();
    expect(within(rows[2]!).getByText('Failed')).toBeInTheDocument();
    expect(within(rows[2]!).getByText('500')).toBeInTheDocument();

    await userEvent.click(within(rows[2]!).getByRole('button', { name: /^Redeliver video\.ready/ }));
    await waitFor(() => expect(within(table).getAllByText('Delivered')).toHaveLength(2));
    expect(sent.find((op) => op.name === 'RedeliverWebhook')?.variables).toEqual({ deliveryId: 'del_1' });
  });
});
