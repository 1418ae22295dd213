// A fake clipcut API for component tests, plugged in where the app creates its
// urql client (graphql/client.ts is mocked to call fakeClient). Real urql
// hooks and cache run; only the transport is replaced by `resolve`.
import { cacheExchange, Client, subscriptionExchange, type Operation } from '@urql/core';
import type { ClipcutClient } from '../graphql/client';

/** A GraphQL error as the server sends it. */
export interface FakeError {
  message: string;
  extensions?: Record<string, unknown>;
}

/** One result: data and/or errors. */
export type FakeResult = { data?: Record<string, unknown> | null; errors?: FakeError[] };

/**
 * What the fake server answers: one result, a network failure, or (for
 * subscriptions) a stream that pushes results until it ends; `stream` may
 * return a function called when the client unsubscribes.
 */
export type FakeResponse =
  | FakeResult
  | { networkError: Error }
  | { stream: (push: (result: FakeResult) => void, end: () => void) => void | (() => void) };

/** Answers one operation; may be async. */
export type Resolver = (operation: {
  name: string;
  variables: Record<string, unknown>;
}) => FakeResponse | Promise<FakeResponse>;

let resolver: Resolver = ({ name }) => ({
  errors: [{ message: `no fake for ${name}`, extensions: { code: 'INTERNAL' } }],
});

/** Every operation the app sent, in order. */
export const sent: { name: string; variables: Record<string, unknown> }[] = [];

/** Sets how the fake server answers from now on. */
export function fakeServer(resolve: Resolver): void {
  resolver = resolve;
  sent.length = 0;
}

function operationName(op: Operation): string {
  for (const d of op.query.definitions) {
    if (d.kind === 'OperationDefinition' && d.name) return d.name.value;
  }
  return 'anonymous';
}

/** Stands in for createClipcutClient: the same exchanges, minus the network. */
export function fakeClient(): ClipcutClient {
  const client = new Client({
    url: '/graphql',
    exchanges: [
      cacheExchange,
      subscriptionExchange({
        enableAllOperations: true,
        forwardSubscription(_request, op) {
          return {
            subscribe(sink) {
              let live = true;
              let stop: (() => void) | void;
              const call = { name: operationName(op), variables: (op.variables ?? {}) as Record<string, unknown> };
              sent.push(call);
              Promise.resolve()
                .then(() => resolver(call))
                .then((res) => {
                  if (!live) return;
                  if ('networkError' in res) {
                    sink.error(res.networkError);
                    return;
                  }
                  if ('stream' in res) {
                    stop = res.stream(
                      (r) => {
                        if (live) sink.next({ data: r.data ?? null, errors: r.errors } as never);
                      },
                      () => {
                        if (live) sink.complete();
                      },
                    );
                    return;
                  }
                  sink.next({ data: res.data ?? null, errors: res.errors } as never);
                  sink.complete();
                });
              return {
                unsubscribe() {
                  live = false;
                  stop?.();
                },
              };
            },
          };
        },
      }),
    ],
  });
  return { client, dispose: () => {} };
}

/** A user as `me` returns it. */
export function fakeUser(overrides: Partial<Record<string, unknown>> = {}) {
  return {
    __typename: 'User',
    id: 'usr_1',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    isAdmin: false,
    createdAt: '2026-11-21T08:00:00Z',
    ...overrides,
  };
}

/** One account the fake server knows. */
export interface FakeAccount {
  name: string;
  email: string;
  password: string;
}

/**
 * A small in-memory clipcut: accounts, one session, an empty feed. Tests
 * override single operations by passing `override`, which may return
 * undefined to fall through to the default behaviour.
 */
export function fakeClipcut(
  options: {
    accounts?: FakeAccount[];
    signedInAs?: string;
    videos?: { id: string; title: string; owner: string; createdAt?: string; duration?: number | null; posterUrl?: string | null; viewCount?: number }[];
    override?: (op: Parameters<Resolver>[0]) => FakeResponse | Promise<FakeResponse> | undefined;
  } = {},
) {
  const accounts = [...(options.accounts ?? [])];
  let session: FakeAccount | null = accounts.find((a) => a.email === options.signedInAs) ?? null;
  const asUser = (a: FakeAccount) => fakeUser({ name: a.name, email: a.email, id: `usr_${accounts.indexOf(a) + 1}` });

  fakeServer((op) => {
    const custom = options.override?.(op);
    if (custom) return custom;
    const input = (op.variables.input ?? {}) as Record<string, string>;
    switch (op.name) {
      case 'Me':
        return { data: { me: session ? asUser(session) : null } };
      case 'LogOut': {
        const had = session !== null;
        session = null;
        return { data: { logOut: had } };
      }
      case 'SignUp': {
        if ((input.password ?? '').length < 8) {
          return badInput('password', 'Password must be at least 8 characters.');
        }
        const account = { name: input.name ?? '', email: input.email ?? '', password: input.password ?? '' };
        accounts.push(account);
        session = account;
        return { data: { signUp: { __typename: 'AuthPayload', user: asUser(account) } } };
      }
      case 'LogIn': {
        const account = accounts.find((a) => a.email === input.email && a.password === input.password);
        if (!account) {
          return { data: null, errors: [{ message: 'Incorrect email or password.', extensions: { code: 'UNAUTHENTICATED' } }] };
        }
        session = account;
        return { data: { logIn: { __typename: 'AuthPayload', user: asUser(account) } } };
      }
      case 'Feed':
        return {
          data: {
            videos: {
              __typename: 'VideoConnection',
              edges: (options.videos ?? []).map((v) => ({
                __typename: 'VideoEdge',
                cursor: `c_${v.id}`,
                node: {
                  __typename: 'Video',
                  id: v.id,
                  title: v.title,
                  duration: v.duration ?? null,
                  createdAt: v.createdAt ?? '2026-11-20T12:00:00Z',
                  owner: { __typename: 'User', id: `owner_${v.owner}`, name: v.owner, handle: v.owner.toLowerCase() },
                  viewCount: v.viewCount ?? 0,
                  playback: v.posterUrl ? { __typename: 'Playback', posterUrl: v.posterUrl } : null,
                },
              })),
              pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
            },
          },
        };
      default:
        return { errors: [{ message: `no fake for ${op.name}`, extensions: { code: 'INTERNAL' } }] };
    }
  });

  return {
    get session() {
      return session;
    },
  };
}

/** A BAD_USER_INPUT error naming `field`, as the server sends it. */
export function badInput(field: string, message: string): FakeResponse {
  return { data: null, errors: [{ message, extensions: { code: 'BAD_USER_INPUT', field } }] };
}
