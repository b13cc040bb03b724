/**
 * `/sites/:id/filtered`: the filtered-traffic report (owner and admins): the events the collector
 * received for the site and did not count, by reason in plain words, and by day
 * (`GET /api/stats/:id/filtered`).
 */
import { css, html, nothing } from 'lit';
import type { FilteredAnswer, SiteAnswer } from '@cairn/collector/protocol';
import { request } from '../session.ts';
import { SiteAppPage } from '../site-app-page.ts';
import '../cairn-sparkline.ts';

const PERIODS = [
  ['today', 'Today'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
] as const;

const number = new Intl.NumberFormat();

export class CairnFilteredPage extends SiteAppPage {
  static override properties = { ...SiteAppPage.properties, period: { state: true }, report: { state: true }, reportError: { state: true }, loading: { state: true } };

  static override styles = [
    ...SiteAppPage.styles,
    css`
      .crumb {
        margin: 0 0 6px;
      }
      .controls {
        display: flex;
        flex-wrap: wrap;
        gap: 8px 16px;
        align-items: center;
        margin: 0 0 16px;
      }
      .total {
        font-size: 1.6rem;
        font-weight: 700;
        margin: 0;
      }
      td.count {
        text-align: right;
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      .reason {
        font-weight: 600;
      }
      .loading {
        opacity: 0.6;
      }
    `,
  ];

  declare period: (typeof PERIODS)[number][0];
  declare report: FilteredAnswer | null;
  declare reportError: string | null;
  /** A period's report is on its way (the previous one stays shown, dimmed). */
  declare loading: boolean;
  #asked = 0;

  constructor() {
    super();
    this.period = '30d';
    this.report = null;
    this.reportError = null;
    this.loading = false;
  }

  protected override titleOf(a: SiteAnswer): string {
    return `Filtered traffic of ${a.site.name}`;
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    super.willUpdate(changed);
    if ((changed.has('site') || changed.has('period')) && this.site) void this.#load();
  }

  async #load(): Promise<void> {
    // The last period asked wins; the report shown stays until its answer comes.
    const asked = ++this.#asked;
    this.loading = true;
    try {
      const report = await request<FilteredAnswer>('GET', `/api/stats/${encodeURIComponent(this.site)}/filtered?period=${this.period}`);
      if (asked !== this.#asked) return;
      this.report = report;
      this.reportError = null;
    } catch (err) {
      if (asked === this.#asked) this.reportError = (err as Error).message;
    } finally {
      if (asked === this.#asked) this.loading = false;
    }
  }

  #renderReport(r: FilteredAnswer) {
    const days = r.days.filter((d) => d.total > 0);
    return html`<section class="card ${this.loading ? 'loading' : ''}" aria-labelledby="reasons-h" aria-busy=${this.loading ? 'true' : 'false'}>
        <h2 id="reasons-h">Not counted, by reason</h2>
        <p class="total">${number.format(r.total)}</p>
        <p class="muted">
          events received from ${r.period.from} to ${r.period.to} (UTC days) and left out of the numbers. Counted events are not shown here.
        </p>
        ${r.reasons.length === 0
          ? html`<p>Nothing was filtered in this period: every event received was counted.</p>`
          : html`<div class="table-wrap">
              <table>
                <thead>
                  <tr><th scope="col">Reason</th><th scope="col">What it means</th><th scope="col">Events</th></tr>
                </thead>
                <tbody>
                  ${r.reasons.map(
                    (x) => html`<tr>
                      <td class="reason">${x.label}</td>
                      <td>${x.explanation}</td>
                      <td class="count">${number.format(x.count)}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>`}
      </section>
      ${r.days.length > 1 && days.length > 0
        ? html`<section class="card" aria-labelledby="days-h">
            <h2 id="days-h">By day</h2>
            <cairn-sparkline .values=${r.days.map((d) => d.total)} label=${`Events not counted per day, ${r.period.from} to ${r.period.to}`}></cairn-sparkline>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr><th scope="col">Day</th><th scope="col">Reasons</th><th scope="col">Events</th></tr>
                </thead>
                <tbody>
                  ${days.reverse().map(
                    (d) => html`<tr>
                      <td>${d.day}</td>
                      <td>${r.reasons.filter((x) => d.counts[x.reason]).map((x) => `${x.label} ${number.format(d.counts[x.reason]!)}`).join(' · ')}</td>
                      <td class="count">${number.format(d.total)}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>
          </section>`
        : nothing}`;
  }

  override render() {
    const a = this.answer;
    return html`${a ? html`<p class="crumb"><a href="/sites/${encodeURIComponent(a.site.id)}">← ${a.site.name}</a></p>` : nothing}
      <h1 tabindex="-1">Filtered traffic</h1>
      <p class="muted">Bots, automated browsers, pages on other domains, duplicates and refused requests: what the collector received and did not count.</p>
      <div class="controls">
        <label
          >Period
          <select @change=${(e: Event) => (this.period = (e.target as HTMLSelectElement).value as typeof this.period)}>
            ${PERIODS.map(([value, label]) => html`<option value=${value} ?selected=${value === this.period}>${label}</option>`)}
          </select></label
        >
        ${a ? html`<a href="/sites/${encodeURIComponent(a.site.id)}/settings">Settings: check the installation live</a>` : nothing}
      </div>
      ${this.error ? html`<p class="notice bad" role="alert">${this.error} <a href="/">Back to your sites</a></p>` : nothing}
      ${this.reportError ? html`<p class="notice bad" role="alert">${this.reportError}</p>` : nothing}
      ${this.report ? this.#renderReport(this.report) : this.reportError || this.error ? nothing : html`<p class="muted" role="status">Loading…</p>`}`;
  }
}

if (!customElements.get('cairn-filtered-page')) customElements.define('cairn-filtered-page', CairnFilteredPage);
