// Browser end-to-end test of sharing, embedding and the integrator screens,
// against the real clipcut binary with its own private Postgres, in
// Chromium: sign up, upload a short clip, open the Share dialog; frame the
// video's /embed/<id> from a page on another loopback origin and receive
// the player's events there with postMessage while it plays to the end;
// restrict embedding to that origin and still be framed; create an API
// token, see its secret once and revoke it; add a webhook pointing at the
// outer server, send a test and see it delivered in the log. axe-core
// checks each new page for serious and critical violations.
//
//   npm run build && (cd .. && go build -o clipcut ./server) && node --test e2e/embed.e2e.test.mjs
//
// Needs ffmpeg on $PATH and axe-core (the frontend's dev dependency, or
// AXE_CORE_PATH=/path/to/axe.min.js). Settings: see harness.mjs.
// Screenshots at 1280x800 and 390x844 go to e2e/artifacts/embed/.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { eventually, makeTempDir, NAVIGATION_TIMEOUT_MS, signUp, STEP_TIMEOUT_MS, Suite, watchProblems } from './harness.mjs';

const exec = promisify(execFile);

// Deadlines for a hung server, not expectations.
const PROCESSING_TIMEOUT_MS = 600_000;
const PLAYBACK_TIMEOUT_MS = 90_000;

// Webhooks to the outer server on 127.0.0.1 need the outbound guard to allow loopback.
const run = new Suite('embed', { env: { CLIPCUT_OUTBOUND_ALLOW_PRIVATE: 'true' }, tests: 1 });
const step = (page, name, fn) => run.step(page, name, fn);
const media = { dir: '', clip: '' };

/** axe-core's source, or null when it is not installed. */
function axeSource() {
  const file =
    process.env.AXE_CORE_PATH ||
    (() => {
      try {
        return createRequire(import.meta.url).resolve('axe-core/axe.min.js');
      } catch {
        return '';
      }
    })();
  return file && fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
}

/** Serious and critical axe-core violations of what `page` (or `frame`) shows now. */
async function axeViolations(target, source) {
  await target.evaluate(source);
  const result = await target.evaluate(async () => {
    // @ts-ignore: injected above
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A 4 s 640x360 clip (testsrc2 and a tone). */
async function makeClip() {
  media.dir = makeTempDir('clipcut-e2e-embed-');
  media.clip = path.join(media.dir, 'embed clip.mp4');
  // prettier-ignore
  await exec('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=4',
    '-f', 'lavfi', '-i', 'sine=frequency=440:duration=4',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-shortest', '-movflags', '+faststart',
    media.clip,
  ], { timeout: 60_000 });
}

/**
 * The other site: a page that frames an embed and keeps every message it
 * receives, and a webhook receiver that answers 200.
 */
async function startOuterSite() {
  const hooks = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://outer');
    if (req.method === 'POST' && url.pathname === '/hook') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        hooks.push({ headers: req.headers, body });
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('thanks');
      });
      return;
    }
    const src = url.searchParams.get('src') ?? '';
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Outer site</title></head><body>
<h1>A blog post with a video</h1>
<iframe id="player" src="${src.replace(/"/g, '&quot;')}" width="640" height="360" title="Embedded video" style="border:0" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen></iframe>
<script>
  window.messages = [];
  window.addEventListener('message', (e) => window.messages.push({ origin: e.origin, data: e.data }));
</script></body></html>`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  return { server, hooks, origin: `http://127.0.0.1:${port}` };
}

