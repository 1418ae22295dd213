// Browser end-to-end test of search and channels, against the real clipcut
// binary with its own private Postgres, in Chromium: sign up, upload a short
// clip, give it a description and subtitles (through the API, as an
// integrator would), then as a person: search from the header box, see the
// highlighted hit, narrow it with a filter, open it; search for something
// said and follow the moment to the watch page, which starts at that
// second; follow the owner's name to their channel. axe-core checks /search
// and the channel page at desktop and phone width (0 serious or critical
// violations), and both pages are screenshotted at 1280x800 and 390x844.
//
//   npm run build && (cd .. && go build -o clipcut ./server) && node --test e2e/search.e2e.test.mjs
//
// Needs ffmpeg on $PATH. Settings: see harness.mjs. Screenshots of every
// step and the server's log go to e2e/artifacts/search/.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { eventually, expectPath, makeTempDir, NAVIGATION_TIMEOUT_MS, signUp, STEP_TIMEOUT_MS, Suite, watchProblems } from './harness.mjs';

const exec = promisify(execFile);
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// Deadlines for a hung server, not expectations (a busy 2-core machine).
const PROCESSING_TIMEOUT_MS = 600_000;
const PLAYBACK_TIMEOUT_MS = 60_000;
// Where the spoken line starts, in seconds.
const MOMENT_S = 6;

// No transcriber: the test brings its own subtitles, so nothing depends on
// which speech engine the machine has.
const run = new Suite('search', { env: { CLIPCUT_TRANSCRIBER: 'none' }, tests: 1 });
const step = (page, name, fn) => run.step(page, name, fn);
const media = { dir: '', clip: '' };

/** A 640x360 clip of 10 s named like a video people would look for. */
async function makeClip() {
  media.dir = makeTempDir('clipcut-e2e-search-');
  media.clip = path.join(media.dir, 'Harbour sailing lesson.mp4');
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

/**
 * Runs axe-core on the page (or the part `selector` picks); fails on any
 * serious or critical violation.
 */
async function checkAccessibility(page, what, selector = null) {
  // evaluate runs outside the page's CSP, which refuses inline scripts.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async (sel) => {
    const result = await window.axe.run(sel ? { include: [sel] } : document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, selector);
  assert.deepEqual(violations, [], `axe-core on ${what}`);
}

/** Calls the GraphQL API as the signed-in page (its session cookie). */
async function graphql(page, query, variables) {
  const res = await page.evaluate(
    async ([q, v]) => {
      const r = await fetch('/graphql', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query: q, variables: v }) });
      return r.json();
    },
    [query, variables],
  );
  assert.equal(res.errors, undefined, `GraphQL: ${JSON.stringify(res.errors)}`);
  return res.data;
}

