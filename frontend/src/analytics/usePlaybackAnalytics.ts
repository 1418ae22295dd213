// The watch page's one call: reports the playback of a video. It listens to
// the <video> element's media events (captured at the document, so the
// player itself needs no change): they carry the same facts hls.js reports
// (a stall is `waiting`, a rendition switch is `resize`: the picture's
// height changes, the buffer is video.buffered) and work the same with
// native HLS in Safari.

import { useEffect } from 'react';
import { Reporter, type PlayerSample } from './reporter';

const MEDIA_EVENTS = ['play', 'playing', 'waiting', 'seeking', 'timeupdate', 'resize', 'pause', 'ended', 'error'] as const;

/** The rendition a video element shows, named by its height ("720p"). */
export function renditionOf(v: HTMLVideoElement): string | undefined {
  return v.videoHeight > 0 ? `${v.videoHeight}p` : undefined;
}

/** Seconds buffered ahead of the position. */
export function bufferAhead(v: HTMLVideoElement): number {
  const b = v.buffered;
  for (let i = 0; i < b.length; i++) {
    if (b.start(i) <= v.currentTime + 0.1 && v.currentTime < b.end(i)) return Math.round((b.end(i) - v.currentTime) * 10) / 10;
  }
  return 0;
}

/** Reports the playback of `videoId` on this page while it is mounted (nothing when undefined). */
export function usePlaybackAnalytics(videoId: string | undefined): void {
  useEffect(() => {
    if (!videoId) return;
    let video: HTMLVideoElement | null = null;
    const sample = (): PlayerSample | null =>
      video ? { pos: video.currentTime, rendition: renditionOf(video), buffer: bufferAhead(video) } : null;
    const reporter = new Reporter({ videoId, sample });
    reporter.record('load', { pos: 0 });
    let started = false;
    let stalled = false;
    let lastTime = 0;
    let rendition: string | undefined;

    const onMedia = (e: Event) => {
      if (!(e.target instanceof HTMLVideoElement)) return;
      video = e.target;
      const v = video;
      const at = { pos: v.currentTime };
      switch (e.type) {
        case 'play':
          reporter.record('play', at);
          break;
        case 'playing':
          if (!started) {
            started = true;
            rendition = renditionOf(v);
            reporter.record('first_frame', { ...at, rendition });
          } else if (stalled) {
            reporter.record('stall_end', at);
          }
          stalled = false;
          break;
        case 'waiting':
          if (started && !stalled) {
            stalled = true;
            reporter.record('stall_start', { ...at, buffer: bufferAhead(v) });
          }
          break;
        case 'seeking':
          if (started) reporter.record('seek', { pos: v.currentTime, from: lastTime });
          break;
        case 'timeupdate':
          if (!v.seeking) lastTime = v.currentTime;
          return;
        case 'resize': {
          const next = renditionOf(v);
          if (started && next && next !== rendition) reporter.record('rendition_switch', { ...at, rendition: next });
          rendition = next;
          break;
        }
        case 'pause':
          if (!v.ended) reporter.record('pause', at);
          break;
        case 'ended':
          reporter.record('ended', at);
          break;
        case 'error':
          reporter.record('error', { ...at, error: v.error?.message?.slice(0, 200) || `media error ${v.error?.code ?? ''}`.trim() });
          break;
      }
    };
    const onHide = () => reporter.leave();
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') reporter.leave();
    };
    for (const type of MEDIA_EVENTS) document.addEventListener(type, onMedia, true);
    window.addEventListener('pagehide', onHide);
    document.addEventListener('visibilitychange', onVisibility);
    reporter.start();
    return () => {
      for (const type of MEDIA_EVENTS) document.removeEventListener(type, onMedia, true);
      window.removeEventListener('pagehide', onHide);
      document.removeEventListener('visibilitychange', onVisibility);
      reporter.stop();
    };
  }, [videoId]);
}
