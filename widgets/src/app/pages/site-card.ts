/** One site on the sites list: its name, domain, visitors of the last 30 days and their sparkline. */
import { css, html, LitElement, nothing } from 'lit';
import type { ListedSite, TimeseriesAnswer } from '@cairn/collector/protocol';
import { CairnApi } from '../../core/api.ts';
import { formatNumber } from '../../core/format.ts';
import { theme } from '../../core/styles.ts';
import { page } from '../app-styles.ts';
import '../cairn-sparkline.ts';

export class CairnSiteCard extends LitElement {
  static override properties = { site: { attribute: false }, admin: { type: Boolean }, series: { state: true }, problem: { state: true } };
  static override styles = [
    theme,
    page,
    css`
      .card {
        margin: 0;
        height: 100%;
        box-sizing: border-box;
        display: flex;
        flex-direction: column;
      }
      .head {
        display: flex;
        gap: 12px;
        align-items: baseline;
        justify-content: space-between;
      }
      h2 {
        margin: 0;
        font-size: 1.1rem;
        overflow-wrap: anywhere;
      }
      h2 a {
        color: var(--_text);
        text-decoration: none;
      }
      h2 a:hover {
        text-decoration: underline;
      }
      .settings {
        font-size: 0.92em;
        white-space: nowrap;
      }
      .demo {
        display: inline-block;
        margin: 0 0 6px;
        padding: 2px 8px;
        border-radius: 999px;
        font-size: 0.8rem;
        background: var(--cairn-warn-bg, rgba(217, 119, 6, 0.15));
      }
      .domain {
        color: var(--_muted);
        margin: 2px 0 0;
        overflow-wrap: anywhere;
      }
      .visitors {
        margin: 12px 0 8px;
        font-size: 1.6rem;
        font-weight: 650;
        line-height: 1.2;
        font-variant-numeric: tabular-nums;
      }
      .unit {
        color: var(--_muted);
        font-size: 0.9rem;
        font-weight: normal;
      }
      .note {
        color: var(--_muted);
        margin: 12px 0 8px;
      }
      .chart {
        margin-top: auto;
        height: 48px;
      }
      cairn-sparkline {
        height: 48px;
      }
    `,
  ];

  declare site: ListedSite;
  declare admin: boolean;
  declare series: number[] | null;
  declare problem: string | null;

  constructor() {
    super();
    this.admin = false;
    this.series = null;
    this.problem = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
  }

  async #load(): Promise<void> {
    if (!this.site.sections?.includes('traffic')) {
      this.problem = 'Traffic is not shared with you';
      return;
    }
    try {
      const a = await new CairnApi({ api: '', site: this.site.id }).stats<TimeseriesAnswer>('timeseries', { period: '30d', interval: 'day' });
      this.series = a.series.map((p) => p.visitors);
    } catch (err) {
      this.problem = `Visitors could not be loaded: ${(err as Error).message}`;
    }
  }

  override render() {
    const s = this.site;
    const href = `/sites/${encodeURIComponent(s.id)}`;
    const total = this.series?.reduce((a, b) => a + b, 0) ?? null;
    const id = `site-${s.id}`;
    const domain = s.domains[0] ?? '';
    return html`<article class="card" aria-labelledby=${id}>
      <div class="head">
        <h2 id=${id}><a href=${href}>${s.name}</a></h2>
        ${this.admin ? html`<a class="settings" href="${href}/settings" aria-label="Settings of ${s.name}">Settings</a>` : nothing}
      </div>
      ${domain && domain !== s.name ? html`<p class="domain">${domain}</p>` : nothing}
      ${s.synthetic ? html`<p class="demo">Demo data: made up by <code>cairn seed</code>, not real visits</p>` : nothing}
      ${this.problem
        ? html`<p class="note">${this.problem}</p>`
        : total === null
          ? html`<p class="visitors" role="status"><span class="unit">Loading…</span></p>`
          : html`<p class="visitors">${formatNumber(total)} <span class="unit">visitors · last 30 days</span></p>`}
      <div class="chart">${this.series ? html`<cairn-sparkline .values=${this.series} label=${sparklineLabel(this.series)}></cairn-sparkline>` : nothing}</div>
    </article>`;
  }
}

/** What the sparkline shows, in words. */
function sparklineLabel(values: number[]): string {
  const peak = Math.max(0, ...values);
  return `Visitors per day over the last 30 days: ${formatNumber(values[values.length - 1] ?? 0, true)} today, ${formatNumber(peak, true)} on the busiest day`;
}

if (!customElements.get('cairn-site-card')) customElements.define('cairn-site-card', CairnSiteCard);
