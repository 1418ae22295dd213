// The analytics dashboard's line charts, drawn by uPlot (a small canvas
// chart library, about 50 kB, loaded by the dashboard only: it is imported
// where a chart is drawn, as it reads the screen's pixel ratio on load). Each
// chart says its latest value in words, shows the value under the pointer
// in its legend, is an image with a text summary for screen readers, and
// has its figures in a table under a disclosure, so nothing is only visual.

import { useEffect, useId, useRef, useState } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartPoint {
  /** Label of the x value (a date, or a second of the video). */
  label: string;
  value: number | null;
}

interface ChartProps {
  title: string;
  points: ChartPoint[];
  /** Formats a value for the axis, the legend, the summary and the table. */
  format: (v: number) => string;
  /** Fix the top of the scale (1 for shares); default a little over the largest value. */
  max?: number;
  /** Whole numbers only (counts): the axis never shows 0.5 views. */
  integer?: boolean;
  /** Durations in seconds: ticks on whole seconds, minutes and hours. */
  seconds?: boolean;
}

/** Tick steps for counts: whole numbers that read well. */
const INTEGER_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 1e6, 1e7, 1e8, 1e9];
/** Tick steps for durations in seconds. */
const SECOND_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 18_000, 36_000, 86_400, 172_800, 432_000, 864_000];
/** Steps between x labels, in points: every point, every other, ... */
const X_STEPS = [1, 2, 3, 4, 6, 7, 12, 14, 24, 28, 48, 56, 96, 168, 336];

/** The chart's sentence for screen readers (and the analytics e2e test). */
export function chartSummary(title: string, points: readonly ChartPoint[], format: (v: number) => string): string {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null);
  const latest = values[values.length - 1];
  if (latest === undefined) return `${title}: no data in this range.`;
  const first = points[0]!.label;
  const last = points[points.length - 1]!.label;
  return `${title}: ${points.length} points from ${first} to ${last}; highest ${format(Math.max(...values))}, latest ${format(latest)}.`;
}

/** The top of the y scale: `max`, else a little above the largest value (1 when all are 0). */
export function scaleTop(values: readonly (number | null)[], max?: number, integer?: boolean): number {
  if (max !== undefined) return max;
  const top = Math.max(0, ...values.filter((v): v is number => v !== null));
  if (top <= 0) return 1;
  return integer ? Math.max(1, Math.ceil(top * 1.1)) : top * 1.1;
}

/** The app's theme colours, read from its CSS variables so the charts match the brand. */
function themeColours() {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return { accent: v('--accent', '#8b6dff'), muted: v('--muted', '#a3a9b7'), border: v('--border', '#2b303b'), font: v('--font', 'system-ui, sans-serif') };
}

/** True when a value has no value either side (a day between days without data): no line shows it, so its dot must. */
export function hasLonePoint(points: readonly ChartPoint[]): boolean {
  return points.some((p, i) => p.value !== null && (points[i - 1]?.value ?? null) === null && (points[i + 1]?.value ?? null) === null);
}

/** "#8b6dff" at the given opacity, for the area under the line (canvas takes rgba everywhere). */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return 'transparent';
  return `rgba(${parseInt(m[1]!, 16)}, ${parseInt(m[2]!, 16)}, ${parseInt(m[3]!, 16)}, ${alpha})`;
}

/** uPlot needs a 2D canvas; jsdom (unit tests) has none, and the table still tells everything. */
function canDraw(): boolean {
  return typeof CanvasRenderingContext2D !== 'undefined';
}

let uplot: Promise<typeof uPlot> | null = null;

function loadUPlot(): Promise<typeof uPlot> {
  uplot ??= import('uplot').then(
    (m) => m.default,
    (err: unknown) => {
      uplot = null; // let a later chart try again
      throw err;
    },
  );
  return uplot;
}

function chartHeight(width: number): number {
  return width < 400 ? 170 : 210;
}

