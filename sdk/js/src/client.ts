// The clipcut client: GraphQL over HTTP for queries and mutations,
// graphql-ws for subscriptions, tus for file bytes.
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { ClipcutError, type GraphQLErrorEntry } from './errors.js';
import {
  CreatePlaybackTokenDocument,
  CreateUploadDocument,
  CreateWebhookDocument,
  DeleteVideoDocument,
  DeleteWebhookDocument,
  MeDocument,
  MyVideosDocument,
  PlaybackTokensDocument,
  RevokePlaybackTokenDocument,
  RotateWebhookSecretDocument,
  UnfinishedUploadDocument,
  VideoDocument,
  VideoProgressDocument,
  VideosDocument,
  type CreateUploadInput,
  type CreateUploadMutation,
  type CreateWebhookInput,
  type CreateWebhookMutation,
  type MeQuery,
  type PlaybackTokenFieldsFragment,
  type RotateWebhookSecretMutation,
  type UnfinishedUploadQuery,
  type VideoFieldsFragment,
  type VideoFilter,
  type VideoPageFieldsFragment,
  type VideoProgressSubscription,
} from './generated/graphql.js';
import { importNodeOnly, openSource, sendToUploadUrl, type SendOptions, type UploadSource } from './upload.js';

/** A video as the SDK reads it (every field of the `VideoFields` fragment). */
export type Video = VideoFieldsFragment;
/** One event of `videoProgress`. */
export type VideoProgress = VideoProgressSubscription['videoProgress'];
/** A share link. */
export type PlaybackToken = PlaybackTokenFieldsFragment;
/** A page of videos. */
export type VideoPage = VideoPageFieldsFragment;
/** The signed-in user. */
export type Me = NonNullable<MeQuery['me']>;
/** A created upload: the video, UPLOADING, and where its bytes go. */
export type CreatedUpload = CreateUploadMutation['createUpload'];
/** An upload of yours that has not finished: its video, where its bytes go and how many arrived. */
export type UnfinishedUpload = NonNullable<UnfinishedUploadQuery['unfinishedUpload']>;
/**
 * Names a video: its id, or `{ publicId }` (`Video.publicId`), how anyone
 * but its owner and administrators reaches an UNLISTED video.
 */
export type VideoRef = string | { id: string } | { publicId: string };
/** A new webhook and its secret (shown only now). */
export type CreatedWebhook = CreateWebhookMutation['createWebhook'];
/** A webhook's new secret (shown only now). */
export type RotatedWebhookSecret = RotateWebhookSecretMutation['rotateWebhookSecret'];

/** Options of a Clipcut client. */
export interface ClipcutOptions {
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /**
   * A WebSocket constructor for subscriptions (default: the global
   * WebSocket, else the `ws` package, which Node 20 needs).
   */
  webSocketImpl?: unknown;
  /** How often a request refused with 429 is retried after its Retry-After (default 3). */
  rateLimitRetries?: number;
}

/** Paging and filtering of a list of videos (Relay). */
export interface ListOptions {
  /** Videos from the start (after `after`), 1 to 100; default 20 when `last` is not given. */
  first?: number;
  /** A previous page's `pageInfo.endCursor`. */
  after?: string;
  /** Videos from the end (before `before`), 1 to 100. */
  last?: number;
  /** A page's `pageInfo.startCursor`. */
  before?: string;
  /** Only videos matching this. */
  filter?: VideoFilter;
  /** Ask for `totalCount` (it reads every matching row). */
  totalCount?: boolean;
}

/** What `upload` needs besides the file. */
export interface UploadOptions extends SendOptions, Omit<CreateUploadInput, 'size' | 'title' | 'filename'> {
  /** Title, 1 to 200 characters (default: the file's name). */
  title?: string;
  /** The file's name, for the record (default: a path's or File's name). */
  filename?: string;
  /** Called once the video exists, before any byte is sent. */
  onCreated?: (created: CreatedUpload) => void;
  /**
   * First look for an unfinished upload of yours of the same file (same
   * name and size, started by any client: see `resume`) and continue it
   * instead of creating a video.
   */
  resume?: boolean;
}

/** What `resume` needs besides the file. */
export interface ResumeOptions extends SendOptions {
  /** The file's name as it was uploaded (default: a path's or File's name). */
  filename?: string;
}

