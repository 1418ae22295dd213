// Who is signed in, and the one way to change it. The session itself is an
// HttpOnly cookie set and cleared by the server; the app only learns the
// viewer from `me` and starts over with a fresh client when the session changes.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Provider, useMutation, useQuery } from 'urql';
import { createClipcutClient, type ClipcutClient } from './graphql/client';
import { graphql } from './gql';
import type { MeQuery } from './gql/graphql';

export const MeDocument = graphql(`
  query Me {
    me {
      id
      name
      email
      isAdmin
      createdAt
    }
  }
`);

export const LogOutDocument = graphql(`
  mutation LogOut {
    logOut
  }
`);

/** The signed-in user as the app knows it. */
export type Viewer = NonNullable<MeQuery['me']>;

interface SessionControl {
  /** Forgets everything cached for the previous viewer and asks `me` again. */
  sessionChanged(): void;
  /**
   * The server refused the session cookie (expired, revoked, logged out
   * elsewhere: 401 UNAUTHENTICATED) and cleared it: start over anonymous,
   * once until the next sign-in or sign-out, so a cookie that somehow
   * stays cannot loop.
   */
  sessionExpired(): void;
}

const SessionContext = createContext<SessionControl | null>(null);

/**
 * Provides the GraphQL client, replaced by a fresh one on every session
 * change. `client` is the first one, when the app made it before rendering
 * (to start the page's query at once; see main.tsx).
 */
export function SessionProvider({ children, client }: { children: ReactNode; client?: ClipcutClient }) {
  const [handle, setHandle] = useState(() => client ?? createClipcutClient());
  useEffect(() => () => handle.dispose(), [handle]);

  const expiredOnce = useRef(false);
  const sessionChanged = useCallback(() => {
    expiredOnce.current = false;
    setHandle(createClipcutClient());
  }, []);
  const sessionExpired = useCallback(() => {
    if (expiredOnce.current) return;
    expiredOnce.current = true;
    setHandle(createClipcutClient());
  }, []);
  const control = useMemo(() => ({ sessionChanged, sessionExpired }), [sessionChanged, sessionExpired]);

  return (
    <SessionContext.Provider value={control}>
      <Provider value={handle.client}>{children}</Provider>
    </SessionContext.Provider>
  );
}

function useSessionControl(): SessionControl {
  const control = useContext(SessionContext);
  if (!control) throw new Error('useSession must be used inside <SessionProvider>');
  return control;
}

/**
 * The viewer: `user` is null when signed out, undefined while not yet known.
 * `me` fails only when the session cookie was refused; the app then signs
 * out (the server has cleared the cookie) and asks again, anonymous.
 */
export function useViewer() {
  const [{ data, fetching, error }] = useQuery({ query: MeDocument });
  const control = useContext(SessionContext);
  const refused = error?.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') ?? false;
  useEffect(() => {
    if (refused) control?.sessionExpired();
  }, [refused, control]);
  const user: Viewer | null | undefined = data ? data.me ?? null : fetching ? undefined : null;
  return { user, fetching, error };
}

/** Call after signUp or logIn succeeded: the server has set the new cookie. */
export function useSessionChanged(): () => void {
  return useSessionControl().sessionChanged;
}

/** Logs out: ends the session on the server, then forgets the viewer. */
export function useLogOut() {
  const { sessionChanged } = useSessionControl();
  const [{ fetching, error }, logOut] = useMutation(LogOutDocument);
  const run = useCallback(async (): Promise<boolean> => {
    const result = await logOut({});
    if (result.error) return false;
    sessionChanged();
    return true;
  }, [logOut, sessionChanged]);
  return { logOut: run, fetching, error };
}
