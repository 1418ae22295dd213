import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FIRST_FRAME_MARK, Player, startGapTarget } from './Player';

// hls.js stand-in: the test emits its events and reads what the player set.
const fake = vi.hoisted(() => {
  type Handler = (event: string, data: any) => void;
  class FakeHls {
    static Events = {
      MANIFEST_PARSED: 'hlsManifestParsed',
      LEVEL_SWITCHED: 'hlsLevelSwitched',
      ERROR: 'hlsError',
      FRAG_LOADED: 'hlsFragLoaded',
      SUBTITLE_TRACKS_UPDATED: 'hlsSubtitleTracksUpdated',
      SUBTITLE_TRACK_SWITCH: 'hlsSubtitleTrackSwitch',
    };
    static ErrorTypes = { NETWORK_ERROR: 'networkError', MEDIA_ERROR: 'mediaError', OTHER_ERROR: 'otherError' };
    static isSupported = () => true;
    handlers = new Map<string, Handler[]>();
    config: unknown;
    media: HTMLMediaElement | null = null;
    source = '';
    levelSet: number[] = [];
    subtitleTrack = -1;
    subtitleDisplay = false;
    startLoads = 0;
    sourceLoads = 0;
    recovers = 0;
    destroyed = false;
    constructor(config: unknown) {
      this.config = config;
      fake.instances.push(this);
    }
    on(event: string, fn: Handler) {
      this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
    }
    emit(event: string, data: unknown) {
      for (const fn of this.handlers.get(event) ?? []) fn(event, data);
    }
    attachMedia(media: HTMLMediaElement) {
      this.media = media;
    }
    loadSource(src: string) {
      this.source = src;
      this.sourceLoads++;
    }
    set currentLevel(level: number) {
      this.levelSet.push(level);
    }
    startLoad() {
      this.startLoads++;
    }
    recoverMediaError() {
      this.recovers++;
    }
    destroy() {
      this.destroyed = true;
    }
  }
  return { FakeHls, instances: [] as FakeHls[], mse: true, native: false };
});

vi.mock('./engine', () => ({
  canUseMediaSource: () => fake.mse,
  canPlayNativeHLS: () => fake.native,
  loadHls: () => Promise.resolve(fake.FakeHls),
}));

const LEVELS = [
  { width: 426, height: 240, bitrate: 400_000 },
  { width: 640, height: 360, bitrate: 800_000 },
  { width: 1280, height: 720, bitrate: 2_800_000 },
];

const STORYBOARD = `WEBVTT

00:00:00.000 --> 00:00:05.000
sprite_000.jpg#xywh=0,0,160,90

00:00:05.000 --> 00:00:10.000
sprite_000.jpg#xywh=160,0,160,90
`;

let play: ReturnType<typeof vi.fn>;

beforeEach(() => {
  fake.instances.length = 0;
  fake.mse = true;
  fake.native = false;
  play = vi.fn(() => Promise.resolve());
  vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(play as never);
  vi.spyOn(HTMLMediaElement.prototype, 'pause').mockImplementation(() => {});
  vi.spyOn(HTMLMediaElement.prototype, 'load').mockImplementation(() => {});
});

afterEach(() => {
  vi.unstubAllGlobals();
  performance.clearMarks();
  performance.clearMeasures();
});

function renderPlayer(props: Partial<Parameters<typeof Player>[0]> = {}) {
  const utils = render(
    <Player
      src="http://clipcut.test/media/v/vid_1/master.m3u8"
      poster="http://clipcut.test/media/v/vid_1/poster.jpg"
      storyboardUrl="http://clipcut.test/media/v/vid_1/storyboard.vtt"
      title="Sunset"
      startedAt={0}
      {...props}
    />,
  );
  const video = utils.container.querySelector('video')!;
  const root = utils.container.querySelector('.player') as HTMLElement;
  return { ...utils, video, root };
}

