import type { ReactNode } from 'react';

/**
 * An error message announced as soon as it appears (role="alert"). Renders
 * nothing without a message; give it a new `key` to announce a repeat.
 */
export function Alert({ children }: { children: ReactNode }) {
  if (children == null || children === false || children === '') return null;
  return (
    <div role="alert" className="alert">
      {children}
    </div>
  );
}
