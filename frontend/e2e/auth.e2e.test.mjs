// Browser end-to-end test of signing up, logging in and out, against the real
// clipcut binary with its own private Postgres, driven in Chromium the way a
// person would use the app.
//
//   npm run build && (cd .. && go build -o clipcut ./server) && npm run e2e
//
// Environment:
//   CLIPCUT_BIN      the binary to test (default: ../clipcut from frontend/)
//   CHROMIUM_PATH    the browser (default: /usr/bin/chromium)
//   E2E_KEEP_DATA=1  keep the temporary data directory after a passing run
//
// Screenshots of every step and the server's log go to e2e/artifacts/.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const frontendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = path.join(frontendDir, 'e2e', 'artifacts');
const bin = process.env.CLIPCUT_BIN
  ? path.resolve(process.env.CLIPCUT_BIN)
  : path.resolve(frontendDir, '..', 'clipcut');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const STEP_TIMEOUT_MS = 10_000;

/** The server under test and everything the suite must clean up. */
const run = {
  /** @type {import('node:child_process').ChildProcess | null} */
  server: null,
  /** @type {Promise<{code: number | null, signal: NodeJS.Signals | null}> | null} */
  exited: null,
  log: '',
  dataDir: '',
  baseURL: '',
  /** @type {import('playwright-core').Browser | null} */
  browser: null,
  /** Tests that got to their end; the data directory is removed only when all did. */
  passed: 0,
  killed: false,
};

function logTail(max = 6000) {
  return run.log.length > max ? `…${run.log.slice(-max)}` : run.log;
}

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
function makeDataDir() {
  const root = fs.existsSync('/tmp') ? '/tmp' : os.tmpdir();
  const dir = fs.mkdtempSync(path.join(root, 'clipcut-e2e-'));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** The server's environment: ours, minus anything that would point it elsewhere. */
function serverEnv(addr, dataDir) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key === 'DATABASE_URL' || key.startsWith('CLIPCUT_')) delete env[key];
  }
  env.CLIPCUT_ADDR = addr;
  env.CLIPCUT_DATA_DIR = dataDir;
  return env;
}

async function waitReady() {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (run.server?.exitCode !== null || run.server?.signalCode) {
      throw new Error(
        `clipcut exited before it was ready (code ${run.server?.exitCode}, signal ${run.server?.signalCode}). Its output:\n${logTail()}`,
      );
    }
    try {
      const res = await fetch(`${run.baseURL}/ready`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `GET /ready answered ${res.status}: ${(await res.text()).slice(0, 300)}`;
    } catch (err) {
      last = `GET /ready failed: ${err instanceof Error ? err.message : err}`;
    }
    await sleep(250);
  }
  throw new Error(`clipcut was not ready within ${READY_TIMEOUT_MS / 1000} s (${last}). Its output:\n${logTail()}`);
}

/** Resolves with the exit status, or null when the process outlives `ms`. */
async function waitExit(ms) {
  if (!run.exited) return null;
  return Promise.race([run.exited, sleep(ms, null, { ref: false })]);
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

/** Runs one step of the story; screenshots it whether it passes or fails. */
async function step(page, name, fn) {
  const started = performance.now();
  try {
    await fn();
  } catch (err) {
    await page.screenshot({ path: path.join(artifacts, `FAILED-${name}.png`), fullPage: true }).catch(() => {});
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`step "${name}" failed: ${message}\n--- clipcut output (tail) ---\n${logTail(3000)}`, { cause: err });
  }
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
  console.error(`e2e: ${name} ${Math.round(performance.now() - started)} ms`);
}

/** Waits until the page's URL path is `pathname`. */
async function expectPath(page, pathname) {
  await page.waitForURL((url) => url.pathname === pathname, { timeout: STEP_TIMEOUT_MS });
}

