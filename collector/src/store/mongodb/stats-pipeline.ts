/**
 * Stats over raw events as one aggregation pipeline, implementing the metric definitions of
 * docs/api/stats.md exactly as the embedded store's SQL does (store/duckdb/stats-sql.ts): visits
 * rebuilt from every event of the sessions the period touches, visitors distinct per local day
 * (per hour in an hourly series) and summed, filters on an event's own fields or its visit's.
 *
 * Local time is computed from the zone's offset changes over the period (as stats-sql's localSql),
 * not with MongoDB's time zone operators, so that mingo (whose zone support is partial) and the
 * server agree. The pipeline ends in one document, read by `rowsOf`.
 */
import { VITALS, type Filter, type FilterDimension, type Metric } from '../../protocol/query.ts';
import { SUMS } from '../rollup-days.ts';
import { offsetsOf } from '../zone-offsets.ts';
import type { StatsRow, StatsSpec, VitalRow } from '../store.ts';
import type { Doc } from './executor.ts';
import { C } from './queries.ts';

const DAY_MS = 86_400_000;
const NOT_ACTIVE = ['engagement', 'vital'];
const NOT_CUSTOM = ['pageview', 'engagement', 'vital'];

/** Visit dimensions: the visit's value (`s.`), from its first active event or its pageviews. */
const VISIT_FIELDS: Partial<Record<string, string>> = {
  entry_page: 'entryPage',
  exit_page: 'exitPage',
  source: 'source',
  referrer: 'referrer',
  utm_source: 'utmSource',
  utm_medium: 'utmMedium',
  utm_campaign: 'utmCampaign',
  utm_term: 'utmTerm',
  utm_content: 'utmContent',
};
const EVENT_FIELDS: Partial<Record<string, string>> = { page: 'pathname', country: 'country', device: 'device', browser: 'browser', os: 'os', event: 'name' };

/** A prop's value as text (JSON's text for numbers and booleans), or null. */
export const propText = (key: string): Doc => ({
  $let: {
    vars: { p: { $arrayElemAt: [{ $filter: { input: { $ifNull: ['$props', []] }, cond: { $eq: ['$$this.k', { $literal: key }] } } }, 0] } },
    in: { $toString: '$$p.v' },
  },
});

