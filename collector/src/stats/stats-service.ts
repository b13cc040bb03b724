/**
 * Answers stats queries: resolves the period in the site's time zone, asks the store for the
 * period and its comparison, and turns sums into the metrics the API returns.
 */
import { VITALS, type Vital, type Dimension, type Filter, type FilterDimension, type FunnelStep, type Goal, type Metrics, type Query } from '../protocol/query.ts';
import type { BreakdownAnswer, CurrencyAmount, DashboardAnswer, FunnelAnswer, GoalsAnswer, RealtimeAnswer, SummaryAnswer, TimeseriesAnswer, VitalsAnswer } from '../protocol/stats-answers.ts';
import type { Site, StatsRow, StatsSpec, Store } from '../store/store.ts';
import { bucketsOf, comparisonOf, resolvePeriod, type Interval } from './period.ts';
import type { Range } from '../time.ts';
import type { FilteredAnswer } from '../protocol/dropped.ts';
import { filteredReport } from './filtered.ts';

/** The metrics of one row of sums; ratios are 0 without visits. */
export function metricsOf(r: Omit<StatsRow, 'key'>): Metrics {
  const per = (n: number) => (r.visits > 0 ? n / r.visits : 0);
  return {
    visitors: r.visitors,
    visits: r.visits,
    pageviews: r.pageviews,
    events: r.events,
    views_per_visit: Math.round(per(r.visit_pageviews) * 100) / 100,
    bounce_rate: Math.round(per(r.bounces) * 100),
    visit_duration: Math.round(per(r.duration) / 1000),
    scroll_depth: r.scroll_n > 0 ? Math.round(r.scroll_sum / r.scroll_n) : null,
  };
}

/** How a dimension's missing value reads (store/duckdb/stats-sql.ts, the MongoDB pipeline). */
const NONE = '(none)';
/** Currencies listed per revenue goal; a shop sells in a few, Shopify supports some 130. */
const MAX_CURRENCIES = 200;
const cents = (n: number) => Math.round(n * 100) / 100;

/**
 * A goal's revenue fields from its amounts per currency: `revenues` always; `revenue` (with its
 * `currency`) only when there is one currency to speak of, so that no client adds up two.
 */
function oneCurrency(revenues: CurrencyAmount[]): { revenues: CurrencyAmount[]; revenue?: number; currency?: string | null } {
  if (revenues.length === 0) return { revenues, revenue: 0 };
  if (revenues.length === 1) return { revenues, revenue: revenues[0]!.amount, currency: revenues[0]!.currency };
  return { revenues };
}

export const EMPTY: Omit<StatsRow, 'key'> = { visitors: 0, visits: 0, pageviews: 0, events: 0, bounces: 0, visit_pageviews: 0, duration: 0, scroll_sum: 0, scroll_n: 0 };

/** Relative change in percent, or null when there is nothing to compare with. */
function change(now: Metrics, before: Metrics): Record<keyof Metrics, number | null> {
  const out = {} as Record<keyof Metrics, number | null>;
  for (const k of Object.keys(now) as (keyof Metrics)[]) {
    const [x, y] = [now[k], before[k]];
    out[k] = x === null || y === null || y === 0 ? null : Math.round(((x - y) / y) * 1000) / 10;
  }
  return out;
}

/** How far back "now" reaches in realtime numbers. */
export const REALTIME_MS = 5 * 60_000;

const period = (r: Range) => ({ from: r.from, to: r.to, timezone: r.tz });

/** How many values of a breakdown's comparison period are read at once (#breakdownOf), by default. */
const COMPARED_VALUES = 2000;

type Group = StatsSpec['group'];

/** The filters an event must pass to complete a goal (or a funnel step). */
export function goalFilters(g: Pick<Goal, 'kind' | 'match'>): Filter[] {
  return g.kind === 'page'
    ? [
        { dimension: 'event', op: 'is', values: ['pageview'] },
        { dimension: 'page', op: 'matches', values: [g.match] },
      ]
    : [{ dimension: 'event', op: 'is', values: [g.match] }];
}

export class StatsService {
  #store: Store;
  #now: () => number;
  #comparedValues: number;

