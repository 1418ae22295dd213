import { describe, expect, it } from 'vitest';
import {
  canPause,
  canResume,
  initialUpload,
  isSending,
  processingUpload,
  SPEED_WINDOW_MS,
  stageLabel,
  timeLeft,
  uploadPercent,
  uploadReducer,
  uploadSpeed,
  type UploadEvent,
  type UploadState,
} from './machine';

const MB = 1_000_000;

function run(events: UploadEvent[], from: UploadState = initialUpload(10 * MB)): UploadState {
  return events.reduce(uploadReducer, from);
}

const created: UploadEvent = { type: 'created', videoId: 'vid_1', uploadUrl: 'http://x/uploads/vid_1?sig=s' };

describe('upload state machine', () => {
  it('goes queued → creating → uploading → paused → uploading → processing → ready', () => {
    let s = initialUpload(10 * MB);
    expect(s.phase).toBe('queued');

    s = uploadReducer(s, { type: 'start' });
    expect(s.phase).toBe('creating');
    expect(isSending(s.phase)).toBe(true);

    s = uploadReducer(s, created);
    expect(s).toMatchObject({ phase: 'uploading', videoId: 'vid_1', uploadUrl: 'http://x/uploads/vid_1?sig=s' });

    s = uploadReducer(s, { type: 'progress', bytesSent: 4 * MB, at: 1000 });
    expect(uploadPercent(s)).toBe(40);
    expect(s.resumedAt).toBeNull();
    expect(canPause(s)).toBe(true);

    s = uploadReducer(s, { type: 'pause' });
    expect(s.phase).toBe('paused');
    expect(canResume(s)).toBe(true);
    expect(isSending(s.phase)).toBe(false);

    // A progress callback that was already on its way changes nothing.
    const late = uploadReducer(s, { type: 'progress', bytesSent: 5 * MB, at: 1100 });
    expect(late).toBe(s);

    s = uploadReducer(s, { type: 'resume' });
    expect(s.phase).toBe('uploading');
    s = uploadReducer(s, { type: 'progress', bytesSent: 4 * MB, at: 5000 });
    expect(s.resumedAt).toBe(4 * MB);
    s = uploadReducer(s, { type: 'progress', bytesSent: 9 * MB, at: 6000 });
    expect(s.resumedAt).toBe(4 * MB);

    s = uploadReducer(s, { type: 'uploaded' });
    expect(s).toMatchObject({ phase: 'processing', bytesSent: 10 * MB, stage: 'queued', percent: 0 });

    s = uploadReducer(s, { type: 'processing', status: 'PROCESSING', stage: 'transcode', percent: 35, playable: false });
    expect(s).toMatchObject({ phase: 'processing', stage: 'transcode', percent: 35, playable: false });
    s = uploadReducer(s, { type: 'processing', status: 'PROCESSING', stage: 'transcode', percent: 60, playable: true });
    expect(s.playable).toBe(true);

    s = uploadReducer(s, { type: 'processing', status: 'READY', stage: 'done', percent: 100, playable: true });
    expect(s).toMatchObject({ phase: 'ready', percent: 100, playable: true });
  });

  it('ends in failed with the server reason when processing fails', () => {
    const s = run([
      { type: 'start' },
      created,
      { type: 'uploaded' },
      { type: 'processing', status: 'PROCESSING', stage: 'probe', percent: 2, playable: false },
      { type: 'processing', status: 'FAILED', stage: 'failed', percent: 2, playable: false, error: 'The file is not a video.' },
    ]);
    expect(s).toMatchObject({ phase: 'failed', failure: 'The file is not a video.' });
    expect(isSending(s.phase)).toBe(false);

    const noReason = run([{ type: 'start' }, created, { type: 'uploaded' }, { type: 'processing', status: 'FAILED', stage: 'failed', percent: 0, playable: false }]);
    expect(noReason.failure).toMatch(/failed/i);
  });

  it('stops with the error when createUpload is refused, and may try again only when nothing was created', () => {
    const s = run([{ type: 'start' }, { type: 'failed', error: { kind: 'quota', message: 'The file is larger than the 1 GiB limit.' } }]);
    expect(s).toMatchObject({ phase: 'error', error: { kind: 'quota' } });
    expect(canResume(s)).toBe(false);
    expect(uploadReducer(s, { type: 'start' }).phase).toBe('creating');
  });

  it('retries after a dropped connection and goes back to uploading once bytes move', () => {
    let s = run([{ type: 'start' }, created, { type: 'progress', bytesSent: 2 * MB, at: 0 }]);
    s = uploadReducer(s, { type: 'retrying', attempt: 1 });
    expect(s).toMatchObject({ phase: 'retrying', retries: 1 });
    expect(isSending(s.phase)).toBe(true);
    s = uploadReducer(s, { type: 'retrying', attempt: 2 });
    expect(s.retries).toBe(2);

    // The HEAD after reconnecting reports the same offset: still retrying.
    s = uploadReducer(s, { type: 'progress', bytesSent: 2 * MB, at: 3000 });
    expect(s.phase).toBe('retrying');

    s = uploadReducer(s, { type: 'progress', bytesSent: 3 * MB, at: 3500 });
    expect(s).toMatchObject({ phase: 'uploading', retries: 0, bytesSent: 3 * MB });

    // A retrying upload can be paused too.
    expect(uploadReducer(uploadReducer(s, { type: 'retrying', attempt: 1 }), { type: 'pause' }).phase).toBe('paused');
  });

  it('can resume after the connection is lost for good, but not after the upload expired', () => {
    const offline = run([{ type: 'start' }, created, { type: 'failed', error: { kind: 'network', message: 'offline' } }]);
    expect(offline.phase).toBe('error');
    expect(canResume(offline)).toBe(true);
    expect(uploadReducer(offline, { type: 'resume' })).toMatchObject({ phase: 'uploading', error: null });

    const expired = run([{ type: 'start' }, created, { type: 'failed', error: { kind: 'expired', message: 'gone' } }]);
    expect(canResume(expired)).toBe(false);
    expect(uploadReducer(expired, { type: 'resume' })).toBe(expired);
  });

  it('resumes an upload remembered from an earlier page load', () => {
    let s = uploadReducer(initialUpload(10 * MB), { type: 'resumeStart', videoId: 'vid_9', uploadUrl: 'http://x/u/9', bytesSent: 3 * MB });
    expect(s).toMatchObject({ phase: 'uploading', videoId: 'vid_9', bytesSent: 3 * MB, resumedAt: null });
    s = uploadReducer(s, { type: 'progress', bytesSent: 6 * MB, at: 10 });
    expect(s.resumedAt).toBe(6 * MB);
  });

  it('ignores events that make no sense in the current phase', () => {
    const queued = initialUpload(100);
    for (const e of [created, { type: 'pause' }, { type: 'resume' }, { type: 'uploaded' }, { type: 'progress', bytesSent: 5, at: 1 }] as UploadEvent[]) {
      expect(uploadReducer(queued, e)).toBe(queued);
    }
    const processing = processingUpload(100, 'vid_2');
    for (const e of [{ type: 'start' }, { type: 'pause' }, { type: 'failed', error: { kind: 'other', message: 'x' } }] as UploadEvent[]) {
      expect(uploadReducer(processing, e)).toBe(processing);
    }
    const ready = uploadReducer(processing, { type: 'processing', status: 'READY', stage: 'done', percent: 100, playable: true });
    expect(uploadReducer(ready, { type: 'processing', status: 'PROCESSING', stage: 'transcode', percent: 10, playable: false })).toBe(ready);
  });

  it('never shows processing percent going backwards and clamps it to 0–100', () => {
    let s = processingUpload(100, 'v');
    s = uploadReducer(s, { type: 'processing', status: 'PROCESSING', stage: 'transcode', percent: 50, playable: false });
    s = uploadReducer(s, { type: 'processing', status: 'PROCESSING', stage: 'transcode', percent: 40, playable: false });
    expect(s.percent).toBe(50);
    s = uploadReducer(s, { type: 'processing', status: 'PROCESSING', stage: 'thumbnails', percent: 250, playable: false });
    expect(s.percent).toBe(100);
  });

  it('keeps bytes within the file size', () => {
    const s = run([{ type: 'start' }, created, { type: 'progress', bytesSent: 20 * MB, at: 0 }]);
    expect(s.bytesSent).toBe(10 * MB);
    expect(uploadPercent(s)).toBe(100);
  });
});

