import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { NETWORK_ERROR_MESSAGE } from '../graphql/errors';
import { fakeClipcut, sent } from '../test/fakeServer';
import { renderApp } from '../test/render';

vi.mock('../graphql/client', async () => ({
  createClipcutClient: (await import('../test/fakeServer')).fakeClient,
}));

describe('home page', () => {
  it('shows a friendly empty state', async () => {
    fakeClipcut();
    renderApp('/');
    expect(await screen.findByRole('heading', { name: 'No videos yet' })).toBeInTheDocument();
    expect(sent.find((op) => op.name === 'Feed')?.variables).toEqual({ first: 20 });
  });

  it('lists videos with their title and owner', async () => {
    fakeClipcut({
      videos: [
        { id: 'v1', title: 'Sunset timelapse', owner: 'Grace' },
        { id: 'v2', title: 'Cat vs. cucumber', owner: 'Linus' },
      ],
    });
    renderApp('/');

    const list = await screen.findByRole('list', { name: 'Videos' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(within(items[0]!).getByRole('heading', { name: 'Sunset timelapse' })).toBeInTheDocument();
    expect(within(items[0]!).getByText('Grace')).toBeInTheDocument();
    expect(within(items[1]!).getByText('Linus')).toBeInTheDocument();
    expect(screen.queryByText('No videos yet')).not.toBeInTheDocument();
  });

  it('explains a network failure and retries on request', async () => {
    let down = true;
    fakeClipcut({
      override: ({ name }) => (name === 'Feed' && down ? { networkError: new TypeError('Failed to fetch') } : undefined),
    });
    renderApp('/');

    expect(await screen.findByRole('alert')).toHaveTextContent(NETWORK_ERROR_MESSAGE);
    down = false;
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('No videos yet')).toBeInTheDocument();
  });

  it('shows a not-found page for unknown paths', async () => {
    fakeClipcut();
    renderApp('/no/such/page');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
  });
});
