// Turns a urql CombinedError into what a form shows: a message next to each
// named field, and one message for everything else.
import type { CombinedError } from '@urql/core';

/** The messages a form displays for a failed operation. */
export interface FormErrors {
  /** Messages for fields named by `BAD_USER_INPUT` errors (`extensions.field`). */
  fields: Record<string, string>;
  /** A message for the alert region, or null when every error belongs to a field. */
  message: string | null;
}

/** Shown when the request never got a GraphQL answer. */
export const NETWORK_ERROR_MESSAGE =
  "Can't reach the clipcut server. Check your connection and try again.";

/** Shown for INTERNAL errors, whose server message says nothing useful. */
export const INTERNAL_ERROR_MESSAGE = 'Something went wrong on our side. Please try again in a moment.';

/** The `extensions.code` values the API documents. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'QUOTA_EXCEEDED'
  | 'RATE_LIMITED'
  | 'INTERNAL';

/** Says how long to wait, in words: "30 seconds", "1 minute", "3 minutes". */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return s === 1 ? '1 second' : `${s} seconds`;
  const m = Math.ceil(s / 60);
  return m === 1 ? '1 minute' : `${m} minutes`;
}

/**
 * Sorts the errors of a failed operation. Errors for a field in `fields` go
 * next to that field; the first other error becomes the alert message.
 */
export function formErrors(error: CombinedError | undefined | null, fields: readonly string[] = []): FormErrors {
  const result: FormErrors = { fields: {}, message: null };
  if (!error) return result;

  if (error.networkError || error.graphQLErrors.length === 0) {
    result.message = NETWORK_ERROR_MESSAGE;
    return result;
  }

  for (const e of error.graphQLErrors) {
    const ext = e.extensions ?? {};
    const code = typeof ext.code === 'string' ? ext.code : undefined;
    const field = typeof ext.field === 'string' ? ext.field : undefined;

    if (code === 'BAD_USER_INPUT' && field && fields.includes(field)) {
      result.fields[field] ??= e.message;
      continue;
    }
    result.message ??= messageFor(code, e.message, ext.retryAfter);
  }
  return result;
}

function messageFor(code: string | undefined, serverMessage: string, retryAfter: unknown): string {
  switch (code) {
    case 'RATE_LIMITED': {
      const wait = typeof retryAfter === 'number' ? retryAfter : Number(retryAfter);
      return Number.isFinite(wait) && wait > 0
        ? `Too many attempts. Try again in ${formatWait(wait)}.`
        : 'Too many attempts. Wait a little and try again.';
    }
    case 'INTERNAL':
      return INTERNAL_ERROR_MESSAGE;
    default:
      return serverMessage || INTERNAL_ERROR_MESSAGE;
  }
}
