// Which HLS engine the watch page uses. hls.js (through Media Source
// Extensions) gives the quality menu and works the same everywhere; where
// MSE is missing (older iPhones) the browser's own HLS plays the stream.
// hls.js is a separate chunk loaded by the watch page only.

/** True when this browser has Media Source Extensions that take H.264 + AAC. */
export function canUseMediaSource(): boolean {
  const w = globalThis as unknown as {
    MediaSource?: { isTypeSupported?(type: string): boolean };
    ManagedMediaSource?: { isTypeSupported?(type: string): boolean };
  };
  const mse = w.ManagedMediaSource ?? w.MediaSource;
  return typeof mse?.isTypeSupported === 'function' && mse.isTypeSupported('video/mp4; codecs="avc1.42E01E,mp4a.40.2"');
}

/** True when the video element plays HLS itself (Safari, iOS, recent Chrome). */
export function canPlayNativeHLS(video: HTMLVideoElement): boolean {
  return video.canPlayType('application/vnd.apple.mpegurl') !== '';
}

/** A silent WAV of eight 8-bit samples: the smallest media with an audio track. */
const SILENCE = 'data:audio/wav;base64,UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgAAACAgICAgICAgA==';

let audioWarmed = false;

/**
 * Opens the browser's audio output ahead of the video. A browser that has
 * played no sound yet sets up its audio output (Chromium starts its audio
 * service and asks for the device) when the first media pipeline starts,
 * and the first frame waits for it: traces of a first visit showed 0.7 to
 * 1.3 s between the first segment's append and the decoders starting. A
 * muted, never-played element with a silent clip starts that set-up at
 * once, off the main thread, while the app and hls.js still load; it is
 * released as soon as it is ready. Nothing is heard; a browser without
 * Audio skips it.
 */
export function warmAudioOutput(): void {
  if (audioWarmed || typeof Audio === 'undefined') return;
  audioWarmed = true;
  const a = new Audio();
  a.muted = true;
  a.preload = 'auto';
  const release = () => {
    a.removeAttribute('src');
    a.load();
  };
  a.addEventListener('canplay', release, { once: true });
  a.addEventListener('error', release, { once: true });
  a.src = SILENCE;
}

let hls: Promise<typeof import('hls.js').default> | null = null;

/**
 * Loads hls.js once; call early (as the watch page opens) so it arrives with
 * the video's data. It also warms the audio output (warmAudioOutput): whoever
 * loads the player is about to play.
 */
export function loadHls(): Promise<typeof import('hls.js').default> {
  warmAudioOutput();
  hls ??= import('hls.js').then(
    (m) => m.default,
    (err: unknown) => {
      hls = null; // let a later attempt download it again
      throw err;
    },
  );
  return hls;
}
