import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeClipcut } from '../test/fakeServer';
import { renderApp } from '../test/render';

vi.mock('../graphql/client', async () => ({
  createClipcutClient: (await import('../test/fakeServer')).fakeClient,
}));

const ada = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse' };

async function logIn(email: string, password: string) {
  const user = userEvent.setup();
  const emailInput = await screen.findByLabelText('Email');
  const passwordInput = screen.getByLabelText('Password');
  await user.clear(emailInput);
  await user.type(emailInput, email);
  await user.clear(passwordInput);
  await user.type(passwordInput, password);
  await user.click(screen.getByRole('button', { name: 'Log in' }));
}

describe('log-in page', () => {
  it('shows the server message for a wrong password, then logs in and switches the header', async () => {
    fakeClipcut({ accounts: [ada] });
    renderApp('/');
    const banner = screen.getByRole('banner');

    await userEvent.click(await within(banner).findByRole('link', { name: 'Log in' }));
    const heading = await screen.findByRole('heading', { level: 1, name: 'Log in' });
    await waitFor(() => expect(heading).toHaveFocus());

    await logIn(ada.email, 'wrong password');
    expect(await screen.findByRole('alert')).toHaveTextContent('Incorrect email or password.');
    expect(within(banner).getByRole('link', { name: 'Log in' })).toBeInTheDocument();

    await logIn(ada.email, ada.password);
    expect(await within(banner).findByRole('link', { name: /Ada Lovelace/ })).toHaveAttribute('href', '/account');
    expect(within(banner).queryByRole('link', { name: 'Log in' })).not.toBeInTheDocument();
    expect(within(banner).queryByRole('link', { name: 'Sign up' })).not.toBeInTheDocument();
    expect(window.location.pathname).toBe('/');
  });

  it('says how long to wait when rate limited', async () => {
    fakeClipcut({
      accounts: [ada],
      override: ({ name }) =>
        name === 'LogIn'
          ? { data: null, errors: [{ message: 'Too many attempts.', extensions: { code: 'RATE_LIMITED', retryAfter: 30 } }] }
          : undefined,
    });
    renderApp('/login');
    await logIn(ada.email, ada.password);
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many attempts. Try again in 30 seconds.');
  });

  it('sends a signed-in visitor on to where they were going', async () => {
    fakeClipcut({ accounts: [ada], signedInAs: ada.email });
    renderApp('/login?next=%2Faccount');
    expect(await screen.findByRole('heading', { level: 1, name: 'Your account' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/account');
  });
});
