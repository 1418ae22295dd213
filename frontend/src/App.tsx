import { lazy, Suspense, useEffect, useRef } from 'react';
import { Route, Switch, useLocation } from 'wouter';
import { Header } from './components/Header';
import { Account } from './pages/Account';
import { Home } from './pages/Home';
import { LogIn } from './pages/LogIn';
import { MyVideos } from './pages/MyVideos';
import { NotFound } from './pages/NotFound';
import { SignUp } from './pages/SignUp';
import { Upload } from './pages/Upload';
import { Watch } from './pages/Watch';
import { markClientNavigation } from './routing';
import { UploadsProvider } from './upload/UploadsProvider';

// The subtitles editor is its own chunk: only owners editing cues need it.
// Pages few visitors open are their own chunks, kept out of the initial JavaScript.
const DashboardRoutes = lazy(() => import('./pages/Dashboard').then((m) => ({ default: m.DashboardRoutes })));
const AdminRoutes = lazy(() => import('./pages/admin/AdminRoutes').then((m) => ({ default: m.AdminRoutes })));
const Search = lazy(() => import('./pages/Search').then((m) => ({ default: m.Search })));
const Channel = lazy(() => import('./pages/Channel').then((m) => ({ default: m.Channel })));
const ApiTokens = lazy(() => import('./pages/ApiTokens').then((m) => ({ default: m.ApiTokens })));
const Webhooks = lazy(() => import('./pages/Webhooks').then((m) => ({ default: m.Webhooks })));
const SubtitlesEditor = lazy(() => import('./pages/SubtitlesEditor').then((m) => ({ default: m.SubtitlesEditor })));
const Studio = lazy(() => import('./pages/Studio').then((m) => ({ default: m.Studio })));

/** The whole app below the GraphQL provider: header, routes, focus handling, uploads. */
export function App() {
  useFocusOnNavigate();
  return (
    <UploadsProvider>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" className="container main" tabIndex={-1}>
        <Switch>
          <Route path="/" component={Home} />
          <Route path="/signup" component={SignUp} />
          <Route path="/login" component={LogIn} />
          <Route path="/account" component={Account} />
          <Route path="/account/tokens">
            {() => (
              <Suspense fallback={<p className="muted" role="status">Loading…</p>}>
                <ApiTokens />
              </Suspense>
            )}
          </Route>
          <Route path="/account/webhooks">
            {() => (
              <Suspense fallback={<p className="muted" role="status">Loading…</p>}>
                <Webhooks />
              </Suspense>
            )}
          </Route>
          <Route path="/upload" component={Upload} />
          <Route path="/my-videos" component={MyVideos} />
          <Route path="/dashboard/*?">
            {() => (
              <Suspense fallback={<p className="muted" role="status">Loading…</p>}>
                <DashboardRoutes />
              </Suspense>
            )}
          </Route>
          <Route path="/admin/*?">
            {() => (
              <Suspense fallback={<p className="muted" role="status">Loading…</p>}>
                <AdminRoutes />
              </Suspense>
            )}
          </Route>
          <Route path="/search">
            {() => (
              <Suspense fallback={<p className="muted" role="status">Loading…</p>}>
                <Search />
              </Suspense>
            )}
          </Route>
          <Route path="/c/:handle">
            {(params) => (
              <Suspense fallback={<p className="muted" role="status">Loading…</p>}>
                <Channel key={params.handle} handle={params.handle} />
              </Suspense>
            )}
          </Route>
          <Route path="/watch/:id">{(params) => <Watch key={params.id} id={params.id} />}</Route>
          <Route path="/videos/:id/subtitles">
            {(params) => (
              <Suspense fallback={<p className="muted" role="status">Loading…</p>}>
                <SubtitlesEditor key={params.id} id={params.id} />
              </Suspense>
            )}
          </Route>
          <Route path="/videos/:id/studio">
            {(params) => (
              <Suspense fallback={<p className="muted" role="status">Loading…</p>}>
                <Studio key={params.id} id={params.id} />
              </Suspense>
            )}
          </Route>
          <Route component={NotFound} />
        </Switch>
      </main>
      <footer className="container site-footer">
        <p>clipcut · self-hosted video</p>
      </footer>
    </UploadsProvider>
  );
}

// After a client-side navigation, move focus to the new page's heading, as a
// full page load would reset it, so keyboard and screen-reader users start
// at the top of the new content.
function useFocusOnNavigate() {
  const [location] = useLocation();
  const previous = useRef(location);
  useEffect(() => {
    if (previous.current === location) return;
    previous.current = location;
    markClientNavigation();
    document.getElementById('page-title')?.focus();
  }, [location]);
}