describe('upload speed and time left', () => {
  it('averages over the recent window and estimates the rest', () => {
    let s = run([{ type: 'start' }, created]);
    expect(uploadSpeed(s.samples)).toBeNull();
    s = uploadReducer(s, { type: 'progress', bytesSent: 1 * MB, at: 0 });
    s = uploadReducer(s, { type: 'progress', bytesSent: 1.2 * MB, at: 200 });
    expect(uploadSpeed(s.samples)).toBeNull(); // under half a second says little
    s = uploadReducer(s, { type: 'progress', bytesSent: 3 * MB, at: 1000 });
    expect(uploadSpeed(s.samples)).toBeCloseTo(2 * MB);
    expect(timeLeft(s)).toBeCloseTo(3.5);
  });

  it('forgets samples older than the window', () => {
    let s = run([{ type: 'start' }, created, { type: 'progress', bytesSent: 0, at: 0 }]);
    s = uploadReducer(s, { type: 'progress', bytesSent: 1 * MB, at: 1000 });
    s = uploadReducer(s, { type: 'progress', bytesSent: 2 * MB, at: SPEED_WINDOW_MS + 2000 });
    expect(s.samples.map((p) => p.at)).toEqual([SPEED_WINDOW_MS + 2000]);
    s = uploadReducer(s, { type: 'progress', bytesSent: 2.5 * MB, at: SPEED_WINDOW_MS + 3000 });
    expect(uploadSpeed(s.samples)).toBeCloseTo(0.5 * MB);
  });

  it('starts measuring afresh after a pause', () => {
    let s = run([{ type: 'start' }, created, { type: 'progress', bytesSent: 1 * MB, at: 0 }, { type: 'progress', bytesSent: 2 * MB, at: 1000 }]);
    s = run([{ type: 'pause' }, { type: 'resume' }], s);
    expect(s.samples).toEqual([]);
    expect(timeLeft(s)).toBeNull();
  });
});

describe('stageLabel', () => {
  it('says each pipeline stage in words', () => {
    expect(stageLabel('transcode')).toBe('Transcoding');
    expect(stageLabel('probe')).toBe('Checking the file');
    expect(stageLabel(null)).toBe('Waiting for a worker');
    expect(stageLabel('captions')).toBe('Captions');
  });
});
