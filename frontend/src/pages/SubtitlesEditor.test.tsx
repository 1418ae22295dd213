import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { badInput, fakeClipcut, sent, type FakeResponse } from '../test/fakeServer';
import { renderApp } from '../test/render';

vi.mock('../graphql/client', async () => ({
  createClipcutClient: (await import('../test/fakeServer')).fakeClient,
}));

const ADA = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse' };

const EN = `WEBVTT

00:00:00.500 --> 00:00:02.000
Hello from clipcut.

00:00:02.000 --> 00:00:04.000
This clip was uplaoded.

00:00:04.500 --> 00:00:06.000
The end.
`;

function track(language: string, provenance: string, label: string, updatedAt = '2026-11-20T12:00:00Z') {
  return {
    __typename: 'SubtitleTrack',
    language,
    label,
    generated: provenance === 'GENERATED',
    provenance,
    vttUrl: `/media/v/vid_1/subtitles/${language}.vtt`,
    srtUrl: `/media/v/vid_1/subtitles/${language}.srt`,
    updatedAt,
  };
}

let tracks: ReturnType<typeof track>[];
let ownerId: string;
let onUpdate: (vars: Record<string, unknown>) => FakeResponse;

function server() {
  fakeClipcut({
    accounts: [ADA],
    signedInAs: ADA.email,
    override: ({ name, variables }) => {
      switch (name) {
        case 'SubtitlesEditor':
          return {
            data: {
              video: {
                __typename: 'Video',
                id: 'vid_1',
                title: 'Sunset over Brest',
                status: 'READY',
                owner: { __typename: 'User', id: ownerId },
                subtitles: tracks,
                subtitleState: { __typename: 'SubtitleState', status: 'ready', note: null },
              },
            },
          };
        case 'UpdateSubtitles':
          return onUpdate(variables);
        case 'UploadSubtitles':
          if (!String(variables.content).startsWith('WEBVTT')) return badInput('content', 'line 1: missing WEBVTT header');
          tracks = [...tracks, track(String(variables.language), 'UPLOADED', String(variables.label ?? 'Français'))];
          return { data: { uploadSubtitles: tracks.at(-1) } };
        default:
          return undefined;
      }
    },
  });
}

beforeEach(() => {
  tracks = [track('en', 'GENERATED', 'English (auto-generated)')];
  ownerId = 'usr_1';
  onUpdate = ({ language }) => {
    tracks = tracks.map((t) => (t.language === language ? track(t.language, 'EDITED', 'English', '2026-11-21T09:00:00Z') : t));
    return { data: { updateSubtitles: tracks.find((t) => t.language === language) } };
  };
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(EN, { status: 200 })),
  );
  return () => vi.unstubAllGlobals();
});

const cell = (label: string) => screen.getByRole('textbox', { name: label }) as HTMLInputElement | HTMLTextAreaElement;

/** Replaces a field's value the way a person pasting would (typing long strings is slow on a busy machine). */
async function fill(user: ReturnType<typeof userEvent.setup>, el: HTMLElement, text: string) {
  await user.clear(el);
  await user.paste(text);
}

async function openEditor() {
  server();
  const user = userEvent.setup();
  renderApp('/videos/vid_1/subtitles');
  expect(await screen.findByRole('heading', { level: 1, name: 'Subtitles of “Sunset over Brest”' })).toBeInTheDocument();
  await screen.findByRole('table');
  return user;
}

