/**
 * The stats definitions of docs/api/stats.md, computed the plain way over a list of events: the
 * independent oracle the store's answers are checked against. Slow and obvious on purpose.
 */
import { DateTime } from 'luxon';
import type { Filter, FilterDimension } from '../protocol/query.ts';
import type { StatsRow, StatsSpec, StoredEvent } from '../store/store.ts';
import { bucketOf } from '../stats/period.ts';

interface Visit {
  start: number;
  first: StoredEvent;
  entry: string | null;
  exit: string | null;
  pv: number;
  customs: number;
  dur: number;
}

const custom = (name: string) => !['pageview', 'engagement', 'vital'].includes(name);
const active = (name: string) => name !== 'engagement' && name !== 'vital';

/** A dimension's value for an event of a visit, '(none)' when missing (as the API shows it). */
function valueOf(d: FilterDimension, e: StoredEvent, v: Visit): string {
  let x: unknown;
  if (d.startsWith('prop:')) x = e.props ? (JSON.parse(e.props) as Record<string, unknown>)[d.slice(5)] : undefined;
  else {
    const map: Record<string, unknown> = {
      page: e.pathname,
      entry_page: v.entry,
      exit_page: v.exit,
      source: v.first.source,
      referrer: v.first.referrer,
      utm_source: v.first.utmSource,
      utm_medium: v.first.utmMedium,
      utm_campaign: v.first.utmCampaign,
      utm_term: v.first.utmTerm,
      utm_content: v.first.utmContent,
      country: e.country,
      device: e.device,
      browser: e.browser,
      os: e.os,
      event: e.name,
    };
    x = map[d];
  }
  return x === undefined || x === null ? '(none)' : String(x);
}

