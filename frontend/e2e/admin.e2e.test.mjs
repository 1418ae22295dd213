// Browser end-to-end test of the admin area (/admin) and River UI
// (/admin/jobs), against the real clipcut binary with its own private
// Postgres, in Chromium. Three people: the first account (an
// administrator), an owner who uploads a clip, and a viewer who reports it.
// The administrator sees the report in the queue and takes the video down
// with a reason: the owner reads the reason on My videos, the viewer gets
// "Video not found" and its media is refused. A River job that was
// discarded (a job whose arguments its worker cannot read, as a bad deploy
// leaves behind) shows on the overview; once its arguments are fixed, the
// administrator retries it by clicking Retry in River UI and it completes.
// The administrator sets an account's upload limits on the users page and
// deletes the video; both show in the audit log.
// axe-core checks every admin page (0 serious or critical violations), and
// each is screenshotted at 1280x800 and 390x844 with no horizontal
// overflow.
//
//   cd frontend && npm run build && cd .. && go build -o clipcut ./server &&
//   cd frontend && CLIPCUT_BIN=$PWD/../clipcut node --test e2e/admin.e2e.test.mjs
//
// Needs ffmpeg and psql on $PATH (psql reaches the private cluster's socket
// to plant the broken job). Settings: see harness.mjs. Screenshots of every
// step and the server's log go to e2e/artifacts/admin/.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { checkAccessibility, eventually, graphql, makeTempDir, NAVIGATION_TIMEOUT_MS, signUp, STEP_TIMEOUT_MS, Suite, watchProblems } from './harness.mjs';

const exec = promisify(execFile);

// Deadlines for a hung server, not expectations (a busy 2-core machine).
const PROCESSING_TIMEOUT_MS = 600_000;
const JOB_TIMEOUT_MS = 120_000;

const run = new Suite('admin', { env: { CLIPCUT_TRANSCRIBER: 'none' }, tests: 1 });
const step = (page, name, fn) => run.step(page, name, fn);
const media = { dir: '', clip: '' };
const PASSWORD = 'correct horse battery staple';

/** A 320x180 clip of 3 s. */
async function makeClip() {
  media.dir = makeTempDir('clipcut-e2e-admin-');
  media.clip = path.join(media.dir, 'Harbour at dusk.mp4');
  // prettier-ignore
  await exec('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=3',
    '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest',
    media.clip,
  ], { timeout: 60_000 });
}

/** Runs SQL on the server's private cluster (its socket directory is in the log). */
async function sql(query) {
  const m = /started private PostgreSQL cluster.*socket_dir=("[^"]+"|\S+)/.exec(run.log);
  assert.ok(m, 'the server logs its private cluster socket directory');
  const socketDir = m[1].replace(/^"|"$/g, '');
  const { stdout } = await exec('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-h', socketDir, '-U', 'clipcut', '-d', 'clipcut', '-c', query], {
    timeout: 30_000,
  });
  return stdout.trim();
}

/** A new signed-in person in a browser context of their own. */
async function person(name, email) {
  const context = await run.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
  const problems = watchProblems(page, { ignore: [/net::ERR_ABORTED/, /status of 40[34]/] });
  await signUp(page, run.baseURL, { name, email, password: PASSWORD });
  return { context, page, main: page.getByRole('main'), problems };
}

