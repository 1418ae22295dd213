// What every browser end-to-end suite needs: the real clipcut binary on a
// free port with its own private Postgres, Chromium through playwright-core,
// screenshots of every step, and a clean stop. Each suite gets its own
// server, data directory and artifacts folder (e2e/artifacts/<suite>/), so
// the suites can run at the same time (node --test runs files in parallel).
//
// Environment:
//   CLIPCUT_BIN      the binary to test (default: ../clipcut from frontend/)
//   CHROMIUM_PATH    the browser (default: /usr/bin/chromium)
//   E2E_KEEP_DATA=1  keep the temporary data directory after a passing run
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const exec = promisify(execFile);

export const frontendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const bin = process.env.CLIPCUT_BIN ? path.resolve(process.env.CLIPCUT_BIN) : path.resolve(frontendDir, '..', 'clipcut');
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

// Deadlines, not expectations: they only stop a test that hangs. A busy
// 2-core machine (other builds, an ffmpeg encode) runs everything several
// times slower than an idle one, so they are generous. No test checks how
// fast something happened.
export const READY_TIMEOUT_MS = 180_000;
export const STOP_TIMEOUT_MS = 30_000;
export const STEP_TIMEOUT_MS = 30_000;
export const NAVIGATION_TIMEOUT_MS = 60_000;
export const PROCESSING_TIMEOUT_MS = 600_000;

/**
 * Console errors any page with a player makes: leaving it cuts off hls.js's
 * requests, and hls.js gives subtitle tracks src="data:,WEBVTT", which the
 * CSP refuses (see video.e2e.test.mjs).
 */
export const PLAYER_NOISE = [/net::ERR_ABORTED/, /^Loading media from\s+'data:,WEBVTT' violates the following Content Security Policy directive/];

async function freePort() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = /** @type {net.AddressInfo} */ (srv.address());
  srv.close();
  await once(srv, 'close');
  return port;
}

/** A fresh directory the private Postgres (user postgres when run as root) can traverse. */
export function makeTempDir(prefix = 'clipcut-e2e-') {
  const root = fs.existsSync('/tmp') ? '/tmp' : os.tmpdir();
  const dir = fs.mkdtempSync(path.join(root, prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** The server's environment: ours, minus anything that would point it elsewhere, plus `extra`. */
function serverEnv(addr, dataDir, extra) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key === 'DATABASE_URL' || key.startsWith('CLIPCUT_')) delete env[key];
  }
  return { ...env, ...extra, CLIPCUT_ADDR: addr, CLIPCUT_DATA_DIR: dataDir };
}

/**
 * Stops the private Postgres of a server that had to be killed, found by the
 * postmaster.pid in our own temporary data directory.
 */
function stopOrphanedPostgres(dir) {
  const pidFiles = [];
  const walk = (d, depth) => {
    if (depth > 3) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isFile() && e.name === 'postmaster.pid') pidFiles.push(p);
      else if (e.isDirectory()) {
        try {
          walk(p, depth + 1);
        } catch {
          // unreadable (owned by postgres): skip
        }
      }
    }
  };
  try {
    walk(dir, 0);
  } catch {
    return;
  }
  for (const file of pidFiles) {
    const pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 1) {
      try {
        process.kill(pid, 'SIGINT'); // Postgres "fast" shutdown
        console.error(`e2e: stopped the orphaned Postgres (pid ${pid}) of ${dir}`);
      } catch {
        // already gone
      }
    }
  }
}

/**
 * One suite's server and browser. `start()` in `before`, `close()` in
 * `after`; the data directory is removed only when every test passed.
 */
