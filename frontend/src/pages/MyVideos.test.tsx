import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { badInput, fakeClipcut, sent, type FakeResult } from '../test/fakeServer';
import { renderApp } from '../test/render';

vi.mock('../graphql/client', async () => ({
  createClipcutClient: (await import('../test/fakeServer')).fakeClient,
}));

const ada = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse' };

interface Row {
  id: string;
  title: string;
  description: string | null;
  status: 'UPLOADING' | 'PROCESSING' | 'READY' | 'FAILED' | 'TAKEN_DOWN';
  playable: boolean;
  privacy: 'PUBLIC' | 'UNLISTED' | 'PRIVATE';
  duration: number | null;
  posterUrl: string | null;
  processing: { stage: string; percent: number; error: string | null } | null;
  /** The server's Video.retryable; by default, any FAILED video. */
  retryable?: boolean;
  takedownReason?: string;
  /** The owner's open appeal against the takedown. */
  takedownAppeal?: string;
  /** The administrators' answer to it. */
  appealAnswer?: string;
}

let videos: Row[];
let streams: Map<string, (r: FakeResult) => void>;

const node = (v: Row) => ({
  __typename: 'Video',
  id: v.id,
  title: v.title,
  description: v.description,
  status: v.status,
  playable: v.playable,
  privacy: v.privacy,
  duration: v.duration,
  createdAt: '2026-11-20T12:00:00Z',
  playback: v.posterUrl ? { __typename: 'Playback', posterUrl: v.posterUrl } : null,
  processing: v.processing ? { __typename: 'Processing', ...v.processing } : null,
  retryable: v.retryable ?? v.status === 'FAILED',
  upload: null,
  takedownReason: v.takedownReason ?? null,
  takedownAppeal: v.takedownAppeal
    ? {
        __typename: 'TakedownAppeal',
        message: v.takedownAppeal,
        createdAt: '2026-11-21T12:00:00Z',
        answer: v.appealAnswer ?? null,
        answeredAt: v.appealAnswer ? '2026-11-22T12:00:00Z' : null,
      }
    : null,
});

function server() {
  fakeClipcut({
    accounts: [ada],
    signedInAs: ada.email,
    override: ({ name, variables }) => {
      const input = (variables.input ?? {}) as Record<string, string>;
      switch (name) {
        case 'MyVideos':
          return {
            data: {
              me: {
                __typename: 'User',
                id: 'usr_1',
                videos: {
                  __typename: 'VideoConnection',
                  edges: videos.map((v) => ({ __typename: 'VideoEdge', cursor: `c_${v.id}`, node: node(v) })),
                  pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
                },
              },
            },
          };
        case 'VideoProgress':
          return { stream: (push) => void streams.set(variables.id as string, push) };
        case 'UpdateVideo': {
          if (!input.title) return badInput('title', 'Title must be 1 to 200 characters.');
          const v = videos.find((x) => x.id === input.id)!;
          Object.assign(v, { title: input.title, description: input.description, privacy: input.privacy });
          return { data: { updateVideo: { __typename: 'Video', id: v.id, title: v.title, description: v.description, privacy: v.privacy } } };
        }
        case 'AppealTakedown': {
          const v = videos.find((x) => x.id === variables.id || x.id === variables.videoId)!;
          if (v.takedownAppeal) return badInput('videoId', 'You already appealed this takedown.');
          v.takedownAppeal = variables.message as string;
          return { data: { appealTakedown: node(v) } };
        }
        case 'DeleteVideo':
          videos = videos.filter((x) => x.id !== variables.id);
          return { data: { deleteVideo: true } };
        case 'RetryProcessing': {
          const v = videos.find((x) => x.id === variables.id)!;
          Object.assign(v, { status: 'PROCESSING', processing: { stage: 'queued', percent: 0, error: null } });
          return { data: { retryProcessing: { __typename: 'Video', id: v.id, status: v.status, playable: false, processing: { __typename: 'Processing', ...v.processing! } } } };
        }
        default:
          return undefined;
      }
    },
  });
}

beforeEach(() => {
  streams = new Map();
  videos = [
    { id: 'v_ready', title: 'Sunset', description: 'Over the sea', status: 'READY', playable: true, privacy: 'PUBLIC', duration: 65, posterUrl: '/media/v/v_ready/poster.jpg', processing: { stage: 'done', percent: 100, error: null } },
    { id: 'v_proc', title: 'Concert', description: null, status: 'PROCESSING', playable: false, privacy: 'PRIVATE', duration: 300, posterUrl: null, processing: { stage: 'transcode', percent: 20, error: null } },
    { id: 'v_fail', title: 'Broken', description: null, status: 'FAILED', playable: false, privacy: 'PUBLIC', duration: null, posterUrl: null, processing: { stage: 'failed', percent: 0, error: 'Processing failed at the transcode step after 4 attempts because of a problem on the server, not with your file.' } },
  ];
});

