/**
 * The local admin interface, the one path of the command line's management commands: served by
 * the collector on a Unix socket in the data directory (mode 0600), so that `cairn site …` works
 * while the server holds the DuckDB file (one writer process), and by the command line itself,
 * over the store it opens, when no collector runs (cli/admin-call.ts). Never exposed over TCP.
 */
import type { IntegrationKeys } from '../sites/integration-keys.ts';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { AuditLog } from '../accounts/audit.ts';
import type { NewUserInput } from '../accounts/users.ts';
import type { UserAdmin } from '../accounts/user-admin.ts';
import type { Logger } from 'pino';
import type { NewSiteInput, SiteSettings } from '../sites/new-site.ts';
import { publicSite, type SiteAdmin } from '../sites/site-admin.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { RollupJob } from '../rollup/rollup-job.ts';
import { StoreError, type Store } from '../store/store.ts';
import type { GoalInput } from '../protocol/query.ts';
import { errorHandler } from './app.ts';
import { healthReport } from './health.ts';
import type { IngestCounts } from '../ingest/ingest-handler.ts';
import { CairnError, errorResponse } from '../errors.ts';

/** The audit actor of what comes through the admin socket (the command line on this machine). */
const CLI = { actor: 'cli' };
const CLI_USER = { user: 'cli' } as const;

export function createAdminApp(deps: {
  sites: SiteDirectory;
  store: Store;
  admin: SiteAdmin;
  users: UserAdmin;
  integrations: IntegrationKeys;
  publicUrl: string;
  now: () => number;
  log: Logger;
  rollups: RollupJob;
  audit: AuditLog;
  version: string;
  ingest: IngestCounts;
}): Express {
  const app = express();
  const knownSite = (id: string) => deps.admin.site(id).id;
  app.use(express.json({ limit: '16kb' }));
  // The whole health report, as the owner sees it at /api/health (`cairn health`).
  app.get('/health', async (_req, res) => {
    res.json(await healthReport({ store: deps.store, version: deps.version, ingest: deps.ingest }));
  });
  app.get('/sites', (_req, res) => {
    res.json({ sites: deps.sites.list().map(publicSite), deleted: deps.sites.deleted().map(publicSite), publicUrl: deps.publicUrl });
  });
  app.post('/sites', async (req, res) => {
    const body = (req.body ?? {}) as Partial<NewSiteInput>;
    if (typeof body.domain !== 'string') throw new CairnError(400, 'invalid_site', 'domain is required', { field: 'domain' });
    res.status(201).json(await deps.admin.create(body as NewSiteInput, CLI));
  });
  app.patch('/sites/:site', async (req, res) => {
    const body = (req.body ?? {}) as SiteSettings;
    res.json({ site: publicSite(await deps.admin.update(req.params.site, body, CLI)) });
  });
  // The same confirmation as DELETE /api/sites/:site: the site's id, so that no slip deletes one.
  app.delete('/sites/:site', async (req, res) => {
    const site = knownSite(req.params.site);
    const { confirm } = (req.body ?? {}) as { confirm?: unknown };
    if (confirm !== site) throw new CairnError(400, 'confirm', `to delete this site and, after 7 days, all its data, send {"confirm": "${site}"}`, { field: 'confirm' });
    res.status(202).json(await deps.admin.remove(site, CLI));
  });
  app.post('/sites/:site/restore', async (req, res) => {
    res.json({ site: publicSite(await deps.admin.restore(req.params.site, CLI)) });
  });
  app.get('/sites/:site/keys', async (req, res) => {
    res.json({ keys: await deps.admin.keys(req.params.site) });
  });
  app.post('/sites/:site/keys', async (req, res) => {
    const { name } = (req.body ?? {}) as { name?: unknown };
    res.status(201).json(await deps.admin.addKey(req.params.site, typeof name === 'string' ? name : '', CLI));
  });
  app.delete('/sites/:site/keys/:key', async (req, res) => {
    await deps.admin.revokeKey(req.params.site, req.params.key, CLI);
    res.status(204).end();
  });
  app.get('/integrations', async (_req, res) => {
    res.json({ keys: await deps.integrations.list() });
  });
  app.post('/integrations', async (req, res) => {
    const { name } = (req.body ?? {}) as { name?: unknown };
    res.status(201).json(await deps.integrations.create(typeof name === 'string' ? name : '', CLI));
  });
  app.delete('/integrations/:key', async (req, res) => {
    await deps.integrations.revoke(req.params.key, CLI);
    res.status(204).end();
  });
  app.get('/users', async (_req, res) => {
    res.json({ users: await deps.users.list() });
  });
  app.post('/users', async (req, res) => {
    const { user } = await deps.users.create((req.body ?? {}) as NewUserInput, CLI_USER);
    res.status(201).json({ user });
  });
  app.post('/users/password', async (req, res) => {
    const { email, password } = (req.body ?? {}) as { email?: unknown; password?: unknown };
    if (typeof email !== 'string' || typeof password !== 'string') throw new CairnError(400, 'invalid_user', 'send an email and a password');
    res.json(await deps.users.setPassword(email, password, CLI_USER));
  });
  app.get('/sites/:site/goals', async (req, res) => {
    res.json({ goals: await deps.store.goals.list(knownSite(req.params.site)) });
  });
  app.post('/sites/:site/goals', async (req, res) => {
    res.status(201).json(await deps.admin.addGoal(req.params.site, (req.body ?? {}) as GoalInput, CLI));
  });
  app.delete('/sites/:site/goals/:id', async (req, res) => {
    await deps.admin.removeGoal(req.params.site, req.params.id, CLI);
    res.status(204).end();
  });
  // GDPR access and erasure for what server SDKs sent about one person (a prop holding their id).
  const personOf = (req: express.Request) => {
    const { prop, value } = req.query;
    if (typeof prop !== 'string' || prop === '' || typeof value !== 'string') throw new CairnError(400, 'invalid_query', 'send prop=<key> and value=<id>');
    return { site: knownSite(req.params.site as string), prop, value };
  };
  app.get('/sites/:site/person', async (req, res) => {
    const { site, prop, value } = personOf(req);
    const events = await deps.store.events.findByProp(site, prop, value);
    await deps.audit.record({ actor: 'cli', action: 'gdpr.export', target: site, details: { prop, events: events.length } });
    res.json({ events });
  });
  app.delete('/sites/:site/person', async (req, res) => {
    const { site, prop, value } = personOf(req);
    const deleted = await deps.store.events.deleteByProp(site, prop, value);
    await deps.audit.record({ actor: 'cli', action: 'gdpr.delete', target: site, details: { prop, events: deleted } });
    res.json({ deleted });
  });
  app.post('/rollups', async (_req, res) => {
    res.json(await deps.rollups.run());
  });
  app.use(adminErrors(deps.log));
  return app;
}

/**
 * The API's error handler, except that a failure's reason is answered too (a full disk, a
 * damaged database): the socket's one caller is the command line of someone with the data
 * directory's rights, who is told what went wrong rather than "internal error".
 */
function adminErrors(log: Logger): ErrorRequestHandler {
  const api = errorHandler(log);
  return (err: unknown, req, res, next) => {
    if (errorResponse(err).status < 500) return api(err, req, res, next);
    log.error({ method: req.method, path: req.path, err }, 'request failed');
    if (!res.headersSent) res.status(500).json({ error: { code: 'internal', message: err instanceof StoreError ? err.reason : String((err as Error)?.message ?? err) } });
  };
}
