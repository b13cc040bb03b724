/**
 * The whole dashboard of a site: period and comparison, the filters in force, headline metrics
 * (choosing the one charted), the time series, breakdowns, goals and the live count. It reads
 * what it shows in one request (`GET dashboard`) and hands each piece to its widget; it asks only
 * for the sections its credentials open.
 *
 * @summary `<cairn-dashboard api="https://stats.example.com" site="…" token="…" period="30d" theme="auto" url-state>`
 * @attr url-state - reflect period, comparison and filters in the page's URL (and read them from it)
 * @attr level - the heading level of its sections in the host page's outline (2)
 * @event cairn-filter-change - the user added or removed a filter: `event.filters`
 * @event cairn-period-change - the user picked a period or comparison
 * @event cairn-empty - it began or stopped showing "no visits recorded yet": `event.empty` (a host can offer an installation check)
 * @event cairn-token-expired - the view token expired: set a fresh `token`, or call `event.retry(token)`
 * @csspart header, metrics, chart, breakdowns, goals, empty
 */
import { html, nothing } from 'lit';
import type { DashboardAnswer, Filter, Metric, Section } from '@cairn/collector/protocol';
import type { CairnApi, StatsQuery } from '../core/api.ts';
import { CairnElement } from '../core/cairn-element.ts';
import { CairnEmptyEvent, CairnFilterChangeEvent, CairnPeriodChangeEvent } from '../core/events.ts';
import { filterDimensionLabel, METRIC_LABELS, valueLabel } from '../core/format.ts';
import { sectionsOf } from '../core/sections.ts';
import { theme } from '../core/styles.ts';
import '../breakdown/cairn-breakdown.ts';
import '../goals/cairn-goals.ts';
import '../metric/cairn-metric.ts';
import '../realtime/cairn-realtime.ts';
import '../timeseries/cairn-timeseries.ts';
import { dashboardStyles } from './dashboard-styles.ts';

