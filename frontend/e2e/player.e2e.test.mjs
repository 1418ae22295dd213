// Browser end-to-end test of the player and the dashboard's charts, against
// the real clipcut binary with its own private Postgres, in Chromium: a
// creator uploads a 12 s clip and gives it chapters; the watch page shows
// the chapter marks and menu and changes speed; on a 360 px phone the
// controls fit (full screen inside the player, speed behind the settings
// menu); a master playlist that fails shows the role=alert panel, and Retry
// fetches it again and plays once it is served; the dashboard draws its
// charts. Screenshots of the watch page and the dashboard at 1280x800 and
// 390x844 go to e2e/artifacts/player/ with every step's.
//
//   npm run build && (cd .. && go build -o clipcut ./server) && node --test e2e/player.e2e.test.mjs
//
// Needs ffmpeg on $PATH. Settings and the shared steps: see harness.mjs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, graphql, openUploadPage, PLAYER_NOISE, signUp, Suite, uploadUntilReady, watchProblems } from './harness.mjs';

// Deadlines for a hung server, not expectations.
const PLAYBACK_TIMEOUT_MS = 60_000;
const ROLLUP_TIMEOUT_MS = 180_000;

const run = new Suite('player', { env: { CLIPCUT_ANALYTICS_ROLLUP_INTERVAL: '2s' }, tests: 1 });
const step = (page, name, fn) => run.step(page, name, fn);
// A clip of 12 s.
const title = 'player clip';
let clip = '';

const CHAPTERS = [
  { start: 0, title: 'Intro' },
  { start: 4, title: 'Middle part' },
  { start: 8, title: 'The end' },
];

// The 404s the failing step makes on purpose, requests cut off by leaving a
// page, and hls.js's data: subtitle placeholder (see video.e2e.test.mjs).
const IGNORED = [...PLAYER_NOISE, /the server responded with a status of 404/];

/** Opens the watch page and waits for the first frame. */
async function openWatch(page, videoId, title) {
  await page.goto(`${run.baseURL}/watch/${videoId}`);
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  await page.locator('.player[data-first-frame-ms]').waitFor({ timeout: PLAYBACK_TIMEOUT_MS });
}

/** True when box b lies inside box a (1 px of rounding allowed). */
function inside(a, b) {
  return b.x >= a.x - 1 && b.y >= a.y - 1 && b.x + b.width <= a.x + a.width + 1 && b.y + b.height <= a.y + a.height + 1;
}

