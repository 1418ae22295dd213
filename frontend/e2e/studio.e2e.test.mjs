// Browser end-to-end test of the studio (/videos/:id/studio), against the
// real clipcut binary with its own private Postgres, in Chromium: sign up;
// upload a clip whose soundtrack is espeak-ng speech (transcribed by the
// real pocketsphinx); open the studio from My videos; mark in and out with
// the keys I and O and cut the range; cut words picked in the transcript;
// save; wait until the edit is published; play the result and see that it
// is shorter by what was cut. axe-core checks the page (0 serious or
// critical violations) and it is screenshotted at 1280x800 and 390x844.
//
//   make clipcut && cd frontend && CLIPCUT_BIN=$PWD/../clipcut node --test e2e/studio.e2e.test.mjs
//
// Needs ffmpeg, espeak-ng and pocketsphinx on $PATH. Settings: see
// harness.mjs. Screenshots of every step and the server's log go to
// e2e/artifacts/studio/.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { checkAccessibility, eventually, expectPath, graphql, makeTempDir, NAVIGATION_TIMEOUT_MS, signUp, STEP_TIMEOUT_MS, Suite, watchProblems } from './harness.mjs';

const exec = promisify(execFile);

// Deadlines for a hung server, not expectations (a busy 2-core machine).
const PROCESSING_TIMEOUT_MS = 600_000;
const PLAYBACK_TIMEOUT_MS = 60_000;
// The clip's length, in seconds.
const CLIP_S = 12;

const run = new Suite('studio', { env: { CLIPCUT_TRANSCRIBER: 'sphinx' }, tests: 1 });
const step = (page, name, fn) => run.step(page, name, fn);
const media = { dir: '', clip: '' };

/** A 640x360 clip of 12 s: speech from 1 s on, then silence. */
async function makeClip() {
  media.dir = makeTempDir('clipcut-e2e-studio-');
  const speech = path.join(media.dir, 'speech.wav');
  await exec('espeak-ng', ['-s', '140', '-w', speech, 'The weather is nice today. We are going to the river. Thank you for watching.'], {
    timeout: 30_000,
  });
  media.clip = path.join(media.dir, 'Studio talk.mp4');
  // prettier-ignore
  await exec('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=25:duration=${CLIP_S}`,
    '-i', speech,
    '-filter_complex', `[1:a]adelay=1000:all=1,apad=whole_dur=${CLIP_S}[a]`, '-map', '0:v', '-map', '[a]',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-t', String(CLIP_S),
    media.clip,
  ], { timeout: 60_000 });
}

/** Sets the player's position (paused), as scrubbing would, and waits until the page has heard it. */
async function seek(page, t) {
  await page.evaluate((s) => {
    const v = document.querySelector('video');
    v.pause();
    v.currentTime = s;
  }, t);
  await eventually(() => page.evaluate((s) => Math.abs(document.querySelector('video').currentTime - s) < 0.05, t), { what: `the player at ${t} s` });
  await eventually(
    async () => {
      const text = (await page.getByRole('slider', { name: /^Timeline/ }).getAttribute('aria-valuenow')) ?? '';
      return Math.abs(Number(text) - Math.round(t)) <= 1;
    },
    { what: 'the timeline to follow the player' },
  );
}

