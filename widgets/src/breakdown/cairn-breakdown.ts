/**
 * The values of one dimension (pages, sources, countries…), most visitors first, each with a bar;
 * activating a value asks to filter by it.
 *
 * @summary `<cairn-breakdown api="…" site="…" token="…" dimension="pages" period="30d" limit="10">`
 * @attr dimension - page, entry_page, exit_page, source, referrer, utm_*, country, device, browser, os, event, prop:<key> (or pages, sources, countries…)
 * @attr metric - the column shown and sorted by: visitors (default), visits, pageviews, events
 * @attr metric-label - the column's heading, when the metric counts something more particular ("Orders" for events that are orders)
 * @attr limit - values shown (10); "Show more" adds as many
 * @attr level - the heading's level in the host page's outline (2)
 * @event cairn-filter-change - the user chose a value: `event.filters` is the filters with it
 * @csspart table, row, bar, value
 */
import { css, html } from 'lit';
import type { BreakdownAnswer, Metric } from '@cairn/collector/protocol';
import type { CairnApi, StatsQuery } from '../core/api.ts';
import { HeadedElement } from '../core/cairn-element.ts';
import { CairnFilterChangeEvent } from '../core/events.ts';
import { dimensionLabel, formatNumber, METRIC_LABELS, valueLabel } from '../core/format.ts';
import { figureTable, theme } from '../core/styles.ts';

/** Friendlier names the `dimension` attribute also takes. */
const ALIASES: Record<string, string> = {
  pages: 'page',
  'entry-pages': 'entry_page',
  'exit-pages': 'exit_page',
  sources: 'source',
  referrers: 'referrer',
  countries: 'country',
  devices: 'device',
  browsers: 'browser',
  'operating-systems': 'os',
  events: 'event',
  campaigns: 'utm_campaign',
};

export const canonicalDimension = (d: string) => ALIASES[d] ?? d;

export class CairnBreakdown extends HeadedElement<BreakdownAnswer> {
  static override properties = { ...HeadedElement.properties, dimension: { type: String }, metric: { type: String }, metricLabel: { type: String, attribute: 'metric-label' }, limit: { type: Number } };
  static override styles = [
    theme,
    figureTable,
    css`
      th,
      td {
        padding-top: 0;
        padding-bottom: 0;
      }
      thead th {
        padding-bottom: 6px;
      }
      thead th + th,
      td {
        width: 6em;
      }
      tbody tr + tr th,
      tbody tr + tr td {
        padding-top: 4px;
      }
      .value {
        display: block;
        width: 100%;
        text-align: left;
        border: 0;
        border-radius: 4px;
        padding: 4px 8px;
        cursor: pointer;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        max-width: 0;
        min-width: 100%;
        background: linear-gradient(to right, var(--_accent-soft) var(--share), transparent var(--share));
      }
      .value:hover {
        text-decoration: underline;
      }
      .more {
        margin-top: 8px;
        background: none;
        border: 1px solid var(--_border);
        border-radius: 4px;
        padding: 4px 10px;
        cursor: pointer;
      }
    `,
  ];

  declare dimension: string;
  declare metric: Metric;
  /** Overrides the metric column's heading. */
  declare metricLabel: string | null;
  declare limit: number;

  constructor() {
    super();
    this.dimension = 'page';
    this.metric = 'visitors';
    this.metricLabel = null;
    this.limit = 10;
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    super.willUpdate(changed as never);
    if (this.data === undefined && this.site && (changed.has('dimension') || changed.has('metric') || changed.has('limit')) && !changed.has('site')) void this.reload();
  }

  protected override load(api: CairnApi, query: StatsQuery, signal: AbortSignal) {
    const d = canonicalDimension(this.dimension);
    return api.stats<BreakdownAnswer>(`breakdown/${encodeURIComponent(d)}`, { ...query, limit: this.limit, sort: this.metric }, signal);
  }

  protected override isEmpty(a: BreakdownAnswer) {
    return a.rows.length === 0;
  }

  #choose(value: string) {
    const dimension = canonicalDimension(this.dimension) as BreakdownAnswer['dimension'];
    const rest = this.filters.filter((f) => f.dimension !== dimension);
    this.dispatchEvent(new CairnFilterChangeEvent([...rest, { dimension, op: 'is', values: [value] }]));
  }

  override render() {
    const d = canonicalDimension(this.dimension);
    const heading = this.heading ?? dimensionLabel(d);
    return html`${this.renderHeading(heading)}
      ${this.renderState(() => {
        const a = this.answer!;
        const top = Math.max(1, ...a.rows.map((r) => r[this.metric] as number));
        return html`<table part="table" aria-labelledby="heading">
            <thead>
              <tr>
                <th scope="col"><span class="sr-only">${heading}</span></th>
                <th scope="col">${this.metricLabel || METRIC_LABELS[this.metric]}</th>
              </tr>
            </thead>
            <tbody>
              ${a.rows.map((r) => {
                const n = r[this.metric] as number;
                const label = valueLabel(d, r.value);
                return html`<tr part="row">
                  <th scope="row">
                    <button type="button" class="value" part="value bar" style="--share:${((n / top) * 100).toFixed(1)}%" title=${`Filter by ${label}`} @click=${() => this.#choose(r.value)}>
                      ${label}
                    </button>
                  </th>
                  <td>${formatNumber(n)}</td>
                </tr>`;
              })}
            </tbody>
          </table>
          ${a.total > a.rows.length && this.data === undefined
            ? html`<button type="button" class="more" @click=${() => (this.limit += 10)}>Show more (${formatNumber(a.total - a.rows.length, true)} left)</button>`
            : null}`;
      })}`;
  }
}

if (!customElements.get('cairn-breakdown')) customElements.define('cairn-breakdown', CairnBreakdown);

declare global {
  interface HTMLElementTagNameMap {
    'cairn-breakdown': CairnBreakdown;
  }
}
