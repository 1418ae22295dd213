// The life of one upload on the upload page, as a pure state machine: what
// the page shows follows from the state alone, and every side effect (the
// GraphQL mutation, tus-js-client, the progress subscription) only feeds it
// events. Events that make no sense in the current phase (a late progress
// callback after a pause, say) leave the state as it is.
//
//   queued ─start─▶ creating ─created─▶ uploading ◀─resume── paused
//     │                │                  │  ▲  └───pause───▶  ▲
//     └──resumeStart───┼────────────────▶ │  │ progress          │
//                      │                  ▼  │                   │
//                      │               retrying ──pause──────────┘
//                      ▼                  │
//                    error ◀──failed──────┤ (quota, session, expired, offline …)
//                                         ▼
//                 uploaded ─▶ processing ─▶ ready | failed

/** Where one upload is. */
export type UploadPhase =
  | 'queued' // picked, waiting for its turn
  | 'creating' // createUpload in flight
  | 'uploading' // bytes on their way
  | 'paused' // stopped by the person; resumable
  | 'retrying' // the connection dropped; tus-js-client is trying again
  | 'processing' // every byte arrived; the pipeline runs
  | 'ready' // READY: every quality done
  | 'failed' // processing FAILED: the server says why
  | 'error'; // the upload itself could not go on: see `error.kind`

/** Why an upload stopped before its last byte. */
export type UploadErrorKind =
  | 'quota' // QUOTA_EXCEEDED: file too large, storage full, daily limit
  | 'session' // UNAUTHENTICATED: the session expired
  | 'input' // BAD_USER_INPUT
  | 'network' // no connection; resumable
  | 'expired' // the upload URL expired or the upload is gone; start again
  | 'other';

/** An upload-stopping error with the message the page shows. */
export interface UploadError {
  kind: UploadErrorKind;
  message: string;
}

/** One measurement of bytes sent, for the speed estimate. */
export interface Sample {
  at: number;
  bytes: number;
}

/** Everything the page knows about one upload. */
export interface UploadState {
  phase: UploadPhase;
  size: number;
  videoId: string | null;
  uploadUrl: string | null;
  /** Bytes the server has (or is receiving), as tus-js-client reports them. */
  bytesSent: number;
  /** Offset the upload resumed from, when it continued an earlier one. */
  resumedAt: number | null;
  /** True between a resume and the first progress report, which tells the server's offset. */
  resuming: boolean;
  /** Recent progress samples, newest last, spanning at most SPEED_WINDOW_MS. */
  samples: Sample[];
  /** How many times in a row the connection was retried. */
  retries: number;
  /** Processing stage and percent (0–100), from videoProgress. */
  stage: string | null;
  percent: number;
  playable: boolean;
  error: UploadError | null;
  /** Why processing failed (phase "failed"). */
  failure: string | null;
}

/** What can happen to an upload. */
export type UploadEvent =
  | { type: 'start' }
  | { type: 'resumeStart'; videoId: string; uploadUrl: string; bytesSent?: number }
  | { type: 'created'; videoId: string; uploadUrl: string }
  | { type: 'progress'; bytesSent: number; at: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'retrying'; attempt: number }
  | { type: 'uploaded' }
  | { type: 'failed'; error: UploadError }
  | {
      type: 'processing';
      status: 'UPLOADING' | 'PROCESSING' | 'READY' | 'FAILED';
      stage: string;
      percent: number;
      playable: boolean;
      error?: string | null;
    };

/** The speed estimate looks at this much recent history. */
export const SPEED_WINDOW_MS = 5_000;

/** A new upload of `size` bytes, waiting for its turn. */
export function initialUpload(size: number): UploadState {
  return {
    phase: 'queued',
    size,
    videoId: null,
    uploadUrl: null,
    bytesSent: 0,
    resumedAt: null,
    resuming: false,
    samples: [],
    retries: 0,
    stage: null,
    percent: 0,
    playable: false,
    error: null,
    failure: null,
  };
}

/** An upload whose bytes already all arrived, followed after a reload. */
export function processingUpload(size: number, videoId: string): UploadState {
  return { ...initialUpload(size), phase: 'processing', videoId, bytesSent: size, stage: 'queued' };
}

/** Phases in which bytes are (about to be) on the wire: one upload at a time. */
export function isSending(phase: UploadPhase): boolean {
  return phase === 'creating' || phase === 'uploading' || phase === 'retrying';
}

/** True once the upload can be paused. */
export function canPause(s: UploadState): boolean {
  return s.phase === 'uploading' || s.phase === 'retrying';
}

