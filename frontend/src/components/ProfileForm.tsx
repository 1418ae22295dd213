// The Account page's channel settings: handle and description.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../gql';
import { formErrors } from '../graphql/errors';
import { Alert } from './Alert';
import { Field } from './Field';
import { channelPath } from './VideoCard';

const ProfileDocument = graphql(`
  query Profile {
    me {
      id
      handle
      description
    }
  }
`);

const UpdateProfileDocument = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      id
      handle
      description
    }
  }
`);

const FIELDS = ['handle', 'description'] as const;
const HANDLE = /^[a-z0-9]([a-z0-9-]{0,28}[a-z0-9])?$/;

/** Edits the signed-in user's channel handle and description. */
export function ProfileForm() {
  const [{ data }] = useQuery({ query: ProfileDocument });
  const me = data?.me;
  const [handle, setHandle] = useState('');
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState<Partial<Record<(typeof FIELDS)[number], string>>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [{ fetching }, update] = useMutation(UpdateProfileDocument);
  const descriptionId = useId();

  useEffect(() => {
    if (!me) return;
    setHandle(me.handle);
    setDescription(me.description);
  }, [me]);

  if (!me) return null;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (fetching) return;
    setSaved(false);
    setMessage(null);
    const h = handle.trim().toLowerCase();
    // Every problem at once, before sending.
    const found: typeof errors = {};
    if (!HANDLE.test(h)) found.handle = 'Use 1 to 30 lowercase letters, digits and hyphens, starting and ending with a letter or digit.';
    if (description.trim().length > 1000) found.description = 'Keep the description to 1000 characters.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const res = await update({ input: { handle: h, description: description.trim() } });
    if (res.error) {
      const fe = formErrors(res.error, FIELDS);
      setErrors(fe.fields);
      setMessage(fe.message);
      return;
    }
    setSaved(true);
  }

  return (
    <section className="card stack" aria-labelledby="channel-settings">
      <h2 id="channel-settings">Your channel</h2>
      <p className="muted small">
        Your public videos are listed on <Link href={channelPath(me)}>your channel page</Link>.
      </p>
      <form className="stack" onSubmit={onSubmit} noValidate>
        <Field
          label="Handle"
          hint={`Your channel's address: ${location.origin}/c/${handle.trim().toLowerCase() || '…'}`}
          error={errors.handle}
          value={handle}
          autoComplete="off"
          spellCheck={false}
          maxLength={30}
          onChange={(e) => setHandle(e.target.value)}
        />
        <div className={`field${errors.description ? ' field--invalid' : ''}`}>
          <label htmlFor={descriptionId}>About your channel</label>
          <textarea
            id={descriptionId}
            rows={4}
            maxLength={1000}
            value={description}
            aria-invalid={errors.description ? true : undefined}
            aria-describedby={errors.description ? `${descriptionId}-error` : undefined}
            onChange={(e) => setDescription(e.target.value)}
          />
          {errors.description && (
            <p id={`${descriptionId}-error`} className="field__error">
              {errors.description}
            </p>
          )}
        </div>
        {message && <Alert>{message}</Alert>}
        <div className="page-actions">
          <button type="submit" className="button button--primary" aria-disabled={fetching || undefined}>
            {fetching ? 'Saving…' : 'Save channel'}
          </button>
          {saved && (
            <span role="status" className="muted">
              Saved.
            </span>
          )}
        </div>
      </form>
    </section>
  );
}