/** A dimension's value for an event with its visit (`s`); missing reads as '(none)'. */
function valueOf(d: FilterDimension): Doc {
  const visit = VISIT_FIELDS[d];
  const field = d.startsWith('prop:') ? propText(d.slice(5)) : visit ? `$s.${visit}` : EVENT_FIELDS[d] && `$${EVENT_FIELDS[d]}`;
  if (!field) throw new Error(`unknown dimension ${d}`);
  return { $ifNull: [field, '(none)'] };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A `*` pattern as an anchored regular expression. */
const globRegex = (glob: string) => `^${glob.split('*').map(escapeRegex).join('.*')}$`;

/** One filter as an aggregation expression. */
function predicate(f: Filter): Doc {
  const v = valueOf(f.dimension);
  // Values as literals: in an expression, a string starting with `$` would name a field.
  if (f.op === 'is') return { $in: [v, { $literal: f.values }] };
  if (f.op === 'is_not') return { $not: [{ $in: [v, { $literal: f.values }] }] };
  if (f.op === 'matches') {
    return { $or: f.values.map((g) => ({ $regexMatch: { input: v, regex: globRegex(g), options: 's' } })) };
  }
  return { $or: f.values.map((x) => ({ $regexMatch: { input: { $toLower: v }, regex: escapeRegex(x.toLowerCase()), options: 's' } })) };
}

/** A UTC date expression shifted to the zone's wall-clock time, for instants in [from, to). */
function localOf(tz: string, from: number, to: number, date: string): Doc {
  const { offset, changes } = offsetsOf(tz, from, to);
  const minutes =
    changes.length === 0
      ? offset
      : {
          $switch: {
            branches: changes.map((c, i) => ({ case: { $lt: [date, new Date(c.at)] }, then: i === 0 ? offset : changes[i - 1]!.offset })),
            default: changes.at(-1)!.offset,
          },
        };
  return { $add: [date, typeof minutes === 'number' ? minutes * 60_000 : { $multiply: [minutes, 60_000] }] };
}

/** The bucket label of a local time, as period.ts's bucketOf writes it (weeks start on Monday). */
function labelOf(interval: 'hour' | 'day' | 'week' | 'month', local: Doc | string): Doc {
  if (interval === 'week') {
    const monday = { $subtract: [local, { $multiply: [{ $subtract: [{ $isoDayOfWeek: local }, 1] }, DAY_MS] }] };
    return { $dateToString: { date: monday, format: '%Y-%m-%d' } };
  }
  const format = { hour: '%Y-%m-%dT%H:00', day: '%Y-%m-%d', month: '%Y-%m' }[interval];
  return { $dateToString: { date: local, format } };
}

const SORT: Record<Metric, Doc | string> = {
  visitors: '$visitors',
  visits: '$visits',
  pageviews: '$pageviews',
  events: '$events',
  views_per_visit: { $cond: [{ $eq: ['$visits', 0] }, null, { $divide: ['$visit_pageviews', '$visits'] }] },
  bounce_rate: { $cond: [{ $eq: ['$visits', 0] }, null, { $divide: ['$bounces', '$visits'] }] },
  visit_duration: { $cond: [{ $eq: ['$visits', 0] }, null, { $divide: ['$duration', '$visits'] }] },
};

const count = (cond: Doc) => ({ $sum: { $cond: [cond, 1, 0] } });

/** The pipeline (over `events`) answering a spec without rollups; `rowsOf` reads its one document. */
export function statsPipeline(spec: StatsSpec, source?: Source): Doc[] {
  const g = spec.group;
  if (g.by === 'dimensions') throw new Error('several dimensions at once are for rollups');
  const page =
    g.by === 'dimension'
      ? [{ $set: { sortv: SORT[g.sort] } }, { $sort: { sortv: -1, _id: 1 } }, { $skip: g.offset }, { $limit: g.limit }, { $unset: 'sortv' }]
      : [{ $sort: { _id: 1 } }];
  return [...sumsPipeline(spec, source), { $facet: { rows: page, total: [{ $count: 'n' }] } }];
}

/**
 * Where sumsPipeline reads eventStages' documents from: the collection the pipeline runs on and
 * the stages that make them (by default eventStages over `events`).
 */
export interface Source {
  coll: string;
  stages: Doc[];
}

/**
 * eventStages' documents of a spec's period, read from `visit_events` for a run of rolled days
 * (from the first: each day at its version), the days after it (`rest`) from raw events. A rolled
 * day keeps eventStages' documents of its events and of the later events of its visits
 * (rollups.ts: visitEventsPipeline), so its visits are not rebuilt.
 */
export function keptSource(spec: StatsSpec, versions: ReadonlyMap<string, string>, rest: StatsSpec | null): Source {
  return {
    coll: C.visitEvents,
    stages: [
      { $match: { site: spec.site, $or: [...versions].map(([day, v]) => ({ day, v })) } },
      ...(spec.filters.length > 0 ? [{ $match: { $expr: { $and: spec.filters.map(predicate) } } }] : []),
      ...(rest ? [{ $unionWith: { coll: C.events, pipeline: eventStages(rest) } }] : []),
    ],
  };
}

/**
 * The visits the period touches, one document per session: `ev` its events in the window (in
 * time, then arrival, order) and `s` the visit (start, source, referrer, UTM tags, entry and exit
 * pages, pageviews, custom events, engaged time).
 */
export function visitStages(spec: StatsSpec): Doc[] {
  const start = new Date(spec.startUtc);
  const end = new Date(spec.endUtc);
  const first = (list: string, field: string) => ({ $getField: { field, input: { $arrayElemAt: [list, 0] } } });
  const last = (list: string, field: string) => ({ $getField: { field, input: { $arrayElemAt: [list, -1] } } });
  return [
    // A visit lasts at most 24 hours (enrich/sessions.ts): its events lie within a day of the period.
    { $match: { site: spec.site, ts: { $gte: new Date(spec.startUtc - DAY_MS), $lt: new Date(spec.endUtc + DAY_MS) } } },
    { $sort: { ts: 1, _id: 1 } },
    { $group: { _id: '$session', ev: { $push: '$$ROOT' } } },
    // The sessions the period touches.
    { $match: { ev: { $elemMatch: { ts: { $gte: start, $lt: end } } } } },
    // The visit: it starts with its first event that is not the tracker's own report, and takes
    // its source, referrer and campaign from it; entry and exit pages from its pageviews.
    {
      $set: {
        s: {
          $let: {
            vars: {
              act: { $filter: { input: '$ev', cond: { $not: [{ $in: ['$$this.name', NOT_ACTIVE] }] } } },
              pvs: { $filter: { input: '$ev', cond: { $eq: ['$$this.name', 'pageview'] } } },
            },
            in: {
              start: first('$$act', 'ts'),
              ...Object.fromEntries(['source', 'referrer', 'utmSource', 'utmMedium', 'utmCampaign', 'utmTerm', 'utmContent'].map((f) => [f, first('$$act', f)])),
              entryPage: first('$$pvs', 'pathname'),
              exitPage: last('$$pvs', 'pathname'),
              pv: { $size: '$$pvs' },
              customs: { $size: { $filter: { input: '$ev', cond: { $not: [{ $in: ['$$this.name', NOT_CUSTOM] }] } } } },
              dur: { $sum: { $map: { input: { $filter: { input: '$ev', cond: { $eq: ['$$this.name', 'engagement'] } } }, in: '$$this.engagedMs' } } },
            },
          },
        },
      },
    },
  ];
}

/**
 * visitStages, then one document per event of those visits that passes the filters, with its
 * visit as `s`, its local time `lts`, and whether it is `active` (not a tracker report) and
 * `inRange` (in the period).
 */
export function eventStages(spec: StatsSpec): Doc[] {
  const start = new Date(spec.startUtc);
  const end = new Date(spec.endUtc);
  const local = (date: string) => localOf(spec.tz, spec.startUtc - DAY_MS, spec.endUtc + DAY_MS, date);
  return [
    ...visitStages(spec),
    { $unwind: '$ev' },
    { $replaceWith: { $mergeObjects: ['$ev', { s: '$s' }] } },
    ...(spec.filters.length > 0 ? [{ $match: { $expr: { $and: spec.filters.map(predicate) } } }] : []),
    {
      $set: {
        lts: local('$ts'),
        active: { $not: [{ $in: ['$name', NOT_ACTIVE] }] },
        inRange: { $and: [{ $gte: ['$ts', start] }, { $lt: ['$ts', end] }] },
      },
    },
  ];
}

/**
 * Per-key sums of a spec over raw events: one document per key (`_id`) with the sums of StatsRow.
 * With several dimensions (rollups), each event counts once per dimension, under the key
 * `{ d: dimension, v: value }`, and the totals under `{ d: '', v: '' }`.
 */
export function sumsPipeline(spec: StatsSpec, source: Source = { coll: C.events, stages: eventStages(spec) }): Doc[] {
  const g = spec.group;
  const start = new Date(spec.startUtc);
  const end = new Date(spec.endUtc);
  const local = (date: string) => localOf(spec.tz, spec.startUtc - DAY_MS, spec.endUtc + DAY_MS, date);
  const revenue = spec.revenueProp && { $convert: { input: propText(spec.revenueProp), to: 'double', onError: null, onNull: null } };
  const key =
    g.by === 'none'
      ? ''
      : g.by === 'time'
        ? labelOf(g.interval, '$lts')
        : g.by === 'dimension'
          ? valueOf(g.dimension)
          : { $concatArrays: [[{ d: '', v: '' }], g.dimensions.map((d) => ({ d, v: valueOf(d) }))] };
  const unit = g.by === 'time' && g.interval === 'hour' ? '%Y-%m-%dT%H' : '%Y-%m-%d';
  const visitKey = g.by === 'time' ? labelOf(g.interval, local('$s.start')) : '$key';

  const keyed = [
    ...source.stages,
    // A stage of its own: expressions in one $set see the document as it came in, not `lts`.
    { $set: { key } },
    ...(g.by === 'dimensions' ? [{ $unwind: '$key' }] : []),
  ];
  const counts = [
    { $match: { inRange: true } },
    {
      $group: {
        _id: '$key',
        pageviews: count({ $eq: ['$name', 'pageview'] }),
        events: count({ $not: [{ $in: ['$name', NOT_CUSTOM] }] }),
        scroll_sum: { $sum: { $cond: [{ $eq: ['$name', 'engagement'] }, { $ifNull: ['$scrollDepth', 0] }, 0] } },
        scroll_n: count({ $and: [{ $eq: ['$name', 'engagement'] }, { $ne: [{ $ifNull: ['$scrollDepth', null] }, null] }] }),
        ...(revenue ? { revenue: { $sum: revenue } } : {}),
      },
    },
  ];
  // Visitors are distinct per local day (per hour in an hourly series), then summed.
  const visitors = [
    { $match: { inRange: true, active: true } },
    { $group: { _id: { k: '$key', u: { $dateToString: { date: '$lts', format: unit } }, v: '$visitor' } } },
    { $group: { _id: '$_id.k', visitors: { $sum: 1 } } },
  ];
  // Visits that start in the period and have a matching event (then or later), under the keys of
  // those events, or in a time series, their start's bucket.
  const visits = [
    { $match: { active: true, 's.start': { $gte: start, $lt: end } } },
    { $group: { _id: { k: visitKey, s: '$session' }, pv: { $first: '$s.pv' }, customs: { $first: '$s.customs' }, dur: { $first: '$s.dur' } } },
    {
      $group: {
        _id: '$_id.k',
        visits: { $sum: 1 },
        bounces: count({ $and: [{ $eq: ['$pv', 1] }, { $eq: ['$customs', 0] }] }),
        visit_pageviews: { $sum: '$pv' },
        duration: { $sum: '$dur' },
      },
    },
  ];
  // The three groupings read the same events; $unionWith (not $facet, whose one output document
  // is capped at 16 MB) streams the rows of each, and a last grouping adds them up per key.
  return [
    ...keyed,
    ...counts,
    { $unionWith: { coll: source.coll, pipeline: [...keyed, ...visitors] } },
    { $unionWith: { coll: source.coll, pipeline: [...keyed, ...visits] } },
    { $group: { _id: '$_id', ...Object.fromEntries([...SUMS, ...(revenue ? ['revenue'] : [])].map((m) => [m, { $sum: `$${m}` }])) } },
  ];
}

/** The rows of statsPipeline's one document. */
export function rowsOf(spec: StatsSpec, docs: readonly Doc[]): StatsRow[] {
  const [doc] = docs as { rows: Doc[]; total: { n: number }[] }[];
  const total = doc?.total[0]?.n ?? 0;
  return (doc?.rows ?? []).map(({ _id, ...sums }) => ({
    key: _id as string,
    ...(Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, Number(v)])) as Omit<StatsRow, 'key'>),
    ...(spec.group.by === 'dimension' ? { total } : {}),
  }));
}