/** True when resume can pick the upload up where it stopped. */
export function canResume(s: UploadState): boolean {
  return s.phase === 'paused' || (s.phase === 'error' && s.error?.kind === 'network' && s.uploadUrl !== null);
}

/** Advances the machine by one event. */
export function uploadReducer(s: UploadState, e: UploadEvent): UploadState {
  switch (e.type) {
    case 'start':
      if (s.phase !== 'queued' && !(s.phase === 'error' && s.uploadUrl === null)) return s;
      return { ...s, phase: 'creating', error: null };

    case 'resumeStart':
      if (s.phase !== 'queued') return s;
      return {
        ...s,
        phase: 'uploading',
        videoId: e.videoId,
        uploadUrl: e.uploadUrl,
        bytesSent: e.bytesSent ?? 0,
        resuming: true,
        samples: [],
      };

    case 'created':
      if (s.phase !== 'creating') return s;
      return { ...s, phase: 'uploading', videoId: e.videoId, uploadUrl: e.uploadUrl, samples: [] };

    case 'progress': {
      if (s.phase !== 'uploading' && s.phase !== 'retrying') return s;
      const bytesSent = Math.min(Math.max(0, e.bytesSent), s.size);
      const samples = [...s.samples, { at: e.at, bytes: bytesSent }].filter((p) => e.at - p.at <= SPEED_WINDOW_MS);
      // Bytes moving again mean the connection is back.
      const moved = bytesSent > s.bytesSent;
      return {
        ...s,
        bytesSent,
        // The first report after a resume tells where the server's copy ended.
        resumedAt: s.resuming ? bytesSent : s.resumedAt,
        resuming: false,
        samples,
        phase: s.phase === 'retrying' && moved ? 'uploading' : s.phase,
        retries: moved ? 0 : s.retries,
      };
    }

    case 'pause':
      if (!canPause(s)) return s;
      return { ...s, phase: 'paused', samples: [], retries: 0 };

    case 'resume':
      if (!canResume(s)) return s;
      return { ...s, phase: 'uploading', error: null, samples: [], retries: 0, resuming: true };

    case 'retrying':
      if (s.phase !== 'uploading' && s.phase !== 'retrying') return s;
      return { ...s, phase: 'retrying', retries: e.attempt, samples: [] };

    case 'uploaded':
      if (s.phase !== 'uploading' && s.phase !== 'retrying') return s;
      return { ...s, phase: 'processing', bytesSent: s.size, samples: [], stage: 'queued', percent: 0, retries: 0 };

    case 'failed':
      if (!isSending(s.phase) && s.phase !== 'paused') return s;
      return { ...s, phase: 'error', error: e.error, samples: [], retries: 0 };

    case 'processing': {
      if (s.phase !== 'processing') return s;
      const base = {
        ...s,
        stage: e.stage,
        // Percent never runs backwards on screen, whatever order events arrive in.
        percent: Math.max(s.percent, clampPercent(e.percent)),
        playable: s.playable || e.playable,
      };
      if (e.status === 'READY') return { ...base, phase: 'ready', percent: 100, playable: true };
      if (e.status === 'FAILED') {
        return { ...base, phase: 'failed', failure: e.error || 'Processing failed for an unknown reason.' };
      }
      return base;
    }
  }
}

function clampPercent(p: number): number {
  return Number.isFinite(p) ? Math.min(100, Math.max(0, p)) : 0;
}

/** Bytes per second over the recent samples, or null while too little is known. */
export function uploadSpeed(samples: readonly Sample[]): number | null {
  if (samples.length < 2) return null;
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const ms = last.at - first.at;
  if (ms < 500) return null;
  return Math.max(0, ((last.bytes - first.bytes) * 1000) / ms);
}

/** Seconds until the last byte at the current speed, or null when unknown. */
export function timeLeft(s: UploadState): number | null {
  const speed = uploadSpeed(s.samples);
  if (!speed) return null;
  return (s.size - s.bytesSent) / speed;
}

/** Upload progress in percent (0–100). */
export function uploadPercent(s: UploadState): number {
  if (s.size <= 0) return s.phase === 'queued' || s.phase === 'creating' ? 0 : 100;
  return Math.min(100, (s.bytesSent / s.size) * 100);
}

const STAGE_LABELS: Record<string, string> = {
  queued: 'Waiting for a worker',
  probe: 'Checking the file',
  transcode: 'Transcoding',
  thumbnails: 'Making thumbnails',
  subtitles: 'Generating captions',
  done: 'Done',
  failed: 'Failed',
};

/** A processing stage in words. */
export function stageLabel(stage: string | null | undefined): string {
  if (!stage) return 'Waiting for a worker';
  return STAGE_LABELS[stage] ?? stage.charAt(0).toUpperCase() + stage.slice(1);
}
