/**
 * Sites over HTTP (docs/api/sites.md): list and read them (each user the sites it may see), and,
 * for the owner and admins, create, change, delete (with a grace period) and restore them, their
 * goals and their keys; and the exchange of a site key for a view token (`POST /api/tokens/view`).
 */
import type { IncomingMessage } from 'node:http';
import type { Request, Response } from 'express';
import { issueViewToken, VIEW_TOKEN_MAX_SECONDS } from '../accounts/view-tokens.ts';
import type { GoalInput } from '../protocol/query.ts';
import type { NewSiteInput, SiteSettings } from '../sites/new-site.ts';
import { publicSite, type Actor, type SiteAdmin } from '../sites/site-admin.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import { SECTIONS, type Section, type SiteKey, type Store } from '../store/store.ts';
import { actorOf, type Authorizer } from './authorize.ts';
import { CairnError } from '../errors.ts';
import type { LiveCheck } from '../ingest/live-check.ts';
import { RateLimiter } from '../rate-limit.ts';
import { openShareLink, type ShareInput } from '../sites/share-links.ts';
import type { Goal, GoalsListAnswer, LiveCheckAnswer, NewShareAnswer, SharesAnswer, ShareTokenAnswer, KeysAnswer, NewKeyAnswer, NewSiteAnswer, SiteAnswer, SiteChangeAnswer, SiteDeletionAnswer, SitesAnswer, ViewTokenAnswer } from '../protocol/index.ts';
import type { Route } from './routes.ts';

const ADMINS = ['owner', 'admin'] as const;
const EVERYONE = ['owner', 'admin', 'client'] as const;
const SETTINGS = ['name', 'domains', 'allowSubdomains', 'queryKeys', 'timezone', 'retentionMonths'] as const;

