import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { NETWORK_ERROR_MESSAGE } from '../graphql/errors';
import { badInput, fakeClipcut, sent } from '../test/fakeServer';
import { renderApp } from '../test/render';

vi.mock('../graphql/client', async () => ({
  createClipcutClient: (await import('../test/fakeServer')).fakeClient,
}));

async function fillSignUp(values: { name: string; email: string; password: string }) {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('Name'), values.name);
  await user.type(screen.getByLabelText('Email'), values.email);
  await user.type(screen.getByLabelText('Password'), values.password);
  await user.click(screen.getByRole('button', { name: 'Sign up' }));
  return user;
}

describe('sign-up page', () => {
  it('shows the password error next to the password field', async () => {
    fakeClipcut();
    renderApp('/signup');

    await fillSignUp({ name: 'Ada', email: 'ada@example.com', password: 'short' });

    const password = screen.getByLabelText('Password');
    await waitFor(() => expect(password).toHaveAttribute('aria-invalid', 'true'));
    expect(password).toHaveAccessibleDescription(expect.stringContaining('Password must be at least 8 characters.'));
    await waitFor(() => expect(password).toHaveFocus());
    expect(screen.getByLabelText('Email')).not.toHaveAttribute('aria-invalid');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    // Still signed out.
    expect(within(screen.getByRole('banner')).getByRole('link', { name: 'Log in' })).toBeInTheDocument();
  });

  it('reports every invalid field at once, before sending', async () => {
    fakeClipcut();
    renderApp('/signup');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Email'), 'not-an-email');
    await user.type(screen.getByLabelText('Password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Sign up' }));

    const name = screen.getByLabelText('Name');
    await waitFor(() => expect(name).toHaveAttribute('aria-invalid', 'true'));
    expect(name).toHaveAccessibleDescription(expect.stringContaining('Name must be 1 to 80 characters.'));
    expect(screen.getByLabelText('Email')).toHaveAccessibleDescription('Enter a valid email address, like name@example.com.');
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription(expect.stringContaining('Password must be at least 8 characters.'));
    expect(name).toHaveFocus();
    expect(sent.filter((c) => c.name === 'SignUp')).toHaveLength(0);
  });

  it('clears a field error once the field is edited', async () => {
    fakeClipcut({ override: ({ name }) => (name === 'SignUp' ? badInput('email', 'That email is already in use.') : undefined) });
    renderApp('/signup');

    const user = await fillSignUp({ name: 'Ada', email: 'ada@example.com', password: 'long enough' });
    const email = screen.getByLabelText('Email');
    await waitFor(() => expect(email).toHaveAccessibleDescription('That email is already in use.'));
    await waitFor(() => expect(email).toHaveFocus());

    await user.type(email, 'm');
    expect(email).not.toHaveAttribute('aria-invalid');
    expect(screen.queryByText('That email is already in use.')).not.toBeInTheDocument();
  });

  it('signs up, goes home and shows the new user in the header', async () => {
    fakeClipcut();
    renderApp('/signup');

    await fillSignUp({ name: 'Ada Lovelace', email: '  ada@example.com ', password: 'correct horse' });

    const banner = screen.getByRole('banner');
    expect(await within(banner).findByText('Ada Lovelace')).toBeInTheDocument();
    expect(within(banner).getByRole('button', { name: 'Log out' })).toBeInTheDocument();
    expect(within(banner).queryByRole('link', { name: 'Log in' })).not.toBeInTheDocument();
    expect(window.location.pathname).toBe('/');
    expect(await screen.findByRole('heading', { level: 1, name: 'Latest videos' })).toBeInTheDocument();

    const signUp = sent.find((op) => op.name === 'SignUp');
    expect(signUp?.variables).toEqual({
      input: { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse' },
    });
  });

  it('returns to the page named by ?next after signing up', async () => {
    fakeClipcut();
    renderApp('/signup?next=%2Faccount');
    await fillSignUp({ name: 'Ada', email: 'ada@example.com', password: 'correct horse' });
    expect(await screen.findByText('ada@example.com')).toBeInTheDocument();
    expect(window.location.pathname).toBe('/account');
  });

  it('says so when the server cannot be reached', async () => {
    fakeClipcut({ override: ({ name }) => (name === 'SignUp' ? { networkError: new TypeError('Failed to fetch') } : undefined) });
    renderApp('/signup');

    await fillSignUp({ name: 'Ada', email: 'ada@example.com', password: 'correct horse' });

    expect(await screen.findByRole('alert')).toHaveTextContent(NETWORK_ERROR_MESSAGE);
    expect(window.location.pathname).toBe('/signup');
  });
});
