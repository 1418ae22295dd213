import { screen, waitFor, within } from '@testing-library/react';
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
    expect(sent.find((op) => op.name === 'Feed')?.variables).toEqual({ first: 20, after: null });
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

  it('shows posters and durations and links each video to its watch page', async () => {
    fakeClipcut({
      videos: [
        { id: 'v1', title: 'Sunset timelapse', owner: 'Grace', duration: 125.4, posterUrl: '/media/v/v1/poster.jpg' },
        { id: 'v2', title: 'No poster yet', owner: 'Linus', duration: null },
      ],
    });
    const { container } = renderApp('/');
    const list = await screen.findByRole('list', { name: 'Videos' });
    const [first, second] = within(list).getAllByRole('listitem');
    expect(within(first!).getByRole('link', { name: 'Sunset timelapse' })).toHaveAttribute('href', '/watch/v1');
    expect(first!.querySelector('img')).toHaveAttribute('src', '/media/v/v1/poster.jpg');
    expect(within(first!).getByText('2:05')).toBeInTheDocument();
    expect(within(first!).getByText(/2 minutes 5 seconds/)).toBeInTheDocument();
    expect(second!.querySelector('img')).toBeNull();
    expect(container.querySelectorAll('.video-thumb__badge')).toHaveLength(1);
  });

  it('loads the next page of the connection on request', async () => {
    const page = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        __typename: 'VideoEdge',
        cursor: `c${from + i}`,
        node: {
          __typename: 'Video',
          id: `v${from + i}`,
          title: `Video ${from + i}`,
          duration: 10,
          createdAt: '2026-11-20T12:00:00Z',
          owner: { __typename: 'User', id: 'u', name: 'Grace' },
          playback: null,
        },
      }));
    fakeClipcut({
      override: ({ name, variables }) => {
        if (name !== 'Feed') return undefined;
        const after = variables.after as string | null;
        const edges = after === null ? page(0, 20) : page(20, 3);
        return {
          data: {
            videos: {
              __typename: 'VideoConnection',
              edges,
              pageInfo: { __typename: 'PageInfo', hasNextPage: after === null, endCursor: after === null ? 'c19' : 'c22' },
            },
          },
        };
      },
    });
    renderApp('/');
    const list = await screen.findByRole('list', { name: 'Videos' });
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(20));
    await userEvent.click(await screen.findByRole('button', { name: 'More videos' }));
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(23));
    expect(sent.filter((op) => op.name === 'Feed').map((op) => op.variables.after)).toEqual([null, 'c19']);
    expect(screen.queryByRole('button', { name: 'More videos' })).not.toBeInTheDocument();
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
