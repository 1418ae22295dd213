import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { Page } from './Page';

interface SignInRequiredProps {
  /** The page's title, kept so the heading and document title do not jump. */
  title: string;
  /** True while the session is still being read. */
  loading: boolean;
  /** Where to come back to after logging in (a path). */
  next: string;
  /** Shown above the prompt, e.g. why the session ended. */
  notice?: ReactNode;
  /** What logging in gives access to. */
  children: ReactNode;
}

/**
 * What a page that needs a signed-in user shows in its place: "Loading…"
 * while the session is read, then a prompt to log in that leads back.
 */
export function SignInRequired({ title, loading, next, notice, children }: SignInRequiredProps) {
  if (loading) {
    return (
      <Page title={title}>
        <p className="muted" role="status">
          Loading…
        </p>
      </Page>
    );
  }
  return (
    <Page title={title}>
      {notice}
      <div className="card stack">
        <p>{children}</p>
        <p>
          <Link href={`/login?next=${encodeURIComponent(next)}`} className="button button--primary">
            Log in
          </Link>
        </p>
      </div>
    </Page>
  );
}
