// Chapters: the WebVTT chapters track of Playback.chaptersUrl (one cue per
// chapter, from its start to the next one's), shown as marks on the seek
// bar and as a chapter menu.
import { parseVTTTime } from './storyboard';

/** One chapter: where it starts and ends, in seconds, and its title. */
export interface Chapter {
  start: number;
  end: number;
  title: string;
}

const TIMING = /^((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s+-->\s+((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})(?:\s|$)/;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', lrm: '\u200e', rlm: '\u200f' };

/** A cue's text as plain text: tags dropped, the entities WebVTT escapes decoded. */
function cueText(lines: string[]): string {
  return lines
    .join(' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|apos|nbsp|lrm|rlm);/g, (_, name: string) => ENTITIES[name]!)
    .trim();
}

/**
 * Reads a WebVTT chapters track. Cues without a title or with an end
 * before their start are skipped, so a damaged file gives fewer chapters
 * rather than an error.
 */
export function parseChapters(text: string): Chapter[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (!lines[0]?.startsWith('WEBVTT')) return [];
  const chapters: Chapter[] = [];
  for (let i = 1; i < lines.length; i++) {
    const timing = TIMING.exec(lines[i]!.trim());
    if (!timing) continue;
    const payload: string[] = [];
    while (i + 1 < lines.length && lines[i + 1]!.trim() !== '') payload.push(lines[++i]!);
    const start = parseVTTTime(timing[1]!);
    const end = parseVTTTime(timing[2]!);
    const title = cueText(payload);
    if (!title || !(end > start)) continue;
    chapters.push({ start, end, title });
  }
  return chapters.sort((a, b) => a.start - b.start);
}

/** The chapter playing at time t, or null before the first and after the last. */
export function chapterAt(chapters: readonly Chapter[], t: number): Chapter | null {
  let found: Chapter | null = null;
  for (const c of chapters) {
    if (c.start > t) break;
    if (t < c.end) found = c;
  }
  return found;
}
