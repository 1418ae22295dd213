// Client-side transcript search: accent- and case-insensitive, every word
// of the query must appear in a cue, each occurrence highlighted.
import type { ReactNode } from 'react';

/** Folds a string for matching, keeping a map from folded to original positions. */
function fold(text: string): { folded: string; origin: number[] } {
  let folded = '';
  const origin: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const f = text[i]!.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    for (let k = 0; k < f.length; k++) origin.push(i);
    folded += f;
  }
  origin.push(text.length);
  return { folded, origin };
}

/** The words of a query, folded; empty for a blank query. */
export function queryWords(query: string): string[] {
  return fold(query.trim()).folded.split(/\s+/).filter(Boolean);
}

/** Where each word occurs in `text`, as [start, end) ranges of the original string, merged and sorted. */
export function matchRanges(text: string, words: readonly string[]): [number, number][] | null {
  if (words.length === 0) return [];
  const { folded, origin } = fold(text);
  const ranges: [number, number][] = [];
  for (const w of words) {
    let at = folded.indexOf(w);
    if (at < 0) return null;
    while (at >= 0) {
      ranges.push([origin[at]!, origin[at + w.length - 1]! + 1]);
      at = folded.indexOf(w, at + w.length);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** `text` with the ranges wrapped in <mark>. */
export function highlight(text: string, ranges: readonly [number, number][]): ReactNode {
  if (ranges.length === 0) return text;
  const out: ReactNode[] = [];
  let at = 0;
  ranges.forEach(([s, e], i) => {
    if (s > at) out.push(text.slice(at, s));
    out.push(<mark key={i}>{text.slice(s, e)}</mark>);
    at = e;
  });
  if (at < text.length) out.push(text.slice(at));
  return out;
}
