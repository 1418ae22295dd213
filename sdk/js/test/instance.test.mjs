// The SDK against a real clipcut instance, as an integrator uses it: a
// token, a webhook receiver on loopback, a tus upload with progress that is
// aborted and resumed, progress over the websocket until READY, listing,
// share links signed and revoked, and the webhook delivery verified; an
// upload resumed by another client through unfinishedUpload; an UNLISTED
// video followed by a stranger through its public id.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { Clipcut, ClipcutError, createClient, verifyWebhook } from '../dist/index.js';
import { Instance, eventually, makeClip, tempDir } from './harness.mjs';

const instance = new Instance({
  CLIPCUT_MEDIA_WORKERS: '1',
  CLIPCUT_X264_PRESET: 'ultrafast',
  // The webhook receiver listens on loopback, which outbound requests may
  // not reach unless allowed.
  CLIPCUT_OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8',
});
let passed = 0;
let work = '';
/** Every request the receiver got, raw. */
const deliveries = [];
let receiver;
let receiverURL = '';
let webhookSecrets = []; // [new, old] after the rotation
/** What the browser test reuses of the first test. */
const shared = { token: '', clip: '', delivery: null, secret: '' };

before(async () => {
  work = tempDir('clipcut-sdk-work-');
  await instance.start();
  receiver = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      let verified = false;
      try {
        // What a receiver does: verify with the secret it holds.
        await verifyWebhook(webhookSecrets[0] ?? '', req.headers, body);
        verified = true;
      } catch {
        verified = false;
      }
      deliveries.push({ headers: req.headers, body, verified });
      res.writeHead(verified ? 204 : 400).end();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  receiverURL = `http://127.0.0.1:${receiver.address().port}/clipcut`;
});

