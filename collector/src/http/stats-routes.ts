/**
 * The stats API under `/api/stats/:site/`: summary, timeseries, breakdown/:dimension, dashboard, goals,
 * funnel, vitals, realtime and export (docs/api/stats.md).
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { DIMENSIONS, funnelSchema, querySchema, type FilterDimension, type Query } from '../protocol/query.ts';
import type { StatsService } from '../stats/stats-service.ts';
import { CairnError } from '../errors.ts';
import { actorOf, grantedSections } from './authorize.ts';
import type { Route } from './routes.ts';
import type { Section } from '../protocol/management.ts';
import { filterSections, sectionOf, withoutSources } from '../stats/sections.ts';
import type { IncomingMessage } from 'node:http';
import type { AuditLog } from '../accounts/audit.ts';
import { writeRows, writeText } from '../stats/export.ts';
import { downloadDisposition } from './download-disposition.ts';

/** Reads the query model from a parsed query string; `filters` is JSON. Throws 400 naming the field. */
export function parseQuery(query: Request['query']): Query {
  const raw: Record<string, unknown> = { ...query };
  if (typeof raw.filters === 'string') {
    try {
      raw.filters = JSON.parse(raw.filters);
    } catch {
      throw new CairnError(400, 'invalid_query', 'filters: must be JSON, e.g. [{"dimension":"page","op":"is","values":["/"]}]', { field: 'filters' });
    }
  }
  const parsed = querySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.code === 'unrecognized_keys' ? issue.keys[0]! : issue.path.join('.');
    throw new CairnError(400, 'invalid_query', `${field}: ${issue.code === 'unrecognized_keys' ? 'unknown parameter' : issue.message}`, { field });
  }
  return parsed.data as Query;
}

const dimension = z.union([z.enum(DIMENSIONS), z.string().regex(/^prop:.{1,64}$/)]);

/** What a stats request reads: its route's own sections, and those of the dimensions it filters on. */
const needs =
  (...own: Section[]) =>
  (req: Request) => [...new Set([...own, ...filterSections(req.query.filters)])];

/** The breakdowns a dashboard shows when it does not say. */
const DASHBOARD_BREAKDOWNS = ['page', 'source', 'country', 'device', 'browser', 'os'];

