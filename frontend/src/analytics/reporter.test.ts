import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HEARTBEAT_MS, MAX_BATCH, Reporter, viewerId, type Batch, type Transport } from './reporter';

function fakeTransport(beaconWorks = true) {
  const posts: Batch[] = [];
  const beacons: Batch[] = [];
  const transport: Transport = {
    post: (_url, body) => void posts.push(JSON.parse(body) as Batch),
    beacon: (_url, body) => {
      if (!beaconWorks) return false;
      beacons.push(JSON.parse(body) as Batch);
      return true;
    },
  };
  return { transport, posts, beacons };
}

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Reporter', () => {
  let clock = 1000;
  beforeEach(() => {
    vi.useFakeTimers();
    clock = 1000;
  });
  afterEach(() => vi.useRealTimers());

  const make = (t: Transport, sample = () => ({ pos: 12.5, rendition: '720p', buffer: 8 })) =>
    new Reporter({ videoId: 'v1', transport: t, now: () => clock, storage: memoryStorage(), sample });

  it('batches events, numbering events and batches, with times relative to the session', () => {
    const { transport, posts } = fakeTransport();
    const r = make(transport);
    r.record('play', { pos: 0 });
    clock += 412;
    r.record('first_frame', { pos: 0, rendition: '480p' });
    expect(posts).toHaveLength(0);
    r.flush(false);
    r.record('pause', { pos: 3 });
    r.flush(false);
    expect(posts).toHaveLength(2);
    expect(posts[0]!).toMatchObject({ videoId: 'v1', seq: 0, sessionId: r.sessionId, viewerId: r.viewerId });
    expect(posts[0]!.events).toEqual([
      { seq: 0, type: 'play', t: 0, pos: 0 },
      { seq: 1, type: 'first_frame', t: 412, pos: 0, rendition: '480p' },
    ]);
    expect(posts[1]!.seq).toBe(1);
    expect(posts[1]!.events[0]!.seq).toBe(2);
    expect(r.sessionId).toMatch(UUID_V4);
    expect(r.viewerId).toMatch(UUID_V4);
  });

  it('sends a full batch at once', () => {
    const { transport, posts } = fakeTransport();
    const r = make(transport);
    for (let i = 0; i < MAX_BATCH; i++) r.record('seek', { pos: i, from: 0 });
    expect(posts).toHaveLength(1);
    expect(posts[0]!.events).toHaveLength(MAX_BATCH);
  });

  it('sends a heartbeat with the player state every 10 seconds, and the queue with it', () => {
    const { transport, posts } = fakeTransport();
    const r = make(transport);
    r.start();
    r.record('play', { pos: 0 });
    vi.advanceTimersByTime(HEARTBEAT_MS - 1);
    expect(posts).toHaveLength(0);
    clock += HEARTBEAT_MS;
    vi.advanceTimersByTime(1);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.events.map((e) => e.type)).toEqual(['play', 'heartbeat']);
    expect(posts[0]!.events[1]!).toMatchObject({ pos: 12.5, rendition: '720p', buffer: 8, t: HEARTBEAT_MS });
    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(posts).toHaveLength(2);
    r.stop();
    vi.advanceTimersByTime(3 * HEARTBEAT_MS);
    expect(posts).toHaveLength(2);
  });

  it('sends no heartbeat before the player has loaded anything', () => {
    const { transport, posts } = fakeTransport();
    const r = make(transport, () => null as never);
    r.start();
    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(posts).toHaveLength(0);
    r.stop();
  });

  it('flushes with sendBeacon when the page goes away, and falls back to fetch', () => {
    const ok = fakeTransport();
    const r = make(ok.transport);
    r.record('pause', { pos: 5 });
    r.stop();
    expect(ok.beacons).toHaveLength(1);
    expect(ok.posts).toHaveLength(0);
    expect(ok.beacons[0]!.events[0]!.type).toBe('pause');

    const refused = fakeTransport(false);
    const r2 = make(refused.transport);
    r2.record('ended', { pos: 60 });
    r2.flush(true);
    expect(refused.posts).toHaveLength(1);
  });

  it('records where the player is when the page goes away, so the time since the last heartbeat counts', () => {
    const { transport, posts, beacons } = fakeTransport();
    const r = make(transport, () => ({ pos: 4.2, rendition: '360p', buffer: 3 }));
    r.start();
    r.record('play', { pos: 0 });
    clock += 300;
    r.record('first_frame', { pos: 0, rendition: '360p' });
    clock += 4200;
    r.leave();
    expect(posts).toHaveLength(0);
    expect(beacons).toHaveLength(1);
    expect(beacons[0]!.events.map((e) => e.type)).toEqual(['play', 'first_frame', 'heartbeat']);
    expect(beacons[0]!.events[2]!).toMatchObject({ pos: 4.2, t: 4500, rendition: '360p' });
    r.stop();
  });

  it('sends nothing when there is nothing to send', () => {
    const { transport, posts, beacons } = fakeTransport();
    make(transport).stop();
    expect(posts).toHaveLength(0);
    expect(beacons).toHaveLength(0);
  });
});

describe('viewerId', () => {
  it('is random, kept, and replaced when the stored one is not a UUID', () => {
    const s = memoryStorage();
    const a = viewerId(s);
    expect(a).toMatch(UUID_V4);
    expect(viewerId(s)).toBe(a);
    s.setItem('clipcut.viewerId', 'alice@example.com');
    expect(viewerId(s)).not.toBe('alice@example.com');
    expect(viewerId(null)).toMatch(UUID_V4);
  });
});