/** A GraphQL document the client can send: a generated typed document or plain text. */
export type Document<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> | string;

/** A random idempotency key (a UUID). */
function randomKey(): string {
  return globalThis.crypto.randomUUID();
}

/** The variables naming a video by id or by public id. */
function refVariables(ref: VideoRef): { id: string } | { publicId: string } {
  if (typeof ref === 'string') return { id: ref };
  if ('publicId' in ref) return { publicId: ref.publicId };
  return { id: ref.id };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A client for one clipcut instance, acting with one token (an API token
 * `ccp_…` or a session token `ccs_…`; none for public data only).
 *
 * ```ts
 * const clipcut = new Clipcut('https://video.example.com', process.env.CLIPCUT_TOKEN)
 * const video = await clipcut.upload('holiday.mp4', { onProgress: (p) => console.log(p.percent) })
 * await clipcut.waitUntilReady(video.id)
 * ```
 */
export class Clipcut {
  /** The instance's base URL, without a trailing slash. */
  readonly url: string;
  readonly #token?: string;
  readonly #fetch: typeof fetch;
  readonly #wsImpl?: unknown;
  readonly #retries: number;
  #ws?: Promise<WsClient>;

  constructor(url: string, token?: string, options: ClipcutOptions = {}) {
    this.url = url.replace(/\/+$/, '');
    this.#token = token || undefined;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#wsImpl = options.webSocketImpl;
    this.#retries = options.rateLimitRetries ?? 3;
  }

  /**
   * Runs one query or mutation (any document: the generated ones, or your
   * own text) and returns its `data`. Throws a ClipcutError for any GraphQL
   * error; a 429 is retried after its Retry-After.
   */
  async request<TResult, TVariables>(document: Document<TResult, TVariables>, variables?: TVariables): Promise<TResult> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (this.#token) headers.Authorization = `Bearer ${this.#token}`;
    const body = JSON.stringify({ query: String(document), variables: variables ?? {} });
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.#fetch(`${this.url}/graphql`, { method: 'POST', headers, body });
      } catch (err) {
        throw new ClipcutError(`cannot reach ${this.url}: ${err instanceof Error ? err.message : err}`, { code: 'NETWORK', cause: err });
      }
      let json: { data?: TResult | null; errors?: GraphQLErrorEntry[] } | undefined;
      try {
        json = (await res.json()) as typeof json;
      } catch {
        throw new ClipcutError(`${this.url}/graphql answered ${res.status} without JSON`, { code: 'HTTP', status: res.status });
      }
      if (res.status === 429 && attempt < this.#retries) {
        const wait = Number(res.headers.get('Retry-After') ?? '1');
        await sleep(Math.max(1, Number.isFinite(wait) ? wait : 1) * 1000);
        continue;
      }
      if (json?.errors?.length) throw ClipcutError.fromGraphQL(json.errors, res.status);
      if (!res.ok || !json?.data) {
        throw new ClipcutError(`${this.url}/graphql answered ${res.status}`, { code: 'HTTP', status: res.status });
      }
      return json.data;
    }
  }

  /** The user the token belongs to; null without a token. */
  async me(): Promise<Me | null> {
    return (await this.request(MeDocument)).me;
  }

  /**
   * One video with where to play it (`playback`), or null when you cannot
   * see it: by id, or `{ publicId }` (an UNLISTED video opens to anyone
   * through its public id only; its `id` then reads as the public id in
   * UUID form).
   */
  async video(ref: VideoRef): Promise<Video | null> {
    return (await this.request(VideoDocument, refVariables(ref))).video;
  }

  /** A page of the public feed: PUBLIC, playable videos of every user, newest first. */
  async videos(options: ListOptions = {}): Promise<VideoPage> {
    return (await this.request(VideosDocument, listVariables(options))).videos;
  }

  /** A page of your own videos, newest first, every status and privacy. */
  async myVideos(options: ListOptions = {}): Promise<VideoPage> {
    const { me } = await this.request(MyVideosDocument, listVariables(options));
    if (!me) throw new ClipcutError('myVideos needs a token', { code: 'UNAUTHENTICATED' });
    return me.videos;
  }

  /**
   * Creates a video and its tus upload (`createUpload`); send the bytes
   * with `sendFile`. The same `idempotencyKey` within 24 hours returns the
   * same video and upload URL, so a retry never makes a second video.
   */
  async createUpload(input: CreateUploadInput): Promise<CreatedUpload> {
    return (await this.request(CreateUploadDocument, { input })).createUpload;
  }

  /**
   * Sends a file to an upload URL (from createUpload) with tus. Calling it
   * again with the same URL resumes from the bytes the server has.
   */
  async sendFile(uploadUrl: string, source: UploadSource, options: SendOptions = {}): Promise<void> {
    const { input, size } = await openSource(source);
    await sendToUploadUrl(uploadUrl, input, size, options);
  }

  /**
   * Uploads a file: creates the video (with `passthrough`, `privacy`, … and
   * an `idempotencyKey`, a fresh UUID unless you give one), sends the bytes
   * with tus reporting `onProgress`, and returns the video as it is once
   * the last byte arrived (processing then starts: follow it with
   * `videoProgress` or `waitUntilReady`).
   *
   * To resume after a crash or an abort, call it again with the same
   * `idempotencyKey` (keep it with your record of the file): the same
   * video comes back and the bytes continue where they stopped.
   */
  async upload(source: UploadSource, options: UploadOptions = {}): Promise<Video> {
    const { input, size, name } = await openSource(source);
    const { title, filename, description, privacy, passthrough, idempotencyKey, onCreated, resume, ...send } = options;
    if (resume) {
      const resumed = await this.#resume(input, size, filename ?? name, send);
      if (resumed) return resumed;
    }
    const created = await this.createUpload({
      title: title ?? filename ?? name ?? 'Untitled',
      filename: filename ?? name,
      size,
      description,
      privacy,
      passthrough,
      idempotencyKey: idempotencyKey ?? randomKey(),
    });
    onCreated?.(created);
    await sendToUploadUrl(created.uploadUrl, input, size, send);
    return (await this.video(created.video.id)) ?? created.video;
  }

  /**
   * Your unfinished upload of a file named `filename` of `size` bytes,
   * started by any client (another browser, another process) and not
   * expired, or null: ask before creating a video so that the same file
   * continues its upload instead of making a second video. Needs
   * `uploads:write`.
   */
  async unfinishedUpload(filename: string, size: number): Promise<UnfinishedUpload | null> {
    return (await this.request(UnfinishedUploadDocument, { filename, size })).unfinishedUpload;
  }

  /**
   * Continues your unfinished upload of this file (found with
   * `unfinishedUpload` by its name and size, wherever it was started):
   * sends the bytes from where the server's stopped, reporting
   * `onProgress`, and returns the video once the last byte arrived. Null
   * when there is none to continue: `upload` the file instead (or call
   * `upload` with `resume: true`, which does both). This is how the web
   * app resumes an upload begun in another browser.
   */
  async resume(source: UploadSource, options: ResumeOptions = {}): Promise<Video | null> {
    const { input, size, name } = await openSource(source);
    const { filename, ...send } = options;
    return this.#resume(input, size, filename ?? name, send);
  }

  async #resume(input: unknown, size: number, filename: string | undefined, send: SendOptions): Promise<Video | null> {
    if (!filename) throw new TypeError('resume needs the file\'s name: pass filename');
    const found = await this.unfinishedUpload(filename, size);
    if (!found) return null;
    await sendToUploadUrl(found.uploadUrl, input, size, send);
    return (await this.video(found.video.id)) ?? found.video;
  }

  /**
   * Live processing progress of a video (`videoProgress` over a websocket),
   * by id or `{ publicId }` (how anyone but its owner follows an UNLISTED
   * video): the current state first, then every change, ending after
   * READY or FAILED, or at once when you may no longer see the video (it
   * turned PRIVATE, or its public id was rotated). Break out of the loop
   * to stop listening.
   */
  async *videoProgress(ref: VideoRef): AsyncGenerator<VideoProgress, void, undefined> {
    const ws = await this.#wsClient();
    const events = ws.iterate<VideoProgressSubscription, { id: string } | { publicId: string }>({
      query: String(VideoProgressDocument),
      variables: refVariables(ref),
    });
    try {
      for await (const result of events) {
        const errors = result.errors as GraphQLErrorEntry[] | undefined;
        if (errors?.length) throw ClipcutError.fromGraphQL(errors);
        if (result.data) yield result.data.videoProgress;
      }
    } finally {
      await events.return?.(undefined);
    }
  }

  /**
   * Follows `videoProgress` until the video is READY and returns its last
   * event; throws a ClipcutError (code PROCESSING_FAILED) when it FAILED.
   */
  async waitUntilReady(ref: VideoRef, options: { onProgress?: (p: VideoProgress) => void } = {}): Promise<VideoProgress> {
    let last: VideoProgress | undefined;
    for await (const p of this.videoProgress(ref)) {
      last = p;
      options.onProgress?.(p);
      if (p.status === 'FAILED') {
        throw new ClipcutError(`processing failed: ${p.error ?? 'unknown reason'}`, { code: 'PROCESSING_FAILED' });
      }
      if (p.status === 'READY') return p;
    }
    throw new ClipcutError(`videoProgress ended at ${last?.status ?? 'no event'}, before READY`, { code: 'INTERNAL' });
  }

  /** Deletes one of your videos (also ends its unfinished upload). */
  async deleteVideo(id: string): Promise<boolean> {
    return (await this.request(DeleteVideoDocument, { id })).deleteVideo;
  }

  /**
   * Signs a share link to one of your videos, valid `ttl` seconds (default
   * 86400, 60 to 604800), optionally only on pages of `allowedOrigins`.
   * Needs the `videos:share` scope.
   */
  async createPlaybackToken(videoId: string, options: { ttl?: number; allowedOrigins?: string[] } = {}): Promise<PlaybackToken> {
    const { createPlaybackToken } = await this.request(CreatePlaybackTokenDocument, {
      videoId,
      ttl: options.ttl,
      allowedOrigins: options.allowedOrigins,
    });
    return createPlaybackToken;
  }

  /** The live share links of one of your videos, newest first. */
  async playbackTokens(videoId: string): Promise<PlaybackToken[]> {
    return (await this.request(PlaybackTokensDocument, { videoId })).playbackTokens;
  }

  /** Revokes a share link: its media answers 403 from now on. */
  async revokePlaybackToken(id: string): Promise<boolean> {
    return (await this.request(RevokePlaybackTokenDocument, { id })).revokePlaybackToken;
  }

  /** Registers a webhook receiver; keep the returned `secret` for verifyWebhook. Needs `webhooks:write`. */
  async createWebhook(input: CreateWebhookInput): Promise<CreatedWebhook> {
    return (await this.request(CreateWebhookDocument, { input })).createWebhook;
  }

  /**
   * Gives a webhook a new secret; the old one keeps signing beside it for
   * `gracePeriod` seconds (default 86400), so deliveries carry two `v1=`.
   */
  async rotateWebhookSecret(id: string, gracePeriod?: number): Promise<RotatedWebhookSecret> {
    return (await this.request(RotateWebhookSecretDocument, { id, gracePeriod })).rotateWebhookSecret;
  }

  /** Deletes a webhook and its delivery log. */
  async deleteWebhook(id: string): Promise<boolean> {
    return (await this.request(DeleteWebhookDocument, { id })).deleteWebhook;
  }

  /** Closes the subscription websocket, if one is open. */
  async close(): Promise<void> {
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws) await (await ws).dispose();
  }

  #wsClient(): Promise<WsClient> {
    this.#ws ??= (async () => {
      let impl = this.#wsImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
      // Node 20 has no global WebSocket: the ws package (a dependency).
      if (!impl) impl = (await importNodeOnly<typeof import('ws')>('ws')).default;
      return createWsClient({
        url: this.url.replace(/^http/, 'ws') + '/graphql',
        webSocketImpl: impl,
        connectionParams: this.#token ? { Authorization: `Bearer ${this.#token}` } : undefined,
        // Each subscription's socket closes when it is the last to end;
        // the next one opens another.
        lazy: true,
      });
    })();
    return this.#ws;
  }
}

function listVariables(o: ListOptions) {
  return { first: o.first, after: o.after, last: o.last, before: o.before, filter: o.filter, count: o.totalCount ?? false };
}

/** A client for the instance at `url`, acting with `token` (see Clipcut). */
export function createClient(url: string, token?: string, options?: ClipcutOptions): Clipcut {
  return new Clipcut(url, token, options);
}
