import { Link, useLocation } from 'wouter';
import { Alert } from '../components/Alert';
import { Page } from '../components/Page';
import { ProfileForm } from '../components/ProfileForm';
import { SignInRequired } from '../components/SignInRequired';
import { formatDate } from '../format';
import { formErrors } from '../graphql/errors';
import { useLogOut, useViewer } from '../session';

/** The signed-in user's own details, and the way out. */
export function Account() {
  const { user, error } = useViewer();
  const { logOut, fetching, error: logOutError } = useLogOut();
  const [, navigate] = useLocation();

  if (!user) {
    return (
      <SignInRequired
        title="Your account"
        loading={user === undefined}
        next="/account"
        notice={error && <Alert>{formErrors(error).message}</Alert>}
      >
        You’re not logged in.
      </SignInRequired>
    );
  }

  async function onLogOut() {
    if (fetching) return;
    if (await logOut()) navigate('/');
  }

  return (
    <Page title="Your account">
      <div className="card stack">
        <dl className="details">
          <div>
            <dt>Name</dt>
            <dd>{user.name}</dd>
          </div>
          <div>
            <dt>Email</dt>
            <dd>{user.email ?? '—'}</dd>
          </div>
          <div>
            <dt>Role</dt>
            <dd>{user.isAdmin ? 'Administrator' : 'Member'}</dd>
          </div>
          <div>
            <dt>Member since</dt>
            <dd>
              <time dateTime={user.createdAt}>{formatDate(user.createdAt)}</time>
            </dd>
          </div>
          <div>
            <dt>User ID</dt>
            <dd className="mono">{user.id}</dd>
          </div>
        </dl>
        <Alert>{formErrors(logOutError).message}</Alert>
        <div>
          <button type="button" className="button" onClick={onLogOut} aria-disabled={fetching || undefined}>
            {fetching ? 'Logging out…' : 'Log out'}
          </button>
        </div>
      </div>
      <ProfileForm />
      <section className="card stack" aria-labelledby="developers-title">
        <h2 id="developers-title" className="section-title">
          For developers
        </h2>
        <ul className="link-list">
          <li>
            <Link href="/account/tokens">API tokens</Link> <span className="muted">— let scripts and integrations use the API as you.</span>
          </li>
          <li>
            <Link href="/account/webhooks">Webhooks</Link> <span className="muted">— get told when your videos change.</span>
          </li>
          <li>
            <a href="/graphql">GraphQL explorer</a> <span className="muted">— try the API in your browser.</span>
          </li>
        </ul>
      </section>
    </Page>
  );
}