describe('clipcut web app: accounts', { timeout: 240_000 }, () => {
  before(async () => {
    fs.rmSync(artifacts, { recursive: true, force: true });
    fs.mkdirSync(artifacts, { recursive: true });

    assert.ok(
      fs.existsSync(bin),
      `no clipcut binary at ${bin}: run \`npm run build\` here, then \`go build -o clipcut ./server\` in the repository root (or set CLIPCUT_BIN)`,
    );
    assert.ok(fs.existsSync(chromiumPath), `no Chromium at ${chromiumPath} (set CHROMIUM_PATH)`);

    run.dataDir = makeDataDir();
    const addr = `127.0.0.1:${await freePort()}`;
    run.baseURL = `http://${addr}`;

    const server = spawn(bin, ['serve'], {
      cwd: run.dataDir,
      env: serverEnv(addr, run.dataDir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    run.server = server;
    run.exited = once(server, 'exit').then(([code, signal]) => ({ code, signal }));
    const logFile = fs.createWriteStream(path.join(artifacts, 'server.log'));
    const collect = (chunk) => {
      logFile.write(chunk);
      run.log += chunk.toString();
      if (run.log.length > 1_000_000) run.log = run.log.slice(-500_000);
    };
    server.stdout.on('data', collect);
    server.stderr.on('data', collect);
    server.on('error', (err) => collect(`spawn error: ${err.message}\n`));

    await waitReady();

    run.browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      timeout: 30_000,
    });
  });

  after(async () => {
    await run.browser?.close().catch(() => {});
    if (run.server && run.server.exitCode === null && run.server.signalCode === null) {
      run.killed = true;
      run.server.kill('SIGTERM');
      if ((await waitExit(10_000)) === null) {
        console.error('e2e: clipcut ignored SIGTERM; killing it');
        run.server.kill('SIGKILL');
        await waitExit(5_000);
        stopOrphanedPostgres(run.dataDir);
      }
    }
    if (run.dataDir) {
      if (run.passed === 2 && !run.killed && !process.env.E2E_KEEP_DATA) {
        fs.rmSync(run.dataDir, { recursive: true, force: true, maxRetries: 3 });
      } else {
        console.error(`e2e: kept the data directory ${run.dataDir}`);
      }
    }
  });

  it('signs up, stays signed in, logs out and logs in like a person would', { timeout: 150_000 }, async (t) => {
    const context = await run.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(20_000);

    const problems = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));

    const banner = page.getByRole('banner');
    const main = page.getByRole('main');
    const name = 'E2E Person';
    const email = `e2e-${Date.now()}@example.com`;
    const password = 'correct horse battery staple';

    await step(page, '01-home', async () => {
      const res = await page.goto(`${run.baseURL}/`);
      assert.equal(res?.status(), 200, 'GET / should serve the app');
      const csp = res?.headers()['content-security-policy'];
      t.diagnostic(`Content-Security-Policy on /: ${csp ?? '(none)'}`);
      await page.getByRole('heading', { level: 1, name: 'Latest videos' }).waitFor();
      await banner.getByRole('link', { name: 'Log in' }).waitFor();
      await main.getByText('No videos yet').waitFor();
    });

    await step(page, '02-signup-page', async () => {
      await banner.getByRole('link', { name: 'Sign up' }).click();
      await expectPath(page, '/signup');
      await page.getByRole('heading', { level: 1, name: 'Create your account' }).waitFor();
    });

    await step(page, '03-signup-short-password', async () => {
      await page.getByLabel('Name').fill(name);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('short');
      await main.getByRole('button', { name: 'Sign up' }).click();

      await page.locator('input[name="password"][aria-invalid="true"]').waitFor();
      const error = page.locator('.field--invalid .field__error');
      await error.waitFor();
      const text = (await error.textContent())?.trim();
      assert.ok(text, 'the password field should show the server message');
      t.diagnostic(`password field error: ${text}`);
      assert.equal(await page.locator('input[name="email"][aria-invalid="true"]').count(), 0);
      assert.equal(await page.locator('input[name="name"][aria-invalid="true"]').count(), 0);
      await expectPath(page, '/signup');
    });

    await step(page, '04-signed-up', async () => {
      await page.getByLabel('Password').fill(password);
      await main.getByRole('button', { name: 'Sign up' }).click();
      await banner.getByText(name).waitFor();
      await banner.getByRole('button', { name: 'Log out' }).waitFor();
      await expectPath(page, '/');
    });

    await step(page, '05-reloaded-still-signed-in', async () => {
      const cookies = await context.cookies(run.baseURL);
      const session = cookies.find((c) => c.name === 'clipcut_session');
      assert.ok(session, `expected a clipcut_session cookie, got: ${cookies.map((c) => c.name).join(', ') || 'none'}`);
      assert.equal(session.httpOnly, true, 'the session cookie must be HttpOnly');
      assert.equal(
        await page.evaluate(() => document.cookie.includes('clipcut_session')),
        false,
        'scripts must not see the session cookie',
      );

      await page.reload();
      await banner.getByText(name).waitFor();
    });

    await step(page, '06-account', async () => {
      await banner.getByRole('link', { name }).click();
      await expectPath(page, '/account');
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
      await main.getByText(email, { exact: true }).waitFor();
      await main.getByText(name, { exact: true }).waitFor();
    });

    await step(page, '07-logged-out', async () => {
      await main.getByRole('button', { name: 'Log out' }).click();
      await banner.getByRole('link', { name: 'Log in' }).waitFor();
      await expectPath(page, '/');
      // The server ended the session: a reload stays signed out.
      await page.reload();
      await banner.getByRole('link', { name: 'Log in' }).waitFor();
      assert.equal(await banner.getByText(name).count(), 0);
    });

    await step(page, '08-wrong-password', async () => {
      await banner.getByRole('link', { name: 'Log in' }).click();
      await expectPath(page, '/login');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('not the password');
      await main.getByRole('button', { name: 'Log in' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.equal((await alert.textContent())?.trim(), 'Incorrect email or password.');
      await banner.getByRole('link', { name: 'Log in' }).waitFor();
    });

    await step(page, '09-logged-in', async () => {
      await page.getByLabel('Password').fill(password);
      await main.getByRole('button', { name: 'Log in' }).click();
      await banner.getByText(name).waitFor();
      await expectPath(page, '/');
    });

    await step(page, '10-phone-width', async () => {
      await page.setViewportSize({ width: 360, height: 740 });
      await banner.getByText(name).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than a 360px phone screen`);
    });

    assert.deepEqual(problems, [], 'the browser reported errors (CSP violations show up here)');
    await context.close();
    run.passed++;
  });

  it('stops cleanly on SIGTERM', { timeout: STOP_TIMEOUT_MS + 5_000 }, async () => {
    assert.ok(run.server, 'the server was not started');
    assert.equal(run.server.exitCode, null, `clipcut exited early. Its output:\n${logTail()}`);
    run.server.kill('SIGTERM');
    const status = await waitExit(STOP_TIMEOUT_MS);
    assert.notEqual(status, null, `clipcut did not exit within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM`);
    assert.deepEqual(status, { code: 0, signal: null }, `clipcut should exit 0 after SIGTERM. Its output:\n${logTail()}`);
    run.passed++;
  });
});
