// Runs the uploads of the signed-in user for the whole app, so they go on
// while the person browses other pages: one upload at a time (the others
// wait their turn), createUpload then tus-js-client against the returned
// URL, then processing progress from videoProgress. Each upload's state is
// the pure machine in machine.ts; this file only turns the outside world
// into its events.
import { createContext, useCallback, useContext, useEffect, useMemo, useReducer, useRef, useState, type ReactNode } from 'react';
import { useClient } from 'urql';
import type { Upload as TusUpload } from 'tus-js-client';
import { graphql } from '../gql';
import type { Privacy } from '../gql/graphql';
import { useSessionChanged, useViewer } from '../session';
import { DeleteVideoDocument, UpdateVideoDocument, VideoProgressDocument } from '../videos/operations';
import { createUploadError, shouldRetryTus, tusUploadError } from './errors';
import {
  canResume,
  initialUpload,
  isSending,
  processingUpload,
  uploadReducer,
  type UploadEvent,
  type UploadState,
} from './machine';
import { fingerprintOf, ResumeStore, type PendingUpload } from './resumeStore';

/** The caller's unfinished upload of the same file, started in any browser. */
export const UnfinishedUploadDocument = graphql(`
  query UnfinishedUpload($filename: String!, $size: Int64!) {
    unfinishedUpload(filename: $filename, size: $size) {
      uploadUrl
      offset
      size
      expiresAt
      video {
        id
        title
      }
    }
  }
`);

export const CreateUploadDocument = graphql(`
  mutation CreateUpload($input: CreateUploadInput!) {
    createUpload(input: $input) {
      uploadUrl
      uploadExpiresAt
      video {
        id
      }
    }
  }
`);

/** Bytes per PATCH request. */
export const CHUNK_SIZE = 8 * 1024 * 1024;

/** Waits between tus retries after a dropped connection, about two and a half minutes in all. */
export const RETRY_DELAYS = [0, 1_000, 3_000, 5_000, 10_000, 15_000, 20_000, 30_000, 30_000, 30_000];

// deleteVideo answers a Boolean: name the cached lists it changes.
const VIDEO_LISTS = { additionalTypenames: ['Video', 'VideoConnection'] };

/**
 * After the browser says it is online again, wait this long before resuming:
 * connections often flap right when they come back.
 */
export const ONLINE_RESUME_DELAY_MS = 1_000;

/** After the live progress stream breaks, subscribe again this long later. */
const RESUBSCRIBE_DELAY_MS = 3_000;

/** An unfinished upload of the same file the server offers to resume. */
export interface ResumeOffer {
  videoId: string;
  title: string;
  uploadUrl: string;
  offset: number;
  expiresAt: string;
}

/** Title, description and privacy of an upload, editable before and while it runs. */
export interface UploadDetails {
  title?: string;
  description?: string;
  privacy?: Privacy;
}

/** One file on the upload page. */
export interface UploadItem {
  key: string;
  fingerprint: string;
  fileName: string;
  title: string;
  description?: string;
  privacy?: Privacy;
  state: UploadState;
  /** Set while the page asks whether to resume the server's unfinished upload of this file. */
  offer?: ResumeOffer;
}

/** What the upload page and the header can do with the uploads. */
export interface Uploads {
  items: UploadItem[];
  /** Unfinished uploads from an earlier visit, waiting for their file to be picked again. */
  pending: PendingUpload[];
  add(files: readonly File[], options?: UploadDetails): void;
  /** Changes an upload's details: kept for createUpload before its video exists, saved with updateVideo after. Returns an error message. */
  setDetails(key: string, details: UploadDetails): Promise<string | null>;
  /** Answers a resume offer: resume the server's unfinished upload, or start a new one (deleting the unfinished one). */
  answerOffer(key: string, resume: boolean): void;
  pause(key: string): void;
  resume(key: string): void;
  /** Starts again an upload whose createUpload failed. */
  retry(key: string): void;
  /** Stops an upload and deletes its video. */
  cancel(key: string): Promise<void>;
  /** Takes a finished or failed upload off the list. */
  dismiss(key: string): void;
  /** Resumes an unfinished upload with its file picked again; returns an error message when it is another file. */
  resumePending(fingerprint: string, file: File): string | null;
  /** Forgets an unfinished upload and deletes its video. */
  discardPending(fingerprint: string): Promise<void>;
  /** True after the server said the session had expired, until someone signs in. */
  sessionExpired: boolean;
}

