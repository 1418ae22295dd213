import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServer, fakeUser, sent } from '../../test/fakeServer';
import { renderApp } from '../../test/render';

vi.mock('../../graphql/client', async () => ({
  createClipcutClient: (await import('../../test/fakeServer')).fakeClient,
}));

afterEach(() => vi.restoreAllMocks());

const video = (id: string, status: string, takedownReason: string | null = null) => ({
  __typename: 'Video',
  id,
  title: `Video ${id}`,
  status,
  privacy: 'PUBLIC',
  createdAt: '2026-11-20T12:00:00Z',
  takedownReason,
  takedownAppeal: null as {
    __typename: 'TakedownAppeal';
    message: string;
    createdAt: string;
    answer?: string | null;
    answeredAt?: string | null;
  } | null,
  owner: { __typename: 'User', id: 'usr_2', name: 'Bob' },
  processing: { __typename: 'Processing', error: null },
});

function admin(isAdmin: boolean, extra: (name: string, v: Record<string, unknown>) => unknown = () => undefined) {
  fakeServer(({ name, variables }) => {
    const custom = extra(name, variables);
    if (custom) return custom as never;
    switch (name) {
      case 'Me':
        return { data: { me: fakeUser({ isAdmin }) } };
      case 'AdminOverview':
        return {
          data: {
            adminOverview: {
              __typename: 'AdminOverview',
              videosByStatus: ['UPLOADING', 'PROCESSING', 'READY', 'FAILED', 'TAKEN_DOWN'].map((status, i) => ({ __typename: 'StatusCount', status, count: i })),
              storageBytes: 12_300_000,
              users: 3,
              openReports: 1,
              failures: [{ __typename: 'VideoFailure', videoId: 'v9', title: 'Broken', error: 'This file is not a video.', failedAt: '2026-11-20T12:00:00Z' }],
              queues: [{ __typename: 'QueueDepth', queue: 'media', state: 'available', count: 4 }],
              workers: [{ __typename: 'WorkerProcess', clientId: 'w1', hostname: 'box', pid: 42, startedAt: '2026-11-20T12:00:00Z' }],
              activity: Array.from({ length: 24 }, (_, i) => ({
                __typename: 'HourActivity',
                hour: new Date(Date.UTC(2026, 10, 20, i)).toISOString(),
                uploadsStarted: i === 23 ? 7 : i === 22 ? 2 : 0,
                processed: i === 23 ? 5 : 0,
                failed: i === 22 ? 1 : 0,
              })),
              processingTime: { __typename: 'ProcessingTime', count: 5, medianSeconds: 42, p95Seconds: 185 },
              discardedJobs: [{ __typename: 'DiscardedJob', id: 77, kind: 'process_video', queue: 'media', error: 'ffprobe: invalid data', discardedAt: '2026-11-20T12:00:00Z' }],
            },
          },
        };
      case 'AdminUsers':
        return {
          data: {
            adminUsers: {
              __typename: 'AdminUserConnection',
              edges: [{
                __typename: 'AdminUserEdge', cursor: 'c1',
                node: {
                  __typename: 'AdminUser', storageBytes: 5_000_000, videoCount: 2,
                  storageQuotaBytes: null, dailyUploads: 3,
                  effectiveStorageQuotaBytes: 100 * 2 ** 30, effectiveDailyUploads: 3,
                  user: { ...fakeUser({ id: 'usr_2', name: 'Bob', email: 'bob@example.com' }), disabled: false, createdAt: '2026-11-20T12:00:00Z' },
                },
              }],
              pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: 'c1' },
            },
          },
        };
      case 'SetUserLimits':
        return {
          data: {
            setUserLimits: {
              __typename: 'AdminUser', storageQuotaBytes: variables.storageQuotaBytes, dailyUploads: variables.dailyUploads,
              effectiveStorageQuotaBytes: variables.storageQuotaBytes ?? 0, effectiveDailyUploads: variables.dailyUploads ?? 50,
              user: { __typename: 'User', id: 'usr_2' },
            },
          },
        };
      case 'AdminVideos':
        return { data: { adminVideos: { __typename: 'VideoConnection', edges: [{ __typename: 'VideoEdge', node: video('v1', 'READY') }] } } };
      case 'TakeDownVideo':
        return { data: { takeDownVideo: { ...video('v1', 'TAKEN_DOWN', variables.reason as string) } } };
      case 'AdminDeleteVideo':
        return { data: { adminDeleteVideo: true } };
      case 'Reports':
        return {
          data: {
            reports: [{
              __typename: 'ReportGroup', count: 1, video: video('v1', 'READY'),
              reports: [{ __typename: 'Report', id: 'r1', reason: 'HATE', note: 'nasty', createdAt: '2026-11-20T12:00:00Z' }],
            }],
          },
        };
      case 'ResolveReport':
        return { data: { resolveReport: { __typename: 'Video', id: 'v1', status: 'TAKEN_DOWN' } } };
      default:
        return { errors: [{ message: `no fake for ${name}`, extensions: { code: 'INTERNAL' } }] };
    }
  });
}