const row = (title: string) => screen.getByRole('listitem', { name: title });

describe('my videos', () => {
  it("lets the owner appeal a takedown once, showing the reason and then 'Appeal sent'", async () => {
    videos.push({ id: 'v_down', title: 'Song', description: null, status: 'TAKEN_DOWN', playable: false, privacy: 'PUBLIC', duration: 30,
      posterUrl: null, processing: null, takedownReason: 'Copyright claim' });
    server();
    renderApp('/my-videos');
    await screen.findByRole('list', { name: 'Your videos' });
    const down = row('Song');
    expect(within(down).getByRole('alert')).toHaveTextContent('Taken down by the administrators: Copyright claim');
    expect(within(row('Sunset')).queryByLabelText('Appeal')).not.toBeInTheDocument();
    await userEvent.type(within(down).getByLabelText('Appeal'), '  It is my own song.  ');
    await userEvent.click(within(down).getByRole('button', { name: 'Send' }));
    expect(await within(row('Song')).findByRole('status')).toHaveTextContent('Appeal sent');
    expect(within(row('Song')).queryByLabelText('Appeal')).not.toBeInTheDocument();
    expect(sent.find((op) => op.name === 'AppealTakedown')?.variables).toEqual({ videoId: 'v_down', message: 'It is my own song.' });
  });

  it("shows the administrators' answer to an appeal and when it came, without the form", async () => {
    videos = [{ id: 'v_down', title: 'Song', description: null, status: 'TAKEN_DOWN', playable: false, privacy: 'PUBLIC', duration: 30,
      posterUrl: null, processing: null, takedownReason: 'Copyright claim', takedownAppeal: 'It is my own song.', appealAnswer: "The label's claim stands." }];
    server();
    renderApp('/my-videos');
    await screen.findByRole('list', { name: 'Your videos' });
    const status = within(row('Song')).getByRole('status');
    expect(status).toHaveTextContent(/Your appeal was answered on .+; the video stays down:/);
    expect(status).toHaveTextContent("The label's claim stands.");
    expect(within(status).getByText((_, el) => el?.tagName === 'TIME')).toHaveAttribute('dateTime', '2026-11-22T12:00:00Z');
    expect(within(row('Song')).queryByLabelText('Appeal')).not.toBeInTheDocument();
  });

  it('shows an appealed takedown as sent, without the form', async () => {
    videos = [{ id: 'v_down', title: 'Song', description: null, status: 'TAKEN_DOWN', playable: false, privacy: 'PUBLIC', duration: 30,
      posterUrl: null, processing: null, takedownReason: 'Copyright claim', takedownAppeal: 'Mine.' }];
    server();
    renderApp('/my-videos');
    expect(await within(await screen.findByRole('listitem', { name: 'Song' })).findByRole('status')).toHaveTextContent('Appeal sent');
    expect(screen.queryByLabelText('Appeal')).not.toBeInTheDocument();
  });

  it('lists the videos with poster, status and privacy, linking playable ones to their watch page', async () => {
    server();
    renderApp('/my-videos');
    const list = await screen.findByRole('list', { name: 'Your videos' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(3);

    const ready = row('Sunset');
    expect(within(ready).getByRole('link', { name: 'Sunset' })).toHaveAttribute('href', '/watch/v_ready');
    expect(ready.querySelector('img')).toHaveAttribute('src', '/media/v/v_ready/poster.jpg');
    expect(ready).toHaveTextContent('Ready');
    expect(ready).toHaveTextContent('Public');
    expect(ready).toHaveTextContent('1 minute 5 seconds');

    const proc = row('Concert');
    expect(within(proc).queryByRole('link', { name: 'Concert' })).not.toBeInTheDocument();
    expect(proc).toHaveTextContent('Private');

    expect(within(row('Broken')).getByRole('alert')).toHaveTextContent('problem on the server');
  });

  it('shows live progress for a processing video and reloads it when ready', async () => {
    server();
    renderApp('/my-videos');
    await screen.findByRole('list', { name: 'Your videos' });
    await waitFor(() => expect(streams.has('v_proc')).toBe(true));
    expect(streams.has('v_ready')).toBe(false); // only processing videos are followed

    const push = streams.get('v_proc')!;
    act(() => push({ data: { videoProgress: { __typename: 'VideoProgress', videoId: 'v_proc', status: 'PROCESSING', stage: 'transcode', percent: 64, playable: true, error: null } } }));
    const proc = row('Concert');
    expect(within(proc).getByRole('progressbar', { name: 'Processing of Concert' })).toHaveAttribute('aria-valuenow', '64');
    expect(proc).toHaveTextContent('Transcoding · 64% · playable now');

    Object.assign(videos[1]!, { status: 'READY', playable: true, processing: { stage: 'done', percent: 100, error: null } });
    const before = sent.filter((op) => op.name === 'MyVideos').length;
    act(() => push({ data: { videoProgress: { __typename: 'VideoProgress', videoId: 'v_proc', status: 'READY', stage: 'done', percent: 100, playable: true, error: null } } }));
    await waitFor(() => expect(sent.filter((op) => op.name === 'MyVideos').length).toBeGreaterThan(before));
    expect(await within(row('Concert')).findByRole('link', { name: 'Concert' })).toHaveAttribute('href', '/watch/v_proc');
  });

  it('edits title, description and privacy, showing the server’s field errors', async () => {
    const user = userEvent.setup();
    server();
    renderApp('/my-videos');
    await screen.findByRole('list', { name: 'Your videos' });
    await user.click(within(row('Sunset')).getByRole('button', { name: 'Edit Sunset' }));

    const form = await screen.findByRole('form', { name: 'Edit Sunset' });
    const title = within(form).getByLabelText('Title');
    await waitFor(() => expect(title).toHaveFocus());
    await user.clear(title);
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(await within(form).findByText('Title must be 1 to 200 characters.')).toBeInTheDocument();
    expect(title).toHaveAttribute('aria-invalid', 'true');

    await user.type(title, 'Sunset over Brest');
    await user.clear(within(form).getByLabelText('Description'));
    await user.type(within(form).getByLabelText('Description'), 'Shot on a phone');
    await user.selectOptions(within(form).getByLabelText('Who can watch'), 'UNLISTED');
    await user.click(within(form).getByRole('button', { name: 'Save' }));

    expect(await screen.findByRole('status')).toHaveTextContent('Saved “Sunset over Brest”.');
    expect(sent.filter((op) => op.name === 'UpdateVideo').at(-1)?.variables).toEqual({
      input: { id: 'v_ready', title: 'Sunset over Brest', description: 'Shot on a phone', privacy: 'UNLISTED' },
    });
    const edited = await screen.findByRole('listitem', { name: 'Sunset over Brest' });
    expect(edited).toHaveTextContent('Unlisted');
    // Focus goes back to the row's Edit button once the form is gone (a frame later).
    await waitFor(() => expect(within(edited).getByRole('button', { name: 'Edit Sunset over Brest' })).toHaveFocus());
  });

  it('deletes a video only after confirmation', async () => {
    const user = userEvent.setup();
    server();
    renderApp('/my-videos');
    await screen.findByRole('list', { name: 'Your videos' });
    await user.click(within(row('Sunset')).getByRole('button', { name: 'Delete Sunset' }));
    const confirm = within(row('Sunset')).getByRole('group', { name: 'Delete Sunset' });
    await user.click(within(confirm).getByRole('button', { name: 'Keep it' }));
    expect(sent.some((op) => op.name === 'DeleteVideo')).toBe(false);

    await user.click(within(row('Sunset')).getByRole('button', { name: 'Delete Sunset' }));
    await user.click(within(row('Sunset')).getByRole('button', { name: 'Delete video' }));
    await waitFor(() => expect(screen.queryByRole('listitem', { name: 'Sunset' })).not.toBeInTheDocument());
    expect(sent.find((op) => op.name === 'DeleteVideo')?.variables).toEqual({ id: 'v_ready' });
    expect(screen.getByRole('status')).toHaveTextContent('Deleted “Sunset”.');
  });

  it('retries a failed video and follows it again', async () => {
    server();
    renderApp('/my-videos');
    await screen.findByRole('list', { name: 'Your videos' });
    await userEvent.click(within(row('Broken')).getByRole('button', { name: 'Retry processing Broken' }));
    expect(sent.find((op) => op.name === 'RetryProcessing')?.variables).toEqual({ id: 'v_fail' });
    await waitFor(() => expect(row('Broken')).toHaveAttribute('data-status', 'PROCESSING'));
    await waitFor(() => expect(streams.has('v_fail')).toBe(true));
  });

  it('offers no retry where the server says a retry cannot help', async () => {
    videos.push({ id: 'v_junk', title: 'Junk', description: null, status: 'FAILED', playable: false, privacy: 'PUBLIC',
      duration: null, posterUrl: null, retryable: false,
      processing: { stage: 'failed', percent: 0, error: 'The file is not a video or audio file ffmpeg can read.' } });
    server();
    renderApp('/my-videos');
    await screen.findByRole('list', { name: 'Your videos' });
    expect(within(row('Junk')).queryByRole('button', { name: /Retry processing/ })).not.toBeInTheDocument();
    expect(within(row('Broken')).getByRole('button', { name: 'Retry processing Broken' })).toBeInTheDocument();
  });
});
