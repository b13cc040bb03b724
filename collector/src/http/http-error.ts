/** An error with the HTTP status and the machine-readable code the client receives. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  /** The offending field, e.g. `u` or `[3].p.plan`, when there is one. */
  readonly field: string | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, extra: { field?: string; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.field = extra.field;
    this.headers = extra.headers ?? {};
  }

  /** The JSON body sent to the client. */
  toJSON(): { error: { code: string; message: string; field?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}