describe('the admin area', () => {
  it('is hidden from people who are not administrators', async () => {
    admin(false);
    renderApp('/admin');
    expect(await screen.findByRole('heading', { level: 1, name: /not found/i })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Admin' })).not.toBeInTheDocument();
    expect(sent.map((s) => s.name)).not.toContain('AdminOverview');
  });

  it('shows administrators the overview, with a link to the job queue', async () => {
    admin(true);
    renderApp('/admin');
    // The page's chunk loads lazily and may re-render under Suspense:
    // wait for the settled page, not the first element that shows.
    await waitFor(() => {
      expect(screen.getByRole('heading', { level: 1, name: 'Administration' })).toBeInTheDocument();
      expect(screen.getByText('12.3 MB')).toBeInTheDocument();
    });
    expect(screen.getByText('This file is not a video.')).toBeInTheDocument();
    expect(screen.getByText(/box/)).toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Administration' });
    expect(within(nav).getByRole('link', { name: 'Jobs' })).toHaveAttribute('href', '/admin/jobs/');
    expect(screen.getByRole('link', { name: 'Admin' })).toHaveAttribute('aria-current', 'page');
  });

  it('shows the rates of the last 24 hours and the discarded jobs', async () => {
    admin(true);
    renderApp('/admin');
    const rates = await screen.findByRole('region', { name: 'Last 24 hours' });
    expect(within(rates).getByText('Uploads started', { selector: 'dt' }).nextSibling).toHaveTextContent('9');
    expect(within(rates).getByText('Videos processed', { selector: 'dt' }).nextSibling).toHaveTextContent('5');
    expect(within(rates).getByText('Processing, median', { selector: 'dt' }).nextSibling).toHaveTextContent('42 s');
    expect(within(rates).getByText('Processing, 95th percentile', { selector: 'dt' }).nextSibling).toHaveTextContent('3 min 5 s');
    expect(within(rates).getAllByRole('row')).toHaveLength(3); // the header and the two busy hours
    const jobs = screen.getByRole('region', { name: 'Jobs discarded in the last 24 hours' });
    expect(within(jobs).getByRole('link', { name: /process_video #77/ })).toHaveAttribute('href', '/admin/jobs/jobs/77');
    expect(within(jobs).getByText('ffprobe: invalid data')).toBeInTheDocument();
  });

  it("sets an account's limits, empty meaning the instance default", async () => {
    admin(true);
    renderApp('/admin/users');
    const row = (await screen.findByText('bob@example.com')).closest('tr')!;
    expect(row).toHaveTextContent('quota 100 GiB, 3 uploads a day (own)');
    await userEvent.click(within(row).getByRole('button', { name: 'Limits of Bob' }));
    const form = screen.getByRole('form', { name: 'Limits of Bob' });
    expect(within(form).getByLabelText('Uploads per day')).toHaveValue('3');
    await userEvent.type(within(form).getByLabelText('Storage quota'), 'lots');
    await userEvent.click(within(form).getByRole('button', { name: 'Save limits' }));
    expect(within(form).getByRole('alert')).toHaveTextContent('Write the quota as a size');
    expect(sent.map((s) => s.name)).not.toContain('SetUserLimits');
    await userEvent.clear(within(form).getByLabelText('Storage quota'));
    await userEvent.type(within(form).getByLabelText('Storage quota'), '20 GiB');
    await userEvent.clear(within(form).getByLabelText('Uploads per day'));
    await userEvent.click(within(form).getByRole('button', { name: 'Save limits' }));
    expect(await screen.findByRole('status')).toHaveTextContent("Bob's limits are saved.");
    expect(sent.find((s) => s.name === 'SetUserLimits')?.variables).toEqual({
      userId: 'usr_2', storageQuotaBytes: 20 * 2 ** 30, dailyUploads: null, reason: null,
    });
  });

  it('takes a video down with a reason', async () => {
    admin(true);
    vi.spyOn(window, 'prompt').mockReturnValue('Hate speech');
    renderApp('/admin/videos');
    await userEvent.click(await screen.findByRole('button', { name: 'Take down Video v1' }));
    expect(await screen.findByRole('status')).toHaveTextContent('"Video v1" is taken down.');
    expect(sent.find((s) => s.name === 'TakeDownVideo')?.variables).toEqual({ videoId: 'v1', reason: 'Hate speech' });
  });

  it("shows an owner's appeal and filters to appealed videos", async () => {
    admin(true, (name, variables) => {
      if (name !== 'AdminVideos' || !variables.appealed) return undefined;
      const down = {
        ...video('v2', 'TAKEN_DOWN', 'Spam'),
        takedownAppeal: { __typename: 'TakedownAppeal' as const, message: 'It is my own song.', createdAt: '2026-11-21T12:00:00Z' },
      };
      return { data: { adminVideos: { __typename: 'VideoConnection', edges: [{ __typename: 'VideoEdge', node: down }] } } };
    });
    renderApp('/admin/videos');
    expect(await screen.findByRole('button', { name: 'Take down Video v1' })).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText('Appealed only'));
    expect(await screen.findByText(/It is my own song\./)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Restore Video v2' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Take down Video v1' })).not.toBeInTheDocument();
    expect(sent.filter((s) => s.name === 'AdminVideos').map((s) => s.variables.appealed)).toEqual([null, true]);
  });

  it('answers an unanswered appeal, the video staying down, and shows answered ones with their answer', async () => {
    const appeal = (id: string, answer: string | null) => ({
      ...video(id, 'TAKEN_DOWN', 'Spam'),
      takedownAppeal: {
        __typename: 'TakedownAppeal' as const,
        message: `Appeal of ${id}`,
        createdAt: '2026-11-21T12:00:00Z',
        answer,
        answeredAt: answer ? '2026-11-22T12:00:00Z' : null,
      },
    });
    admin(true, (name, variables) => {
      if (name === 'AdminVideos') {
        return {
          data: {
            adminVideos: {
              __typename: 'VideoConnection',
              edges: [appeal('v2', null), appeal('v3', 'The claim stands.')].map((node) => ({ __typename: 'VideoEdge', node })),
            },
          },
        };
      }
      if (name === 'AnswerTakedownAppeal') {
        const { takedownAppeal, ...v } = appeal('v2', variables.message as string);
        return { data: { answerTakedownAppeal: { __typename: 'Video', id: v.id, status: v.status, takedownAppeal } } };
      }
      return undefined;
    });
    renderApp('/admin/videos');
    expect(await screen.findByText(/Appeal of v2/)).toHaveTextContent(/, unanswered: Appeal of v2/);
    expect(screen.getByText(/Appeal of v3/)).toHaveTextContent(/, answered: Appeal of v3/);
    expect(screen.getByText(/The claim stands\./)).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Answer the appeal of Video v3' })).not.toBeInTheDocument();

    const form = screen.getByRole('form', { name: 'Answer the appeal of Video v2' });
    await userEvent.type(within(form).getByLabelText(/^Answer/), '  Not your song.  ');
    await userEvent.click(within(form).getByRole('button', { name: 'Send answer' }));
    await waitFor(() => expect(sent.find((s) => s.name === 'AnswerTakedownAppeal')?.variables).toEqual({ videoId: 'v2', message: 'Not your song.' }));
  });

  it('deletes a video, asking why for the audit log', async () => {
    admin(true);
    vi.spyOn(window, 'prompt').mockReturnValue('Illegal content');
    renderApp('/admin/videos');
    await userEvent.click(await screen.findByRole('button', { name: 'Delete Video v1' }));
    expect(await screen.findByRole('status')).toHaveTextContent('"Video v1" is deleted.');
    expect(sent.find((s) => s.name === 'AdminDeleteVideo')?.variables).toEqual({ videoId: 'v1', reason: 'Illegal content' });
  });

  it('lists reports by video and takes the video down', async () => {
    admin(true);
    vi.spyOn(window, 'prompt').mockReturnValue('Hate speech');
    renderApp('/admin/reports');
    expect(await screen.findByText('Hateful content')).toBeInTheDocument();
    expect(screen.getByText('nasty')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Take down' }));
    await waitFor(() =>
      expect(sent.find((s) => s.name === 'ResolveReport')?.variables).toEqual({ videoId: 'v1', action: 'TAKE_DOWN', reason: 'Hate speech' }),
    );
  });
});
