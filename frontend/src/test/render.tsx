import { render } from '@testing-library/react';
import { App } from '../App';
import { SessionProvider } from '../session';

/** Renders the whole app at `path`, as a page load there would. */
export function renderApp(path: string) {
  window.history.replaceState(null, '', path);
  return render(
    <SessionProvider>
      <App />
    </SessionProvider>,
  );
}
