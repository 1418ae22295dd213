import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeClipcut, sent } from '../test/fakeServer';
import { renderApp } from '../test/render';

vi.mock('../graphql/client', async () => ({
  createClipcutClient: (await import('../test/fakeServer')).fakeClient,
}));

const ada = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse' };

describe('account page', () => {
  it("shows the viewer's details", async () => {
    fakeClipcut({ accounts: [ada], signedInAs: ada.email });
    renderApp('/account');

    expect(await screen.findByText('ada@example.com')).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Your account' })).toBeInTheDocument();
    expect(screen.getByText('Member')).toBeInTheDocument();
    expect(screen.getByText('usr_1')).toBeInTheDocument();
    expect(document.title).toBe('Your account · clipcut');
  });

  it('logs out from the account page and the header offers Log in again', async () => {
    const server = fakeClipcut({ accounts: [ada], signedInAs: ada.email });
    renderApp('/account');
    const main = screen.getByRole('main');

    await userEvent.click(await within(main).findByRole('button', { name: 'Log out' }));

    const banner = screen.getByRole('banner');
    expect(await within(banner).findByRole('link', { name: 'Log in' })).toBeInTheDocument();
    expect(within(banner).queryByText('Ada Lovelace')).not.toBeInTheDocument();
    expect(server.session).toBeNull();
    expect(sent.map((op) => op.name)).toContain('LogOut');
    expect(window.location.pathname).toBe('/');
  });

  it('logs out from the header', async () => {
    fakeClipcut({ accounts: [ada], signedInAs: ada.email });
    renderApp('/');
    const banner = screen.getByRole('banner');

    await userEvent.click(await within(banner).findByRole('button', { name: 'Log out' }));
    expect(await within(banner).findByRole('link', { name: 'Sign up' })).toBeInTheDocument();
  });

  it('keeps the user signed in and says why when logging out fails', async () => {
    fakeClipcut({
      accounts: [ada],
      signedInAs: ada.email,
      override: ({ name }) => (name === 'LogOut' ? { networkError: new TypeError('Failed to fetch') } : undefined),
    });
    renderApp('/account');

    await userEvent.click(await within(screen.getByRole('main')).findByRole('button', { name: 'Log out' }));
    expect(await screen.findByRole('alert')).toHaveTextContent("Can't reach the clipcut server");
    expect(within(screen.getByRole('banner')).getByText('Ada Lovelace')).toBeInTheDocument();
  });

  it('offers to log in when signed out', async () => {
    fakeClipcut();
    renderApp('/account');
    expect(await screen.findByText('You’re not logged in.')).toBeInTheDocument();
    expect(within(screen.getByRole('main')).getByRole('link', { name: 'Log in' })).toHaveAttribute('href', '/login?next=%2Faccount');
  });
});
