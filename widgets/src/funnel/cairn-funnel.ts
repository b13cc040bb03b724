/**
 * A funnel of pages and events: of the period's visits, how many went through each step in
 * order, the share of step 1 that got that far, and how many dropped off on the way; each step a
 * horizontal bar with its numbers as text.
 *
 * @summary `<cairn-funnel api="…" site="…" token="…" steps='[{"kind":"page","match":"/pricing"},{"kind":"event","match":"signup","name":"Sign-up"}]'>`
 * @attr steps - JSON, 2 to 8 steps: `{"kind":"page"|"event","match":"/path/*" or an event name,"name"?:"label"}` (docs/api/stats.md); also settable as an array
 * @attr heading - overrides the heading ("Funnel")
 * @attr level - the heading's level in the host page's outline (2)
 * @attr theme - light (default), dark, or auto (follows the system)
 * @csspart list - the ordered list of steps
 * @csspart step - one step
 * @csspart bar - a step's bar, as long as its share of step 1
 * @csspart dropoff - a step's drop-off from the step before
 * @csspart state - the loading, empty and error messages
 * @cssproperty --cairn-accent - the bars' colour
 * @cssproperty --cairn-accent-soft - the bars' track
 * @cssproperty --cairn-text, --cairn-muted, --cairn-bad - colours (see core/styles.ts)
 */
import { css, html } from 'lit';
import type { FunnelAnswer } from '@cairn/collector/protocol';
import type { CairnApi, StatsQuery } from '../core/api.ts';
import { HeadedElement } from '../core/cairn-element.ts';
import { formatNumber } from '../core/format.ts';
import { theme } from '../core/styles.ts';

/** One step as the API takes it. */
export interface FunnelStep {
  kind: 'page' | 'event';
  match: string;
  name?: string;
}

const EXAMPLE = '[{"kind":"page","match":"/pricing"},{"kind":"event","match":"signup"}]';

/** The steps, or why they cannot be used (checked here so that a typo reads as such, not as a failed request). */
export function parseSteps(value: string | FunnelStep[] | null): FunnelStep[] | string {
  let steps: unknown = value;
  if (typeof value === 'string') {
    try {
      steps = JSON.parse(value);
    } catch {
      return `the steps attribute is not valid JSON. Write it like ${EXAMPLE}`;
    }
  }
  if (!Array.isArray(steps) || steps.length < 2 || steps.length > 8) return `the steps attribute must be a JSON array of 2 to 8 steps, like ${EXAMPLE}`;
  for (const [i, s] of steps.entries()) {
    const step = s as Partial<FunnelStep> | null;
    if (!step || (step.kind !== 'page' && step.kind !== 'event')) return `step ${i + 1}: "kind" must be "page" or "event"`;
    if (typeof step.match !== 'string' || step.match === '') return `step ${i + 1}: "match" must be a page path pattern or an event name`;
  }
  return steps as FunnelStep[];
}

export class CairnFunnel extends HeadedElement<FunnelAnswer> {
  static override properties = { ...HeadedElement.properties, steps: {} };
  static override styles = [
    theme,
    css`
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        font-variant-numeric: tabular-nums;
      }
      li + li {
        margin-top: 12px;
      }
      .name {
        display: flex;
        gap: 8px;
        align-items: baseline;
        overflow-wrap: anywhere;
      }
      .n {
        color: var(--_muted);
        font-size: 0.86em;
        flex: none;
      }
      .track {
        height: 10px;
        margin: 4px 0;
        border-radius: 5px;
        background: var(--_accent-soft);
        overflow: hidden;
      }
      .fill {
        height: 100%;
        width: var(--share);
        background: var(--_accent);
      }
      .numbers {
        font-size: 0.86em;
      }
      .dropoff {
        color: var(--_muted);
      }
      .state {
        overflow-wrap: anywhere;
      }
    `,
  ];

  /** The steps: JSON in the attribute, or an array set as the property. */
  declare steps: string | FunnelStep[] | null;

  #problem: string | null = null;

  constructor() {
    super();
    this.steps = null;
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('steps')) {
      const parsed = parseSteps(this.steps);
      this.#problem = typeof parsed === 'string' ? parsed : null;
    }
    super.willUpdate(changed as never);
    if (this.data === undefined && this.site && changed.has('steps') && !changed.has('site')) void this.reload();
  }

  protected override load(api: CairnApi, query: StatsQuery, signal: AbortSignal) {
    const steps = parseSteps(this.steps);
    // No request for steps the API would refuse; render() shows why.
    if (typeof steps === 'string') return Promise.reject(new Error(steps));
    return api.stats<FunnelAnswer>('funnel', { ...query, steps: JSON.stringify(steps) }, signal);
  }

  protected override isEmpty(a: FunnelAnswer) {
    return a.visits === 0;
  }

  /** Each step by its name; a step named only by its pattern or event also says which it is. */
  #list(a: FunnelAnswer) {
    const first = a.steps[0]?.visits ?? 0;
    return html`<ol part="list" aria-labelledby="heading">
      ${a.steps.map((s, i) => {
        const share = first > 0 ? (s.visits / first) * 100 : 0;
        return html`<li part="step">
          <div class="name"><span class="n">${i + 1}.</span> <span>${s.name}${s.name === s.match ? html` <span class="muted">(${s.kind === 'page' ? 'page' : 'event'})</span>` : null}</span></div>
          <div class="track" aria-hidden="true"><div class="fill" part="bar" style="--share:${share.toFixed(1)}%"></div></div>
          <div class="numbers">
            <span class="visits">${formatNumber(s.visits, true)} ${s.visits === 1 ? 'visit' : 'visits'}</span> ·
            <span class="rate">${s.conversion_rate}%</span> ${i === 0 ? 'of all visits' : 'of step 1'}
            ${i > 0
              ? html`<div class="dropoff" part="dropoff">${formatNumber(s.dropoff, true)} dropped off after step ${i} (${s.dropoff_rate}%)</div>`
              : null}
          </div>
        </li>`;
      })}
    </ol>`;
  }

  override render() {
    return html`${this.renderHeading('Funnel')}
      ${this.state === 'error' && this.#problem
        ? html`<div class="state error" role="alert" part="state">This funnel cannot be shown: ${this.#problem}</div>`
        : this.renderState(() => this.#list(this.answer!), 'No visits in this period yet.')}`;
  }
}

if (!customElements.get('cairn-funnel')) customElements.define('cairn-funnel', CairnFunnel);

declare global {
  interface HTMLElementTagNameMap {
    'cairn-funnel': CairnFunnel;
  }
}
