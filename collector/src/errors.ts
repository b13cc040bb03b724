/**
 * The one error that domain code throws: a machine-readable code, a message for a person, and
 * the HTTP status it stands for — a hint that `errorResponse` below, the one place that turns
 * errors into answers, follows. Whoever calls the domain (a route, the ingest path, the admin
 * socket, the command line, a realtime upgrade) gets the same code and message. Failures of the
 * storage layer are StoreErrors (store/store.ts), named after the operation that failed; the
 * caller decides what they mean (ingest: 503, retry later; a route: 500).
 */
import type { ErrorEnvelope } from './protocol/errors.ts';

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
  toJSON(): ErrorEnvelope {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: ErrorEnvelope;
}

/**
 * The HTTP answer to an error, for the Express routes, the ingest path, the realtime upgrade and
 * the admin socket alike: a CairnError answers with its status, headers and envelope; Express's
 * body parsers' 4xx with theirs; anything else is a 500 whose message stays in the log.
 */
export function errorResponse(err: unknown): ErrorResponse {
  if (err instanceof CairnError) return { status: err.status, headers: err.headers, body: err.toJSON() };
  const status = typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
  if (status < 500) return { status, headers: {}, body: { error: { code: status === 413 ? 'too_large' : 'bad_request', message: (err as Error).message } } };
  return { status: 500, headers: {}, body: { error: { code: 'internal', message: 'internal error' } } };
}
