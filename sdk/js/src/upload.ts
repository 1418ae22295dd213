// Sending a file's bytes with tus (tus-js-client), in Node and in browsers.
import * as tus from 'tus-js-client';

/**
 * A file to upload: a path (Node only), bytes, or a Blob / File (browsers;
 * Node reads a Blob into memory).
 */
export type UploadSource = string | Uint8Array | ArrayBuffer | Blob;

/** How far an upload got. */
export interface UploadProgress {
  /** Bytes the server has (including what an earlier, resumed attempt sent). */
  bytesSent: number;
  /** The file's size. */
  bytesTotal: number;
  /** bytesSent of bytesTotal, 0 to 100. */
  percent: number;
}

/** Options for sending a file's bytes. */
export interface SendOptions {
  /** Called as bytes arrive at the server. */
  onProgress?: (progress: UploadProgress) => void;
  /** Aborts the upload; what the server stored so far stays, to resume from. */
  signal?: AbortSignal;
  /** Bytes per PATCH request (default 8 MiB). */
  chunkSize?: number;
  /** Delays in ms before retrying a failed request (default [0, 1000, 3000, 5000, 10000]). */
  retryDelays?: number[];
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/**
 * Imports a Node-only module at run time. The name is not a literal, so
 * browser bundlers (esbuild, Vite, webpack) leave it alone instead of
 * failing to resolve it; browsers never reach the call.
 */
export function importNodeOnly<T>(name: string): Promise<T> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ name) as Promise<T>;
}

/** The size in bytes of a source, and what tus-js-client reads it from. */
export async function openSource(source: UploadSource): Promise<{ size: number; input: unknown; name?: string }> {
  if (typeof source === 'string') {
    if (!isNode) throw new TypeError('a path works in Node only; pass a File or Blob in a browser');
    const fs = await importNodeOnly<typeof import('node:fs')>('node:fs');
    const path = await importNodeOnly<typeof import('node:path')>('node:path');
    const { size } = await fs.promises.stat(source);
    // A ReadStream with a path: tus-js-client reopens the file at any
    // offset, so retries and resumes need not hold the file in memory.
    return { size, input: fs.createReadStream(source), name: path.basename(source) };
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const name = typeof File !== 'undefined' && source instanceof File ? source.name : undefined;
    if (!isNode) return { size: source.size, input: source, name };
    return { size: source.size, input: Buffer.from(await source.arrayBuffer()), name };
  }
  const bytes = source instanceof Uint8Array ? source : new Uint8Array(source as ArrayBuffer);
  if (isNode) return { size: bytes.byteLength, input: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  return { size: bytes.byteLength, input: new Blob([bytes as Uint8Array<ArrayBuffer>]) };
}

/**
 * Sends `input` (from openSource) to an existing tus upload. tus-js-client
 * first asks the server for its offset (HEAD), so calling this again with
 * the same URL after a failure or an abort resumes where the bytes
 * stopped. Resolves when the last byte arrived.
 */
export function sendToUploadUrl(uploadUrl: string, input: unknown, size: number, opts: SendOptions = {}): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(opts.signal.reason ?? new Error('aborted'));
      return;
    }
    let upload: tus.Upload | undefined;
    const onAbort = () => {
      void upload?.abort(false).finally(() => reject(opts.signal?.reason ?? new Error('aborted')));
    };
    upload = new tus.Upload(input as tus.Upload['file'], {
      uploadUrl,
      uploadSize: size,
      chunkSize: opts.chunkSize ?? 8 * 1024 * 1024,
      retryDelays: opts.retryDelays ?? [0, 1000, 3000, 5000, 10000],
      // The upload URL is the resume handle (createUpload with the same
      // idempotencyKey gives it again); nothing is kept in local storage.
      storeFingerprintForResuming: false,
      onProgress: (sent, total) => {
        opts.onProgress?.({ bytesSent: sent, bytesTotal: total, percent: total > 0 ? (sent / total) * 100 : 100 });
      },
      onError: (err) => {
        opts.signal?.removeEventListener('abort', onAbort);
        reject(err);
      },
      onSuccess: () => {
        opts.signal?.removeEventListener('abort', onAbort);
        resolve();
      },
    });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    upload.start();
  });
}
