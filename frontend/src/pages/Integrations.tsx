// The scaffolding the integrator pages (API tokens, webhooks) share: the
// sign-in gate, the links between them, the one-time secret shown after a
// create, the checklist of scopes or events, and the list with its
// loading, error and empty states.
import type { ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { Link } from 'wouter';
import { Alert } from '../components/Alert';
import { Page } from '../components/Page';
import { CopyField } from '../components/ShareDialog';
import { SignInRequired } from '../components/SignInRequired';
import { formErrors } from '../graphql/errors';
import { useViewer } from '../session';
import './Integrations.css';

/** Renders children for a signed-in viewer; others are asked to log in and come back to next. */
export function SignedInPage({ title, next, prompt, children }: { title: string; next: string; prompt: string; children: ReactNode }) {
  const { user, error } = useViewer();
  if (!user) {
    return (
      <SignInRequired title={title} loading={user === undefined} next={next} notice={error && <Alert>{formErrors(error).message}</Alert>}>
        {prompt}
      </SignInRequired>
    );
  }
  return children;
}

/** An integrator page: its title, the links between the pages and what it is for. */
export function DeveloperPage({ title, current, intro, children }: { title: string; current: 'tokens' | 'webhooks'; intro: ReactNode; children: ReactNode }) {
  return (
    <Page title={title}>
      <DeveloperNav current={current} />
      <p className="muted">{intro}</p>
      {children}
    </Page>
  );
}

/** The integrator links shared by the tokens and webhooks pages. */
function DeveloperNav({ current }: { current: 'tokens' | 'webhooks' }) {
  return (
    <nav className="dev-nav" aria-label="Developer settings">
      <Link href="/account">Account</Link>
      <Link href="/account/tokens" aria-current={current === 'tokens' ? 'page' : undefined}>
        API tokens
      </Link>
      <Link href="/account/webhooks" aria-current={current === 'webhooks' ? 'page' : undefined}>
        Webhooks
      </Link>
      {/* GraphiQL is a page of its own, not a route of the app. */}
      <a href="/graphql">GraphQL explorer</a>
    </nav>
  );
}

/** A secret the server shows once (a new token, a webhook's signing secret), to copy before Done. */
export function OneTimeSecret(props: { region: string; title: string; children: ReactNode; label: string; value: string; onDone: () => void }) {
  return (
    <div className="card stack new-secret" role="region" aria-label={props.region}>
      <h2 className="section-title">{props.title}</h2>
      <p>{props.children}</p>
      <CopyField label={props.label} value={props.value} />
      <div>
        <button type="button" className="button button--small" onClick={props.onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

/** One checkbox of a Checklist: a value, its name in monospace and what it means. */
export interface CheckOption<T extends string> {
  value: T;
  name: string;
  what: string;
}

/** Checkboxes choosing several values (a token's scopes, a webhook's events). */
export function Checklist<T extends string>(props: {
  legend: string;
  options: CheckOption<T>[];
  chosen: T[];
  onChange: (update: (prev: T[]) => T[]) => void;
  error?: string;
  /** The error's id, which the fieldset is then described by. */
  errorId?: string;
}) {
  const { error, errorId } = props;
  return (
    <fieldset className="scopes" aria-describedby={error && errorId ? errorId : undefined}>
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <label key={o.value} className="checkbox scope">
          <input
            type="checkbox"
            checked={props.chosen.includes(o.value)}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              props.onChange((prev) => (on ? [...prev, o.value] : prev.filter((x) => x !== o.value)));
            }}
          />
          <span>
            <span className="mono">{o.name}</span> <span className="muted small">{o.what}</span>
          </span>
        </label>
      ))}
      {error && (
        <p id={errorId} className="field__error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** The page's list of what the viewer has, with its loading, error and empty states. */
export function DeveloperList(props: {
  id: string;
  title: string;
  /** The query: its data once loaded (even if empty), its error, whether it runs. */
  loaded: boolean;
  error?: CombinedError;
  fetching: boolean;
  empty: string;
  children: ReactNode[];
}) {
  const { id, loaded, children } = props;
  return (
    <section className="stack" aria-labelledby={id}>
      <h2 id={id} className="section-title">
        {props.title}
      </h2>
      {props.error && !loaded && <Alert>{formErrors(props.error).message}</Alert>}
      {props.fetching && !loaded && (
        <p className="muted" role="status">
          Loading…
        </p>
      )}
      {loaded && children.length === 0 && <p className="muted">{props.empty}</p>}
      {children.length > 0 && (
        <ul className="dev-list" aria-labelledby={id}>
          {children}
        </ul>
      )}
    </section>
  );
}