after(async () => {
  receiver?.close();
  await instance.stop({ keepData: passed !== 3 });
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('token to webhook, with the SDK against a real instance', { timeout: 600_000 }, async (t) => {
  try {
    // A session by signUp (any document works with request), then an API
    // token with the scopes an integration needs.
    const anonymous = createClient(instance.url);
    const { signUp } = await anonymous.request(
      `mutation($in: SignUpInput!) { signUp(input: $in) { token } }`,
      { in: { email: 'ada@example.com', password: 'correct horse', name: 'Ada' } },
    );
    const session = new Clipcut(instance.url, signUp.token);
    const { createApiToken } = await session.request(
      `mutation { createApiToken(name: "sdk", scopes: [UPLOADS_WRITE, VIDEOS_READ, VIDEOS_WRITE, VIDEOS_SHARE, WEBHOOKS_WRITE]) { token } }`,
    );
    const clipcut = new Clipcut(instance.url, createApiToken.token);
    shared.token = createApiToken.token;
    t.after(() => clipcut.close());
    assert.equal((await clipcut.me()).email, 'ada@example.com');

    // A refused credential is an error with the server's code, never anonymous.
    await assert.rejects(new Clipcut(instance.url, 'ccp_revoked_or_garbage').me(), (err) => {
      assert.ok(err instanceof ClipcutError);
      assert.equal(err.code, 'UNAUTHENTICATED');
      assert.equal(err.status, 401);
      return true;
    });

    // The receiver, then a rotation: deliveries now carry two v1=.
    const { webhook, secret: first } = await clipcut.createWebhook({ url: receiverURL, events: ['VIDEO_READY'] });
    const rotated = await clipcut.rotateWebhookSecret(webhook.id, 3600);
    assert.notEqual(rotated.secret, first);
    assert.ok(rotated.webhook.previousSecretExpiresAt);
    webhookSecrets = [rotated.secret, first];

    // Upload: stopped after its first chunk, then resumed with the same
    // idempotency key, which gives back the same video and upload URL.
    const clip = makeClip(work);
    shared.clip = clip;
    const size = fs.statSync(clip).size;
    const chunkSize = 32 * 1024;
    assert.ok(size > 3 * chunkSize, `the clip (${size} bytes) spans several chunks`);
    const idempotencyKey = crypto.randomUUID();
    const passthrough = 'order-4711';
    const stop = new AbortController();
    let firstId = '';
    const firstProgress = [];
    await assert.rejects(
      clipcut.upload(clip, {
        title: 'Holiday',
        passthrough,
        idempotencyKey,
        chunkSize,
        onCreated: (c) => {
          firstId = c.video.id;
          assert.equal(c.video.status, 'UPLOADING');
        },
        onProgress: (p) => {
          firstProgress.push(p.bytesSent);
          // The second PATCH runs only after the first one was answered:
          // the server holds at least one chunk.
          if (p.bytesSent > chunkSize) stop.abort();
        },
        signal: stop.signal,
      }),
      (err) => err?.name === 'AbortError' || /abort/i.test(String(err)),
    );
    assert.ok(firstId);
    const resumed = [];
    const video = await clipcut.upload(clip, {
      title: 'Holiday',
      passthrough,
      idempotencyKey,
      chunkSize,
      onProgress: (p) => {
        assert.equal(p.bytesTotal, size);
        resumed.push(p.bytesSent);
      },
    });
    assert.equal(video.id, firstId, 'the same idempotency key gives the same video');
    assert.equal(video.passthrough, passthrough);
    assert.ok(resumed.length > 0);
    assert.ok(Math.min(...resumed) >= chunkSize, `resumed from the server's offset, not 0 (first report ${resumed[0]})`);
    assert.equal(resumed.at(-1), size);
    assert.deepEqual(resumed, [...resumed].sort((a, b) => a - b), 'progress only grows');
    assert.notEqual(video.status, 'UPLOADING');

    // Progress over the websocket until READY.
    const events = [];
    const done = await clipcut.waitUntilReady(video.id, { onProgress: (p) => events.push(p) });
    assert.equal(done.status, 'READY');
    assert.equal(done.videoId, video.id);
    assert.ok(events.length >= 1);

    // The video with its playback.
    const ready = await clipcut.video(video.id);
    assert.equal(ready.status, 'READY');
    assert.equal(ready.passthrough, passthrough);
    assert.ok(ready.renditions.length >= 1);
    const master = await fetch(ready.playback.hlsUrl);
    assert.equal(master.status, 200);
    assert.match(await master.text(), /#EXT-X-STREAM-INF/);

    // Listing: filters, paging, totals.
    const waiting = await clipcut.createUpload({ title: 'Later', filename: 'later.mp4', size: 1000 });
    const page1 = await clipcut.myVideos({ first: 1, totalCount: true });
    assert.equal(page1.totalCount, 2);
    assert.equal(page1.edges.length, 1);
    assert.equal(page1.edges[0].node.id, waiting.video.id, 'newest first');
    assert.ok(page1.pageInfo.hasNextPage);
    const page2 = await clipcut.myVideos({ first: 1, after: page1.pageInfo.endCursor });
    assert.equal(page2.edges[0].node.id, video.id);
    assert.equal(page2.totalCount, undefined, 'counted only when asked');
    const back = await clipcut.myVideos({ last: 1, before: page2.pageInfo.startCursor });
    assert.equal(back.edges[0].node.id, waiting.video.id);
    const readyOnly = await clipcut.myVideos({ filter: { status: 'READY' }, totalCount: true });
    assert.deepEqual(readyOnly.edges.map((e) => e.node.id), [video.id]);
    assert.equal(readyOnly.totalCount, 1);
    const feed = await anonymous.videos({ filter: { search: 'holi' } });
    assert.deepEqual(feed.edges.map((e) => e.node.id), [video.id]);
    await assert.rejects(clipcut.videos({ first: 101 }), { code: 'BAD_USER_INPUT' });
    assert.equal(await clipcut.deleteVideo(waiting.video.id), true);

    // A share link: plays, is listed, and fails with 403 once revoked.
    const link = await clipcut.createPlaybackToken(video.id, { ttl: 600 });
    assert.equal((await fetch(link.playback.hlsUrl)).status, 200);
    assert.deepEqual((await clipcut.playbackTokens(video.id)).map((l) => l.id), [link.id]);
    assert.equal(await clipcut.revokePlaybackToken(link.id), true);
    await eventually('the revoked link answers 403', async () => (await fetch(link.playback.hlsUrl)).status === 403, 30_000);
    assert.deepEqual(await clipcut.playbackTokens(video.id), []);
    await assert.rejects(clipcut.createPlaybackToken(video.id, { ttl: 10 }), { code: 'BAD_USER_INPUT' });

    // The video.ready delivery: signed by both secrets during the grace
    // period; verifyWebhook accepts it with either and nothing else.
    const delivery = await eventually('video.ready delivered to the receiver', () =>
      deliveries.find((d) => d.headers['clipcut-event-type'] === 'video.ready' && JSON.parse(d.body).data.video.id === video.id));
    assert.ok(delivery.verified, 'the receiver verified it with the new secret (and answered 204)');
    const signature = delivery.headers['clipcut-signature'];
    assert.equal(signature.match(/v1=/g).length, 2, signature);
    await verifyWebhook(first, delivery.headers, delivery.body);
    await verifyWebhook(rotated.secret, new Headers({ 'Clipcut-Signature': signature }), delivery.body.toString('utf8'));
    await assert.rejects(verifyWebhook('whsec_not_the_secret_000', delivery.headers, delivery.body), { code: 'SIGNATURE_MISMATCH' });
    await assert.rejects(verifyWebhook(first, delivery.headers, Buffer.concat([delivery.body, Buffer.from(' ')])), { code: 'SIGNATURE_MISMATCH' });
    // A replay an hour later is refused.
    await assert.rejects(verifyWebhook(first, delivery.headers, delivery.body, { now: Date.now() + 3_600_000 }), { code: 'TOO_OLD' });
    const event = JSON.parse(delivery.body);
    assert.equal(event.data.video.id, video.id);
    // The schema says passthrough is echoed in webhook payloads; the
    // payload (migrations' webhook_video_json) does not carry it yet.
    if ('passthrough' in event.data.video) assert.equal(event.data.video.passthrough, passthrough);
    assert.match(event.data.video.playback.hls_url, /^http:\/\/127\.0\.0\.1:\d+\/.*master\.m3u8$/);
    assert.equal(await clipcut.deleteWebhook(webhook.id), true);
    Object.assign(shared, { delivery, secret: first });
    passed++;
  } catch (err) {
    throw new Error(`${err?.stack ?? err}\n--- clipcut output (tail) ---\n${instance.logTail(3000)}`, { cause: err });
  }
});

// The same SDK bundled for browsers (esbuild, platform browser: no Node
// module may be needed) and run in Chromium: a Blob uploaded with tus over
// XHR, progress over the browser's own WebSocket, listing, a share link,
// and verifyWebhook on WebCrypto.
test('in a browser', { timeout: 300_000 }, async (t) => {
  assert.ok(shared.token, 'the first test ran');
  const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  assert.ok(fs.existsSync(chromiumPath), `no Chromium at ${chromiumPath} (set CHROMIUM_PATH)`);
  const bundle = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('../dist/index.js', import.meta.url))],
    bundle: true, platform: 'browser', format: 'iife', globalName: 'ClipcutSDK', write: false, logLevel: 'silent',
  });
  const browser = await chromium.launch({
    executablePath: chromiumPath, headless: true, timeout: 120_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  t.after(() => browser.close());
  // The page is one of the instance's own, so the SDK calls it same-origin;
  // the script is injected (bypassing the page's CSP, which forbids inline scripts).
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(err.message));
  await page.goto(`${instance.url}/health`);
  await page.addScriptTag({ content: bundle.outputFiles[0].text });
  const { delivery } = shared;
  const result = await page.evaluate(async ({ token, clip, body, signature, secret }) => {
    const { Clipcut, verifyWebhook } = globalThis.ClipcutSDK;
    const c = new Clipcut(location.origin, token);
    const bytes = Uint8Array.from(atob(clip), (ch) => ch.charCodeAt(0));
    const progress = [];
    const video = await c.upload(new Blob([bytes], { type: 'video/mp4' }), {
      title: 'From a browser', chunkSize: 64 * 1024, onProgress: (p) => progress.push(p.bytesSent),
    });
    const events = [];
    const done = await c.waitUntilReady(video.id, { onProgress: (p) => events.push(p.status) });
    const mine = await c.myVideos({ filter: { search: 'browser' } });
    const link = await c.createPlaybackToken(video.id, { ttl: 120 });
    const played = (await fetch(link.playback.hlsUrl)).status;
    await c.revokePlaybackToken(link.id);
    await c.close();
    let verified = 'no';
    try {
      await verifyWebhook(secret, new Headers({ 'Clipcut-Signature': signature }), body);
      verified = 'yes';
      await verifyWebhook(secret, new Headers({ 'Clipcut-Signature': signature }), body + ' ');
    } catch (err) {
      verified += ` then ${err.code}`;
    }
    return { id: video.id, size: bytes.length, progress, done: done.status, events, listed: mine.edges.map((e) => e.node.id), played, verified };
  }, {
    token: shared.token,
    clip: fs.readFileSync(shared.clip).toString('base64'),
    body: delivery.body.toString('utf8'),
    signature: delivery.headers['clipcut-signature'],
    secret: shared.secret,
  });
  assert.deepEqual(problems, []);
  assert.equal(result.progress.at(-1), result.size, 'progress reached the whole file');
  assert.equal(result.done, 'READY');
  assert.deepEqual(result.listed, [result.id]);
  assert.equal(result.played, 200);
  // The delivery verified in the browser is at most minutes old: within the window.
  assert.equal(result.verified, 'yes then SIGNATURE_MISMATCH');
  passed++;
});

