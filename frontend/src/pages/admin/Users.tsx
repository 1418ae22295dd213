import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Alert } from '../../components/Alert';
import { Page } from '../../components/Page';
import { formatBytes, formatDate } from '../../format';
import { graphql } from '../../gql';
import { formErrors } from '../../graphql/errors';
import { useViewer } from '../../session';

const AdminUsersDocument = graphql(`
  query AdminUsers($search: String, $after: String) {
    adminUsers(search: $search, first: 50, after: $after) {
      edges {
        cursor
        node {
          storageBytes
          videoCount
          user {
            id
            name
            email
            isAdmin
            disabled
            createdAt
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const SetUserDisabledDocument = graphql(`
  mutation SetUserDisabled($userId: ID!, $disabled: Boolean!, $reason: String) {
    setUserDisabled(userId: $userId, disabled: $disabled, reason: $reason) {
      id
      disabled
    }
  }
`);

const SetUserAdminDocument = graphql(`
  mutation SetUserAdmin($userId: ID!, $admin: Boolean!) {
    setUserAdmin(userId: $userId, admin: $admin) {
      id
      isAdmin
    }
  }
`);

/** Accounts: search, storage used, disable and enable, the administrator role. */
export function Users() {
  const { user: me } = useViewer();
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  const [{ data, fetching, error }] = useQuery({ query: AdminUsersDocument, variables: { search, after: null } });
  const [disabling, setDisabled] = useMutation(SetUserDisabledDocument);
  const [promoting, setAdmin] = useMutation(SetUserAdminDocument);
  const [notice, setNotice] = useState<string | null>(null);
  const actionError = formErrors(disabling.error ?? promoting.error).message;

  function onSearch(e: FormEvent) {
    e.preventDefault();
    setSearch(typed.trim());
  }

  async function toggleDisabled(id: string, name: string, disabled: boolean) {
    const reason = disabled ? window.prompt(`Why disable ${name}? (kept in the audit log)`) : null;
    if (disabled && reason === null) return;
    const r = await setDisabled({ userId: id, disabled, reason });
    if (!r.error) setNotice(disabled ? `${name} is disabled: signed out everywhere, videos hidden.` : `${name} is enabled again.`);
  }

  async function toggleAdmin(id: string, name: string, admin: boolean) {
    const r = await setAdmin({ userId: id, admin });
    if (!r.error) setNotice(admin ? `${name} is now an administrator.` : `${name} is no longer an administrator.`);
  }

  const edges = data?.adminUsers.edges ?? [];
  return (
    <Page title="Users">
      <form className="admin-search" role="search" onSubmit={onSearch}>
        <div className="field">
          <label htmlFor="admin-user-search">Email or name</label>
          <input id="admin-user-search" type="search" value={typed} onChange={(e) => setTyped(e.target.value)} />
        </div>
        <button type="submit" className="button">
          Search
        </button>
      </form>
      <Alert>{formErrors(error).message ?? actionError}</Alert>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {fetching && !data && <p className="muted" role="status">Loading…</p>}
      {data && edges.length === 0 && <p className="muted">No account matches.</p>}
      {edges.length > 0 && (
        <div className="admin-table-wrap">
          <table className="admin-table">
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Videos</th>
                <th scope="col">Storage</th>
                <th scope="col">Since</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {edges.map(({ node: { user: u, storageBytes, videoCount } }) => (
                <tr key={u.id}>
                  <th scope="row">
                    {u.name}
                    {u.isAdmin && <span className="status-badge"> Administrator</span>}
                    {u.disabled && <span className="status-badge status-badge--failed"> Disabled</span>}
                    <br />
                    <span className="muted small">{u.email}</span>
                  </th>
                  <td data-label="Videos">
                    <a href={`/admin/videos?owner=${u.id}`}>{videoCount}</a>
                  </td>
                  <td data-label="Storage">{formatBytes(storageBytes)}</td>
                  <td data-label="Since">{formatDate(u.createdAt)}</td>
                  <td data-label="Actions">
                    <div className="admin-actions">
                      <button type="button" className={`button button--small${u.disabled ? '' : ' button--danger'}`}
                        aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.name}`}
                        disabled={u.id === me?.id && !u.disabled}
                        onClick={() => toggleDisabled(u.id, u.name, !u.disabled)}>
                        {u.disabled ? 'Enable' : 'Disable'}
                      </button>
                      <button type="button" className="button button--small button--quiet"
                        aria-label={`${u.isAdmin ? 'Remove administrator role from' : 'Make administrator:'} ${u.name}`}
                        onClick={() => toggleAdmin(u.id, u.name, !u.isAdmin)}>
                        {u.isAdmin ? 'Remove admin' : 'Make admin'}
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
