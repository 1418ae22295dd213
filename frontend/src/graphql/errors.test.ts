import { CombinedError } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { formatWait, formErrors, INTERNAL_ERROR_MESSAGE, NETWORK_ERROR_MESSAGE } from './errors';

const gqlError = (message: string, extensions: Record<string, unknown>) =>
  new CombinedError({ graphQLErrors: [{ message, extensions }] });

describe('formErrors', () => {
  it('has nothing to show without an error', () => {
    expect(formErrors(undefined)).toEqual({ fields: {}, message: null });
  });

  it('puts a BAD_USER_INPUT error next to the field it names', () => {
    const error = gqlError('Password must be at least 8 characters.', { code: 'BAD_USER_INPUT', field: 'password' });
    expect(formErrors(error, ['email', 'password'])).toEqual({
      fields: { password: 'Password must be at least 8 characters.' },
      message: null,
    });
  });

  it('shows a BAD_USER_INPUT error for a field the form lacks in the alert', () => {
    const error = gqlError('Title is too long.', { code: 'BAD_USER_INPUT', field: 'title' });
    expect(formErrors(error, ['email'])).toEqual({ fields: {}, message: 'Title is too long.' });
  });

  it('keeps the server message for UNAUTHENTICATED', () => {
    const error = gqlError('Incorrect email or password.', { code: 'UNAUTHENTICATED' });
    expect(formErrors(error, ['email', 'password']).message).toBe('Incorrect email or password.');
  });

  it('says how long to wait when RATE_LIMITED', () => {
    expect(formErrors(gqlError('slow down', { code: 'RATE_LIMITED', retryAfter: 30 })).message).toBe(
      'Too many attempts. Try again in 30 seconds.',
    );
    expect(formErrors(gqlError('slow down', { code: 'RATE_LIMITED' })).message).toBe(
      'Too many attempts. Wait a little and try again.',
    );
  });

  it('hides INTERNAL details', () => {
    expect(formErrors(gqlError('pq: connection refused', { code: 'INTERNAL' })).message).toBe(INTERNAL_ERROR_MESSAGE);
  });

  it('explains a network failure', () => {
    const error = new CombinedError({ networkError: new TypeError('Failed to fetch') });
    expect(formErrors(error, ['email'])).toEqual({ fields: {}, message: NETWORK_ERROR_MESSAGE });
  });
});

describe('formatWait', () => {
  it.each([
    [1, '1 second'],
    [0.2, '1 second'],
    [42, '42 seconds'],
    [60, '1 minute'],
    [61, '2 minutes'],
  ])('%s s reads "%s"', (seconds, words) => {
    expect(formatWait(seconds)).toBe(words);
  });
});
