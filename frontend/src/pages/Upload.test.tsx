import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeClipcut, sent, type FakeResponse, type FakeResult } from '../test/fakeServer';
import { renderApp } from '../test/render';
import { CHUNK_SIZE, ONLINE_RESUME_DELAY_MS } from '../upload/UploadsProvider';
import { fingerprintOf, ResumeStore } from '../upload/resumeStore';

vi.mock('../graphql/client', async () => ({
  createClipcutClient: (await import('../test/fakeServer')).fakeClient,
}));

// tus-js-client stand-in: records each upload so the test plays the server.
const tus = vi.hoisted(() => {
  interface Options {
    uploadUrl: string;
    chunkSize: number;
    retryDelays: number[];
    onProgress(sent: number, total: number): void;
    onShouldRetry(err: unknown, attempt: number, options: unknown): boolean;
    onSuccess(): void;
    onError(err: unknown): void;
  }
  class Upload {
    starts = 0;
    aborts = 0;
    constructor(
      public file: File,
      public options: Options,
    ) {
      tus.uploads.push(this);
    }
    start() {
      this.starts++;
    }
    abort() {
      this.aborts++;
      return Promise.resolve();
    }
  }
  return { uploads: [] as Upload[], Upload };
});
vi.mock('tus-js-client', () => ({ Upload: tus.Upload }));

const ada = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse' };

/** A video file the way a browser hands it over. */
function videoFile(name = 'holiday_2026.mp4', size = 10_000, lastModified = 1_700_000_000_000) {
  return new File([mediaBytes(size)], name, { type: 'video/mp4', lastModified });
}

/** `size` bytes that start like an MP4 file, as the page's first-bytes check wants. */
function mediaBytes(size: number) {
  const b = new Uint8Array(size);
  b.set(Array.from('\x00\x00\x00\x18ftypisom', (c) => c.charCodeAt(0)).slice(0, size));
  return b;
}

/** Controls for the videoProgress stream of each video. */
const progress = new Map<string, { push(r: FakeResult): void; end(): void }>();

function pushProgress(videoId: string, status: string, stage: string, percent: number, playable: boolean, error: string | null = null) {
  const stream = progress.get(videoId);
  if (!stream) throw new Error(`no videoProgress subscription for ${videoId}`);
  act(() => {
    stream.push({ data: { videoProgress: { __typename: 'VideoProgress', videoId, status, stage, percent, playable, error } } });
    if (status === 'READY' || status === 'FAILED') stream.end();
  });
}

let videoCount = 0;

/** A signed-in fake clipcut that creates uploads; `override` runs first. */
function server(override?: (op: { name: string; variables: Record<string, unknown> }) => FakeResponse | undefined) {
  fakeClipcut({
    accounts: [ada],
    signedInAs: ada.email,
    override: (op) => {
      const custom = override?.(op);
      if (custom) return custom;
      if (op.name === 'CreateUpload') {
        const id = `vid_${++videoCount}`;
        return {
          data: {
            createUpload: {
              __typename: 'CreateUploadPayload',
              uploadUrl: `http://clipcut.test/uploads/${id}?sig=cap`,
              uploadExpiresAt: '2099-01-01T00:00:00Z',
              video: { __typename: 'Video', id },
            },
          },
        };
      }
      if (op.name === 'VideoProgress') {
        const id = op.variables.id as string;
        return {
          stream: (push, end) => {
            progress.set(id, { push, end });
          },
        };
      }
      if (op.name === 'DeleteVideo') return { data: { deleteVideo: true } };
      if (op.name === 'UnfinishedUpload') return { data: { unfinishedUpload: null } };
      return undefined;
    },
  });
}

async function pick(...files: File[]) {
  const input = await screen.findByLabelText('Choose video files');
  await userEvent.upload(input, files);
}

function row(title: string) {
  return screen.getByRole('listitem', { name: title });
}

function latestUpload() {
  const u = tus.uploads.at(-1);
  if (!u) throw new Error('no tus upload was started');
  return u;
}

