import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { SessionProvider } from '../session';
import { fakeClient, fakeClipcut, sent, type FakeResult } from '../test/fakeServer';
import { renderApp } from '../test/render';
import { parseStartTime, prefetchWatchPage } from './Watch';

vi.mock('../graphql/client', async () => ({
  createClipcutClient: (await import('../test/fakeServer')).fakeClient,
}));

const engine = vi.hoisted(() => ({ loads: 0 }));
vi.mock('../player/engine', () => ({
  canUseMediaSource: () => false,
  canPlayNativeHLS: () => true,
  loadHls: () => {
    engine.loads++;
    return new Promise(() => {});
  },
}));

let playable: boolean;
let push: ((r: FakeResult) => void) | null;

function video() {
  return {
    __typename: 'Video',
    id: 'vid_1',
    title: 'Sunset over Brest',
    description: 'Shot on a phone.\nSecond line.',
    status: playable ? 'READY' : 'PROCESSING',
    playable,
    privacy: 'UNLISTED',
    duration: 6,
    width: 1280,
    height: 720,
    createdAt: '2026-11-20T12:00:00Z',
    viewCount: 1234,
    owner: { __typename: 'User', id: 'usr_2', name: 'Grace Hopper', handle: 'grace-hopper' },
    renditions: playable
      ? [
          ['480p', 854, 480],
          ['720p', 1280, 720],
        ].map(([name, width, height]) => ({
          __typename: 'Rendition',
          name,
          width,
          height,
          bandwidth: 1,
          averageBandwidth: 1,
          codecs: 'avc1.64001f,mp4a.40.2',
          frameRate: 30,
        }))
      : [],
    playback: playable
      ? {
          __typename: 'Playback',
          hlsUrl: 'http://clipcut.test/media/v/vid_1/master.m3u8',
          posterUrl: 'http://clipcut.test/media/v/vid_1/poster.jpg',
          storyboardUrl: null,
          expiresAt: null,
        }
      : null,
    subtitles: playable
      ? [
          {
            __typename: 'SubtitleTrack',
            language: 'en',
            label: 'English (auto-generated)',
            generated: true,
            vttUrl: 'http://clipcut.test/media/v/vid_1/subtitles/en.vtt',
            srtUrl: 'http://clipcut.test/media/v/vid_1/subtitles/en.srt',
            updatedAt: '2026-11-20T12:00:00Z',
          },
        ]
      : [],
    processing: { __typename: 'Processing', stage: playable ? 'done' : 'transcode', percent: playable ? 100 : 30, error: null },
  };
}

function server(signedInAs?: string) {
  fakeClipcut({
    accounts: [
      { name: 'Ada Lovelace', email: 'ada@example.com', password: 'x' },
      { name: 'Grace Hopper', email: 'grace@example.com', password: 'x' },
    ],
    signedInAs,
    override: ({ name, variables }) => {
      if (name === 'WatchVideo') return { data: { video: variables.id === 'vid_1' || variables.publicId === PUBLIC_ID ? video() : null } };
      if (name === 'WatchProgress') return { stream: (p) => void (push = p) };
      return undefined;
    },
  });
}

beforeEach(() => {
  playable = true;
  push = null;
  vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(() => Promise.resolve());
  vi.spyOn(HTMLMediaElement.prototype, 'load').mockImplementation(() => {});
});

/** The public id the fake server shares vid_1 by. */
const PUBLIC_ID = 'AbCdEfGhIjKlMnOpQr-_09';

