import { Link, useLocation } from 'wouter';
import { formErrors } from '../graphql/errors';
import { useLogOut, useViewer } from '../session';
import { isSending } from '../upload/machine';
import { useUploads } from '../upload/UploadsProvider';
import { Alert } from './Alert';
import { SearchBox } from './SearchBox';

/** The site header: the app name, the search box, and who is signed in or how to sign in. */
export function Header() {
  const { user } = useViewer();
  const { logOut, fetching, error } = useLogOut();
  const [location, navigate] = useLocation();
  const { items } = useUploads();
  const active = items.filter((i) => isSending(i.state.phase) || i.state.phase === 'paused' || i.state.phase === 'processing').length;

  async function onLogOut() {
    if (fetching) return;
    if (await logOut()) navigate('/');
  }

  const next = location === '/' || location === '/login' || location === '/signup' ? '' : `?next=${encodeURIComponent(location)}`;

  return (
    <header className="site-header">
      <div className="container site-header__bar">
        <Link href="/" className="brand">
          <span className="brand__mark" aria-hidden="true" />
          clipcut
        </Link>
        <SearchBox />
        {user && (
          <nav aria-label="Main" className="site-nav site-nav--main">
            <Link href="/upload" className="site-nav__link" aria-current={location === '/upload' ? 'page' : undefined}>
              Upload
              {active > 0 && (
                <span className="nav-badge">
                  {active}
                  <span className="visually-hidden"> in progress</span>
                </span>
              )}
            </Link>
            <Link href="/my-videos" className="site-nav__link" aria-current={location === '/my-videos' ? 'page' : undefined}>
              My videos
            </Link>
            <Link href="/dashboard" className="site-nav__link" aria-current={location.startsWith('/dashboard') ? 'page' : undefined}>
              Analytics
            </Link>
            {user.isAdmin && (
              <Link href="/admin" className="site-nav__link" aria-current={location.startsWith('/admin') ? 'page' : undefined}>
                Admin
              </Link>
            )}
          </nav>
        )}
        <nav aria-label="Account" className="site-nav" aria-busy={user === undefined || undefined}>
          {user ? (
            <>
              <Link href="/account" className="site-nav__user" aria-current={location === '/account' ? 'page' : undefined}>
                <span className="avatar" aria-hidden="true">
                  {initial(user.name)}
                </span>
                <span className="site-nav__name">{user.name}</span>
              </Link>
              <button type="button" className="button button--small" onClick={onLogOut} aria-disabled={fetching || undefined}>
                Log out
              </button>
            </>
          ) : user === null ? (
            <>
              <Link href={`/login${next}`} className="site-nav__link" aria-current={location === '/login' ? 'page' : undefined}>
                Log in
              </Link>
              <Link href={`/signup${next}`} className="button button--small button--primary" aria-current={location === '/signup' ? 'page' : undefined}>
                Sign up
              </Link>
            </>
          ) : null}
        </nav>
      </div>
      {error && (
        <div className="container">
          <Alert>{formErrors(error).message}</Alert>
        </div>
      )}
    </header>
  );
}

function initial(name: string): string {
  return (Array.from(name.trim())[0] ?? '?').toUpperCase();
}
