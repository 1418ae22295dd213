// Account › API tokens: personal tokens for scripts and integrations,
// created with a name, scopes and an expiry, shown once, listed with their
// last use, revoked.
import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Alert } from '../components/Alert';
import { Field } from '../components/Field';
import { formatDate } from '../format';
import { formErrors } from '../graphql/errors';
import {
  ApiTokensDocument,
  CreateApiTokenDocument,
  RevokeApiTokenDocument,
  type ApiTokenItem,
  type ApiTokensData,
  type CreateApiTokenData,
  type RevokeApiTokenData,
  type Scope,
} from '../graphql/integrations';
import { Checklist, DeveloperList, DeveloperPage, OneTimeSecret, SignedInPage } from './Integrations';

/** Every scope, with what it allows (graph/schema/schema.graphqls). */
export const SCOPES: { scope: Scope; name: string; what: string }[] = [
  { scope: 'VIDEOS_READ', name: 'videos:read', what: 'Read videos, including private ones, their playback URLs and subtitles' },
  { scope: 'VIDEOS_WRITE', name: 'videos:write', what: 'Change and delete videos and subtitles' },
  { scope: 'VIDEOS_SHARE', name: 'videos:share', what: 'Sign, list and revoke share links of videos' },
  { scope: 'UPLOADS_WRITE', name: 'uploads:write', what: 'Upload videos' },
  { scope: 'ANALYTICS_READ', name: 'analytics:read', what: 'Read view statistics' },
  { scope: 'WEBHOOKS_READ', name: 'webhooks:read', what: 'List webhooks and their deliveries' },
  { scope: 'WEBHOOKS_WRITE', name: 'webhooks:write', what: 'Create, change, test and delete webhooks' },
];

const scopeName = (s: Scope) => SCOPES.find((x) => x.scope === s)?.name ?? s;

/** The expiries offered, in days (0: never). */
const EXPIRIES = [
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
  { days: 7, label: '7 days' },
  { days: 0, label: 'Never' },
];

export function ApiTokens() {
  return (
    <SignedInPage title="API tokens" next="/account/tokens" prompt="Log in to manage your API tokens.">
      <TokensPage />
    </SignedInPage>
  );
}

function TokensPage() {
  const [{ data, fetching, error }, refetch] = useQuery<ApiTokensData>({ query: ApiTokensDocument, requestPolicy: 'cache-and-network' });
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const tokens = data?.apiTokens ?? [];
  return (
    <DeveloperPage
      title="API tokens"
      current="tokens"
      intro={
        <>
          Tokens let scripts and integrations use the API as you: send one as <code>Authorization: Bearer ccp_…</code> with GraphQL, tus
          uploads and REST requests. Give each only the scopes it needs. Try the API in the <a href="/graphql">GraphQL explorer</a>.
        </>
      }
    >
      {created && (
        <OneTimeSecret region="New token" title="Copy your new token now" label="Token" value={created.token} onDone={() => setCreated(null)}>
          This is the only time <strong>{created.name}</strong> is shown. Store it somewhere safe: it cannot be read again.
        </OneTimeSecret>
      )}
      <CreateTokenForm
        onCreated={(token, name) => {
          setCreated({ token, name });
          refetch({ requestPolicy: 'network-only' });
        }}
      />
      <DeveloperList id="tokens-title" title="Your tokens" loaded={!!data} error={error} fetching={fetching} empty="No tokens yet.">
        {tokens.map((t) => (
          <TokenRow key={t.id} token={t} onRevoked={() => refetch({ requestPolicy: 'network-only' })} />
        ))}
      </DeveloperList>
    </DeveloperPage>
  );
}