type ListAction =
  | { type: 'add'; items: UploadItem[] }
  | { type: 'remove'; key: string }
  | { type: 'patch'; key: string; patch: Partial<Pick<UploadItem, 'title' | 'description' | 'privacy' | 'offer'>> }
  | { type: 'reset' }
  | { type: 'event'; key: string; event: UploadEvent };

function listReducer(items: UploadItem[], action: ListAction): UploadItem[] {
  switch (action.type) {
    case 'add':
      return [...items, ...action.items];
    case 'remove':
      return items.filter((i) => i.key !== action.key);
    case 'patch':
      return items.map((i) => (i.key === action.key ? { ...i, ...action.patch } : i));
    case 'reset':
      return [];
    case 'event':
      return items.map((i) => {
        if (i.key !== action.key) return i;
        const state = uploadReducer(i.state, action.event);
        return state === i.state ? i : { ...i, state };
      });
  }
}

/** A title from a file name: "holiday_2026.mp4" -> "holiday 2026". */
export function titleFromFileName(name: string): string {
  const bare = name.replace(/\.[^.]+$/, '').replace(/[_]+/g, ' ').replace(/\s+/g, ' ').trim();
  return (bare || 'Untitled video').slice(0, 200);
}

/** A fresh idempotency key for createUpload. */
function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

const UploadsContext = createContext<Uploads | null>(null);

let nextKey = 0;