/** Whether an event (`$$e`) completes a goal or a funnel step. */
function stepMatches(step: { kind: 'page' | 'event'; match: string }, e: string): Doc {
  return step.kind === 'page'
    ? { $and: [{ $eq: [`${e}.name`, 'pageview'] }, { $regexMatch: { input: { $ifNull: [`${e}.pathname`, ''] }, regex: globRegex(step.match), options: 's' } }] }
    : { $eq: [`${e}.name`, { $literal: step.match }] };
}

/**
 * A funnel (as stats-sql's funnelSql): of the visits the period counts (they start in it and have
 * an active event passing the filters), how many completed step 1, then step 2 after it, and so
 * on, each step taking the earliest event after the previous step's. One document: `visits`,
 * `step1` … `stepN`.
 */
export function funnelPipeline(spec: StatsSpec, steps: readonly { kind: 'page' | 'event'; match: string }[]): Doc[] {
  // Walks the visit's events in order, moving to the next step at each event that completes it.
  const reached = {
    $reduce: {
      input: '$all',
      initialValue: 0,
      in: {
        $let: {
          vars: { e: '$$this', k: '$$value' },
          in: { $switch: { branches: steps.map((step, i) => ({ case: { $and: [{ $eq: ['$$k', i] }, stepMatches(step, '$$e')] }, then: i + 1 })), default: '$$k' } },
        },
      },
    },
  };
  return [
    ...visitStages(spec),
    { $set: { all: '$ev' } },
    ...eventStages(spec).slice(visitStages(spec).length).map((stage) => ('$replaceWith' in stage ? { $replaceWith: { $mergeObjects: ['$ev', { s: '$s', all: '$all' }] } } : stage)),
    { $match: { active: true, 's.start': { $gte: new Date(spec.startUtc), $lt: new Date(spec.endUtc) } } },
    { $group: { _id: '$session', all: { $first: '$all' } } },
    { $set: { k: reached } },
    { $group: { _id: null, visits: { $sum: 1 }, ...Object.fromEntries(steps.map((_, i) => [`step${i + 1}`, { $sum: { $cond: [{ $gte: ['$k', i + 1] }, 1, 0] } }])) } },
  ];
}

