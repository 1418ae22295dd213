// Time to first frame on the watch page, measured by the browser: one
// fresh headless Chromium (empty cache), a full page load of
// /watch/<id>, and the player's own measure (navigation start to the first
// `playing` event, the `clipcut:time-to-first-frame` performance measure).
// Then the home page, then the watch page again (cached assets): what
// JavaScript each loads, to show hls.js is fetched by the watch page only.
// Prints one JSON object on stdout. Run by the Go benchmark harness
// (`go run ./bench -only browser`, bench/browser.go), once per run:
//
//   node e2e/firstframe.mjs --base http://127.0.0.1:8080 --video <id>
//
// Needs playwright-core (a dev dependency here) and Chromium
// (CHROMIUM_PATH, default /usr/bin/chromium). With CLIPCUT_TRACE_DIR set,
// the first (cold) visit is also recorded as a Chrome performance trace
// (trace-<time>.json there, for chrome://tracing or Perfetto): what the
// main thread, the network and the media pipeline did before the first frame.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    video: { type: 'string' },
    timeout: { type: 'string', default: '30000' },
  },
});
if (!values.base || !values.video) {
  console.error('usage: node e2e/firstframe.mjs --base URL --video ID');
  process.exit(2);
}
const timeout = Number(values.timeout);
const watchURL = `${values.base}/watch/${values.video}`;

/** The flags every benchmark run uses (see bench/browser.go). */
const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** The JavaScript files the page fetched, with their sizes as the browser saw them. */
function scripts(page) {
  return page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((e) => new URL(e.name).pathname.endsWith('.js'))
      .map((e) => ({
        name: new URL(e.name).pathname.replace(/^.*\//, ''),
        transferBytes: e.transferSize,
        encodedBytes: e.encodedBodySize,
        decodedBytes: e.decodedBodySize,
      })),
  );
}

const isHls = (s) => /^hls-[\w-]+\.js$/.test(s.name);

async function watch(page) {
  const problems = [];
  const onError = (msg) => msg.type() === 'error' && problems.push(msg.text());
  page.on('console', onError);
  await page.goto(watchURL, { waitUntil: 'commit', timeout });
  const player = page.locator('.player[data-first-frame-ms]');
  try {
    await player.waitFor({ timeout });
  } catch (err) {
    const state = await page.locator('.player').getAttribute('data-state').catch(() => null);
    throw new Error(`no first frame within ${timeout} ms (player state ${state}; console errors: ${problems.join(' | ') || 'none'})`, { cause: err });
  }
  const result = await page.evaluate(() => {
    const m = performance.getEntriesByName('clipcut:time-to-first-frame')[0];
    const nav = performance.getEntriesByType('navigation')[0];
    const v = document.querySelector('video');
    // When each thing the first frame waits for had arrived (ms after
    // navigation start), from resource timing: the first match's responseEnd.
    const resources = performance.getEntriesByType('resource');
    const arrived = (test) => {
      const e = resources.find((r) => test(new URL(r.name).pathname));
      return e ? e.responseEnd : null;
    };
    const firstFrameAt = m ? m.startTime + m.duration : null;
    const graphql = resources.filter((r) => new URL(r.name).pathname === '/graphql' && (firstFrameAt === null || r.responseEnd <= firstFrameAt));
    const milestones = {
      html: nav ? nav.responseEnd : null,
      appScript: arrived((p) => /\/assets\/main-[\w-]+\.js$/.test(p)),
      domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
      videoQuery: graphql.length ? Math.max(...graphql.map((r) => r.responseEnd)) : null,
      hlsChunk: arrived((p) => /\/assets\/hls-[\w-]+\.js$/.test(p)),
      masterPlaylist: arrived((p) => p.endsWith('.m3u8')),
      firstSegment: arrived((p) => /\.(m4s|ts|mp4)$/.test(p) && !/init/.test(p)),
      playing: firstFrameAt,
    };
    return {
      milestones,
      firstFrameMs: Number(document.querySelector('.player').getAttribute('data-first-frame-ms')),
      measureMs: m ? m.duration : null,
      domContentLoadedMs: nav ? nav.domContentLoadedEventEnd : null,
      engine: document.querySelector('.player').getAttribute('data-engine'),
      muted: v.muted,
      videoHeight: v.videoHeight,
    };
  });
  page.off('console', onError);
  const js = await scripts(page);
  return { ...result, scripts: js, hlsLoaded: js.some(isHls) };
}

/** Starts a Chrome trace of page; the function it returns ends it and gives the trace as JSON. */
async function startTrace(page) {
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  const categories = [
    'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'disabled-by-default-v8.compile',
    'blink', 'loading', 'netlog', 'media', 'disabled-by-default-devtools.timeline.frame', 'toplevel', 'blink.user_timing',
  ];
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: categories }, transferMode: 'ReportEvents' });
  return async () => {
    const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
    await cdp.send('Tracing.end');
    await done;
    return JSON.stringify({ traceEvents: events });
  };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args,
  timeout,
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const traceDir = process.env.CLIPCUT_TRACE_DIR;
  const tracing = traceDir ? await startTrace(page) : null;
  const cold = await watch(page);
  if (tracing) await writeFile(path.join(traceDir, `trace-${Date.now()}.json`), await tracing());

  await page.goto(`${values.base}/`, { waitUntil: 'load', timeout });
  await page.getByRole('heading', { level: 1 }).first().waitFor({ timeout });
  const homeScripts = await scripts(page);
  const home = { scripts: homeScripts, hlsLoaded: homeScripts.some(isHls) };

  const warm = await watch(page);
  process.stdout.write(`${JSON.stringify({ cold, warm, home })}\n`);
} finally {
  await browser.close();
}
