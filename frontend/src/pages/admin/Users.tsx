import { Fragment, useState, type FormEvent } from 'react';
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
          storageQuotaBytes
          dailyUploads
          effectiveStorageQuotaBytes
          effectiveDailyUploads
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

const SetUserLimitsDocument = graphql(`
  mutation SetUserLimits($userId: ID!, $storageQuotaBytes: Int64, $dailyUploads: Int, $reason: String) {
    setUserLimits(userId: $userId, storageQuotaBytes: $storageQuotaBytes, dailyUploads: $dailyUploads, reason: $reason) {
      storageQuotaBytes
      dailyUploads
      effectiveStorageQuotaBytes
      effectiveDailyUploads
      user {
        id
      }
    }
  }
`);

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

/**
 * Reads a size as people write it ("20 GiB", "500MB", "0"): null for an
 * empty field (the instance default), undefined when it is no size.
 */
function parseSize(text: string): number | null | undefined {
  const t = text.trim().toLowerCase();
  if (t === '') return null;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?$/.exec(t);
  if (!m) return undefined;
  const n = Math.round(Number(m[1]) * (SIZE_UNITS[m[2] ?? ''] ?? 1));
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A byte count as the quota field shows it: the largest unit that divides it ("20 GiB", "500 MB"). */
function sizeInput(n: number): string {
  if (n === 0) return '0';
  for (const unit of ['TiB', 'GiB', 'MiB', 'KiB', 'TB', 'GB', 'MB', 'KB']) {
    const f = SIZE_UNITS[unit.toLowerCase()] ?? 1;
    if (n % f === 0) return `${n / f} ${unit}`;
  }
  return `${n} B`;
}

/** A limit as the table shows it, saying whether the account has its own. */
function describeLimits(quota: number, daily: number, ownQuota: boolean, ownDaily: boolean) {
  const q = quota === 0 ? 'no quota' : `quota ${sizeInput(quota)}`;
  const d = daily === 0 ? 'no daily limit' : `${daily} uploads a day`;
  return `${q}${ownQuota ? ' (own)' : ''}, ${d}${ownDaily ? ' (own)' : ''}`;
}

type LimitsTarget = { id: string; name: string; storageQuotaBytes?: number | null; dailyUploads?: number | null };

/** Sets one account's own limits; empty fields go back to the instance defaults. */
function LimitsForm({ target, onDone }: { target: LimitsTarget; onDone: (message: string | null) => void }) {
  const [quota, setQuota] = useState(target.storageQuotaBytes == null ? '' : sizeInput(target.storageQuotaBytes));
  const [daily, setDaily] = useState(target.dailyUploads == null ? '' : String(target.dailyUploads));
  const [reason, setReason] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const [saving, save] = useMutation(SetUserLimitsDocument);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const q = parseSize(quota);
    const d = daily.trim() === '' ? null : /^\d+$/.test(daily.trim()) ? Number(daily.trim()) : undefined;
    if (q === undefined) return setInvalid('Write the quota as a size, like 20 GiB or 500 MB (0: unlimited), or leave it empty.');
    if (d === undefined) return setInvalid('Write the uploads per day as a whole number (0: unlimited), or leave it empty.');
    setInvalid(null);
    const r = await save({ userId: target.id, storageQuotaBytes: q, dailyUploads: d, reason: reason.trim() || null });
    if (!r.error) onDone(`${target.name}'s limits are saved.`);
  }

  return (
    <form className="admin-limits stack" onSubmit={onSubmit} aria-labelledby={`limits-${target.id}`}>
      <h2 id={`limits-${target.id}`} className="small">
        Limits of {target.name}
      </h2>
      <p className="muted small">Empty: the instance default. 0: unlimited. They count from the next upload.</p>
      <div className="admin-search">
        <div className="field">
          <label htmlFor={`quota-${target.id}`}>Storage quota</label>
          <input id={`quota-${target.id}`} value={quota} placeholder="default" inputMode="text" onChange={(e) => setQuota(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`daily-${target.id}`}>Uploads per day</label>
          <input id={`daily-${target.id}`} value={daily} placeholder="default" inputMode="numeric" onChange={(e) => setDaily(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`limits-reason-${target.id}`}>Why (audit log)</label>
          <input id={`limits-reason-${target.id}`} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
      </div>
      <Alert>{invalid ?? formErrors(saving.error).message}</Alert>
      <div className="admin-actions">
        <button type="submit" className="button button--small" disabled={saving.fetching}>
          Save limits
        </button>
        <button type="button" className="button button--small button--quiet" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Accounts: search, storage used, upload limits, disable and enable, the administrator role. */
export function Users() {
  const { user: me } = useViewer();
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  const [{ data, fetching, error }, refetch] = useQuery({ query: AdminUsersDocument, variables: { search, after: null } });
  const [editing, setEditing] = useState<string | null>(null);
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
                <th scope="col">Limits</th>
                <th scope="col">Since</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {edges.map(({ node: { user: u, storageBytes, videoCount, ...lim } }) => (
                <Fragment key={u.id}>
                  <tr>
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
                    <td data-label="Limits">
                      {describeLimits(lim.effectiveStorageQuotaBytes, lim.effectiveDailyUploads, lim.storageQuotaBytes != null, lim.dailyUploads != null)}
                    </td>
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
                          aria-label={`${u.isAdmin ? 'Remove admin' : 'Make admin'}: ${u.name}`}
                          onClick={() => toggleAdmin(u.id, u.name, !u.isAdmin)}>
                          {u.isAdmin ? 'Remove admin' : 'Make admin'}
                        </button>
                        <button type="button" className="button button--small button--quiet" aria-label={`Limits of ${u.name}`}
                          aria-expanded={editing === u.id} onClick={() => setEditing(editing === u.id ? null : u.id)}>
                          Limits
                        </button>
                      </div>
                    </td>
                  </tr>
                  {editing === u.id && (
                    <tr className="admin-edit-row">
                      <td colSpan={6}>
                        <LimitsForm
                          target={{ id: u.id, name: u.name, storageQuotaBytes: lim.storageQuotaBytes, dailyUploads: lim.dailyUploads }}
                          onDone={(message) => {
                            setEditing(null);
                            if (message) {
                              setNotice(message);
                              refetch({ requestPolicy: 'network-only' });
                            }
                          }}
                        />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
