/**
 * Who is asking, and what they may do: the one place every API route is authorised (each route
 * of http/routes.ts declares its access; `guard` enforces it).
 *
 * A request is made by one principal:
 * - a dashboard **user**, by the session cookie (http/auth-routes.ts): the owner and admins may
 *   read and manage every site; a client reads the sites granted to it, each in the sections
 *   granted;
 * - a **view token** (`Authorization: Bearer cairn_vt_…`): reads one site, in its sections, until
 *   it expires or its site key is revoked;
 * - a **site key** (`Authorization: Bearer cairn_sk_…`), held by a plugin's server: reads its site
 *   and exchanges itself for view tokens;
 * - an **integration key** (`Authorization: Bearer cairn_ik_…`), held by an app's server (Shopify,
 *   Webflow): creates sites, and reads and manages the sites it created, on the routes that say so
 *   (`integrations: true`), and mints view tokens for them;
 * - or nobody.
 * Tokens and keys are accepted by the stats and realtime routes (and keys by the exchange) only;
 * management routes want a session, and their state-changing requests its CSRF token too, except
 * those open to integration keys (a bearer key is not sent by a browser on its own: no CSRF).
 */
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { sameSecret, type Logins } from '../accounts/logins.ts';
import { readViewToken, VIEW_TOKEN_PREFIX, type ViewToken } from '../accounts/view-tokens.ts';
import { hashSiteKey, SITE_KEY_PREFIX } from '../sites/site-keys.ts';
import { INTEGRATION_KEY_PREFIX, isIntegrationKey } from '../sites/integration-keys.ts';
import { SHARE_PREFIX, shareIsLive } from '../sites/share-links.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import { SECTIONS, type LoginSession, type Section, type Site, type SiteKey, type Store, type User } from '../store/store.ts';
import { sameOrigin, sessionToken } from './session-cookie.ts';
import { CairnError } from '../errors.ts';

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; user: User; session: LoginSession; token: string }
  | { kind: 'view-token'; view: ViewToken }
  | { kind: 'site-key'; key: SiteKey }
  | { kind: 'integration'; key: SiteKey };

export type Role = User['role'];

/** What a route requires. Sections may depend on the request (a breakdown by source needs "sources"). */
export type Access =
  /** Anyone (health, login, password links): the handler does its own checks. */
  | { kind: 'public' }
  /** A logged-in user with one of these roles (or an integration key, with `integrations`). */
  | { kind: 'session'; roles: readonly Role[]; integrations?: boolean }
  /** A logged-in user with one of these roles who may see `:site` (in these sections, for clients); with `integrations`, also the integration key that created it. */
  | { kind: 'site'; roles: readonly Role[]; sections?: (req: Request) => readonly Section[]; deleted?: boolean; integrations?: boolean }
  /** A reader of `:site`'s stats in these sections: a user, a view token or a site key. */
  | { kind: 'read'; sections: (req: Request) => readonly Section[] }
  /** A site key (its site is the one it opens). */
  | { kind: 'site-key' }
  /** An integration key that created `:site`. */
  | { kind: 'integration' };

declare module 'express-serve-static-core' {
  interface Locals {
    principal: Principal;
    site: Site;
  }
}

const unauthenticated = (message: string) => new CairnError(401, 'unauthenticated', message, { headers: { 'www-authenticate': 'Bearer' } });
/** The same answer for a site that does not exist and one the principal may not see: nothing leaks. */
const noSuchSite = () => new CairnError(403, 'forbidden', 'you may not see this site, or it does not exist');

/** The audit log's name for a principal. */
export function actorOf(p: Principal): string | null {
  if (p.kind === 'user') return p.user.id;
  if (p.kind === 'site-key') return `key:${p.key.id}`;
  if (p.kind === 'integration') return `integration:${p.key.id}`;
  if (p.kind === 'view-token') return `key:${p.view.key}`;
  return null;
}

/** The sections of `site` a principal may read (none: it may not see the site). */
export function grantedSections(p: Principal, site: Site): readonly Section[] {
  switch (p.kind) {
    case 'user':
      if (p.user.role !== 'client') return SECTIONS;
      return p.user.grants.find((g) => g.site === site.id)?.sections ?? [];
    case 'view-token':
      return p.view.site === site.id ? p.view.sections : [];
    case 'site-key':
      return p.key.site === site.id ? SECTIONS : [];
    case 'integration':
      return site.integration === p.key.id ? SECTIONS : [];
    default:
      return [];
  }
}

export class Authorizer {
  readonly #store: Store;
  readonly #logins: Logins;
  readonly #secret: Buffer;
  readonly #now: () => number;
  readonly #sites: SiteDirectory;
  readonly #publicHost: string | null;

  constructor(deps: { store: Store; logins: Logins; secret: Buffer; now: () => number; sites: SiteDirectory; publicHost: string | null }) {
    this.#store = deps.store;
    this.#logins = deps.logins;
    this.#secret = deps.secret;
    this.#now = deps.now;
    this.#sites = deps.sites;
    this.#publicHost = deps.publicHost;
  }