export class Suite {
  /**
   * @param {string} name  the artifacts folder under e2e/artifacts/
   * @param {{ env?: Record<string, string>, tests: number }} options  extra server settings; how many tests must pass
   */
  constructor(name, { env = {}, tests }) {
    this.name = name;
    this.artifacts = path.join(frontendDir, 'e2e', 'artifacts', name);
    this.extraEnv = env;
    this.tests = tests;
    /** @type {import('node:child_process').ChildProcess | null} */
    this.server = null;
    /** @type {Promise<{code: number | null, signal: NodeJS.Signals | null}> | null} */
    this.exited = null;
    this.log = '';
    this.dataDir = '';
    this.baseURL = '';
    /** @type {import('playwright-core').Browser | null} */
    this.browser = null;
    this.passed = 0;
    this.killed = false;
    /** Temporary directories of the suite's own (generated media), removed with the data directory. */
    this.tempDirs = [];
  }

  logTail(max = 6000) {
    return this.log.length > max ? `…${this.log.slice(-max)}` : this.log;
  }

  artifact(file) {
    return path.join(this.artifacts, file);
  }

  async start() {
    fs.rmSync(this.artifacts, { recursive: true, force: true });
    fs.mkdirSync(this.artifacts, { recursive: true });
    assert.ok(
      fs.existsSync(bin),
      `no clipcut binary at ${bin}: run \`npm run build\` here, then \`go build -o clipcut ./server\` in the repository root (or set CLIPCUT_BIN)`,
    );
    assert.ok(fs.existsSync(chromiumPath), `no Chromium at ${chromiumPath} (set CHROMIUM_PATH)`);

    this.dataDir = makeTempDir();
    const addr = `127.0.0.1:${await freePort()}`;
    this.baseURL = `http://${addr}`;

    const server = spawn(bin, ['serve'], {
      cwd: this.dataDir,
      env: serverEnv(addr, this.dataDir, this.extraEnv),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.server = server;
    this.exited = once(server, 'exit').then(([code, signal]) => ({ code, signal }));
    const logFile = fs.createWriteStream(this.artifact('server.log'));
    const collect = (chunk) => {
      logFile.write(chunk);
      this.log += chunk.toString();
      if (this.log.length > 1_000_000) this.log = this.log.slice(-500_000);
    };
    server.stdout.on('data', collect);
    server.stderr.on('data', collect);
    server.on('error', (err) => collect(`spawn error: ${err.message}\n`));

    await this.waitReady();
    this.browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs, timeout: 120_000 });
  }

  async waitReady() {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (this.server?.exitCode !== null || this.server?.signalCode) {
        throw new Error(
          `clipcut exited before it was ready (code ${this.server?.exitCode}, signal ${this.server?.signalCode}). Its output:\n${this.logTail()}`,
        );
      }
      try {
        const res = await fetch(`${this.baseURL}/ready`, { signal: AbortSignal.timeout(2_000) });
        if (res.status === 200) return;
        last = `GET /ready answered ${res.status}: ${(await res.text()).slice(0, 300)}`;
      } catch (err) {
        last = `GET /ready failed: ${err instanceof Error ? err.message : err}`;
      }
      await sleep(250);
    }
    throw new Error(`clipcut was not ready within ${READY_TIMEOUT_MS / 1000} s (${last}). Its output:\n${this.logTail()}`);
  }

  /** Resolves with the exit status, or null when the process outlives `ms`. */
  async waitExit(ms) {
    if (!this.exited) return null;
    return Promise.race([this.exited, sleep(ms, null, { ref: false })]);
  }

  async close() {
    await this.browser?.close().catch(() => {});
    if (this.server && this.server.exitCode === null && this.server.signalCode === null) {
      this.server.kill('SIGTERM');
      if ((await this.waitExit(10_000)) === null) {
        console.error('e2e: clipcut ignored SIGTERM; killing it');
        this.killed = true;
        this.server.kill('SIGKILL');
        await this.waitExit(5_000);
        stopOrphanedPostgres(this.dataDir);
      }
    }
    if (this.dataDir) {
      if (this.passed === this.tests && !this.killed && !process.env.E2E_KEEP_DATA) {
        fs.rmSync(this.dataDir, { recursive: true, force: true, maxRetries: 3 });
      } else {
        console.error(`e2e: kept the data directory ${this.dataDir}`);
      }
    }
    if (this.passed === this.tests) {
      for (const dir of this.tempDirs) fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * Generates a 640x360 clip (testsrc2 and a 440 Hz tone) of `seconds`
   * named `<title>.mp4`, which the upload page turns into the title
   * `title`, in a directory removed when every test passed.
   */
  async makeClip(title, seconds) {
    const dir = makeTempDir(`clipcut-e2e-${this.name}-`);
    this.tempDirs.push(dir);
    const clip = path.join(dir, `${title}.mp4`);
    // prettier-ignore
    await exec('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=25:duration=${seconds}`,
      '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-shortest', '-movflags', '+faststart',
      clip,
    ], { timeout: 60_000 });
    return clip;
  }

  /** A new browser context (1280x800 unless `options` say otherwise) and its page, with the harness's deadlines. */
  async newPage(options = { viewport: { width: 1280, height: 800 } }) {
    const context = await this.browser.newContext(options);
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    return { context, page };
  }

  /** Runs one step of the story; screenshots it whether it passes or fails. */
  async step(page, name, fn) {
    const started = performance.now();
    try {
      await fn();
    } catch (err) {
      await page.screenshot({ path: this.artifact(`FAILED-${name}.png`), fullPage: true }).catch(() => {});
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`step "${name}" failed: ${message}\n--- clipcut output (tail) ---\n${this.logTail(3000)}`, { cause: err });
    }
    await page.screenshot({ path: this.artifact(`${name}.png`), fullPage: true });
    console.error(`e2e ${this.name}: ${name} ${Math.round(performance.now() - started)} ms`);
  }
}

