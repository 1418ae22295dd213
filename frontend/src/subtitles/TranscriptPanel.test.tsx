import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { PlayerLink } from '../player/link';
import { pickTrack, TranscriptPanel } from './TranscriptPanel';

const EN = `WEBVTT

00:00:00.500 --> 00:00:02.000
Hello from <i>clipcut</i>.

00:00:02.000 --> 00:00:04.000
This clip was uploaded.

00:00:04.500 --> 00:00:06.000
Then it was played, and Clipcut was happy.
`;

const FR = `WEBVTT

00:00:00.500 --> 00:00:03.000
Bonjour de clipcut, déjà.
`;

const tracks = [
  { language: 'en', label: 'English (auto-generated)', vttUrl: '/media/v/1/subtitles/en.vtt', updatedAt: '2026-11-20T12:00:00Z' },
  { language: 'fr', label: 'Français', vttUrl: '/media/v/1/subtitles/fr.vtt', updatedAt: '2026-11-20T12:00:00Z' },
];

let fetchSpy: ReturnType<typeof vi.fn>;

beforeEach(() => {
  fetchSpy = vi.fn(async (url: string) => new Response(url.endsWith('fr.vtt') ? FR : EN, { status: 200 }));
  vi.stubGlobal('fetch', fetchSpy);
  return () => vi.unstubAllGlobals();
});

function setup(link = new PlayerLink()) {
  const seeks: [number, boolean][] = [];
  link.attach((t, play) => {
    seeks.push([t, play]);
    link.update({ time: t });
  });
  const user = userEvent.setup();
  render(<TranscriptPanel tracks={tracks} link={link} />);
  return { link, seeks, user };
}

async function open(user: ReturnType<typeof userEvent.setup>) {
  const toggle = screen.getByRole('button', { name: 'Transcript' });
  expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await user.click(toggle);
  expect(toggle).toHaveAttribute('aria-expanded', 'true');
  return screen.findByRole('list', { name: /^Transcript, / });
}

describe('transcript panel', () => {
  it('loads nothing until opened, then lists the cues of the first track with their times', async () => {
    const { user } = setup();
    expect(fetchSpy).not.toHaveBeenCalled();
    const list = await open(user);
    expect(list).toHaveAccessibleName('Transcript, English (auto-generated)');
    expect(fetchSpy).toHaveBeenCalledWith('/media/v/1/subtitles/en.vtt', expect.objectContaining({ cache: 'no-cache', credentials: 'same-origin' }));
    const cues = within(list).getAllByRole('button');
    expect(cues.map((c) => c.textContent)).toEqual([
      '0:00, Hello from clipcut.',
      '0:02, This clip was uploaded.',
      '0:04, Then it was played, and Clipcut was happy.',
    ]);
  });

  it('seeks the player to a cue that is clicked or activated from the keyboard', async () => {
    const { user, seeks } = setup();
    const list = await open(user);
    await user.click(within(list).getByRole('button', { name: /This clip was uploaded/ }));
    expect(seeks).toEqual([[2, true]]);

    // One tab stop for the list; arrows move between cues; Enter seeks.
    const second = within(list).getByRole('button', { name: /This clip was uploaded/ });
    expect(second).toHaveAttribute('tabindex', '0');
    second.focus();
    await user.keyboard('{ArrowDown}');
    const third = within(list).getByRole('button', { name: /Then it was played/ });
    expect(third).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(seeks.at(-1)).toEqual([4.5, true]);
    await user.keyboard('{Home}');
    expect(within(list).getByRole('button', { name: /Hello from clipcut/ })).toHaveFocus();
  });

  it('marks the cue being spoken as the player plays', async () => {
    const { user, link } = setup();
    const list = await open(user);
    const current = () => within(list).queryAllByRole('button').filter((b) => b.getAttribute('aria-current') === 'time');
    expect(current()).toEqual([]);
    act(() => link.update({ time: 2.7 }));
    expect(current().map((b) => b.textContent)).toEqual(['0:02, This clip was uploaded.']);
    expect(current()[0]!.closest('li')).toHaveClass('transcript__item--active');
    act(() => link.update({ time: 4.2 }));
    expect(current()).toEqual([]); // between cues
    act(() => link.update({ time: 5 }));
    expect(current().map((b) => b.textContent)).toEqual(['0:04, Then it was played, and Clipcut was happy.']);
  });

  it('filters the cues by a search and highlights the words found', async () => {
    const { user, seeks } = setup();
    const list = await open(user);
    const search = screen.getByRole('searchbox', { name: 'Search the transcript' });
    await user.type(search, 'CLIPCUT');
    expect(within(list).getAllByRole('button').map((b) => b.textContent)).toEqual([
      '0:00, Hello from clipcut.',
      '0:04, Then it was played, and Clipcut was happy.',
    ]);
    expect([...list.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['clipcut', 'Clipcut']);
    expect(screen.getByRole('status')).toHaveTextContent('2 of 3 cues match “CLIPCUT”.');
    expect(search).toHaveAccessibleDescription('2 of 3 cues match “CLIPCUT”.');

    // Every word must appear; Enter goes to the first match.
    await user.clear(search);
    await user.type(search, 'played happy');
    expect(within(list).getAllByRole('button')).toHaveLength(1);
    await user.keyboard('{Enter}');
    const match = within(list).getByRole('button', { name: /Then it was played/ });
    expect(match).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(seeks).toEqual([[4.5, true]]);

    await user.clear(search);
    await user.type(search, 'nothing like this');
    expect(within(list).queryAllByRole('button')).toHaveLength(0);
    expect(screen.getByRole('status')).toHaveTextContent('No cue matches “nothing like this”.');
  });

  it('follows the captions language, and lets the viewer pick another', async () => {
    const link = new PlayerLink();
    const { user } = setup(link);
    await open(user);
    act(() => link.update({ captionLanguage: 'fr-FR' }));
    const list = await screen.findByRole('list', { name: 'Transcript, Français' });
    // Accents do not matter to the search.
    await user.type(screen.getByRole('searchbox', { name: 'Search the transcript' }), 'deja');
    expect(list.querySelector('mark')).toHaveTextContent('déjà');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Language' }), 'en');
    await screen.findByRole('list', { name: 'Transcript, English (auto-generated)' });
  });

  it('says when the subtitles cannot be loaded, and tries again', async () => {
    fetchSpy.mockImplementationOnce(async () => new Response('', { status: 503 }));
    const { user } = setup();
    await user.click(screen.getByRole('button', { name: 'Transcript' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The subtitles could not be loaded (HTTP 503).');
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(await screen.findByRole('list', { name: /^Transcript, / })).toBeInTheDocument();
  });
});

describe('pickTrack', () => {
  it('prefers the captions language, exactly then by its primary tag, else the pick, else the first', () => {
    const ts = [{ language: 'en' }, { language: 'fr' }, { language: 'pt-BR' }];
    expect(pickTrack(ts, 'fr', null)).toBe(ts[1]);
    expect(pickTrack(ts, 'pt', null)).toBe(ts[2]);
    expect(pickTrack(ts, 'de', 'pt-BR')).toBe(ts[2]);
    expect(pickTrack(ts, null, null)).toBe(ts[0]);
    expect(pickTrack([], 'en', null)).toBeUndefined();
  });
});