/** Takes the page's screenshot at desktop and phone size. */
async function shots(page, name) {
  for (const [w, h] of [
    [1280, 800],
    [390, 844],
  ]) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(150); // layout settles; only the picture depends on it
    await page.screenshot({ path: run.artifact(`shot-${name}-${w}x${h}.png`), fullPage: name !== 'embed' });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe('clipcut web app: share, embed and integrator screens', { timeout: 1_800_000 }, () => {
  let outer;
  before(async () => {
    [outer] = await Promise.all([startOuterSite(), run.start(), makeClip()]);
  });

  after(async () => {
    await run.close();
    outer?.server.close();
    if (media.dir && run.passed === run.tests) fs.rmSync(media.dir, { recursive: true, force: true });
  });

  it('shares, embeds with events, and manages tokens and webhooks', { timeout: 1_750_000 }, async (t) => {
    const axe = axeSource();
    if (!axe) t.diagnostic('axe-core is not installed: the accessibility checks are skipped (npm i -D axe-core, or set AXE_CORE_PATH)');
    const a11y = async (target, what) => {
      if (!axe) return;
      const found = await axeViolations(target, axe);
      assert.deepEqual(found, [], `${what}: serious or critical axe-core violations`);
    };
    const context = await run.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    const problems = watchProblems(page, {
      ignore: [/net::ERR_ABORTED/, /^Loading media from\s+'data:,WEBVTT' violates the following Content Security Policy directive/],
    });
    const main = page.getByRole('main');
    const title = 'embed clip';
    let videoId = '';

    const graphql = (query, variables = {}) =>
      page.evaluate(
        async ({ query, variables }) => {
          const res = await fetch('/graphql', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query, variables }) });
          return res.json();
        },
        { query, variables },
      );

    await step(page, '01-signed-up-and-uploaded', async () => {
      await signUp(page, run.baseURL, { name: 'E2E Embedder', email: `embedder-${Date.now()}@example.com`, password: 'correct horse battery staple' });
      await page.getByRole('banner').getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Upload/ }).click();
      await page.getByLabel('Choose video files').setInputFiles(media.clip);
      const row = main.getByRole('listitem', { name: title });
      videoId = await eventually(() => row.getAttribute('data-video-id'), { what: 'createUpload to give the video an id' });
      await row.getByRole('status').filter({ hasText: /^Ready$/ }).waitFor({ timeout: PROCESSING_TIMEOUT_MS });
    });

    await step(page, '02-share-dialog', async () => {
      await page.goto(`${run.baseURL}/watch/${videoId}`);
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      const share = main.getByRole('button', { name: 'Share' });
      await share.click();
      const dialog = page.getByRole('dialog', { name: 'Share' });
      await dialog.waitFor();
      assert.equal(await dialog.getByLabel('Link', { exact: true }).inputValue(), `${run.baseURL}/watch/${videoId}`);
      const code = await dialog.getByLabel('Embed code', { exact: true }).inputValue();
      assert.ok(code.includes(`src="${run.baseURL}/embed/${videoId}"`), code);
      await a11y(page, 'the share dialog');
      await shots(page, 'share-dialog');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await share.evaluate((el) => el === document.activeElement), true, 'focus returns to the Share button');
    });

    await step(page, '03-embedded-elsewhere-posts-events', async () => {
      const src = `${run.baseURL}/embed/${videoId}?autoplay=1&muted=1`;
      await page.goto(`${outer.origin}/?src=${encodeURIComponent(src)}`);
      const seen = await eventually(
        () =>
          page.evaluate(() => {
            const events = window.messages.filter((m) => m.data?.source === 'clipcut').map((m) => m.data.event);
            return events.includes('ended') ? { events, messages: window.messages } : null;
          }),
        { ms: PLAYBACK_TIMEOUT_MS, what: 'the embedded player to play to the end' },
      );
      t.diagnostic(`events: ${seen.events.join(' ')}`);
      for (const want of ['ready', 'play', 'timeupdate', 'ended']) assert.ok(seen.events.includes(want), `the parent received ${want}`);
      assert.equal(seen.events[0], 'ready');
      const ended = seen.messages.find((m) => m.data.event === 'ended');
      assert.equal(ended.origin, run.baseURL, 'the messages come from clipcut');
      assert.equal(ended.data.videoId, videoId);
      assert.ok(ended.data.duration > 3 && ended.data.currentTime > 3, JSON.stringify(ended.data));
      assert.equal(ended.data.muted, true, 'muted=1 started it without sound');
      const timeupdates = seen.messages.filter((m) => m.data.event === 'timeupdate').length;
      assert.ok(timeupdates <= 4 * 5 + 2, `timeupdate is throttled (${timeupdates} for a 4 s clip)`);
    });

    await step(page, '04-embed-page', async () => {
      const frame = page.frameLocator('#player');
      await frame.locator('.player').waitFor();
      const inner = page.frames().find((f) => f.url().startsWith(`${run.baseURL}/embed/`));
      assert.ok(inner, 'the embed is framed');
      await a11y(inner, 'the embed page');
      // The embed alone, as a site frames it, at both sizes.
      const embedPage = await context.newPage();
      await embedPage.goto(`${run.baseURL}/embed/${videoId}`);
      await embedPage.getByRole('button', { name: `Play “${title}”` }).waitFor();
      await a11y(embedPage, 'the embed page before playing');
      await shots(embedPage, 'embed');
      await embedPage.close();
    });

    await step(page, '05-allowed-origins', async () => {
      await page.goto(`${run.baseURL}/watch/${videoId}`);
      const res = await graphql(`mutation($id: ID!, $o: [String!]) { updateVideo(input: { id: $id, embedOrigins: $o }) { embedOrigins } }`, {
        id: videoId,
        o: [outer.origin],
      });
      assert.deepEqual(res.data?.updateVideo.embedOrigins, [outer.origin], JSON.stringify(res));
      const head = await fetch(`${run.baseURL}/embed/${videoId}`);
      assert.match(head.headers.get('content-security-policy') ?? '', new RegExp(`frame-ancestors ${outer.origin};`));
      const other = await fetch(`${run.baseURL}/watch/${videoId}`);
      assert.match(other.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      // The listed origin still frames it.
      await page.goto(`${outer.origin}/?src=${encodeURIComponent(`${run.baseURL}/embed/${videoId}`)}`);
      await eventually(() => page.evaluate(() => window.messages.some((m) => m.data?.event === 'ready')), { what: 'the allowed origin to receive ready' });
      // Shared links unfurl: Open Graph tags and oEmbed.
      const html = await (await fetch(`${run.baseURL}/watch/${videoId}`)).text();
      assert.ok(html.includes(`<meta property="og:title" content="${title}">`), 'og:title');
      assert.ok(html.includes('application/json+oembed'), 'oEmbed discovery');
      const oembed = await (await fetch(`${run.baseURL}/oembed?format=json&url=${encodeURIComponent(`${run.baseURL}/watch/${videoId}`)}`)).json();
      assert.equal(oembed.type, 'video');
      assert.equal(oembed.title, title);
      assert.equal(oembed.author_name, 'E2E Embedder');
    });

    await step(page, '06-api-token-created-and-revoked', async () => {
      await page.goto(`${run.baseURL}/account`);
      await main.getByRole('link', { name: 'API tokens' }).click();
      await page.getByRole('heading', { level: 1, name: 'API tokens' }).waitFor();
      await main.getByLabel('Name').fill('E2E script');
      await main.getByRole('checkbox', { name: /uploads:write/ }).check();
      await main.getByRole('button', { name: 'Create token' }).click();
      const secret = main.getByRole('region', { name: 'New token' });
      const token = await secret.getByLabel('Token', { exact: true }).inputValue();
      assert.match(token, /^ccp_[0-9a-f]{64}$/);
      // The token works, as a bearer token, with its scope.
      const me = await (
        await fetch(`${run.baseURL}/graphql`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: '{ me { name } }' }),
        })
      ).json();
      assert.equal(me.data?.me?.name, 'E2E Embedder');
      const list = main.getByRole('list', { name: 'Your tokens' });
      await list.getByText('E2E script').waitFor();
      await a11y(page, 'the API tokens page');
      await shots(page, 'tokens');
      await secret.getByRole('button', { name: 'Done' }).click();
      await list.getByRole('button', { name: 'Revoke E2E script' }).click();
      await list.getByRole('group', { name: 'Revoke E2E script' }).getByRole('button', { name: 'Revoke' }).click();
      await main.getByText('No tokens yet.').waitFor();
      const after = await (
        await fetch(`${run.baseURL}/graphql`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: '{ me { name } }' }),
        })
      ).json();
      assert.ok(!after.data?.me, `a revoked token no longer works: ${JSON.stringify(after)}`);
    });

    await step(page, '07-webhook-test-delivered', async () => {
      await main.getByRole('link', { name: 'Webhooks' }).click();
      await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
      const form = main.getByRole('form', { name: 'Add a webhook' });
      await form.getByLabel('Endpoint URL').fill(`${outer.origin}/hook`);
      await form.getByRole('button', { name: 'Add webhook' }).click();
      await main.getByRole('region', { name: 'New webhook secret' }).getByRole('button', { name: 'Done' }).click();
      const row = main.getByRole('listitem').filter({ hasText: `${outer.origin}/hook` });
      await row.getByRole('button', { name: 'Send test' }).click();
      const table = row.getByRole('table');
      await table.getByRole('row').filter({ hasText: 'webhook.test' }).getByText('Delivered').waitFor({ timeout: 60_000 });
      assert.ok(outer.hooks.some((h) => h.body.includes('webhook.test')), 'the receiver got the test event');
      assert.match((await table.getByRole('row').filter({ hasText: 'webhook.test' }).textContent()) ?? '', /200.*\d+ ms/);
      await row.getByRole('button', { name: 'Pause' }).click();
      await row.getByText('Paused').waitFor();
      await a11y(page, 'the webhooks page');
      await shots(page, 'webhooks');
    });

    assert.deepEqual(problems, [], 'no console errors or CSP violations');
    await context.close();
    run.passed++;
  });
});
