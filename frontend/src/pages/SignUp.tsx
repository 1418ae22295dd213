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

const SignUpDocument = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      user {
        id
        name
      }
    }
  }
`);

const FIELDS = ['name', 'email', 'password'] as const;

type Values = Record<(typeof FIELDS)[number], string>;

/**
 * The server's rules (auth.SignUp), checked before sending so that every
 * invalid field is reported at once; the server, which stops at the first,
 * still has the last word.
 */
export function signUpErrors(values: Values): Partial<Values> {
  const found: Partial<Values> = {};
  const name = values.name.trim();
  if (name.length < 1 || [...name].length > 80) found.name = 'Name must be 1 to 80 characters.';
  const email = values.email.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) {
    found.email = 'Enter a valid email address, like name@example.com.';
  }
  if ([...values.password].length < 8) found.password = 'Password must be at least 8 characters.';
  return found;
}

/** Creates an account; the server signs the new user in with a session cookie. */
export function SignUp() {
  const search = useSearch();
  const next = safeNext(search);
  const [, navigate] = useLocation();
  const { user } = useViewer();
  const sessionChanged = useSessionChanged();
  const [{ fetching }, signUp] = useMutation(SignUpDocument);
  const errors = useFormErrors(FIELDS);
  const [values, setValues] = useState({ name: '', email: '', password: '' });

  if (user) return <Redirect to={next} replace />;

  const change = (field: (typeof FIELDS)[number]) => (e: ChangeEvent<HTMLInputElement>) => {
    setValues((v) => ({ ...v, [field]: e.target.value }));
    errors.clearField(field);
  };

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (fetching) return;
    const invalid = signUpErrors(values);
    if (Object.keys(invalid).length > 0) {
      errors.reportFields(invalid);
      return;
    }
    errors.clear();
    const result = await signUp({ input: { ...values, email: values.email.trim() } });
    if (result.error || !result.data) {
      errors.report(result.error);
      return;
    }
    navigate(next);
    sessionChanged();
  }

  return (
    <Page title="Create your account">
      <form className="card form" onSubmit={submit} noValidate aria-describedby="signup-intro">
        <p id="signup-intro" className="muted">
          Upload, share and watch videos on this clipcut instance.
        </p>
        <Alert key={errors.attempt}>{errors.message}</Alert>
        <Field
          label="Name"
          name="name"
          autoComplete="name"
          required
          maxLength={80}
          hint="Shown next to your videos."
          value={values.name}
          onChange={change('name')}
          error={errors.fieldError('name')}
          ref={errors.refFor('name')}
        />
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
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
          autoComplete="new-password"
          required
          hint="At least 8 characters."
          value={values.password}
          onChange={change('password')}
          error={errors.fieldError('password')}
          ref={errors.refFor('password')}
        />
        <button type="submit" className="button button--primary" aria-disabled={fetching || undefined}>
          {fetching ? 'Creating account…' : 'Sign up'}
        </button>
        <p className="form__switch">
          Already have an account? <Link href={withNext('/login', next)}>Log in</Link>
        </p>
      </form>
    </Page>
  );
}

