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
// Needs ffmpeg on $PATH. Settings and the shared steps: see harness.mjs.
// Screenshots of every step and the server's log go to e2e/artifacts/search/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkAccessibility, eventually, expectPath, graphql, openUploadPage, PLAYER_NOISE, signUp, Suite, uploadUntilReady, watchProblems } from './harness.mjs';

// A deadline for a hung server, not an expectation (a busy 2-core machine).
const PLAYBACK_TIMEOUT_MS = 60_000;
// Where the spoken line starts, in seconds.
const MOMENT_S = 6;

// No transcriber: the test brings its own subtitles, so nothing depends on
// which speech engine the machine has.
const run = new Suite('search', { env: { CLIPCUT_TRANSCRIBER: 'none' }, tests: 1 });
const step = (page, name, fn) => run.step(page, name, fn);
// A clip of 10 s named like a video people would look for.
const title = 'Harbour sailing lesson';
let clip = '';

describe('clipcut web app: search and channels', { timeout: 1_800_000 }, () => {
  before(async () => {
    [, clip] = await Promise.all([run.start(), run.makeClip(title, 10)]);
  });

  after(() => run.close());

  it('finds a video by its words and by what was said, and shows its channel', { timeout: 1_750_000 }, async (t) => {
    const { page } = await run.newPage();
    const problems = watchProblems(page, { ignore: PLAYER_NOISE });
    const main = page.getByRole('main');
    const banner = page.getByRole('banner');
    let videoId = '';

    await step(page, '01-signed-up', async () => {
      await signUp(page, run.baseURL, { name: 'Marin Keel', email: `marin-${Date.now()}@example.com`, password: 'correct horse battery staple' });
    });

    await step(page, '02-uploaded-and-ready', async () => {
      await openUploadPage(page);
      videoId = await uploadUntilReady(page, clip, title);
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
