/** The stats API: `/api/stats/:site/summary`, `/timeseries`, `/breakdown/:dimension`. */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { DIMENSIONS, querySchema, type FilterDimension, type Query } from '../protocol/query.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { StatsService } from '../stats/stats-service.ts';
import { HttpError } from './http-error.ts';
import { requireSiteKey } from './site-auth.ts';

/** Reads the query model from a query string; `filters` is JSON. Throws 400 naming the field. */
export function parseQuery(req: Request): Query {
  const raw: Record<string, unknown> = { ...req.query };
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

export function statsRoutes(deps: { sites: SiteDirectory; stats: StatsService }): Router {
  const router = Router({ mergeParams: true });
  // Widgets in CMS admins call from other origins, with a key or token in a header (no cookies).
  router.use((req, res, next) => {
    res.set({ 'access-control-allow-origin': '*', 'access-control-allow-headers': 'Authorization, Content-Type', 'access-control-max-age': '86400' });
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  });
  router.use('/:site', requireSiteKey(deps.sites));
  router.get('/:site/summary', async (req, res) => {
    res.json(await deps.stats.summary(res.locals.site, parseQuery(req)));
  });
  router.get('/:site/timeseries', async (req, res) => {
    res.json(await deps.stats.timeseries(res.locals.site, parseQuery(req)));
  });
  router.get('/:site/breakdown/:dimension', async (req, res) => {
    const d = dimension.safeParse(req.params.dimension);
    if (!d.success) throw new HttpError(404, 'unknown_dimension', `no breakdown by "${req.params.dimension}": one of ${DIMENSIONS.join(', ')}, or prop:<key>`);
    res.json(await deps.stats.breakdown(res.locals.site, d.data as FilterDimension, parseQuery(req)));
  });
  return router;
}
