import { useState, type ChangeEvent, type FormEvent } from 'react';
import { Link, Redirect, useLocation, useSearch } from 'wouter';
import { useMutation } from 'urql';
import { Alert } from '../components/Alert';
import { Field } from '../components/Field';
import { Page } from '../components/Page';
import { useFormErrors } from '../components/useFormErrors';
import { safeNext, withNext } from '../routing';
import { graphql } from '../gql';
import { useSessionChanged, useViewer } from '../session';

const LogInDocument = graphql(`
  mutation LogIn($input: LogInInput!) {
    logIn(input: $input) {
      user {
        id
        name
      }
    }
  }
`);

const FIELDS = ['email', 'password'] as const;

/** Signs in with email and password; the server sets the session cookie. */
export function LogIn() {
  const search = useSearch();
  const next = safeNext(search);
  const [, navigate] = useLocation();
  const { user } = useViewer();
  const sessionChanged = useSessionChanged();
  const [{ fetching }, logIn] = useMutation(LogInDocument);
  const errors = useFormErrors(FIELDS);
  const [values, setValues] = useState({ email: '', password: '' });

  if (user) return <Redirect to={next} replace />;

  const change = (field: (typeof FIELDS)[number]) => (e: ChangeEvent<HTMLInputElement>) => {
    setValues((v) => ({ ...v, [field]: e.target.value }));
    errors.clearField(field);
  };

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (fetching) return;
    errors.clear();
    const result = await logIn({ input: { ...values, email: values.email.trim() } });
    if (result.error || !result.data) {
      errors.report(result.error);
      return;
    }
    navigate(next);
    sessionChanged();
  }

  return (
    <Page title="Log in">
      <form className="card form" onSubmit={submit} noValidate>
        <Alert key={errors.attempt}>{errors.message}</Alert>
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          inputMode="email"
          spellCheck={false}
          required
          value={values.email}
          onChange={change('email')}
          error={errors.fieldError('email')}
          ref={errors.refFor('email')}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={values.password}
          onChange={change('password')}
          error={errors.fieldError('password')}
          ref={errors.refFor('password')}
        />
        <button type="submit" className="button button--primary" aria-disabled={fetching || undefined}>
          {fetching ? 'Logging in…' : 'Log in'}
        </button>
        <p className="form__switch">
          No account yet? <Link href={withNext('/signup', next)}>Sign up</Link>
        </p>
      </form>
    </Page>
  );
}
