/**
 * The Data API v2 through the `webflow-api` SDK, pointed at `apiBase` (Webflow's in production, a
 * local stub in tests), and the one place its errors become answers an admin can act on.
 */
import { WebflowClient, WebflowError } from 'webflow-api';
import { HttpError } from './http-error.ts';

export type WebflowApi = WebflowClient;

/** A Data API client for `accessToken`. */
export function webflowApi(apiBase: string, accessToken: string): WebflowApi {
  return new WebflowClient({ accessToken, baseUrl: apiBase, timeoutInSeconds: 30 });
}

/** Webflow refused the token: the authorization was revoked (the app removed from the site or Workspace). */
export class Deauthorized extends HttpError {
  constructor(what: string) {
    super(401, 'webflow_deauthorized', `Webflow refused the app’s access while trying to ${what}: the app was removed or its access revoked. Authorize it again.`);
  }
}

/** Runs `call`, turning Webflow's refusals into `HttpError`s that say what was being done. */
export async function webflowCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof WebflowError)) {
      throw new HttpError(502, 'webflow_unreachable', `Webflow could not be reached to ${what}: ${(err as Error).message}`);
    }
    const status = err.statusCode;
    if (status === 401) throw new Deauthorized(what);
    if (status === 403) throw new HttpError(403, 'webflow_forbidden', `Webflow did not allow the app to ${what}: the authorization lacks a scope (sites:read, custom_code:read, custom_code:write) or this site. Authorize the app again.`);
    if (status === 404) throw new HttpError(404, 'webflow_not_found', `Webflow has no such site (trying to ${what}).`);
    throw new HttpError(502, 'webflow_refused', `Webflow refused to ${what}: ${status ?? ''} ${JSON.stringify(err.body ?? err.message).slice(0, 200)}`);
  }
}
