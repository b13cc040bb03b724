/**
 * One headline number of a period, with its change against the comparison period.
 *
 * @summary `<cairn-metric api="https://stats.example.com" site="…" token="…" metric="visitors" period="30d" compare="previous">`
 * @attr metric - visitors (default), visits, pageviews, events, views_per_visit, bounce_rate, visit_duration, scroll_depth
 * @csspart value - the number
 * @csspart change - the change in percent
 * @cssproperty --cairn-accent, --cairn-good, --cairn-bad, --cairn-text, --cairn-muted - colours (see core/styles.ts)
 */
import { css, html } from 'lit';
import type { Metric, SummaryAnswer } from '@cairn/collector/protocol';
import type { CairnApi, StatsQuery } from '../core/api.ts';
import { CairnElement } from '../core/cairn-element.ts';
import { formatMetric, LOWER_IS_BETTER, METRIC_LABELS } from '../core/format.ts';
import { theme } from '../core/styles.ts';

type MetricName = Metric | 'scroll_depth';

export class CairnMetric extends CairnElement<SummaryAnswer> {
  static override properties = { ...CairnElement.properties, metric: { type: String }, label: { type: String } };
  static override styles = [
    theme,
    css`
      .label {
        color: var(--_muted);
        font-size: 0.86em;
      }
      .value {
        font-size: 1.8em;
        font-weight: 650;
        font-variant-numeric: tabular-nums;
        line-height: 1.2;
      }
      .change {
        font-size: 0.86em;
        font-variant-numeric: tabular-nums;
      }
      .good {
        color: var(--_good);
      }
      .bad {
        color: var(--_bad);
      }
    `,
  ];

  declare metric: MetricName;
  /** Overrides the metric's usual label. */
  declare label: string | null;

  constructor() {
    super();
    this.metric = 'visitors';
    this.label = null;
  }

  protected override load(api: CairnApi, query: StatsQuery, signal: AbortSignal) {
    return api.stats<SummaryAnswer>('summary', query, signal);
  }

  override render() {
    const label = this.label ?? METRIC_LABELS[this.metric] ?? this.metric;
    return html`<div class="label" id="label">${label}</div>
      ${this.renderState(() => {
        const a = this.answer!;
        const value = a.metrics[this.metric] ?? null;
        const change = a.comparison?.change[this.metric] ?? null;
        const good = change !== null && change !== 0 && (change > 0) !== LOWER_IS_BETTER.has(this.metric);
        return html`<div class="value" part="value" aria-describedby="label">${formatMetric(this.metric, value)}</div>
          ${a.comparison
            ? html`<div class="change ${change === null || change === 0 ? 'muted' : good ? 'good' : 'bad'}" part="change">
                ${change === null ? 'no earlier data' : `${change > 0 ? '▲ +' : change < 0 ? '▼ ' : ''}${change}%`}
                <span class="muted">vs ${formatMetric(this.metric, a.comparison.metrics[this.metric] ?? null)}</span>
              </div>`
            : null}`;
      })}`;
  }
}

if (!customElements.get('cairn-metric')) customElements.define('cairn-metric', CairnMetric);

declare global {
  interface HTMLElementTagNameMap {
    'cairn-metric': CairnMetric;
  }
}