  /** `comparedValues`: how many values of a breakdown's comparison period are read at once (tests make it small). */
  constructor(store: Store, now: () => number = Date.now, { comparedValues = COMPARED_VALUES } = {}) {
    this.#comparedValues = comparedValues;
    this.#store = store;
    this.#now = now;
  }

  #spec(site: Site, range: Range, q: Query, group: StatsSpec['group']): StatsSpec {
    return { site: site.id, tz: site.timezone, from: range.from, to: range.to, startUtc: range.startUtc, endUtc: range.endUtc, filters: q.filters, group };
  }

  #ranges(site: Site, q: Query) {
    const { range, interval } = resolvePeriod(q, site.timezone, this.#now());
    return { range, interval, compare: q.compare ? comparisonOf(range, q) : undefined };
  }

  /** What the collector dropped in the period (bots, foreign domains, rate limits…), by reason and day. */
  async filtered(site: Site, q: Query): Promise<FilteredAnswer> {
    const { range } = resolvePeriod(q, site.timezone, this.#now());
    return filteredReport(await this.#store.dropCounts.list(site.id), range.from, range.to);
  }

  /** Totals of the period (and of the comparison period, with the change in percent). */
  async summary(site: Site, q: Query): Promise<SummaryAnswer> {
    return (await this.dashboard(site, q, [], { series: false })).summary!;
  }

  /** Metrics per bucket of the period, empty buckets included. */
  async timeseries(site: Site, q: Query): Promise<TimeseriesAnswer> {
    return (await this.dashboard(site, q, [], { summary: false })).timeseries!;
  }

  /** Metrics per value of a dimension, sorted and paged; with a comparison, the same values' metrics then. */
  async breakdown(site: Site, dimension: Dimension | FilterDimension, q: Query): Promise<BreakdownAnswer> {
    return (await this.dashboard(site, q, [dimension], { summary: false, series: false })).breakdowns[dimension]!;
  }

  /**
   * What a dashboard shows at once — the summary, the time series and breakdowns of one period
   * and filters — each exactly as its own endpoint answers it, computed together so that the
   * store reads and joins the raw events once.
   */
  async dashboard(site: Site, q: Query, dimensions: readonly (Dimension | FilterDimension)[], want: { summary?: boolean; series?: boolean } = {}): Promise<DashboardAnswer> {
    const { range, interval, compare } = this.#ranges(site, q);
    const groups: Group[] = [
      ...(want.summary !== false ? [{ by: 'none' as const }] : []),
      ...(want.series !== false ? [{ by: 'time' as const, interval }] : []),
      ...dimensions.map((dimension) => ({ by: 'dimension' as const, dimension, sort: q.sort, limit: q.limit, offset: (q.page - 1) * q.limit })),
    ];
    // The period, and the comparison period's totals and series (its breakdowns come after: they
    // need the values shown now).
    const compared: Group[] = groups.filter((g) => g.by !== 'dimension');
    const [now, then] = await Promise.all([
      this.#store.stats.queryMany(groups.map((g) => this.#spec(site, range, q, g))),
      compare && compared.length > 0 ? this.#store.stats.queryMany(compared.map((g) => this.#spec(site, compare, q, g))) : undefined,
    ]);
    const answer = (g: Group) => now[groups.indexOf(g)]!;
    const before = (g: Group) => then?.[compared.indexOf(g)];
    const totals = groups.find((g) => g.by === 'none');
    const time = groups.find((g) => g.by === 'time');
    const breakdowns = await Promise.all(
      groups.flatMap((g) => (g.by === 'dimension' ? [this.#breakdownOf(site, q, range, g, answer(g), compare).then((b) => [g.dimension, b] as const)] : [])),
    );
    return {
      summary: totals && this.#summaryOf(range, answer(totals), compare, before(totals)),
      timeseries: time && this.#seriesOf(range, interval, answer(time), compare, before(time)),
      breakdowns: Object.fromEntries(breakdowns),
    };
  }

  #summaryOf(range: Range, rows: StatsRow[], compare?: Range, earlier?: StatsRow[]) {
    const now = metricsOf(rows[0] ?? EMPTY);
    const before = earlier && metricsOf(earlier[0] ?? EMPTY);
    return {
      period: period(range),
      metrics: now,
      ...(compare && before ? { comparison: { period: period(compare), metrics: before, change: change(now, before) } } : {}),
    };
  }

  #seriesOf(range: Range, interval: Interval, rows: StatsRow[], compare?: Range, earlier?: StatsRow[]) {
    const series = (r: Range, list: StatsRow[]) => {
      const byKey = new Map(list.map((row) => [row.key, row]));
      return bucketsOf(r, interval).map((bucket) => ({ bucket, ...metricsOf(byKey.get(bucket) ?? EMPTY) }));
    };
    return {
      period: period(range),
      interval,
      series: series(range, rows),
      ...(compare && earlier ? { comparison: { period: period(compare), series: series(compare, earlier) } } : {}),
    };
  }

  async #breakdownOf(site: Site, q: Query, range: Range, group: Extract<StatsSpec['group'], { by: 'dimension' }>, rows: StatsRow[], compare?: Range) {
    const out = rows.map((r) => ({ value: r.key, ...metricsOf(r) }));
    let comparison;
    if (compare && out.length > 0) {
      // The same values, whatever their rank was then: their rows of the breakdown then. Filtering
      // on them gives the same rows (a value's row counts only events and visits that have it),
      // but no rollup answers a filter on several values, so the filter is only for those past the
      // first COMPARED_VALUES.
      const values = out.map((r) => r.value);
      const then = await this.#store.stats.query(this.#spec(site, compare, q, { ...group, limit: this.#comparedValues, offset: 0 }));
      const byValue = new Map(then.map((r) => [r.key, metricsOf(r)]));
      const missing = values.filter((v) => !byValue.has(v));
      if (missing.length > 0 && then.length === this.#comparedValues) {
        const filters = [...q.filters, { dimension: group.dimension, op: 'is' as const, values: missing }];
        const more = await this.#store.stats.query(this.#spec(site, compare, { ...q, filters }, { ...group, limit: missing.length, offset: 0 }));
        for (const r of more) byValue.set(r.key, metricsOf(r));
      }
      comparison = { period: period(compare), rows: values.map((value) => ({ value, ...(byValue.get(value) ?? metricsOf(EMPTY)) })) };
    }
    return { period: period(range), dimension: group.dimension, page: q.page, limit: q.limit, total: rows[0]?.total ?? 0, rows: out, ...(comparison ? { comparison } : {}) };
  }

  /**
   * Conversions of every goal of the site: visitors who completed it (summed per day, like
   * visitors), visits that completed it, completions (pageviews or events), the conversion rate
   * (converted visitors ÷ visitors, %) and, for goals with a revenue prop, its sum — per
   * currency when the goal names a currency prop: amounts in different currencies are never added.
   */
  async goals(site: Site, q: Query): Promise<GoalsAnswer> {
    const { range } = this.#ranges(site, q);
    const [goals, all] = await Promise.all([
      this.#store.goals.list(site.id),
      this.#store.stats.query(this.#spec(site, range, q, { by: 'none' })),
    ]);
    const visitors = all[0]?.visitors ?? 0;
    const rows = await Promise.all(
      goals.map(async (g) => {
        const spec = { ...this.#spec(site, range, { ...q, filters: [...q.filters, ...goalFilters(g)] }, { by: 'none' as const }), revenueProp: g.revenue };
        const [r = { ...EMPTY, revenue: 0 }, revenues] = await Promise.all([
          this.#store.stats.query(g.currency ? { ...spec, revenueProp: undefined } : spec).then((rows) => rows[0]),
          g.currency ? this.#revenuesByCurrency({ ...spec, group: { by: 'dimension', dimension: `prop:${g.currency}`, sort: 'events', limit: MAX_CURRENCIES, offset: 0 } }) : undefined,
        ]);
        return {
          id: g.id,
          name: g.name,
          kind: g.kind,
          match: g.match,
          visitors: r.visitors,
          conversions: r.visits,
          completions: g.kind === 'page' ? r.pageviews : r.events,
          conversion_rate: visitors > 0 ? Math.round((r.visitors / visitors) * 1000) / 10 : 0,
          ...(revenues ? oneCurrency(revenues) : g.revenue ? { revenue: cents(r.revenue ?? 0) } : {}),
        };
      }),
    );
    return { period: period(range), visitors, goals: rows };
  }

  /** A goal's revenue per currency, the largest amount first; events without a currency under `null`. */
  async #revenuesByCurrency(spec: StatsSpec): Promise<CurrencyAmount[]> {
    const rows = await this.#store.stats.query(spec);
    return rows
      .filter((row) => row.events > 0 || row.pageviews > 0)
      .map((row) => ({ currency: row.key === NONE ? null : row.key, amount: cents(row.revenue ?? 0) }))
      .sort((a, b) => b.amount - a.amount || String(a.currency).localeCompare(String(b.currency)));
  }

  /**
   * A funnel: of the visits of the period (those matching the filters), how many went through
   * each step in order, with the share of step 1 that got this far and the drop-off from the
   * step before.
   */
  async funnel(site: Site, steps: FunnelStep[], q: Query): Promise<FunnelAnswer> {
    const { range } = this.#ranges(site, q);
    const r = await this.#store.stats.funnel(this.#spec(site, range, q, { by: 'none' }), steps);
    const pct = (x: number, of: number) => (of > 0 ? Math.round((x / of) * 1000) / 10 : 0);
    return {
      period: period(range),
      visits: r.visits,
      steps: steps.map((step, i) => {
        const visits = r.steps[i]!;
        const before = i === 0 ? r.visits : r.steps[i - 1]!;
        return {
          name: step.name ?? step.match,
          kind: step.kind,
          match: step.match,
          visits,
          conversion_rate: pct(visits, i === 0 ? r.visits : r.steps[0]!),
          dropoff: before - visits,
          dropoff_rate: pct(before - visits, before),
        };
      }),
    };
  }

  /**
   * Web Vitals: the 75th percentile of LCP, INP, CLS, FCP and TTFB (CLS unitless, the others in
   * ms) over all pages, and per page, pages with the most reports first, paged by limit/page.
   */
  async vitals(site: Site, q: Query): Promise<VitalsAnswer> {
    const { range } = this.#ranges(site, q);
    const rows = await this.#store.stats.vitals(this.#spec(site, range, q, { by: 'none' }), q.limit, (q.page - 1) * q.limit);
    type Vitals = Record<Vital, { p75: number; n: number } | null>;
    const none = (): Vitals => ({ LCP: null, INP: null, CLS: null, FCP: null, TTFB: null });
    const byPage = new Map<string, Vitals>();
    for (const r of rows) {
      const m = byPage.get(r.page) ?? none();
      m[r.metric as Vital] = { p75: Math.round(r.p75 * 1000) / 1000, n: r.n };
      byPage.set(r.page, m);
    }
    const reports = (m: Vitals) => VITALS.reduce((n, v) => n + (m[v]?.n ?? 0), 0);
    return {
      period: period(range),
      page: q.page,
      limit: q.limit,
      total: rows[0]?.total ?? 0,
      overall: byPage.get('') ?? none(),
      pages: [...byPage]
        .filter(([page]) => page !== '')
        .map(([page, m]) => ({ page, reports: reports(m), ...m }))
        .sort((a, b) => b.reports - a.reports || (a.page < b.page ? -1 : 1)),
    };
  }

  /**
   * Visitors of the last 5 minutes, the pages they are on, and the latest events. The events
   * acknowledged so far are loaded first: other reads may lag ingest by the store's load interval,
   * the realtime view must not. (A load that fails is logged and shown by the health check; the
   * numbers are then those already loaded.)
   */
  async realtime(site: Site): Promise<RealtimeAnswer> {
    await this.#store.events.settle().catch(() => undefined);
    const now = this.#now();
    return { since: new Date(now - REALTIME_MS).toISOString(), ...(await this.#store.stats.realtime(site.id, now - REALTIME_MS)) };
  }

  /**
   * The raw events of a query's period (filters do not apply to raw exports): as export text when
   * the store writes it (`text`), else as rows in chunks for export.ts to write (`rows`).
   */
  exportEvents(site: Site, q: Query, format: 'csv' | 'ndjson') {
    const { range } = this.#ranges(site, q);
    const stats = this.#store.stats;
    return {
      period: period(range),
      ...(stats.exportText
        ? { text: stats.exportText(site.id, range.startUtc, range.endUtc, format) }
        : { rows: stats.exportEvents(site.id, range.startUtc, range.endUtc) }),
    };
  }
}
