/** `/`: the sites one may see, each with its visitors of the last 30 days; for admins, adding and restoring sites. */
import { css, html, nothing } from 'lit';
import type { ListedSite, SitesAnswer, SiteView } from '@cairn/collector/protocol';
import { AppPage } from '../app-page.ts';
import { formatTime } from '../form.ts';
import { request } from '../session.ts';
import { isAdmin } from '../types.ts';
import './add-site.ts';
import './site-card.ts';

const DAY_MS = 86_400_000;

export class CairnSitesPage extends AppPage {
  static override properties = { ...AppPage.properties, sites: { state: true }, deleted: { state: true }, error: { state: true } };
  static override styles = [
    ...AppPage.styles,
    css`
      .top {
        display: flex;
        flex-wrap: wrap;
        gap: 12px;
        align-items: baseline;
        justify-content: space-between;
        margin-bottom: 20px;
      }
      .top h1 {
        margin: 0;
      }
      ul.sites {
        list-style: none;
        padding: 0;
        margin: 0 0 24px;
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 340px), 1fr));
        gap: 16px;
      }
      cairn-add-site {
        margin-bottom: 20px;
      }
      .deleted li {
        margin-bottom: 8px;
      }
    `,
  ];

  declare sites: ListedSite[] | null;
  declare deleted: SiteView[];
  declare error: string | null;

  constructor() {
    super();
    this.sites = null;
    this.deleted = [];
    this.error = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('cairn-sites-change', () => void this.#load());
    void this.#load();
  }

  async #load(): Promise<void> {
    try {
      const a = await request<SitesAnswer>('GET', '/api/sites');
      this.sites = a.sites;
      this.deleted = a.deleted ?? [];
      this.error = null;
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  async #restore(site: SiteView): Promise<void> {
    try {
      await request('POST', `/api/sites/${encodeURIComponent(site.id)}/restore`);
      await this.#load();
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  #list(sites: ListedSite[]) {
    if (sites.length === 0) {
      return html`<p>${isAdmin(this.user) ? 'No site yet: add one to get its tracker tag.' : 'No site is shared with you yet: ask whoever invited you.'}</p>`;
    }
    return html`<ul class="sites">
      ${sites.map((s) => html`<li><cairn-site-card .site=${s} ?admin=${isAdmin(this.user)}></cairn-site-card></li>`)}
    </ul>`;
  }

  override render() {
    const admin = isAdmin(this.user);
    return html`<div class="top"><h1 tabindex="-1">Sites</h1></div>
      ${this.error ? html`<p class="notice bad" role="alert">${this.error}</p>` : nothing}
      ${admin ? html`<cairn-add-site></cairn-add-site>` : nothing}
      ${this.sites === null ? html`<p class="muted" role="status">Loading…</p>` : this.#list(this.sites)}
      ${admin && this.deleted.length > 0
        ? html`<section class="card deleted" aria-labelledby="deleted-h">
            <h2 id="deleted-h">Deleted sites</h2>
            <p class="muted">They count nothing and are purged for good 7 days after their deletion, unless restored.</p>
            <ul>
              ${this.deleted.map(
                (s) => html`<li>
                  <strong>${s.name}</strong> <span class="muted">(${s.id}), purged after ${formatTime((s.deletedAt ?? 0) + 7 * DAY_MS)}</span>
                  <button type="button" @click=${() => void this.#restore(s)}>Restore ${s.name}</button>
                </li>`,
              )}
            </ul>
          </section>`
        : nothing}`;
  }
}

if (!customElements.get('cairn-sites-page')) customElements.define('cairn-sites-page', CairnSitesPage);
