import { CombinedError } from '@urql/core';
import { GraphQLError } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NETWORK_ERROR_MESSAGE } from '../graphql/errors';
import { createUploadError, EXPIRED_MESSAGE, SESSION_EXPIRED_MESSAGE, shouldRetryTus, tusUploadError } from './errors';

const gqlError = (message: string, code: string) =>
  new CombinedError({ graphQLErrors: [new GraphQLError(message, { extensions: { code } })] });

const tusError = (status: number, body = '') => ({
  message: `tus: failed (${status})`,
  originalRequest: {},
  originalResponse: status === 0 ? null : { getStatus: () => status, getBody: () => body },
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('createUploadError', () => {
  it('keeps the server message for quota and input errors', () => {
    expect(createUploadError(gqlError('The file is 12 GiB; the limit is 10 GiB.', 'QUOTA_EXCEEDED'))).toEqual({
      kind: 'quota',
      message: 'The file is 12 GiB; the limit is 10 GiB.',
    });
    expect(createUploadError(gqlError('Title is too long.', 'BAD_USER_INPUT')).kind).toBe('input');
  });

  it('tells an expired session and a network failure apart', () => {
    expect(createUploadError(gqlError('Log in first.', 'UNAUTHENTICATED'))).toEqual({ kind: 'session', message: SESSION_EXPIRED_MESSAGE });
    expect(createUploadError(new CombinedError({ networkError: new TypeError('Failed to fetch') }))).toEqual({
      kind: 'network',
      message: NETWORK_ERROR_MESSAGE,
    });
  });
});

describe('tus errors', () => {
  it('retries dropped connections, server errors and locks, but not client errors', () => {
    expect(shouldRetryTus(tusError(0))).toBe(true);
    expect(shouldRetryTus(tusError(502))).toBe(true);
    expect(shouldRetryTus(tusError(423))).toBe(true);
    expect(shouldRetryTus(tusError(404))).toBe(false);
    expect(shouldRetryTus(tusError(403))).toBe(false);
  });

  it('does not retry while the browser is offline', () => {
    vi.stubGlobal('navigator', { onLine: false });
    expect(shouldRetryTus(tusError(0))).toBe(false);
  });

  it('turns the final error into a message a person can act on', () => {
    expect(tusUploadError(tusError(0)).kind).toBe('network');
    expect(tusUploadError(tusError(410, 'ERR_UPLOAD_EXPIRED: This upload expired before it finished; start a new one.'))).toEqual({
      kind: 'expired',
      message: EXPIRED_MESSAGE,
    });
    expect(tusUploadError(tusError(403, 'ERR_FORBIDDEN: This upload URL has expired.\n')).message).toBe(
      'This upload URL has expired. Add the file again to start over.',
    );
    expect(tusUploadError(tusError(413, 'ERR_MAX_SIZE_EXCEEDED: file_size limit 1 GiB'))).toEqual({ kind: 'quota', message: 'file_size limit 1 GiB' });
    expect(tusUploadError(tusError(503)).kind).toBe('network');
  });
});
