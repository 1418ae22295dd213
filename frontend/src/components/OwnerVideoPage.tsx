// The scaffolding of a page on which an owner works on one of their videos
// (the studio, the subtitles editor): the sign-in prompt, loading, a
// failed load with Try again, a video that is missing or not theirs, and
// the owner check; the page itself only renders the loaded video.
import { useCallback, useEffect, type ReactNode } from 'react';
import { Link } from 'wouter';
import { useQuery, type TypedDocumentNode } from 'urql';
import { formErrors } from '../graphql/errors';
import { hasClientNavigated } from '../routing';
import { useViewer } from '../session';
import { Alert } from './Alert';
import { Page } from './Page';
import { SignInRequired } from './SignInRequired';

/** What the scaffolding needs of the loaded video. */
interface OwnedVideo {
  id: string;
  owner: { id: string };
}

interface OwnerVideoPageProps<Q extends { video?: OwnedVideo | null }> {
  /** The video's id. */
  id: string;
  /** The page's title while it is not showing the video (signing in, loading, an error). */
  title: string;
  /** The page's path: where logging in leads back to. */
  path: string;
  /** What logging in gives access to. */
  signIn: string;
  /** The status line while the video loads. */
  loading: string;
  /** What a viewer who is not the owner is told. */
  notOwner: string;
  /** The page's query: one video by $id, with its owner. */
  query: TypedDocumentNode<Q, { id: string }>;
  /** The page for the owner (or an administrator); reload fetches the video again. */
  children: (video: NonNullable<Q['video']>, reload: () => void) => ReactNode;
}

/** A page on which the owner of video `id` works on it; see the file comment. */
export function OwnerVideoPage<Q extends { video?: OwnedVideo | null }>(props: OwnerVideoPageProps<Q>) {
  const { user } = useViewer();
  // Loaded as its own chunk: after a client-side navigation, focus the
  // heading once it exists (App's focus handling ran before it did).
  useEffect(() => {
    if (hasClientNavigated() && (document.activeElement === document.body || document.activeElement === null)) {
      document.getElementById('page-title')?.focus();
    }
  }, []);
  if (!user) {
    return (
      <SignInRequired title={props.title} loading={user === undefined} next={props.path}>
        {props.signIn}
      </SignInRequired>
    );
  }
  return <Loader {...props} viewerId={user.id} isAdmin={user.isAdmin} />;
}

function Loader<Q extends { video?: OwnedVideo | null }>({
  id,
  title,
  loading,
  notOwner,
  query,
  children,
  viewerId,
  isAdmin,
}: OwnerVideoPageProps<Q> & { viewerId: string; isAdmin: boolean }) {
  const [{ data, fetching, error }, refetch] = useQuery({ query, variables: { id } });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const video = data?.video;

  if (error && !data) {
    const code = error.graphQLErrors[0]?.extensions?.code;
    if (code === 'NOT_FOUND' || code === 'BAD_USER_INPUT') return <NoVideo />;
    return (
      <Page title={title}>
        <Alert>{formErrors(error).message}</Alert>
        <div>
          <button type="button" className="button" onClick={reload}>
            Try again
          </button>
        </div>
      </Page>
    );
  }
  if (fetching && !data) {
    return (
      <Page title={title}>
        <p className="muted" role="status">
          {loading}
        </p>
      </Page>
    );
  }
  if (!video) return <NoVideo />;
  if (video.owner.id !== viewerId && !isAdmin) {
    return (
      <Page title={title}>
        <div className="card stack">
          <p>{notOwner}</p>
          <p>
            <Link href={`/watch/${video.id}`}>Watch the video</Link>
          </p>
        </div>
      </Page>
    );
  }
  return <>{children(video as NonNullable<Q['video']>, reload)}</>;
}

function NoVideo() {
  return (
    <Page title="Video not found">
      <div className="card stack">
        <p>This video does not exist, or it is not yours.</p>
        <p>
          <Link href="/my-videos">Go to my videos</Link>
        </p>
      </div>
    </Page>
  );
}