const PERIODS: [string, string][] = [
  ['today', 'Today'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
  ['month', 'This month'],
  ['12mo', 'Last 12 months'],
];
const METRICS: Metric[] = ['visitors', 'visits', 'pageviews', 'bounce_rate', 'visit_duration'];
const TRAFFIC = ['page', 'country', 'device', 'browser', 'os'];
const SOURCES = ['source'];

interface Loaded {
  answer: DashboardAnswer;
  sections: Section[];
}

export class CairnDashboard extends CairnElement<Loaded> {
  static override properties = { ...CairnElement.properties, urlState: { type: Boolean, attribute: 'url-state' }, level: { type: Number }, chartMetric: { state: true } };
  static override styles = [theme, dashboardStyles];

  declare urlState: boolean;
  declare level: number;
  declare chartMetric: Metric;

  constructor() {
    super();
    this.urlState = false;
    this.level = 2;
    this.chartMetric = 'visitors';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.urlState) this.#readUrl();
  }

  protected override async load(api: CairnApi, query: StatsQuery, signal: AbortSignal): Promise<Loaded> {
    const sections = await sectionsOf(api, this.site, this.token, signal);
    const dims = [...TRAFFIC, ...(sections.includes('sources') ? SOURCES : [])];
    const answer = await api.stats<DashboardAnswer>('dashboard', { ...query, breakdowns: dims.join(',') }, signal);
    return { answer, sections };
  }

  #readUrl(): void {
    const q = new URLSearchParams(location.search);
    if (q.get('period')) this.period = q.get('period')!;
    if (q.get('compare') === 'previous' || q.get('compare') === 'year') this.compare = q.get('compare') as 'previous';
    try {
      if (q.get('filters')) this.filters = JSON.parse(q.get('filters')!) as Filter[];
    } catch {
      // A hand-edited URL: keep the filters given as attributes.
    }
  }

  #writeUrl(): void {
    if (!this.urlState) return;
    const url = new URL(location.href);
    url.searchParams.set('period', this.period);
    if (this.compare) url.searchParams.set('compare', this.compare);
    else url.searchParams.delete('compare');
    if (this.filters.length > 0) url.searchParams.set('filters', JSON.stringify(this.filters));
    else url.searchParams.delete('filters');
    history.replaceState(history.state, '', url);
  }

  #setFilters(filters: Filter[], announce: boolean): void {
    this.filters = filters;
    this.#writeUrl();
    if (announce) this.dispatchEvent(new CairnFilterChangeEvent(filters));
  }

  #onChildFilter = (e: CairnFilterChangeEvent) => {
    // A breakdown asked; it is the dashboard's filter now (the event goes on to the host).
    if (e.target === this) return;
    this.filters = e.filters;
    this.#writeUrl();
  };

  /** A period stepped to with the keyboard, applied once the steps stop (or on Enter, or when the picker loses focus). */
  #stepped: { period: string; timer: ReturnType<typeof setTimeout> } | null = null;
  /** Whether the picker's next change comes from an arrow key (a step), not a choice. */
  #stepping = false;

  #onPeriodKey = (e: KeyboardEvent) => {
    this.#stepping = ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'PageUp', 'PageDown', 'Home', 'End'].includes(e.key);
    if (e.key === 'Enter') this.#applyStep();
  };

  #onPeriodChange = (e: Event) => {
    const period = (e.target as HTMLSelectElement).value;
    if (!this.#stepping) {
      if (this.#stepped) clearTimeout(this.#stepped.timer);
      this.#stepped = null;
      this.#setPeriod(period, this.compare);
      return;
    }
    // Arrow keys in a closed picker change it at each step: one reload for the period stopped at.
    this.#stepping = false;
    if (this.#stepped) clearTimeout(this.#stepped.timer);
    this.#stepped = { period, timer: setTimeout(() => this.#applyStep(), 600) };
  };

  #applyStep(): void {
    const step = this.#stepped;
    if (!step) return;
    clearTimeout(step.timer);
    this.#stepped = null;
    if (step.period !== this.period) this.#setPeriod(step.period, this.compare);
  }

  #setPeriod(period: string, compare: 'previous' | 'year' | null): void {
    this.period = period;
    this.compare = compare;
    this.#writeUrl();
    this.dispatchEvent(new CairnPeriodChangeEvent({ period, compare }));
  }

  #renderHeader(sections: Section[]) {
    return html`<div class="header" part="header">
      <label class="field"
        ><span class="sr-only">Period</span>
        <select @keydown=${this.#onPeriodKey} @change=${this.#onPeriodChange} @blur=${() => this.#applyStep()} aria-label="Period">
          ${PERIODS.map(([value, label]) => html`<option value=${value} ?selected=${value === this.period}>${label}</option>`)}
          ${PERIODS.some(([v]) => v === this.period) ? nothing : html`<option value=${this.period} selected>${this.period}</option>`}
        </select></label
      >
      <label class="field check"
        ><input type="checkbox" .checked=${this.compare !== null} @change=${(e: Event) => this.#setPeriod(this.period, (e.target as HTMLInputElement).checked ? 'previous' : null)} /> Compare with the
        previous period</label
      >
      ${sections.includes('realtime')
        ? html`<cairn-realtime class="live" api=${this.api} site=${this.site} .token=${this.token} theme=${this.theme}></cairn-realtime>`
        : nothing}
    </div>`;
  }

  #renderFilters() {
    if (this.filters.length === 0) return nothing;
    return html`<ul class="filters" aria-label="Filters in force">
      ${this.filters.map(
        (f, i) => html`<li>
          <span>${filterDimensionLabel(f.dimension)} ${f.op.replace('_', ' ')} <strong>${f.values.map((v) => valueLabel(f.dimension, v)).join(', ')}</strong></span>
          <button type="button" aria-label=${`Remove the filter on ${filterDimensionLabel(f.dimension)}`} @click=${() => this.#setFilters(this.filters.filter((_, j) => j !== i), true)}>✕</button>
        </li>`,
      )}
      <li><button type="button" class="clear" @click=${() => this.#setFilters([], true)}>Clear all</button></li>
    </ul>`;
  }

  /** Whether the empty state shows, as last announced (`cairn-empty`). */
  #empty = false;
  #copied = false;

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated?.(changed);
    const s = this.answer?.answer.summary;
    const empty = !!s && s.metrics.pageviews === 0 && s.metrics.events === 0 && this.filters.length === 0 && !s.comparison?.metrics.pageviews;
    if (empty !== this.#empty) this.dispatchEvent(new CairnEmptyEvent((this.#empty = empty)));
  }

  async #copy(tag: string): Promise<void> {
    await navigator.clipboard.writeText(tag);
    this.#copied = true;
    this.requestUpdate();
  }

  #renderEmpty() {
    const base = (this.api || location.origin).replace(/\/+$/, '');
    // Keep in sync with collector/src/sites/tracker-tag.ts.
    const tag = `<script defer src="${base}/t.js" data-site="${this.site}" data-api="${base}/api/event"></script>`;
    return html`<div class="empty card" part="empty">
      <p><strong>No visits recorded yet.</strong> Is the tracker installed? Paste this tag into the <code>&lt;head&gt;</code> of every page (the Cairn plugins do it for you):</p>
      <pre><code>${tag}</code></pre>
      <button type="button" @click=${() => void this.#copy(tag)}>${this.#copied ? 'Copied' : 'Copy the tag'}</button>
    </div>`;
  }

  override render() {
    const loaded = this.answer;
    const sections = loaded?.sections ?? [];
    return html`<div @cairn-filter-change=${this.#onChildFilter}>
      ${this.renderState(() => {
        const { answer } = loaded!;
        const summary = answer.summary!;
        const nothingYet = summary.metrics.pageviews === 0 && summary.metrics.events === 0 && this.filters.length === 0 && !summary.comparison?.metrics.pageviews;
        return html`${this.#renderHeader(sections)} ${this.#renderFilters()}
          ${nothingYet
            ? this.#renderEmpty()
            : html`<div class="metrics" part="metrics" role="group" aria-label="Metrics: choose the one charted">
                  ${METRICS.map(
                    (m) => html`<button type="button" class="metric card" aria-pressed=${String(this.chartMetric === m)} @click=${() => (this.chartMetric = m)}>
                      <cairn-metric .data=${summary} metric=${m} theme=${this.theme}></cairn-metric>
                    </button>`,
                  )}
                </div>
                <div class="card chart" part="chart">
                  <cairn-timeseries .data=${answer.timeseries} metric=${this.chartMetric} theme=${this.theme} aria-label=${`${METRIC_LABELS[this.chartMetric]} over time`}></cairn-timeseries>
                </div>
                <div class="breakdowns" part="breakdowns">
                  ${Object.entries(answer.breakdowns).map(
                    ([d, b]) => html`<div class="card">
                      <cairn-breakdown .data=${b} .filters=${this.filters} dimension=${d} level=${this.level} theme=${this.theme}></cairn-breakdown>
                    </div>`,
                  )}
                </div>
                ${sections.includes('goals')
                  ? html`<div class="card" part="goals">
                      <cairn-goals api=${this.api} site=${this.site} .token=${this.token} period=${this.period} .filters=${this.filters} level=${this.level} theme=${this.theme}></cairn-goals>
                    </div>`
                  : nothing}`}`;
      })}
    </div>`;
  }
}

if (!customElements.get('cairn-dashboard')) customElements.define('cairn-dashboard', CairnDashboard);

declare global {
  interface HTMLElementTagNameMap {
    'cairn-dashboard': CairnDashboard;
  }
}