beforeEach(() => {
  tus.uploads.length = 0;
  progress.clear();
  videoCount = 0;
  localStorage.clear();
});

afterEach(() => {
  localStorage.clear();
});

describe('upload page', () => {
  it('creates the upload, sends it with tus, pauses and resumes, then follows processing to ready', async () => {
    server();
    renderApp('/upload');
    await userEvent.selectOptions(await screen.findByLabelText('Who can watch'), 'UNLISTED');
    await pick(videoFile());

    await waitFor(() => expect(tus.uploads).toHaveLength(1));
    expect(sent.find((op) => op.name === 'CreateUpload')?.variables).toEqual({
      input: { title: 'holiday 2026', filename: 'holiday_2026.mp4', size: 10_000, privacy: 'UNLISTED', idempotencyKey: expect.any(String) },
    });
    const upload = latestUpload();
    expect(upload.options.uploadUrl).toBe('http://clipcut.test/uploads/vid_1?sig=cap');
    expect(upload.options.chunkSize).toBe(CHUNK_SIZE);
    expect(upload.options.retryDelays.length).toBeGreaterThan(3);
    expect(upload.starts).toBe(1);

    const item = row('holiday 2026');
    act(() => upload.options.onProgress(2_500, 10_000));
    const bar = within(item).getByRole('progressbar', { name: 'Upload of holiday 2026' });
    expect(bar).toHaveAttribute('aria-valuenow', '25');
    expect(within(item).getByRole('status')).toHaveTextContent('Uploading');
    expect(item).toHaveTextContent('2.5 KB of 10.0 KB (25%)');

    await userEvent.click(within(item).getByRole('button', { name: 'Pause upload of holiday 2026' }));
    expect(upload.aborts).toBe(1);
    expect(within(item).getByRole('status')).toHaveTextContent('Paused at 25%');
    // A callback already on its way after the pause changes nothing.
    act(() => upload.options.onProgress(3_000, 10_000));
    expect(bar).toHaveAttribute('aria-valuenow', '25');

    await userEvent.click(within(item).getByRole('button', { name: 'Resume upload of holiday 2026' }));
    expect(upload.starts).toBe(2);
    act(() => upload.options.onProgress(5_000, 10_000));
    expect(within(item).getByRole('status')).toHaveTextContent('Uploading (resumed at 50%)');

    act(() => {
      upload.options.onProgress(10_000, 10_000);
      upload.options.onSuccess();
    });
    await waitFor(() => expect(progress.has('vid_1')).toBe(true));
    expect(within(item).getByRole('status')).toHaveTextContent('Uploaded; processing');

    pushProgress('vid_1', 'PROCESSING', 'transcode', 40, false);
    expect(within(item).getByRole('progressbar', { name: 'Processing of holiday 2026' })).toHaveAttribute('aria-valuenow', '40');
    expect(item).toHaveTextContent('Transcoding · 40%');
    expect(within(item).queryByRole('link', { name: /Watch/ })).not.toBeInTheDocument();

    pushProgress('vid_1', 'PROCESSING', 'transcode', 55, true);
    expect(within(item).getByRole('link', { name: 'Watch now' })).toHaveAttribute('href', '/watch/vid_1');
    expect(within(item).getByRole('status')).toHaveTextContent('Playable now');

    pushProgress('vid_1', 'READY', 'done', 100, true);
    expect(within(item).getByRole('status')).toHaveTextContent('Ready');
    expect(within(item).getByRole('link', { name: 'Watch' })).toHaveAttribute('href', '/watch/vid_1');
    // Nothing is left to resume once the video is ready.
    expect(new ResumeStore('usr_1').list()).toEqual([]);
  });

  it('refuses files that are not videos before uploading them, and says why', async () => {
    server();
    renderApp('/upload');
    const input = await screen.findByLabelText('Choose video files');
    // As a drop would: the file input's accept filter does not apply.
    fireEvent.change(input, {
      target: {
        files: [
          new File(['just text'], 'notes.txt', { type: 'text/plain', lastModified: 5 }),
          new File([mediaBytes(4_000)], 'clip.mkv', { type: '', lastModified: 6 }),
        ],
      },
    });
    expect(await screen.findByRole('alert')).toHaveTextContent('“notes.txt” is not a video file, so it was not uploaded.');
    await waitFor(() => expect(tus.uploads).toHaveLength(1));
    expect(screen.queryByRole('listitem', { name: 'notes' })).not.toBeInTheDocument();
    expect(row('clip')).toBeInTheDocument();
  });

  it('shows the server reason when the file turns out not to be a video', async () => {
    server();
    renderApp('/upload');
    await pick(new File(['just text'], 'notes.mp4', { type: 'video/mp4', lastModified: 5 }));
    await waitFor(() => expect(tus.uploads).toHaveLength(1));
    act(() => latestUpload().options.onSuccess());
    await waitFor(() => expect(progress.has('vid_1')).toBe(true));
    pushProgress('vid_1', 'FAILED', 'failed', 0, false, 'This file is not a video: no video or audio stream was found.');

    const item = row('notes');
    expect(within(item).getByRole('alert')).toHaveTextContent('This file is not a video: no video or audio stream was found.');
    expect(within(item).getByRole('status')).toHaveTextContent('Processing failed');
    expect(within(item).queryByRole('link', { name: /Watch/ })).not.toBeInTheDocument();
  });

  it('says which limit an oversized file breaks and sends no bytes', async () => {
    server(({ name }) =>
      name === 'CreateUpload'
        ? { data: null, errors: [{ message: 'The file is 12.0 GiB; the largest upload is 10.0 GiB.', extensions: { code: 'QUOTA_EXCEEDED' } }] }
        : undefined,
    );
    renderApp('/upload');
    await pick(videoFile('huge.mp4'));
    const item = await screen.findByRole('listitem', { name: 'huge' });
    expect(await within(item).findByRole('alert')).toHaveTextContent('The file is 12.0 GiB; the largest upload is 10.0 GiB.');
    expect(within(item).getByRole('status')).toHaveTextContent('Upload failed');
    expect(tus.uploads).toHaveLength(0);
    expect(within(item).queryByRole('button', { name: /Resume|Try again/ })).not.toBeInTheDocument();
  });

  it('shows retrying while the connection is down and uploading again once bytes move', async () => {
    server();
    renderApp('/upload');
    await pick(videoFile());
    await waitFor(() => expect(tus.uploads).toHaveLength(1));
    const upload = latestUpload();
    act(() => upload.options.onProgress(1_000, 10_000));

    let retry = false;
    act(() => {
      retry = upload.options.onShouldRetry({ originalRequest: {}, originalResponse: null }, 0, upload.options);
    });
    expect(retry).toBe(true);
    const item = row('holiday 2026');
    expect(within(item).getByRole('status')).toHaveTextContent('Connection lost. Retrying…');

    // A client error is final: tus-js-client is told not to retry it.
    expect(upload.options.onShouldRetry({ originalRequest: {}, originalResponse: { getStatus: () => 403, getBody: () => '' } }, 1, upload.options)).toBe(false);

    act(() => upload.options.onProgress(4_000, 10_000));
    expect(within(item).getByRole('status')).toHaveTextContent('Uploading');
  });

  it('resumes by itself when the browser comes back online', async () => {
    server();
    renderApp('/upload');
    await pick(videoFile());
    await waitFor(() => expect(tus.uploads).toHaveLength(1));
    const upload = latestUpload();
    act(() => upload.options.onError({ message: 'offline', originalRequest: {}, originalResponse: null }));
    const item = row('holiday 2026');
    expect(within(item).getByRole('status')).toHaveTextContent('Upload interrupted');
    expect(within(item).getByRole('alert')).toHaveTextContent(/connection was lost/);
    expect(within(item).getByRole('button', { name: 'Resume upload of holiday 2026' })).toBeInTheDocument();

    // Not at once: connections flap right when they come back, so it waits
    // ONLINE_RESUME_DELAY_MS. Fake timers make that wait exact, where real
    // ones would race the clock of a busy machine.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      act(() => {
        window.dispatchEvent(new Event('online'));
      });
      act(() => vi.advanceTimersByTime(ONLINE_RESUME_DELAY_MS - 1));
      expect(upload.starts).toBe(1);
      act(() => vi.advanceTimersByTime(1));
      expect(upload.starts).toBe(2);
    } finally {
      vi.useRealTimers();
    }
    expect(within(item).getByRole('status')).toHaveTextContent('Uploading');
  });

  it('offers to log in again when the session expired', async () => {
    let expired = false;
    server(({ name }) => {
      if (name === 'Me' && expired) return { data: { me: null } };
      if (name === 'CreateUpload') {
        expired = true;
        return { data: null, errors: [{ message: 'Log in first.', extensions: { code: 'UNAUTHENTICATED' } }] };
      }
      return undefined;
    });
    renderApp('/upload');
    await pick(videoFile());
    // The app asks `me` again, learns the session is gone, and says so.
    expect(await screen.findByText('Log in to upload videos.')).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('Your session has expired. Log in again to go on uploading');
    expect(within(screen.getByRole('main')).getByRole('link', { name: 'Log in' })).toHaveAttribute('href', '/login?next=%2Fupload');
    expect(tus.uploads).toHaveLength(0);
  });

  it('lists an upload interrupted by a reload and resumes it when the same file is picked again', async () => {
    const file = videoFile('trip.mp4', 8_000, 42);
    new ResumeStore('usr_1').put({
      fingerprint: fingerprintOf(file),
      videoId: 'vid_old',
      uploadUrl: 'http://clipcut.test/uploads/vid_old?sig=cap',
      expiresAt: '2099-01-01T00:00:00Z',
      title: 'Our trip',
      fileName: 'trip.mp4',
      size: 8_000,
      bytesSent: 3_000,
      uploaded: false,
    });
    server();
    renderApp('/upload');

    const pending = await screen.findByRole('list', { name: 'Unfinished uploads' });
    expect(pending).toHaveTextContent('Our trip');
    expect(pending).toHaveTextContent('about 37% uploaded');

    // Another file is refused with what to pick instead.
    await userEvent.upload(within(pending).getByLabelText(/Choose file to resume/), videoFile('other.mp4', 8_000, 43));
    expect(await within(pending).findByRole('alert')).toHaveTextContent('That is not the file this upload started with. Choose “trip.mp4”');
    expect(tus.uploads).toHaveLength(0);

    await userEvent.upload(within(pending).getByLabelText(/Choose file to resume/), file);
    await waitFor(() => expect(tus.uploads).toHaveLength(1));
    expect(sent.some((op) => op.name === 'CreateUpload')).toBe(false);
    const upload = latestUpload();
    expect(upload.options.uploadUrl).toBe('http://clipcut.test/uploads/vid_old?sig=cap');
    expect(screen.queryByRole('list', { name: 'Unfinished uploads' })).not.toBeInTheDocument();

    act(() => upload.options.onProgress(3_000, 8_000));
    const item = row('Our trip');
    expect(within(item).getByRole('status')).toHaveTextContent('Uploading (resumed at 37%)');
    expect(item).toHaveAttribute('data-resumed-at', '3000');
  });

  it('follows processing of an upload finished before a reload', async () => {
    new ResumeStore('usr_1').put({
      fingerprint: 'fp-done',
      videoId: 'vid_done',
      uploadUrl: 'http://clipcut.test/uploads/vid_done?sig=cap',
      expiresAt: '2099-01-01T00:00:00Z',
      title: 'Finished upload',
      fileName: 'done.mp4',
      size: 5_000,
      bytesSent: 5_000,
      uploaded: true,
    });
    server();
    renderApp('/upload');
    await waitFor(() => expect(progress.has('vid_done')).toBe(true));
    pushProgress('vid_done', 'PROCESSING', 'thumbnails', 90, true);
    const item = row('Finished upload');
    expect(within(item).getByRole('link', { name: 'Watch now' })).toHaveAttribute('href', '/watch/vid_done');
  });

  it('uploads several files one after another', async () => {
    server();
    renderApp('/upload');
    await pick(videoFile('one.mp4', 100, 1), videoFile('two.mp4', 200, 2));
    await waitFor(() => expect(tus.uploads).toHaveLength(1));
    expect(within(row('two')).getByRole('status')).toHaveTextContent('Waiting to upload');
    expect(sent.filter((op) => op.name === 'CreateUpload')).toHaveLength(1);

    act(() => tus.uploads[0]!.options.onSuccess());
    await waitFor(() => expect(tus.uploads).toHaveLength(2));
    expect(tus.uploads[1]!.file.name).toBe('two.mp4');
    expect(sent.filter((op) => op.name === 'CreateUpload').map((op) => (op.variables.input as { filename: string }).filename)).toEqual([
      'one.mp4',
      'two.mp4',
    ]);
  });

  it('cancels an upload after confirmation and deletes its video', async () => {
    server();
    renderApp('/upload');
    await pick(videoFile());
    await waitFor(() => expect(tus.uploads).toHaveLength(1));
    const item = row('holiday 2026');
    await userEvent.click(within(item).getByRole('button', { name: 'Cancel upload of holiday 2026' }));
    await userEvent.click(within(item).getByRole('button', { name: 'Cancel upload' }));
    await waitFor(() => expect(screen.queryByRole('listitem', { name: 'holiday 2026' })).not.toBeInTheDocument());
    expect(latestUpload().aborts).toBe(1);
    await waitFor(() => expect(sent.find((op) => op.name === 'DeleteVideo')?.variables).toEqual({ id: 'vid_1' }));
    expect(new ResumeStore('usr_1').list()).toEqual([]);
  });

  it('takes files dropped on the drop zone', async () => {
    server();
    renderApp('/upload');
    const zone = await screen.findByRole('region', { name: 'Add videos' });
    const file = videoFile('dropped.mp4');
    const dataTransfer = { types: ['Files'], files: [file], dropEffect: 'none' };
    fireEvent.dragEnter(zone, { dataTransfer });
    expect(zone).toHaveClass('dropzone--active');
    fireEvent.dragOver(zone, { dataTransfer });
    fireEvent.drop(zone, { dataTransfer });
    expect(zone).not.toHaveClass('dropzone--active');
    await waitFor(() => expect(tus.uploads).toHaveLength(1));
    expect(tus.uploads[0]!.file).toBe(file);
    expect(screen.getByRole('listitem', { name: 'dropped' })).toBeInTheDocument();
  });

  it('asks visitors to log in first', async () => {
    fakeClipcut();
    renderApp('/upload');
    expect(await screen.findByText('Log in to upload videos.')).toBeInTheDocument();
    expect(screen.queryByLabelText('Choose video files')).not.toBeInTheDocument();
  });
});

