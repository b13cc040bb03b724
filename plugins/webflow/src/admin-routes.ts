/**
 * What the admin uses after authorizing, behind the session cookie the callback set: `GET /sites`
 * (the authorized sites, each with "Install on this site" / "Remove" and a reminder to publish)
 * and `POST /sites/:siteId/install`, `POST /sites/:siteId/uninstall`. A POST must come from the
 * app's own page (its `Origin`), and name a site of the session's authorization.
 */
import express, { Router, type Request } from 'express';
import type { AppDeps } from './deps.ts';
import { sitesPage } from './admin-page.ts';
import { HttpError } from './http-error.ts';
import { forgetAuthorization, installCairn, uninstallCairn } from './install.ts';
import { parseSettings } from './settings.ts';
import { readCookie, readSigned, SESSION_COOKIE } from './signed-cookie.ts';
import type { AuthorizationRecord } from './token-store.ts';
import { Deauthorized, webflowCall } from './webflow-api.ts';

export function adminRoutes(deps: AppDeps): Router {
  const { config, tokens } = deps;
  const router = Router();

  /** The session's authorization, or undefined (no cookie, expired, forged, revoked). */
  const session = async (req: Request): Promise<AuthorizationRecord | undefined> => {
    const id = readSigned(config.clientSecret, 'session', readCookie(req.headers.cookie, SESSION_COOKIE), deps.now());
    const record = id ? await tokens.authorization(id) : undefined;
    return record?.token ? record : undefined;
  };
  /** The checks every POST passes: the app's own page sent it, for a site this session was granted. */
  const guard = async (req: Request): Promise<string> => {
    const origin = req.get('origin');
    if (origin !== new URL(config.appUrl).origin) throw new HttpError(403, 'bad_origin', 'This request did not come from the app’s page.');
    const authorization = await session(req);
    if (!authorization) throw new HttpError(401, 'no_session', 'Your session has ended: authorize again at /auth.');
    const siteId = String(req.params.siteId);
    if (!authorization.siteIds.includes(siteId)) throw new HttpError(403, 'not_authorized', 'This authorization does not cover that site: authorize the app on it first.');
    return siteId;
  };
  const wantsJson = (req: Request) => Boolean(req.accepts(['html', 'json']) === 'json');

  router.get('/', (_req, res) => res.redirect(302, '/sites'));

  router.get('/sites', async (req, res) => {
    const authorization = await session(req);
    if (!authorization) return void res.redirect(302, '/auth');
    const api = deps.webflow(tokens.token(authorization)!);
    let sites;
    try {
      sites = (await webflowCall('list the authorized sites', () => api.sites.list())).sites ?? [];
    } catch (err) {
      if (!(err instanceof Deauthorized)) throw err;
      // Revoked on Webflow's side: forget the token, and start a new authorization.
      await forgetAuthorization(deps, authorization);
      return void res.redirect(302, '/auth');
    }
    const siteIds = sites.map((s) => s.id);
    // Sites granted or withdrawn on Webflow's side since the callback.
    if (siteIds.join() !== authorization.siteIds.join()) await tokens.putAuthorization({ ...authorization, siteIds });
    const records = await Promise.all(sites.map((s) => tokens.site(s.id)));
    const notice = typeof req.query.done === 'string' ? req.query.done : undefined;
    res.set('cache-control', 'no-store').type('html').send(sitesPage({ sites, records, collector: config.collector, notice }));
  });

  router.post('/sites/:siteId/install', express.json({ limit: '16kb' }), express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const siteId = await guard(req);
    const result = await installCairn(deps, siteId, parseSettings(req.body));
    if (wantsJson(req)) return void res.json(result);
    res.redirect(303, `/sites?done=${result.publishNeeded ? 'installed-publish' : 'installed'}`);
  });

  router.post('/sites/:siteId/uninstall', async (req, res) => {
    const siteId = await guard(req);
    const result = await uninstallCairn(deps, siteId);
    if (wantsJson(req)) return void res.json(result);
    res.redirect(303, `/sites?done=${result.publishNeeded ? 'removed-publish' : 'removed'}`);
  });

  return router;
}
