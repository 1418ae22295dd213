// Browser end-to-end test of chunked encoding: a video encoded in 4-second
// chunks (CLIPCUT_TRANSCODE_CHUNK_SECONDS=4) plays through every chunk
// boundary in Chromium with hls.js, as one continuous stream.
//
//   npm run build && (cd .. && go build -o clipcut ./server) && node --test e2e/chunks.e2e.test.mjs
//
// The clip goes up through the API (the upload page has its own tests);
// the page is a bare one served on the app's origin that plays the
// video's hlsUrl with the hls.js the app bundles, so that every hls.js
// event is in reach: the app's player recovers from fatal errors by
// itself, which would hide a broken seam. Muted, at double speed.
//
// Every check is on an outcome: 'ended' fired, hls.js reported no fatal
// error, the video element none, each 'waiting' was followed by 'playing'
// (a stall that lasts is a hole at a seam), hls.js jumped no hole and
// nudged out of no stall past the start, the buffer is one range with no
// hole from start to end, and the played range covers every segment
// boundary, chunk boundaries included.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { eventually, frontendDir, makeTempDir, NAVIGATION_TIMEOUT_MS, STEP_TIMEOUT_MS, Suite, watchProblems } from './harness.mjs';

const exec = promisify(execFile);

// A deadline for a hung pipeline, not an expectation.
const PROCESSING_TIMEOUT_MS = 600_000;
// A deadline for playing 14 s at double speed on a busy machine.
const PLAYBACK_TIMEOUT_MS = 180_000;
const SECONDS = 14;

const run = new Suite('chunks', {
  env: { CLIPCUT_TRANSCODE_CHUNK_SECONDS: '4', CLIPCUT_TRANSCRIBER: 'none', CLIPCUT_X264_PRESET: 'ultrafast' },
  tests: 1,
});
const media = { dir: '', clip: '' };

/** A 14 s clip with a tone: four chunks of 4 s (the last 2 s). */
async function makeClip() {
  media.dir = makeTempDir('clipcut-e2e-chunks-');
  media.clip = path.join(media.dir, 'chunks.mp4');
  // prettier-ignore
  await exec('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=854x480:rate=30:duration=${SECONDS}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${SECONDS}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '128k', '-shortest', media.clip,
  ], { timeout: 60_000 });
}

/** POSTs a GraphQL document to the server; throws on errors. */
async function graphql(query, variables = {}, token = '') {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${run.baseURL}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = await res.json();
  assert.equal(body.errors, undefined, `GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Uploads the clip (tus, one PATCH) and returns the video's id. */
async function upload(token) {
  const data = fs.readFileSync(media.clip);
  const created = await graphql(
    `mutation($size: Int64!) { createUpload(input: {title: "chunks", filename: "chunks.mp4", size: $size}) { uploadUrl video { id } } }`,
    { size: data.length },
    token,
  );
  const res = await fetch(created.createUpload.uploadUrl, {
    method: 'PATCH',
    headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream', Authorization: `Bearer ${token}` },
    body: data,
  });
  assert.equal(res.status, 204, `PATCH answered ${res.status}: ${await res.text()}`);
  return created.createUpload.video.id;
}

/** The page that plays `src` with hls.js and records what happens. */
const playerPage = `<!doctype html><html><head><title>chunks</title></head><body>
<video id="v" muted playsinline width="640" height="360"></video>
<script src="/__e2e/hls.js"></script>
<script>
  window.rec = { fatal: [], errors: [], waiting: [], times: [], ended: false, videoError: null };
  window.play = (src) => {
    const v = document.getElementById('v');
    const hls = new Hls({ enableWorker: true, backBufferLength: 60 });
    hls.on(Hls.Events.ERROR, (_e, d) => {
      const what = { error: d.type + ':' + d.details, at: v.currentTime };
      if (d.fatal) window.rec.fatal.push(what);
      else window.rec.errors.push(what);
    });
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      v.playbackRate = 2;
      v.play();
    });
    v.addEventListener('waiting', () => window.rec.waiting.push({ at: v.currentTime, resumed: false }));
    v.addEventListener('playing', () => window.rec.waiting.forEach((w) => (w.resumed = true)));
    v.addEventListener('timeupdate', () => window.rec.times.push(v.currentTime));
    v.addEventListener('ended', () => (window.rec.ended = true));
    v.addEventListener('error', () => (window.rec.videoError = v.error && v.error.code));
    hls.attachMedia(v);
    hls.loadSource(src);
  };
