import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { fakeServer, sent } from './test/fakeServer';
import { renderApp } from './test/render';

vi.mock('./graphql/client', async () => ({
  createClipcutClient: (await import('./test/fakeServer')).fakeClient,
}));

describe('a stale session cookie', () => {
  it('signs out and asks again anonymously when the server refuses the cookie', async () => {
    // The server answers the first `me` 401 UNAUTHENTICATED (and clears the
    // cookie); after that the browser sends none, so `me` is null.
    let refused = false;
    fakeServer(({ name }) => {
      if (name === 'Me' && !refused) {
        refused = true;
        return { errors: [{ message: 'The session or API token is invalid, expired or revoked.', extensions: { code: 'UNAUTHENTICATED' } }] };
      }
      if (name === 'Me') return { data: { me: null } };
      return { data: null };
    });
    renderApp('/');

    await vi.waitFor(() => expect(sent.filter((op) => op.name === 'Me')).toHaveLength(2));
    await vi.waitFor(() =>
      expect(within(screen.getByRole('banner')).getByRole('link', { name: 'Log in' })).toBeInTheDocument(),
    );
  });

  it('retries only once if the refusal repeats', async () => {
    fakeServer(({ name }) =>
      name === 'Me'
        ? { errors: [{ message: 'refused', extensions: { code: 'UNAUTHENTICATED' } }] }
        : { data: null },
    );
    renderApp('/');

    await vi.waitFor(() => expect(sent.filter((op) => op.name === 'Me')).toHaveLength(2));
    await new Promise((r) => setTimeout(r, 100));
    expect(sent.filter((op) => op.name === 'Me')).toHaveLength(2);
    expect(within(screen.getByRole('banner')).getByRole('link', { name: 'Log in' })).toBeInTheDocument();
  });
});
