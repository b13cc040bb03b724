/**
 * A metric over the period, by hour, day, week or month, as a line, with the comparison period
 * dashed behind it. Screen readers get a summary (total, peak) and a table of every point. The
 * chart (ECharts) is loaded and drawn when the element first comes into view.
 *
 * @summary `<cairn-timeseries api="…" site="…" token="…" metric="visitors" period="30d" compare="previous">`
 * @attr metric - visitors (default), visits, pageviews, events, views_per_visit, bounce_rate, visit_duration, scroll_depth
 * @attr interval - hour, day, week or month (unset: hour for a day, month for 12mo, else day)
 * @attr heading - overrides the metric's name as the heading
 * @attr level - the heading's level in the host page's outline (2)
 * @csspart chart - the chart's box (its height: `--cairn-chart-height`)
 * @csspart legend - the periods' names, when comparing
 * @cssproperty --cairn-chart-height - the chart's height (220px)
 * @cssproperty --cairn-accent, --cairn-muted, --cairn-border, --cairn-text, --cairn-bg, --cairn-font - what the chart is drawn with (see core/styles.ts); read again when `theme` changes
 */
import { css, html, type PropertyValues } from 'lit';
import type { EChartsType } from 'echarts/core';
import type { Metric, SeriesPoint, TimeseriesAnswer } from '@cairn/collector/protocol';
import type { CairnApi, StatsQuery } from '../core/api.ts';
import { HeadedElement } from '../core/cairn-element.ts';
import { formatMetric, formatNumber, METRIC_LABELS } from '../core/format.ts';
import { theme } from '../core/styles.ts';

type MetricName = Metric | 'scroll_depth';
type Interval = TimeseriesAnswer['interval'];

/** Metrics whose buckets add up to the period's value. */
const SUMS = new Set<MetricName>(['visitors', 'visits', 'pageviews', 'events']);
const UNIT: Record<Interval, string> = { hour: 'Hour', day: 'Day', week: 'Week', month: 'Month' };

