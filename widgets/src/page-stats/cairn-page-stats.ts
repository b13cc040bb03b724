/**
 * One page's numbers, for a post's side panel in a CMS editor: visitors, pageviews, average visit
 * duration and scroll depth (when the page sends engagement reports), each with its change
 * against the previous period, and the page's top sources. One request; fits a 280 px panel.
 *
 * @summary `<cairn-page-stats api="…" site="…" token="…" path="/blog/hello" period="30d">`
 * @attr path - the page's path, as the tracker records it (`/blog/hello`); a change reloads
 * @attr compare - previous (default) or year; the change shown beside each number
 * @attr heading - overrides the heading ("This page")
 * @attr level - the heading's level in the host page's outline (2); "Top sources" is one below
 * @attr theme - light (default), dark, or auto (follows the system)
 * @csspart metrics - the list of numbers
 * @csspart value - a number
 * @csspart change - a number's change in percent
 * @csspart sources - the top sources table
 * @csspart bar - a source's bar, as long as its visitors relative to the first
 * @csspart state - the loading, empty and error messages
 * @cssproperty --cairn-accent-soft - the bars' colour
 * @cssproperty --cairn-good, --cairn-bad, --cairn-text, --cairn-muted, --cairn-border - colours (see core/styles.ts)
 */
import { css, html } from 'lit';
import type { DashboardAnswer } from '@cairn/collector/protocol';
import type { CairnApi, StatsQuery } from '../core/api.ts';
import { HeadedElement } from '../core/cairn-element.ts';
import { formatMetric, formatNumber, LOWER_IS_BETTER, METRIC_LABELS, valueLabel } from '../core/format.ts';
import { figureTable, theme } from '../core/styles.ts';

type Shown = 'visitors' | 'pageviews' | 'visit_duration' | 'scroll_depth';

export class CairnPageStats extends HeadedElement<DashboardAnswer> {
  static override properties = { ...HeadedElement.properties, path: { type: String } };
  static override styles = [
    theme,
    figureTable,
    css`
      .heading {
        font-weight: 600;
        margin: 0;
        overflow-wrap: anywhere;
      }
      .path {
        font-size: 0.86em;
        margin: 0 0 10px;
        overflow-wrap: anywhere;
      }
      dl {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(110px, 1fr));
        gap: 10px 12px;
        margin: 0 0 14px;
      }
      .note {
        font-size: 0.86em;
        margin: -6px 0 14px;
      }
      dt {
        color: var(--_muted);
        font-size: 0.86em;
      }
      dd {
        margin: 0;
        font-variant-numeric: tabular-nums;
      }
      .value {
        display: block;
        font-size: 1.35em;
        font-weight: 650;
        line-height: 1.2;
      }
      .change {
        font-size: 0.82em;
      }
      .good {
        color: var(--_good);
      }
      .bad {
        color: var(--_bad);
      }
      .sub {
        font-weight: 600;
        font-size: 0.93em;
        margin: 0 0 6px;
      }
      table {
        table-layout: fixed;
      }
      thead th + th,
      td {
        width: 5.5em;
        padding-left: 8px;
      }
      .source {
        display: block;
        padding: 2px 6px;
        border-radius: 4px;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        background: linear-gradient(to right, var(--_accent-soft) var(--share), transparent var(--share));
      }
    `,
  ];

  /** The page's path. */
  declare path: string;

  constructor() {
    super();
    this.path = '';
    this.compare = 'previous';
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    super.willUpdate(changed as never);
    if (this.data === undefined && this.site && changed.has('path') && !changed.has('site')) void this.reload();
  }

  /** The attributes' query, narrowed to the page (a `page` filter of the host's is replaced). */
  protected override query(): StatsQuery {
    const q = super.query();
    return { ...q, filters: [...this.filters.filter((f) => f.dimension !== 'page'), { dimension: 'page', op: 'is', values: [this.path] }] };
  }

  protected override load(api: CairnApi, query: StatsQuery, signal: AbortSignal) {
    if (!this.path) return Promise.reject(new Error('the path attribute is missing: set it to the page’s path, e.g. /blog/hello'));
    return api.stats<DashboardAnswer>('dashboard', { ...query, breakdowns: 'source', limit: 5 }, signal);
  }

  /** Empty when nobody saw the page, now or in the comparison period (a fall to zero is news). */
  protected override isEmpty(a: DashboardAnswer) {
    return !a.summary || (a.summary.metrics.visitors === 0 && !a.summary.comparison?.metrics.visitors);
  }

  /** What the changes are against, in words. */
  #against(): string {
    return this.compare === 'year' ? 'the same period a year earlier' : 'the previous period';
  }

  #metric(a: DashboardAnswer, m: Shown) {
    const s = a.summary!;
    // null: nothing to compare with (the earlier value was 0), which the note below the numbers says once.
    const change = s.comparison?.change[m] ?? null;
    const good = change !== null && change !== 0 && change > 0 !== LOWER_IS_BETTER.has(m);
    return html`<div>
      <dt>${METRIC_LABELS[m]}</dt>
      <dd>
        <span class="value" part="value">${formatMetric(m, s.metrics[m])}</span>
        ${change === null
          ? null
          : html`<span class="change ${change === 0 ? 'muted' : good ? 'good' : 'bad'}" part="change"
              ><span aria-hidden="true">${change > 0 ? '▲ ' : change < 0 ? '▼ ' : ''}</span>${change > 0 ? '+' : ''}${change}%<span class="sr-only">
                vs ${this.#against()}</span
              ></span
            >`}
      </dd>
    </div>`;
  }

  #content(a: DashboardAnswer) {
    const m = a.summary!.metrics;
    const engaged = m.visit_duration > 0 || m.scroll_depth !== null;
    const shown: Shown[] = ['visitors', 'pageviews', ...(engaged ? (['visit_duration'] as const) : []), ...(m.scroll_depth !== null ? (['scroll_depth'] as const) : [])];
    const before = a.summary!.comparison;
    const sources = a.breakdowns.source?.rows ?? [];
    const top = Math.max(1, ...sources.map((r) => r.visitors));
    return html`<dl part="metrics">${shown.map((k) => this.#metric(a, k))}</dl>
      ${before && before.metrics.visitors === 0 ? html`<p class="note muted">No visits in ${this.#against()} to compare with.</p>` : null}
      <div class="sub" role="heading" aria-level=${this.level + 1} id="sources">Top sources</div>
      ${sources.length === 0
        ? html`<p class="muted">No visits in this period.</p>`
        : html`<table part="sources" aria-labelledby="sources">
            <thead>
              <tr>
                <th scope="col"><span class="sr-only">Source</span></th>
                <th scope="col">Visitors</th>
              </tr>
            </thead>
            <tbody>
              ${sources.map(
                (r) => html`<tr>
                  <th scope="row"><span class="source" part="bar" style="--share:${((r.visitors / top) * 100).toFixed(1)}%" title=${valueLabel('source', r.value)}>${valueLabel('source', r.value)}</span></th>
                  <td>${formatNumber(r.visitors)}</td>
                </tr>`,
              )}
            </tbody>
          </table>`}`;
  }

  override render() {
    return html`${this.renderHeading('This page')}
      <p class="path muted">${this.path}</p>
      ${this.renderState(() => this.#content(this.answer!), `No visits to ${this.path} in this period yet.`)}`;
  }
}

if (!customElements.get('cairn-page-stats')) customElements.define('cairn-page-stats', CairnPageStats);

declare global {
  interface HTMLElementTagNameMap {
    'cairn-page-stats': CairnPageStats;
  }
}
