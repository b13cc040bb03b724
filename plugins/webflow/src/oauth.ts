/**
 * The authorization: developers.webflow.com "OAuth" (authorization code grant). `GET /auth` sends
 * the admin to Webflow's authorize page, where they pick the sites (or Workspace) to grant;
 * `GET /auth/callback` checks the `state`, exchanges the code, stores the token encrypted with the
 * sites it reaches, and opens the admin's site list.
 */
import { Router } from 'express';
import type { AppDeps } from './deps.ts';
import { HttpError } from './http-error.ts';
import { newState, readCookie, readSigned, SESSION_COOKIE, signValue, STATE_COOKIE } from './signed-cookie.ts';
import { webflowCall } from './webflow-api.ts';

/** How long an authorization may take on Webflow's side, and the admin session after it. */
const STATE_TTL_MS = 10 * 60 * 1000;
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export function oauthRoutes(deps: AppDeps): Router {
  const { config, tokens, log } = deps;
  const router = Router();
  /** States already used, until they expire anyway: a replayed callback is refused before Webflow is asked. */
  const usedStates = new Map<string, number>();

  router.get('/auth', (_req, res) => {
    const state = newState();
    res.cookie(STATE_COOKIE, signValue(config.clientSecret, 'oauth-state', state, deps.now() + STATE_TTL_MS), { httpOnly: true, secure: true, sameSite: 'lax', path: '/auth/callback', maxAge: STATE_TTL_MS });
    const authorize = new URL(config.webflow.authorizeUrl);
    authorize.search = new URLSearchParams({ response_type: 'code', client_id: config.clientId, redirect_uri: `${config.appUrl}/auth/callback`, scope: config.scopes.join(' '), state }).toString();
    res.redirect(302, authorize.toString());
  });

  router.get('/auth/callback', async (req, res) => {
    const query = req.query as Record<string, unknown>;
    if (typeof query.error === 'string') throw new HttpError(400, 'declined', `Webflow did not authorize the app (${query.error}${typeof query.error_description === 'string' ? `: ${query.error_description}` : ''}).`);
    // An authorization started on Webflow's side (the Apps panel) carries no state of ours: its
    // code is not used; the admin goes through /auth, which Webflow answers with a state.
    if (query.state === undefined) return void res.redirect(302, '/auth');
    const state = typeof query.state === 'string' ? query.state : '';
    const now = deps.now();
    if (!state || readSigned(config.clientSecret, 'oauth-state', readCookie(req.headers.cookie, STATE_COOKIE), now) !== state) {
      throw new HttpError(403, 'bad_state', 'The authorization was not started from this browser, or took too long (state does not match): start it again at /auth.');
    }
    for (const [used, at] of usedStates) if (now - at > STATE_TTL_MS) usedStates.delete(used);
    if (usedStates.has(state)) throw new HttpError(403, 'state_used', 'This authorization link was already used: start again at /auth.');
    if (typeof query.code !== 'string' || !query.code) throw new HttpError(400, 'no_code', 'The request has no authorization code.');
    usedStates.set(state, now);
    res.clearCookie(STATE_COOKIE, { path: '/auth/callback' });

    const accessToken = await exchangeCode(deps, query.code);
    const api = deps.webflow(accessToken);
    const { authorization } = await webflowCall('read the new authorization', () => api.token.introspect());
    const sites = (await webflowCall('list the authorized sites', () => api.sites.list())).sites ?? [];
    if (!authorization?.id) throw new HttpError(502, 'webflow_refused', 'Webflow’s token introspection named no authorization.');
    await tokens.putAuthorization({
      id: authorization.id,
      token: tokens.sealToken(authorization.id, accessToken),
      scope: authorization.scope,
      siteIds: sites.map((s) => s.id),
      authorizedAt: new Date(now).toISOString(),
    });
    log('info', 'Webflow authorization stored', { authorization: authorization.id, sites: sites.length });
    res.cookie(SESSION_COOKIE, signValue(config.clientSecret, 'session', authorization.id, now + SESSION_TTL_MS), { httpOnly: true, secure: true, sameSite: 'lax', path: '/', maxAge: SESSION_TTL_MS });
    res.redirect(303, '/sites');
  });

  return router;
}

/** The code exchange: `POST https://api.webflow.com/oauth/access_token` (the URL is `config.webflow.tokenUrl`, a stub in tests). */
export async function exchangeCode(deps: Pick<AppDeps, 'config'>, code: string): Promise<string> {
  const { config } = deps;
  let res: Response;
  try {
    res = await fetch(config.webflow.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ client_id: config.clientId, client_secret: config.clientSecret, code, grant_type: 'authorization_code', redirect_uri: `${config.appUrl}/auth/callback` }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new HttpError(502, 'webflow_unreachable', `Webflow could not be reached to exchange the authorization code: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string };
  if (!res.ok || !body.access_token) {
    throw new HttpError(400, 'code_refused', `Webflow refused the authorization code (${body.error ?? res.status}${body.error_description ? `: ${body.error_description}` : ''}): start again at /auth.`);
  }
  return body.access_token;
}