  /**
   * The principal of a request: its bearer credential if it has one (refused with 401 when it
   * does not hold: unknown, expired, revoked), else its session cookie, else anonymous.
   * `allowQuery` also reads `?token=` (WebSocket upgrades, which browsers cannot give headers).
   */
  async principal(req: IncomingMessage, allowQuery = false): Promise<Principal> {
    const header = req.headers.authorization;
    let bearer = typeof header === 'string' && /^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, '').trim() : null;
    if (bearer === null && allowQuery) bearer = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
    if (typeof header === 'string' && bearer === null) throw unauthenticated('send credentials as Authorization: Bearer <view token or site key>');
    if (bearer !== null) {
      if (bearer.startsWith(VIEW_TOKEN_PREFIX)) {
        const view = readViewToken(this.#secret, bearer, this.#now());
        const key = view ? await this.#store.keys.get(view.key) : null;
        // Minted by a site key of its site, or by the integration key that created its site.
        const minter = key && (key.site === view?.site || (isIntegrationKey(key) && this.#sites.find(view!.site)?.integration === key.id));
        // A share link's tokens die with the link: revoked, or past its expiry.
        if (!view || !key || !shareIsLive(key, this.#now()) || !minter) throw unauthenticated('this view token is not valid (expired, revoked or altered): ask for a new one');
        return { kind: 'view-token', view };
      }
      if (bearer.startsWith(SITE_KEY_PREFIX)) {
        const key = bearer.length <= 100 ? await this.#store.keys.byHash(hashSiteKey(bearer)) : null;
        // The hash was looked up, not compared here; compare it anyway, in constant time.
        if (!key || key.revokedAt !== null || key.share || key.site === '' || !sameSecret(key.hash, hashSiteKey(bearer))) throw unauthenticated('this site key is not valid (unknown or revoked)');
        return { kind: 'site-key', key };
      }
      if (bearer.startsWith(INTEGRATION_KEY_PREFIX)) {
        const key = bearer.length <= 100 ? await this.#store.keys.byHash(hashSiteKey(bearer)) : null;
        if (!key || key.revokedAt !== null || !isIntegrationKey(key) || !sameSecret(key.hash, hashSiteKey(bearer))) throw unauthenticated('this integration key is not valid (unknown or revoked)');
        return { kind: 'integration', key };
      }
      throw unauthenticated(bearer.startsWith(SHARE_PREFIX) ? 'a share link opens its page only: exchange it at POST /api/share/token' : 'send a view token (cairn_vt_…), a site key (cairn_sk_…) or an integration key (cairn_ik_…)');
    }
    const token = sessionToken(req);
    const found = token ? await this.#logins.check(token) : null;
    return found && token ? { kind: 'user', ...found, token } : { kind: 'anonymous' };
  }

  /** The sections of `site` a principal may read (none: it may not see the site). */
  sectionsOn(p: Principal, site: Site): readonly Section[] {
    return grantedSections(p, site);
  }

  /** Whether a request comes from the dashboard's own pages (what a cookie-authenticated WebSocket must). */
  fromDashboard(req: IncomingMessage): boolean {
    return sameOrigin(req, this.#publicHost);
  }

  /** Throws unless a principal may read `sections` of site `id`; returns the (live) site. */
  siteFor(p: Principal, id: string, sections: readonly Section[]): Site {
    if (p.kind === 'anonymous') throw unauthenticated('log in, or send a view token or site key');
    const site = this.#sites.get(id);
    const granted = site ? this.sectionsOn(p, site) : [];
    if (!site || granted.length === 0) throw noSuchSite();
    const missing = sections.filter((s) => !granted.includes(s));
    if (missing.length > 0) throw new CairnError(403, 'section_forbidden', `this needs the ${missing.join(', ')} section${missing.length > 1 ? 's' : ''} of the site, which you were not granted`);
    return site;
  }

  /** Express middleware enforcing `access`; puts the principal (and the site) in `res.locals`. */
  guard(access: Access) {
    return async (req: Request, res: Response, next: NextFunction) => {
      if (access.kind === 'public') return next();
      const p = await this.principal(req);
      res.locals.principal = p;
      if (access.kind === 'site-key') {
        if (p.kind !== 'site-key') throw unauthenticated('send the site key: Authorization: Bearer cairn_sk_…');
        const site = this.#sites.get(p.key.site);
        if (!site) throw noSuchSite();
        res.locals.site = site;
        return next();
      }
      if (access.kind === 'integration') {
        if (p.kind !== 'integration') throw unauthenticated('send the integration key that created the site: Authorization: Bearer cairn_ik_…');
        res.locals.site = this.siteFor(p, String(req.params.site), []);
        return next();
      }
      if (access.kind === 'read') {
        res.locals.site = this.siteFor(p, String(req.params.site), access.sections(req));
        return next();
      }
      if (p.kind === 'integration' && access.integrations) {
        if (access.kind === 'site') res.locals.site = this.siteFor(p, String(req.params.site), access.sections?.(req) ?? []);
        return next();
      }
      // Management: a session only, whatever else the request carries.
      if (p.kind !== 'user') throw unauthenticated(p.kind === 'anonymous' ? 'log in first' : 'this route takes a dashboard session, not a token or key');
      if (!access.roles.includes(p.user.role)) throw new CairnError(403, 'forbidden', `this is for ${access.roles.join(' or ')} users`);
      if (req.method !== 'GET' && req.method !== 'HEAD') this.#checkCsrf(req, p.session);
      if (access.kind === 'site') {
        const id = String(req.params.site);
        if (access.deleted) {
          // Only the owner and admins see deleted sites (to restore them).
          const site = this.#sites.find(id);
          if (!site || p.user.role === 'client') throw noSuchSite();
          res.locals.site = site;
        } else {
          res.locals.site = this.siteFor(p, id, access.sections?.(req) ?? []);
        }
      }
      next();
    };
  }

  #checkCsrf(req: Request, session: LoginSession): void {
    const csrf = req.headers['x-csrf-token'];
    if (!sameOrigin(req, this.#publicHost) || typeof csrf !== 'string' || !sameSecret(csrf, session.csrf)) {
      throw new CairnError(403, 'csrf', 'this request must come from the Cairn dashboard (same origin, with its X-CSRF-Token)');
    }
  }
}
