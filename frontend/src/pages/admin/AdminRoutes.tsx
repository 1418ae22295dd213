// The admin area (/admin): overview, users, videos, reports and the audit
// log, for administrators only; everyone else gets the not-found page, so
// the area is not advertised. The server checks the role on every
// operation; hiding the pages is only manners. The job queue is River UI at
// /admin/jobs, a server page outside this app.

import { Link, Route, Switch, useLocation } from 'wouter';
import { SignInRequired } from '../../components/SignInRequired';
import { useViewer } from '../../session';
import { NotFound } from '../NotFound';
import { AuditLog } from './AuditLog';
import { Overview } from './Overview';
import { Reports } from './Reports';
import { Users } from './Users';
import { Videos } from './Videos';
import './Admin.css';

const SECTIONS = [
  { href: '/admin', label: 'Overview' },
  { href: '/admin/users', label: 'Users' },
  { href: '/admin/videos', label: 'Videos' },
  { href: '/admin/reports', label: 'Reports' },
  { href: '/admin/audit', label: 'Audit log' },
];

/** Every /admin route, behind the administrator check. */
export function AdminRoutes() {
  const { user } = useViewer();
  const [location] = useLocation();
  if (!user) {
    return (
      <SignInRequired title="Administration" loading={user === undefined} next={location}>
        Log in as an administrator.
      </SignInRequired>
    );
  }
  if (!user.isAdmin) return <NotFound />;
  return (
    <>
      <nav aria-label="Administration">
        <ul className="admin-nav">
          {SECTIONS.map((s) => (
            <li key={s.href}>
              <Link href={s.href} aria-current={location === s.href ? 'page' : undefined}>
                {s.label}
              </Link>
            </li>
          ))}
          <li>
            {/* River UI is served by the server, not this app: a full page load. */}
            <a href="/admin/jobs/">Jobs</a>
          </li>
        </ul>
      </nav>
      <Switch>
        <Route path="/admin" component={Overview} />
        <Route path="/admin/users" component={Users} />
        <Route path="/admin/videos" component={Videos} />
        <Route path="/admin/reports" component={Reports} />
        <Route path="/admin/audit" component={AuditLog} />
        <Route component={NotFound} />
      </Switch>
    </>
  );
}
