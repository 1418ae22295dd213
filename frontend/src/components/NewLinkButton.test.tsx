import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { PlayerLink } from '../player/link';
import { SessionProvider } from '../session';
import { fakeClipcut, sent } from '../test/fakeServer';
import { ShareButton, type SharedVideo } from './ShareButton';

vi.mock('../graphql/client', async () => ({
  createClipcutClient: (await import('../test/fakeServer')).fakeClient,
}));

const ada = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse' };
const unlisted: SharedVideo = { id: '0b8f6a52-3c1e-4d2a-9f6e-2f4c1a7b9d10', publicId: 'OldPublicId_0123456789', title: 'Draft', privacy: 'UNLISTED' };

beforeEach(() => {
  Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async () => {} } });
});

function renderShare(video: SharedVideo, isOwner: boolean) {
  render(
    <SessionProvider>
      <ShareButton video={video} link={new PlayerLink()} isOwner={isOwner} />
    </SessionProvider>,
  );
}

describe('new link (rotatePublicId)', () => {
  it('shares an unlisted video by its public id, and makes a new one only after confirmation', async () => {
    fakeClipcut({
      accounts: [ada],
      signedInAs: ada.email,
      override: ({ name }) => {
        if (name === 'RotatePublicId') return { data: { rotatePublicId: { __typename: 'Video', id: unlisted.id, publicId: 'NewPublicId_9876543210' } } };
        if (name === 'VideoEmbedSettings') return { data: { video: { __typename: 'Video', id: unlisted.id, embedOrigins: [] } } };
        return undefined;
      },
    });
    renderShare(unlisted, true);
    await userEvent.click(screen.getByRole('button', { name: 'Share' }));
    const dialog = await screen.findByRole('dialog', { name: 'Share' });
    const origin = window.location.origin;
    expect(within(dialog).getByLabelText('Link')).toHaveValue(`${origin}/watch/OldPublicId_0123456789`);
    expect((within(dialog).getByLabelText('Embed code') as HTMLTextAreaElement).value).toContain(`src="${origin}/embed/OldPublicId_0123456789"`);

    // The first click only asks; cancelling sends nothing.
    await userEvent.click(within(dialog).getByRole('button', { name: 'New link' }));
    expect(within(dialog).getByRole('group', { name: 'Confirm new link' })).toHaveTextContent('loses access');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(sent.filter((op) => op.name === 'RotatePublicId')).toHaveLength(0);

    await userEvent.click(within(dialog).getByRole('button', { name: 'New link' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Make a new link' }));
    expect(await within(dialog).findByText('New link made: the old one no longer works.')).toBeInTheDocument();
    expect(sent.filter((op) => op.name === 'RotatePublicId').map((op) => op.variables)).toEqual([{ videoId: unlisted.id }]);
    expect(within(dialog).getByLabelText('Link')).toHaveValue(`${origin}/watch/NewPublicId_9876543210`);
    expect((within(dialog).getByLabelText('Embed code') as HTMLTextAreaElement).value).toContain(`src="${origin}/embed/NewPublicId_9876543210"`);
  });

  it('is offered to the owner of an unlisted video only', async () => {
    fakeClipcut({ accounts: [ada], signedInAs: ada.email, override: ({ name }) => (name === 'VideoEmbedSettings' ? { data: { video: { __typename: 'Video', id: unlisted.id, embedOrigins: [] } } } : undefined) });
    renderShare(unlisted, false);
    await userEvent.click(screen.getByRole('button', { name: 'Share' }));
    const dialog = await screen.findByRole('dialog', { name: 'Share' });
    expect(within(dialog).queryByRole('button', { name: 'New link' })).not.toBeInTheDocument();
  });
});
