import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { complement, keepForCuts, normalize, parseTime, skipTarget, toOriginalRanges, toOriginalTime, wordRanges } from '../studio/ranges';
import { badInput, fakeClipcut, sent, type FakeResponse } from '../test/fakeServer';
import { renderApp } from '../test/render';
import { stripCells, tileStyle } from './Studio';

vi.mock('../graphql/client', async () => ({
  createClipcutClient: (await import('../test/fakeServer')).fakeClient,
}));

vi.mock('../player/engine', () => ({
  canUseMediaSource: () => false,
  canPlayNativeHLS: () => true,
  loadHls: () => new Promise(() => {}),
}));

const ADA = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse' };

const WORDS = [
  { start: 1.0, end: 1.4, text: 'We' },
  { start: 1.5, end: 1.9, text: 'cut' },
  { start: 2.0, end: 2.3, text: 'the' },
  { start: 2.4, end: 3.0, text: 'boring' },
  { start: 3.1, end: 3.6, text: 'part.' },
].map((w) => ({ __typename: 'Word', ...w }));

let ownerId: string;
let edit: { start: number; end: number }[] | null;
let duration: number;
let onEdit: (vars: Record<string, unknown>) => FakeResponse;

function studioVideo() {
  return {
    __typename: 'Video',
    id: 'vid_1',
    title: 'Talk',
    status: 'READY',
    playable: true,
    duration,
    width: 640,
    height: 360,
    owner: { __typename: 'User', id: ownerId },
    edit: edit && edit.map((r) => ({ __typename: 'TimeRange', ...r })),
    chapters: [
      { __typename: 'Chapter', start: 0, title: 'Intro' },
      { __typename: 'Chapter', start: 5, title: 'Main' },
    ],
    processing: { __typename: 'Processing', stage: 'done', percent: 100, error: null },
    playback: { __typename: 'Playback', hlsUrl: '/media/v/vid_1/hls/master.m3u8', posterUrl: '/media/v/vid_1/poster.jpg', storyboardUrl: null },
  };
}

function server() {
  fakeClipcut({
    accounts: [ADA],
    signedInAs: ADA.email,
    override: ({ name, variables }) => {
      switch (name) {
        case 'Studio':
          return {
            data: {
              video: {
                ...studioVideo(),
                subtitles: [{ __typename: 'SubtitleTrack', language: 'en', label: 'English (auto-generated)', generated: true, words: WORDS }],
                subtitleState: { __typename: 'SubtitleState', status: 'ready', note: null },
              },
            },
          };
        case 'StudioEditVideo':
          return onEdit(variables);
        case 'StudioCreateClip':
          return { data: { createClip: { __typename: 'Video', id: 'vid_2', title: 'Clip of Talk' } } };
        case 'StudioSetChapters': {
          const chapters = variables.chapters as { title: string }[] | null;
          if (chapters?.some((c) => c.title === '')) return badInput('title', 'A chapter needs a title.');
          return { data: { setChapters: studioVideo() } };
        }
        case 'StudioSetPoster':
          if ((variables.input as { time: number }).time > 9) return badInput('time', 'time must be before the video’s end.');
          return { data: { setPoster: studioVideo() } };
        default:
          return undefined;
      }
    },
  });
}

beforeEach(() => {
  // jsdom plays nothing: play() resolves, pause() is a no-op.
  vi.spyOn(HTMLMediaElement.prototype, 'play').mockResolvedValue(undefined);
  vi.spyOn(HTMLMediaElement.prototype, 'pause').mockImplementation(() => {});
  ownerId = 'usr_1';
  edit = null;
  duration = 10;
  onEdit = ({ input }) => {
    const keep = (input as { keep: { start: number; end: number }[] | null }).keep;
    return { data: { editVideo: { ...studioVideo(), edit: keep && keep.map((r) => ({ __typename: 'TimeRange', ...r })) } } };
  };
});

async function openStudio() {
  server();
  const user = userEvent.setup();
  const { container } = renderApp('/videos/vid_1/studio');
  expect(await screen.findByRole('heading', { level: 1, name: 'Studio: “Talk”' })).toBeInTheDocument();
  const video = container.querySelector('video')!;
  Object.defineProperty(video, 'duration', { configurable: true, value: duration });
  /** Moves the player to `t` seconds, as playback would. */
  const at = (t: number) => {
    video.currentTime = t;
    fireEvent.timeUpdate(video);
  };
  return { user, video, at };
}

