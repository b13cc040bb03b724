/**
 * The Designer Extension's routes (designer/): `POST /designer/view-token` and
 * `POST /designer/install`, each with `{ siteId, idToken }`. The ID token (`webflow.getIdToken()`)
 * is resolved with Webflow using the access token of the authorization that covers the site, and
 * must come back for that same site: only a person working on the site in the Designer gets its
 * numbers, or installs Cairn on it. Called cross-origin from the extension's iframe
 * (`https://<app id>.webflow-ext.com`): CORS for that origin only.
 */
import express, { Router, type RequestHandler } from 'express';
import type { AppDeps } from './deps.ts';
import { HttpError } from './http-error.ts';
import { resolveIdToken, type IdTokenUser } from './id-token.ts';
import { installCairn } from './install.ts';
import { isWebflowId, type SiteRecord } from './token-store.ts';

/** Where Webflow serves Designer Extensions from: one subdomain per app, named by the app's id. */
export const EXTENSION_ORIGIN = /^https:\/\/[0-9a-f]{24}\.webflow-ext\.com$/;

export interface DesignerOptions {
  /** Origins allowed to call (default: Webflow's extension hosting); add `http://localhost:1337` for `webflow extension serve`. */
  origins?: (string | RegExp)[];
}

/** What a checked request is about. */
interface Checked {
  siteId: string;
  user: IdTokenUser;
  accessToken: string;
}

/** The routes, for `app.use`. */
export function designerRoutes(deps: AppDeps, opts: DesignerOptions = {}): Router {
  const origins = opts.origins ?? [EXTENSION_ORIGIN];
  const allowed = (origin: string | undefined) => !!origin && origins.some((o) => (typeof o === 'string' ? o === origin : o.test(origin)));
  const router = Router();

  const cors: RequestHandler = (req, res, next) => {
    res.vary('origin');
    const origin = req.headers.origin;
    if (allowed(origin)) res.set('access-control-allow-origin', origin);
    if (req.method !== 'OPTIONS') return next();
    if (!allowed(origin)) return void res.status(403).json({ error: { code: 'bad_origin', message: 'Only the Cairn Designer Extension may call this route.' } });
    res.set({ 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'Content-Type', 'access-control-max-age': '600' });
    res.status(204).end();
  };

  /** The site and the person: 400 without a site id, 401 without a valid token, 403 when it is not the site's. */
  const check = async (body: unknown): Promise<Checked> => {
    const { siteId, idToken } = (body ?? {}) as { siteId?: unknown; idToken?: unknown };
    if (!isWebflowId(siteId)) throw new HttpError(400, 'bad_site_id', 'siteId must be the Webflow site’s id (24 hexadecimal characters), as webflow.getSiteInfo() gives it.');
    if (typeof idToken !== 'string' || !idToken || idToken.length > 8192) {
      throw new HttpError(401, 'no_id_token', 'Send the ID token from webflow.getIdToken() as idToken.');
    }
    const auth = await deps.tokens.forSite(siteId);
    if (!auth) {
      throw new HttpError(403, 'not_authorized', 'The Cairn app is not authorized for this Webflow site (or its authorization was revoked).');
    }
    const user = await resolveIdToken(deps.config.webflow.apiBase, auth.token, idToken);
    // The token must be the site's: a person of another site (where the app is authorized too) gets nothing here.
    if (!user.siteId || user.siteId.toLowerCase() !== siteId.toLowerCase()) {
      throw new HttpError(403, 'wrong_site', 'The ID token was issued in the Designer of another Webflow site.');
    }
    return { siteId, user, accessToken: auth.token };
  };

  /** The site's record with its Cairn site; 409 when Cairn is not installed on it. */
  const installed = async (siteId: string): Promise<SiteRecord & { cairnSiteId: string }> => {
    const record = await deps.tokens.site(siteId);
    if (!record?.cairnSiteId || record.uninstalledAt) {
      throw new HttpError(409, 'not_connected', 'Cairn is not installed on this site yet: install it from the extension.');
    }
    return record as SiteRecord & { cairnSiteId: string };
  };

  router.use('/designer', cors, express.json({ limit: '16kb' }));
  // A body that is not JSON (or too long) is the caller's mistake: a 400, not the handler's 500.
  router.use('/designer', ((err, _req, _res, next) => {
    const type = (err as { type?: string }).type;
    next(type?.startsWith('entity.') ? new HttpError(400, 'bad_body', 'Send { siteId, idToken } as JSON.') : err);
  }) as express.ErrorRequestHandler);

  router.post('/designer/view-token', async (req, res) => {
    const { siteId } = await check(req.body);
    const record = await installed(siteId);
    const minted = await deps.cairn.viewToken(record.cairnSiteId);
    res.set('cache-control', 'no-store').json({
      token: minted.token,
      expiresAt: minted.expiresAt,
      siteId: record.cairnSiteId,
      collectorUrl: deps.config.collector,
      // When Cairn's script last changed on the site: live only once the site is published after it.
      trackerChangedAt: record.changedAt ?? record.installedAt ?? null,
    });
  });

  router.post('/designer/install', async (req, res) => {
    const { siteId, user } = await check(req.body);
    deps.log('info', 'install from the Designer', { siteId, user: user.id ?? null });
    const result = await installCairn(deps, siteId);
    res.set('cache-control', 'no-store').json({ installed: true, siteId: result.cairnSiteId, publishNeeded: result.publishNeeded });
  });

  return router;
}

