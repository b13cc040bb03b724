/** The collector's integration-key API and its tracker announcement: `@cairn/tracker/integration`, its failures as this app's `HttpError(502, …)`. */
import { createIntegrationClient, type IntegrationClient } from '@cairn/tracker/integration';
import { HttpError } from './http-error.ts';

export type { TrackerRelease } from '@cairn/tracker/integration';
export type CairnClient = IntegrationClient;

/** A client for `collector` holding the integration key `key`. */
export function cairnClient(collector: string, key: string): CairnClient {
  return createIntegrationClient({ collector, key, toError: (e) => new HttpError(502, e.code, e.message) });
}
