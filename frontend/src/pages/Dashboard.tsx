// The creator dashboard: /dashboard (all your videos) and
// /dashboard/videos/:id (one video, with its retention curve and who is
// watching now). Figures come from channelAnalytics / videoAnalytics
// (README "Analytics" defines them); rollups lag about a minute.

import { useEffect, useState, type ComponentProps } from 'react';
import { Link, useRoute } from 'wouter';
import { useQuery, useSubscription } from 'urql';
import { Alert } from '../components/Alert';
import { Page } from '../components/Page';
import { formatClock } from '../format';
import { graphql } from '../gql';
import type { AnalyticsInterval, DashboardFiguresFragment } from '../gql/graphql';
import { formErrors } from '../graphql/errors';
import { useViewer } from '../session';
import { DashboardChart, type ChartPoint } from './DashboardChart';
import './Dashboard.css';

graphql(`
  fragment DashboardFigures on Analytics {
    from
    to
    interval
    totals {
      ...DashboardPoint
    }
    series {
      ...DashboardPoint
    }
    retention {
      second
      share
    }
    renditions {
      rendition
      seconds
      share
    }
    topVideos {
      views
      watchTimeSeconds
      video {
        id
        title
      }
    }
  }
  fragment DashboardPoint on AnalyticsPoint {
    start
    views
    uniqueViewers
    watchTimeSeconds
    averageViewDurationSeconds
    playbackAttempts
    startupTimeMeanMs
    startupTimeP50Ms
    startupTimeP95Ms
    rebufferingRatio
    exitsBeforeStart
    playbackFailures
  }
`);

const ChannelAnalyticsDocument = graphql(`
  query ChannelAnalytics($range: AnalyticsRange) {
    channelAnalytics(range: $range) {
      ...DashboardFigures
    }
  }
`);

const VideoAnalyticsDocument = graphql(`
  query VideoAnalytics($id: ID!, $range: AnalyticsRange) {
    video(id: $id) {
      id
      title
      viewCount
    }
    videoAnalytics(videoId: $id, range: $range) {
      ...DashboardFigures
    }
  }
`);

const LiveViewersDocument = graphql(`
  subscription LiveViewers($id: ID!) {
    liveViewers(videoId: $id) {
      count
      at
    }
  }
`);

const RANGES: { label: string; days: number; interval: AnalyticsInterval }[] = [
  { label: 'Last 48 hours', days: 2, interval: 'HOUR' },
  { label: 'Last 7 days', days: 7, interval: 'DAY' },
  { label: 'Last 28 days', days: 28, interval: 'DAY' },
  { label: 'Last 90 days', days: 90, interval: 'DAY' },
];

function useRange() {
  const [choice, setChoice] = useState(2);
  // Rounded to the minute so re-renders reuse the cached query.
  const [now] = useState(() => Math.floor(Date.now() / 60_000) * 60_000);
  const r = RANGES[choice] ?? RANGES[2]!;
  const range = { from: new Date(now - r.days * 86_400_000).toISOString(), interval: r.interval };
  const picker = (
    <label className="field field--inline">
      <span>Period</span>
      <select value={choice} onChange={(e) => setChoice(Number(e.target.value))}>
        {RANGES.map((x, i) => (
          <option key={x.label} value={i}>
            {x.label}
          </option>
        ))}
      </select>
    </label>
  );
  return { range, picker };
}

/** All of the signed-in user's videos. */
export function Dashboard() {
  const { user } = useViewer();
  const { range, picker } = useRange();
  const [{ data, fetching, error }] = useQuery({ query: ChannelAnalyticsDocument, variables: { range }, pause: !user });
  if (user === null) return <LogInFirst />;
  return (
    <Page title="Dashboard">
      {picker}
      {error && <Alert>{formErrors(error).message}</Alert>}
      {fetching && !data && <p className="muted" role="status">Loading…</p>}
      {data && <Figures a={data.channelAnalytics} />}
    </Page>
  );
}

/** One video's analytics. */
export function VideoDashboard({ id }: { id: string }) {
  const { user } = useViewer();
  const { range, picker } = useRange();
  const [{ data, fetching, error }] = useQuery({ query: VideoAnalyticsDocument, variables: { id, range }, pause: !user });
  const [live] = useSubscription({ query: LiveViewersDocument, variables: { id }, pause: !user });
  if (user === null) return <LogInFirst />;
  const title = data?.video ? `Analytics: ${data.video.title}` : 'Video analytics';
  return (
    <Page title={title}>
      <p>
        <Link href="/dashboard">← All videos</Link>
        {data?.video && (
          <>
            {' · '}
            <Link href={`/watch/${id}`}>Watch</Link>
          </>
        )}
      </p>
      <p className="dashboard__live" aria-live="polite">
        <strong>{live.data?.liveViewers.count ?? '–'}</strong> watching now
      </p>
      {picker}
      {error && <Alert>{formErrors(error).message}</Alert>}
      {fetching && !data && <p className="muted" role="status">Loading…</p>}
      {data && <Figures a={data.videoAnalytics} />}
    </Page>
  );
}

function LogInFirst() {
  return (
    <Page title="Dashboard">
      <p>
        <Link href="/login?next=%2Fdashboard">Log in</Link> to see how your videos are watched.
      </p>
    </Page>
  );
}

