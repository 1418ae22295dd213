// Seek-bar previews: the storyboard is a WebVTT file whose cues each name a
// region of a sprite sheet ("sprite_000.jpg#xywh=160,0,160,90"), with URIs
// relative to the VTT file itself (so a signed /media/ prefix carries over).

/** One thumbnail: the time range it stands for and where it sits in its sheet. */
export interface StoryboardCue {
  start: number;
  end: number;
  /** Absolute URL of the sprite sheet, without the fragment. */
  url: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

const TIMING = /^((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s+-->\s+((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})(?:\s|$)/;

/** Seconds from a WebVTT timestamp ("01:02:03.500" or "02:03.500"); NaN if malformed. */
export function parseVTTTime(stamp: string): number {
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})$/.exec(stamp.trim());
  if (!m) return Number.NaN;
  const [, h = '0', min, s, frac] = m;
  return Number(h) * 3600 + Number(min) * 60 + Number(s) + Number(frac!.padEnd(3, '0')) / 1000;
}

/**
 * Reads a storyboard VTT. Cues without a usable `#xywh=` region are
 * skipped, so a damaged file gives fewer previews rather than an error.
 */
export function parseStoryboard(text: string, baseUrl: string): StoryboardCue[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (!lines[0]?.startsWith('WEBVTT')) return [];
  const cues: StoryboardCue[] = [];
  for (let i = 1; i < lines.length; i++) {
    const timing = TIMING.exec(lines[i]!.trim());
    if (!timing) continue;
    const start = parseVTTTime(timing[1]!);
    const end = parseVTTTime(timing[2]!);
    const payload = (lines[i + 1] ?? '').trim();
    i++;
    const cue = regionCue(payload, baseUrl);
    if (!cue || !(end > start)) continue;
    cues.push({ start, end, ...cue });
  }
  return cues.sort((a, b) => a.start - b.start);
}

function regionCue(payload: string, baseUrl: string): Omit<StoryboardCue, 'start' | 'end'> | null {
  const hash = payload.indexOf('#');
  if (hash <= 0) return null;
  const params = new URLSearchParams(payload.slice(hash + 1));
  const xywh = params.get('xywh');
  if (!xywh) return null;
  const spec = xywh.startsWith('pixel:') ? xywh.slice(6) : xywh;
  if (spec.startsWith('percent:')) return null;
  const nums = spec.split(',').map((n) => Number(n));
  if (nums.length !== 4 || nums.some((n) => !Number.isFinite(n) || n < 0)) return null;
  const [x, y, w, h] = nums as [number, number, number, number];
  if (w === 0 || h === 0) return null;
  let url: string;
  try {
    url = new URL(payload.slice(0, hash), baseUrl).href;
  } catch {
    return null;
  }
  return { url, x, y, w, h };
}

/** The cue covering `time`, else the nearest one before it; null with no cues. */
export function cueAt(cues: readonly StoryboardCue[], time: number): StoryboardCue | null {
  if (cues.length === 0) return null;
  let lo = 0;
  let hi = cues.length - 1;
  if (time < cues[0]!.start) return cues[0]!;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cues[mid]!.start <= time) lo = mid;
    else hi = mid - 1;
  }
  return cues[lo]!;
}
