/** The body of every error answer of the HTTP API, 4xx and 5xx alike (docs/api/events.md, sites.md). */
export interface ErrorEnvelope {
  error: {
    /** For programs: `invalid_user`, `unauthenticated`, `too_large`… */
    code: string;
    /** For a person: a lower-case clause, e.g. "email is required". */
    message: string;
    /** The input it is about (`email`, `grants.0.site`, `[3].p.plan`), when there is one. */
    field?: string;
  };
}