async function hlsReady() {
  await waitFor(() => expect(fake.instances).toHaveLength(1));
  return fake.instances[0]!;
}

function setDuration(video: HTMLVideoElement, seconds: number) {
  Object.defineProperty(video, 'duration', { configurable: true, value: seconds });
  fireEvent.durationChange(video);
}

describe('Player', () => {
  it('plays the master playlist with hls.js and autoplays once the manifest is parsed', async () => {
    const { video, root } = renderPlayer();
    const hls = await hlsReady();
    expect(hls.media).toBe(video);
    expect(hls.source).toBe('http://clipcut.test/media/v/vid_1/master.m3u8');
    expect(video).toHaveAttribute('poster', 'http://clipcut.test/media/v/vid_1/poster.jpg');
    expect(root).toHaveAttribute('data-engine', 'hls.js');
    expect(play).not.toHaveBeenCalled();
    act(() => hls.emit(fake.FakeHls.Events.MANIFEST_PARSED, { levels: LEVELS }));
    expect(play).toHaveBeenCalledTimes(1);
    expect(root).toHaveAttribute('data-levels', '3');
  });

  it('builds the quality menu from the levels, shows the level Auto plays, and switches on choice', async () => {
    const user = userEvent.setup();
    const { root } = renderPlayer();
    const hls = await hlsReady();
    expect(screen.queryByRole('button', { name: /Quality/ })).not.toBeInTheDocument();

    act(() => hls.emit(fake.FakeHls.Events.MANIFEST_PARSED, { levels: LEVELS }));
    act(() => hls.emit(fake.FakeHls.Events.LEVEL_SWITCHED, { level: 1 }));
    const button = screen.getByRole('button', { name: 'Quality: Auto (360p)' });
    expect(root).toHaveAttribute('data-level-height', '360');

    await user.click(button);
    expect(button).toHaveAttribute('aria-expanded', 'true');
    const menu = screen.getByRole('menu', { name: 'Quality' });
    const items = within(menu).getAllByRole('menuitemradio');
    expect(items.map((i) => i.textContent)).toEqual(['Auto', '720p', '360p', '240p']);
    expect(items[0]).toHaveAttribute('aria-checked', 'true');
    expect(items[0]).toHaveFocus();

    // Keyboard: down twice to 360p, Escape closes and returns focus.
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(items[2]).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
    expect(button).toHaveFocus();

    await user.click(button);
    await user.click(within(screen.getByRole('menu')).getByRole('menuitemradio', { name: '240p' }));
    expect(hls.levelSet).toEqual([0]);
    expect(screen.getByRole('button', { name: 'Quality: 240p' })).toHaveFocus();
    act(() => hls.emit(fake.FakeHls.Events.LEVEL_SWITCHED, { level: 0 }));
    expect(root).toHaveAttribute('data-level-height', '240');
    expect(root).toHaveAttribute('data-chosen-level', '0');

    await user.click(screen.getByRole('button', { name: 'Quality: 240p' }));
    expect(within(screen.getByRole('menu')).getByRole('menuitemradio', { name: '240p' })).toHaveAttribute('aria-checked', 'true');
    await user.click(within(screen.getByRole('menu')).getByRole('menuitemradio', { name: 'Auto' }));
    expect(hls.levelSet).toEqual([0, -1]);
    expect(screen.getByRole('button', { name: 'Quality: Auto (240p)' })).toBeInTheDocument();
  });

  it('turns captions on and off from the captions menu and with C', async () => {
    const user = userEvent.setup();
    const { root } = renderPlayer();
    const hls = await hlsReady();
    act(() =>
      hls.emit(fake.FakeHls.Events.MANIFEST_PARSED, {
        levels: LEVELS,
        subtitleTracks: [
          { name: 'English (auto-generated)', lang: 'en' },
          { name: 'Français', lang: 'fr' },
        ],
      }),
    );
    const button = screen.getByRole('button', { name: 'Captions: Off' });
    await user.click(button);
    const items = within(screen.getByRole('menu', { name: 'Captions' })).getAllByRole('menuitemradio');
    expect(items.map((i) => i.textContent)).toEqual(['Off', 'English (auto-generated)', 'Français']);
    expect(items[0]).toHaveAttribute('aria-checked', 'true');
    await user.click(items[2]!);
    expect(hls.subtitleTrack).toBe(1);
    expect(hls.subtitleDisplay).toBe(true);
    expect(screen.getByRole('button', { name: 'Captions: Français' })).toHaveFocus();
    expect(root).toHaveAttribute('data-caption', '1');

    fireEvent.keyDown(document.body, { key: 'c' });
    expect(hls.subtitleTrack).toBe(-1);
    expect(hls.subtitleDisplay).toBe(false);
    expect(screen.getByRole('button', { name: 'Captions: Off' })).toBeInTheDocument();
    fireEvent.keyDown(document.body, { key: 'c' });
    expect(hls.subtitleTrack).toBe(0);

    // hls.js switching by itself (or after a reload) is shown too.
    act(() => hls.emit(fake.FakeHls.Events.SUBTITLE_TRACK_SWITCH, { id: 1 }));
    expect(screen.getByRole('button', { name: 'Captions: Français' })).toBeInTheDocument();
  });

  it('offers no captions menu for a video without subtitles', async () => {
    renderPlayer();
    const hls = await hlsReady();
    act(() => hls.emit(fake.FakeHls.Events.MANIFEST_PARSED, { levels: LEVELS, subtitleTracks: [] }));
    expect(screen.getByRole('button', { name: /^Quality/ })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Captions/ })).not.toBeInTheDocument();
    fireEvent.keyDown(document.body, { key: 'c' });
    expect(hls.subtitleTrack).toBe(-1);
  });

  it('answers the keyboard shortcuts', async () => {
    const { video } = renderPlayer();
    const hls = await hlsReady();
    act(() => hls.emit(fake.FakeHls.Events.MANIFEST_PARSED, { levels: LEVELS }));
    play.mockClear();
    setDuration(video, 60);

    fireEvent.keyDown(document.body, { key: 'k' });
    expect(play).toHaveBeenCalledTimes(1);
    fireEvent.keyDown(document.body, { key: ' ' });
    expect(play).toHaveBeenCalledTimes(2);

    fireEvent.keyDown(document.body, { key: 'm' });
    expect(video.muted).toBe(true);
    fireEvent.keyDown(document.body, { key: 'M' });
    expect(video.muted).toBe(false);

    video.currentTime = 20;
    fireEvent.keyDown(document.body, { key: 'ArrowRight' });
    expect(video.currentTime).toBe(25);
    fireEvent.keyDown(document.body, { key: 'ArrowLeft' });
    fireEvent.keyDown(document.body, { key: 'ArrowLeft' });
    expect(video.currentTime).toBe(15);
    fireEvent.keyDown(document.body, { key: '5' });
    expect(video.currentTime).toBe(30);

    const requestFullscreen = vi.fn(() => Promise.resolve());
    (document.querySelector('.player') as HTMLElement).requestFullscreen = requestFullscreen;
    fireEvent.keyDown(document.body, { key: 'f' });
    expect(requestFullscreen).toHaveBeenCalledTimes(1);

    // Keys typed into a field are the field's.
    const input = document.createElement('input');
    document.body.append(input);
    fireEvent.keyDown(input, { key: 'k' });
    expect(play).toHaveBeenCalledTimes(2);
    input.remove();
  });

  it('falls back to muted autoplay when the browser blocks sound', async () => {
    play.mockImplementationOnce(() => Promise.reject(new DOMException('no gesture', 'NotAllowedError')));
    const { video } = renderPlayer();
    const hls = await hlsReady();
    act(() => hls.emit(fake.FakeHls.Events.MANIFEST_PARSED, { levels: LEVELS }));
    await waitFor(() => expect(play).toHaveBeenCalledTimes(2));
    expect(video.muted).toBe(true);
    fireEvent.volumeChange(video);
    await userEvent.click(screen.getByRole('button', { name: /Tap to unmute/ }));
    expect(video.muted).toBe(false);
  });

  it('records the time to the first frame at the first playing event', async () => {
    const { video, root } = renderPlayer({ startedAt: 0 });
    await hlsReady();
    expect(root).not.toHaveAttribute('data-first-frame-ms');
    fireEvent.playing(video);
    const ms = Number(root.getAttribute('data-first-frame-ms'));
    expect(ms).toBeGreaterThan(0);
    expect(performance.getEntriesByName(FIRST_FRAME_MARK)).toHaveLength(1);
    fireEvent.playing(video); // later playing events (after a seek, a stall) do not count
    expect(performance.getEntriesByName(FIRST_FRAME_MARK)).toHaveLength(1);
    expect(root).toHaveAttribute('data-state', 'playing');
  });

  it('loads the storyboard on hover and previews the thumbnail under the pointer', async () => {
    const fetchMock = vi.fn(() => Promise.resolve(new Response(STORYBOARD, { status: 200 })));
    vi.stubGlobal('fetch', fetchMock);
    const { video, container, root } = renderPlayer();
    await hlsReady();
    setDuration(video, 10);
    const seek = container.querySelector('.seek') as HTMLElement;
    vi.spyOn(seek, 'getBoundingClientRect').mockReturnValue({ left: 100, width: 400, top: 0, right: 500, bottom: 20, height: 20, x: 100, y: 0, toJSON: () => ({}) });

    fireEvent.pointerMove(seek, { clientX: 400 }); // 75% of 10 s
    expect(fetchMock).toHaveBeenCalledWith('http://clipcut.test/media/v/vid_1/storyboard.vtt', expect.anything());
    await waitFor(() => expect(root).toHaveAttribute('data-storyboard-cues', '2'));
    fireEvent.pointerMove(seek, { clientX: 400 });
    const preview = screen.getByTestId('seek-preview');
    expect(preview).toHaveTextContent('0:07');
    const thumb = preview.querySelector('.seek__thumb') as HTMLElement;
    expect(thumb.style.backgroundImage).toContain('http://clipcut.test/media/v/vid_1/sprite_000.jpg');
    expect(thumb.style.backgroundPosition).toBe('-160px 0px');
    expect(thumb.style.width).toBe('160px');

    fireEvent.pointerLeave(seek);
    expect(screen.queryByTestId('seek-preview')).not.toBeInTheDocument();
  });

  it('retries network errors, then says the video stopped loading', async () => {
    renderPlayer();
    const hls = await hlsReady();
    const fatal = { fatal: true, type: fake.FakeHls.ErrorTypes.NETWORK_ERROR };
    act(() => {
      hls.emit(fake.FakeHls.Events.ERROR, { fatal: false, type: fake.FakeHls.ErrorTypes.NETWORK_ERROR });
      hls.emit(fake.FakeHls.Events.ERROR, fatal);
      hls.emit(fake.FakeHls.Events.ERROR, fatal);
    });
    expect(hls.startLoads).toBe(2);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    act(() => hls.emit(fake.FakeHls.Events.ERROR, fatal));
    expect(screen.getByRole('alert')).toHaveTextContent('The video stopped loading');
    expect(hls.destroyed).toBe(true);

    // Retry starts a new hls.js instance.
    await userEvent.click(within(screen.getByRole('alert')).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(fake.instances).toHaveLength(2));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('loads the master playlist again when it fails, then shows the error with a retry button', async () => {
    const { root } = renderPlayer();
    const hls = await hlsReady();
    expect(hls.sourceLoads).toBe(1);
    const manifestFailed = { fatal: true, type: fake.FakeHls.ErrorTypes.NETWORK_ERROR, details: 'manifestLoadError' };
    act(() => hls.emit(fake.FakeHls.Events.ERROR, manifestFailed));
    act(() => hls.emit(fake.FakeHls.Events.ERROR, manifestFailed));
    // startLoad would not fetch the playlist again: the source is reloaded.
    expect(hls.sourceLoads).toBe(3);
    expect(hls.startLoads).toBe(0);
    expect(root).toHaveAttribute('data-state', 'loading');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    act(() => hls.emit(fake.FakeHls.Events.ERROR, manifestFailed));
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('The video stopped loading');
    expect(root).toHaveAttribute('data-state', 'error');
    expect(screen.queryByRole('status', { name: 'Loading video' })).not.toBeInTheDocument();
    expect(hls.destroyed).toBe(true);

    await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(fake.instances).toHaveLength(2));
    expect(fake.instances[1]!.source).toBe('http://clipcut.test/media/v/vid_1/master.m3u8');
    expect(root).toHaveAttribute('data-state', 'loading');
  });

  it('changes the playback speed from the speed menu', async () => {
    const user = userEvent.setup();
    const { video } = renderPlayer();
    await hlsReady();
    await user.click(screen.getByRole('button', { name: 'Speed: 1×' }));
    const items = within(screen.getByRole('menu', { name: 'Speed' })).getAllByRole('menuitemradio');
    expect(items.map((i) => i.textContent)).toEqual(['0.5×', '0.75×', 'Normal', '1.25×', '1.5×', '2×']);
    expect(items[2]).toHaveAttribute('aria-checked', 'true');
    await user.click(items[4]!);
    expect(video.playbackRate).toBe(1.5);
    expect(screen.getByRole('button', { name: 'Speed: 1.5×' })).toBeInTheDocument();
  });

  it('offers picture in picture only where the browser allows it', async () => {
    renderPlayer();
    await hlsReady();
    expect(screen.queryByRole('button', { name: 'Picture in picture' })).not.toBeInTheDocument();
  });

  it('enters and leaves picture in picture', async () => {
    Object.defineProperty(document, 'pictureInPictureEnabled', { configurable: true, value: true });
    const request = vi.fn(() => Promise.resolve({}));
    Object.defineProperty(HTMLVideoElement.prototype, 'requestPictureInPicture', { configurable: true, value: request });
    try {
      const { video } = renderPlayer();
      await hlsReady();
      await userEvent.click(screen.getByRole('button', { name: 'Picture in picture' }));
      expect(request).toHaveBeenCalledTimes(1);
      act(() => {
        video.dispatchEvent(new Event('enterpictureinpicture'));
      });
      expect(screen.getByRole('button', { name: 'Exit picture in picture' })).toBeInTheDocument();
      act(() => {
        video.dispatchEvent(new Event('leavepictureinpicture'));
      });
      expect(screen.getByRole('button', { name: 'Picture in picture' })).toBeInTheDocument();
    } finally {
      delete (document as { pictureInPictureEnabled?: boolean }).pictureInPictureEnabled;
      delete (HTMLVideoElement.prototype as { requestPictureInPicture?: unknown }).requestPictureInPicture;
    }
  });

  it('recovers media errors through hls.js', async () => {
    renderPlayer();
    const hls = await hlsReady();
    act(() => hls.emit(fake.FakeHls.Events.ERROR, { fatal: true, type: fake.FakeHls.ErrorTypes.MEDIA_ERROR }));
    expect(hls.recovers).toBe(1);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('uses the browser’s own HLS without Media Source Extensions (Safari on iPhone)', async () => {
    fake.mse = false;
    fake.native = true;
    const { video, root } = renderPlayer();
    expect(root).toHaveAttribute('data-engine', 'native');
    expect(video.getAttribute('src')).toBe('http://clipcut.test/media/v/vid_1/master.m3u8');
    expect(fake.instances).toHaveLength(0);
    await waitFor(() => expect(play).toHaveBeenCalled());
    expect(screen.queryByRole('button', { name: /Quality/ })).not.toBeInTheDocument();
  });

  it('offers the stream’s subtitle tracks as captions with the browser’s own HLS', async () => {
    fake.mse = false;
    fake.native = true;
    const english = { kind: 'subtitles', label: 'English (auto-generated)', language: 'en', mode: 'disabled' };
    const metadata = { kind: 'metadata', label: '', language: '', mode: 'hidden' };
    const tracks = Object.assign(new EventTarget(), { length: 2, 0: metadata, 1: english });
    const original = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'textTracks');
    Object.defineProperty(HTMLMediaElement.prototype, 'textTracks', { configurable: true, get: () => tracks });
    try {
      const user = userEvent.setup();
      renderPlayer();
      await user.click(await screen.findByRole('button', { name: 'Captions: Off' }));
      const items = within(screen.getByRole('menu', { name: 'Captions' })).getAllByRole('menuitemradio');
      expect(items.map((i) => i.textContent)).toEqual(['Off', 'English (auto-generated)']);
      await user.click(items[1]!);
      expect(english.mode).toBe('showing');
      expect(metadata.mode).toBe('hidden');
      expect(screen.getByRole('button', { name: 'Captions: English (auto-generated)' })).toBeInTheDocument();
    } finally {
      if (original) Object.defineProperty(HTMLMediaElement.prototype, 'textTracks', original);
      else delete (HTMLMediaElement.prototype as { textTracks?: unknown }).textTracks;
    }
  });

  it('says so when the browser cannot play HLS at all', () => {
    fake.mse = false;
    fake.native = false;
    renderPlayer();
    expect(screen.getByRole('alert')).toHaveTextContent('This browser cannot play HLS video.');
  });
});

