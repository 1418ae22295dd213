// The one place that knows how the app talks to the clipcut API: queries and
// mutations over HTTP POST to /graphql, subscriptions over a websocket on the
// same path. Both are same-origin, so the HttpOnly session cookie the server
// sets at signUp/logIn authenticates them; the app never sees the token.
import { cacheExchange, Client, fetchExchange, subscriptionExchange } from '@urql/core';
import type { Client as WSClient } from 'graphql-ws';

/** A urql client plus the means to close the connections it opened. */
export interface ClipcutClient {
  client: Client;
  /** Closes the subscription websocket, if one was opened. */
  dispose(): void;
}

/** The websocket URL of the API on the page's own host. */
export function graphqlWebSocketURL(loc: Pick<Location, 'protocol' | 'host'> = window.location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/graphql`;
}

/**
 * Creates a client with an empty cache. The app makes a new one whenever the
 * session changes (sign-up, log-in, log-out), which drops everything cached
 * for the previous viewer and reconnects the websocket with the new cookie.
 */
export function createClipcutClient(): ClipcutClient {
  // The websocket client is loaded and opened on the first subscription
  // only, so pages that never subscribe neither download it nor hold a
  // socket; after dispose the next subscription opens a new one.
  let ws: Promise<WSClient> | null = null;
  const socket = (): Promise<WSClient> =>
    (ws ??= import('./ws').then(
      ({ createClient }) => createClient({ url: graphqlWebSocketURL(), lazy: true, retryAttempts: 5 }),
      (err: unknown) => {
        ws = null; // let the next subscription retry the download
        throw err;
      },
    ));

  const client = new Client({
    url: '/graphql',
    // POST for every operation: the server's GET /graphql is for GraphiQL.
    preferGetMethod: false,
    fetchOptions: { credentials: 'same-origin' },
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const payload = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              let stop: (() => void) | null = null;
              let stopped = false;
              socket().then(
                (client) => {
                  if (!stopped) stop = client.subscribe(payload, sink);
                },
                (err: unknown) => sink.error(err),
              );
              return {
                unsubscribe() {
                  stopped = true;
                  stop?.();
                },
              };
            },
          };
        },
      }),
    ],
  });

  return {
    client,
    dispose() {
      void ws?.then((client) => client.dispose());
      ws = null;
    },
  };
}
