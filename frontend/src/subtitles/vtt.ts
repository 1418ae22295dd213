// WebVTT in the browser: parsing the subtitle files the server serves (for
// the transcript panel and the subtitles editor) and writing the file the
// editor saves through `updateSubtitles`. The server validates what it
// receives (media.ParseVTT) and names the line of any problem; `lineCues`
// maps those lines back to the editor's rows.

/** One subtitle cue. Times in seconds; `text` is WebVTT cue text (markup kept). */
export interface Cue {
  /** The cue identifier line, if the file had one. */
  id?: string;
  start: number;
  end: number;
  /** Cue settings after the end time (`line:0 align:start`), kept as they were. */
  settings?: string;
  text: string;
}

const TIMESTAMP = /^(?:(\d{1,}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$/;

/**
 * Reads a timestamp as a person types it or a file has it: `hh:mm:ss.mmm`,
 * `mm:ss.mmm`, `m:ss`, or plain seconds (`12.5`). Null when it is none of these.
 */
export function parseTimestamp(text: string): number | null {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const m = TIMESTAMP.exec(s);
  if (!m) return null;
  const h = m[1] ? Number(m[1]) : 0;
  const min = Number(m[2]);
  const sec = Number(m[3]);
  if (min > 59 || sec > 59) return null;
  const ms = m[4] ? Number(m[4].padEnd(3, '0')) : 0;
  return h * 3600 + min * 60 + sec + ms / 1000;
}

/** A WebVTT timestamp, `hh:mm:ss.mmm` (hours always, as the server writes them). */
export function formatTimestamp(seconds: number): string {
  const total = Math.max(0, Math.round((Number.isFinite(seconds) ? seconds : 0) * 1000));
  const ms = total % 1000;
  const s = Math.floor(total / 1000) % 60;
  const m = Math.floor(total / 60_000) % 60;
  const h = Math.floor(total / 3_600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(h)}:${two(m)}:${two(s)}.${String(ms).padStart(3, '0')}`;
}

/**
 * Parses a WebVTT file into cues sorted by start time. Lenient, since the
 * files come from the server, which validated them: blocks that are not
 * cues (NOTE, STYLE, REGION, anything without a valid timing line) are
 * skipped rather than reported.
 */
export function parseVTT(text: string): Cue[] {
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  if (!/^WEBVTT(?:[ \t]|$)/.test(lines[0] ?? '')) return [];
  const cues: Cue[] = [];
  let i = 1;
  // Header lines run to the first blank line.
  while (i < lines.length && lines[i]!.trim() !== '') i++;
  while (i < lines.length) {
    if (lines[i]!.trim() === '') {
      i++;
      continue;
    }
    const block: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '') block.push(lines[i++]!);
    const cue = parseBlock(block);
    if (cue) cues.push(cue);
  }
  return cues.map((c, n) => ({ c, n })).sort((a, b) => a.c.start - b.c.start || a.n - b.n).map(({ c }) => c);
}

function parseBlock(block: string[]): Cue | null {
  const first = block[0]!;
  if (/^(NOTE|STYLE|REGION)(?:[ \t]|$)/.test(first)) return null;
  const timingAt = first.includes('-->') ? 0 : 1;
  const timing = block[timingAt];
  if (!timing?.includes('-->')) return null;
  const [left, right = ''] = timing.split('-->', 2) as [string, string?];
  const fields = right.trim().split(/\s+/).filter(Boolean);
  const start = parseTimestamp(left);
  const end = fields[0] !== undefined ? parseTimestamp(fields[0]) : null;
  if (start === null || end === null) return null;
  const cue: Cue = { start, end, text: block.slice(timingAt + 1).join('\n') };
  if (timingAt === 1) cue.id = first.trim();
  if (fields.length > 1) cue.settings = fields.slice(1).join(' ');
  return cue;
}

/** A serialized file, with which cue (index into the input) each line belongs to (-1: none). */
export interface SerializedVTT {
  vtt: string;
  /** lineCues[n - 1] is the cue of line n. */
  lineCues: number[];
}

/**
 * Writes cues as a WebVTT file, in the order given. Blank lines inside a
 * cue's text would end the cue early, so they are dropped; trailing spaces
 * are trimmed.
 */
export function serializeVTT(cues: readonly Cue[]): SerializedVTT {
  const out: string[] = ['WEBVTT', ''];
  const lineCues: number[] = [-1, -1];
  cues.forEach((c, i) => {
    const push = (line: string) => {
      out.push(line);
      lineCues.push(i);
    };
    const id = c.id?.trim();
    if (id) push(id);
    push(`${formatTimestamp(c.start)} --> ${formatTimestamp(c.end)}${c.settings ? ` ${c.settings}` : ''}`);
    for (const line of cueTextLines(c.text)) push(line);
    out.push('');
    lineCues.push(-1);
  });
  return { vtt: out.join('\n'), lineCues };
}

/** The lines a cue's text is written as: trailing spaces trimmed, blank lines dropped. */
export function cueTextLines(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', nbsp: ' ', lrm: '', rlm: '', quot: '"', apos: "'" };

/**
 * What a cue says, as plain text: tags (`<i>`, `<v Bob>`, timestamps)
 * removed, character references decoded, lines joined by spaces. The same
 * as the server's media.PlainText.
 */
export function plainText(cueText: string): string {
  return cueText
    .replace(/<[^<>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
      if (ref[0] === '#') {
        const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[ref.toLowerCase()] ?? whole;
    })
    .split(/\s+/)
    .filter(Boolean)
    .join(' ');
}

/** The line number a server error names ("line 7: …"), or null. */
export function errorLine(message: string): number | null {
  const m = /\bline (\d+)\b/i.exec(message);
  return m ? Number(m[1]) : null;
}

/** Index of the cue playing at `time`: the last cue that has started and not ended, or -1. */
export function activeCueIndex(cues: readonly Cue[], time: number): number {
  let found = -1;
  for (let i = 0; i < cues.length; i++) {
    const c = cues[i]!;
    if (c.start > time) break;
    if (time < c.end) found = i;
  }
  return found;
}
