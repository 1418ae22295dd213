import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createClipcutClient } from './graphql/client';
import { prefetchWatchPage } from './pages/Watch';
import { SessionProvider } from './session';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

// A first visit to a watch page asks for the video (and the player) now,
// while React renders, rather than after.
const client = createClipcutClient();
prefetchWatchPage(client.client, window.location.pathname);

createRoot(root).render(
  <StrictMode>
    <SessionProvider client={client}>
      <App />
    </SessionProvider>
  </StrictMode>,
);