const lastEdit = () => sent.filter((op) => op.name === 'StudioEditVideo').at(-1)?.variables.input;

describe('studio', () => {
  it('does not start playing by itself', async () => {
    await openStudio();
    await waitFor(() => expect(screen.queryByRole('button', { name: /^Play/ })).toBeInTheDocument());
    expect(HTMLMediaElement.prototype.play).not.toHaveBeenCalled();
  });

  it('fills each storyboard cell with exactly one thumbnail', () => {
    const tile = { url: '/s/sprite_000.jpg', x: 160, y: 90, w: 160, h: 90 };
    expect(stripCells(0, tile)).toBe(12);
    for (const width of [300, 361, 780, 1100]) {
      const n = stripCells(width, tile);
      const cell = width / n;
      expect(Math.abs(cell - (44 * 160) / 90)).toBeLessThanOrEqual((44 * 160) / 90 / 2 + 1e-9);
      const st = tileStyle(tile, cell);
      const scale = Number(/scale\(([\d.]+)\)/.exec(st.transform)![1]);
      const [w, h] = [parseFloat(st.width), parseFloat(st.height)];
      // Covers the cell: no gap where the sheet's next tile would show.
      expect(w * scale).toBeGreaterThanOrEqual(cell - 1e-9);
      expect(h * scale).toBeGreaterThanOrEqual(44 - 1e-9);
      expect(parseFloat(st.left)).toBeLessThanOrEqual(0);
      expect(parseFloat(st.top)).toBeLessThanOrEqual(0);
      // And shows nothing but its own tile.
      const [bx, by] = st.backgroundPosition.split(' ').map((v) => -parseFloat(v));
      expect(bx).toBeGreaterThanOrEqual(tile.x);
      expect(by).toBeGreaterThanOrEqual(tile.y);
      expect(bx! + w).toBeLessThanOrEqual(tile.x + tile.w);
      expect(by! + h).toBeLessThanOrEqual(tile.y + tile.h);
    }
  });

  it('marks in and out with the keys I and O, cuts the range and saves the rest as keep ranges', async () => {
    const { user, at } = await openStudio();
    at(1);
    fireEvent.keyDown(document.body, { key: 'i' });
    at(2.5);
    fireEvent.keyDown(document.body, { key: 'o' });
    expect(screen.getByText(/^In:/)).toHaveTextContent('In: 0:01.0');
    expect(screen.getByText(/^Out:/)).toHaveTextContent('Out: 0:02.5');
    await user.click(screen.getByRole('button', { name: 'Cut out marked range' }));
    const cuts = screen.getByRole('list', { name: 'Cut ranges' });
    expect(within(cuts).getByText(/0:01\.0 – 0:02\.5/)).toBeInTheDocument();
    expect(screen.getByTestId('studio-result')).toHaveTextContent('0:08.5');

    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(lastEdit()).toEqual({ videoId: 'vid_1', keep: [{ start: 0, end: 1 }, { start: 2.5, end: 10 }] }));
    expect(await screen.findByText(/Saving the edit/)).toBeInTheDocument();
  });

  it('removes a cut from the list', async () => {
    const { user, at } = await openStudio();
    at(4);
    await user.click(screen.getByRole('button', { name: /Mark in/ }));
    at(6);
    await user.click(screen.getByRole('button', { name: /Mark out/ }));
    await user.click(screen.getByRole('button', { name: 'Cut out marked range' }));
    await user.click(screen.getByRole('button', { name: 'Remove cut 0:04.0 to 0:06.0' }));
    expect(screen.getByText('Nothing cut yet.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
  });

  it('says what is missing when cutting without marks', async () => {
    const { user } = await openStudio();
    await user.click(screen.getByRole('button', { name: 'Cut out marked range' }));
    expect(screen.getByText(/Mark in and out first/)).toBeInTheDocument();
  });

  it('shows every word with its time, cuts selected words with Delete and clips a quote', async () => {
    const { user } = await openStudio();
    const words = screen.getByRole('group', { name: 'Transcript words' });
    expect(within(words).getAllByRole('button')).toHaveLength(5);
    const cut = within(words).getByRole('button', { name: /^cut\s*0:01\.5$/ });
    expect(cut).toHaveTextContent('0:01.5');
    // Select "the boring" (click, shift-click) and clip exactly that quote.
    await user.click(within(words).getByRole('button', { name: /^the\s*0:02\.0$/ }));
    await user.keyboard('{Shift>}');
    await user.click(within(words).getByRole('button', { name: /^boring\s*0:02\.4$/ }));
    await user.keyboard('{/Shift}');
    expect(screen.getByText('2 words selected, 0:02.0 to 0:03.0.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Clip this' }));
    await waitFor(() =>
      expect(sent.find((op) => op.name === 'StudioCreateClip')?.variables).toEqual({ input: { videoId: 'vid_1', start: 2, end: 3 } }),
    );
    expect(await screen.findByText(/Making the clip “Clip of Talk”/)).toBeInTheDocument();

    // Delete cuts them; they show as cut.
    within(words).getByRole('button', { name: /^boring\s*0:02\.4$/ }).focus();
    await user.keyboard('{Delete}');
    expect(within(words).getByRole('button', { name: /^boring\s*0:02\.4\s*, cut$/ })).toBeInTheDocument();
    expect(within(words).getByRole('button', { name: /^the\s*0:02\.0\s*, cut$/ })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(lastEdit()).toEqual({ videoId: 'vid_1', keep: [{ start: 0, end: 2 }, { start: 3, end: 10 }] }));
  });

  it('maps cuts onto the original when the video is already edited, and restores the original', async () => {
    edit = [{ start: 0, end: 4 }, { start: 6, end: 10 }];
    duration = 8;
    const { user, at } = await openStudio();
    expect(screen.getByText(/already edited: 2 kept ranges/)).toBeInTheDocument();
    at(3);
    fireEvent.keyDown(document.body, { key: 'I' });
    at(5);
    fireEvent.keyDown(document.body, { key: 'O' });
    await user.click(screen.getByRole('button', { name: 'Cut out marked range' }));
    await user.click(screen.getByRole('button', { name: 'Save' }));
    // 3 to 5 as it plays now is 3 to 4 and 6 to 7 of the original.
    await waitFor(() => expect(lastEdit()).toEqual({ videoId: 'vid_1', keep: [{ start: 0, end: 3 }, { start: 7, end: 10 }] }));
    await user.click(await screen.findByRole('button', { name: 'Restore original' }));
    await waitFor(() => expect(lastEdit()).toEqual({ videoId: 'vid_1', keep: null }));
  });

  it('shows the API’s refusal next to Save', async () => {
    onEdit = () => badInput('keep', 'keep ranges must be in order.');
    const { user, at } = await openStudio();
    at(1);
    fireEvent.keyDown(document.body, { key: 'i' });
    at(2);
    fireEvent.keyDown(document.body, { key: 'o' });
    await user.click(screen.getByRole('button', { name: 'Cut out marked range' }));
    await user.click(screen.getByRole('button', { name: 'Save' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('keep ranges must be in order.');
    expect(screen.getByRole('button', { name: 'Save' })).toHaveAttribute('aria-describedby', alert.id);
  });

  it('edits the chapters list, shows a refused title next to it, and goes back to the description’s', async () => {
    const { user, at } = await openStudio();
    expect(screen.getByRole('textbox', { name: 'Title of chapter 2' })).toHaveValue('Main');
    at(7.5);
    await user.click(screen.getByRole('button', { name: 'Add chapter here' }));
    expect(screen.getByRole('textbox', { name: 'Start of chapter 3' })).toHaveValue('0:07.5');
    await user.click(screen.getByRole('button', { name: 'Save chapters' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('A chapter needs a title.');
    expect(screen.getByRole('textbox', { name: 'Title of chapter 3' })).toHaveAttribute('aria-invalid', 'true');
    await user.type(screen.getByRole('textbox', { name: 'Title of chapter 3' }), 'Outro');
    await user.click(screen.getByRole('button', { name: 'Remove chapter 1' }));
    await user.click(screen.getByRole('button', { name: 'Save chapters' }));
    await waitFor(() =>
      expect(sent.filter((op) => op.name === 'StudioSetChapters').at(-1)?.variables).toEqual({
        videoId: 'vid_1',
        chapters: [
          { start: 5, title: 'Main' },
          { start: 7.5, title: 'Outro' },
        ],
      }),
    );
    await user.click(screen.getByRole('button', { name: 'Use the description’s' }));
    await waitFor(() => expect(sent.filter((op) => op.name === 'StudioSetChapters').at(-1)?.variables).toEqual({ videoId: 'vid_1', chapters: null }));
  });

  it('makes the current frame the poster, and uploads an image', async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ error: { code: 'BAD_USER_INPUT', message: 'The image does not decode.', field: 'image' } }), { status: 400 }));
    vi.stubGlobal('fetch', fetchMock);
    const { user, at } = await openStudio();
    at(4.25);
    await user.click(screen.getByRole('button', { name: 'Use this frame (0:04.3)' }));
    await waitFor(() => expect(sent.find((op) => op.name === 'StudioSetPoster')?.variables).toEqual({ input: { videoId: 'vid_1', time: 4.25 } }));
    expect(await screen.findByText(/becomes the poster/)).toBeInTheDocument();

    const input = screen.getByLabelText(/Upload an image/);
    await user.upload(input, new File(['not an image'], 'p.png', { type: 'image/png' }));
    await user.click(screen.getByRole('button', { name: 'Upload poster' }));
    expect(await screen.findByText('The image does not decode.')).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledWith('/api/v1/videos/vid_1/poster', expect.objectContaining({ method: 'PUT' }));
    expect(input).toHaveAttribute('aria-invalid', 'true');
    vi.unstubAllGlobals();
  });

  it('previews by skipping the cut ranges', async () => {
    const { user, video, at } = await openStudio();
    at(2);
    fireEvent.keyDown(document.body, { key: 'i' });
    at(4);
    fireEvent.keyDown(document.body, { key: 'o' });
    await user.click(screen.getByRole('button', { name: 'Cut out marked range' }));
    await user.click(screen.getByRole('button', { name: 'Preview' }));
    expect(screen.getByRole('button', { name: 'Stop preview' })).toHaveAttribute('aria-pressed', 'true');
    act(() => at(2.5));
    expect(video.currentTime).toBe(4); // jumped over the cut
  });

  it('is only for the owner', async () => {
    ownerId = 'usr_9';
    server();
    renderApp('/videos/vid_1/studio');
    expect(await screen.findByText('Only the video’s owner can edit it.')).toBeInTheDocument();
  });
});

describe('studio ranges', () => {
  it('merges, complements and maps ranges onto the original', () => {
    expect(normalize([{ start: 5, end: 3 }, { start: 2, end: 4 }, { start: 9, end: 12 }], 10)).toEqual([
      { start: 2, end: 5 },
      { start: 9, end: 10 },
    ]);
    expect(complement([{ start: 2, end: 5 }], 10)).toEqual([
      { start: 0, end: 2 },
      { start: 5, end: 10 },
    ]);
    expect(complement([{ start: 0, end: 10 }], 10)).toEqual([]);
    const edit = [
      { start: 1, end: 3 },
      { start: 5, end: 9 },
    ];
    expect(toOriginalTime(2.5, edit)).toBe(5.5);
    expect(toOriginalTime(0, null)).toBe(0);
    expect(toOriginalRanges([{ start: 1, end: 4 }], edit)).toEqual([
      { start: 2, end: 3 },
      { start: 5, end: 7 },
    ]);
    expect(keepForCuts([{ start: 1.5, end: 2.5 }], 6, edit)).toEqual([
      { start: 1, end: 2.5 },
      { start: 5.5, end: 9 },
    ]);
    expect(keepForCuts([], 10, null)).toEqual([{ start: 0, end: 10 }]);
    expect(skipTarget(3, [{ start: 2, end: 4 }])).toBe(4);
    expect(skipTarget(4, [{ start: 2, end: 4 }])).toBeNull();
    expect(wordRanges(WORDS, new Set([0, 1, 3]))).toEqual([
      { start: 1, end: 1.9 },
      { start: 2.4, end: 3 },
    ]);
    expect(parseTime('1:05.5')).toBe(65.5);
    expect(parseTime('1:02:03')).toBe(3723);
    expect(parseTime('abc')).toBeNull();
  });
});
