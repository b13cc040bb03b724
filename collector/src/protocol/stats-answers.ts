/**
 * The shapes the stats API answers (docs/api/stats.md): StatsService returns them, so the
 * compiler keeps them true; widgets and plugins import them as types only.
 */
import type { Dimension, FilterDimension, Metrics, Vital } from './query.ts';

export interface Period {
  /** First and last local day, both included (YYYY-MM-DD). */
  from: string;
  to: string;
  timezone: string;
}

export type Change = Record<keyof Metrics, number | null>;

export interface SummaryAnswer {
  period: Period;
  metrics: Metrics;
  comparison?: { period: Period; metrics: Metrics; change: Change };
}

export type SeriesPoint = { bucket: string } & Metrics;

export interface TimeseriesAnswer {
  period: Period;
  interval: 'hour' | 'day' | 'week' | 'month';
  series: SeriesPoint[];
  comparison?: { period: Period; series: SeriesPoint[] };
}

export type BreakdownRow = { value: string } & Metrics;

export interface BreakdownAnswer {
  period: Period;
  dimension: Dimension | FilterDimension;
  page: number;
  limit: number;
  /** Values in all (for paging). */
  total: number;
  rows: BreakdownRow[];
  comparison?: { period: Period; rows: BreakdownRow[] };
}

export interface DashboardAnswer {
  summary?: SummaryAnswer;
  timeseries?: TimeseriesAnswer;
  breakdowns: Record<string, BreakdownAnswer>;
}

export interface GoalRow {
  id: string;
  name: string;
  kind: 'page' | 'event';
  match: string;
  visitors: number;
  conversions: number;
  completions: number;
  /** Converted visitors ÷ visitors, %. */
  conversion_rate: number;
  /**
   * For a revenue goal: the sum of its revenue prop. For a goal that names a currency prop, only
   * when its events had one currency in the period (then in `currency`); see `revenues`.
   */
  revenue?: number;
  /** The ISO 4217 code of `revenue`, for a goal with a currency prop; null: events without one. */
  currency?: string | null;
  /** For a goal with a currency prop: its revenue per currency, largest first; never added up. */
  revenues?: CurrencyAmount[];
}

/** An amount of money in one currency (`null`: events that named no currency). */
export interface CurrencyAmount {
  currency: string | null;
  amount: number;
}

export interface GoalsAnswer {
  period: Period;
  visitors: number;
  goals: GoalRow[];
}

export interface FunnelAnswer {
  period: Period;
  visits: number;
  steps: { name: string; kind: 'page' | 'event'; match: string; visits: number; conversion_rate: number; dropoff: number; dropoff_rate: number }[];
}

export type VitalsOf = Record<Vital, { p75: number; n: number } | null>;

export interface VitalsAnswer {
  period: Period;
  page: number;
  limit: number;
  total: number;
  overall: VitalsOf;
  pages: ({ page: string; reports: number } & VitalsOf)[];
}

export interface RealtimeAnswer {
  /** ISO time the numbers reach back to (5 minutes). */
  since: string;
  visitors: number;
  pageviews: number;
  pages: { page: string; visitors: number }[];
  recent: { ts: number; name: string; page: string; country: string | null; source: string | null; device: string }[];
}
