// Uploads that outlive the page. Each created upload is remembered in
// localStorage under the file's fingerprint (name, size, last change), with
// its tus URL (which carries its own capability) and its video id. After a
// reload or a crash the upload page lists the unfinished ones, and picking
// the same file again resumes it where the server's copy ends; uploads whose
// bytes all arrived are followed until processing ends.

/** What is remembered about one upload. */
export interface PendingUpload {
  fingerprint: string;
  videoId: string;
  uploadUrl: string;
  /** When the server drops the unfinished upload (RFC 3339). */
  expiresAt: string;
  title: string;
  fileName: string;
  size: number;
  /** Last known bytes on the server, for the list of unfinished uploads. */
  bytesSent: number;
  /** True once every byte arrived; the entry then only follows processing. */
  uploaded: boolean;
}

/** The smallest part of File that identifies it across page loads. */
export type FileLike = Pick<File, 'name' | 'size' | 'lastModified' | 'type'>;

/** Identifies a file across reloads: the same pick of the same file gives the same string. */
export function fingerprintOf(file: FileLike): string {
  return ['clipcut-v1', file.name, file.size, file.lastModified, file.type || '-'].join(':');
}

const KEY_PREFIX = 'clipcut:uploads:';

/** The remembered uploads of one user, in one browser profile. */
export class ResumeStore {
  private readonly key: string;
  private readonly storage: Storage | null;

  constructor(userId: string, storage: Storage | null = safeLocalStorage()) {
    this.key = KEY_PREFIX + userId;
    this.storage = storage;
  }

  /** Every remembered upload that has not expired, oldest first; expired ones are forgotten. */
  list(now = Date.now()): PendingUpload[] {
    const all = this.read();
    const live = all.filter((p) => p.uploaded || Date.parse(p.expiresAt) > now);
    if (live.length !== all.length) this.write(live);
    return live;
  }

  get(fingerprint: string): PendingUpload | undefined {
    return this.read().find((p) => p.fingerprint === fingerprint);
  }

  /** Remembers `entry`, replacing any earlier one for the same file. */
  put(entry: PendingUpload): void {
    this.write([...this.read().filter((p) => p.fingerprint !== entry.fingerprint), entry]);
  }

  /** Changes part of a remembered upload; does nothing when it is not remembered. */
  update(fingerprint: string, change: Partial<PendingUpload>): void {
    const all = this.read();
    const i = all.findIndex((p) => p.fingerprint === fingerprint);
    if (i < 0) return;
    all[i] = { ...all[i]!, ...change, fingerprint };
    this.write(all);
  }

  remove(fingerprint: string): void {
    const all = this.read();
    const rest = all.filter((p) => p.fingerprint !== fingerprint);
    if (rest.length !== all.length) this.write(rest);
  }

  private read(): PendingUpload[] {
    if (!this.storage) return [];
    try {
      const parsed: unknown = JSON.parse(this.storage.getItem(this.key) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter(isPendingUpload) : [];
    } catch {
      return [];
    }
  }

  private write(entries: PendingUpload[]): void {
    if (!this.storage) return;
    try {
      if (entries.length === 0) this.storage.removeItem(this.key);
      else this.storage.setItem(this.key, JSON.stringify(entries));
    } catch {
      // Storage full or disabled (private browsing): resuming after a reload
      // is a convenience, the upload itself goes on.
    }
  }
}

function safeLocalStorage(): Storage | null {
  try {
    return typeof window !== 'undefined' ? window.localStorage : null;
  } catch {
    return null;
  }
}

function isPendingUpload(v: unknown): v is PendingUpload {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return (
    typeof p.fingerprint === 'string' &&
    typeof p.videoId === 'string' &&
    typeof p.uploadUrl === 'string' &&
    typeof p.expiresAt === 'string' &&
    typeof p.size === 'number'
  );
}
