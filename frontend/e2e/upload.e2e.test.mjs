// Browser end-to-end test of the upload page, against the real clipcut binary
// with its own private Postgres, in Chromium: a title chosen before the file
// is the video's title; a file that is not a video is refused in the browser
// before anything is sent (no createUpload, no PATCH); an upload cut off by
// closing the page is offered, in a fresh browser context (another
// "browser"), when the same file is chosen again, and resuming it makes one
// video, not two. Screenshots of the upload page at 1280x800 and 390x844 go
// to e2e/artifacts/upload/.
//
//   npm run build && (cd .. && go build -o clipcut ./server) && node --test e2e/upload.e2e.test.mjs
//
// Every check is on an outcome that stays true once reached; the upload is
// still going when the page
// closes: its PATCHes are cut off by the test, so the server holds an
// unfinished upload whatever the machine's speed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { eventually, makeTempDir, NAVIGATION_TIMEOUT_MS, signUp, STEP_TIMEOUT_MS, Suite } from './harness.mjs';

const exec = promisify(execFile);
const PROCESSING_TIMEOUT_MS = 600_000;

const run = new Suite('upload', { tests: 1 });
const step = (page, name, fn) => run.step(page, name, fn);
const media = { dir: '', small: '', large: '', text: '', fake: '' };
const account = { name: 'Uploader', email: 'uploader@example.com', password: 'correct horse battery staple' };

async function makeMedia() {
  media.dir = makeTempDir('clipcut-e2e-upload-');
  media.small = path.join(media.dir, 'small clip.mp4');
  // prettier-ignore
  await exec('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=2', '-f', 'lavfi', '-i', 'sine=duration=2',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', media.small], { timeout: 60_000 });
  media.large = path.join(media.dir, 'resume clip.mp4');
  // prettier-ignore
  await exec('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=2',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', media.large], { timeout: 60_000 });
  media.text = path.join(media.dir, 'notes.txt');
  fs.writeFileSync(media.text, 'Shopping list: milk, eggs, a video that is not a text file.\n'.repeat(50));
  // Text with a video's name: only its first bytes give it away.
  media.fake = path.join(media.dir, 'holiday.mp4');
  fs.writeFileSync(media.fake, 'This is not a video at all, whatever its name says.\n'.repeat(50));
}

/** Counts the page's createUpload mutations and tus PATCHes. */
function recordUploads(page) {
  const seen = { createUpload: 0, patch: 0 };
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.pathname.startsWith('/uploads/') && req.method() === 'PATCH') seen.patch++;
    if (url.pathname === '/graphql' && req.method() === 'POST' && (req.postData() ?? '').includes('createUpload')) seen.createUpload++;
  });
  return seen;
}

/** The upload row of the video with `title` on the upload page. */
const uploadRow = (page, title) => page.getByRole('main').getByRole('list', { name: 'Uploads' }).getByRole('listitem', { name: title });

/** The caller's videos titled `title`, asked through GraphQL with the page's session. */
async function videosTitled(page, title) {
  return page.evaluate(async (t) => {
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: '{ me { videos(first: 50) { edges { node { id title status } } } } }' }),
    });
    const body = await res.json();
    return body.data.me.videos.edges.map((e) => e.node).filter((v) => v.title === t);
  }, title);
}

