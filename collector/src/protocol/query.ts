/**
 * The stats query model (ARCHITECTURE.md §5): one model for the stats API, the widgets, email
 * reports and exports. Periods are read in the site's time zone. Widgets import the types.
 */
import { z } from 'zod';

export const PERIODS = ['today', 'day', '7d', '30d', 'month', '12mo', 'custom'] as const;
export const INTERVALS = ['hour', 'day', 'week', 'month'] as const;

/** Dimensions an event or its visit can be filtered and broken down by. */
export const DIMENSIONS = [
  'page',
  'entry_page',
  'exit_page',
  'source',
  'referrer',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'country',
  'device',
  'browser',
  'os',
  'event',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** A dimension, or `prop:<key>` for a custom event prop. */
const dimension = z.union([z.enum(DIMENSIONS), z.string().regex(/^prop:[^\p{Cc}]{1,64}$/u, 'prop:<key>')], {
  error: `one of ${DIMENSIONS.join(', ')}, or prop:<key>`,
});
export type FilterDimension = Dimension | `prop:${string}`;

export const METRICS = ['visitors', 'visits', 'pageviews', 'views_per_visit', 'bounce_rate', 'visit_duration', 'events'] as const;
export type Metric = (typeof METRICS)[number];

const isoDate = z.iso.date({ error: 'a date as YYYY-MM-DD' });

export const filterSchema = z.strictObject({
  dimension,
  /** `matches`: a pattern where `*` stands for any characters (`/blog/*`). */
  op: z.enum(['is', 'is_not', 'contains', 'matches']),
  values: z.array(z.string().max(2048)).min(1).max(20),
});
export type Filter = Omit<z.infer<typeof filterSchema>, 'dimension'> & { dimension: FilterDimension };

export const querySchema = z
  .strictObject({
    period: z.enum(PERIODS).default('30d'),
    /** The day a period ends on (or lies in, for `month`); today in the site's time zone by default. */
    date: isoDate.optional(),
    /** First and last day of a `custom` period, both included. */
    from: isoDate.optional(),
    to: isoDate.optional(),
    interval: z.enum(INTERVALS).optional(),
    compare: z.enum(['previous', 'year']).optional(),
    filters: z.array(filterSchema).max(10).default([]),
    limit: z.coerce.number().int().min(1).max(1000).default(10),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    sort: z.enum(METRICS).default('visitors'),
  })
  .refine((q) => q.period !== 'custom' || (q.from && q.to && q.from <= q.to), {
    message: 'a custom period needs from and to (YYYY-MM-DD), from <= to',
    path: ['from'],
  });
export type Query = Omit<z.infer<typeof querySchema>, 'filters'> & { filters: Filter[] };

/** A goal: visiting pages that match a pattern, or sending a custom event; optionally worth the value of a prop. */
export const goalSchema = z.strictObject({
  name: z.string().trim().min(1, 'empty: leave it out for the default name').max(120, 'at most 120 characters').optional(),
  kind: z.enum(['page', 'event'], 'page (a page visited) or event (a custom event sent)'),
  /** For a page goal, a path pattern (`*` stands for any characters); for an event goal, its name. */
  match: z
    .string('a page goal needs a path (e.g. /thanks), an event goal the event\'s name')
    .trim()
    .min(1, 'a page goal needs a path (e.g. /thanks), an event goal the event\'s name')
    .max(2048, 'at most 2,048 characters'),
  /** A numeric prop of the goal's events to sum as revenue (e.g. `amount`). */
  revenue: z.string().trim().min(1, 'empty: leave it out, or name the prop holding the amount').max(64, 'at most 64 characters').optional(),
  /**
   * With `revenue`: the prop naming each event's currency (an ISO 4217 code, e.g. `currency`).
   * Revenue is then summed per currency, never across currencies.
   */
  currency: z.string().trim().min(1, 'empty: leave it out, or name the prop holding the currency').max(64, 'at most 64 characters').optional(),
});
export type GoalInput = z.infer<typeof goalSchema>;
export interface Goal extends GoalInput {
  id: string;
  name: string;
}

/** Steps of a funnel: each a page pattern or an event name, in order. */
export const funnelSchema = z.array(goalSchema.pick({ kind: true, match: true, name: true })).min(2).max(8);
export type FunnelStep = z.infer<typeof funnelSchema>[number];

/** The Web Vitals the tracker's t-v.js reports (CLS unitless, the others in ms). */
export const VITALS = ['LCP', 'INP', 'CLS', 'FCP', 'TTFB'] as const;
export type Vital = (typeof VITALS)[number];

/** Metrics of a set of events (ARCHITECTURE.md §5; definitions in docs/api/stats.md). */
export interface Metrics {
  /** Distinct visitors per day, summed over the days of the period (visitor ids change daily). */
  visitors: number;
  visits: number;
  pageviews: number;
  /** Custom events. */
  events: number;
  /** Pageviews per visit. */
  views_per_visit: number;
  /** Percentage of visits with one pageview and no custom event. */
  bounce_rate: number;
  /** Average engaged time per visit, seconds. */
  visit_duration: number;
  /** Average of the deepest scroll (%) each page view reached; null without engagement reports. */
  scroll_depth: number | null;
}