describe('clipcut web app: administration', { timeout: 1_800_000 }, () => {
  before(async () => {
    await Promise.all([run.start(), makeClip()]);
  });

  after(async () => {
    await run.close();
    if (media.dir && run.passed === run.tests) fs.rmSync(media.dir, { recursive: true, force: true });
  });

  it('takes down a reported video, retries a discarded job in River UI, sets limits; every admin page is accessible', { timeout: 1_750_000 }, async () => {
    const title = 'Harbour at dusk';
    const reason = 'Copyright: the soundtrack belongs to someone else.';
    let videoId = '';
    let hlsUrl = '';

    // The first account is the instance's administrator.
    const admin = await person('Ada Admin', 'ada@example.com');
    const owner = await person('Olga Owner', 'olga@example.com');
    const viewer = await person('Victor Viewer', 'victor@example.com');

    await step(owner.page, '01-owner-uploaded', async () => {
      await owner.page.goto(`${run.baseURL}/upload`);
      await owner.page.getByLabel('Choose video files').setInputFiles(media.clip);
      const row = owner.main.getByRole('listitem', { name: title });
      videoId = await eventually(() => row.getAttribute('data-video-id'), { what: 'createUpload to give the video an id' });
      await row.getByRole('status').filter({ hasText: /^Ready$/ }).waitFor({ timeout: PROCESSING_TIMEOUT_MS });
    });

    await step(viewer.page, '02-viewer-reports', async () => {
      await viewer.page.goto(`${run.baseURL}/watch/${videoId}`);
      await viewer.main.getByRole('heading', { level: 1, name: title }).waitFor();
      hlsUrl = (await graphql(viewer.page, 'query($id: ID!) { video(id: $id) { playback { hlsUrl } } }', { id: videoId })).video.playback.hlsUrl;
      assert.equal(await viewer.page.evaluate(async (u) => (await fetch(u)).status, hlsUrl), 200, 'the viewer plays it before the takedown');
      await viewer.main.getByRole('button', { name: 'Report' }).click();
      const form = viewer.main.getByRole('form', { name: 'Report this video' });
      await form.getByLabel('Reason').selectOption('COPYRIGHT');
      await form.getByLabel('Note (optional)').fill('The music is a commercial recording.');
      await form.getByRole('button', { name: 'Send report' }).click();
      await viewer.main.getByRole('status').filter({ hasText: 'Thanks for the report' }).waitFor();
    });

    await step(admin.page, '03-report-queue', async () => {
      await admin.page.goto(`${run.baseURL}/admin`);
      await admin.main.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
      await admin.page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Reports' }).click();
      await admin.main.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
      await admin.main.getByText('Copyright infringement').waitFor();
      await admin.main.getByText('The music is a commercial recording.').waitFor();
      assert.equal(await admin.main.getByText('Victor Viewer').count(), 0, 'the reporter is not shown');
      await checkAccessibility(admin.page, 'the report queue');
    });

    await step(admin.page, '04-taken-down', async () => {
      admin.page.once('dialog', (d) => void d.accept(reason));
      await admin.main.getByRole('button', { name: 'Take down' }).click();
      await admin.main.getByRole('status').filter({ hasText: `"${title}" is taken down.` }).waitFor();
      await admin.main.getByText(/No open report/i).waitFor();
    });

    await step(owner.page, '05-owner-sees-the-reason', async () => {
      await owner.page.goto(`${run.baseURL}/my-videos`);
      const card = owner.main.getByRole('listitem').filter({ hasText: title });
      await card.getByText('Taken down', { exact: true }).waitFor();
      await card.getByRole('alert').filter({ hasText: reason }).waitFor();
      await card.getByLabel('Appeal', { exact: true }).fill('I licensed the soundtrack.');
      await card.getByRole('button', { name: 'Send' }).click();
      await card.getByRole('status').filter({ hasText: 'Appeal sent' }).waitFor();
    });

    await step(admin.page, '05b-appeal-answered', async () => {
      await admin.page.goto(`${run.baseURL}/admin/videos`);
      const form = admin.main.getByRole('form', { name: `Answer the appeal of ${title}` });
      await admin.main.getByText(/unanswered: I licensed the soundtrack\./).waitFor();
      await form.getByLabel(/^Answer/).fill('The licence does not cover online use; the takedown stands.');
      await checkAccessibility(admin.page, 'the videos page with an appeal to answer');
      await form.getByRole('button', { name: 'Send answer' }).click();
      await admin.main.getByText(/, answered: I licensed the soundtrack\./).waitFor();
      await owner.page.reload();
      const card = owner.main.getByRole('listitem').filter({ hasText: title });
      await card.getByRole('status').filter({ hasText: 'the takedown stands.' }).waitFor();
      await card.getByRole('status').filter({ hasText: /Your appeal was answered on / }).waitFor();
    });

    await step(viewer.page, '06-viewer-refused', async () => {
      await viewer.page.goto(`${run.baseURL}/watch/${videoId}`);
      await viewer.main.getByRole('heading', { level: 1, name: 'Video not found' }).waitFor();
      // The server's answer, not the browser's copy: a master playlist
      // may be reused for up to 10 s (its max-age), so on a fast machine
      // the earlier fetch could still answer from the cache.
      const status = await viewer.page.evaluate(async (u) => (await fetch(u, { cache: 'no-store' })).status, hlsUrl);
      assert.ok(status >= 400 && status < 500, `the media is refused after the takedown (got ${status})`);
    });

    // A job its worker cannot read (arguments a bad deploy left behind):
    // River records the error and, with no attempt left, discards it.
    let jobId = '';
    await step(admin.page, '07-discarded-job-on-the-overview', async () => {
      jobId = await sql(`INSERT INTO river_job (args, kind, max_attempts, queue, state, priority)
        VALUES ('"not an object"', 'cleanup', 1, 'default', 'available', 1) RETURNING id`);
      assert.match(jobId, /^\d+$/);
      await eventually(async () => (await sql(`SELECT state FROM river_job WHERE id = ${jobId}`)) === 'discarded', {
        ms: JOB_TIMEOUT_MS,
        what: 'River to discard the broken job',
      });
      await admin.page.goto(`${run.baseURL}/admin`);
      const discarded = admin.main.getByRole('region', { name: 'Jobs discarded in the last 24 hours' });
      await discarded.getByRole('link', { name: `cleanup #${jobId}` }).waitFor();
      await discarded.getByText(/cannot unmarshal/).waitFor();
      const rates = admin.main.getByRole('region', { name: 'Last 24 hours' });
      assert.equal(await rates.getByText('Uploads started', { exact: true }).locator('xpath=following-sibling::dd').textContent(), '1');
      assert.equal(await rates.getByText('Videos processed', { exact: true }).locator('xpath=following-sibling::dd').textContent(), '1');
    });

    await step(admin.page, '08-retried-in-river-ui', async () => {
      // The cause is fixed; the administrator retries the dead letter.
      await sql(`UPDATE river_job SET args = '{}' WHERE id = ${jobId}`);
      await admin.main.getByRole('link', { name: `cleanup #${jobId}` }).click();
      await admin.page.waitForURL((u) => u.pathname === `/admin/jobs/jobs/${jobId}`);
      await admin.page.getByText('discarded', { exact: false }).first().waitFor();
      await admin.page.getByRole('button', { name: 'Retry', exact: true }).click();
      await eventually(async () => (await sql(`SELECT state FROM river_job WHERE id = ${jobId}`)) === 'completed', {
        ms: JOB_TIMEOUT_MS,
        what: 'the retried job to complete',
      });
      await admin.page.reload();
      await admin.page.getByText(/completed/i).first().waitFor();
    });

    await step(admin.page, '09-limits-set', async () => {
      await admin.page.goto(`${run.baseURL}/admin/users`);
      const row = admin.main.getByRole('row').filter({ hasText: 'olga@example.com' });
      await row.getByRole('button', { name: 'Limits of Olga Owner' }).click();
      const form = admin.main.getByRole('form', { name: 'Limits of Olga Owner' });
      await form.getByLabel('Storage quota').fill('5 GiB');
      await form.getByLabel('Uploads per day').fill('2');
      await form.getByLabel('Why (audit log)').fill('A trial account.');
      await checkAccessibility(admin.page, 'the users page with the limits form');
      await form.getByRole('button', { name: 'Save limits' }).click();
      await admin.main.getByRole('status').filter({ hasText: "Olga Owner's limits are saved." }).waitFor();
      await row.getByText('quota 5 GiB (own), 2 uploads a day (own)').waitFor();
    });

    // Every admin page, as the administrator, at desktop and phone width.
    const pages = [
      { name: 'overview', path: '/admin', heading: 'Administration' },
      { name: 'users', path: '/admin/users', heading: 'Users' },
      { name: 'videos', path: '/admin/videos', heading: 'Videos' },
      { name: 'reports', path: '/admin/reports', heading: 'Reports' },
      { name: 'audit', path: '/admin/audit', heading: 'Audit log' },
    ];
    for (const [w, h] of [
      [1280, 800],
      [390, 844],
    ]) {
      await admin.page.setViewportSize({ width: w, height: h });
      for (const p of pages) {
        await step(admin.page, `10-${p.name}-${w}x${h}`, async () => {
          await admin.page.goto(`${run.baseURL}${p.path}`);
          await admin.main.getByRole('heading', { level: 1, name: p.heading }).waitFor();
          await admin.page.waitForLoadState('networkidle').catch(() => {});
          await checkAccessibility(admin.page, `${p.path} at ${w}x${h}`);
          const overflow = await admin.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          assert.ok(overflow <= 0, `${p.path} at ${w}x${h} overflows sideways by ${overflow}px`);
        });
      }
    }

    // The administrator deletes the video for good; the audit log tells
    // what happened.
    await step(admin.page, '11-deleted-and-audited', async () => {
      await admin.page.goto(`${run.baseURL}/admin/videos`);
      admin.page.once('dialog', (d) => void d.accept('Repeated infringement.'));
      await admin.main.getByRole('button', { name: `Delete ${title}` }).click();
      await admin.main.getByRole('status').filter({ hasText: `"${title}" is deleted.` }).waitFor();
      await admin.page.goto(`${run.baseURL}/admin/audit`);
      await admin.main.getByText('video.deleted').waitFor();
      await admin.main.getByText('user.limits_set').waitFor();
      await admin.main.getByText('video.taken_down').waitFor();
    });

    for (const p of [admin, owner, viewer]) {
      assert.deepEqual(p.problems, [], 'no console or page errors');
      await p.context.close();
    }
    run.passed++;
  });
});
