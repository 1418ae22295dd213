// The player's analytics reporter: it numbers events, batches them, sends a
// batch every 10 seconds with the heartbeat (fetch with keepalive), and the
// rest with navigator.sendBeacon when the page goes away. The wire format is
// README "Analytics" (POST /api/v1/analytics/events).

/** The event types the server knows. */
export type PlaybackEventType =
  | 'load'
  | 'play'
  | 'first_frame'
  | 'heartbeat'
  | 'seek'
  | 'rendition_switch'
  | 'stall_start'
  | 'stall_end'
  | 'pause'
  | 'error'
  | 'ended';

/** One event as sent. */
export interface WireEvent {
  seq: number;
  type: PlaybackEventType;
  /** Milliseconds since the session began (performance.now(), relative). */
  t: number;
  /** Position in seconds. */
  pos: number;
  from?: number;
  rendition?: string;
  /** Seconds buffered ahead. */
  buffer?: number;
  error?: string;
}

/** One batch as sent. */
export interface Batch {
  videoId: string;
  viewerId: string;
  sessionId: string;
  seq: number;
  events: WireEvent[];
}

/** What the reporter reads from the player for a heartbeat. */
export interface PlayerSample {
  pos: number;
  rendition?: string;
  buffer?: number;
}

/** How batches leave the page (replaceable in tests). */
export interface Transport {
  /** Sends while the page stays; errors are ignored (analytics never bothers the viewer). */
  post(url: string, body: string): void;
  /** Sends as the page goes away; false when the browser refused. */
  beacon(url: string, body: string): boolean;
}

export const ANALYTICS_ENDPOINT = '/api/v1/analytics/events';
export const HEARTBEAT_MS = 10_000;
/** The server takes at most 200 events per batch; flush well before. */
export const MAX_BATCH = 50;
const VIEWER_KEY = 'clipcut.viewerId';

export interface ReporterOptions {
  videoId: string;
  endpoint?: string;
  transport?: Transport;
  /** Milliseconds on a monotonic clock (performance.now()). */
  now?: () => number;
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** Reads the player for heartbeats; null while nothing is loaded. */
  sample?: () => PlayerSample | null;
}

/** A random version 4 UUID (crypto.randomUUID where it exists). */
export function randomId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The anonymous viewer id: random, kept in local storage, nothing else. */
export function viewerId(storage: Pick<Storage, 'getItem' | 'setItem'> | null): string {
  try {
    const known = storage?.getItem(VIEWER_KEY);
    if (known && /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(known)) return known;
    const id = randomId();
    storage?.setItem(VIEWER_KEY, id);
    return id;
  } catch {
    return randomId(); // storage blocked: a viewer per page view
  }
}

const defaultTransport: Transport = {
  post(url, body) {
    void fetch(url, { method: 'POST', body, keepalive: true, headers: { 'Content-Type': 'text/plain;charset=UTF-8' } }).catch(
      () => undefined,
    );
  },
  beacon(url, body) {
    return typeof navigator !== 'undefined' && typeof navigator.sendBeacon === 'function' && navigator.sendBeacon(url, body);
  },
};

/** Reports one playback session of one video. */
export class Reporter {
  readonly sessionId = randomId();
  readonly viewerId: string;
  private readonly videoId: string;
  private readonly endpoint: string;
  private readonly transport: Transport;
  private readonly now: () => number;
  private readonly sample: () => PlayerSample | null;
  private readonly origin: number;
  private queue: WireEvent[] = [];
  private eventSeq = 0;
  private batchSeq = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(opts: ReporterOptions) {
    this.videoId = opts.videoId;
    this.endpoint = opts.endpoint ?? ANALYTICS_ENDPOINT;
    this.transport = opts.transport ?? defaultTransport;
    this.now = opts.now ?? (() => performance.now());
    this.sample = opts.sample ?? (() => null);
    this.viewerId = viewerId(opts.storage === undefined ? safeLocalStorage() : opts.storage);
    this.origin = this.now();
  }

  /** Queues an event; a full batch is sent at once. */
  record(type: PlaybackEventType, fields: Omit<WireEvent, 'seq' | 'type' | 't'>): void {
    const t = Math.max(0, Math.round((this.now() - this.origin) * 10) / 10);
    this.queue.push({ seq: this.eventSeq++, type, t, ...fields });
    if (this.queue.length >= MAX_BATCH) this.flush(false);
  }

  /** Sends a heartbeat now (when the player has something loaded) and the queue with it. */
  heartbeat(): void {
    const s = this.sample();
    if (s) this.record('heartbeat', s);
    this.flush(false);
  }

  /** Starts the 10-second heartbeat. */
  start(): void {
    if (this.timer === null) this.timer = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
  }

  /** Stops the heartbeat and sends what is left with a beacon (see leave). */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.leave();
  }

  /**
   * The page is going away (or out of sight): records where the player is,
   * so the time played since the last heartbeat counts, and sends the
   * queue with a beacon.
   */
  leave(): void {
    const s = this.sample();
    if (s && this.eventSeq > 0) this.record('heartbeat', s);
    this.flush(true);
  }

  /** Sends the queued events as one batch: a beacon when the page is going away. */
  flush(leaving: boolean): void {
    if (this.queue.length === 0) return;
    const batch: Batch = {
      videoId: this.videoId,
      viewerId: this.viewerId,
      sessionId: this.sessionId,
      seq: this.batchSeq++,
      events: this.queue,
    };
    this.queue = [];
    const body = JSON.stringify(batch);
    if (leaving && this.transport.beacon(this.endpoint, body)) return;
    this.transport.post(this.endpoint, body);
  }
}

function safeLocalStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
