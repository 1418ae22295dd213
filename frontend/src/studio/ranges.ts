// Time ranges of the studio. The studio works in the video's time as it
// plays now (the player, the storyboard and the words all follow the
// published edit); editVideo and createClip take seconds of the original,
// so what is saved is mapped back through the published edit.

/** A range of seconds, `[start, end)`. */
export interface Range {
  start: number;
  end: number;
}

/** Shortest range worth keeping or cutting (a frame at 100 fps). */
const EPSILON = 0.01;

/** `ranges` sorted, clamped to [0, duration], with overlapping or touching ones merged and empty ones dropped. */
export function normalize(ranges: readonly Range[], duration: number): Range[] {
  const sorted = ranges
    .map((r) => ({ start: Math.max(0, Math.min(r.start, r.end)), end: Math.min(duration, Math.max(r.start, r.end)) }))
    .filter((r) => r.end - r.start >= EPSILON)
    .sort((a, b) => a.start - b.start);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + EPSILON) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/** What is left of [0, duration] without `cuts`. */
export function complement(cuts: readonly Range[], duration: number): Range[] {
  const out: Range[] = [];
  let at = 0;
  for (const c of normalize(cuts, duration)) {
    if (c.start - at >= EPSILON) out.push({ start: at, end: c.start });
    at = c.end;
  }
  if (duration - at >= EPSILON) out.push({ start: at, end: duration });
  return out;
}

/** Total length of `ranges`. */
export function totalLength(ranges: readonly Range[]): number {
  return ranges.reduce((sum, r) => sum + (r.end - r.start), 0);
}

/** Time `t` of the video as it plays now, in seconds of the original (`edit`: the published keep list, or null). */
export function toOriginalTime(t: number, edit: readonly Range[] | null | undefined): number {
  if (!edit || edit.length === 0) return t;
  let offset = 0;
  for (const r of edit) {
    const len = r.end - r.start;
    if (t < offset + len) return r.start + Math.max(0, t - offset);
    offset += len;
  }
  const last = edit[edit.length - 1]!;
  return last.end;
}

/** Ranges of the video as it plays now, as ranges of the original (a range across a cut splits in two). */
export function toOriginalRanges(ranges: readonly Range[], edit: readonly Range[] | null | undefined): Range[] {
  if (!edit || edit.length === 0) return ranges.map((r) => ({ ...r }));
  const out: Range[] = [];
  for (const r of ranges) {
    let offset = 0;
    for (const k of edit) {
      const len = k.end - k.start;
      const s = Math.max(r.start, offset);
      const e = Math.min(r.end, offset + len);
      if (e - s >= EPSILON) {
        const piece = { start: k.start + (s - offset), end: k.start + (e - offset) };
        const last = out[out.length - 1];
        if (last && Math.abs(last.end - piece.start) < 1e-6) last.end = piece.end;
        else out.push(piece);
      }
      offset += len;
    }
  }
  return out.map((r) => ({ start: round(r.start), end: round(r.end) }));
}

/**
 * The keep list editVideo gets for cutting `cuts` (in the time as it
 * plays now) from a video of `duration` seconds with the published `edit`.
 */
export function keepForCuts(cuts: readonly Range[], duration: number, edit: readonly Range[] | null | undefined): Range[] {
  return toOriginalRanges(complement(cuts, duration), edit);
}

/** Where preview playback at `t` jumps to: the end of the cut `t` is in, or null when `t` is kept. */
export function skipTarget(t: number, cuts: readonly Range[]): number | null {
  for (const c of cuts) if (t >= c.start && t < c.end - EPSILON / 2) return c.end;
  return null;
}

/** Milliseconds precision: what the server stores and what reads well. */
function round(s: number): number {
  return Math.round(s * 1000) / 1000;
}

/** A word of the transcript with its position in the list. */
export interface TimedWord {
  start: number;
  end: number;
  text: string;
}

/** The ranges covering the words at `indices`: one per run of neighbouring words, from the first's start to the last's end. */
export function wordRanges(words: readonly TimedWord[], indices: ReadonlySet<number>): Range[] {
  const sorted = [...indices].filter((i) => i >= 0 && i < words.length).sort((a, b) => a - b);
  const out: Range[] = [];
  let runStart = -1;
  let prev = -2;
  for (const i of sorted) {
    if (i !== prev + 1) {
      if (runStart >= 0) out.push({ start: words[runStart]!.start, end: words[prev]!.end });
      runStart = i;
    }
    prev = i;
  }
  if (runStart >= 0) out.push({ start: words[runStart]!.start, end: words[prev]!.end });
  return out;
}

/** Seconds as m:ss.t (or h:mm:ss.t), for ranges where tenths matter. */
export function formatPrecise(s: number): string {
  const total = Math.max(0, s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  const secText = sec.toFixed(1).padStart(4, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${secText}` : `${m}:${secText}`;
}

/** Parses m:ss(.t), h:mm:ss(.t) or plain seconds; null when it is not a time. */
export function parseTime(text: string): number | null {
  const parts = text.trim().split(':');
  if (parts.length === 0 || parts.length > 3 || parts.some((p) => !/^\d+(\.\d+)?$/.test(p))) return null;
  return parts.reduce((acc, p) => acc * 60 + Number(p), 0);
}
