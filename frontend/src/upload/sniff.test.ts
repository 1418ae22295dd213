import { describe, expect, it } from 'vitest';
import { looksLikeMedia, sniffFile } from './sniff';

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('looksLikeMedia', () => {
  it('refuses text, documents and pictures', () => {
    expect(looksLikeMedia(bytes('Hello, this is a text file and not a video.'))).toBe(false);
    expect(looksLikeMedia(bytes('%PDF-1.7\n%âãÏÓ\n1 0 obj'))).toBe(false);
    expect(looksLikeMedia(bytes('\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR'))).toBe(false);
    expect(looksLikeMedia(bytes('GET / HTTP/1.1\r\n' + 'x'.repeat(300)))).toBe(false);
  });

  it('accepts the containers the server accepts', () => {
    expect(looksLikeMedia(bytes('\x00\x00\x00\x18ftypisom\x00\x00\x02\x00'))).toBe(true);
    expect(looksLikeMedia(bytes('\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81'))).toBe(true);
    expect(looksLikeMedia(bytes('RIFF\x00\x00\x00\x00AVI LIST'))).toBe(true);
    const ts = new Uint8Array(188 * 3);
    ts[0] = ts[188] = ts[376] = 0x47;
    expect(looksLikeMedia(ts)).toBe(true);
  });

  it('leaves tiny files to the server', () => {
    expect(looksLikeMedia(bytes('abc'))).toBe(true);
  });

  it('reads a file', async () => {
    expect(await sniffFile(new Blob(['just some notes, definitely not a video\n'], { type: 'text/plain' }))).toBe(false);
    expect(await sniffFile(new Blob([bytes('\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2')]))).toBe(true);
  });
});