describe('clipcut web app: search and channels', { timeout: 1_800_000 }, () => {
  before(async () => {
    await Promise.all([run.start(), makeClip()]);
  });

  after(async () => {
    await run.close();
    if (media.dir && run.passed === run.tests) fs.rmSync(media.dir, { recursive: true, force: true });
  });

  it('finds a video by its words and by what was said, and shows its channel', { timeout: 1_750_000 }, async (t) => {
    const context = await run.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    // Leaving a watch page cuts off hls.js's requests; hls.js gives subtitle
    // tracks src="data:,WEBVTT", which the CSP refuses (see video.e2e.test.mjs).
    const problems = watchProblems(page, {
      ignore: [/net::ERR_ABORTED/, /^Loading media from\s+'data:,WEBVTT' violates the following Content Security Policy directive/],
    });
    const main = page.getByRole('main');
    const banner = page.getByRole('banner');
    const title = 'Harbour sailing lesson';
    let videoId = '';

    await step(page, '01-signed-up', async () => {
      await signUp(page, run.baseURL, { name: 'Marin Keel', email: `marin-${Date.now()}@example.com`, password: 'correct horse battery staple' });
    });

    await step(page, '02-uploaded-and-ready', async () => {
      await banner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Upload/ }).click();
      await expectPath(page, '/upload');
      await page.getByLabel('Choose video files').setInputFiles(media.clip);
      const row = main.getByRole('listitem', { name: title });
      videoId = await eventually(() => row.getAttribute('data-video-id'), { what: 'createUpload to give the video an id' });
      await row.getByRole('status').filter({ hasText: /^Ready$/ }).waitFor({ timeout: PROCESSING_TIMEOUT_MS });
    });

    await step(page, '03-described-and-subtitled', async () => {
      await graphql(page, `mutation($id: ID!) { updateVideo(input: {id: $id, description: "Learning to sail out of the old harbour."}) { id } }`, { id: videoId });
      const vtt = `WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nWelcome aboard.\n\n00:00:0${MOMENT_S}.000 --> 00:00:08.000\nNow we tie a bowline knot.\n`;
      await graphql(page, `mutation($id: ID!, $vtt: String!) { uploadSubtitles(videoId: $id, language: "en", content: $vtt) { language } }`, { id: videoId, vtt });
    });

    await step(page, '04-search-results', async () => {
      await page.goto(`${run.baseURL}/`);
      const box = banner.getByRole('searchbox', { name: 'Search videos' });
      await box.fill('sailing');
      await box.press('Enter');
      await page.waitForURL((url) => url.pathname === '/search' && url.searchParams.get('q') === 'sailing');
      await page.getByRole('heading', { level: 1, name: 'Results for “sailing”' }).waitFor();
      const hit = main.getByRole('list', { name: 'Videos found' }).getByRole('listitem').filter({ hasText: title });
      await hit.waitFor();
      assert.equal(await hit.locator('mark').first().textContent(), 'sailing', 'the matched title word is highlighted');
      assert.match((await hit.locator('.search-result__excerpt').textContent()) ?? '', /sail out of the old harbour/);
      assert.equal(await hit.getByRole('link', { name: 'Marin Keel' }).getAttribute('href'), '/c/marin-keel');
      await checkAccessibility(page, '/search');
    });

    await step(page, '05-filtered-out', async () => {
      await main.getByRole('combobox', { name: 'Length' }).selectOption({ label: 'Over 20 minutes' });
      await main.getByText('No video titles or descriptions match “sailing”.', { exact: false }).waitFor();
      assert.equal(new URL(page.url()).searchParams.get('length'), 'long');
      await main.getByRole('combobox', { name: 'Length' }).selectOption({ label: 'Any length' });
      await main.getByRole('list', { name: 'Videos found' }).getByRole('link', { name: title }).waitFor();
    });

    await step(page, '06-result-opened', async () => {
      await main.getByRole('list', { name: 'Videos found' }).getByRole('link', { name: title }).click();
      await expectPath(page, `/watch/${videoId}`);
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      await main.getByText(/^\d[\d,]* views?$/).waitFor();
      // What this change added to the watch page: the owner link and views.
      await checkAccessibility(page, 'the watch page details', '.watch__meta');
    });

    await step(page, '07-moment-opened', async () => {
      const box = banner.getByRole('searchbox', { name: 'Search videos' });
      await box.fill('bowline');
      await box.press('Enter');
      const moment = main.getByRole('list', { name: 'Moments found' }).getByRole('link', { name: /bowline knot/ });
      await moment.waitFor();
      assert.equal(await moment.getAttribute('href'), `/watch/${videoId}?t=${MOMENT_S}`);
      await moment.click();
      await page.waitForURL((url) => url.pathname === `/watch/${videoId}` && url.searchParams.get('t') === String(MOMENT_S));
      // The player starts where the words were said.
      const at = await eventually(
        () => page.evaluate((s) => { const v = document.querySelector('video'); return v && v.currentTime >= s - 0.5 ? v.currentTime : null; }, MOMENT_S),
        { ms: PLAYBACK_TIMEOUT_MS, what: `the player to start at ${MOMENT_S} s` },
      );
      t.diagnostic(`started at ${at.toFixed(2)} s`);
    });

    await step(page, '08-channel', async () => {
      await main.getByRole('link', { name: 'Marin Keel' }).click();
      await expectPath(page, '/c/marin-keel');
      await page.getByRole('heading', { level: 1, name: 'Marin Keel' }).waitFor();
      await main.getByText('1 video', { exact: true }).waitFor();
      await main.getByRole('list', { name: 'Videos' }).getByRole('link', { name: title }).waitFor();
      await main.getByRole('navigation', { name: 'Sort videos' }).getByRole('link', { name: 'Most viewed' }).click();
      await page.waitForURL((url) => url.pathname === '/c/marin-keel' && url.searchParams.get('sort') === 'popular');
      await main.getByRole('list', { name: 'Videos' }).getByRole('link', { name: title }).waitFor();
      await checkAccessibility(page, '/c/marin-keel');
    });

    await step(page, '09-phone-width', async () => {
      for (const [name, url] of [
        ['search', `${run.baseURL}/search?q=sailing`],
        ['channel', `${run.baseURL}/c/marin-keel`],
      ]) {
        for (const [w, h] of [
          [1280, 800],
          [390, 844],
        ]) {
          await page.setViewportSize({ width: w, height: h });
          await page.goto(url);
          await main.getByRole('link', { name: title }).first().waitFor();
          await page.screenshot({ path: run.artifact(`shot-${name}-${w}x${h}.png`) });
          await checkAccessibility(page, `${name} at ${w}x${h}`);
        }
      }
    });

    assert.deepEqual(problems, [], 'no console errors or page errors');
    run.passed++;
  });
});
