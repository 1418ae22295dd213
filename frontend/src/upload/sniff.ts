// The browser's half of the check the server makes at the first PATCH
// (upload/sniff.go): a file whose first bytes are no video or audio
// container is refused before anything is sent. Like the server, it only
// refuses what is certainly not media; ffprobe on the server judges the rest.

/** How many of a file's first bytes are looked at. */
export const SNIFF_SIZE = 4096;

/** Files smaller than this are left to the server, which decides on them. */
const MIN_SNIFF = 12;

/** Whether `head`, a file's first bytes, starts like a video or audio container. */
export function looksLikeMedia(head: Uint8Array): boolean {
  if (head.length < MIN_SNIFF) return true;
  const has = (off: number, sig: string | number[]) => {
    const bytes = typeof sig === 'string' ? Array.from(sig, (c) => c.charCodeAt(0)) : sig;
    if (head.length < off + bytes.length) return false;
    return bytes.every((b, i) => head[off + i] === b);
  };
  // ISO base media: MP4, M4V, M4A, MOV, 3GP (and QuickTime's other first atoms).
  if (['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].some((a) => has(4, a))) return true;
  if (has(0, [0x1a, 0x45, 0xdf, 0xa3])) return true; // EBML: Matroska, WebM
  if (has(0, 'RIFF') && ['AVI ', 'AVIX', 'WAVE', 'CDXA'].some((f) => has(8, f))) return true;
  if (['FLV\x01', 'OggS', 'fLaC', 'ID3', 'YUV4MPEG2', 'DKIF', '.RMF', '#!AMR', 'nut/multimedia container'].some((s) => has(0, s))) return true;
  if (has(0, 'FORM') && (has(8, 'AIFF') || has(8, 'AIFC'))) return true;
  if (has(0, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])) return true; // ASF: WMV, WMA
  if (has(0, [0x06, 0x0e, 0x2b, 0x34, 0x02, 0x05, 0x01, 0x01])) return true; // MXF
  if (has(0, [0, 0, 1]) || has(0, [0, 0, 0, 1])) return true; // MPEG-PS, MPEG video, H.264/HEVC streams
  if (transportStream(head, 188, 0) || transportStream(head, 192, 4) || transportStream(head, 204, 0)) return true;
  const b1 = head[1] ?? 0;
  if (head[0] === 0xff && (b1 & 0xe0) === 0xe0 && (b1 & 0x06) !== 0) return true; // MP3
  if (head[0] === 0xff && (b1 & 0xf6) === 0xf0) return true; // AAC ADTS
  return false;
}

function transportStream(head: Uint8Array, packet: number, prefix: number): boolean {
  let n = 0;
  for (let off = prefix; off < head.length; off += packet) {
    if (head[off] !== 0x47) return false;
    n++;
  }
  return n >= 2 || (n === 1 && head.length <= packet);
}

/** Reads the first bytes of `file` and says whether it may be a video. */
export async function sniffFile(file: Blob): Promise<boolean> {
  try {
    const buf = await file.slice(0, SNIFF_SIZE).arrayBuffer();
    return looksLikeMedia(new Uint8Array(buf));
  } catch {
    return true; // unreadable here: the server decides
  }
}

/** The message for a refused file; the server's says the same. */
export function notAVideoMessage(name: string): string {
  return `“${name}” is not a video: its first bytes are not those of any video or audio format (MP4, MOV, WebM, MKV, AVI, MPEG-TS…), so nothing was uploaded. Choose the video file itself.`;
}
