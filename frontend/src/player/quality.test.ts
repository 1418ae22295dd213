import { describe, expect, it } from 'vitest';
import { levelLabel, qualityLabel, qualityOptions } from './quality';

// hls.js lists levels in playlist order (clipcut writes them lowest first).
const levels = [
  { width: 426, height: 240, bitrate: 400_000 },
  { width: 640, height: 360, bitrate: 800_000 },
  { width: 1280, height: 720, bitrate: 2_800_000 },
  { width: 1920, height: 1080, bitrate: 5_000_000, frameRate: 60 },
];

describe('qualityOptions', () => {
  it('puts Auto first, then each level from the highest, keeping hls.js level indexes', () => {
    expect(qualityOptions(levels)).toEqual([
      { value: -1, label: 'Auto' },
      { value: 3, label: '1080p60' },
      { value: 2, label: '720p' },
      { value: 1, label: '360p' },
      { value: 0, label: '240p' },
    ]);
  });

  it('names portrait levels by their short side', () => {
    expect(levelLabel({ width: 720, height: 1280, bitrate: 1 })).toBe('720p');
    expect(levelLabel({ width: 0, height: 0, bitrate: 96_000 })).toBe('96 kb/s');
  });

  it('tells levels of the same size apart by bitrate', () => {
    const opts = qualityOptions([
      { width: 1280, height: 720, bitrate: 1_500_000 },
      { width: 1280, height: 720, bitrate: 3_000_000 },
    ]);
    expect(opts.map((o) => o.label)).toEqual(['Auto', '720p (3.0 Mb/s)', '720p (1.5 Mb/s)']);
    expect(opts.map((o) => o.value)).toEqual([-1, 1, 0]);
  });

  it('offers only Auto before the levels are known', () => {
    expect(qualityOptions([])).toEqual([{ value: -1, label: 'Auto' }]);
  });
});

describe('qualityLabel', () => {
  it('shows the level Auto is playing, or the chosen level', () => {
    expect(qualityLabel(levels, -1, -1)).toBe('Auto');
    expect(qualityLabel(levels, -1, 2)).toBe('Auto (720p)');
    expect(qualityLabel(levels, 0, 2)).toBe('240p');
    expect(qualityLabel(levels, -1, 9)).toBe('Auto');
  });
});
