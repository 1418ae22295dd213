import { useCallback, useRef, useState } from 'react';
import type { CombinedError } from '@urql/core';
import { formErrors, type FormErrors } from '../graphql/errors';

const none: FormErrors = { fields: {}, message: null };

/**
 * Error state for a form whose inputs are named by `fields`, in the order
 * they appear. After a failed submit the first invalid input gets focus, so
 * its error (linked with aria-describedby) is read out.
 */
export function useFormErrors<F extends string>(fields: readonly F[]) {
  const [errors, setErrors] = useState<FormErrors>(none);
  // Bumped on every failure so the alert remounts and is announced again.
  const [attempt, setAttempt] = useState(0);
  const inputs = useRef(new Map<F, HTMLInputElement>());

  const refFor = useCallback(
    (field: F) => (el: HTMLInputElement | null) => {
      if (el) inputs.current.set(field, el);
      else inputs.current.delete(field);
    },
    [],
  );

  const report = useCallback(
    (error: CombinedError | undefined) => {
      const next = formErrors(error, fields);
      setErrors(next);
      setAttempt((n) => n + 1);
      const first = fields.find((f) => next.fields[f]);
      if (first) inputs.current.get(first)?.focus();
    },
    [fields],
  );

  /** Shows errors found before sending (every invalid field at once), focusing the first. */
  const reportFields = useCallback(
    (found: Partial<Record<F, string>>) => {
      const fieldsFound: Record<string, string> = {};
      for (const f of fields) if (found[f]) fieldsFound[f] = found[f];
      setErrors({ fields: fieldsFound, message: null });
      setAttempt((n) => n + 1);
      const first = fields.find((f) => fieldsFound[f]);
      if (first) inputs.current.get(first)?.focus();
    },
    [fields],
  );

  const clear = useCallback(() => setErrors(none), []);

  const clearField = useCallback((field: F) => {
    setErrors((e) => {
      if (!e.fields[field]) return e;
      const rest = { ...e.fields };
      delete rest[field];
      return { ...e, fields: rest };
    });
  }, []);

  return {
    fieldError: (field: F): string | undefined => errors.fields[field],
    message: errors.message,
    attempt,
    refFor,
    report,
    reportFields,
    clear,
    clearField,
  };
}
