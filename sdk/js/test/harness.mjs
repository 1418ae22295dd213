// A real clipcut instance for the SDK's tests: the binary on a free port
// with its own private Postgres (as frontend/e2e/harness.mjs starts it),
// stopped cleanly at the end.
//
// Environment:
//   CLIPCUT_BIN  the binary to test (default: clipcut in the repository root)
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const bin = process.env.CLIPCUT_BIN ? path.resolve(process.env.CLIPCUT_BIN) : path.join(repo, 'clipcut');

// Deadlines that only stop a hung test: a busy 2-core machine is slow.
const READY_TIMEOUT_MS = 180_000;

export async function freePort() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  srv.close();
  await once(srv, 'close');
  return port;
}

/** A fresh directory the private Postgres (user postgres when run as root) can traverse. */
export function tempDir(prefix = 'clipcut-sdk-') {
  const dir = fs.mkdtempSync(path.join(fs.existsSync('/tmp') ? '/tmp' : fs.realpathSync(process.env.TMPDIR ?? '.'), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** A small real video made with ffmpeg: 320x240, 2 s, with sound. */
export function makeClip(dir, seconds = 2) {
  const file = path.join(dir, 'clip.mp4');
  const res = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=25:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file], { encoding: 'utf8' });
  assert.equal(res.status, 0, `ffmpeg: ${res.stderr}`);
  return file;
}

/** One clipcut process. */
export class Instance {
  constructor(env = {}) {
    this.extraEnv = env;
    this.log = '';
    this.url = '';
    this.dataDir = '';
    this.server = null;
  }

  logTail(max = 4000) {
    return this.log.length > max ? `…${this.log.slice(-max)}` : this.log;
  }

  async start() {
    assert.ok(fs.existsSync(bin),
      `no clipcut binary at ${bin}: build it (cd frontend && npm run build && cd .. && go build -o clipcut ./server) or set CLIPCUT_BIN`);
    this.dataDir = tempDir();
    const addr = `127.0.0.1:${await freePort()}`;
    this.url = `http://${addr}`;
    const env = { ...process.env };
    for (const key of Object.keys(env)) {
      if (key === 'DATABASE_URL' || key.startsWith('CLIPCUT_')) delete env[key];
    }
    Object.assign(env, this.extraEnv, { CLIPCUT_ADDR: addr, CLIPCUT_DATA_DIR: this.dataDir, CLIPCUT_PUBLIC_URL: this.url });
    this.server = spawn(bin, ['serve'], { cwd: this.dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = once(this.server, 'exit');
    const collect = (chunk) => {
      this.log += chunk.toString();
      if (this.log.length > 1_000_000) this.log = this.log.slice(-500_000);
    };
    this.server.stdout.on('data', collect);
    this.server.stderr.on('data', collect);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (this.server.exitCode !== null || this.server.signalCode) {
        throw new Error(`clipcut exited before it was ready (code ${this.server.exitCode}):\n${this.logTail()}`);
      }
      try {
        const res = await fetch(`${this.url}/ready`, { signal: AbortSignal.timeout(2_000) });
        if (res.status === 200) return;
        last = `GET /ready answered ${res.status}`;
      } catch (err) {
        last = `GET /ready failed: ${err.message}`;
      }
      await sleep(250);
    }
    throw new Error(`clipcut was not ready in ${READY_TIMEOUT_MS / 1000} s (${last}):\n${this.logTail()}`);
  }

  /** Stops the server (SIGTERM, then SIGKILL) and removes its data when asked. */
  async stop({ keepData = false } = {}) {
    if (this.server && this.server.exitCode === null && this.server.signalCode === null) {
      this.server.kill('SIGTERM');
      const stopped = await Promise.race([this.exited.then(() => true), sleep(15_000, false)]);
      if (!stopped) {
        this.server.kill('SIGKILL');
        await Promise.race([this.exited, sleep(5_000)]);
        keepData = true; // its Postgres may still run; leave the directory for a look
      }
    }
    if (this.dataDir && !keepData) fs.rmSync(this.dataDir, { recursive: true, force: true, maxRetries: 3 });
    else if (this.dataDir) console.error(`sdk test: kept ${this.dataDir}`);
  }
}

/** Polls fn until it returns a truthy value, or fails after ms. */
export async function eventually(what, fn, ms = 120_000) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await sleep(200);
  }
}
