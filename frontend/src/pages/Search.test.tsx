import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeClipcut, sent } from '../test/fakeServer';
import { renderApp } from '../test/render';
import { markWords, queryWords } from './Search';

vi.mock('../graphql/client', async () => ({
  createClipcutClient: (await import('../test/fakeServer')).fakeClient,
}));

const owner = { __typename: 'User', id: 'usr_9', name: 'Grace Hopper', handle: 'grace' };

function hit(id: string, title: string, runs: [string, boolean][], description: [string, boolean][] = []) {
  return {
    __typename: 'SearchEdge',
    cursor: `c_${id}`,
    node: {
      __typename: 'Video',
      id,
      title,
      duration: 65,
      createdAt: '2026-11-20T12:00:00Z',
      viewCount: 3,
      owner,
      playback: null,
    },
    titleHighlight: runs.map(([text, match]) => ({ __typename: 'TextRun', text, match })),
    descriptionHighlight: description.map(([text, match]) => ({ __typename: 'TextRun', text, match })),
  };
}

function server(edges = [hit('v1', 'Sailing <b>lessons</b>', [['Sailing', true], [' <b>lessons</b>', false]], [['We go ', false], ['sailing', true], ['.', false]])]) {
  fakeClipcut({
    override: ({ name }) => {
      if (name === 'SearchVideos') {
        return {
          data: {
            search: {
              __typename: 'SearchConnection',
              edges,
              pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
            },
          },
        };
      }
      if (name === 'SearchMoments') {
        return {
          data: {
            searchTranscripts: [
              {
                __typename: 'TranscriptMatch',
                video: { __typename: 'Video', id: 'v2', title: 'Harbour talk', duration: 300, createdAt: '2026-11-20T12:00:00Z', owner },
                cues: [{ __typename: 'TranscriptCue', start: 83.4, text: 'and then we went sailing' }],
              },
            ],
          },
        };
      }
      return undefined;
    },
  });
}

describe('search', () => {
  it('searches from the header box and shows highlighted videos and moments', async () => {
    server();
    renderApp('/');
    const box = await screen.findByRole('searchbox', { name: 'Search videos' });
    await userEvent.type(box, 'sailing{Enter}');

    expect(await screen.findByRole('heading', { level: 1, name: 'Results for “sailing”' })).toBeInTheDocument();
    const list = await screen.findByRole('list', { name: 'Videos found' });
    const [item] = within(list).getAllByRole('listitem');
    const title = within(item!).getByRole('link', { name: 'Sailing <b>lessons</b>' });
    expect(title).toHaveAttribute('href', '/watch/v1');
    // The title's markup is text, and only the matched word is marked.
    expect(title.querySelector('b')).toBeNull();
    expect(title.querySelector('mark')).toHaveTextContent(/^Sailing$/);
    expect(item!.querySelector('.search-result__excerpt mark')).toHaveTextContent(/^sailing$/);
    expect(within(item!).getByRole('link', { name: 'Grace Hopper' })).toHaveAttribute('href', '/c/grace');
    expect(within(item!).getByText('3 views')).toBeInTheDocument();

    const moments = await screen.findByRole('list', { name: 'Moments found' });
    const moment = within(moments).getByRole('link', { name: /At 1 minute 23 seconds:\s*and then we went sailing/ });
    expect(moment).toHaveAttribute('href', '/watch/v2?t=83');
    expect(moment.querySelector('mark')).toHaveTextContent(/^sailing$/);
    expect(sent.find((op) => op.name === 'SearchVideos')?.variables).toMatchObject({ query: 'sailing', filter: { uploaded: 'ANY', length: 'ANY' } });
  });

  it('filters by date and length through the URL', async () => {
    server();
    renderApp('/search?q=sailing');
    await screen.findByRole('list', { name: 'Videos found' });
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Upload date' }), 'This week');
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Length' }), 'Over 20 minutes');
    await waitFor(() =>
      expect(sent.filter((op) => op.name === 'SearchVideos').at(-1)?.variables).toMatchObject({ filter: { uploaded: 'WEEK', length: 'LONG' } }),
    );
    expect(window.location.search).toBe('?q=sailing&date=week&length=long');
    // The 5-minute moment is not over 20 minutes.
    expect(await screen.findByText('Nothing said in a video matches “sailing”.')).toBeInTheDocument();
    expect(screen.getByRole('searchbox', { name: 'Search videos' })).toHaveValue('sailing');
  });

  it('says when nothing matches', async () => {
    server([]);
    renderApp('/search?q=zzz');
    expect(await screen.findByText(/No video titles or descriptions match “zzz”/)).toBeInTheDocument();
  });

  it('asks for words without a query', async () => {
    server();
    renderApp('/search');
    expect(await screen.findByRole('heading', { level: 1, name: 'Search' })).toBeInTheDocument();
    expect(sent.some((op) => op.name === 'SearchVideos')).toBe(false);
  });
});

describe('markWords', () => {
  it('marks words starting with a query word, leaving operators out', () => {
    expect(queryWords('"big boat" -car or sail')).toEqual(['big', 'boat', 'sail']);
    const out = markWords('Sailing a big boat', ['sail', 'big']);
    expect(Array.isArray(out)).toBe(true);
  });
});
