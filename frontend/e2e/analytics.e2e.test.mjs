// Browser end-to-end test of playback analytics, against the real clipcut
// binary with its own private Postgres, in Chromium: sign up, upload a
// short ffmpeg clip through the upload page, wait for it to be ready, watch
// it for more than 3 seconds (README "Analytics": that makes a view), leave
// the page (pagehide: the player's last events go with sendBeacon), and see
// the view on the dashboard, on the video's own dashboard and in
// "My videos". The server summarises events every 2 seconds
// (CLIPCUT_ANALYTICS_ROLLUP_INTERVAL) instead of every minute.
//
//   npm run build && (cd .. && go build -o clipcut ./server) && node --test e2e/analytics.e2e.test.mjs
//
// Needs ffmpeg on $PATH. Settings: see harness.mjs. Screenshots of every
// step and the server's log go to e2e/artifacts/analytics/.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { eventually, expectPath, makeTempDir, NAVIGATION_TIMEOUT_MS, signUp, STEP_TIMEOUT_MS, Suite, watchProblems } from './harness.mjs';

const exec = promisify(execFile);

// Deadlines for a hung server, not expectations: a busy 2-core machine
// transcodes and rolls up several times slower than an idle one.
const PROCESSING_TIMEOUT_MS = 600_000;
// How long the rollup (every 2 s) may take to show a view.
const ROLLUP_TIMEOUT_MS = 180_000;
const PLAYBACK_TIMEOUT_MS = 60_000;
// Seconds to watch: over the 3 seconds that make a view.
const WATCH_S = 4.5;

const run = new Suite('analytics', { env: { CLIPCUT_ANALYTICS_ROLLUP_INTERVAL: '2s' }, tests: 1 });
const step = (page, name, fn) => run.step(page, name, fn);
const media = { dir: '', clip: '' };

/** A 640x360 clip of 10 s (testsrc2 and a tone): longer than the watching, so it never ends by itself. */
async function makeClip() {
  media.dir = makeTempDir('clipcut-e2e-analytics-');
  media.clip = path.join(media.dir, 'analytics clip.mp4');
  // prettier-ignore
  await exec('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=10',
    '-f', 'lavfi', '-i', 'sine=frequency=440:duration=10',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-shortest', '-movflags', '+faststart',
    media.clip,
  ], { timeout: 60_000 });
}

/** The value of the dashboard tile named `name` ("Views", "Watch time", ...). */
const tile = (page, name) =>
  page
    .getByRole('main')
    .locator('.dashboard__tile')
    .filter({ has: page.locator('dt', { hasText: new RegExp(`^${name}$`) }) })
    .locator('dd');

/** Checks a figure such as "0:04" is the seconds watched: over the 3 that make a view, at most what was played. */
function assertSecondsWatched(text, watched, what) {
  const m = /^(\d+):(\d\d)$/.exec(text);
  assert.ok(m, `${what} should read m:ss, got "${text}"`);
  const seconds = Number(m[1]) * 60 + Number(m[2]);
  assert.ok(seconds >= 3 && seconds <= Math.ceil(watched) + 1, `${what} should be the ${watched.toFixed(1)} s played, got "${text}"`);
}

/**
 * Reloads the page until the "Views" tile reads `want`: the dashboard shows
 * rolled-up figures, which lag the player by up to one rollup interval.
 */
async function reloadUntilViews(page, want) {
  await eventually(
    async () => {
      await page.reload();
      const views = tile(page, 'Views');
      await views.waitFor();
      return (await views.textContent()) === want;
    },
    { ms: ROLLUP_TIMEOUT_MS, every: 1_000, what: `the dashboard to show ${want} view(s)` },
  );
}

