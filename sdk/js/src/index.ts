// @clipcut/sdk: a typed client for a clipcut instance.
export { Clipcut, createClient } from './client.js';
export type {
  ClipcutOptions,
  CreatedUpload,
  CreatedWebhook,
  Document,
  ListOptions,
  Me,
  PlaybackToken,
  ResumeOptions,
  RotatedWebhookSecret,
  UnfinishedUpload,
  UploadOptions,
  Video,
  VideoPage,
  VideoProgress,
  VideoRef,
} from './client.js';
export { ClipcutError, type GraphQLErrorEntry } from './errors.js';
export type { SendOptions, UploadProgress, UploadSource } from './upload.js';
export {
  DEFAULT_TOLERANCE_SECONDS,
  SIGNATURE_HEADER,
  WebhookVerificationError,
  verifySignature,
  verifyWebhook,
  type VerifyWebhookOptions,
  type WebhookErrorCode,
  type WebhookHeaders,
} from './webhook.js';
// The generated typed documents and types, for `request` and your own code.
export * from './generated/graphql.js';
