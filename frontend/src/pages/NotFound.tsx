import { Link } from 'wouter';
import { Page } from '../components/Page';

/** Any path the app does not know. */
export function NotFound() {
  return (
    <Page title="Page not found">
      <div className="card stack">
        <p>There is nothing at this address.</p>
        <p>
          <Link href="/">Go to the home page</Link>
        </p>
      </div>
    </Page>
  );
}
