// What went wrong with an upload, in words the person can act on.
import type { CombinedError } from '@urql/core';
import { formErrors, NETWORK_ERROR_MESSAGE } from '../graphql/errors';
import type { UploadError } from './machine';

export const SESSION_EXPIRED_MESSAGE = 'Your session has expired. Log in again, then add the file again.';
export const OFFLINE_MESSAGE = 'The connection was lost. The upload continues by itself when it is back, or resume it now.';
export const EXPIRED_MESSAGE = 'This upload expired or was removed from the server. Add the file again to start over.';

/** Sorts a failed createUpload into what the page shows. */
export function createUploadError(error: CombinedError): UploadError {
  if (error.networkError || error.graphQLErrors.length === 0) {
    return { kind: 'network', message: NETWORK_ERROR_MESSAGE };
  }
  const first = error.graphQLErrors[0]!;
  const code = first.extensions?.code;
  switch (code) {
    case 'QUOTA_EXCEEDED':
      return { kind: 'quota', message: first.message || 'This upload is over your limits.' };
    case 'UNAUTHENTICATED':
      return { kind: 'session', message: SESSION_EXPIRED_MESSAGE };
    case 'BAD_USER_INPUT':
      return { kind: 'input', message: first.message };
    default:
      return { kind: 'other', message: formErrors(error).message ?? first.message };
  }
}

/** The parts of tus-js-client's DetailedError this module reads. */
export interface TusErrorLike {
  message?: string;
  originalRequest?: unknown;
  originalResponse?: { getStatus(): number; getBody(): string } | null;
}

function statusOf(err: TusErrorLike): number {
  try {
    return err.originalResponse?.getStatus() ?? 0;
  } catch {
    return 0;
  }
}

/** The server's message from a tus error body ("ERR_UPLOAD_EXPIRED: This upload …"). */
function serverMessage(err: TusErrorLike): string {
  let body = '';
  try {
    body = err.originalResponse?.getBody() ?? '';
  } catch {
    body = '';
  }
  return body.replace(/^ERR_[A-Z_]+:\s*/, '').trim().slice(0, 300);
}

function online(): boolean {
  return typeof navigator === 'undefined' || navigator.onLine !== false;
}

/**
 * Whether tus-js-client should try a failed request again: on a dropped
 * connection, a server error or a locked upload, as long as the browser
 * believes it is online (offline, the page waits for the "online" event).
 */
export function shouldRetryTus(err: TusErrorLike): boolean {
  const status = statusOf(err);
  return (status === 0 || status >= 500 || status === 409 || status === 423) && online();
}

/** Sorts a tus error that ended the upload into what the page shows. */
export function tusUploadError(err: TusErrorLike): UploadError {
  const status = statusOf(err);
  const said = serverMessage(err);
  if (status === 0) return { kind: 'network', message: OFFLINE_MESSAGE };
  if (status === 404 || status === 410) return { kind: 'expired', message: EXPIRED_MESSAGE };
  if (status === 403) return { kind: 'expired', message: said ? `${said} Add the file again to start over.` : EXPIRED_MESSAGE };
  if (status === 401) return { kind: 'session', message: SESSION_EXPIRED_MESSAGE };
  if (status === 413 || status === 429) return { kind: 'quota', message: said || 'This upload is over your limits.' };
  if (status >= 500 || status === 409 || status === 423) {
    return { kind: 'network', message: `The server could not take the upload just now (${status}). Resume to try again.` };
  }
  return { kind: 'other', message: said || err.message || `The upload failed (${status}).` };
}
