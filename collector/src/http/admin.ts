/**
 * The local admin interface: a Unix socket in the data directory (mode 0600), so that `cairn site …`
 * works while the server holds the DuckDB file (one writer process). Never exposed over TCP.
 */
import express, { type Express } from 'express';
import type { AuditLog } from '../accounts/audit.ts';
import { addUser, publicUser, type NewUserInput } from '../accounts/users.ts';
import type { Logger } from 'pino';
import { checkSettings, newSite, type NewSiteInput, type SiteSettings } from '../sites/new-site.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import { trackerTag } from '../sites/tracker-tag.ts';
import type { RollupJob } from '../rollup/rollup-job.ts';
import type { Site, Store } from '../store/store.ts';
import type { GoalInput } from '../protocol/query.ts';
import { newGoal } from '../sites/goals.ts';
import { errorHandler } from './app.ts';
import { HttpError } from './http-error.ts';

/** What the admin interface and the CLI show of a site: never the key hash. */
/** The audit actor of what comes through the admin socket (the command line on this machine). */
const CLI = 'cli';

export const publicSite = ({ keyHash: _hidden, ...site }: Site) => site;

/** Creates a site; the result holds the key, which is shown once and not kept. */
export async function addSite(sites: SiteDirectory, input: NewSiteInput, publicUrl: string, now: number) {
  const { site, key } = newSite(input, now);
  await sites.create(site);
  return { site: publicSite(site), key, tag: trackerTag(publicUrl, site.id) };
}

export function createAdminApp(deps: { sites: SiteDirectory; store: Store; publicUrl: string; now: () => number; log: Logger; rollups: RollupJob; audit: AuditLog }): Express {
  const app = express();
  const knownSite = (id: string) => {
    if (!deps.sites.get(id)) throw new HttpError(404, 'unknown_site', `no site "${id}" (see cairn site list)`);
    return id;
  };
  app.use(express.json({ limit: '16kb' }));
  app.get('/sites', (_req, res) => {
    res.json({ sites: deps.sites.list().map(publicSite), publicUrl: deps.publicUrl });
  });
  app.post('/sites', async (req, res) => {
    const body = (req.body ?? {}) as Partial<NewSiteInput>;
    if (typeof body.domain !== 'string') throw new HttpError(400, 'invalid_site', 'domain is required', { field: 'domain' });
    try {
      const added = await addSite(deps.sites, body as NewSiteInput, deps.publicUrl, deps.now());
      await deps.audit.record({ actor: CLI, action: 'site.create', target: added.site.id, details: { domain: added.site.domains[0]! } });
      res.status(201).json(added);
    } catch (err) {
      if (err instanceof Error && !('operation' in err)) throw new HttpError(400, 'invalid_site', err.message);
      throw err;
    }
  });
  app.patch('/sites/:site', async (req, res) => {
    const id = knownSite(req.params.site);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const changes = { timezone: body.timezone, retentionMonths: body.retentionMonths } as SiteSettings;
    const unknown = Object.keys(body).filter((k) => k !== 'timezone' && k !== 'retentionMonths');
    if (unknown.length > 0) throw new HttpError(400, 'invalid_site', `${unknown[0]}: cannot be changed here (timezone, retentionMonths)`, { field: unknown[0] });
    try {
      checkSettings(changes);
    } catch (err) {
      throw new HttpError(400, 'invalid_site', (err as Error).message);
    }
    await deps.sites.update(id, changes);
    await deps.audit.record({ actor: CLI, action: 'site.update', target: id, details: { timezone: changes.timezone ?? null, retentionMonths: changes.retentionMonths ?? null } });
    res.json({ site: publicSite(deps.sites.get(id)!) });
  });
  app.get('/users', async (_req, res) => {
    res.json({ users: (await deps.store.users.list()).map(publicUser) });
  });
  app.post('/users', async (req, res) => {
    try {
      const user = await addUser(deps.store, (req.body ?? {}) as NewUserInput, deps.now());
      await deps.audit.record({ actor: CLI, action: 'user.create', target: user.id, details: { role: user.role } });
      res.status(201).json({ user: publicUser(user) });
    } catch (err) {
      if (err instanceof Error && !('operation' in err)) throw new HttpError(400, 'invalid_user', err.message);
      throw err;
    }
  });
  app.get('/sites/:site/goals', async (req, res) => {
    res.json({ goals: await deps.store.goals.list(knownSite(req.params.site)) });
  });
  app.post('/sites/:site/goals', async (req, res) => {
    const site = knownSite(req.params.site);
    let goal;
    try {
      goal = newGoal((req.body ?? {}) as GoalInput);
    } catch (err) {
      throw new HttpError(400, 'invalid_goal', (err as Error).message);
    }
    await deps.store.goals.create(site, goal);
    await deps.audit.record({ actor: CLI, action: 'goal.create', target: `${site}/${goal.id}`, details: { kind: goal.kind, match: goal.match } });
    res.status(201).json(goal);
  });
  app.delete('/sites/:site/goals/:id', async (req, res) => {
    const removed = await deps.store.goals.remove(knownSite(req.params.site), req.params.id);
    if (!removed) throw new HttpError(404, 'not_found', `site ${req.params.site} has no goal ${req.params.id}`);
    await deps.audit.record({ actor: CLI, action: 'goal.remove', target: `${req.params.site}/${req.params.id}` });
    res.status(204).end();
  });
  // GDPR access and erasure for what server SDKs sent about one person (a prop holding their id).
  const personOf = (req: express.Request) => {
    const { prop, value } = req.query;
    if (typeof prop !== 'string' || prop === '' || typeof value !== 'string') throw new HttpError(400, 'invalid_query', 'send prop=<key> and value=<id>');
    return { site: knownSite(req.params.site as string), prop, value };
  };
  app.get('/sites/:site/person', async (req, res) => {
    const { site, prop, value } = personOf(req);
    const events = await deps.store.events.findByProp(site, prop, value);
    await deps.audit.record({ actor: CLI, action: 'gdpr.export', target: site, details: { prop, events: events.length } });
    res.json({ events });
  });
  app.delete('/sites/:site/person', async (req, res) => {
    const { site, prop, value } = personOf(req);
    const deleted = await deps.store.events.deleteByProp(site, prop, value);
    await deps.audit.record({ actor: CLI, action: 'gdpr.delete', target: site, details: { prop, events: deleted } });
    res.json({ deleted });
  });
  app.post('/rollups', async (_req, res) => {
    res.json(await deps.rollups.run());
  });
  app.use(errorHandler(deps.log));
  return app;
}
