import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ApiTokenItem } from '../graphql/integrations';
import { fakeClipcut, sent } from '../test/fakeServer';
import { renderApp } from '../test/render';

vi.mock('../graphql/client', async () => ({
  createClipcutClient: (await import('../test/fakeServer')).fakeClient,
}));

const ada = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse' };

function tokenServer() {
  let tokens: ApiTokenItem[] = [
    {
      id: 'tok_1',
      name: 'Backup script',
      prefix: 'ccp_1a2b3c4d',
      scopes: ['VIDEOS_READ'],
      createdAt: '2026-11-01T08:00:00Z',
      lastUsedAt: '2026-11-20T08:00:00Z',
      expiresAt: null,
    },
  ];
  fakeClipcut({
    accounts: [ada],
    signedInAs: ada.email,
    override: ({ name, variables }) => {
      switch (name) {
        case 'ApiTokens':
          return { data: { apiTokens: tokens } };
        case 'CreateApiToken': {
          const t: ApiTokenItem = {
            id: 'tok_2',
            name: variables.name as string,
            prefix: 'ccp_99887766',
            scopes: variables.scopes as ApiTokenItem['scopes'],
            createdAt: '2026-12-06T08:00:00Z',
            lastUsedAt: null,
            expiresAt: (variables.expiresAt as string | null) ?? null,
          };
          tokens = [t, ...tokens];
          return { data: { createApiToken: { token: 'ccp_99887766' + 'f'.repeat(56), apiToken: t } } };
        }
        case 'RevokeApiToken':
          tokens = tokens.filter((t) => t.id !== variables.id);
          return { data: { revokeApiToken: true } };
      }
      return undefined;
    },
  });
}

describe('API tokens page', () => {
  it('lists tokens with their scopes and last use, and links the GraphQL explorer', async () => {
    tokenServer();
    renderApp('/account/tokens');
    expect(await screen.findByRole('heading', { level: 1, name: 'API tokens' })).toBeInTheDocument();
    const item = (await screen.findByText('Backup script')).closest('li')!;
    expect(within(item).getByText('videos:read')).toBeInTheDocument();
    expect(within(item).getByText('ccp_1a2b3c4d…')).toBeInTheDocument();
    expect(within(item).getByText('Expires').nextElementSibling).toHaveTextContent('Never');
    expect(screen.getAllByRole('link', { name: 'GraphQL explorer' })[0]).toHaveAttribute('href', '/graphql');
  });

  it('reports every problem of the form at once', async () => {
    tokenServer();
    renderApp('/account/tokens');
    await userEvent.click(await screen.findByRole('checkbox', { name: /videos:read/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    expect(await screen.findByText(/Give the token a name/)).toBeInTheDocument();
    expect(screen.getByText('Choose at least one scope.')).toBeInTheDocument();
    expect(sent.some((op) => op.name === 'CreateApiToken')).toBe(false);
  });

  it('creates a token, shows its secret once with a copy button, and revokes it', async () => {
    tokenServer();
    const copied: string[] = [];
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async (t: string) => void copied.push(t) } });
    renderApp('/account/tokens');

    await userEvent.type(await screen.findByLabelText('Name'), 'CI uploads');
    await userEvent.click(screen.getByRole('checkbox', { name: /uploads:write/ }));
    await userEvent.selectOptions(screen.getByLabelText('Expires after'), '30 days');
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));

    const secret = await screen.findByRole('region', { name: 'New token' });
    const field = within(secret).getByLabelText('Token');
    expect((field as HTMLInputElement).value).toMatch(/^ccp_99887766f{56}$/);
    await userEvent.click(within(secret).getByRole('button', { name: 'Copy token' }));
    expect(copied).toEqual([(field as HTMLInputElement).value]);
    const create = sent.find((op) => op.name === 'CreateApiToken')!;
    expect(create.variables.scopes).toEqual(['VIDEOS_READ', 'UPLOADS_WRITE']);
    const days = (Date.parse(create.variables.expiresAt as string) - Date.now()) / 86400_000;
    expect(Math.round(days)).toBe(30);
    const list = screen.getByRole('list', { name: 'Your tokens' });
    const item = (await within(list).findByText('CI uploads')).closest('li')!;
    expect(within(item).getByText('Last used').nextElementSibling).toHaveTextContent('Never');

    await userEvent.click(within(secret).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('region', { name: 'New token' })).not.toBeInTheDocument();

    await userEvent.click(within(item).getByRole('button', { name: 'Revoke CI uploads' }));
    await userEvent.click(within(within(item).getByRole('group', { name: 'Revoke CI uploads' })).getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(within(list).queryByText('CI uploads')).not.toBeInTheDocument());
    expect(sent.find((op) => op.name === 'RevokeApiToken')?.variables).toEqual({ id: 'tok_2' });
    expect(screen.getByText('Backup script')).toBeInTheDocument();
  });

  it('is reached from the account page', async () => {
    tokenServer();
    renderApp('/account');
    await userEvent.click(await screen.findByRole('link', { name: 'API tokens' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'API tokens' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Webhooks' })).toHaveAttribute('href', '/account/webhooks');
  });
});