export function siteRoutes(deps: { admin: SiteAdmin; sites: SiteDirectory; store: Store; authz: Authorizer; secret: Buffer; live: LiveCheck; now: () => number; clientIp: (req: IncomingMessage) => string }): Route[] {
  const by = (req: IncomingMessage, res: Response): Actor => ({ actor: actorOf(res.locals.principal), ip: deps.clientIp(req) });
  const id = (res: Response) => res.locals.site.id;
  // Guessing a link's password costs a scrypt each time; this bounds the guesses per address.
  const shareAttempts = new RateLimiter(30);
  return [
    {
      method: 'get',
      path: '/api/sites',
      summary: 'the sites one may see (and, for admins, the deleted ones awaiting their purge); an integration key, those it created',
      access: { kind: 'session', roles: EVERYONE, integrations: true },
      handler: (_req, res) => {
        const p = res.locals.principal;
        const sites = deps.sites.list().flatMap((site) => {
          const sections = deps.authz.sectionsOn(p, site);
          return sections.length > 0 ? [{ ...publicSite(site), sections: [...sections] }] : [];
        });
        const admin = p.kind === 'user' && p.user.role !== 'client';
        res.json({ sites, ...(admin ? { deleted: deps.sites.deleted().map(publicSite) } : {}) } satisfies SitesAnswer);
      },
    },
    {
      method: 'post',
      path: '/api/sites',
      summary: 'register a site (returns its first key, once); an integration key becomes the site\'s manager',
      access: { kind: 'session', roles: ADMINS, integrations: true },
      body: '8kb',
      handler: async (req, res) => {
        const input = (req.body ?? {}) as Partial<NewSiteInput>;
        if (typeof input.domain !== 'string') throw new CairnError(400, 'invalid_site', 'domain is required', { field: 'domain' });
        const p = res.locals.principal;
        const integration = p.kind === 'integration' ? p.key.id : undefined;
        res.status(201).json((await deps.admin.create(input as NewSiteInput, by(req, res), integration)) satisfies NewSiteAnswer);
      },
    },
    {
      method: 'get',
      path: '/api/sites/:site',
      summary: 'a site, its tracker tag and plugin set-up values',
      access: { kind: 'site', roles: EVERYONE, integrations: true },
      handler: (_req, res) => {
        const site = res.locals.site;
        res.json({ site: publicSite(site), sections: [...deps.authz.sectionsOn(res.locals.principal, site)], setup: deps.admin.setup(site) } satisfies SiteAnswer);
      },
    },
    {
      method: 'patch',
      path: '/api/sites/:site',
      summary: 'rename a site, change its domains, time zone, retention…',
      access: { kind: 'site', roles: ADMINS, integrations: true },
      body: '8kb',
      handler: async (req, res) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const unknown = Object.keys(body).find((k) => !(SETTINGS as readonly string[]).includes(k));
        if (unknown) throw new CairnError(400, 'invalid_site', `${unknown}: cannot be changed (${SETTINGS.join(', ')})`, { field: unknown });
        res.json({ site: publicSite(await deps.admin.update(id(res), body as SiteSettings, by(req, res))) } satisfies SiteChangeAnswer);
      },
    },
    {
      method: 'delete',
      path: '/api/sites/:site',
      summary: 'delete a site (send {"confirm": "<site id>"}); purged after 7 days unless restored',
      access: { kind: 'site', roles: ADMINS, integrations: true },
      body: '1kb',
      handler: async (req, res) => {
        const { confirm } = (req.body ?? {}) as { confirm?: unknown };
        if (confirm !== id(res)) throw new CairnError(400, 'confirm', `to delete this site and, after 7 days, all its data, send {"confirm": "${id(res)}"}`, { field: 'confirm' });
        res.status(202).json((await deps.admin.remove(id(res), by(req, res))) satisfies SiteDeletionAnswer);
      },
    },
    {
      method: 'post',
      path: '/api/sites/:site/restore',
      summary: 'restore a deleted site before its purge',
      access: { kind: 'site', roles: ADMINS, deleted: true },
      handler: async (req, res) => {
        res.json({ site: publicSite(await deps.admin.restore(id(res), by(req, res))) } satisfies SiteChangeAnswer);
      },
    },
    {
      method: 'get',
      path: '/api/sites/:site/live-check',
      summary: 'the live installation check: events of the next minutes, stored or dropped and why',
      access: { kind: 'site', roles: ADMINS, integrations: true },
      handler: (req, res) => {
        const after = Number(req.query.after ?? 0);
        if (!Number.isSafeInteger(after) || after < 0) throw new CairnError(400, 'invalid_query', 'after: the seq of the last entry seen, 0 or more', { field: 'after' });
        const listeningUntil = deps.live.watch(id(res), deps.now());
        res.set('cache-control', 'no-store').json({ listeningUntil, entries: deps.live.after(id(res), after) } satisfies LiveCheckAnswer);
      },
    },
    {
      method: 'get',
      path: '/api/sites/:site/shares',
      summary: 'a site\'s share links (read-only links to its dashboard)',
      access: { kind: 'site', roles: ADMINS },
      handler: async (_req, res) => {
        res.json({ shares: await deps.admin.shares(id(res)) } satisfies SharesAnswer);
      },
    },
    {
      method: 'post',
      path: '/api/sites/:site/shares',
      summary: 'make a share link: sections, optional password and expiry (its URL shown once)',
      access: { kind: 'site', roles: ADMINS },
      body: '2kb',
      handler: async (req, res) => {
        res.status(201).json((await deps.admin.addShare(id(res), (req.body ?? {}) as ShareInput, by(req, res))) satisfies NewShareAnswer);
      },
    },
    {
      method: 'delete',
      path: '/api/sites/:site/shares/:share',
      summary: 'revoke a share link (its page shows nothing from the next request on)',
      access: { kind: 'site', roles: ADMINS },
      handler: async (req, res) => {
        await deps.admin.revokeShare(id(res), String(req.params.share), by(req, res));
        res.status(204).end();
      },
    },
    {
      method: 'post',
      path: '/api/share/token',
      summary: 'exchange a share link (and its password) for a view token of its sections (≤ 1 h)',
      access: { kind: 'public' },
      body: '1kb',
      handler: async (req, res) => {
        const wait = shareAttempts.take(deps.clientIp(req), 1, deps.now());
        if (wait > 0) throw new CairnError(429, 'rate_limited', `too many attempts from this address; retry in ${wait} s`, { headers: { 'retry-after': String(wait) } });
        const { secret, password } = (req.body ?? {}) as { secret?: unknown; password?: unknown };
        const { token, view, linkExpiresAt } = await openShareLink({ byHash: (h) => deps.store.keys.byHash(h), secret: deps.secret, now: deps.now() }, secret, password);
        const site = deps.sites.get(view.site);
        if (!site) throw new CairnError(404, 'share_not_found', 'this share link does not work (any more): its site was deleted');
        res
          .set('cache-control', 'no-store')
          .json({ token, site: { id: site.id, name: site.name }, sections: view.sections, expiresAt: new Date(view.exp).toISOString(), linkExpiresAt } satisfies ShareTokenAnswer);
      },
    },
    {
      method: 'get',
      path: '/api/sites/:site/goals',
      summary: 'a site\'s goals',
      access: { kind: 'site', roles: EVERYONE, sections: () => ['goals'], integrations: true },
      handler: async (_req, res) => {
        res.json({ goals: await deps.store.goals.list(id(res)) } satisfies GoalsListAnswer);
      },
    },
    {
      method: 'post',
      path: '/api/sites/:site/goals',
      summary: 'add a goal',
      access: { kind: 'site', roles: ADMINS, integrations: true },
      body: '4kb',
      handler: async (req, res) => {
        res.status(201).json((await deps.admin.addGoal(id(res), (req.body ?? {}) as GoalInput, by(req, res))) satisfies Goal);
      },
    },
    {
      method: 'delete',
      path: '/api/sites/:site/goals/:goal',
      summary: 'remove a goal',
      access: { kind: 'site', roles: ADMINS, integrations: true },
      handler: async (req, res) => {
        await deps.admin.removeGoal(id(res), String(req.params.goal), by(req, res));
        res.status(204).end();
      },
    },
    {
      method: 'get',
      path: '/api/sites/:site/keys',
      summary: 'a site\'s keys (last 4 characters only)',
      access: { kind: 'site', roles: ADMINS, integrations: true },
      handler: async (_req, res) => {
        res.json({ keys: await deps.admin.keys(id(res)) } satisfies KeysAnswer);
      },
    },
    {
      method: 'post',
      path: '/api/sites/:site/keys',
      summary: 'make a site key (shown once)',
      access: { kind: 'site', roles: ADMINS, integrations: true },
      body: '1kb',
      handler: async (req, res) => {
        const { name } = (req.body ?? {}) as { name?: unknown };
        res.status(201).json((await deps.admin.addKey(id(res), typeof name === 'string' ? name : '', by(req, res))) satisfies NewKeyAnswer);
      },
    },
    {
      method: 'delete',
      path: '/api/sites/:site/keys/:key',
      summary: 'revoke a site key and its view tokens',
      access: { kind: 'site', roles: ADMINS, integrations: true },
      handler: async (req, res) => {
        await deps.admin.revokeKey(id(res), String(req.params.key), by(req, res));
        res.status(204).end();
      },
    },
    {
      method: 'post',
      path: '/api/tokens/view',
      summary: 'exchange a site key for a view token (read-only, one site, ≤ 1 h)',
      access: { kind: 'site-key' },
      body: '1kb',
      handler: (req, res) => {
        const p = res.locals.principal;
        if (p.kind !== 'site-key') throw new CairnError(401, 'unauthenticated', 'send the site key');
        mintViewToken(req, res, p.key);
      },
    },
    {
      method: 'post',
      path: '/api/sites/:site/tokens/view',
      summary: 'an integration key mints a view token for a site it created (read-only, ≤ 1 h)',
      access: { kind: 'integration' },
      body: '1kb',
      handler: (req, res) => {
        const p = res.locals.principal;
        if (p.kind !== 'integration') throw new CairnError(401, 'unauthenticated', 'send the integration key');
        // Signed for the site, under the integration key: revoking the key ends its tokens.
        mintViewToken(req, res, { ...p.key, site: id(res) });
      },
    },
  ];

  /** Answers a view token of `key`'s site, with the sections and lifetime the body asks for. */
  function mintViewToken(req: Request, res: Response, key: SiteKey): void {
    const { sections = SECTIONS, ttl = VIEW_TOKEN_MAX_SECONDS } = (req.body ?? {}) as { sections?: unknown; ttl?: unknown };
    if (!Array.isArray(sections) || sections.length === 0 || !sections.every((s) => (SECTIONS as readonly unknown[]).includes(s))) {
      throw new CairnError(400, 'invalid_token_request', `sections: some of ${SECTIONS.join(', ')}`, { field: 'sections' });
    }
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > VIEW_TOKEN_MAX_SECONDS) {
      throw new CairnError(400, 'invalid_token_request', `ttl: whole seconds from 1 to ${VIEW_TOKEN_MAX_SECONDS}`, { field: 'ttl' });
    }
    const { token, view } = issueViewToken(deps.secret, key, sections as Section[], ttl, deps.now());
    // A plugin learns which query parameters are part of a page's path (`/?p=1`) from here.
    const queryKeys = deps.sites.get(view.site)?.queryKeys ?? [];
    res
      .set('cache-control', 'no-store')
      .status(201)
      .json({ token, site: view.site, sections: view.sections, expiresAt: new Date(view.exp).toISOString(), queryKeys } satisfies ViewTokenAnswer);
  }
}
