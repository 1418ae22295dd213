import { describe, expect, it } from 'vitest';
import { isNotAVideo } from './MyVideos';

// My videos offers "Retry processing" only where a retry can help.
describe('isNotAVideo', () => {
  it('is true for the probe reasons that say the file is no video', () => {
    expect(isNotAVideo('The file is an image (PNG), not a video. Upload a video or audio file.')).toBe(true);
    expect(isNotAVideo('The file is not a video or audio file ffmpeg can read.')).toBe(true);
  });

  it('is false for failures a retry may cure, and for none', () => {
    expect(isNotAVideo('Transcoding stopped: the worker was restarted.')).toBe(false);
    expect(isNotAVideo(null)).toBe(false);
    expect(isNotAVideo(undefined)).toBe(false);
  });
});
