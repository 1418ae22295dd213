import { describe, expect, it } from 'vitest';
import { activeCueIndex, errorLine, formatTimestamp, parseTimestamp, parseVTT, plainText, serializeVTT } from './vtt';

describe('parseTimestamp', () => {
  it.each([
    ['00:00:01.500', 1.5],
    ['01:02:03.004', 3723.004],
    ['02:03.5', 123.5],
    ['2:03', 123],
    ['12.25', 12.25],
    [' 00:00:04,000 ', 4],
    ['100:00:00.000', 360000],
  ])('reads %s', (text, seconds) => {
    expect(parseTimestamp(text)).toBeCloseTo(seconds, 6);
  });

  it.each(['', 'abc', '00:60:00.000', '00:00:61.000', '1:2:3:4', '-1'])('refuses %j', (text) => {
    expect(parseTimestamp(text)).toBeNull();
  });
});

describe('formatTimestamp', () => {
  it.each([
    [0, '00:00:00.000'],
    [1.5, '00:00:01.500'],
    [3723.004, '01:02:03.004'],
    [59.9996, '00:01:00.000'],
    [-3, '00:00:00.000'],
  ])('writes %s as %s', (seconds, text) => {
    expect(formatTimestamp(seconds)).toBe(text);
  });
});

const FILE = `WEBVTT
Kind: captions

NOTE made by the engine

1
00:00:00.000 --> 00:00:02.500 align:start
Hello from <i>clipcut</i>.

00:00:05.000 --> 00:00:06.000
Last &amp; least

2
00:00:02.500 --> 00:00:05.000
Two lines,
here.
`;

describe('parseVTT', () => {
  it('reads cues with ids, settings and multi-line text, sorted by start', () => {
    expect(parseVTT(FILE)).toEqual([
      { id: '1', start: 0, end: 2.5, settings: 'align:start', text: 'Hello from <i>clipcut</i>.' },
      { id: '2', start: 2.5, end: 5, text: 'Two lines,\nhere.' },
      { start: 5, end: 6, text: 'Last &amp; least' },
    ]);
  });

  it('takes CRLF and a byte order mark, and gives nothing for a file that is not WebVTT', () => {
    expect(parseVTT('\uFEFFWEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nHi\r\n')).toEqual([{ start: 1, end: 2, text: 'Hi' }]);
    expect(parseVTT('1\n00:00:01,000 --> 00:00:02,000\nSRT\n')).toEqual([]);
  });
});

describe('serializeVTT', () => {
  it('writes what parseVTT reads back, and maps each line to its cue', () => {
    const cues = parseVTT(FILE);
    const { vtt, lineCues } = serializeVTT(cues);
    expect(vtt).toBe(
      'WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.500 align:start\nHello from <i>clipcut</i>.\n\n' +
        '2\n00:00:02.500 --> 00:00:05.000\nTwo lines,\nhere.\n\n' +
        '00:00:05.000 --> 00:00:06.000\nLast &amp; least\n',
    );
    expect(parseVTT(vtt)).toEqual(cues);
    const lines = vtt.split('\n');
    expect(lines[6]).toBe('2');
    expect(lineCues[6]).toBe(1); // line 7 is cue 2's identifier
    expect(lineCues[0]).toBe(-1);
    expect(lineCues[11]).toBe(2);
  });

  it('drops blank lines inside a cue, which would end it early', () => {
    expect(serializeVTT([{ start: 1, end: 2, text: 'one\n\n  \ntwo  ' }]).vtt).toBe('WEBVTT\n\n00:00:01.000 --> 00:00:02.000\none\ntwo\n');
  });
});

describe('helpers', () => {
  it('plainText strips markup and decodes references like the server', () => {
    expect(plainText('<v Bob>Hello</v>\n<i>you</i> &amp; me &lt;3 &#233;&#x20AC;')).toBe('Hello you & me <3 é€');
  });

  it('errorLine finds the line a server error names', () => {
    expect(errorLine('line 12: malformed start time "00:00:1.000"')).toBe(12);
    expect(errorLine('The file has no cues.')).toBeNull();
  });

  it('activeCueIndex finds the cue being spoken', () => {
    const cues = [
      { start: 0, end: 2, text: 'a' },
      { start: 2, end: 4, text: 'b' },
      { start: 5, end: 6, text: 'c' },
    ];
    expect(activeCueIndex(cues, 0)).toBe(0);
    expect(activeCueIndex(cues, 2)).toBe(1);
    expect(activeCueIndex(cues, 4.5)).toBe(-1);
    expect(activeCueIndex(cues, 5.5)).toBe(2);
    expect(activeCueIndex(cues, 9)).toBe(-1);
  });
});
