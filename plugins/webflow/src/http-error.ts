/** A 4xx/5xx answer with a code and a message, and the one error handler that sends it. */
import type { ErrorRequestHandler } from 'express';
import type { Log } from './log.ts';

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.name = 'HttpError';
  }
}

/** Answers `{ error: { code, message } }`; a 5xx is logged with its cause and its message hidden. */
export function errorHandler(log: Log): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = err instanceof HttpError;
    const status = known ? err.status : 500;
    if (status >= 500) log('error', 'request failed', { method: req.method, path: req.path, error: String((err as Error)?.stack ?? err) });
    res.status(status).json({ error: { code: known ? err.code : 'internal', message: status >= 500 && !known ? 'Something went wrong on the app server.' : (err as Error).message } });
  };
}