/** Collects console errors and page errors (CSP violations show up here). */
export function watchProblems(page, { ignore = [] } = {}) {
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (ignore.some((re) => re.test(text))) return;
    problems.push(`console: ${text}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return problems;
}

/** Waits until the page's URL path is `pathname`. */
export async function expectPath(page, pathname) {
  await page.waitForURL((url) => url.pathname === pathname, { timeout: STEP_TIMEOUT_MS });
}

/** Signs up through the sign-up page and waits for the header to show the new user. */
export async function signUp(page, baseURL, { name, email, password }) {
  await page.goto(`${baseURL}/signup`);
  const main = page.getByRole('main');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await main.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('banner').getByText(name).waitFor();
}

/** Polls `fn` until it returns a truthy value or `ms` pass; returns the value or throws with `what`. */
export async function eventually(fn, { ms = STEP_TIMEOUT_MS, every = 200, what = 'condition' } = {}) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(every);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what} (last value: ${JSON.stringify(last)})`);
}

/** Follows the header's Upload link to the upload page. */
export async function openUploadPage(page) {
  await page.getByRole('banner').getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Upload/ }).click();
  await expectPath(page, '/upload');
}

/**
 * Uploads `file` from the upload page, waits until its row (named `title`)
 * says Ready, and returns the video's id.
 */
export async function uploadUntilReady(page, file, title) {
  await page.getByLabel('Choose video files').setInputFiles(file);
  const row = page.getByRole('main').getByRole('listitem', { name: title });
  const videoId = await eventually(() => row.getAttribute('data-video-id'), { what: 'createUpload to give the video an id' });
  await row.getByRole('status').filter({ hasText: /^Ready$/ }).waitFor({ timeout: PROCESSING_TIMEOUT_MS });
  return videoId;
}

/** Calls the GraphQL API as the signed-in page (its session cookie); fails on any error. */
export async function graphql(page, query, variables) {
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

let axeSource = '';

/** The serious and critical violations axe-core finds on the page (or the part `selector` picks). */
export async function axeViolations(page, selector = null) {
  axeSource ||= fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // evaluate runs outside the page's CSP, which refuses inline scripts.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async (sel) => {
    const result = await window.axe.run(sel ? { include: [sel] } : document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, selector);
}

/** Fails on any serious or critical axe-core violation on the page (or the part `selector` picks). */
export async function checkAccessibility(page, what, selector = null) {
  assert.deepEqual(await axeViolations(page, selector), [], `axe-core on ${what}`);
}
