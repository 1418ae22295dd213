// GraphiQL for the clipcut API, served at GET /graphql to browsers. It is
// bundled with the app (no CDN), so it works on instances without internet
// access and under the app's Content-Security-Policy. Requests go to the
// same origin with the session cookie; paste a bearer token into the
// Headers tab to act as another account.
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import './theme.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

const wsScheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
const fetcher = createGraphiQLFetcher({
  url: '/graphql',
  subscriptionUrl: `${wsScheme}//${location.host}/graphql`,
});

const defaultQuery = `# Welcome to the clipcut API. The schema is documented in the Docs panel.
query Feed {
  videos(first: 10) {
    edges { node { id title duration owner { name } } }
    pageInfo { hasNextPage endCursor }
  }
}
`;

createRoot(document.getElementById('graphiql')!).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultQuery={defaultQuery} forcedTheme="dark" />
  </StrictMode>,
);
