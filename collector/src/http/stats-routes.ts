/**
 * The stats API under `/api/stats/:site/`: summary, timeseries, breakdown/:dimension, dashboard, goals,
 * funnel, vitals, realtime and export (docs/api/stats.md).
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { DIMENSIONS, funnelSchema, querySchema, type FilterDimension, type Query } from '../protocol/query.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { StatsService } from '../stats/stats-service.ts';
import { HttpError } from './http-error.ts';
import { requireSiteKey } from './site-auth.ts';
import type { IncomingMessage } from 'node:http';
import type { AuditLog } from '../accounts/audit.ts';
import { writeRows } from '../stats/export.ts';

/** Reads the query model from a parsed query string; `filters` is JSON. Throws 400 naming the field. */
export function parseQuery(query: Request['query']): Query {
  const raw: Record<string, unknown> = { ...query };
  if (typeof raw.filters === 'string') {
    try {
      raw.filters = JSON.parse(raw.filters);
    } catch {
      throw new HttpError(400, 'invalid_query', 'filters: must be JSON, e.g. [{"dimension":"page","op":"is","values":["/"]}]', { field: 'filters' });
    }
  }
  const parsed = querySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.code === 'unrecognized_keys' ? issue.keys[0]! : issue.path.join('.');
    throw new HttpError(400, 'invalid_query', `${field}: ${issue.code === 'unrecognized_keys' ? 'unknown parameter' : issue.message}`, { field });
  }
  return parsed.data as Query;
}

const dimension = z.union([z.enum(DIMENSIONS), z.string().regex(/^prop:.{1,64}$/)]);

/** The breakdowns a dashboard shows when it does not say. */
const DASHBOARD_BREAKDOWNS = ['page', 'source', 'country', 'device', 'browser', 'os'];

export function statsRoutes(deps: { sites: SiteDirectory; stats: StatsService; audit: AuditLog; clientIp: (req: IncomingMessage) => string }): Router {
  const router = Router({ mergeParams: true });
  // Widgets in CMS admins call from other origins, with a key or token in a header (no cookies).
  router.use((req, res, next) => {
    res.set({ 'access-control-allow-origin': '*', 'access-control-allow-headers': 'Authorization, Content-Type', 'access-control-max-age': '86400' });
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  });
  router.use('/:site', requireSiteKey(deps.sites));
  router.get('/:site/summary', async (req, res) => {
    res.json(await deps.stats.summary(res.locals.site, parseQuery(req.query)));
  });
  router.get('/:site/timeseries', async (req, res) => {
    res.json(await deps.stats.timeseries(res.locals.site, parseQuery(req.query)));
  });
  router.get('/:site/dashboard', async (req, res) => {
    const { breakdowns: raw, ...rest } = req.query;
    const names = raw === undefined ? DASHBOARD_BREAKDOWNS : String(raw).split(',').filter(Boolean);
    const dimensions = names.map((name) => {
      const d = dimension.safeParse(name);
      if (!d.success) throw new HttpError(400, 'invalid_query', `breakdowns: "${name}" is not one of ${DIMENSIONS.join(', ')}, or prop:<key>`, { field: 'breakdowns' });
      return d.data as FilterDimension;
    });
    if (dimensions.length > 16) throw new HttpError(400, 'invalid_query', 'breakdowns: at most 16', { field: 'breakdowns' });
    res.json(await deps.stats.dashboard(res.locals.site, parseQuery(rest), [...new Set(dimensions)]));
  });
  router.get('/:site/goals', async (req, res) => {
    res.json(await deps.stats.goals(res.locals.site, parseQuery(req.query)));
  });
  router.get('/:site/funnel', async (req, res) => {
    const { steps: raw, ...rest } = req.query;
    let steps: unknown;
    try {
      steps = JSON.parse(String(raw ?? ''));
    } catch {
      throw new HttpError(400, 'invalid_query', 'steps: must be JSON, e.g. [{"kind":"page","match":"/pricing"},{"kind":"event","match":"signup"}]', { field: 'steps' });
    }
    const parsed = funnelSchema.safeParse(steps);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = ['steps', ...issue.path].join('.');
      throw new HttpError(400, 'invalid_query', `${field}: ${issue.message}`, { field });
    }
    res.json(await deps.stats.funnel(res.locals.site, parsed.data, parseQuery(rest)));
  });
  router.get('/:site/vitals', async (req, res) => {
    res.json(await deps.stats.vitals(res.locals.site, parseQuery(req.query)));
  });
  router.get('/:site/realtime', async (_req, res) => {
    res.set('cache-control', 'no-store').json(await deps.stats.realtime(res.locals.site));
  });
  router.get('/:site/export', async (req, res) => {
    const format = req.query.format === 'ndjson' ? 'ndjson' : req.query.format === undefined || req.query.format === 'csv' ? 'csv' : null;
    if (!format) throw new HttpError(400, 'invalid_query', 'format: csv or ndjson', { field: 'format' });
    const what = String(req.query.data ?? 'events');
    const { format: _f, data: _d, dimension: _dim, ...rest } = req.query;
    const q = parseQuery(rest);
    const site = res.locals.site;
    let chunks: AsyncIterable<readonly Record<string, unknown>[]>;
    let name: string;
    if (what === 'events') {
      const { period, chunks: events } = deps.stats.exportEvents(site, q);
      chunks = events as AsyncIterable<Record<string, unknown>[]>;
      name = `${site.id}-events-${period.from}-${period.to}`;
    } else if (what === 'breakdown') {
      const d = dimension.safeParse(req.query.dimension);
      if (!d.success) throw new HttpError(400, 'invalid_query', `dimension: one of ${DIMENSIONS.join(', ')}, or prop:<key>`, { field: 'dimension' });
      // Every value, 1,000 at a time: each page is asked for once the previous one is written.
      const pageOf = (page: number) => deps.stats.breakdown(site, d.data as FilterDimension, { ...q, limit: 1000, page });
      const first = await pageOf(1);
      chunks = (async function* () {
        yield first.rows;
        for (let page = 2; (page - 1) * 1000 < first.total; page++) yield (await pageOf(page)).rows;
      })();
      name = `${site.id}-${d.data.replace(':', '-')}-${first.period.from}-${first.period.to}`;
    } else throw new HttpError(400, 'invalid_query', 'data: events or breakdown', { field: 'data' });
    await deps.audit.record({ actor: 'site-key', action: 'export', target: site.id, ip: deps.clientIp(req), details: { data: what, format, from: q.date ?? null, period: q.period } });
    res.status(200).set({
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="cairn-${name}.${format}"`,
      'cache-control': 'no-store',
    });
    await writeRows(res, format, chunks);
  });
  router.get('/:site/breakdown/:dimension', async (req, res) => {
    const d = dimension.safeParse(req.params.dimension);
    if (!d.success) throw new HttpError(404, 'unknown_dimension', `no breakdown by "${req.params.dimension}": one of ${DIMENSIONS.join(', ')}, or prop:<key>`);
    res.json(await deps.stats.breakdown(res.locals.site, d.data as FilterDimension, parseQuery(req.query)));
  });
  return router;
}
