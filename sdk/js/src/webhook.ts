// Webhook verification, the same rules as the Go module's webhook.Verify
// (package github.com/clipcut/clipcut/webhook): a receiver calls it on every
// request before trusting the body.

/** The header that carries `t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=…]`. */
export const SIGNATURE_HEADER = 'Clipcut-Signature';

/** How far (seconds) a delivery's timestamp may be from the receiver's clock: five minutes. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Why verifyWebhook refused a request; the codes match the Go verifier's errors. */
export type WebhookErrorCode =
  /** No Clipcut-Signature header (Go: ErrNoSignature). */
  | 'NO_SIGNATURE'
  /** No integer `t=` or no hex `v1=` in it (Go: ErrBadSignatureHeader). */
  | 'BAD_SIGNATURE_HEADER'
  /** No `v1=` matches the secret (Go: ErrSignatureMismatch). */
  | 'SIGNATURE_MISMATCH'
  /** The timestamp is outside the tolerance: a replay, or a wrong clock (Go: ErrTooOld). */
  | 'TOO_OLD';

/** A request verifyWebhook refused. Answer it with 400 and do not act on its body. */
export class WebhookVerificationError extends Error {
  readonly code: WebhookErrorCode;
  constructor(code: WebhookErrorCode, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.code = code;
  }
}

/**
 * Request headers in any of the shapes servers hand them over: a fetch
 * `Headers`, Node's `IncomingHttpHeaders` (`req.headers`), or a plain object
 * with any capitalisation.
 */
export type WebhookHeaders =
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>;

/** Options of verifyWebhook. */
export interface VerifyWebhookOptions {
  /** The receiver's clock (default: now). */
  now?: Date | number;
  /** Seconds the timestamp may differ from `now` (default 300); 0 skips the check. */
  tolerance?: number;
}

function header(headers: WebhookHeaders, name: string): string {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? '';
  }
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() !== lower || value === undefined) continue;
    // Like Go's Header.Get: the first value.
    return Array.isArray(value) ? (value[0] ?? '') : value;
  }
  return '';
}

// Go's hex.DecodeString: an even number of hex digits, either case.
function decodeHex(s: string): Uint8Array<ArrayBuffer> | null {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return null;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// Go's strconv.ParseInt(s, 10, 64): an optional sign, decimal digits, in range.
function parseInt64(s: string): number | null {
  if (!/^[+-]?[0-9]+$/.test(s)) return null;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return null;
  return Number(n);
}

const encoder = new TextEncoder();

function bytes(body: string | Uint8Array | ArrayBuffer): Uint8Array {
  if (typeof body === 'string') return encoder.encode(body);
  return body instanceof Uint8Array ? body : new Uint8Array(body);
}

/**
 * Checks that a webhook request comes from clipcut, exactly as the Go
 * module's `webhook.Verify` does: the `Clipcut-Signature` header must carry
 * a `v1=` HMAC-SHA256, keyed with `secret`, of `<t>.<rawBody>`, and its
 * `t=` must be within five minutes of now (older requests are replays).
 * Any of several `v1=` entries may match, so it works through a secret
 * rotation (`rotateWebhookSecret`) whichever secret the receiver holds.
 *
 * `rawBody` must be the bytes as received, before any JSON parsing (with
 * Express: `express.raw({ type: 'application/json' })`). Resolves when the
 * request is genuine; rejects with a WebhookVerificationError otherwise.
 * Uses WebCrypto (`globalThis.crypto.subtle`): Node 20+, Deno, Bun, edge
 * runtimes; the comparison is constant-time (`subtle.verify`).
 *
 * ```ts
 * await verifyWebhook(process.env.CLIPCUT_WEBHOOK_SECRET!, req.headers, req.body)
 * ```
 */
export async function verifyWebhook(
  secret: string,
  headers: WebhookHeaders,
  rawBody: string | Uint8Array | ArrayBuffer,
  options: VerifyWebhookOptions = {},
): Promise<void> {
  const value = header(headers, SIGNATURE_HEADER);
  if (value === '') throw new WebhookVerificationError('NO_SIGNATURE', 'webhook: no Clipcut-Signature header');
  await verifySignature(secret, value, rawBody, options);
}

/**
 * verifyWebhook's check of one `Clipcut-Signature` value, for receivers that
 * read the header themselves (Go: `webhook.VerifySignature`).
 */
export async function verifySignature(
  secret: string,
  signature: string,
  rawBody: string | Uint8Array | ArrayBuffer,
  options: VerifyWebhookOptions = {},
): Promise<void> {
  let ts = '';
  const sigs: Uint8Array<ArrayBuffer>[] = [];
  for (const part of signature.split(',')) {
    const trimmed = part.trim();
    const eq = trimmed.indexOf('=');
    if (eq < 0) continue;
    const key = trimmed.slice(0, eq);
    const val = trimmed.slice(eq + 1);
    if (key === 't') {
      ts = val; // the last t= counts, as in Go
    } else if (key === 'v1') {
      const sig = decodeHex(val);
      if (sig) sigs.push(sig);
    }
  }
  const sec = parseInt64(ts);
  if (sec === null || sigs.length === 0) {
    throw new WebhookVerificationError('BAD_SIGNATURE_HEADER', 'webhook: malformed Clipcut-Signature header');
  }
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE_SECONDS;
  if (tolerance > 0) {
    const now = options.now === undefined ? Date.now() : +options.now;
    const age = now - sec * 1000;
    if (!(Math.abs(age) <= tolerance * 1000)) {
      throw new WebhookVerificationError('TOO_OLD', 'webhook: timestamp outside the tolerance');
    }
  }
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('verifyWebhook needs WebCrypto (globalThis.crypto.subtle): Node 20 or later');
  // HMAC pads a key shorter than its block with zeros, so the empty secret
  // (which WebCrypto refuses to import) is the same key as one zero byte.
  const keyBytes = secret === '' ? new Uint8Array(1) : encoder.encode(secret);
  const key = await subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const body = bytes(rawBody);
  const prefix = encoder.encode(`${ts}.`);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix);
  signed.set(body, prefix.length);
  for (const sig of sigs) {
    if (await subtle.verify('HMAC', key, sig, signed)) return;
  }
  throw new WebhookVerificationError('SIGNATURE_MISMATCH', 'webhook: signature does not match');
}
