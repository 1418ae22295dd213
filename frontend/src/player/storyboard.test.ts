import { describe, expect, it } from 'vitest';
import { cueAt, parseStoryboard, parseVTTTime } from './storyboard';

// As media/thumbnails.go writes it: hours always present, sprites next to the VTT.
const VTT = `WEBVTT

00:00:00.000 --> 00:00:02.000
sprite_000.jpg#xywh=0,0,160,90

00:00:02.000 --> 00:00:04.000
sprite_000.jpg#xywh=160,0,160,90

00:00:04.000 --> 00:00:06.500
sprite_001.jpg#xywh=0,90,160,90
`;

const base = 'http://clipcut.test/media/t/abc123.1767225600/v/vid_1/storyboard.vtt';

describe('parseVTTTime', () => {
  it('reads timestamps with and without hours', () => {
    expect(parseVTTTime('00:00:02.000')).toBe(2);
    expect(parseVTTTime('01:02:03.500')).toBe(3723.5);
    expect(parseVTTTime('02:03.25')).toBe(123.25);
    expect(parseVTTTime('00:00:02,500')).toBe(2.5);
    expect(parseVTTTime('2.5')).toBeNaN();
    expect(parseVTTTime('aa:bb:cc.ddd')).toBeNaN();
  });
});

describe('parseStoryboard', () => {
  it('maps each cue to its sprite region, resolving sprites next to the VTT (keeping a signed prefix)', () => {
    const cues = parseStoryboard(VTT, base);
    expect(cues).toEqual([
      { start: 0, end: 2, url: 'http://clipcut.test/media/t/abc123.1767225600/v/vid_1/sprite_000.jpg', x: 0, y: 0, w: 160, h: 90 },
      { start: 2, end: 4, url: 'http://clipcut.test/media/t/abc123.1767225600/v/vid_1/sprite_000.jpg', x: 160, y: 0, w: 160, h: 90 },
      { start: 4, end: 6.5, url: 'http://clipcut.test/media/t/abc123.1767225600/v/vid_1/sprite_001.jpg', x: 0, y: 90, w: 160, h: 90 },
    ]);
  });

  it('accepts CRLF, a BOM, cue identifiers, cue settings, pixel: regions and absolute URLs', () => {
    const text =
      '\uFEFFWEBVTT - storyboard\r\n\r\nthumb-1\r\n00:01.000 --> 00:03.000 line:0\r\nhttps://cdn.test/s.jpg#xywh=pixel:10,20,30,40\r\n';
    expect(parseStoryboard(text, base)).toEqual([{ start: 1, end: 3, url: 'https://cdn.test/s.jpg', x: 10, y: 20, w: 30, h: 40 }]);
  });

  it('skips cues it cannot use instead of failing', () => {
    const text = `WEBVTT

00:00:00.000 --> 00:00:02.000
sprite_000.jpg

00:00:02.000 --> 00:00:04.000
sprite_000.jpg#xywh=percent:0,0,50,50

00:00:04.000 --> 00:00:03.000
sprite_000.jpg#xywh=0,0,160,90

00:00:06.000 --> 00:00:08.000
sprite_000.jpg#xywh=0,0,-1,90

00:00:08.000 --> 00:00:10.000
sprite_000.jpg#xywh=0,0,160
`;
    expect(parseStoryboard(text, base)).toEqual([]);
    expect(parseStoryboard('not a vtt file', base)).toEqual([]);
    expect(parseStoryboard('', base)).toEqual([]);
  });
});

describe('cueAt', () => {
  const cues = parseStoryboard(VTT, base);

  it('finds the cue covering a time', () => {
    expect(cueAt(cues, 0)?.x).toBe(0);
    expect(cueAt(cues, 1.99)?.x).toBe(0);
    expect(cueAt(cues, 2)?.x).toBe(160);
    expect(cueAt(cues, 5)?.y).toBe(90);
  });

  it('clamps to the first and last cue and gives null without cues', () => {
    expect(cueAt(cues, -3)).toBe(cues[0]);
    expect(cueAt(cues, 99)).toBe(cues[2]);
    expect(cueAt([], 1)).toBeNull();
  });
});