describe('clipcut web app: studio', { timeout: 1_800_000 }, () => {
  before(async () => {
    await Promise.all([run.start(), makeClip()]);
  });

  after(async () => {
    await run.close();
    if (media.dir && run.passed === run.tests) fs.rmSync(media.dir, { recursive: true, force: true });
  });

  it('cuts a range marked with I and O and words from the transcript, saves, and plays the shorter result', { timeout: 1_750_000 }, async (t) => {
    const context = await run.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    // Leaving a player cuts off hls.js's requests; hls.js gives subtitle
    // tracks src="data:,WEBVTT", which the CSP refuses (see video.e2e.test.mjs).
    const problems = watchProblems(page, {
      ignore: [/net::ERR_ABORTED/, /^Loading media from\s+'data:,WEBVTT' violates the following Content Security Policy directive/],
    });
    const main = page.getByRole('main');
    const title = 'Studio talk';
    let videoId = '';

    await step(page, '01-uploaded-and-ready', async () => {
      await signUp(page, run.baseURL, { name: 'Cora Cutter', email: `cora-${Date.now()}@example.com`, password: 'correct horse battery staple' });
      await page.getByRole('banner').getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Upload/ }).click();
      await expectPath(page, '/upload');
      await page.getByLabel('Choose video files').setInputFiles(media.clip);
      const row = main.getByRole('listitem', { name: title });
      videoId = await eventually(() => row.getAttribute('data-video-id'), { what: 'createUpload to give the video an id' });
      await row.getByRole('status').filter({ hasText: /^Ready$/ }).waitFor({ timeout: PROCESSING_TIMEOUT_MS });
    });

    await step(page, '02-studio-opened', async () => {
      await page.goto(`${run.baseURL}/my-videos`);
      await main.getByRole('link', { name: `Studio: cut ${title}` }).click();
      await expectPath(page, `/videos/${videoId}/studio`);
      await page.getByRole('heading', { level: 1, name: `Studio: “${title}”` }).waitFor();
      // The recognised words, each with its time.
      const words = main.getByRole('group', { name: 'Transcript words' }).getByRole('button');
      await words.first().waitFor({ timeout: PROCESSING_TIMEOUT_MS });
      assert.ok((await words.count()) >= 3, 'pocketsphinx heard some words');
      await eventually(() => page.evaluate(() => Number.isFinite(document.querySelector('video')?.duration)), {
        ms: PLAYBACK_TIMEOUT_MS,
        what: 'the player to load the video',
      });
      await checkAccessibility(page, 'the studio');
    });

    await step(page, '03-range-marked-and-cut', async () => {
      // The silence at the end: 10 s to 11.5 s.
      await seek(page, 10);
      await page.locator('body').focus();
      await page.keyboard.press('i');
      await seek(page, 11.5);
      await page.locator('body').focus();
      await page.keyboard.press('o');
      await main.getByText(/^In: 0:10\.0/).waitFor();
      await main.getByText(/^Out: 0:11\.5/).waitFor();
      await main.getByRole('button', { name: 'Cut out marked range' }).click();
      await main.getByRole('list', { name: 'Cut ranges' }).getByText(/0:10\.0 – 0:11\.5/).waitFor();
    });

    await step(page, '04-words-cut', async () => {
      const group = main.getByRole('group', { name: 'Transcript words' });
      const words = group.getByRole('button');
      const n = await words.count();
      const first = words.nth(Math.min(1, n - 1));
      const last = words.nth(Math.min(2, n - 1));
      await first.click();
      await last.click({ modifiers: ['Shift'] });
      await main.getByText(/words? selected, /).waitFor();
      await page.keyboard.press('Delete');
      // The selected words show as cut.
      await eventually(async () => (await group.getByRole('button', { name: /, cut$/ }).count()) >= 2, { what: 'the words to show as cut' });
      assert.equal(await main.getByRole('list', { name: 'Cut ranges' }).getByRole('listitem').count(), 2);
      await checkAccessibility(page, 'the studio with cuts');
    });

    let expected = 0;
    await step(page, '05-saved-and-published', async () => {
      const before = await graphql(page, `query($id: ID!) { video(id: $id) { duration } }`, { id: videoId });
      const result = (await main.getByTestId('studio-result').textContent()) ?? '';
      const [m, s] = result.split(':');
      expected = Number(m) * 60 + Number(s);
      assert.ok(expected < before.video.duration - 1.5, `the result (${result}) is shorter than the video (${before.video.duration} s)`);
      await main.getByRole('button', { name: 'Save', exact: true }).click();
      // Published: the video has an edit, and the studio says so.
      await eventually(
        async () => {
          const d = await graphql(page, `query($id: ID!) { video(id: $id) { duration edit { start end } processing { stage } } }`, { id: videoId });
          return d.video.edit && d.video.processing.stage !== 'edit' ? d.video : null;
        },
        { ms: PROCESSING_TIMEOUT_MS, every: 1000, what: 'the edit to be published' },
      );
      await main.getByRole('button', { name: 'Restore original' }).waitFor({ timeout: PROCESSING_TIMEOUT_MS });
      const after = await graphql(page, `query($id: ID!) { video(id: $id) { duration subtitles { words { text } } } }`, { id: videoId });
      t.diagnostic(`duration ${before.video.duration} s -> ${after.video.duration} s (expected about ${expected} s)`);
      assert.ok(Math.abs(after.video.duration - expected) < 0.5, `published duration ${after.video.duration} s, expected about ${expected} s`);
      const left = after.video.subtitles[0]?.words?.length ?? 0;
      assert.ok(left >= 1, 'words are left after the edit');
    });

    await step(page, '06-result-played', async () => {
      // The master playlist is cached for seconds: load the studio again
      // until the player has the edit's length.
      const duration = await eventually(
        async () => {
          await page.goto(`${run.baseURL}/videos/${videoId}/studio`);
          await page.getByRole('heading', { level: 1, name: `Studio: “${title}”` }).waitFor();
          const d = await eventually(() => page.evaluate(() => { const v = document.querySelector('video'); return v && Number.isFinite(v.duration) && v.duration > 0 ? v.duration : null; }), {
            ms: PLAYBACK_TIMEOUT_MS,
            what: 'the player to load the edit',
          });
          return Math.abs(d - expected) < 0.6 ? d : null;
        },
        { ms: 120_000, every: 2000, what: 'the player to play the edit' },
      );
      t.diagnostic(`the player plays ${duration.toFixed(2)} s (original ${CLIP_S} s)`);
      assert.ok(duration < CLIP_S - 1.5, 'the played video is shorter');
      // It plays.
      await page.evaluate(() => {
        const v = document.querySelector('video');
        v.muted = true;
        v.currentTime = 0;
        return v.play();
      });
      let last = -1;
      await eventually(
        async () => {
          const now = await page.evaluate(() => document.querySelector('video').currentTime);
          const moved = last >= 0 && now > last;
          last = now;
          return moved;
        },
        { ms: PLAYBACK_TIMEOUT_MS, what: 'the edit to play' },
      );
      await checkAccessibility(page, 'the studio of an edited video');
    });

    await step(page, '07-screenshots', async () => {
      for (const [w, h] of [
        [1280, 800],
        [390, 844],
      ]) {
        await page.setViewportSize({ width: w, height: h });
        await page.goto(`${run.baseURL}/videos/${videoId}/studio`);
        await page.getByRole('heading', { level: 1, name: `Studio: “${title}”` }).waitFor();
        await main.getByRole('group', { name: 'Transcript words' }).getByRole('button').first().waitFor();
        await page.evaluate(() => document.querySelector('video')?.pause());
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `the studio is ${overflow}px wider than the ${w}px screen`);
        await page.screenshot({ path: run.artifact(`shot-studio-${w}x${h}.png`) });
        await page.screenshot({ path: run.artifact(`shot-studio-${w}x${h}-full.png`), fullPage: true });
      }
    });

    assert.deepEqual(problems, [], 'no console errors');
    run.passed++;
  });
});
