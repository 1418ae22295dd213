import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { useMutation, useQuery, useSubscription } from 'urql';
import { Alert } from '../components/Alert';
import { Page } from '../components/Page';
import { SignInRequired } from '../components/SignInRequired';
import { LoadMore, usePageCursors, type PageInfoLike } from '../components/paging';
import { ProgressBar } from '../components/ProgressBar';
import { VideoThumb } from '../components/VideoThumb';
import { formatDate, spokenClock } from '../format';
import { graphql } from '../gql';
import type { MyVideosQuery, Privacy, VideoStatus } from '../gql/graphql';
import { formErrors } from '../graphql/errors';
import { useViewer } from '../session';
import { stageLabel } from '../upload/machine';
import { DeleteVideoDocument, RetryProcessingDocument, UpdateVideoDocument, VideoProgressDocument } from '../videos/operations';
import { PRIVACY_LABELS, PRIVACY_OPTIONS } from '../videos/privacy';
import { NewLinkButton } from '../components/NewLinkButton';

const MyVideosDocument = graphql(`
  query MyVideos($first: Int!, $after: String) {
    me {
      id
      videos(first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            title
            description
            status
            takedownReason
            takedownAppeal {
              message
              createdAt
              answer
              answeredAt
            }
            playable
            privacy
            duration
            createdAt
            viewCount
            retryable
            upload {
              offset
              size
            }
            playback {
              posterUrl
            }
            processing {
              stage
              percent
              error
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

type MyVideo = NonNullable<MyVideosQuery['me']>['videos']['edges'][number]['node'];

const PAGE_SIZE = 20;

// deleteVideo answers a Boolean, so tell urql's document cache which
// cached lists it changes.
const VIDEO_LISTS = { additionalTypenames: ['Video', 'VideoConnection'] };

/** The signed-in user's videos, with live progress and ways to edit, delete and retry. */
export function MyVideos() {
  const { user } = useViewer();
  if (!user) {
    return (
      <SignInRequired title="My videos" loading={user === undefined} next="/my-videos">
        Log in to see and manage your videos.
      </SignInRequired>
    );
  }
  return <MyVideosList />;
}

function MyVideosList() {
  const { cursors, report, nextCursor, loadMore } = usePageCursors();
  const [{ data, fetching, error }, refetch] = useQuery({ query: MyVideosDocument, variables: { first: PAGE_SIZE, after: null } });
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <Page title="My videos">
      <div className="page-actions">
        <Link href="/upload" className="button button--primary">
          Upload videos
        </Link>
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {error && !data ? (
        <div className="stack">
          <Alert>{formErrors(error).message}</Alert>
          <div>
            <button type="button" className="button" onClick={() => refetch({ requestPolicy: 'network-only' })}>
              Try again
            </button>
          </div>
        </div>
      ) : fetching && !data ? (
        <p className="muted" role="status">
          Loading your videos…
        </p>
      ) : (data?.me?.videos.edges.length ?? 0) === 0 ? (
        <section className="empty card" aria-labelledby="empty-title">
          <div className="empty__art" aria-hidden="true">
            ⬆
          </div>
          <h2 id="empty-title">You have no videos yet</h2>
          <p className="muted">
            <Link href="/upload">Upload your first video</Link>.
          </p>
        </section>
      ) : (
        <>
          <ul className="my-videos" aria-label="Your videos">
            {cursors.map((after, i) => (
              <MyVideosPage key={after ?? ''} index={i} after={after} report={report} onNotice={setNotice} />
            ))}
          </ul>
          {nextCursor && <LoadMore onLoad={loadMore} label="More videos" />}
        </>
      )}
    </Page>
  );
}

interface MyVideosPageProps {
  index: number;
  after: string | null;
  report: (index: number, info: PageInfoLike | undefined) => void;
  onNotice: (message: string) => void;
}

function MyVideosPage({ index, after, report, onNotice }: MyVideosPageProps) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: MyVideosDocument, variables: { first: PAGE_SIZE, after } });
  const pageInfo = data?.me?.videos.pageInfo;
  useEffect(() => report(index, pageInfo), [index, pageInfo, report]);

  if (error && !data) {
    return (
      <li>
        <Alert>{formErrors(error).message}</Alert>
      </li>
    );
  }
  if (fetching && !data) {
    return (
      <li className="muted" role="status">
        Loading more videos…
      </li>
    );
  }
  return (
    <>
      {(data?.me?.videos.edges ?? []).map(({ node }) => (
        <MyVideoRow
          key={node.id}
          video={node}
          onSettled={() => refetch({ requestPolicy: 'network-only' })}
          onNotice={onNotice}
        />
      ))}
    </>
  );
}

const STATUS_LABELS: Record<VideoStatus, string> = {
  UPLOADING: 'Uploading',
  PROCESSING: 'Processing',
  READY: 'Ready',
  FAILED: 'Failed',
  TAKEN_DOWN: 'Taken down',
};

interface MyVideoRowProps {
  video: MyVideo;
  /** Called when processing ended, to load the finished video. */
  onSettled: () => void;
  onNotice: (message: string) => void;
}

const AppealTakedownDocument = graphql(`
  mutation AppealTakedown($videoId: ID!, $message: String!) {
    appealTakedown(videoId: $videoId, message: $message) {
      id
      status
      takedownAppeal {
        message
        createdAt
        answer
        answeredAt
      }
    }
  }
`);

/**
 * The owner's reply to a takedown: one appeal per takedown, which the
 * administrators read on their videos page; once sent it says so, and once
 * they answered (keeping the video down) it shows their answer and when.
 * A granted appeal needs nothing here: the video is back up.
 */
function AppealForm({ videoId, title, appeal: sentAppeal }: {
  videoId: string;
  title: string;
  appeal: { answer?: string | null; answeredAt?: string | null } | null | undefined;
}) {
  const id = useId();
  const [message, setMessage] = useState('');
  const [sent, setSent] = useState(false);
  const [{ fetching, error }, appeal] = useMutation(AppealTakedownDocument);
  const errors = formErrors(error, ['message']);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (fetching || !message.trim()) return;
    const r = await appeal({ videoId, message: message.trim() });
    if (!r.error) setSent(true);
  }

  if (sentAppeal?.answer) {
    return (
      <div className="notice notice--neutral small" role="status">
        <p>
          Your appeal was answered
          {sentAppeal.answeredAt && <> on <time dateTime={sentAppeal.answeredAt}>{formatDate(sentAppeal.answeredAt)}</time></>}; the video stays
          down:
        </p>
        <blockquote className="quote">{sentAppeal.answer}</blockquote>
      </div>
    );
  }
  if (sentAppeal || sent) {
    return (
      <p className="notice small" role="status">
        Appeal sent: the administrators will look at it.
      </p>
    );
  }
  return (
    <form className="form stack" aria-label={`Appeal the takedown of ${title}`} onSubmit={onSubmit}>
      <Alert>{errors.message}</Alert>
      <div className="field">
        <label htmlFor={`${id}-appeal`}>Appeal</label>
        <textarea id={`${id}-appeal`} required maxLength={2000} rows={3} value={message} onChange={(e) => setMessage(e.target.value)}
          aria-invalid={errors.fields.message ? true : undefined} />
        {errors.fields.message && <p className="field__error">{errors.fields.message}</p>}
      </div>
      <div className="upload__actions">
        <button type="submit" className="button button--small" aria-disabled={fetching || !message.trim() || undefined}>
          {fetching ? 'Sending…' : 'Send'}
        </button>
      </div>
    </form>
  );
}

function MyVideoRow({ video, onSettled, onNotice }: MyVideoRowProps) {
  const titleId = `my-video-${video.id}`;
  const [mode, setMode] = useState<'view' | 'edit' | 'delete'>('view');
  const editButton = useRef<HTMLButtonElement>(null);
  const [{ fetching: deleting, error: deleteError }, deleteVideo] = useMutation(DeleteVideoDocument);
  const [{ fetching: retrying, error: retryError }, retryProcessing] = useMutation(RetryProcessingDocument);

  // Live progress while processing; the list reloads when it ends.
  const processing = video.status === 'PROCESSING';
  const uploading = video.status === 'UPLOADING';
  const [{ data: live }] = useSubscription({ query: VideoProgressDocument, variables: { id: video.id }, pause: !processing && !uploading });
  const progress = processing || uploading ? live?.videoProgress : undefined;
  const status = progress?.status ?? video.status;
  const stage = progress?.stage ?? video.processing?.stage;
  const percent = Math.max(progress?.percent ?? 0, video.processing?.percent ?? 0);
  const playable = progress?.playable ?? video.playable;
  const failure = progress?.error ?? video.processing?.error;
  const settled = processing && (status === 'READY' || status === 'FAILED');
  const onSettledRef = useRef(onSettled);
  onSettledRef.current = onSettled;
  useEffect(() => {
    if (settled) onSettledRef.current();
  }, [settled]);

  async function onDelete() {
    if (deleting) return;
    const result = await deleteVideo({ id: video.id }, VIDEO_LISTS);
    if (result.error) return;
    onNotice(`Deleted “${video.title}”.`);
    // The row goes away with the focused button: start again at the top.
    document.getElementById('page-title')?.focus();
  }

  async function onRetry() {
    if (retrying) return;
    await retryProcessing({ id: video.id });
  }

  return (
    <li className="my-video card" aria-labelledby={titleId} data-status={status}>
      <div className="my-video__thumb">
        {playable ? (
          <Link href={`/watch/${video.id}`} tabIndex={-1} aria-hidden="true">
            <VideoThumb posterUrl={video.playback?.posterUrl} duration={video.duration} />
          </Link>
        ) : (
          <VideoThumb posterUrl={video.playback?.posterUrl} duration={video.duration} badge={status === 'FAILED' ? 'Failed' : null} />
        )}
      </div>
      <div className="my-video__body">
        <h2 id={titleId} className="my-video__title">
          {playable ? <Link href={`/watch/${video.id}`}>{video.title}</Link> : video.title}
        </h2>
        <p className="my-video__meta muted">
          <span className={`status-badge status-badge--${status.toLowerCase()}`}>{STATUS_LABELS[status]}</span>
          <span className="privacy-badge">{PRIVACY_LABELS[video.privacy]}</span>
          <time dateTime={video.createdAt}>{formatDate(video.createdAt)}</time>
          {video.duration ? <span>{spokenClock(video.duration)}</span> : null}
          <Link href={`/dashboard/videos/${video.id}`}>{viewsLabel(video.viewCount ?? 0)}</Link>
        </p>

        {status === 'PROCESSING' && (
          <div className="my-video__progress">
            <ProgressBar label={`Processing of ${video.title}`} value={percent} valueText={`${stageLabel(stage)}, ${Math.floor(percent)}%`} />
            <p className="muted small">
              {stageLabel(stage)} · {Math.floor(percent)}%{playable ? ' · playable now' : ''}
            </p>
          </div>
        )}
        {status === 'UPLOADING' && (video.upload?.offset || progress?.stage === 'uploading') ? (
          <ProgressBar
            label={`Upload of ${video.title}`}
            value={progress?.stage === 'uploading' ? progress.percent : (100 * (video.upload?.offset ?? 0)) / Math.max(1, video.upload?.size ?? 1)}
            valueText="uploaded"
          />
        ) : null}
        {status === 'UPLOADING' && (
          <p className="muted small">
            The upload has not finished. <Link href="/upload">Resume it on the upload page</Link> by choosing the same file.
          </p>
        )}
        {status === 'FAILED' && <Alert>{failure || 'Processing failed.'}</Alert>}
        {video.status === 'TAKEN_DOWN' && <Alert>Taken down by the administrators: {video.takedownReason}</Alert>}
        {video.status === 'TAKEN_DOWN' && <AppealForm videoId={video.id} title={video.title} appeal={video.takedownAppeal} />}
        <Alert>{formErrors(retryError).message}</Alert>
        <Alert>{formErrors(deleteError).message}</Alert>

        {mode === 'edit' ? (
          <EditVideoForm
            video={video}
            onDone={(saved) => {
              setMode('view');
              if (saved) onNotice(`Saved “${saved}”.`);
              requestAnimationFrame(() => editButton.current?.focus());
            }}
          />
        ) : mode === 'delete' ? (
          <div className="confirm" role="group" aria-label={`Delete ${video.title}`}>
            <p>Delete “{video.title}” for good? Its files are removed too.</p>
            <div className="upload__actions">
              <button type="button" className="button button--small button--danger" onClick={onDelete} aria-disabled={deleting || undefined} autoFocus>
                {deleting ? 'Deleting…' : 'Delete video'}
              </button>
              <button type="button" className="button button--small" onClick={() => setMode('view')}>
                Keep it
              </button>
            </div>
          </div>
        ) : (
          <div className="upload__actions">
            <button ref={editButton} type="button" className="button button--small" onClick={() => setMode('edit')} aria-label={`Edit ${video.title}`}>
              Edit
            </button>
            {status === 'FAILED' && video.status === 'FAILED' && video.retryable && (
              <button type="button" className="button button--small" onClick={onRetry} aria-disabled={retrying || undefined} aria-label={`Retry processing ${video.title}`}>
                {retrying ? 'Retrying…' : 'Retry processing'}
              </button>
            )}
            {status === 'READY' && (
              <Link href={`/videos/${video.id}/subtitles`} className="button button--small" aria-label={`Subtitles of ${video.title}`}>
                Subtitles
              </Link>
            )}
            {status === 'READY' && (
              <Link href={`/videos/${video.id}/studio`} className="button button--small" aria-label={`Studio: cut ${video.title}`}>
                Studio
              </Link>
            )}
            <button type="button" className="button button--small button--quiet" onClick={() => setMode('delete')} aria-label={`Delete ${video.title}`}>
              Delete
            </button>
          </div>
        )}
      </div>
    </li>
  );
}

const EDIT_FIELDS = ['title', 'description', 'privacy'] as const;

function EditVideoForm({ video, onDone }: { video: MyVideo; onDone: (savedTitle: string | null) => void }) {
  const id = useId();
  const [title, setTitle] = useState(video.title);
  const [description, setDescription] = useState(video.description ?? '');
  const [privacy, setPrivacy] = useState<Privacy>(video.privacy);
  const [{ fetching, error }, update] = useMutation(UpdateVideoDocument);
  const [attempt, setAttempt] = useState(0);
  const titleInput = useRef<HTMLInputElement>(null);
  const errors = formErrors(error, EDIT_FIELDS);

  useEffect(() => titleInput.current?.focus(), []);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (fetching) return;
    const result = await update({ input: { id: video.id, title: title.trim(), description, privacy } });
    setAttempt((n) => n + 1);
    if (!result.error) onDone(result.data?.updateVideo.title ?? title);
    else if (formErrors(result.error, EDIT_FIELDS).fields.title) titleInput.current?.focus();
  }

  return (
    <form className="edit-form stack" onSubmit={submit} noValidate aria-label={`Edit ${video.title}`}>
      <Alert key={attempt}>{errors.message}</Alert>
      <div className={`field${errors.fields.title ? ' field--invalid' : ''}`}>
        <label htmlFor={`${id}-title`}>Title</label>
        <input
          id={`${id}-title`}
          ref={titleInput}
          value={title}
          maxLength={200}
          required
          onChange={(e) => setTitle(e.target.value)}
          aria-invalid={errors.fields.title ? true : undefined}
          aria-describedby={errors.fields.title ? `${id}-title-error` : undefined}
        />
        {errors.fields.title && (
          <p id={`${id}-title-error`} className="field__error">
            {errors.fields.title}
          </p>
        )}
      </div>
      <div className={`field${errors.fields.description ? ' field--invalid' : ''}`}>
        <label htmlFor={`${id}-description`}>Description</label>
        <textarea
          id={`${id}-description`}
          value={description}
          maxLength={5000}
          rows={4}
          onChange={(e) => setDescription(e.target.value)}
          aria-invalid={errors.fields.description ? true : undefined}
          aria-describedby={errors.fields.description ? `${id}-description-error` : undefined}
        />
        {errors.fields.description && (
          <p id={`${id}-description-error`} className="field__error">
            {errors.fields.description}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-privacy`}>Who can watch</label>
        <select id={`${id}-privacy`} value={privacy} onChange={(e) => setPrivacy(e.target.value as Privacy)}>
          {PRIVACY_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label} — {o.hint}
            </option>
          ))}
        </select>
      </div>
      {video.privacy === 'UNLISTED' && (
        <div className="field">
          <span className="small muted">Link: anyone who has it can watch.</span>
          <NewLinkButton videoId={video.id} />
        </div>
      )}
      <div className="upload__actions">
        <button type="submit" className="button button--small button--primary" aria-disabled={fetching || undefined}>
          {fetching ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="button button--small" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function viewsLabel(n: number): string {
  return n === 1 ? '1 view' : `${n.toLocaleString()} views`;
}