describe('subtitles editor', () => {
  it('shows each track with its provenance and edits the first one', async () => {
    await openEditor();
    const item = screen.getByRole('listitem');
    expect(within(item).getByRole('heading', { level: 3 })).toHaveTextContent('English (auto-generated) (en)');
    expect(within(item).getByText('Generated from the speech')).toBeInTheDocument();
    const edit = within(item).getByRole('button', { name: 'Editing English (auto-generated)' });
    expect(edit).toHaveAttribute('aria-pressed', 'true');
    // Label in name: what the button shows starts its accessible name.
    expect(edit.textContent!.startsWith('Editing')).toBe(true);
    expect(within(item).getByRole('link', { name: 'SRT' })).toHaveAttribute('href', '/media/v/vid_1/subtitles/en.srt');
    expect(cell('Start of cue 1').value).toBe('00:00:00.500');
    expect(cell('End of cue 2').value).toBe('00:00:04.000');
    expect(cell('Text of cue 2').value).toBe('This clip was uplaoded.');
    expect(screen.getAllByRole('row')).toHaveLength(4); // header + 3 cues
  });

  it('saves edited text and timings, added and removed cues, as WebVTT', async () => {
    const user = await openEditor();
    await fill(user, cell('Text of cue 2'), 'This clip was uploaded.');
    await fill(user, cell('End of cue 1'), '0:01.8');
    await user.click(screen.getByRole('button', { name: 'Remove cue 3' }));
    await user.click(screen.getByRole('button', { name: 'Add a cue at the end' }));
    expect(cell('Start of cue 3').value).toBe('00:00:04.000');
    expect(cell('Text of cue 3')).toHaveFocus();
    await user.paste('A new cue');
    expect(screen.getByText('Unsaved changes')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save subtitles' }));

    expect(await screen.findByText('Saved English: 3 cues. Generated, then edited.')).toHaveAttribute('role', 'status');
    const update = sent.find((op) => op.name === 'UpdateSubtitles')!;
    expect(update.variables).toEqual({
      videoId: 'vid_1',
      language: 'en',
      vtt:
        'WEBVTT\n\n' +
        '00:00:00.500 --> 00:00:01.800\nHello from clipcut.\n\n' +
        '00:00:02.000 --> 00:00:04.000\nThis clip was uploaded.\n\n' +
        '00:00:04.000 --> 00:00:06.000\nA new cue\n',
    });
    // The page reloads the track: now "edited", and nothing left unsaved.
    expect(await screen.findByText('Generated, then edited', { selector: '.provenance-badge' })).toBeInTheDocument();
    expect(screen.queryByText('Unsaved changes')).toBeNull();
  });

  it('shows the server’s refusal at the cue it names, and keeps every edit', async () => {
    onUpdate = () => badInput('vtt', 'line 7: end time 00:00:02.000 is before start 00:00:03.000');
    const user = await openEditor();
    await fill(user, cell('Text of cue 2'), 'Edited, not yet saved');
    await user.click(screen.getByRole('button', { name: 'Save subtitles' }));

    // Line 7 of the file sent is cue 2's timing line.
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Cue 2 (line 7: end time 00:00:02.000 is before start 00:00:03.000): fix it and save again.');
    expect(cell('Text of cue 2')).toHaveAttribute('aria-invalid', 'true');
    expect(cell('Text of cue 2')).toHaveAccessibleDescription('line 7: end time 00:00:02.000 is before start 00:00:03.000');
    expect(cell('Text of cue 2').value).toBe('Edited, not yet saved');
    await waitFor(() => expect(cell('Text of cue 2')).toHaveFocus());
    expect(screen.getByText('Unsaved changes')).toBeInTheDocument();
  });

  it('checks times and text before sending anything', async () => {
    const user = await openEditor();
    await fill(user, cell('Start of cue 1'), 'soon');
    await fill(user, cell('End of cue 3'), '00:00:04.000');
    await user.clear(cell('Text of cue 2'));
    await user.click(screen.getByRole('button', { name: 'Save subtitles' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('3 cues need fixing before saving.');
    expect(cell('Start of cue 1')).toHaveAccessibleDescription('Write a time such as 00:00:01.500.');
    expect(cell('End of cue 3')).toHaveAccessibleDescription('The cue must end after it starts.');
    expect(cell('Text of cue 2')).toHaveAccessibleDescription('Write what is said, or remove the cue.');
    await waitFor(() => expect(cell('Start of cue 1')).toHaveFocus());
    expect(sent.some((op) => op.name === 'UpdateSubtitles')).toBe(false);
    // Fixing a field clears its message.
    await user.type(cell('Start of cue 1'), '1');
    expect(cell('Start of cue 1')).not.toHaveAttribute('aria-invalid');
  });

  it('uploads a subtitle file of one’s own, and shows why a bad one is refused', async () => {
    const user = await openEditor();
    const form = screen.getByRole('form', { name: 'Upload a subtitle file' });
    await user.clear(within(form).getByLabelText('Language tag'));
    await user.type(within(form).getByLabelText('Language tag'), 'fr');
    await user.upload(within(form).getByLabelText('Subtitle file'), new File(['1\n00:00:01,000 --> 00:00:02,000\nSalut\n'], 'fr.srt'));
    await user.click(within(form).getByRole('button', { name: 'Upload subtitles' }));
    expect(await within(form).findByText('line 1: missing WEBVTT header')).toBeInTheDocument();
    expect(within(form).getByLabelText('Subtitle file')).toHaveAttribute('aria-invalid', 'true');
    expect(within(form).getByLabelText('Language tag')).toHaveValue('fr');

    await user.upload(within(form).getByLabelText('Subtitle file'), new File(['WEBVTT\n\n00:01.000 --> 00:02.000\nSalut\n'], 'fr.vtt'));
    await user.click(within(form).getByRole('button', { name: 'Upload subtitles' }));
    expect(await screen.findByText('Uploaded Français. Uploaded file.')).toBeInTheDocument();
    const upload = sent.filter((op) => op.name === 'UploadSubtitles').at(-1)!;
    expect(upload.variables).toEqual({ videoId: 'vid_1', language: 'fr', content: 'WEBVTT\n\n00:01.000 --> 00:02.000\nSalut\n', label: null });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Editing Français' })).toHaveAttribute('aria-pressed', 'true'));
  });

  it('is for the video’s owner only', async () => {
    ownerId = 'usr_2';
    server();
    renderApp('/videos/vid_1/subtitles');
    expect(await screen.findByText('Only the video’s owner can edit its subtitles.')).toBeInTheDocument();
  });
});
