import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeClipcut, sent } from '../test/fakeServer';
import { renderApp } from '../test/render';

vi.mock('../graphql/client', async () => ({
  createClipcutClient: (await import('../test/fakeServer')).fakeClient,
}));

function video(id: string, title: string, views: number) {
  return {
    __typename: 'VideoEdge',
    cursor: `c_${id}`,
    node: { __typename: 'Video', id, title, duration: 30, createdAt: '2026-11-20T12:00:00Z', viewCount: views, playback: null },
  };
}

function server(found = true) {
  fakeClipcut({
    override: ({ name, variables }) => {
      if (name !== 'Channel') return undefined;
      if (!found) return { data: { channel: null } };
      const popular = variables.order === 'MOST_VIEWED';
      const edges = popular ? [video('v1', 'Old favourite', 90), video('v2', 'Fresh one', 1)] : [video('v2', 'Fresh one', 1), video('v1', 'Old favourite', 90)];
      return {
        data: {
          channel: {
            __typename: 'User',
            id: 'usr_9',
            name: 'grace hopper',
            handle: 'grace',
            description: 'Films about ships.',
            createdAt: '2026-01-02T00:00:00Z',
            videoCount: 2,
            channelVideos: {
              __typename: 'VideoConnection',
              edges,
              pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
            },
          },
        },
      };
    },
  });
}

describe('channel page', () => {
  it('shows who the channel is and its videos, newest or most viewed', async () => {
    server();
    renderApp('/c/grace');
    expect(await screen.findByRole('heading', { level: 1, name: 'grace hopper' })).toBeInTheDocument();
    expect(screen.getByText('G')).toHaveClass('avatar');
    expect(screen.getByText('Films about ships.')).toBeInTheDocument();
    expect(screen.getByText('2 videos')).toBeInTheDocument();
    expect(screen.getByText('@grace')).toBeInTheDocument();

    const titles = () => within(screen.getByRole('list', { name: 'Videos' })).getAllByRole('heading').map((h) => h.textContent);
    await waitFor(() => expect(titles()).toEqual(['Fresh one', 'Old favourite']));
    const tabs = screen.getByRole('navigation', { name: 'Sort videos' });
    expect(within(tabs).getByRole('link', { name: 'Newest' })).toHaveAttribute('aria-current', 'page');

    await userEvent.click(within(tabs).getByRole('link', { name: 'Most viewed' }));
    await waitFor(() => expect(titles()).toEqual(['Old favourite', 'Fresh one']));
    expect(within(tabs).getByRole('link', { name: 'Most viewed' })).toHaveAttribute('aria-current', 'page');
    expect(screen.getByText('90 views')).toBeInTheDocument();
    expect(sent.filter((op) => op.name === 'Channel').map((op) => op.variables.order)).toContain('MOST_VIEWED');
    expect(sent.find((op) => op.name === 'Channel')?.variables.handle).toBe('grace');
  });

  it('says when there is no such channel', async () => {
    server(false);
    renderApp('/c/nobody');
    expect(await screen.findByRole('heading', { level: 1, name: 'Channel not found' })).toBeInTheDocument();
  });
});
