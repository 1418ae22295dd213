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

let hls: Promise<typeof import('hls.js').default> | null = null;

/** Loads hls.js once; call early (as the watch page opens) so it arrives with the video's data. */
export function loadHls(): Promise<typeof import('hls.js').default> {
  hls ??= import('hls.js').then(
    (m) => m.default,
    (err: unknown) => {
      hls = null; // let a later attempt download it again
      throw err;
    },
  );
  return hls;
}
