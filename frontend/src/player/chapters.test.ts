import { describe, expect, it } from 'vitest';
import { chapterAt, parseChapters } from './chapters';

describe('parseChapters', () => {
  it('reads each cue as a chapter, decoding entities and dropping tags', () => {
    const vtt = 'WEBVTT\n\nintro\n00:00:00.000 --> 00:02:00.000\nIntro\n\n00:02:00.000 --> 01:00:00.500\n<b>Q&amp;A</b>\nand more\n';
    expect(parseChapters(vtt)).toEqual([
      { start: 0, end: 120, title: 'Intro' },
      { start: 120, end: 3600.5, title: 'Q&A and more' },
    ]);
  });

  it('skips cues without a title or time, and files that are not WebVTT', () => {
    expect(parseChapters('WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nBackwards\n\n00:00:01.000 --> 00:00:02.000\n\n')).toEqual([]);
    expect(parseChapters('<html>not found</html>')).toEqual([]);
  });
});

describe('chapterAt', () => {
  const chapters = [
    { start: 0, end: 10, title: 'A' },
    { start: 10, end: 20, title: 'B' },
  ];
  it('finds the chapter playing, none past the end', () => {
    expect(chapterAt(chapters, 0)?.title).toBe('A');
    expect(chapterAt(chapters, 10)?.title).toBe('B');
    expect(chapterAt(chapters, 25)).toBeNull();
    expect(chapterAt([], 3)).toBeNull();
  });
});