describe('import from a link', () => {
  function importServer(answer?: (variables: Record<string, unknown>) => FakeResponse | undefined) {
    server(({ name, variables }) => {
      if (name !== 'ImportVideo') return undefined;
      return answer?.(variables) ?? { data: { importVideo: { __typename: 'Video', id: 'vid_imp', title: 'Our trip' } } };
    });
  }

  async function submitLink(url: string, title?: string) {
    const form = await screen.findByRole('form', { name: 'Import from a link' });
    await userEvent.type(within(form).getByLabelText('Link to the video file'), url);
    if (title) await userEvent.type(within(form).getByLabelText('Title (optional)'), title);
    await userEvent.click(within(form).getByRole('button', { name: 'Import' }));
    return form;
  }

  it('imports a link and follows the download, then processing, to ready', async () => {
    importServer();
    renderApp('/upload');
    await userEvent.selectOptions(await screen.findByLabelText('Who can watch the import'), 'PRIVATE');
    const form = await submitLink('  https://example.com/films/trip.mp4 ', 'Our trip');

    await waitFor(() => expect(progress.has('vid_imp')).toBe(true));
    expect(sent.find((op) => op.name === 'ImportVideo')?.variables).toEqual({
      input: { url: 'https://example.com/films/trip.mp4', title: 'Our trip', privacy: 'PRIVATE' },
    });
    expect(within(form).getByLabelText('Link to the video file')).toHaveValue('');
    const item = within(screen.getByRole('list', { name: 'Imports' })).getByRole('listitem', { name: 'Our trip' });
    expect(within(item).getByRole('status')).toHaveTextContent('Downloading from the link');

    pushProgress('vid_imp', 'UPLOADING', 'import', 40, false);
    expect(within(item).getByRole('progressbar', { name: 'Download of Our trip' })).toHaveAttribute('aria-valuenow', '40');

    pushProgress('vid_imp', 'PROCESSING', 'transcode', 30, true);
    expect(within(item).getByRole('status')).toHaveTextContent('Playable now');
    expect(within(item).getByRole('progressbar', { name: 'Processing of Our trip' })).toHaveAttribute('aria-valuenow', '30');
    expect(within(item).getByRole('link', { name: 'Watch now' })).toHaveAttribute('href', '/watch/vid_imp');

    pushProgress('vid_imp', 'READY', 'done', 100, true);
    expect(within(item).getByRole('status')).toHaveTextContent('Ready');
    expect(within(item).getByRole('link', { name: 'Watch' })).toHaveAttribute('href', '/watch/vid_imp');
  });

  it('shows why an import failed', async () => {
    importServer();
    renderApp('/upload');
    await submitLink('https://example.com/missing.mp4');
    await waitFor(() => expect(progress.has('vid_imp')).toBe(true));
    pushProgress('vid_imp', 'FAILED', 'failed', 0, false, 'The server at example.com answered 404 Not Found: the file is not there, or not public.');
    const item = screen.getByRole('listitem', { name: 'Our trip' });
    expect(within(item).getByRole('status')).toHaveTextContent('Import failed');
    expect(within(item).getByRole('alert')).toHaveTextContent('answered 404 Not Found');
    expect(within(item).queryByRole('link', { name: /Watch/ })).not.toBeInTheDocument();
  });

  it('checks the link before sending and shows the server\'s refusals', async () => {
    let refusal: FakeResponse = {
      data: null,
      errors: [{ message: 'The URL must not contain a user name or password.', extensions: { code: 'BAD_USER_INPUT', field: 'url' } }],
    };
    importServer(() => refusal);
    renderApp('/upload');
    const form = await submitLink('example.com/video.mp4');
    const link = within(form).getByLabelText('Link to the video file');
    expect(link).toHaveAccessibleDescription(/must start with https:\/\//);
    expect(link).toHaveFocus();
    expect(sent.some((op) => op.name === 'ImportVideo')).toBe(false);

    await userEvent.clear(link);
    await userEvent.type(link, 'https://me:secret@example.com/video.mp4');
    await userEvent.click(within(form).getByRole('button', { name: 'Import' }));
    await waitFor(() => expect(link).toHaveAccessibleDescription(/must not contain a user name or password/));

    refusal = { data: null, errors: [{ message: 'You have reached the limit of 5 uploads per 24 hours. Try again later.', extensions: { code: 'QUOTA_EXCEEDED' } }] };
    await userEvent.click(within(form).getByRole('button', { name: 'Import' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('limit of 5 uploads per 24 hours');
    expect(screen.queryByRole('list', { name: 'Imports' })).not.toBeInTheDocument();
  });
});

describe('upload details, first bytes and resuming from another browser', () => {
  it('sends the title and description chosen before the file with createUpload', async () => {
    server();
    renderApp('/upload');
    const picker = await screen.findByRole('region', { name: 'Add videos' });
    await userEvent.type(within(picker).getByLabelText('Title'), 'My trip');
    await userEvent.type(within(picker).getByLabelText('Description'), 'Two weeks by train');
    await pick(videoFile());
    await waitFor(() => expect(tus.uploads).toHaveLength(1));
    expect(sent.find((op) => op.name === 'CreateUpload')?.variables).toEqual({
      input: {
        title: 'My trip',
        description: 'Two weeks by train',
        filename: 'holiday_2026.mp4',
        size: 10_000,
        privacy: 'PUBLIC',
        idempotencyKey: expect.any(String),
      },
    });
    expect(row('My trip')).toBeInTheDocument();
  });

  it('saves details changed during the upload with updateVideo', async () => {
    server((op) => {
      if (op.name === 'UpdateVideo') {
        const input = op.variables.input as { id: string; title: string; description: string; privacy: string };
        return { data: { updateVideo: { __typename: 'Video', id: input.id, title: input.title, description: input.description, privacy: input.privacy } } };
      }
      return undefined;
    });
    renderApp('/upload');
    await pick(videoFile());
    await waitFor(() => expect(tus.uploads).toHaveLength(1));
    const item = row('holiday 2026');
    await userEvent.click(within(item).getByRole('button', { name: 'Edit details of holiday 2026' }));
    const form = within(item).getByRole('form', { name: 'Details of holiday 2026' });
    await userEvent.clear(within(form).getByLabelText('Title'));
    await userEvent.type(within(form).getByLabelText('Title'), 'Renamed while uploading');
    await userEvent.selectOptions(within(form).getByLabelText('Who can watch'), 'PRIVATE');
    await userEvent.click(within(form).getByRole('button', { name: 'Save details' }));
    await waitFor(() =>
      expect(sent.find((op) => op.name === 'UpdateVideo')?.variables).toEqual({
        input: { id: 'vid_1', title: 'Renamed while uploading', description: '', privacy: 'PRIVATE' },
      }),
    );
    expect(await screen.findByRole('listitem', { name: 'Renamed while uploading' })).toBeInTheDocument();
  });

  it('refuses a file whose first bytes are not a video before sending anything', async () => {
    server();
    renderApp('/upload');
    await pick(new File(['Dear diary, this is a text file and not a video at all.'], 'diary.mp4', { type: 'video/mp4', lastModified: 7 }));
    expect(await screen.findByText(/“diary.mp4” is not a video: its first bytes/)).toBeInTheDocument();
    expect(sent.some((op) => op.name === 'CreateUpload' || op.name === 'UnfinishedUpload')).toBe(false);
    expect(tus.uploads).toHaveLength(0);
  });

  it('offers the server’s unfinished upload of the same file and resumes it instead of creating another', async () => {
    server((op) => {
      if (op.name === 'UnfinishedUpload') {
        return {
          data: {
            unfinishedUpload: {
              __typename: 'Upload',
              uploadUrl: 'http://clipcut.test/uploads/vid_old?sig=cap',
              offset: 4_000,
              size: 10_000,
              expiresAt: '2099-01-01T00:00:00Z',
              video: { __typename: 'Video', id: 'vid_old', title: 'holiday 2026' },
            },
          },
        };
      }
      return undefined;
    });
    renderApp('/upload');
    await pick(videoFile());
    const item = row('holiday 2026');
    await waitFor(() => expect(within(item).getByRole('status')).toHaveTextContent('Unfinished upload found'));
    expect(item).toHaveTextContent('40% on the server');
    await userEvent.click(within(item).getByRole('button', { name: 'Resume upload' }));
    await waitFor(() => expect(tus.uploads).toHaveLength(1));
    expect(latestUpload().options.uploadUrl).toBe('http://clipcut.test/uploads/vid_old?sig=cap');
    expect(sent.some((op) => op.name === 'CreateUpload')).toBe(false);
    expect(item).toHaveAttribute('data-video-id', 'vid_old');
  });
});
