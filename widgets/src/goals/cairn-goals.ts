/**
 * The site's goals in the period: visitors who completed each, its conversions (visits), its
 * conversion rate with a bar, and its revenue for goals that sum one — per currency for goals
 * whose events name their currency.
 *
 * @summary `<cairn-goals api="https://stats.example.com" site="…" token="…" period="30d" level="2">`
 * @attr heading - overrides the heading ("Goals")
 * @attr level - the heading's level in the host page's outline (2)
 * @attr currency - an ISO 4217 code (EUR, USD…) to show revenue as money; plain numbers without it (a goal with a currency prop shows each amount in its own currency)
 * @attr theme - light (default), dark, or auto (follows the system)
 * @csspart table - the goals table
 * @csspart row - one goal's row
 * @csspart bar - the bar behind a goal's name, as long as its conversion rate relative to the highest
 * @csspart state - the loading, empty and error messages
 * @cssproperty --cairn-accent-soft - the bars' colour
 * @cssproperty --cairn-text, --cairn-muted, --cairn-border, --cairn-bg - colours (see core/styles.ts)
 */
import { css, html } from 'lit';
import type { GoalRow, GoalsAnswer } from '@cairn/collector/protocol';
import type { CairnApi, StatsQuery } from '../core/api.ts';
import { HeadedElement } from '../core/cairn-element.ts';
import { formatNumber } from '../core/format.ts';
import { figureTable, theme } from '../core/styles.ts';

export class CairnGoals extends HeadedElement<GoalsAnswer> {
  static override properties = { ...HeadedElement.properties, currency: { type: String } };
  static override styles = [
    theme,
    figureTable,
    css`
      .heading {
        font-weight: 600;
        margin: 0 0 4px;
      }
      .note {
        font-size: 0.86em;
        margin: 0 0 10px;
      }
      th,
      td {
        padding-top: 4px;
        padding-bottom: 4px;
      }
      thead th {
        padding-bottom: 6px;
      }
      thead th + th,
      td {
        white-space: nowrap;
      }
      tbody th {
        width: 100%;
      }
      .name {
        display: block;
        padding: 4px 8px;
        border-radius: 4px;
        background: linear-gradient(to right, var(--_accent-soft) var(--share), transparent var(--share));
        overflow-wrap: anywhere;
      }
      .match {
        display: block;
        color: var(--_muted);
        font-size: 0.86em;
      }
      code {
        font-size: 0.95em;
      }
      .amount {
        display: block;
        white-space: nowrap;
      }
      /* Narrow (a phone, a CMS sidebar): each goal on its own lines, its name above its numbers,
         each number under its column's name; five columns side by side would squeeze the names
         to a letter a line. */
      :host {
        container-type: inline-size;
      }
      @container (max-width: 30rem) {
        thead {
          position: absolute;
          width: 1px;
          height: 1px;
          overflow: hidden;
          clip-path: inset(50%);
        }
        tbody tr {
          display: grid;
          grid-template-columns: repeat(auto-fit, minmax(5.5em, 1fr));
          column-gap: 12px;
          padding: 4px 0 8px;
        }
        tbody tr + tr {
          border-top: 1px solid var(--_border);
        }
        tbody th {
          grid-column: 1 / -1;
          width: auto;
        }
        td {
          text-align: left;
          padding-left: 8px;
        }
        td::before {
          /* The column's name, for the eyes: screen readers have the table's headers. */
          content: attr(data-label) / '';
          display: block;
          color: var(--_muted);
          font-size: 0.8em;
        }
      }
    `,
  ];

  /** ISO 4217 code to format revenue as money. */
  declare currency: string | null;

  constructor() {
    super();
    this.currency = null;
  }

  protected override load(api: CairnApi, query: StatsQuery, signal: AbortSignal) {
    return api.stats<GoalsAnswer>('goals', query, signal);
  }

  protected override isEmpty(a: GoalsAnswer) {
    return a.goals.length === 0;
  }

  /** `n` as money in `currency` (an ISO 4217 code), or as a plain number without one. */
  #money(n: number, currency: string | null): string {
    if (currency) {
      try {
        return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(n);
      } catch {
        // An unknown currency code: the number and the code rather than nothing.
        return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(n)} ${currency}`;
      }
    }
    return new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(n);
  }

  /**
   * A goal's revenue: one amount, or, for a goal whose events name their currency, one line per
   * currency in that currency (amounts in different currencies are never added up).
   */
  #revenue(g: GoalRow) {
    if (g.revenues) {
      if (g.revenues.length === 0) return this.#money(0, this.currency);
      return g.revenues.map((r) => html`<span class="amount">${r.currency === null ? `${this.#money(r.amount, null)} (no currency)` : this.#money(r.amount, r.currency)}</span>`);
    }
    return g.revenue === undefined ? '–' : this.#money(g.revenue, this.currency);
  }

  #table(a: GoalsAnswer) {
    const withRevenue = a.goals.some((g) => g.revenue !== undefined || g.revenues !== undefined);
    const top = Math.max(0.1, ...a.goals.map((g) => g.conversion_rate));
    const row = (g: GoalRow) => html`<tr part="row">
      <th scope="row">
        <span class="name" part="bar" style="--share:${((g.conversion_rate / top) * 100).toFixed(1)}%">
          <span class="label">${g.name}</span>
          ${g.name !== g.match ? html`<span class="match">${g.kind === 'page' ? 'Page' : 'Event'} ${g.match}</span>` : null}
        </span>
      </th>
      <td data-label="Visitors">${formatNumber(g.visitors, true)}</td>
      <td data-label="Conversions">${formatNumber(g.conversions, true)}</td>
      <td data-label="Conversion rate">${g.conversion_rate}%</td>
      ${withRevenue ? html`<td data-label="Revenue">${this.#revenue(g)}</td>` : null}
    </tr>`;
    return html`<p class="note muted" id="note">Conversion rate: the share of the period's ${formatNumber(a.visitors, true)} visitors who completed the goal.</p>
      <table part="table" aria-labelledby="heading" aria-describedby="note">
        <thead>
          <tr>
            <th scope="col">Goal</th>
            <th scope="col">Visitors</th>
            <th scope="col">Conversions</th>
            <th scope="col">Conversion rate</th>
            ${withRevenue ? html`<th scope="col">Revenue</th>` : null}
          </tr>
        </thead>
        <tbody>
          ${a.goals.map(row)}
        </tbody>
      </table>`;
  }

  override render() {
    return html`${this.renderHeading('Goals')}
      ${this.state === 'empty'
        ? // Not renderState's plain-text empty message: the way to add goals reads better with the command as code.
          html`<div class="state" part="state">
            No goals yet. Add them in the site's settings in the Cairn dashboard, or with <code>cairn goal add</code> (e.g.
            <code>cairn goal add ${this.site} --event signup</code>).
          </div>`
        : this.renderState(() => this.#table(this.answer!))}`;
  }
}

if (!customElements.get('cairn-goals')) customElements.define('cairn-goals', CairnGoals);

declare global {
  interface HTMLElementTagNameMap {
    'cairn-goals': CairnGoals;
  }
}