describe('watch page', () => {
  it('opens a video by its public id (how unlisted videos are shared) as well as by id', async () => {
    server();
    renderApp(`/watch/${PUBLIC_ID}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'Sunset over Brest' })).toBeInTheDocument();
    const op = sent.find((o) => o.name === 'WatchVideo')!;
    expect(op.variables).toEqual({ publicId: PUBLIC_ID });
  });

  it('plays the video and shows its title, owner and description', async () => {
    server();
    const { container } = renderApp('/watch/vid_1');
    expect(await screen.findByRole('heading', { level: 1, name: 'Sunset over Brest' })).toBeInTheDocument();
    expect(document.title).toBe('Sunset over Brest · clipcut');
    const video = container.querySelector('video')!;
    expect(video).toHaveAttribute('src', 'http://clipcut.test/media/v/vid_1/master.m3u8');
    expect(video).toHaveAttribute('poster', 'http://clipcut.test/media/v/vid_1/poster.jpg');
    expect(screen.getByRole('link', { name: 'Grace Hopper' })).toHaveAttribute('href', '/c/grace-hopper');
    expect(screen.getByText('1,234 views')).toBeInTheDocument();
    expect(screen.getByText(/Shot on a phone\./)).toBeInTheDocument();
    expect(screen.getByText('Unlisted')).toBeInTheDocument();
    expect(screen.getByText('Qualities: 720p · 480p')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'SRT' })).toHaveAttribute('href', 'http://clipcut.test/media/v/vid_1/subtitles/en.srt');
    expect(screen.getByRole('link', { name: 'WebVTT' })).toHaveAttribute('href', 'http://clipcut.test/media/v/vid_1/subtitles/en.vtt');
    expect(screen.getByRole('group', { name: 'Video controls' })).toBeInTheDocument();
    expect(screen.getByRole('slider', { name: 'Seek' })).toBeInTheDocument();
    // Without MSE the page does not download hls.js at all.
    expect(engine.loads).toBe(0);
  });

  it('shows live processing progress and starts the player once playable', async () => {
    playable = false;
    server();
    const { container } = renderApp('/watch/vid_1');
    expect(await screen.findByText('Processing: Transcoding')).toHaveAttribute('role', 'status');
    expect(screen.getByRole('progressbar', { name: 'Processing' })).toHaveAttribute('aria-valuenow', '30');
    expect(container.querySelector('video')).toBeNull();

    await waitFor(() => expect(push).not.toBeNull());
    playable = true;
    act(() => push!({ data: { videoProgress: { __typename: 'VideoProgress', videoId: 'vid_1', status: 'PROCESSING', stage: 'transcode', percent: 55, playable: true, error: null } } }));
    await waitFor(() => expect(container.querySelector('video')).not.toBeNull());
    expect(sent.filter((op) => op.name === 'WatchVideo')).toHaveLength(2);
  });

  it('follows the progress of a video opened by its public id by that public id', async () => {
    playable = false;
    server();
    renderApp(`/watch/${PUBLIC_ID}`);
    expect(await screen.findByText('Processing: Transcoding')).toBeInTheDocument();
    await waitFor(() => expect(push).not.toBeNull());
    const op = sent.find((o) => o.name === 'WatchProgress')!;
    expect(op.variables).toEqual({ publicId: PUBLIC_ID });
  });

  it('reports playback under the id the page was opened with', async () => {
    const beacons: string[] = [];
    vi.stubGlobal('navigator', Object.assign(Object.create(navigator), { sendBeacon: (_url: string, body: string) => beacons.push(body) > 0 }));
    for (const ref of [PUBLIC_ID, 'vid_1']) {
      beacons.length = 0;
      server();
      const { unmount } = renderApp(`/watch/${ref}`);
      expect(await screen.findByRole('heading', { level: 1, name: 'Sunset over Brest' })).toBeInTheDocument();
      unmount(); // the page goes away: what is queued leaves by beacon
      expect(beacons).toHaveLength(1);
      expect(JSON.parse(beacons[0]!)).toMatchObject({ videoId: ref, events: [{ type: 'load' }] });
    }
    vi.unstubAllGlobals();
  });

  it('says when a video does not exist or is private', async () => {
    server();
    renderApp('/watch/nope');
    expect(await screen.findByRole('heading', { level: 1, name: 'Video not found' })).toBeInTheDocument();
    expect(screen.getByText('This video does not exist, or it is private.')).toBeInTheDocument();
  });

  it('has a transcript whose cues seek the player, and an "Edit subtitles" link for the owner only', async () => {
    const fetchVTT = vi.fn(async () => new Response('WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello from clipcut.\n\n00:00:03.000 --> 00:00:05.000\nSecond cue.\n'));
    vi.stubGlobal('fetch', fetchVTT);
    server('grace@example.com');
    const user = userEvent.setup();
    const { container } = renderApp('/watch/vid_1');
    await screen.findByRole('heading', { level: 1, name: 'Sunset over Brest' });
    expect(await screen.findByRole('link', { name: 'Edit subtitles' })).toHaveAttribute('href', '/videos/vid_1/subtitles');

    const video = container.querySelector('video')!;
    Object.defineProperty(video, 'duration', { configurable: true, value: 6 });
    await user.click(screen.getByRole('button', { name: 'Transcript' }));
    const list = await screen.findByRole('list', { name: 'Transcript, English (auto-generated)' });
    expect(fetchVTT).toHaveBeenCalledWith('http://clipcut.test/media/v/vid_1/subtitles/en.vtt', expect.anything());
    const second = within(list).getByRole('button', { name: /Second cue/ });
    await user.click(second);
    expect(video.currentTime).toBe(3);
    expect(second).toHaveAttribute('aria-current', 'time');
    vi.unstubAllGlobals();
  });

  it('offers no subtitle editing to other viewers', async () => {
    server('ada@example.com');
    renderApp('/watch/vid_1');
    await screen.findByRole('heading', { level: 1, name: 'Sunset over Brest' });
    await screen.findByRole('button', { name: 'Log out' });
    expect(screen.queryByRole('link', { name: 'Edit subtitles' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Transcript' })).toHaveAttribute('aria-expanded', 'false');
  });

  it('starts at the time in ?t= once the video knows its length', async () => {
    server();
    const { container } = renderApp('/watch/vid_1?t=1m2s');
    await screen.findByRole('heading', { level: 1, name: 'Sunset over Brest' });
    const video = container.querySelector('video')!;
    Object.defineProperty(video, 'duration', { configurable: true, value: 100 });
    act(() => {
      video.dispatchEvent(new Event('loadedmetadata'));
    });
    expect(video.currentTime).toBe(62);
  });
});

describe('prefetchWatchPage', () => {
  it('asks for the video of a first visit to its watch page before the app renders, and the page uses that answer', async () => {
    server();
    const handle = fakeClient();
    prefetchWatchPage(handle.client, '/watch/vid_1');
    await waitFor(() => expect(sent.map((s) => s.name)).toContain('WatchVideo'));
    expect(sent.find((s) => s.name === 'WatchVideo')?.variables).toEqual({ id: 'vid_1' });

    window.history.replaceState(null, '', '/watch/vid_1');
    render(
      <SessionProvider client={handle}>
        <App />
      </SessionProvider>,
    );
    expect(await screen.findByRole('heading', { level: 1, name: 'Sunset over Brest' })).toBeInTheDocument();
    expect(sent.filter((s) => s.name === 'WatchVideo')).toHaveLength(1);
  });

  it('asks for nothing on other pages', async () => {
    server();
    prefetchWatchPage(fakeClient().client, '/my-videos');
    prefetchWatchPage(fakeClient().client, '/watch/vid_1/extra');
    await Promise.resolve();
    expect(sent).toEqual([]);
  });
});

describe('parseStartTime', () => {
  it('reads seconds and the 1h2m3s form, and nothing else', () => {
    expect(parseStartTime('83')).toBe(83);
    expect(parseStartTime('83.5')).toBe(83.5);
    expect(parseStartTime('1m23s')).toBe(83);
    expect(parseStartTime('1h')).toBe(3600);
    expect(parseStartTime(null)).toBeNull();
    expect(parseStartTime('')).toBeNull();
    expect(parseStartTime('abc')).toBeNull();
    expect(parseStartTime('-5')).toBeNull();
  });
});