const CHAPTERS = `WEBVTT

00:00:00.000 --> 00:00:04.000
Intro

00:00:04.000 --> 00:00:10.000
Tom &amp; Jerry
`;

/** A ResizeObserver that says every observed element is `width` px wide. */
function stubWidth(width: number) {
  vi.stubGlobal(
    'ResizeObserver',
    class {
      constructor(private fn: ResizeObserverCallback) {}
      observe(el: Element) {
        this.fn([{ target: el, contentRect: { width } } as unknown as ResizeObserverEntry], this as unknown as ResizeObserver);
      }
      disconnect() {}
      unobserve() {}
    },
  );
}

describe('Player chapters, compact controls and recovery', () => {
  it('marks the chapters on the seek bar, names the one under the pointer and seeks from the chapter menu', async () => {
    const user = userEvent.setup();
    const fetchMock = vi.fn((url: string) => Promise.resolve(new Response(url.endsWith('chapters.vtt') ? CHAPTERS : '', { status: 200 })));
    vi.stubGlobal('fetch', fetchMock);
    const { video, container, root } = renderPlayer({ storyboardUrl: null, chaptersUrl: 'http://clipcut.test/media/v/vid_1/chapters.vtt' });
    await hlsReady();
    // Not before the length is known: the marks need it.
    expect(fetchMock).not.toHaveBeenCalled();
    setDuration(video, 10);
    await waitFor(() => expect(root).toHaveAttribute('data-chapters', '2'));
    expect(fetchMock).toHaveBeenCalledWith('http://clipcut.test/media/v/vid_1/chapters.vtt', expect.anything());

    // One mark where the second chapter starts (none at 0).
    const marks = screen.getAllByTestId('chapter-mark');
    expect(marks).toHaveLength(1);
    expect(marks[0]!.style.left).toBe('40%');

    const seek = container.querySelector('.seek') as HTMLElement;
    vi.spyOn(seek, 'getBoundingClientRect').mockReturnValue({ left: 0, width: 400, top: 0, right: 400, bottom: 20, height: 20, x: 0, y: 0, toJSON: () => ({}) });
    fireEvent.pointerMove(seek, { clientX: 300 }); // 7.5 s
    expect(screen.getByTestId('seek-preview')).toHaveTextContent('Tom & Jerry');
    fireEvent.pointerMove(seek, { clientX: 40 }); // 1 s
    expect(screen.getByTestId('seek-preview')).toHaveTextContent('Intro');

    await user.click(screen.getByRole('button', { name: 'Chapters: Intro' }));
    const items = within(screen.getByRole('menu', { name: 'Chapters' })).getAllByRole('menuitemradio');
    expect(items.map((i) => i.textContent)).toEqual(['0:00 Intro', '0:04 Tom & Jerry']);
    await user.click(items[1]!);
    expect(video.currentTime).toBe(4);
    expect(screen.getByRole('button', { name: 'Chapters: Tom & Jerry' })).toBeInTheDocument();
    expect(screen.getByRole('slider', { name: 'Seek' }).getAttribute('aria-valuetext')).toContain('Tom & Jerry');
  });

  it('offers no chapters for a video without them', async () => {
    const fetchMock = vi.fn(() => Promise.resolve(new Response('', { status: 200 })));
    vi.stubGlobal('fetch', fetchMock);
    const { video, root } = renderPlayer({ storyboardUrl: null });
    await hlsReady();
    setDuration(video, 10);
    expect(fetchMock).not.toHaveBeenCalled();
    expect(root).toHaveAttribute('data-chapters', '0');
    expect(screen.queryByRole('button', { name: /^Chapters/ })).not.toBeInTheDocument();
    expect(screen.queryAllByTestId('chapter-mark')).toHaveLength(0);
  });

  it('puts quality, captions and speed behind one settings menu on a narrow player', async () => {
    stubWidth(360);
    const user = userEvent.setup();
    const { video, root } = renderPlayer();
    const hls = await hlsReady();
    act(() => {
      hls.emit(fake.FakeHls.Events.MANIFEST_PARSED, { levels: LEVELS, subtitleTracks: [{ name: 'English', lang: 'en' }] });
      hls.emit(fake.FakeHls.Events.LEVEL_SWITCHED, { level: 2 });
    });
    expect(root).toHaveClass('player--compact');
    for (const name of [/^Quality/, /^Captions/, /^Speed/]) expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: /^Full screen/ })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const entries = within(screen.getByRole('menu', { name: 'Settings' })).getAllByRole('menuitem');
    expect(entries.map((e) => e.getAttribute('aria-label'))).toEqual(['Quality: Auto (720p)', 'Captions: Off', 'Speed: Normal']);

    // Speed by pointer.
    await user.click(entries[2]!);
    const speeds = within(screen.getByRole('menu', { name: 'Speed' })).getAllByRole('menuitemradio');
    expect(speeds.map((i) => i.textContent)).toEqual(['0.5×', '0.75×', 'Normal', '1.25×', '1.5×', '2×']);
    await user.click(speeds[5]!);
    expect(video.playbackRate).toBe(2);
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();

    // Quality by keyboard: open, down to Quality's page, pick the lowest.
    screen.getByRole('button', { name: 'Settings' }).focus();
    await user.keyboard('{ArrowDown}');
    expect(screen.getByRole('menuitem', { name: 'Quality: Auto (720p)' })).toHaveFocus();
    await user.keyboard('{ArrowRight}');
    const qualities = within(screen.getByRole('menu', { name: 'Quality' })).getAllByRole('menuitemradio');
    expect(qualities[0]).toHaveFocus(); // Auto, the choice now
    await user.keyboard('{End}{Enter}');
    expect(hls.levelSet).toEqual([0]);
    expect(screen.getByRole('button', { name: 'Settings' })).toHaveFocus();

    // Escape steps back a page, then closes.
    await user.keyboard('{ArrowDown}{ArrowDown}{ArrowRight}');
    expect(screen.getByRole('menu', { name: 'Captions' })).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(screen.getByRole('menu', { name: 'Settings' })).toBeInTheDocument();
    expect(screen.getByRole('menuitem', { name: 'Captions: Off' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
  });

  it('keeps separate menus on a wide player', async () => {
    stubWidth(900);
    const { root } = renderPlayer();
    await hlsReady();
    expect(root).not.toHaveClass('player--compact');
    expect(screen.getByRole('button', { name: 'Speed: 1×' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Settings' })).not.toBeInTheDocument();
  });

  it('changes speed with > and <', async () => {
    const { video } = renderPlayer();
    await hlsReady();
    fireEvent.keyDown(document.body, { key: '>' });
    expect(video.playbackRate).toBe(1.25);
    fireEvent.keyDown(document.body, { key: '<' });
    fireEvent.keyDown(document.body, { key: '<' });
    expect(video.playbackRate).toBe(0.75);
  });

  it('gives up on a stream that keeps failing to decode', async () => {
    renderPlayer();
    const hls = await hlsReady();
    const media = { fatal: true, type: fake.FakeHls.ErrorTypes.MEDIA_ERROR };
    act(() => {
      hls.emit(fake.FakeHls.Events.ERROR, media);
      hls.emit(fake.FakeHls.Events.ERROR, media);
    });
    expect(hls.recovers).toBe(2);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    act(() => hls.emit(fake.FakeHls.Events.ERROR, media));
    expect(screen.getByRole('alert')).toHaveTextContent('could not be played');
    expect(hls.recovers).toBe(2);
  });

  it('Retry after a failed master playlist loads it again in a new engine and calls onRetry', async () => {
    const onRetry = vi.fn();
    renderPlayer({ onRetry });
    const hls = await hlsReady();
    const manifestFailed = { fatal: true, type: fake.FakeHls.ErrorTypes.NETWORK_ERROR, details: 'manifestLoadError' };
    act(() => {
      for (let i = 0; i < 3; i++) hls.emit(fake.FakeHls.Events.ERROR, manifestFailed);
    });
    await userEvent.click(within(screen.getByRole('alert')).getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(fake.instances).toHaveLength(2));
    const next = fake.instances[1]!;
    expect(next.sourceLoads).toBe(1);
    expect(next.startLoads).toBe(0);
    expect(next.media).toBeInstanceOf(HTMLVideoElement);
    expect(hls.destroyed).toBe(true);
  });
});

describe('startGapTarget', () => {
  const ranges = (...r: [number, number][]) => ({ length: r.length, start: (i: number) => r[i]![0], end: (i: number) => r[i]![1] }) as unknown as TimeRanges;
  const video = (over: Partial<{ currentTime: number; readyState: number; paused: boolean; seeking: boolean; buffered: TimeRanges }>) => ({
    currentTime: 0,
    readyState: 1,
    paused: false,
    seeking: false,
    buffered: ranges([0.067, 1.02]),
    ...over,
  });

  it('seeks just inside the first buffered frame when playback waits before a small start gap', () => {
    expect(startGapTarget(video({}))).toBeCloseTo(0.068, 6);
  });

  it('leaves the video alone when it can play, is paused, is seeking, has nothing buffered or the hole is large', () => {
    expect(startGapTarget(video({ readyState: 3 }))).toBeNull();
    expect(startGapTarget(video({ paused: true }))).toBeNull();
    expect(startGapTarget(video({ seeking: true }))).toBeNull();
    expect(startGapTarget(video({ buffered: ranges() }))).toBeNull();
    expect(startGapTarget(video({ buffered: ranges([2, 4]) }))).toBeNull();
    expect(startGapTarget(video({ currentTime: 83, buffered: ranges([0.067, 1.02]) }))).toBeNull();
  });
});