/**
 * Web Vitals reports of the period that pass the filters: one document with `all` (every value
 * per metric), `pages` (the page of pages, most reports first) with their values per metric, and
 * `total` (pages with reports). p75 is computed from the values (vitalsOf), as MongoDB's own
 * $percentile is approximate.
 */
export function vitalsPipeline(spec: StatsSpec, limit: number, offset: number): Doc[] {
  return [
    ...eventStages(spec),
    { $match: { inRange: true, name: 'vital' } },
    { $set: { metric: propText('metric'), value: { $convert: { input: propText('value'), to: 'double', onError: null, onNull: null } } } },
    { $match: { metric: { $in: [...VITALS] }, value: { $ne: null } } },
    {
      $facet: {
        all: [{ $group: { _id: '$metric', values: { $push: '$value' } } }],
        pages: [
          { $group: { _id: { page: '$pathname', metric: '$metric' }, values: { $push: '$value' } } },
          { $group: { _id: '$_id.page', n: { $sum: { $size: '$values' } }, metrics: { $push: { metric: '$_id.metric', values: '$values' } } } },
          { $sort: { n: -1, _id: 1 } },
          { $skip: offset },
          { $limit: limit },
        ],
        total: [{ $group: { _id: '$pathname' } }, { $count: 'n' }],
      },
    },
  ];
}

/** The 75th percentile with linear interpolation between the closest ranks (as DuckDB's quantile_cont). */
function p75(values: readonly number[]): number {
  const a = [...values].sort((x, y) => x - y);
  const pos = (a.length - 1) * 0.75;
  const lo = Math.floor(pos);
  return a[lo]! + (a[Math.ceil(pos)]! - a[lo]!) * (pos - lo);
}

/** VitalRows from vitalsPipeline's one document. */
export function vitalsOf(docs: readonly Doc[]): VitalRow[] {
  const [doc] = docs as { all: { _id: string; values: number[] }[]; pages: { _id: string; metrics: { metric: string; values: number[] }[] }[]; total: { n: number }[] }[];
  if (!doc) return [];
  const total = doc.total[0]?.n ?? 0;
  return [
    ...doc.all.map((m) => ({ page: '', total, metric: m._id, p75: p75(m.values), n: m.values.length })),
    ...doc.pages.flatMap((p) => p.metrics.map((m) => ({ page: p._id, total, metric: m.metric, p75: p75(m.values), n: m.values.length }))),
  ];
}