describe('clipcut web app: a view reaches the dashboard', { timeout: 1_800_000 }, () => {
  before(async () => {
    await Promise.all([run.start(), makeClip()]);
  });

  after(async () => {
    await run.close();
    if (media.dir && run.passed === run.tests) fs.rmSync(media.dir, { recursive: true, force: true });
  });

  it('counts a watched video as one view with its watch time', { timeout: 1_750_000 }, async (t) => {
    const context = await run.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    // Leaving the watch page cuts off hls.js's requests (ERR_ABORTED); hls.js
    // gives subtitle tracks src="data:,WEBVTT", which the CSP refuses (see
    // video.e2e.test.mjs).
    const problems = watchProblems(page, {
      ignore: [/net::ERR_ABORTED/, /^Loading media from\s+'data:,WEBVTT' violates the following Content Security Policy directive/],
    });
    // Every batch the player sends with sendBeacon (Chromium does not show
    // beacons to Playwright's request events), kept in the tab's session
    // storage so it outlives the page that sent it; the beacon still goes.
    await page.addInitScript(() => {
      const send = navigator.sendBeacon.bind(navigator);
      navigator.sendBeacon = (url, data) => {
        const sent = JSON.parse(sessionStorage.getItem('e2e.beacons') ?? '[]');
        sent.push(String(data));
        sessionStorage.setItem('e2e.beacons', JSON.stringify(sent));
        return send(url, data);
      };
    });
    const beacons = async () => (JSON.parse((await page.evaluate(() => sessionStorage.getItem('e2e.beacons'))) ?? '[]')).map((b) => JSON.parse(b));

    const main = page.getByRole('main');
    const mainNav = page.getByRole('banner').getByRole('navigation', { name: 'Main' });
    const title = 'analytics clip';
    let videoId = '';

    await step(page, '01-signed-up', async () => {
      await signUp(page, run.baseURL, { name: 'E2E Creator', email: `creator-${Date.now()}@example.com`, password: 'correct horse battery staple' });
    });

    await step(page, '02-uploaded-and-ready', async () => {
      await mainNav.getByRole('link', { name: /^Upload/ }).click();
      await expectPath(page, '/upload');
      await page.getByLabel('Choose video files').setInputFiles(media.clip);
      const row = main.getByRole('listitem', { name: title });
      videoId = await eventually(() => row.getAttribute('data-video-id'), { what: 'createUpload to give the video an id' });
      await row.getByRole('status').filter({ hasText: /^Ready$/ }).waitFor({ timeout: PROCESSING_TIMEOUT_MS });
    });

    await step(page, '03-dashboard-before', async () => {
      await page.goto(`${run.baseURL}/dashboard`);
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      assert.equal(await tile(page, 'Views').textContent(), '0');
    });

    let watched = 0;
    await step(page, '04-watching', async () => {
      await page.goto(`${run.baseURL}/watch/${videoId}`);
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      await page.locator('.player[data-first-frame-ms]').waitFor({ timeout: PLAYBACK_TIMEOUT_MS });
      // Autoplay (muted, by browser policy); a person presses play otherwise.
      await page.locator('body').focus();
      if (await page.evaluate(() => document.querySelector('video').paused)) await page.keyboard.press('k');
      await eventually(() => page.evaluate((s) => document.querySelector('video').currentTime >= s, WATCH_S), {
        ms: PLAYBACK_TIMEOUT_MS,
        what: `${WATCH_S} s of playback`,
      });
      // Then pause (k), so what was watched stays what the figures below
      // must show, however long this machine takes to leave the page.
      await page.keyboard.press('k');
      const state = await eventually(
        () => page.evaluate(() => (document.querySelector('video').paused ? { t: document.querySelector('video').currentTime, error: document.querySelector('video').error } : null)),
        { what: 'k to pause' },
      );
      assert.equal(state.error, null, 'the video plays without an error');
      watched = state.t;
      t.diagnostic(`watched ${watched.toFixed(1)} s`);
    });

    await step(page, '05-left-for-the-dashboard', async () => {
      // A full navigation: the watch page gets pagehide and sends its last
      // events (the position it reached) with sendBeacon.
      await page.goto(`${run.baseURL}/dashboard`);
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      const sent = await beacons();
      const events = sent.flatMap((b) => b.events);
      t.diagnostic(`beacons: ${sent.length}; their events: ${events.map((e) => `${e.type}@${e.pos}s`).join(' ')}`);
      const last = events.filter((e) => e.type === 'heartbeat').at(-1);
      assert.ok(last && last.pos >= 3 && last.pos <= watched + 1, `the player sent how far it got (${watched.toFixed(1)} s) as the page went away (${JSON.stringify(last)})`);
      assert.ok(
        sent.every((b) => b.videoId === videoId && b.viewerId === sent[0].viewerId),
        'every batch names the video and the same anonymous viewer',
      );
    });

    await step(page, '06-dashboard-shows-the-view', async () => {
      await reloadUntilViews(page, '1');
      assert.equal(await tile(page, 'Unique viewers').textContent(), '1');
      const watchTime = (await tile(page, 'Watch time').textContent()) ?? '';
      assertSecondsWatched(watchTime, watched, 'watch time');
      const top = main.getByRole('table').getByRole('row', { name: new RegExp(title) });
      assert.equal(await top.getByRole('cell').first().textContent(), '1', 'the most viewed list shows the video with one view');
    });

    await step(page, '07-video-dashboard', async () => {
      await main.getByRole('table').getByRole('link', { name: title }).click();
      await expectPath(page, `/dashboard/videos/${videoId}`);
      await page.getByRole('heading', { level: 1, name: `Analytics: ${title}` }).waitFor();
      assert.equal(await tile(page, 'Views').textContent(), '1');
      const watchTime = (await tile(page, 'Watch time').textContent()) ?? '';
      assert.notEqual(watchTime, '0:00', 'the video has watch time');
      const avg = (await tile(page, 'Average view duration').textContent()) ?? '';
      assertSecondsWatched(avg, watched, 'the average view');
      // Every second of the 10 s clip has a point; the first was watched by the one viewer.
      await main.getByRole('img', { name: /Audience retention: 10 points from 0:00 to 0:09; highest 100%/ }).waitFor();
      await main.getByText(/watching now/).waitFor();
    });

    await step(page, '08-my-videos', async () => {
      await mainNav.getByRole('link', { name: 'My videos' }).click();
      await expectPath(page, '/my-videos');
      const row = main.getByRole('listitem', { name: title });
      await row.getByRole('link', { name: '1 view' }).waitFor();
    });

    assert.deepEqual(problems, [], 'no console errors or page errors');
    await context.close();
    run.passed++;
  });
});
