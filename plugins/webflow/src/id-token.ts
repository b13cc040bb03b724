/**
 * Webflow's "Resolve ID Token" (developers.webflow.com, Data API v2 beta: `POST /beta/token/resolve`
 * with an access token of the app that has `authorized_user:read`): the ID token a Designer
 * Extension gets from `webflow.getIdToken()` (a JWT, 15 minutes) becomes the user and the site it
 * was issued on. Only Webflow can check it (the app holds no key to verify it with), so the app
 * server asks Webflow, with the access token of the authorization covering the site. The
 * `webflow-api` SDK (3.x) has no method for this beta endpoint: a plain fetch.
 */
import { HttpError } from './http-error.ts';

/** The resolved user: Webflow documents every field as optional. */
export interface IdTokenUser {
  id?: string | null;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  /** The Webflow site the Designer was open on when the token was issued. */
  siteId?: string | null;
}

/** `https://api.webflow.com/v2` → `https://api.webflow.com/beta/token/resolve`. */
export function resolveUrl(apiBase: string): string {
  return `${apiBase.replace(/\/+$/, '').replace(/\/v2$/, '')}/beta/token/resolve`;
}

/** Resolves `idToken` with Webflow; 401 when Webflow refuses the token, 403 when it refuses the app. */
export async function resolveIdToken(apiBase: string, accessToken: string, idToken: string): Promise<IdTokenUser> {
  let res: Response;
  try {
    res = await fetch(resolveUrl(apiBase), {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ idToken }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (cause) {
    throw new HttpError(502, 'webflow_unreachable', `Webflow could not be reached to check the ID token: ${(cause as Error).message}`);
  }
  if (res.status === 400 || res.status === 401) {
    throw new HttpError(401, 'bad_id_token', 'Webflow did not accept the ID token: it is invalid or expired (they last 15 minutes). Reopen the extension.');
  }
  if (res.status === 403) {
    throw new HttpError(403, 'webflow_forbidden', 'Webflow did not let the app check the ID token: the site’s authorization lacks the authorized_user:read scope. Authorize the app again.');
  }
  if (!res.ok) throw new HttpError(502, 'webflow_refused', `Webflow refused to check the ID token: ${res.status} ${(await res.text()).slice(0, 200)}`);
  return (await res.json()) as IdTokenUser;
}
