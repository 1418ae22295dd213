import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { PlayerLink } from '../player/link';
import { SessionProvider } from '../session';
import { badInput, fakeClipcut, sent } from '../test/fakeServer';
import { ShareButton, type SharedVideo } from './ShareButton';
import { embedCode, embedUrl } from './ShareDialog';
import { parseStart } from './startTime';

vi.mock('../graphql/client', async () => ({
  createClipcutClient: (await import('../test/fakeServer')).fakeClient,
}));

const ada = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse' };
const publicVideo: SharedVideo = { id: 'vid_1', title: 'Sunset "over" Brest', privacy: 'PUBLIC', width: 1280, height: 720 };

let copied: string[];
beforeEach(() => {
  copied = [];
  Object.defineProperty(navigator, 'clipboard', {
    configurable: true,
    value: { writeText: async (t: string) => void copied.push(t) },
  });
});

function renderShare(video: SharedVideo, { isOwner = false, time = 0 } = {}) {
  const link = new PlayerLink();
  link.update({ time });
  render(
    <SessionProvider>
      <main id="root">
        <p>Page behind</p>
        <ShareButton video={video} link={link} isOwner={isOwner} />
      </main>
    </SessionProvider>,
  );
  return link;
}

describe('share dialog', () => {
  it('offers the link, the link at the current time and the embed code, with copy buttons', async () => {
    fakeClipcut();
    renderShare(publicVideo, { time: 83.6 });
    await userEvent.click(screen.getByRole('button', { name: 'Share' }));

    const dialog = await screen.findByRole('dialog', { name: 'Share' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    const origin = window.location.origin;
    const linkField = within(dialog).getByLabelText('Link');
    expect(linkField).toHaveValue(`${origin}/watch/vid_1`);
    // The dialog takes focus in an effect, which may run after the dialog
    // is in the page (a busy machine showed the gap).
    await waitFor(() => expect(linkField).toHaveFocus());
    const code = within(dialog).getByLabelText('Embed code');
    expect(code).toHaveValue(
      `<iframe src="${origin}/embed/vid_1" width="640" height="360" title="Sunset &quot;over&quot; Brest" style="border:0" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen></iframe>`,
    );

    await userEvent.click(within(dialog).getByRole('checkbox', { name: 'Start at 1:23' }));
    expect(linkField).toHaveValue(`${origin}/watch/vid_1?t=83`);
    expect((code as HTMLTextAreaElement).value).toContain(`src="${origin}/embed/vid_1?start=83"`);

    await userEvent.click(within(dialog).getByRole('button', { name: 'Copy link' }));
    expect(copied).toEqual([`${origin}/watch/vid_1?t=83`]);
    expect(within(dialog).getByRole('button', { name: 'Copy link' })).toHaveTextContent('Copied');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Copy embed code' }));
    expect(copied[1]).toContain('<iframe');
    // Not the owner: no settings, no API call.
    expect(within(dialog).queryByLabelText('Sites allowed to embed')).not.toBeInTheDocument();
  });

  it('keeps focus inside, makes the page inert, and closes on Escape back to the button', async () => {
    fakeClipcut();
    renderShare(publicVideo);
    const button = screen.getByRole('button', { name: 'Share' });
    await userEvent.click(button);
    const dialog = await screen.findByRole('dialog', { name: 'Share' });
    expect(document.getElementById('root')).toHaveAttribute('inert');

    const close = within(dialog).getByRole('button', { name: 'Close' });
    const focusables = within(dialog).getAllByRole('button');
    const last = focusables[focusables.length - 1]!;
    last.focus();
    await userEvent.tab();
    expect(close).toHaveFocus();
    await userEvent.tab({ shift: true });
    expect(last).toHaveFocus();

    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(button).toHaveFocus();
    expect(document.getElementById('root')).not.toHaveAttribute('inert');
  });

  it('signs an embed code for a private video of the owner', async () => {
    fakeClipcut({
      accounts: [ada],
      signedInAs: ada.email,
      override: ({ name, variables }) => {
        if (name === 'SignEmbed') return { data: { createPlaybackToken: { token: `tok.${String(variables.ttl)}`, expiresAt: '2026-12-13T00:00:00Z' } } };
        if (name === 'VideoEmbedSettings') return { data: { video: { __typename: 'Video', id: 'vid_2', embedOrigins: [] } } };
        return undefined;
      },
    });
    renderShare({ id: 'vid_2', title: 'Secret', privacy: 'PRIVATE' }, { isOwner: true });
    await userEvent.click(screen.getByRole('button', { name: 'Share' }));
    const dialog = await screen.findByRole('dialog', { name: 'Share' });
    expect(within(dialog).getByText(/only you can watch it/)).toBeInTheDocument();
    expect(within(dialog).queryByLabelText('Embed code')).not.toBeInTheDocument();

    await userEvent.click(within(dialog).getByRole('button', { name: 'Create a signed embed code' }));
    const code = await within(dialog).findByLabelText('Embed code');
    expect((code as HTMLTextAreaElement).value).toContain(`/embed/vid_2?token=tok.604800"`);
  });

  it('saves the sites allowed to embed, and shows what the server refuses', async () => {
    fakeClipcut({
      accounts: [ada],
      signedInAs: ada.email,
      override: ({ name, variables }) => {
        if (name === 'VideoEmbedSettings') return { data: { video: { __typename: 'Video', id: 'vid_1', embedOrigins: ['https://a.example'] } } };
        if (name === 'UpdateEmbedOrigins') {
          const origins = variables.origins as string[];
          if (origins.some((o) => !o.startsWith('https://'))) return badInput('embedOrigins', `"${origins[1]}" is not an origin like https://blog.example.com.`);
          return { data: { updateVideo: { __typename: 'Video', id: 'vid_1', embedOrigins: origins } } };
        }
        return undefined;
      },
    });
    renderShare(publicVideo, { isOwner: true });
    await userEvent.click(screen.getByRole('button', { name: 'Share' }));
    const dialog = await screen.findByRole('dialog', { name: 'Share' });
    const origins = within(dialog).getByLabelText('Sites allowed to embed');
    await waitFor(() => expect(origins).toHaveValue('https://a.example'));

    await userEvent.type(origins, '\nblog.example');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save sites' }));
    expect(await within(dialog).findByText(/is not an origin/)).toBeInTheDocument();
    expect(origins).toHaveAttribute('aria-invalid', 'true');

    await userEvent.clear(origins);
    await userEvent.type(origins, 'https://a.example\nhttps://b.example');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save sites' }));
    expect(await within(dialog).findByText('Saved.')).toBeInTheDocument();
    expect(sent.filter((op) => op.name === 'UpdateEmbedOrigins').at(-1)?.variables).toEqual({
      id: 'vid_1',
      origins: ['https://a.example', 'https://b.example'],
    });
  });
});

describe('share helpers', () => {
  it('builds embed URLs and escapes the iframe code', () => {
    expect(embedUrl('https://v.example', 'x', { start: 12.9, token: 'a.b' })).toBe('https://v.example/embed/x?start=12&token=a.b');
    expect(embedCode('https://v.example/embed/x?start=1&token=t', '<b>&', 720, 1280)).toBe(
      '<iframe src="https://v.example/embed/x?start=1&amp;token=t" width="640" height="1138" title="&lt;b&gt;&amp;" style="border:0" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen></iframe>',
    );
  });

  it('reads start times as seconds, clock or 1m30s', () => {
    expect(parseStart('90')).toBe(90);
    expect(parseStart('1:30')).toBe(90);
    expect(parseStart('1:02:03')).toBe(3723);
    expect(parseStart('1m30s')).toBe(90);
    expect(parseStart('1h')).toBe(3600);
    expect(parseStart('soon')).toBe(0);
    expect(parseStart(null)).toBe(0);
  });
});