describe('clipcut web app: player and dashboard charts', { timeout: 1_800_000 }, () => {
  before(async () => {
    [, clip] = await Promise.all([run.start(), run.makeClip(title, 12)]);
  });

  after(() => run.close());

  it('plays with chapters and speed, fits a phone, recovers from a failed playlist, and charts the view', { timeout: 1_750_000 }, async (t) => {
    const { context, page } = await run.newPage();
    const problems = watchProblems(page, { ignore: IGNORED });
    const main = page.getByRole('main');
    let videoId = '';

    await step(page, '01-uploaded-with-chapters', async () => {
      await signUp(page, run.baseURL, { name: 'E2E Player', email: `player-${Date.now()}@example.com`, password: 'correct horse battery staple' });
      await openUploadPage(page);
      videoId = await uploadUntilReady(page, clip, title);
      const data = await graphql(
        page,
        'mutation SetChapters($id: ID!, $c: [ChapterInput!]) { setChapters(videoId: $id, chapters: $c) { id chapters { start title } } }',
        { id: videoId, c: CHAPTERS },
      );
      assert.equal(data.setChapters.chapters.length, 3);
    });

    await step(page, '02-watch-desktop-chapters-and-speed', async () => {
      await openWatch(page, videoId, title);
      const player = page.locator('.player');
      await page.locator('.player[data-chapters="3"]').waitFor();
      assert.equal(await page.getByTestId('chapter-mark').count(), 2, 'a mark where the second and third chapters start');
      // Hovering the seek bar names the chapter under the pointer.
      const seek = await page.locator('.seek').boundingBox();
      await page.mouse.move(seek.x + seek.width * 0.5, seek.y + seek.height / 2);
      await page.getByTestId('seek-preview').filter({ hasText: 'Middle part' }).waitFor();
      // The chapter menu seeks.
      await player.getByRole('button', { name: /^Chapters: / }).click();
      await page.getByRole('menu', { name: 'Chapters' }).getByRole('menuitemradio', { name: /The end/ }).click();
      await eventually(() => page.evaluate(() => document.querySelector('video').currentTime >= 8), { what: 'the chapter menu to seek to 0:08' });
      await player.getByRole('button', { name: 'Chapters: The end' }).waitFor();
      // Speed.
      await player.getByRole('button', { name: 'Speed: 1×' }).click();
      await page.getByRole('menu', { name: 'Speed' }).getByRole('menuitemradio', { name: '1.5×' }).click();
      assert.equal(await page.evaluate(() => document.querySelector('video').playbackRate), 1.5);
      await player.getByRole('button', { name: 'Speed: 1.5×' }).waitFor();
      // Full screen button inside the player.
      assert.ok(inside(await player.boundingBox(), await player.getByRole('button', { name: /^Full screen/ }).boundingBox()));
      await page.mouse.move(0, 0);
      await page.screenshot({ path: run.artifact('watch-1280x800.png') });
    });

    const { context: phone, page: small } = await run.newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const smallProblems = watchProblems(small, { ignore: IGNORED });
    await step(small, '03-watch-360-controls-fit', async () => {
      await openWatch(small, videoId, title);
      const player = small.locator('.player');
      await small.locator('.player.player--compact').waitFor();
      const box = await player.boundingBox();
      const full = player.getByRole('button', { name: /^Full screen/ });
      assert.ok(await full.isVisible(), 'the full-screen button shows');
      const fullBox = await full.boundingBox();
      assert.ok(inside(box, fullBox), `the full-screen button (${JSON.stringify(fullBox)}) lies inside the player (${JSON.stringify(box)})`);
      // Nothing on top of it: the button itself answers a tap at its centre.
      const hit = await small.evaluate(
        ({ x, y }) => document.elementFromPoint(x, y)?.closest('button')?.getAttribute('aria-label') ?? null,
        { x: fullBox.x + fullBox.width / 2, y: fullBox.y + fullBox.height / 2 },
      );
      assert.match(hit ?? '', /^Full screen/);
      // One row of controls: every button on the same line as play.
      const rows = await small.evaluate(() => new Set([...document.querySelectorAll('.player__row > .player__button, .player__row > .menu, .player__volume-group')].map((e) => Math.round(e.getBoundingClientRect().top))).size);
      assert.equal(rows, 1, 'the controls stay on one row');
      // Quality, captions and speed are behind Settings.
      assert.equal(await player.getByRole('button', { name: /^(Quality|Speed):/ }).count(), 0);
      await player.getByRole('button', { name: 'Settings' }).click();
      const settings = small.getByRole('menu', { name: 'Settings' });
      await settings.getByRole('menuitem', { name: /^Quality: Auto/ }).waitFor();
      await settings.getByRole('menuitem', { name: 'Speed: Normal' }).click();
      await small.getByRole('menu', { name: 'Speed' }).getByRole('menuitemradio', { name: '2×' }).click();
      assert.equal(await small.evaluate(() => document.querySelector('video').playbackRate), 2);
      // The settings menu fits inside the player too.
      await player.getByRole('button', { name: 'Settings' }).click();
      assert.ok(inside(box, await small.getByRole('menu', { name: 'Settings' }).boundingBox()), 'the settings menu lies inside the player');
      await small.keyboard.press('Escape');
      await small.screenshot({ path: run.artifact('watch-360x740.png') });
    });

    await step(small, '04-master-playlist-fails-then-retry-plays', async () => {
      let failing = true;
      let masterRequests = 0;
      await small.route(
        (url) => url.pathname.endsWith('/master.m3u8'),
        async (route) => {
          masterRequests++;
          if (failing) await route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' });
          else await route.continue();
        },
      );
      const started = Date.now();
      await small.goto(`${run.baseURL}/watch/${videoId}`);
      const alert = small.locator('.player').getByRole('alert');
      await alert.waitFor({ timeout: PLAYBACK_TIMEOUT_MS });
      t.diagnostic(`error panel after ${Date.now() - started} ms and ${masterRequests} master playlist requests`);
      assert.match((await alert.textContent()) ?? '', /stopped loading/);
      assert.ok(masterRequests >= 2, `the player fetched the master playlist again before giving up (${masterRequests} requests)`);
      await small.screenshot({ path: run.artifact('watch-360x740-error.png') });

      failing = false;
      const before = masterRequests;
      await alert.getByRole('button', { name: 'Retry' }).click();
      await small.locator('.player[data-first-frame-ms]').waitFor({ timeout: PLAYBACK_TIMEOUT_MS });
      assert.ok(masterRequests > before, 'Retry fetched the master playlist again');
      assert.equal(await alert.count(), 0, 'the error panel is gone');
      await eventually(() => small.evaluate(() => document.querySelector('video').currentTime > 0.5), { ms: PLAYBACK_TIMEOUT_MS, what: 'playback after Retry' });
      await small.unroute((url) => url.pathname.endsWith('/master.m3u8'));
    });

    await step(page, '05-dashboard-charts', async () => {
      // The watching above makes a view once rolled up (every 2 s here).
      await eventually(
        async () => {
          await page.goto(`${run.baseURL}/dashboard`);
          await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
          const views = main.locator('.dashboard__tile').filter({ has: page.locator('dt', { hasText: /^Views$/ }) }).locator('dd');
          return Number(await views.textContent()) >= 1;
        },
        { ms: ROLLUP_TIMEOUT_MS, every: 2_000, what: 'the dashboard to count a view' },
      );
      const chart = main.getByRole('figure', { name: 'Views' });
      await chart.locator('canvas').waitFor();
      await main.locator('.chart[data-drawn="true"]').first().waitFor();
      // Hovering the plot shows a value in the legend.
      const plot = await chart.locator('.u-over').boundingBox();
      await page.mouse.move(plot.x + plot.width - 2, plot.y + plot.height / 2);
      await eventually(async () => /\d/.test((await chart.locator('.u-legend .u-series').nth(1).locator('.u-value').textContent()) ?? ''), {
        what: 'the legend to show the value under the pointer',
      });
      await page.screenshot({ path: run.artifact('dashboard-1280x800.png'), fullPage: true });
    });

    const { context: phone2, page: p390 } = await run.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await phone2.addCookies(await context.cookies());
    const p390Problems = watchProblems(p390, { ignore: IGNORED });
    await step(p390, '06-phone-390-watch-and-dashboard', async () => {
      await openWatch(p390, videoId, title);
      await p390.screenshot({ path: run.artifact('watch-390x844.png') });
      await p390.goto(`${run.baseURL}/dashboard`);
      await p390.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      await p390.locator('.chart[data-drawn="true"]').first().waitFor();
      // The eight figures two by two.
      const tops = await p390.evaluate(() => [...document.querySelectorAll('.dashboard__tile')].map((e) => Math.round(e.getBoundingClientRect().top)));
      assert.equal(tops.length, 8);
      assert.equal(new Set(tops).size, 4, `the figures sit in four rows of two (${tops})`);
      // One chart at a time, picked by name.
      assert.equal(await p390.locator('.dashboard__charts .chart').count(), 1);
      await p390.getByRole('combobox', { name: 'Chart' }).selectOption({ label: 'Watch time' });
      await p390.getByRole('figure', { name: 'Watch time' }).locator('canvas').waitFor();
      const wide = await p390.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= 390, `nothing wider than the screen (${wide} px)`);
      await p390.screenshot({ path: run.artifact('dashboard-390x844.png'), fullPage: true });
    });

    assert.deepEqual([...problems, ...smallProblems, ...p390Problems], [], 'no console errors or page errors');
    await Promise.all([context.close(), phone.close(), phone2.close()]);
    run.passed++;
  });
});