describe('clipcut web app: the upload page', { timeout: 1_200_000 }, () => {
  before(async () => {
    await Promise.all([run.start(), makeMedia()]);
  });

  after(async () => {
    await run.close();
    if (media.dir && run.passed === run.tests) fs.rmSync(media.dir, { recursive: true, force: true });
  });

  it('takes details first, refuses a non-video before sending, resumes from another browser', { timeout: 1_150_000 }, async () => {
    const context = await run.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    page.on('dialog', (d) => void d.accept());
    const seen = recordUploads(page);
    const picker = page.getByRole('region', { name: 'Add videos' });

    await step(page, '01-signed-up', async () => {
      await signUp(page, run.baseURL, account);
      await page.goto(`${run.baseURL}/upload`);
      await page.getByRole('heading', { level: 1, name: 'Upload videos' }).waitFor();
    });

    await step(page, '02-title-before-the-file', async () => {
      await picker.getByLabel('Title', { exact: true }).fill('Chosen before the file');
      await picker.getByLabel('Description').fill('Typed while no file was chosen yet.');
      await page.getByLabel('Choose video files').setInputFiles(media.small);
      const row = uploadRow(page, 'Chosen before the file');
      await row.getByRole('status').filter({ hasText: /Uploaded|Playable|Ready/ }).waitFor({ timeout: PROCESSING_TIMEOUT_MS });
      const videos = await videosTitled(page, 'Chosen before the file');
      assert.equal(videos.length, 1, 'the video has the title chosen before its file');
    });

    await step(page, '03-not-a-video-refused-in-the-browser', async () => {
      const before = { ...seen };
      await page.getByLabel('Choose video files').setInputFiles(media.text);
      await picker.getByText(/“notes.txt” is not a video/).waitFor();
      await page.getByLabel('Choose video files').setInputFiles(media.fake);
      await picker.getByText(/“holiday.mp4” is not a video: its first bytes/).waitFor();
      // Give a wrongly started upload time to show itself on the wire.
      await page.waitForTimeout(1_000);
      assert.deepEqual(seen, before, 'no createUpload and no PATCH for a file that is not a video');
      assert.equal(await uploadRow(page, 'holiday').count(), 0);
    });

    let videoId = '';
    await step(page, '04-upload-cut-off-by-closing-the-page', async () => {
      // The connection breaks under every PATCH: the upload exists on the
      // server, unfinished, when the page closes.
      await page.route('**/uploads/**', (route) => (route.request().method() === 'PATCH' ? route.abort('connectionreset') : route.continue()));
      await page.getByLabel('Choose video files').setInputFiles(media.large);
      const row = uploadRow(page, 'resume clip');
      await eventually(async () => (await row.getAttribute('data-video-id')) && seen.patch > 0, { what: 'the upload created and its first PATCH cut off' });
      videoId = (await row.getAttribute('data-video-id')) ?? '';
    });
    await context.close();

    // Another browser: nothing in its storage knows the upload.
    const other = await run.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page2 = await other.newPage();
    page2.setDefaultTimeout(STEP_TIMEOUT_MS);
    page2.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    page2.on('dialog', (d) => void d.accept());
    const seen2 = recordUploads(page2);

    await step(page2, '05-other-browser-offers-to-resume', async () => {
      await page2.goto(`${run.baseURL}/login`);
      await page2.getByLabel('Email').fill(account.email);
      await page2.getByLabel('Password').fill(account.password);
      await page2.getByRole('main').getByRole('button', { name: 'Log in' }).click();
      await page2.getByRole('banner').getByText(account.name).waitFor();
      await page2.goto(`${run.baseURL}/upload`);
      await page2.getByLabel('Choose video files').setInputFiles(media.large);
      const row = uploadRow(page2, 'resume clip');
      await row.getByRole('status').filter({ hasText: 'Unfinished upload found' }).waitFor();
      await page2.screenshot({ path: run.artifact('upload-1280x800.png') });
      await page2.setViewportSize({ width: 390, height: 844 });
      await page2.screenshot({ path: run.artifact('upload-390x844.png'), fullPage: true });
      await page2.setViewportSize({ width: 1280, height: 800 });
      await row.getByRole('button', { name: 'Resume upload' }).click();
      await row.getByRole('status').filter({ hasText: /Uploaded|Playable|Ready/ }).waitFor({ timeout: PROCESSING_TIMEOUT_MS });
      assert.equal(await row.getAttribute('data-video-id'), videoId, 'the same video goes on');
      assert.equal(seen2.createUpload, 0, 'no new upload was created');
      assert.ok(seen2.patch > 0);
    });

    await step(page2, '06-one-video-not-two', async () => {
      const videos = await videosTitled(page2, 'resume clip');
      assert.equal(videos.length, 1, `one video, got ${JSON.stringify(videos)}`);
      assert.equal(videos[0].id, videoId);
      assert.notEqual(videos[0].status, 'UPLOADING');
    });
    await other.close();
    run.passed++;
  });
});
