/** One error of a GraphQL answer, as the server sends it. */
export interface GraphQLErrorEntry {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; field?: string; retryAfter?: number; [key: string]: unknown };
}

/**
 * What the server refused, or why a request did not reach it. `code` is the
 * server's (`UNAUTHENTICATED`, `FORBIDDEN`, `NOT_FOUND`, `BAD_USER_INPUT`,
 * `QUOTA_EXCEEDED`, `RATE_LIMITED`, …), or `NETWORK` and `HTTP` when no
 * GraphQL answer came back.
 */
export class ClipcutError extends Error {
  /** The first error's `extensions.code`. */
  readonly code: string;
  /** The HTTP status of the answer, when there was one. */
  readonly status?: number;
  /** The input field at fault (`extensions.field`), for BAD_USER_INPUT. */
  readonly field?: string;
  /** Seconds to wait before trying again, for RATE_LIMITED. */
  readonly retryAfter?: number;
  /** Every error of the answer. */
  readonly errors: readonly GraphQLErrorEntry[];

  constructor(message: string, opts: { code: string; status?: number; errors?: readonly GraphQLErrorEntry[]; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ClipcutError';
    this.code = opts.code;
    this.status = opts.status;
    this.errors = opts.errors ?? [];
    const ext = this.errors[0]?.extensions;
    if (typeof ext?.field === 'string') this.field = ext.field;
    if (typeof ext?.retryAfter === 'number') this.retryAfter = ext.retryAfter;
  }

  /** The error of a GraphQL answer's `errors`. */
  static fromGraphQL(errors: readonly GraphQLErrorEntry[], status?: number): ClipcutError {
    const first = errors[0];
    const code = first?.extensions?.code ?? 'INTERNAL';
    return new ClipcutError(`${first?.message ?? 'unknown error'} (${code})`, { code, status, errors });
  }
}
