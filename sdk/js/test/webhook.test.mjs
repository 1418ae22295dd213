// verifyWebhook against the Go module's verifier: every case is decided by
// both, and they must agree; plus the rotation and window cases spelled out.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verifyWebhook, WebhookVerificationError } from '../dist/index.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const sign = (secret, t, body) => createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');

/** verifyWebhook's verdict: OK or the error code. */
async function verdict({ secret, headers, body, now, tolerance }) {
  try {
    await verifyWebhook(secret, headers, body, { now, tolerance: tolerance ?? undefined });
    return 'OK';
  } catch (err) {
    if (err instanceof WebhookVerificationError) return err.code;
    throw err;
  }
}

const now = 1_800_000_000_000; // ms
const t = now / 1000;
const body = '{"id":"e1","type":"video.ready","data":{"title":"Ünïcode ✓"}}';
const oldSecret = 'whsec_old_0123456789abcdef';
const newSecret = 'whsec_new_fedcba9876543210';
const sigNew = sign(newSecret, t, body);
const sigOld = sign(oldSecret, t, body);
const h = (value) => ({ 'Clipcut-Signature': value });

// [name, case]: each decided by Go and by the SDK.
const cases = [
  ['one v1', { secret: newSecret, headers: h(`t=${t},v1=${sigNew}`), body, now }],
  ['rotation: the new secret', { secret: newSecret, headers: h(`t=${t},v1=${sigNew},v1=${sigOld}`), body, now }],
  ['rotation: the old secret', { secret: oldSecret, headers: h(`t=${t},v1=${sigNew},v1=${sigOld}`), body, now }],
  ['rotation: neither', { secret: 'whsec_someone_else_000', headers: h(`t=${t},v1=${sigNew},v1=${sigOld}`), body, now }],
  ['wrong secret', { secret: oldSecret, headers: h(`t=${t},v1=${sigNew}`), body, now }],
  ['tampered body', { secret: newSecret, headers: h(`t=${t},v1=${sigNew}`), body: body + ' ', now }],
  ['upper-case hex', { secret: newSecret, headers: h(`t=${t},v1=${sigNew.toUpperCase()}`), body, now }],
  ['spaces around entries', { secret: newSecret, headers: h(` t=${t} , v1=${sigNew} `), body, now }],
  ['v1 first', { secret: newSecret, headers: h(`v1=${sigNew},t=${t}`), body, now }],
  ['a bad v1 beside a good one', { secret: newSecret, headers: h(`t=${t},v1=zz,v1=${sigNew}`), body, now }],
  ['odd-length hex only', { secret: newSecret, headers: h(`t=${t},v1=${sigNew.slice(1)}`), body, now }],
  ['empty v1', { secret: newSecret, headers: h(`t=${t},v1=`), body, now }],
  ['unknown scheme only', { secret: newSecret, headers: h(`t=${t},v0=${sigNew}`), body, now }],
  ['an entry without =', { secret: newSecret, headers: h(`t=${t},junk,v1=${sigNew}`), body, now }],
  ['no t', { secret: newSecret, headers: h(`v1=${sigNew}`), body, now }],
  ['t not a number', { secret: newSecret, headers: h(`t=abc,v1=${sigNew}`), body, now }],
  ['t with a plus sign', { secret: newSecret, headers: h(`t=+${t},v1=${sign(newSecret, `+${t}`, body)}`), body, now }],
  ['t beyond int64', { secret: newSecret, headers: h(`t=99999999999999999999,v1=${sigNew}`), body, now }],
  ['t huge but int64', { secret: newSecret, headers: h(`t=9223372036854775807,v1=${sign(newSecret, '9223372036854775807', body)}`), body, now }],
  ['the last t counts', { secret: newSecret, headers: h(`t=1,t=${t},v1=${sigNew}`), body, now }],
  ['t decimal', { secret: newSecret, headers: h(`t=${t}.5,v1=${sigNew}`), body, now }],
  ['no header', { secret: newSecret, headers: {}, body, now }],
  ['empty header', { secret: newSecret, headers: h(''), body, now }],
  ['lower-case header name', { secret: newSecret, headers: { 'clipcut-signature': `t=${t},v1=${sigNew}` }, body, now }],
  ['empty secret', { secret: '', headers: h(`t=${t},v1=${sign('', t, body)}`), body, now }],
  ['empty body', { secret: newSecret, headers: h(`t=${t},v1=${sign(newSecret, t, '')}`), body: '', now }],
  // The window: five minutes either way, inclusive.
  ['300 s old', { secret: newSecret, headers: h(`t=${t},v1=${sigNew}`), body, now: now + 300_000 }],
  ['301 s old', { secret: newSecret, headers: h(`t=${t},v1=${sigNew}`), body, now: now + 301_000 }],
  ['300.001 s old', { secret: newSecret, headers: h(`t=${t},v1=${sigNew}`), body, now: now + 300_001 }],
  ['300 s ahead', { secret: newSecret, headers: h(`t=${t},v1=${sigNew}`), body, now: now - 300_000 }],
  ['301 s ahead', { secret: newSecret, headers: h(`t=${t},v1=${sigNew}`), body, now: now - 301_000 }],
  ['too old and mismatched: the age first', { secret: oldSecret, headers: h(`t=${t},v1=${sigNew}`), body, now: now + 3_600_000 }],
  ['tolerance 0 skips the window', { secret: newSecret, headers: h(`t=${t},v1=${sigNew}`), body, now: now + 86_400_000, tolerance: 0 }],
  ['tolerance 10 s', { secret: newSecret, headers: h(`t=${t},v1=${sigNew}`), body, now: now + 11_000, tolerance: 10 }],
  ['tolerance 600 s', { secret: newSecret, headers: h(`t=${t},v1=${sigNew}`), body, now: now + 400_000, tolerance: 600 }],
];

