import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeClipcut } from '../test/fakeServer';
import { renderApp } from '../test/render';
import { chartSummary, hasLonePoint, scaleTop, withAlpha } from './DashboardChart';

vi.mock('../graphql/client', async () => ({
  createClipcutClient: (await import('../test/fakeServer')).fakeClient,
}));

const ADA = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse' };

function point(start: string, views: number, extra: Record<string, unknown> = {}) {
  return {
    __typename: 'AnalyticsPoint',
    start,
    views,
    uniqueViewers: views,
    watchTimeSeconds: views * 42,
    averageViewDurationSeconds: views ? 42 : 0,
    playbackAttempts: views,
    startupTimeMeanMs: null,
    startupTimeP50Ms: null,
    startupTimeP95Ms: null,
    rebufferingRatio: 0,
    exitsBeforeStart: 0,
    playbackFailures: 0,
    ...extra,
  };
}

function server(series: ReturnType<typeof point>[]) {
  fakeClipcut({
    accounts: [ADA],
    signedInAs: ADA.email,
    override: ({ name }) => {
      if (name !== 'ChannelAnalytics') return undefined;
      const views = series.reduce((n, p) => n + p.views, 0);
      return {
        data: {
          channelAnalytics: {
            __typename: 'Analytics',
            from: '2026-11-08T00:00:00Z',
            to: '2026-12-06T00:00:00Z',
            interval: 'DAY',
            totals: point('2026-11-08T00:00:00Z', views),
            series,
            retention: [],
            renditions: [{ __typename: 'RenditionShare', rendition: '720p', seconds: 84, share: 1 }],
            topVideos: [],
          },
        },
      };
    },
  });
}

describe('dashboard', () => {
  it('shows a single day as a point with its value, and empty figures as empty', async () => {
    server([point('2026-12-05T00:00:00Z', 3)]);
    renderApp('/dashboard');
    const views = await screen.findByRole('figure', { name: 'Views' });
    expect(within(views).getByRole('img', { name: /^Views: 1 points from .+; highest 3, latest 3\.$/ })).toBeInTheDocument();
    // The latest value in words, with its day.
    expect(views.querySelector('.chart__latest')).toHaveTextContent(/^3 \S+/);
    // No startup was measured: nothing to draw, and it says so.
    const startup = screen.getByRole('figure', { name: 'Startup time, median' });
    expect(within(startup).getByText('No data in this period.')).toBeInTheDocument();
    expect(within(startup).getByRole('img', { name: 'Startup time, median: no data in this range.' })).toBeInTheDocument();
    // The eight figures and the rendition bars are there.
    const tiles = document.querySelectorAll('.dashboard__tile');
    expect(tiles).toHaveLength(8);
    expect(screen.getByRole('meter', { name: /720p: 100% of watch time/ })).toBeInTheDocument();
  });

  it('lists every point in the data table', async () => {
    server([point('2026-12-04T00:00:00Z', 1), point('2026-12-05T00:00:00Z', 0), point('2026-12-06T00:00:00Z', 5)]);
    renderApp('/dashboard');
    const views = await screen.findByRole('figure', { name: 'Views' });
    const rows = within(views).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getByRole('cell').textContent)).toEqual(['1', '0', '5']);
    expect(within(views).getByRole('img', { name: /highest 5, latest 5\.$/ })).toBeInTheDocument();
  });
});

describe('dashboard on a phone', () => {
  it('shows one chart at a time, picked by name', async () => {
    vi.stubGlobal('matchMedia', (query: string) => ({ matches: query.includes('max-width'), media: query, addEventListener() {}, removeEventListener() {} }));
    try {
      server([point('2026-12-05T00:00:00Z', 3, { exitsBeforeStart: 1 })]);
      renderApp('/dashboard');
      const picker = await screen.findByRole('combobox', { name: 'Chart' });
      expect(screen.getAllByRole('figure').map((f) => f.getAttribute('aria-labelledby') && f.querySelector('.chart__title')?.textContent)).toEqual(['Views']);
      await userEvent.selectOptions(picker, 'Exits before start');
      expect(screen.getByRole('figure', { name: 'Exits before start' })).toBeInTheDocument();
      expect(screen.queryByRole('figure', { name: 'Views' })).not.toBeInTheDocument();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('chart scales', () => {
  it('gives counts a whole-number top with room above the highest value, and 1 when all are 0', () => {
    expect(scaleTop([0, 1, 1], undefined, true)).toBe(2);
    expect(scaleTop([0, 0], undefined, true)).toBe(1);
    expect(scaleTop([null], undefined, false)).toBe(1);
    expect(scaleTop([0.2, 0.5], 1)).toBe(1);
    expect(scaleTop([10], undefined, false)).toBeCloseTo(11);
  });

  it('summarises a chart in one sentence', () => {
    const format = (v: number) => `${v} views`;
    expect(chartSummary('Views', [], format)).toBe('Views: no data in this range.');
    expect(chartSummary('Views', [{ label: '5 Dec', value: 2 }], format)).toBe('Views: 1 points from 5 Dec to 5 Dec; highest 2 views, latest 2 views.');
  });

  it('finds values no line can show', () => {
    const p = (value: number | null) => ({ label: '', value });
    expect(hasLonePoint([p(null), p(3), p(null)])).toBe(true);
    expect(hasLonePoint([p(1), p(null), p(null)])).toBe(true);
    expect(hasLonePoint([p(1), p(2), p(null)])).toBe(false);
    expect(hasLonePoint([p(null)])).toBe(false);
  });

  it('fills under the line in the brand colour, see-through', () => {
    expect(withAlpha('#8b6dff', 0.2)).toBe('rgba(139, 109, 255, 0.2)');
    expect(withAlpha('rebeccapurple', 0.2)).toBe('transparent');
  });
});