function CreateTokenForm({ onCreated }: { onCreated: (token: string, name: string) => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['VIDEOS_READ']);
  const [days, setDays] = useState(90);
  const [result, create] = useMutation<CreateApiTokenData>(CreateApiTokenDocument);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const expiryId = useId();
  const server = formErrors(result.error);
  const errors = { ...server.fields, ...localErrors };

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (result.fetching) return;
    // Every problem at once, before asking the server.
    const problems: Record<string, string> = {};
    if (!name.trim()) problems.name = 'Give the token a name, such as the script that will use it.';
    if (scopes.length === 0) problems.scopes = 'Choose at least one scope.';
    setLocalErrors(problems);
    if (Object.keys(problems).length > 0) return;
    const expiresAt = days > 0 ? new Date(Date.now() + days * 86400_000).toISOString() : null;
    const res = await create({ name: name.trim(), scopes, expiresAt });
    const payload = res.data?.createApiToken;
    if (payload) {
      onCreated(payload.token, payload.apiToken.name);
      setName('');
    }
  }

  return (
    <form className="card stack form" onSubmit={onSubmit} noValidate aria-labelledby="create-token-title">
      <h2 id="create-token-title" className="section-title">
        Create a token
      </h2>
      <Field label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={80} error={errors.name} autoComplete="off" />
      <Checklist
        legend="Scopes"
        options={SCOPES.map((s) => ({ value: s.scope, name: s.name, what: s.what }))}
        chosen={scopes}
        onChange={setScopes}
        error={errors.scopes}
        errorId="scopes-error"
      />
      <div className={`field${errors.expiresAt ? ' field--invalid' : ''}`}>
        <label htmlFor={expiryId}>Expires after</label>
        <select id={expiryId} value={days} onChange={(e) => setDays(Number(e.currentTarget.value))}>
          {EXPIRIES.map((x) => (
            <option key={x.days} value={x.days}>
              {x.label}
            </option>
          ))}
        </select>
        {errors.expiresAt && <p className="field__error">{errors.expiresAt}</p>}
      </div>
      <Alert>{server.message}</Alert>
      <div>
        <button type="submit" className="button button--primary" aria-disabled={result.fetching || undefined}>
          {result.fetching ? 'Creating…' : 'Create token'}
        </button>
      </div>
    </form>
  );
}

function TokenRow({ token, onRevoked }: { token: ApiTokenItem; onRevoked: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [result, revoke] = useMutation<RevokeApiTokenData>(RevokeApiTokenDocument);
  return (
    <li className="dev-item card">
      <div className="dev-item__main">
        <p className="dev-item__title">
          <strong>{token.name}</strong> <span className="mono muted small">{token.prefix}…</span>
        </p>
        <p className="small">
          {token.scopes.map((s) => (
            <span key={s} className="tag mono">
              {scopeName(s)}
            </span>
          ))}
        </p>
        <dl className="dev-facts small muted">
          <div>
            <dt>Created</dt>
            <dd>{formatDate(token.createdAt)}</dd>
          </div>
          <div>
            <dt>Last used</dt>
            <dd>{token.lastUsedAt ? formatDate(token.lastUsedAt) : 'Never'}</dd>
          </div>
          <div>
            <dt>Expires</dt>
            <dd>{token.expiresAt ? formatDate(token.expiresAt) : 'Never'}</dd>
          </div>
        </dl>
      </div>
      <div className="dev-item__actions">
        {confirming ? (
          <div className="confirm" role="group" aria-label={`Revoke ${token.name}`}>
            <span className="small">Revoke it? Scripts using it stop working.</span>
            <button
              type="button"
              className="button button--small button--danger"
              aria-disabled={result.fetching || undefined}
              onClick={async () => {
                if (result.fetching) return;
                const res = await revoke({ id: token.id });
                if (!res.error) onRevoked();
              }}
            >
              {result.fetching ? 'Revoking…' : 'Revoke'}
            </button>
            <button type="button" className="button button--small" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <button type="button" className="button button--small" onClick={() => setConfirming(true)} aria-label={`Revoke ${token.name}`}>
            Revoke
          </button>
        )}
        <Alert>{formErrors(result.error).message}</Alert>
      </div>
    </li>
  );
}