const number = (v: number) => Math.round(v).toLocaleString();
const percent = (v: number) => `${(v * 100).toFixed(v < 0.1 && v > 0 ? 1 : 0)}%`;
const ms = (v: number) => `${Math.round(v)} ms`;
const duration = (v: number) => formatClock(v);
const hours = (v: number) => (v >= 3600 ? `${(v / 3600).toFixed(1)} h` : formatClock(v));

/** True on a phone-sized screen (the CSS's 40rem), where one chart shows at a time. */
function usePhone(): boolean {
  const query = '(max-width: 40rem)';
  const [phone, setPhone] = useState(() => typeof window.matchMedia === 'function' && window.matchMedia(query).matches);
  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const list = window.matchMedia(query);
    const onChange = () => setPhone(list.matches);
    list.addEventListener('change', onChange);
    return () => list.removeEventListener('change', onChange);
  }, []);
  return phone;
}

function Figures({ a }: { a: DashboardFiguresFragment }) {
  // A phone shows one chart at a time, picked by name, instead of a stack of eight.
  const phone = usePhone();
  const [shown, setShown] = useState(0);
  const t = a.totals;
  const label = (start: string) =>
    a.interval === 'HOUR'
      ? new Date(start).toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })
      : new Date(start).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
  const series = (pick: (p: DashboardFiguresFragment['series'][number]) => number | null | undefined): ChartPoint[] =>
    a.series.map((p) => ({ label: label(p.start), value: pick(p) ?? null }));
  const tiles: [string, string][] = [
    ['Views', number(t.views)],
    ['Unique viewers', number(t.uniqueViewers)],
    ['Watch time', hours(t.watchTimeSeconds)],
    ['Average view duration', duration(t.averageViewDurationSeconds)],
    ['Startup time (median / p95)', t.startupTimeP50Ms == null ? '–' : `${ms(t.startupTimeP50Ms)} / ${ms(t.startupTimeP95Ms ?? 0)}`],
    ['Rebuffering', percent(t.rebufferingRatio)],
    ['Exits before start', number(t.exitsBeforeStart)],
    ['Playback failures', number(t.playbackFailures)],
  ];
  const charts: ComponentProps<typeof DashboardChart>[] = [
    { title: 'Views', points: series((p) => p.views), format: number, integer: true },
    { title: 'Unique viewers', points: series((p) => p.uniqueViewers), format: number, integer: true },
    { title: 'Watch time', points: series((p) => p.watchTimeSeconds), format: hours, seconds: true },
    { title: 'Average view duration', points: series((p) => (p.views ? p.averageViewDurationSeconds : null)), format: duration, seconds: true },
    { title: 'Startup time, median', points: series((p) => p.startupTimeP50Ms), format: ms },
    { title: 'Rebuffering ratio', points: series((p) => (p.playbackAttempts ? p.rebufferingRatio : null)), format: percent },
    { title: 'Exits before start', points: series((p) => p.exitsBeforeStart), format: number, integer: true },
    { title: 'Playback failures', points: series((p) => p.playbackFailures), format: number, integer: true },
  ];
  return (
    <div className="stack dashboard">
      <dl className="dashboard__tiles">
        {tiles.map(([k, v]) => (
          <div key={k} className="card dashboard__tile">
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {phone && (
        <label className="field field--inline">
          <span>Chart</span>
          <select value={shown} onChange={(e) => setShown(Number(e.target.value))}>
            {charts.map((c, i) => (
              <option key={c.title} value={i}>
                {c.title}
              </option>
            ))}
          </select>
        </label>
      )}
      <div className="dashboard__charts">
        {phone ? <DashboardChart key={shown} {...charts[shown]!} /> : charts.map((c) => <DashboardChart key={c.title} {...c} />)}
        {a.retention.length > 0 && (
          <DashboardChart
            title="Audience retention"
            points={a.retention.map((r) => ({ label: formatClock(r.second), value: r.share }))}
            format={percent}
            max={1}
          />
        )}
      </div>
      <section className="card stack">
        <h2>Renditions watched</h2>
        {a.renditions.length === 0 ? (
          <p className="muted">No playback in this period.</p>
        ) : (
          <ul className="dashboard__bars">
            {a.renditions.map((r) => (
              <li key={r.rendition}>
                <span>{r.rendition}</span>
                <meter min={0} max={1} value={r.share} aria-label={`${r.rendition}: ${percent(r.share)} of watch time`} />
                <span>
                  {percent(r.share)} · {hours(r.seconds)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      {a.topVideos.length > 0 && (
        <section className="card stack">
          <h2>Most viewed</h2>
          <table className="dashboard__table">
            <thead>
              <tr>
                <th scope="col">Video</th>
                <th scope="col">Views</th>
                <th scope="col">Watch time</th>
              </tr>
            </thead>
            <tbody>
              {a.topVideos.map((v) => (
                <tr key={v.video.id}>
                  <th scope="row">
                    <Link href={`/dashboard/videos/${v.video.id}`}>{v.video.title}</Link>
                  </th>
                  <td>{number(v.views)}</td>
                  <td>{hours(v.watchTimeSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}

/** The dashboard's routes (one line in the app's router): /dashboard and /dashboard/videos/:id. */
export function DashboardRoutes() {
  const [isVideo, params] = useRoute('/dashboard/videos/:id');
  return isVideo ? <VideoDashboard key={params.id} id={params.id} /> : <Dashboard />;
}