</script></body></html>`;

describe('clipcut: a chunked video plays through its chunk boundaries', { timeout: 1_200_000 }, () => {
  before(async () => {
    await Promise.all([run.start(), makeClip()]);
  });

  after(async () => {
    await run.close();
    if (media.dir && run.passed === run.tests) fs.rmSync(media.dir, { recursive: true, force: true });
  });

  it('plays to the end with no fatal error, no lasting stall and no hole in the buffer', { timeout: 1_100_000 }, async () => {
    const context = await run.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    const problems = watchProblems(page, { ignore: [/net::ERR_ABORTED/] });
    let token = '';
    let id = '';
    let hlsUrl = '';
    let boundaries = [];

    await run.step(page, '01-uploaded-and-ready', async () => {
      const data = await graphql(
        `mutation { signUp(input: {email: "chunks-${Date.now()}@example.com", password: "correct horse battery staple", name: "Chunks"}) { token } }`,
      );
      token = data.signUp.token;
      id = await upload(token);
      await eventually(
        async () => {
          const v = (await graphql(`query($id: ID!) { video(id: $id) { status playback { hlsUrl } } }`, { id }, token)).video;
          assert.notEqual(v.status, 'FAILED', 'processing failed');
          if (v.status === 'READY') hlsUrl = v.playback.hlsUrl;
          return v.status === 'READY';
        },
        { ms: PROCESSING_TIMEOUT_MS, every: 500, what: 'the video to be READY' },
      );
    });

    await run.step(page, '02-encoded-in-chunks', async () => {
      // The log says how the video was cut; the segment boundaries of the
      // first rendition include every chunk boundary.
      const planned = /msg="transcoding in chunks" video_id=\S+ chunks=(\d+)/.exec(run.log);
      assert.ok(planned && Number(planned[1]) >= 3, `the server encoded the video in chunks: ${planned?.[0]}`);
      const master = await (await fetch(new URL(hlsUrl, run.baseURL))).text();
      const rendition = master.split('\n').find((l) => l && !l.startsWith('#'));
      const mediaURL = new URL(rendition, new URL(hlsUrl, run.baseURL));
      const playlist = await (await fetch(mediaURL)).text();
      let t = 0;
      for (const line of playlist.split('\n')) {
        const m = /^#EXTINF:([\d.]+)/.exec(line);
        if (m) {
          t += Number(m[1]);
          boundaries.push(t);
        }
      }
      boundaries = boundaries.slice(0, -1); // the last is the end
      assert.ok(Math.abs(t - SECONDS) < 0.2, `the playlist lasts ${t} s`);
      assert.ok(boundaries.length >= 3, `several segments: ${boundaries}`);
    });

    await run.step(page, '03-played-to-the-end', async () => {
      await page.route(`${run.baseURL}/__e2e/player`, (route) => route.fulfill({ contentType: 'text/html', body: playerPage }));
      await page.route(`${run.baseURL}/__e2e/hls.js`, (route) =>
        route.fulfill({ contentType: 'text/javascript', path: path.join(frontendDir, 'node_modules', 'hls.js', 'dist', 'hls.min.js') }),
      );
      await page.goto(`${run.baseURL}/__e2e/player`, { timeout: PLAYBACK_TIMEOUT_MS });
      await page.evaluate((src) => window.play(src), new URL(hlsUrl, run.baseURL).href);
      await eventually(
        async () => {
          const rec = await page.evaluate(() => window.rec);
          assert.deepEqual(rec.fatal, [], 'no fatal hls.js error');
          assert.equal(rec.videoError, null, 'the video element reports no error');
          return rec.ended;
        },
        { ms: PLAYBACK_TIMEOUT_MS, every: 250, what: "the video's 'ended' event" },
      );
      const rec = await page.evaluate(() => {
        const v = document.getElementById('v');
        const ranges = (r) => Array.from({ length: r.length }, (_, i) => [r.start(i), r.end(i)]);
        return { ...window.rec, buffered: ranges(v.buffered), played: ranges(v.played), duration: v.duration };
      });
      console.error(`e2e chunks: boundaries ${boundaries.map((b) => b.toFixed(2)).join(', ')}; waiting ${JSON.stringify(rec.waiting)}; non-fatal errors ${JSON.stringify(rec.errors)}`);
      assert.deepEqual(rec.fatal, []);
      assert.ok(Math.abs(rec.duration - SECONDS) < 0.2, `duration ${rec.duration}`);
      assert.deepEqual(
        rec.waiting.filter((w) => !w.resumed),
        [],
        'every stall ended by itself',
      );
      // hls.js reports the holes it jumps and the stalls it nudges out of
      // (bufferSeekOverHole, bufferStalledError, bufferNudgeOnStall) as
      // non-fatal errors. One at the very start is the first segment's
      // start time (audio priming), as with any video; past it, one means
      // a seam.
      assert.deepEqual(
        rec.errors.filter((e) => e.error.startsWith('mediaError') && e.at > 0.5),
        [],
        'no hole or stall in the media past the start',
      );
      assert.equal(rec.buffered.length, 1, `one buffered range, no hole at a seam: ${JSON.stringify(rec.buffered)}`);
      assert.ok(rec.buffered[0][0] < 0.2 && rec.buffered[0][1] > SECONDS - 0.2, `buffered from start to end: ${JSON.stringify(rec.buffered)}`);
      assert.equal(rec.played.length, 1, `played in one go, nothing skipped: ${JSON.stringify(rec.played)}`);
      for (const b of boundaries) {
        assert.ok(
          rec.times.some((t) => t > b && t < b + 2),
          `currentTime passed the boundary at ${b.toFixed(2)} s`,
        );
        assert.ok(rec.played[0][0] < b && rec.played[0][1] > b, `the boundary at ${b.toFixed(2)} s was played through`);
      }
      assert.deepEqual(problems, [], 'no console errors');
    });
    run.passed++;
    await context.close();
  });
});
