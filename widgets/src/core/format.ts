/** How numbers, durations, changes and dimension values read on screen. */
import type { Metric } from '@cairn/collector/protocol';

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat();

/** 1234 → "1.2K" (compact), or "1,234" (exact, for tables and screen readers). */
export const formatNumber = (n: number, exact = false) => (exact || Math.abs(n) < 10_000 ? whole.format(n) : compact.format(n));

/** Seconds → "2m 05s", "1h 02m", "45s". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A metric's value as shown. */
export function formatMetric(metric: Metric | 'scroll_depth', value: number | null): string {
  if (value === null) return '–';
  if (metric === 'bounce_rate' || metric === 'scroll_depth') return `${value}%`;
  if (metric === 'visit_duration') return formatDuration(value);
  if (metric === 'views_per_visit') return value.toFixed(2);
  return formatNumber(value);
}

export const METRIC_LABELS: Record<Metric | 'scroll_depth', string> = {
  visitors: 'Visitors',
  visits: 'Visits',
  pageviews: 'Pageviews',
  events: 'Events',
  views_per_visit: 'Views per visit',
  bounce_rate: 'Bounce rate',
  visit_duration: 'Visit duration',
  scroll_depth: 'Scroll depth',
};

/** Metrics where lower is better (a fall is good news). */
export const LOWER_IS_BETTER = new Set(['bounce_rate']);

export const DIMENSION_LABELS: Record<string, string> = {
  page: 'Pages',
  entry_page: 'Entry pages',
  exit_page: 'Exit pages',
  source: 'Sources',
  referrer: 'Referrers',
  utm_source: 'UTM sources',
  utm_medium: 'UTM mediums',
  utm_campaign: 'UTM campaigns',
  utm_term: 'UTM terms',
  utm_content: 'UTM contents',
  country: 'Countries',
  device: 'Devices',
  browser: 'Browsers',
  os: 'Operating systems',
  event: 'Events',
};

export const dimensionLabel = (d: string) => DIMENSION_LABELS[d] ?? (d.startsWith('prop:') ? `Property “${d.slice(5)}”` : d);

/** One value's dimension, as a filter names it: "Country is Germany". */
const DIMENSION_SINGULAR: Record<string, string> = {
  page: 'Page',
  entry_page: 'Entry page',
  exit_page: 'Exit page',
  source: 'Source',
  referrer: 'Referrer',
  utm_source: 'UTM source',
  utm_medium: 'UTM medium',
  utm_campaign: 'UTM campaign',
  utm_term: 'UTM term',
  utm_content: 'UTM content',
  country: 'Country',
  device: 'Device',
  browser: 'Browser',
  os: 'Operating system',
  event: 'Event',
};

export const filterDimensionLabel = (d: string) => DIMENSION_SINGULAR[d] ?? dimensionLabel(d);

const regions = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(undefined, { type: 'region' }) : null;

/** A dimension value as shown: country codes by name, "(none)" as such. */
export function valueLabel(dimension: string, value: string): string {
  if (dimension === 'country' && /^[A-Z]{2}$/.test(value)) {
    try {
      return regions?.of(value) ?? value;
    } catch {
      return value;
    }
  }
  return value;
}