test('verifyWebhook decides every case as the Go module does', async () => {
  const input = JSON.stringify(cases.map(([, c]) => ({ ...c, tolerance: c.tolerance ?? null })));
  const go = spawnSync('go', ['run', './sdk/js/test/testdata/goverify'], { cwd: repo, input, encoding: 'utf8', timeout: 300_000 });
  assert.equal(go.status, 0, `go run goverify failed: ${go.stderr}`);
  const want = JSON.parse(go.stdout);
  assert.equal(want.length, cases.length);
  for (const [i, [name, c]] of cases.entries()) {
    assert.equal(await verdict(c), want[i], `${name}: the SDK and Go disagree`);
  }
  // Both verifiers said something for each kind of case (not all OK).
  assert.deepEqual(new Set(want), new Set(['OK', 'NO_SIGNATURE', 'BAD_SIGNATURE_HEADER', 'SIGNATURE_MISMATCH', 'TOO_OLD']));
});

test('rotation: two v1= entries, either secret verifies', async () => {
  const headers = new Headers({ 'Clipcut-Signature': `t=${t},v1=${sigNew},v1=${sigOld}` });
  await verifyWebhook(newSecret, headers, body, { now });
  await verifyWebhook(oldSecret, headers, Buffer.from(body), { now });
  await assert.rejects(verifyWebhook('whsec_other_secret_00', headers, body, { now }), { code: 'SIGNATURE_MISMATCH' });
});

test('the five-minute window refuses replays and clocks far ahead', async () => {
  const headers = { 'clipcut-signature': [`t=${t},v1=${sigNew}`] }; // Node's IncomingHttpHeaders shape
  await verifyWebhook(newSecret, headers, body, { now: new Date(now + 299_000) });
  await assert.rejects(verifyWebhook(newSecret, headers, body, { now: now + 301_000 }), { code: 'TOO_OLD' });
  await assert.rejects(verifyWebhook(newSecret, headers, body, { now: now - 301_000 }), { code: 'TOO_OLD' });
  // Without `now`, the real clock: a fresh signature passes, an hour-old one does not.
  const fresh = Math.floor(Date.now() / 1000);
  await verifyWebhook(newSecret, h(`t=${fresh},v1=${sign(newSecret, fresh, body)}`), new TextEncoder().encode(body));
  const stale = fresh - 3600;
  await assert.rejects(verifyWebhook(newSecret, h(`t=${stale},v1=${sign(newSecret, stale, body)}`), body), WebhookVerificationError);
});
