import { act, fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { EmbedPage, EmbedPlayer, parseEmbedOptions, readEmbedData, type EmbedData, type EmbedMessage } from './EmbedPlayer';

vi.mock('../player/engine', () => ({
  canUseMediaSource: () => false,
  canPlayNativeHLS: () => true,
  loadHls: () => new Promise(() => {}),
}));

const data: EmbedData = {
  id: 'vid_1',
  title: 'Sunset over Brest',
  playable: true,
  watchUrl: 'https://v.example/watch/vid_1',
  hlsUrl: 'https://v.example/media/videos/vid_1/hls/master.m3u8',
  posterUrl: 'https://v.example/media/videos/vid_1/poster.jpg',
  duration: 60,
  width: 1280,
  height: 720,
};

describe('embed page', () => {
  it('reads its options and the data the server wrote', () => {
    expect(parseEmbedOptions('?autoplay=1&muted=true&start=1:30&loop=0')).toEqual({ autoplay: true, muted: true, start: 90, loop: false });
    expect(parseEmbedOptions('?t=45')).toMatchObject({ autoplay: false, start: 45 });
    document.body.innerHTML = `<script id="clipcut-embed" type="application/json">${JSON.stringify(data)}</script>`;
    expect(readEmbedData(document)).toEqual(data);
    document.body.innerHTML = '';
    expect(readEmbedData(document)).toBeNull();
  });

  it('shows the poster until asked, then plays and posts the player events', async () => {
    const posted: EmbedMessage[] = [];
    render(<EmbedPlayer data={data} options={{ autoplay: false, muted: true, start: 12, loop: false }} post={(m) => posted.push(m)} />);
    expect(posted.map((m) => m.event)).toEqual(['ready']);
    expect(posted[0]).toMatchObject({ source: 'clipcut', videoId: 'vid_1', currentTime: 12, duration: 60, paused: true, muted: true });
    expect(screen.getByRole('link', { name: 'Sunset over Brest' })).toHaveAttribute('href', 'https://v.example/watch/vid_1?t=12');
    expect(document.querySelector('video')).toBeNull();

    await userEvent.click(screen.getByRole('button', { name: 'Play “Sunset over Brest”' }));
    const video = document.querySelector('video')!;
    expect(video.muted).toBe(true);
    Object.defineProperty(video, 'duration', { configurable: true, value: 60 });
    fireEvent.loadedMetadata(video);
    expect(video.currentTime).toBe(12);

    fireEvent.play(video);
    const now = vi.spyOn(performance, 'now');
    for (const t of [1000, 1100, 1200, 1300]) {
      now.mockReturnValue(t);
      fireEvent.timeUpdate(video);
    }
    fireEvent.ended(video);
    expect(posted.map((m) => m.event)).toEqual(['ready', 'play', 'timeupdate', 'timeupdate', 'ended']);
    expect(posted.at(-1)).toMatchObject({ videoId: 'vid_1', duration: 60 });
  });

  it('starts over at the end with loop, and reports errors the player shows', async () => {
    const posted: EmbedMessage[] = [];
    render(<EmbedPlayer data={data} options={{ autoplay: true, muted: false, start: 0, loop: true }} post={(m) => posted.push(m)} />);
    const video = document.querySelector('video')!;
    const play = vi.spyOn(video, 'play').mockResolvedValue(undefined);
    video.currentTime = 59;
    fireEvent.ended(video);
    expect(video.currentTime).toBe(0);
    expect(play).toHaveBeenCalled();

    Object.defineProperty(video, 'error', { configurable: true, value: { code: 4 } });
    await act(async () => {
      fireEvent.error(video);
    });
    const error = posted.find((m) => m.event === 'error');
    expect(error?.message).toBe('This browser cannot play this video.');
  });

  it('reports playback under the id the embed was opened with (an unlisted video by its public id)', async () => {
    const beacons: string[] = [];
    vi.stubGlobal('navigator', Object.assign(Object.create(navigator), { sendBeacon: (_url: string, body: string) => beacons.push(body) > 0 }));
    // The server writes the public id when the embed was opened with it.
    const shared = { ...data, id: 'AbCdEfGhIjKlMnOpQr-_09', watchUrl: 'https://v.example/watch/AbCdEfGhIjKlMnOpQr-_09' };
    const posted: EmbedMessage[] = [];
    const { unmount } = render(<EmbedPlayer data={shared} options={{ autoplay: true, muted: true, start: 0, loop: false }} post={(m) => posted.push(m)} />);
    unmount(); // the page goes away: what is queued leaves by beacon
    expect(beacons).toHaveLength(1);
    expect(JSON.parse(beacons[0]!)).toMatchObject({ videoId: 'AbCdEfGhIjKlMnOpQr-_09', events: [{ type: 'load' }] });
    expect(posted[0]).toMatchObject({ event: 'ready', videoId: 'AbCdEfGhIjKlMnOpQr-_09' });
    vi.unstubAllGlobals();
  });

  it('says why when there is nothing to play', () => {
    render(<EmbedPage data={{ ...data, playable: false, hlsUrl: undefined }} options={parseEmbedOptions('')} />);
    expect(screen.getByRole('status')).toHaveTextContent('still being processed');
  });
});