/** The uPlot options of one chart. */
function chartOptions(
  title: string,
  points: readonly ChartPoint[],
  format: (v: number) => string,
  top: number,
  steps: number[] | undefined,
  width: number,
): uPlot.Options {
  const c = themeColours();
  const font = `12px ${c.font}`;
  const labels = points.map((p) => p.label);
  const single = points.length <= 1;
  return {
    width,
    height: chartHeight(width),
    padding: [12, 16, 0, 0],
    cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 9, fill: c.accent } },
    legend: { show: true, live: true },
    scales: {
      // The x axis counts points; the labels name them. One point sits in the middle.
      // Half a step of room each side, so the first and last points show whole.
      x: { time: false, range: (_u, min, max) => (single ? [min - 1, max + 1] : [min - 0.5, max + 0.5]) },
      y: { range: () => [0, top] },
    },
    axes: [
      {
        stroke: c.muted,
        font,
        space: 84,
        incrs: X_STEPS,
        grid: { show: false },
        ticks: { stroke: c.border, width: 1, size: 4 },
        values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? (labels[i] ?? '') : '')),
      },
      {
        stroke: c.muted,
        font,
        size: 64,
        space: 36,
        incrs: steps,
        grid: { stroke: c.border, width: 1 },
        ticks: { show: false },
        values: (_u, splits) => splits.map((v) => format(v)),
      },
    ],
    series: [
      { label: 'When', value: (_u, i) => (i == null ? '–' : (labels[i] ?? '')) },
      {
        label: title,
        stroke: c.accent,
        width: 2,
        fill: withAlpha(c.accent, 0.18),
        value: (_u, v) => (v == null ? '–' : format(v)),
        // A lone point is drawn big enough to see; many are a line.
        points: single ? { show: true, size: 10, fill: c.accent } : { show: hasLonePoint(points) ? true : undefined, size: 7, fill: c.accent },
      },
    ],
  };
}

/** A line chart of one metric over time (or over the video). */
export function DashboardChart({ title, points, format, max, integer = false, seconds = false }: ChartProps) {
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  const [drawn, setDrawn] = useState(false);
  const values = points.map((p) => p.value);
  const known = values.filter((v): v is number => v !== null);
  const summary = chartSummary(title, points, format);
  const latestIndex = values.findLastIndex((v) => v !== null);
  const latest = latestIndex >= 0 ? values[latestIndex]! : null;
  const top = scaleTop(values, max, integer || seconds);
  const steps = seconds ? SECOND_STEPS : integer ? INTEGER_STEPS : undefined;

  useEffect(() => {
    const el = box.current;
    if (!el || known.length === 0 || !canDraw()) return;
    let cancelled = false;
    let chart: uPlot | null = null;
    let observer: ResizeObserver | null = null;
    loadUPlot().then(
      (UPlot) => {
        if (cancelled) return;
        const width = Math.max(200, Math.floor(el.clientWidth));
        const data: uPlot.AlignedData = [points.map((_, i) => i), values];
        try {
          const opts = chartOptions(title, points, format, top, steps, width);
          // The legend says the latest value until the pointer picks another.
          if (latestIndex >= 0) opts.hooks = { ready: [(u) => u.setLegend({ idx: latestIndex })] };
          chart = new UPlot(opts, data, el);
        } catch {
          return; // the summary and the table still tell
        }
        setDrawn(true);
        observer = new ResizeObserver(() => {
          const w = Math.max(200, Math.floor(el.clientWidth));
          if (chart && w !== chart.width) chart.setSize({ width: w, height: chartHeight(w) });
        });
        observer.observe(el);
      },
      () => {
        // No chart library (a failed chunk): the summary and the table still tell.
      },
    );
    return () => {
      cancelled = true;
      observer?.disconnect();
      chart?.destroy();
      setDrawn(false);
    };
    // The chart is rebuilt when its figures change (a new period); the
    // callbacks are recreated each render but say the same.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [title, JSON.stringify(points), top, integer, seconds]);

  return (
    <figure className="chart card" aria-labelledby={`${id}-title`} data-drawn={drawn ? 'true' : undefined}>
      <figcaption className="chart__head">
        <span id={`${id}-title`} className="chart__title">
          {title}
        </span>
        {latest !== null && (
          <span className="chart__latest">
            {format(latest)} <span className="muted">{points[latestIndex]!.label}</span>
          </span>
        )}
      </figcaption>
      {known.length === 0 ? (
        <p className="chart__empty muted" role="img" aria-label={summary}>
          No data in this period.
        </p>
      ) : (
        <div ref={box} className="chart__plot" role="img" aria-label={summary} />
      )}
      <details className="chart__data">
        <summary>Data</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">{title}</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p, i) => (
              <tr key={`${i}-${p.label}`}>
                <th scope="row">{p.label}</th>
                <td>{p.value === null ? '—' : format(p.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