export function statsRoutes(deps: { stats: StatsService; audit: AuditLog; clientIp: (req: IncomingMessage) => string }): Route[] {
  const site = (res: Response) => res.locals.site;
  const dashboardBreakdowns = (req: Request): FilterDimension[] => {
    const raw = req.query.breakdowns;
    const names = raw === undefined ? DASHBOARD_BREAKDOWNS : String(raw).split(',').filter(Boolean);
    const dimensions = names.map((name) => {
      const d = dimension.safeParse(name);
      if (!d.success) throw new CairnError(400, 'invalid_query', `breakdowns: "${name}" is not one of ${DIMENSIONS.join(', ')}, or prop:<key>`, { field: 'breakdowns' });
      return d.data as FilterDimension;
    });
    if (dimensions.length > 16) throw new CairnError(400, 'invalid_query', 'breakdowns: at most 16', { field: 'breakdowns' });
    return [...new Set(dimensions)];
  };
  const read = (sections: (req: Request) => readonly Section[]) => ({ kind: 'read', sections }) as const;
  return [
    {
      method: 'get',
      path: '/api/stats/:site/summary',
      summary: 'summary metrics',
      access: read(needs('traffic')),
      handler: async (req, res) => res.json(await deps.stats.summary(site(res), parseQuery(req.query))),
    },
    {
      method: 'get',
      path: '/api/stats/:site/timeseries',
      summary: 'metrics over time',
      access: read(needs('traffic')),
      handler: async (req, res) => res.json(await deps.stats.timeseries(site(res), parseQuery(req.query))),
    },
    {
      method: 'get',
      path: '/api/stats/:site/dashboard',
      summary: 'summary, series and breakdowns at once',
      access: read((req) => {
        let dims: string[] = DASHBOARD_BREAKDOWNS;
        try {
          dims = dashboardBreakdowns(req);
        } catch {
          // Refused by the handler.
        }
        return [...new Set([...needs('traffic')(req), ...dims.map(sectionOf)])];
      }),
      handler: async (req, res) => {
        const dimensions = dashboardBreakdowns(req);
        const { breakdowns: _b, ...rest } = req.query;
        res.json(await deps.stats.dashboard(site(res), parseQuery(rest), dimensions));
      },
    },
    {
      method: 'get',
      path: '/api/stats/:site/breakdown/:dimension',
      summary: 'one dimension, value by value',
      access: read((req) => [...new Set([sectionOf(String(req.params.dimension)), ...filterSections(req.query.filters)])]),
      handler: async (req, res) => {
        const d = dimension.safeParse(req.params.dimension);
        if (!d.success) throw new CairnError(404, 'unknown_dimension', `no breakdown by "${req.params.dimension}": one of ${DIMENSIONS.join(', ')}, or prop:<key>`);
        res.json(await deps.stats.breakdown(site(res), d.data as FilterDimension, parseQuery(req.query)));
      },
    },
    {
      method: 'get',
      path: '/api/stats/:site/goals',
      summary: 'goal conversions and revenue',
      access: read(needs('goals')),
      handler: async (req, res) => res.json(await deps.stats.goals(site(res), parseQuery(req.query))),
    },
    {
      method: 'get',
      path: '/api/stats/:site/funnel',
      summary: 'a funnel of pages and events',
      access: read(needs('goals')),
      handler: async (req, res) => {
        const { steps: raw, ...rest } = req.query;
        let steps: unknown;
        try {
          steps = JSON.parse(String(raw ?? ''));
        } catch {
          throw new CairnError(400, 'invalid_query', 'steps: must be JSON, e.g. [{"kind":"page","match":"/pricing"},{"kind":"event","match":"signup"}]', { field: 'steps' });
        }
        const parsed = funnelSchema.safeParse(steps);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          const field = ['steps', ...issue.path].join('.');
          throw new CairnError(400, 'invalid_query', `${field}: ${issue.message}`, { field });
        }
        res.json(await deps.stats.funnel(site(res), parsed.data, parseQuery(rest)));
      },
    },
    {
      method: 'get',
      path: '/api/stats/:site/filtered',
      summary: 'events not counted (bots, other domains…), by reason',
      // Owners and admins: what was refused says how the site is set up, not how it is visited.
      access: { kind: 'site', roles: ['owner', 'admin'], deleted: true },
      handler: async (req, res) => res.json(await deps.stats.filtered(site(res), parseQuery(req.query))),
    },
    {
      method: 'get',
      path: '/api/stats/:site/vitals',
      summary: 'Core Web Vitals p75',
      access: read(needs('traffic')),
      handler: async (req, res) => res.json(await deps.stats.vitals(site(res), parseQuery(req.query))),
    },
    {
      method: 'get',
      path: '/api/stats/:site/realtime',
      summary: 'visitors right now',
      access: read(() => ['realtime']),
      handler: async (_req, res) => {
        const answer = await deps.stats.realtime(site(res));
        const sources = grantedSections(res.locals.principal, site(res)).includes('sources');
        res.set('cache-control', 'no-store').json(sources ? answer : withoutSources(answer));
      },
    },
    {
      method: 'get',
      path: '/api/stats/:site/export',
      summary: 'raw events or a whole breakdown as CSV or NDJSON',
      // Raw events carry pages and sources alike.
      access: read((req) =>
        req.query.data === 'breakdown' ? [...new Set(['export' as const, sectionOf(String(req.query.dimension)), ...filterSections(req.query.filters)])] : ['export', 'traffic', 'sources'],
      ),
      handler: async (req, res) => {
        const format = req.query.format === 'ndjson' ? 'ndjson' : req.query.format === undefined || req.query.format === 'csv' ? 'csv' : null;
        if (!format) throw new CairnError(400, 'invalid_query', 'format: csv or ndjson', { field: 'format' });
        const what = String(req.query.data ?? 'events');
        const { format: _f, data: _d, dimension: _dim, ...rest } = req.query;
        const q = parseQuery(rest);
        const s = site(res);
        let chunks: AsyncIterable<readonly object[]> | { text: AsyncIterable<string> };
        let name: string;
        if (what === 'events') {
          const { period, ...events } = deps.stats.exportEvents(s, q, format);
          chunks = 'text' in events ? { text: events.text } : events.rows;
          name = `${s.id}-events-${period.from}-${period.to}`;
        } else if (what === 'breakdown') {
          const d = dimension.safeParse(req.query.dimension);
          if (!d.success) throw new CairnError(400, 'invalid_query', `dimension: one of ${DIMENSIONS.join(', ')}, or prop:<key>`, { field: 'dimension' });
          // Every value, 1,000 at a time: each page is asked for once the previous one is written.
          const pageOf = (page: number) => deps.stats.breakdown(s, d.data as FilterDimension, { ...q, limit: 1000, page });
          const first = await pageOf(1);
          chunks = (async function* () {
            yield first.rows;
            for (let page = 2; (page - 1) * 1000 < first.total; page++) yield (await pageOf(page)).rows;
          })();
          name = `${s.id}-${d.data.replace(':', '-')}-${first.period.from}-${first.period.to}`;
        } else throw new CairnError(400, 'invalid_query', 'data: events or breakdown', { field: 'data' });
        await deps.audit.record({ actor: actorOf(res.locals.principal), action: 'export', target: s.id, ip: deps.clientIp(req), details: { data: what, format, from: q.date ?? null, period: q.period } });
        res.status(200).set({
          'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
          // The name carries a prop key, which is free text.
          'content-disposition': downloadDisposition(name, format),
          'cache-control': 'no-store',
        });
        await ('text' in chunks ? writeText(res, chunks.text) : writeRows(res, format, chunks));
      },
    },
  ];
}