/** Provides the signed-in user's uploads to the whole app. */
export function UploadsProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const { user } = useViewer();
  const sessionChanged = useSessionChanged();
  const userId = user?.id ?? null;
  const [sessionExpired, setSessionExpired] = useState(false);
  const [items, dispatchList] = useReducer(listReducer, []);
  const [storeVersion, setStoreVersion] = useState(0);

  const store = useMemo(() => (userId ? new ResumeStore(userId) : null), [userId]);

  // Things that are not state: the files, tus uploads, subscriptions and
  // timers of the current items, keyed like the items.
  const files = useRef(new Map<string, File>());
  const tus = useRef(new Map<string, TusUpload>());
  const subs = useRef(new Map<string, () => void>());
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const started = useRef(new Set<string>());
  const itemsRef = useRef(items);
  itemsRef.current = items;
  const clientRef = useRef(client);
  clientRef.current = client;

  const dispatch = useCallback((key: string, event: UploadEvent) => dispatchList({ type: 'event', key, event }), []);
  const storeChanged = useCallback(() => setStoreVersion((v) => v + 1), []);
  const itemOf = (key: string) => itemsRef.current.find((i) => i.key === key);

  const stopAll = useCallback(() => {
    for (const upload of tus.current.values()) void upload.abort();
    for (const stop of subs.current.values()) stop();
    for (const t of timers.current.values()) clearTimeout(t);
    tus.current.clear();
    subs.current.clear();
    timers.current.clear();
    files.current.clear();
    started.current.clear();
  }, []);

  // Follows processing until READY or FAILED, subscribing again when the
  // stream breaks (a restarting server, a dropped websocket).
  const follow = useCallback(
    (key: string, fingerprint: string, videoId: string) => {
      subs.current.get(key)?.();
      let ended = false;
      const { unsubscribe } = clientRef.current
        .subscription(VideoProgressDocument, { id: videoId })
        .subscribe((result) => {
          const p = result.data?.videoProgress;
          // Progress follows processing; a takedown is not part of it.
          if (p && p.status !== 'TAKEN_DOWN') {
            dispatch(key, { type: 'processing', status: p.status, stage: p.stage, percent: p.percent, playable: p.playable, error: p.error });
            if (p.status === 'READY' || p.status === 'FAILED') {
              ended = true;
              store?.remove(fingerprint);
            }
          }
          if (result.error && !ended) {
            subs.current.delete(key);
            timers.current.set(
              key,
              setTimeout(() => {
                timers.current.delete(key);
                const item = itemOf(key);
                if (item && item.state.phase === 'processing') follow(key, fingerprint, videoId);
              }, RESUBSCRIBE_DELAY_MS),
            );
          }
        });
      subs.current.set(key, unsubscribe);
    },
    [dispatch, store],
  );

  // Sends the file's bytes to `uploadUrl`, from wherever the server's copy ends.
  const send = useCallback(
    async (key: string, fingerprint: string, videoId: string, uploadUrl: string) => {
      const file = files.current.get(key);
      if (!file) return;
      let mod: typeof import('tus-js-client');
      try {
        mod = await import('tus-js-client');
      } catch {
        dispatch(key, { type: 'failed', error: { kind: 'network', message: "Can't load the uploader. Check your connection and try again." } });
        return;
      }
      let lastSaved = 0;
      const upload = new mod.Upload(file, {
        uploadUrl,
        chunkSize: CHUNK_SIZE,
        retryDelays: RETRY_DELAYS,
        storeFingerprintForResuming: false,
        removeFingerprintOnSuccess: false,
        onProgress(bytesSent) {
          dispatch(key, { type: 'progress', bytesSent, at: performance.now() });
          const now = Date.now();
          if (now - lastSaved > 1_000) {
            lastSaved = now;
            store?.update(fingerprint, { bytesSent });
          }
        },
        onShouldRetry(err, attempt) {
          const retry = shouldRetryTus(err);
          if (retry) dispatch(key, { type: 'retrying', attempt: attempt + 1 });
          return retry;
        },
        onSuccess() {
          tus.current.delete(key);
          files.current.delete(key);
          store?.update(fingerprint, { uploaded: true, bytesSent: file.size });
          dispatch(key, { type: 'uploaded' });
          follow(key, fingerprint, videoId);
        },
        onError(err) {
          const error = tusUploadError(err);
          if (error.kind === 'expired') store?.remove(fingerprint);
          dispatch(key, { type: 'failed', error });
        },
      });
      tus.current.set(key, upload);
      upload.start();
    },
    [dispatch, follow, store],
  );

  // Starts one queued upload: resumes it when this file's upload is
  // remembered from an earlier visit, else creates it first.
  // Resumes the upload of videoId at uploadUrl with this item's file.
  const resumeWith = useCallback(
    (item: UploadItem, file: File, videoId: string, uploadUrl: string, expiresAt: string, bytesSent: number) => {
      store?.put({
        fingerprint: item.fingerprint,
        videoId,
        uploadUrl,
        expiresAt,
        title: item.title,
        fileName: file.name,
        size: file.size,
        bytesSent,
        uploaded: false,
      });
      dispatch(item.key, { type: 'resumeStart', videoId, uploadUrl, bytesSent });
      storeChanged();
      void send(item.key, item.fingerprint, videoId, uploadUrl);
    },
    [dispatch, send, store, storeChanged],
  );

  const begin = useCallback(
    async (item: UploadItem, privacy: Privacy | undefined, askServer = true) => {
      const { key, fingerprint } = item;
      const file = files.current.get(key);
      if (!file || !store) return;
      const remembered = store.get(fingerprint);
      if (remembered && !remembered.uploaded && remembered.size === file.size) {
        dispatch(key, { type: 'resumeStart', videoId: remembered.videoId, uploadUrl: remembered.uploadUrl, bytesSent: remembered.bytesSent });
        storeChanged();
        void send(key, fingerprint, remembered.videoId, remembered.uploadUrl);
        return;
      }
      if (askServer) {
        // Started in another browser (or this one, forgotten): offer to resume it.
        const found = await clientRef.current
          .query(UnfinishedUploadDocument, { filename: file.name, size: file.size }, { requestPolicy: 'network-only' })
          .toPromise();
        const u = found.data?.unfinishedUpload;
        if (u && itemOf(key)) {
          dispatchList({
            type: 'patch',
            key,
            patch: { offer: { videoId: u.video.id, title: u.video.title, uploadUrl: u.uploadUrl, offset: u.offset, expiresAt: u.expiresAt } },
          });
          return;
        }
      }
      const current = itemOf(key) ?? item;
      dispatch(key, { type: 'start' });
      let idempotencyKey = idempotencyKeys.current.get(key);
      if (!idempotencyKey) {
        idempotencyKey = newIdempotencyKey();
        idempotencyKeys.current.set(key, idempotencyKey);
      }
      const result = await clientRef.current
        .mutation(CreateUploadDocument, {
          input: {
            title: current.title,
            filename: file.name,
            size: file.size,
            idempotencyKey,
            ...(current.description ? { description: current.description } : {}),
            ...(current.privacy ?? privacy ? { privacy: current.privacy ?? privacy } : {}),
          },
        })
        .toPromise();
      const created = result.data?.createUpload;
      if (result.error || !created) {
        const error = result.error ? createUploadError(result.error) : { kind: 'other' as const, message: 'The server did not create the upload.' };
        dispatch(key, { type: 'failed', error });
        if (error.kind === 'session') {
          // Ask `me` again: the header and pages then offer to log in.
          setSessionExpired(true);
          sessionChanged();
        }
        return;
      }
      if (!itemOf(key)) {
        // Cancelled while the mutation ran: do not leave an empty video behind.
        await clientRef.current.mutation(DeleteVideoDocument, { id: created.video.id }, VIDEO_LISTS).toPromise();
        return;
      }
      store.put({
        fingerprint,
        videoId: created.video.id,
        uploadUrl: created.uploadUrl,
        expiresAt: created.uploadExpiresAt,
        title: current.title,
        fileName: file.name,
        size: file.size,
        bytesSent: 0,
        uploaded: false,
      });
      dispatch(key, { type: 'created', videoId: created.video.id, uploadUrl: created.uploadUrl });
      void send(key, fingerprint, created.video.id, created.uploadUrl);
    },
    [dispatch, send, store, storeChanged, sessionChanged],
  );

  // A new user (or none): stop and forget the previous one's uploads, then
  // follow the processing of uploads finished on an earlier visit.
  const privacyOf = useRef(new Map<string, Privacy | undefined>());
  // One idempotency key per picked file: a createUpload retried after a
  // lost answer gets the same video back instead of a second one.
  const idempotencyKeys = useRef(new Map<string, string>());
  useEffect(() => {
    stopAll();
    dispatchList({ type: 'reset' });
    if (!store) return;
    setSessionExpired(false);
    const restored = store
      .list()
      .filter((p) => p.uploaded)
      .map((p) => ({
        key: `restored-${nextKey++}`,
        fingerprint: p.fingerprint,
        fileName: p.fileName,
        title: p.title,
        state: processingUpload(p.size, p.videoId),
      }));
    dispatchList({ type: 'add', items: restored });
    for (const item of restored) {
      started.current.add(item.key);
      follow(item.key, item.fingerprint, item.state.videoId!);
    }
    return stopAll;
  }, [store, stopAll, follow]);

  // One upload at a time: when none is sending, start the next queued one.
  useEffect(() => {
    if (items.some((i) => isSending(i.state.phase))) return;
    const next = items.find((i) => i.state.phase === 'queued' && !started.current.has(i.key));
    if (!next) return;
    started.current.add(next.key);
    void begin(next, privacyOf.current.get(next.key));
  }, [items, begin]);

  const resumeKey = useCallback(
    (key: string) => {
      const item = itemOf(key);
      if (!item || !canResume(item.state) || !item.state.uploadUrl || !item.state.videoId) return;
      dispatch(key, { type: 'resume' });
      const upload = tus.current.get(key);
      if (upload) upload.start();
      else void send(key, item.fingerprint, item.state.videoId, item.state.uploadUrl);
    },
    [dispatch, send],
  );

  // Back online: pick up uploads the lost connection stopped.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onOnline = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (typeof navigator !== 'undefined' && navigator.onLine === false) return;
        for (const item of itemsRef.current) {
          if (item.state.phase === 'error' && item.state.error?.kind === 'network' && item.state.uploadUrl) {
            resumeKey(item.key);
          }
        }
      }, ONLINE_RESUME_DELAY_MS);
    };
    window.addEventListener('online', onOnline);
    return () => {
      window.removeEventListener('online', onOnline);
      clearTimeout(timer);
    };
  }, [resumeKey]);

  // Leaving the page stops the bytes; ask first (the upload could resume
  // after a reload, but only once the file is picked again).
  const sending = items.some((i) => isSending(i.state.phase));
  useEffect(() => {
    if (!sending) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [sending]);

  const add = useCallback(
    (picked: readonly File[], options: UploadDetails = {}) => {
      const active = new Set(itemsRef.current.filter((i) => i.state.phase !== 'error').map((i) => i.fingerprint));
      const fresh: UploadItem[] = [];
      for (const file of picked) {
        const fingerprint = fingerprintOf(file);
        if (active.has(fingerprint)) continue;
        active.add(fingerprint);
        const key = `upload-${nextKey++}`;
        files.current.set(key, file);
        privacyOf.current.set(key, options.privacy);
        const remembered = store?.get(fingerprint);
        const chosenTitle = picked.length === 1 ? options.title?.trim() : undefined;
        fresh.push({
          key,
          fingerprint,
          fileName: file.name,
          title: remembered && !remembered.uploaded ? remembered.title : chosenTitle || titleFromFileName(file.name),
          ...(options.description?.trim() ? { description: options.description.trim() } : {}),
          ...(options.privacy ? { privacy: options.privacy } : {}),
          state: initialUpload(file.size),
        });
      }
      if (fresh.length) dispatchList({ type: 'add', items: fresh });
    },
    [store],
  );

  const pause = useCallback(
    (key: string) => {
      const item = itemOf(key);
      if (!item || (item.state.phase !== 'uploading' && item.state.phase !== 'retrying')) return;
      dispatch(key, { type: 'pause' });
      void tus.current.get(key)?.abort();
    },
    [dispatch],
  );

  const resume = resumeKey;

  const setDetails = useCallback(async (key: string, details: UploadDetails): Promise<string | null> => {
    const item = itemOf(key);
    if (!item) return null;
    const title = details.title?.trim();
    if (details.title !== undefined && (!title || title.length > 200)) return 'The title must be 1 to 200 characters.';
    const patch = {
      ...(title ? { title } : {}),
      ...(details.description !== undefined ? { description: details.description.trim() } : {}),
      ...(details.privacy ? { privacy: details.privacy } : {}),
    };
    if (item.state.videoId) {
      const result = await clientRef.current
        .mutation(UpdateVideoDocument, { input: { id: item.state.videoId, ...patch } }, VIDEO_LISTS)
        .toPromise();
      if (result.error) return result.error.graphQLErrors[0]?.message ?? 'The changes could not be saved. Try again.';
    }
    dispatchList({ type: 'patch', key, patch });
    return null;
  }, []);

  const answerOffer = useCallback(
    (key: string, resumeIt: boolean) => {
      const item = itemOf(key);
      const file = files.current.get(key);
      if (!item?.offer || !file) return;
      const offer = item.offer;
      dispatchList({ type: 'patch', key, patch: { offer: undefined } });
      if (resumeIt) {
        resumeWith(item, file, offer.videoId, offer.uploadUrl, offer.expiresAt, offer.offset);
        // Details chosen before picking the file apply to the resumed video too.
        const chosen = { ...(item.description ? { description: item.description } : {}), ...(item.privacy ? { privacy: item.privacy } : {}) };
        if (Object.keys(chosen).length) {
          void clientRef.current.mutation(UpdateVideoDocument, { input: { id: offer.videoId, ...chosen } }, VIDEO_LISTS).toPromise();
        }
        return;
      }
      void clientRef.current.mutation(DeleteVideoDocument, { id: offer.videoId }, VIDEO_LISTS).toPromise();
      void begin(item, privacyOf.current.get(key), false);
    },
    [begin, resumeWith],
  );

  const retry = useCallback(
    (key: string) => {
      const item = itemOf(key);
      if (!item || item.state.phase !== 'error') return;
      if (item.state.uploadUrl) {
        resumeKey(key);
        return;
      }
      void begin(item, privacyOf.current.get(key));
    },
    [begin, resumeKey],
  );

  const forget = useCallback((key: string) => {
    void tus.current.get(key)?.abort();
    tus.current.delete(key);
    subs.current.get(key)?.();
    subs.current.delete(key);
    const t = timers.current.get(key);
    if (t) clearTimeout(t);
    timers.current.delete(key);
    files.current.delete(key);
    privacyOf.current.delete(key);
    idempotencyKeys.current.delete(key);
    dispatchList({ type: 'remove', key });
  }, []);

  const cancel = useCallback(
    async (key: string) => {
      const item = itemOf(key);
      if (!item) return;
      forget(key);
      store?.remove(item.fingerprint);
      if (item.state.videoId && item.state.phase !== 'ready' && item.state.phase !== 'processing') {
        await clientRef.current.mutation(DeleteVideoDocument, { id: item.state.videoId }, VIDEO_LISTS).toPromise();
      }
    },
    [forget, store],
  );

  const dismiss = useCallback((key: string) => forget(key), [forget]);

  const resumePending = useCallback(
    (fingerprint: string, file: File): string | null => {
      const entry = store?.get(fingerprint);
      if (!entry) return 'This upload is no longer remembered. Add the file as a new upload.';
      if (fingerprintOf(file) !== fingerprint) {
        return `That is not the file this upload started with. Choose “${entry.fileName}” (${entry.size.toLocaleString()} bytes).`;
      }
      add([file]);
      return null;
    },
    [add, store],
  );

  const discardPending = useCallback(
    async (fingerprint: string) => {
      const entry = store?.get(fingerprint);
      if (!entry) return;
      store?.remove(fingerprint);
      storeChanged();
      await clientRef.current.mutation(DeleteVideoDocument, { id: entry.videoId }, VIDEO_LISTS).toPromise();
    },
    [store, storeChanged],
  );

  const pending = useMemo(() => {
    void storeVersion; // re-read after changes this provider made
    if (!store) return [];
    const inList = new Set(items.map((i) => i.fingerprint));
    return store.list().filter((p) => !p.uploaded && !inList.has(p.fingerprint));
  }, [store, items, storeVersion]);

  const value = useMemo<Uploads>(
    () => ({ items, pending, add, setDetails, answerOffer, pause, resume, retry, cancel, dismiss, resumePending, discardPending, sessionExpired }),
    [items, pending, add, setDetails, answerOffer, pause, resume, retry, cancel, dismiss, resumePending, discardPending, sessionExpired],
  );

  return <UploadsContext.Provider value={value}>{children}</UploadsContext.Provider>;
}

/** The signed-in user's uploads (see UploadsProvider). */
export function useUploads(): Uploads {
  const uploads = useContext(UploadsContext);
  if (!uploads) throw new Error('useUploads must be used inside <UploadsProvider>');
  return uploads;
}