// An upload begun by one client and stopped is found by another with
// unfinishedUpload (by the file's name and size) and resumed from the
// server's offset, as the web app resumes one begun in another browser.
// Then a stranger follows the video, made UNLISTED, through its public id
// only, and never reads its id.
test('resume from another client, and follow an unlisted video by its public id', { timeout: 600_000 }, async (t) => {
  assert.ok(shared.token, 'the first test ran');
  try {
    const first = new Clipcut(instance.url, shared.token);
    const other = new Clipcut(instance.url, shared.token);
    const stranger = new Clipcut(instance.url);
    t.after(() => Promise.all([first.close(), other.close(), stranger.close()]));
    const size = fs.statSync(shared.clip).size;
    const chunkSize = 32 * 1024;
    const filename = 'resume-me.mp4';
    assert.equal(await other.unfinishedUpload(filename, size), null, 'nothing to resume yet');
    assert.equal(await other.resume(shared.clip, { filename }), null);

    const stop = new AbortController();
    let startedId = '';
    await assert.rejects(
      first.upload(shared.clip, {
        filename,
        title: 'Resumed',
        chunkSize,
        onCreated: (c) => (startedId = c.video.id),
        onProgress: (p) => p.bytesSent > chunkSize && stop.abort(),
        signal: stop.signal,
      }),
      (err) => err?.name === 'AbortError' || /abort/i.test(String(err)),
    );
    const found = await other.unfinishedUpload(filename, size);
    assert.ok(found, 'the other client finds the unfinished upload');
    assert.equal(found.video.id, startedId);
    assert.equal(found.video.status, 'UPLOADING');
    assert.equal(found.size, size);
    assert.ok(found.offset >= chunkSize, `the server holds a chunk at least (${found.offset})`);
    assert.equal(await other.unfinishedUpload('another-name.mp4', size), null, 'by name and size');

    const progress = [];
    const video = await other.upload(shared.clip, { filename, resume: true, chunkSize, onProgress: (p) => progress.push(p.bytesSent) });
    assert.equal(video.id, startedId, 'resumed, not a second video');
    assert.notEqual(video.status, 'UPLOADING');
    assert.ok(Math.min(...progress) >= found.offset, `resumed from the server's offset (first report ${progress[0]})`);
    assert.equal(progress.at(-1), size);
    assert.equal(await other.unfinishedUpload(filename, size), null, 'finished uploads are not offered');
    assert.equal(await other.resume(shared.clip, { filename }), null);

    // UNLISTED: a stranger reaches it by its public id only.
    await other.request(`mutation($id: ID!) { updateVideo(input: {id: $id, privacy: UNLISTED}) { privacy } }`, { id: video.id });
    const publicId = (await other.video(video.id)).publicId;
    assert.match(publicId, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(await stranger.video(video.id), null, 'the id alone opens nothing');
    await assert.rejects(stranger.waitUntilReady(video.id), { code: 'NOT_FOUND' });
    const seen = await stranger.video({ publicId });
    assert.equal(seen.publicId, publicId);
    assert.notEqual(seen.id, video.id, 'a stranger does not read the video id');
    const events = [];
    const done = await stranger.waitUntilReady({ publicId }, { onProgress: (p) => events.push(p) });
    assert.equal(done.status, 'READY');
    assert.ok(events.every((e) => e.videoId === seen.id), 'progress names it as the stranger reads it');
    assert.equal((await other.waitUntilReady(video.id)).videoId, video.id, 'its owner reads the id');
    passed++;
  } catch (err) {
    throw new Error(`${err?.stack ?? err}\n--- clipcut output (tail) ---\n${instance.logTail(3000)}`, { cause: err });
  }
});
