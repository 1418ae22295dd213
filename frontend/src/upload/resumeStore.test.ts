import { describe, expect, it } from 'vitest';
import { fingerprintOf, ResumeStore, type PendingUpload } from './resumeStore';

function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  };
}

const entry = (over: Partial<PendingUpload> = {}): PendingUpload => ({
  fingerprint: 'fp1',
  videoId: 'vid_1',
  uploadUrl: 'http://x/uploads/vid_1?sig=abc',
  expiresAt: '2026-11-22T08:00:00Z',
  title: 'Holiday',
  fileName: 'holiday.mp4',
  size: 1234,
  bytesSent: 0,
  uploaded: false,
  ...over,
});

describe('fingerprintOf', () => {
  it('is the same for the same file picked twice and differs when anything changes', () => {
    const a = { name: 'a.mp4', size: 10, lastModified: 1, type: 'video/mp4' };
    expect(fingerprintOf(a)).toBe(fingerprintOf({ ...a }));
    expect(fingerprintOf(a)).not.toBe(fingerprintOf({ ...a, size: 11 }));
    expect(fingerprintOf(a)).not.toBe(fingerprintOf({ ...a, lastModified: 2 }));
    expect(fingerprintOf(a)).not.toBe(fingerprintOf({ ...a, name: 'b.mp4' }));
  });
});

describe('ResumeStore', () => {
  const now = Date.parse('2026-11-21T08:00:00Z');

  it('remembers, updates and forgets uploads per user', () => {
    const storage = memoryStorage();
    const ada = new ResumeStore('usr_1', storage);
    ada.put(entry());
    ada.update('fp1', { bytesSent: 600 });
    expect(ada.get('fp1')?.bytesSent).toBe(600);
    expect(new ResumeStore('usr_1', storage).list(now)).toHaveLength(1);
    expect(new ResumeStore('usr_2', storage).list(now)).toEqual([]);

    ada.put(entry({ bytesSent: 900 })); // same file again replaces
    expect(ada.list(now)).toHaveLength(1);
    ada.remove('fp1');
    expect(ada.list(now)).toEqual([]);
    expect(storage.length).toBe(0);
  });

  it('drops unfinished uploads that expired but keeps finished ones until processing ends', () => {
    const store = new ResumeStore('usr_1', memoryStorage());
    store.put(entry({ fingerprint: 'old', expiresAt: '2026-11-20T08:00:00Z' }));
    store.put(entry({ fingerprint: 'done', expiresAt: '2026-11-20T08:00:00Z', uploaded: true }));
    store.put(entry({ fingerprint: 'live' }));
    expect(store.list(now).map((p) => p.fingerprint)).toEqual(['done', 'live']);
    expect(store.get('old')).toBeUndefined();
  });

  it('survives garbage in storage and storage that refuses writes', () => {
    const storage = memoryStorage();
    storage.setItem('clipcut:uploads:usr_1', '{not json');
    expect(new ResumeStore('usr_1', storage).list(now)).toEqual([]);
    storage.setItem('clipcut:uploads:usr_1', JSON.stringify([{ nope: true }, entry()]));
    expect(new ResumeStore('usr_1', storage).list(now)).toHaveLength(1);

    const full = { ...memoryStorage(), setItem: () => { throw new DOMException('full', 'QuotaExceededError'); } } as Storage;
    expect(() => new ResumeStore('usr_1', full).put(entry())).not.toThrow();
    expect(new ResumeStore('usr_1', null).list(now)).toEqual([]);
  });
});