// Buckets are the site's local times already: formatted in UTC, they read as they are.
const dates = (o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', ...o });
const HOUR = dates({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const DAY = dates({ month: 'short', day: 'numeric' });
const DAY_HOUR = dates({ month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const MONTH = dates({ month: 'short', year: 'numeric' });
const FULL = dates({ month: 'short', day: 'numeric', year: 'numeric' });

const utc = (bucket: string) => {
  const [y, m, d, h] = bucket.split(/[-T:]/).map(Number);
  return new Date(Date.UTC(y!, (m ?? 1) - 1, d ?? 1, h ?? 0));
};

/** A bucket as people read it: "14:00", "Nov 3", "Nov 2026"; `long` adds what a lone label needs ("Nov 3, 14:00", "Week of Nov 3"). */
export function bucketLabel(bucket: string, interval: Interval, long = false): string {
  const at = utc(bucket);
  if (interval === 'hour') return (long ? DAY_HOUR : HOUR).format(at);
  if (interval === 'month') return MONTH.format(at);
  return `${long && interval === 'week' ? 'Week of ' : ''}${DAY.format(at)}`;
}

/** "Nov 3 – Dec 2, 2026". */
export const periodLabel = (p: { from: string; to: string }) => FULL.formatRange(utc(p.from), utc(p.to));

export class CairnTimeSeries extends HeadedElement<TimeseriesAnswer> {
  static override properties = { ...HeadedElement.properties, metric: { type: String }, interval: { type: String } };
  static override styles = [
    theme,
    css`
      .plot {
        position: relative;
        height: var(--cairn-chart-height, 220px);
      }
      .chart {
        position: absolute;
        inset: 0;
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 16px;
        margin: 8px 0 0;
        padding: 0;
        list-style: none;
        color: var(--_muted);
        font-size: 0.86em;
      }
      .legend li::before {
        content: '';
        display: inline-block;
        width: 16px;
        margin-right: 6px;
        vertical-align: middle;
        border-top: 2px solid var(--_accent);
      }
      .legend li.previous::before {
        border-top: 2px dashed var(--_muted);
      }
    `,
  ];

  #chart: EChartsType | null = null;
  /** Set once the element has come into view: nothing is drawn before. */
  #visible = false;
  #seen: IntersectionObserver | null = null;
  #resized: ResizeObserver | null = null;
  #scheme: MediaQueryList | null = null;

  /** `theme="auto"`: the system switched between light and dark. */
  #schemeChanged = () => {
    if (this.theme === 'auto') void this.#draw();
  };

  declare metric: MetricName;
  declare interval: Interval | null;

  constructor() {
    super();
    this.metric = 'visitors';
    this.interval = null;
  }

  /** The ECharts instance while the chart is drawn (null before it first shows, and once removed). */
  get chart(): EChartsType | null {
    return this.#chart;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#seen = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      this.#seen?.disconnect();
      this.#visible = true;
      void this.#draw();
    });
    this.#seen.observe(this);
    this.#scheme = matchMedia('(prefers-color-scheme: dark)');
    this.#scheme.addEventListener('change', this.#schemeChanged);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#seen?.disconnect();
    this.#resized?.disconnect();
    this.#scheme?.removeEventListener('change', this.#schemeChanged);
    this.#chart?.dispose();
    this.#chart = null;
    this.#visible = false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (this.data === undefined && this.site && changed.has('interval') && !changed.has('site')) void this.reload();
    // The series hold every metric: another one is drawn, not fetched.
    const a = this.answer;
    if (changed.has('metric') && a && (this.state === 'ready' || this.state === 'empty')) this.state = this.isEmpty(a) ? 'empty' : 'ready';
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('state') || changed.has('data') || changed.has('metric') || changed.has('theme')) void this.#draw();
  }

  protected override query(): StatsQuery {
    return { ...super.query(), interval: this.interval ?? undefined };
  }

  protected override load(api: CairnApi, query: StatsQuery, signal: AbortSignal) {
    return api.stats<TimeseriesAnswer>('timeseries', query, signal);
  }

  protected override isEmpty(a: TimeseriesAnswer) {
    const none = (s: SeriesPoint[] | undefined) => (s ?? []).every((p) => !p[this.metric]);
    return none(a.series) && none(a.comparison?.series);
  }

  #earlier(): string {
    return this.compare === 'year' ? 'a year earlier' : 'previous period';
  }

  #value(p: SeriesPoint | undefined): number | null {
    return p ? (p[this.metric] ?? null) : null;
  }

  /** A value exactly, as the table and the summary say it. */
  #exact(v: number | null): string {
    return v !== null && SUMS.has(this.metric) ? formatNumber(v, true) : formatMetric(this.metric, v);
  }

  /** What the chart shows, in one sentence: the image's accessible name. */
  #summary(a: TimeseriesAnswer, name: string): string {
    const part = (series: SeriesPoint[], period: { from: string; to: string }) => {
      const values = series.map((p) => this.#value(p) ?? 0);
      const peak = values.indexOf(Math.max(...values));
      const total = SUMS.has(this.metric) ? `${this.#exact(values.reduce((s, v) => s + v, 0))} in total, ` : '';
      return `${periodLabel(period)}: ${total}highest ${this.#exact(values[peak] ?? null)} (${bucketLabel(series[peak]?.bucket ?? period.from, a.interval, true)})`;
    };
    const previous = a.comparison ? `; ${this.#earlier()}, ${part(a.comparison.series, a.comparison.period)}` : '';
    return `${name} by ${a.interval}, ${part(a.series, a.period)}${previous}.`;
  }

  async #draw(): Promise<void> {
    const a = this.answer;
    if (!this.#visible || this.state !== 'ready' || !a) return;
    const { chartTheme, createChart, lineOption } = await import('../core/chart.ts');
    const box = this.renderRoot.querySelector<HTMLElement>('.chart');
    // Removed, hidden again or reloading while ECharts loaded.
    if (!this.#visible || this.state !== 'ready' || !box || this.answer !== a) return;
    if (!this.#chart) {
      this.#chart = createChart(box);
      this.#resized = new ResizeObserver(() => {
        if (box.clientWidth > 0) this.#chart?.resize();
      });
      this.#resized.observe(box);
    }
    const name = METRIC_LABELS[this.metric] ?? this.metric;
    this.#chart.setOption(
      lineOption({
        labels: a.series.map((p) => bucketLabel(p.bucket, a.interval)),
        series: [
          { name: periodLabel(a.period), values: a.series.map((p) => this.#value(p)) },
          ...(a.comparison ? [{ name: periodLabel(a.comparison.period), values: a.comparison.series.map((p) => this.#value(p)), dashed: true }] : []),
        ],
        theme: chartTheme(this),
        format: (v) => formatMetric(this.metric, v),
        tooltip: (i) => {
          const now = a.series[i];
          const then = a.comparison?.series[i];
          return [
            now ? `${bucketLabel(now.bucket, a.interval, true)}: ${this.#exact(this.#value(now))} ${name.toLowerCase()}` : '',
            then ? `${bucketLabel(then.bucket, a.interval, true)}: ${this.#exact(this.#value(then))}` : '',
          ].filter(Boolean);
        },
        animate: !matchMedia('(prefers-reduced-motion: reduce)').matches,
      }),
      { notMerge: true },
    );
  }

  override render() {
    const name = METRIC_LABELS[this.metric] ?? this.metric;
    const a = this.state === 'ready' ? this.answer : undefined;
    const then = a?.comparison?.series;
    return html`${this.renderHeading(name)}
      ${this.renderState(
        // The box is hidden, not the table: a table ignores overflow and height, and would scroll the page.
        () => html`<div class="sr-only"><table aria-labelledby="heading">
          <thead>
            <tr>
              <th scope="col">${UNIT[a!.interval]}</th>
              <th scope="col">${name}</th>
              ${then ? html`<th scope="col">${UNIT[a!.interval]}, ${this.#earlier()}</th><th scope="col">${name}, ${this.#earlier()}</th>` : null}
            </tr>
          </thead>
          <tbody>
            ${a!.series.map(
              (p, i) => html`<tr>
                <th scope="row"><time datetime=${p.bucket}>${bucketLabel(p.bucket, a!.interval, true)}</time></th>
                <td>${this.#exact(this.#value(p))}</td>
                ${then ? html`<td><time datetime=${then[i]?.bucket ?? ''}>${then[i] ? bucketLabel(then[i].bucket, a!.interval, true) : ''}</time></td><td>${this.#exact(this.#value(then[i]))}</td>` : null}
              </tr>`,
            )}
          </tbody>
        </table></div>`,
      )}
      <div class="plot" ?hidden=${!a}>
        <div class="chart" part="chart" role="img" aria-label=${a ? this.#summary(a, name) : name}></div>
      </div>
      ${a?.comparison
        ? html`<ul class="legend" part="legend">
            <li>${periodLabel(a.period)}</li>
            <li class="previous">${periodLabel(a.comparison.period)} (${this.#earlier()})</li>
          </ul>`
        : null}`;
  }
}

if (!customElements.get('cairn-timeseries')) customElements.define('cairn-timeseries', CairnTimeSeries);

declare global {
  interface HTMLElementTagNameMap {
    'cairn-timeseries': CairnTimeSeries;
  }
}