/** A `*` pattern (any characters) matched against the whole value. */
const globMatches = (pattern: string, x: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`, 's').test(x);

function matches(f: Filter, e: StoredEvent, v: Visit): boolean {
  const x = valueOf(f.dimension, e, v);
  if (f.op === 'is') return f.values.includes(x);
  if (f.op === 'is_not') return !f.values.includes(x);
  if (f.op === 'matches') return f.values.some((p) => globMatches(p, x));
  return f.values.some((s) => x.toLowerCase().includes(s.toLowerCase()));
}

/** A site's events in insertion order, and its visits (sessions) as the definitions reconstruct them. */
function visitsOf(all: readonly StoredEvent[], site: string) {
  const events = all.filter((e) => e.site === site).map((e, i) => ({ e, i }));
  const bySession = new Map<number, { e: StoredEvent; i: number }[]>();
  for (const x of events) bySession.set(x.e.session, [...(bySession.get(x.e.session) ?? []), x]);
  const visits = new Map<number, Visit & { ordered: StoredEvent[] }>();
  for (const [id, list] of bySession) {
    const ordered = [...list].sort((a, b) => a.e.ts - b.e.ts || a.i - b.i).map((x) => x.e);
    const pages = ordered.filter((e) => e.name === 'pageview');
    const first = ordered.find((e) => active(e.name));
    // A visit starts with its first event that is not the tracker's own report.
    visits.set(id, {
      ordered,
      start: first?.ts ?? Number.NaN,
      first: first ?? ordered[0]!,
      entry: pages[0]?.pathname ?? null,
      exit: pages.at(-1)?.pathname ?? null,
      pv: pages.length,
      customs: ordered.filter((e) => custom(e.name)).length,
      dur: ordered.filter((e) => e.name === 'engagement').reduce((n, e) => n + (e.engagedMs ?? 0), 0),
    });
  }
  return { events, visits };
}

/** The rows the store must return for `spec`, from every event in insertion order. */
export function referenceStats(all: readonly StoredEvent[], spec: StatsSpec): StatsRow[] {
  const { events, visits } = visitsOf(all, spec.site);
  const inRange = (ts: number) => ts >= spec.startUtc && ts < spec.endUtc;
  const local = (ts: number) => DateTime.fromMillis(ts, { zone: spec.tz });
  const g = spec.group;
  const keysOf = (e: StoredEvent, v: Visit): string[] =>
    g.by === 'none'
      ? ['']
      : g.by === 'time'
        ? [bucketOf(local(e.ts), g.interval)]
        : g.by === 'dimension'
          ? [valueOf(g.dimension, e, v)]
          : ['', ...g.dimensions.map((d) => `${d}\t${valueOf(d, e, v)}`)];
  const unitOf = (ts: number) => (g.by === 'time' && g.interval === 'hour' ? local(ts).toFormat("yyyy-MM-dd'T'HH") : local(ts).toISODate()!);

  const rows = new Map<string, StatsRow & { days: Map<string, Set<string>>; sessions: Set<number> }>();
  const row = (key: string) => {
    let r = rows.get(key);
    if (!r) {
      r = { key, visitors: 0, visits: 0, pageviews: 0, events: 0, bounces: 0, visit_pageviews: 0, duration: 0, scroll_sum: 0, scroll_n: 0, days: new Map(), sessions: new Set() };
      rows.set(key, r);
    }
    return r;
  };
  // The sessions of the period: those with an event in it (their events outside it still count for visits).
  const touched = new Set(events.filter(({ e }) => inRange(e.ts)).map(({ e }) => e.session));
  for (const { e } of events) {
    if (!touched.has(e.session)) continue;
    const v = visits.get(e.session)!;
    if (!spec.filters.every((f) => matches(f, e, v))) continue;
    const keys = keysOf(e, v);
    if (inRange(e.ts)) {
      for (const key of keys) {
        const r = row(key);
        if (e.name === 'pageview') r.pageviews++;
        if (custom(e.name)) r.events++;
        if (e.name === 'engagement' && e.scrollDepth !== null) {
          r.scroll_sum += e.scrollDepth;
          r.scroll_n++;
        }
        if (!active(e.name)) continue;
        const unit = unitOf(e.ts);
        r.days.set(unit, (r.days.get(unit) ?? new Set()).add(e.visitor));
      }
    }
    // A visit that starts in the period counts under the keys of its matching events (at any
    // time), or in a time series, under its start's bucket.
    if (active(e.name) && inRange(v.start)) {
      for (const key of g.by === 'time' ? [bucketOf(local(v.start), g.interval)] : keys) row(key).sessions.add(e.session);
    }
  }
  for (const r of rows.values()) {
    for (const set of r.days.values()) r.visitors += set.size;
    for (const id of r.sessions) {
      const v = visits.get(id)!;
      r.visits++;
      if (v.pv === 1 && v.customs === 0) r.bounces++;
      r.visit_pageviews += v.pv;
      r.duration += v.dur;
    }
  }
  return [...rows.values()].map(({ days: _d, sessions: _s, ...r }) => r);
}


/**
 * A funnel: the visits the period counts (starting in it, with an event that passes the filters),
 * and how many of them went through steps 1..n in order, each step taking the earliest event
 * after the previous step's.
 */
export function referenceFunnel(all: readonly StoredEvent[], spec: StatsSpec, steps: readonly { kind: 'page' | 'event'; match: string }[]) {
  const { events, visits } = visitsOf(all, spec.site);
  const inRange = (ts: number) => ts >= spec.startUtc && ts < spec.endUtc;
  const touched = new Set(events.filter(({ e }) => inRange(e.ts)).map(({ e }) => e.session));
  const counted = new Set<number>();
  for (const { e } of events) {
    const v = visits.get(e.session)!;
    if (touched.has(e.session) && active(e.name) && inRange(v.start) && spec.filters.every((f) => matches(f, e, v))) counted.add(e.session);
  }
  const reached = steps.map(() => 0);
  for (const id of counted) {
    let k = 0;
    for (const e of visits.get(id)!.ordered) {
      const step = steps[k];
      if (step && (step.kind === 'page' ? e.name === 'pageview' && globMatches(step.match, e.pathname) : e.name === step.match)) k++;
    }
    for (let i = 0; i < k; i++) reached[i]!++;
  }
  return { visits: counted.size, steps: reached };
}

/** The 75th percentile with linear interpolation between the closest ranks (DuckDB's quantile_cont). */
export function p75(values: readonly number[]): number {
  const a = [...values].sort((x, y) => x - y);
  const pos = (a.length - 1) * 0.75;
  const lo = Math.floor(pos);
  return a[lo]! + (a[Math.ceil(pos)]! - a[lo]!) * (pos - lo);
}

/** Web Vitals p75 over all pages ('') and per page, from vital events of the period passing the filters. */
export function referenceVitals(all: readonly StoredEvent[], spec: StatsSpec): Map<string, Map<string, number[]>> {
  const { events, visits } = visitsOf(all, spec.site);
  const inRange = (ts: number) => ts >= spec.startUtc && ts < spec.endUtc;
  const out = new Map<string, Map<string, number[]>>();
  const add = (page: string, metric: string, value: number) => {
    const m = out.get(page) ?? new Map<string, number[]>();
    m.set(metric, [...(m.get(metric) ?? []), value]);
    out.set(page, m);
  };
  for (const { e } of events) {
    if (e.name !== 'vital' || !inRange(e.ts) || !e.props) continue;
    if (!spec.filters.every((f) => matches(f, e, visits.get(e.session)!))) continue;
    const { metric, value } = JSON.parse(e.props) as { metric?: unknown; value?: unknown };
    if (typeof metric !== 'string' || !['LCP', 'INP', 'CLS', 'FCP', 'TTFB'].includes(metric) || typeof value !== 'number') continue;
    add('', metric, value);
    add(e.pathname, metric, value);
  }
  return out;
}
