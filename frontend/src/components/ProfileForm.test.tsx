import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { badInput, fakeClipcut, sent } from '../test/fakeServer';
import { renderApp } from '../test/render';

vi.mock('../graphql/client', async () => ({
  createClipcutClient: (await import('../test/fakeServer')).fakeClient,
}));

const ada = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse' };

function server(taken = false) {
  return fakeClipcut({
    accounts: [ada],
    signedInAs: ada.email,
    override: ({ name, variables }) => {
      if (name === 'Profile') return { data: { me: { __typename: 'User', id: 'usr_1', handle: 'ada-lovelace', description: '' } } };
      if (name === 'UpdateProfile') {
        const input = variables.input as { handle: string; description: string };
        if (taken) return badInput('handle', 'That handle is taken. Try another.');
        return { data: { updateProfile: { __typename: 'User', id: 'usr_1', ...input } } };
      }
      return undefined;
    },
  });
}

describe('channel settings on the account page', () => {
  it('saves the handle and description', async () => {
    server();
    renderApp('/account');
    const section = await screen.findByRole('region', { name: 'Your channel' });
    const handle = within(section).getByLabelText('Handle');
    await screen.findByDisplayValue('ada-lovelace');
    expect(within(section).getByRole('link', { name: 'your channel page' })).toHaveAttribute('href', '/c/ada-lovelace');
    await userEvent.clear(handle);
    await userEvent.type(handle, 'Ada');
    await userEvent.type(within(section).getByLabelText('About your channel'), 'Notes on engines.');
    await userEvent.click(within(section).getByRole('button', { name: 'Save channel' }));
    expect(await within(section).findByRole('status')).toHaveTextContent('Saved.');
    expect(sent.find((op) => op.name === 'UpdateProfile')?.variables).toEqual({ input: { handle: 'ada', description: 'Notes on engines.' } });
  });

  it('reports a malformed handle before sending, and a taken one from the server', async () => {
    server(true);
    renderApp('/account');
    const section = await screen.findByRole('region', { name: 'Your channel' });
    const handle = within(section).getByLabelText('Handle');
    await screen.findByDisplayValue('ada-lovelace');
    await userEvent.clear(handle);
    await userEvent.type(handle, '-bad-');
    await userEvent.click(within(section).getByRole('button', { name: 'Save channel' }));
    expect(await within(section).findByText(/1 to 30 lowercase letters/)).toBeInTheDocument();
    expect(sent.some((op) => op.name === 'UpdateProfile')).toBe(false);

    await userEvent.clear(handle);
    await userEvent.type(handle, 'bob');
    await userEvent.click(within(section).getByRole('button', { name: 'Save channel' }));
    expect(await within(section).findByText('That handle is taken. Try another.')).toBeInTheDocument();
    expect(handle).toHaveAttribute('aria-invalid', 'true');
  });
});
