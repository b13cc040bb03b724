/**
 * The one error that domain code throws: a machine-readable code, a message for a person, and
 * the HTTP status it stands for — a hint that http/error-response.ts, the one place that turns
 * errors into answers, follows. Whoever calls the domain (a route, the admin socket, the command
 * line, a realtime upgrade) gets the same code and message. Failures of the storage layer are
 * StoreErrors (store/store.ts), named after the operation that failed.
 */
export class CairnError extends Error {
  /** The HTTP status this error stands for: 4xx for what the caller can mend. */
  readonly status: number;
  readonly code: string;
  /** The offending field, e.g. `u` or `[3].p.plan`, when there is one. */
  readonly field: string | undefined;
  /** Headers that go with the answer (e.g. `retry-after`). */
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, extra: { field?: string; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'CairnError';
    this.status = status;
    this.code = code;
    this.field = extra.field;
    this.headers = extra.headers ?? {};
  }

  /** The JSON body sent to a client (the error envelope of protocol/errors.ts). */
  toJSON(): { error: { code: string; message: string; field?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}
