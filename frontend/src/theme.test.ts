import { describe, expect, it } from 'vitest';

// The theme's colours, read from the style sheet the app ships. Read from
// disk: Vitest hands CSS imports (?raw too) over empty, and the app's
// tsconfig has no Node types, hence the narrow casts.
const fs = (await import(/* @vite-ignore */ 'node:' + 'fs')) as { readFileSync(path: string, encoding: 'utf8'): string };
const cwd = (globalThis as unknown as { process: { cwd(): string } }).process.cwd(); // Vitest runs in frontend/
const css = fs.readFileSync(`${cwd}/src/styles.css`, 'utf8');

function variable(name: string): string {
  const m = new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})`).exec(css);
  if (!m) throw new Error(`--${name} is not a #rrggbb colour in styles.css`);
  return m[1]!;
}

function hexOf(selector: string, property: string): string {
  const block = new RegExp(`${selector.replace(/[.:]/g, '\\$&')} \\{([^}]*)\\}`).exec(css)?.[1] ?? '';
  const m = new RegExp(`${property}:\\s*(#[0-9a-fA-F]{6})`).exec(block);
  if (!m) throw new Error(`${selector} has no #rrggbb ${property}`);
  return m[1]!;
}

/** WCAG 2 relative luminance. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe('theme contrast (WCAG AA)', () => {
  it('white text on the primary button is at least 4.5:1, hovered too', () => {
    expect(contrast(variable('accent-text'), variable('accent-strong'))).toBeGreaterThanOrEqual(4.5);
    expect(contrast(variable('accent-text'), hexOf('.button--primary:hover', 'background'))).toBeGreaterThanOrEqual(4.5);
  });

  it('the primary button stands out from the page (3:1 for a control)', () => {
    expect(contrast(variable('accent-strong'), variable('bg'))).toBeGreaterThanOrEqual(3);
  });

  it('text and muted text are readable on the page and on cards', () => {
    for (const bg of [variable('bg'), variable('surface')]) {
      expect(contrast(variable('text'), bg)).toBeGreaterThanOrEqual(4.5);
      expect(contrast(variable('muted'), bg)).toBeGreaterThanOrEqual(4.5);
    }
  });
});
