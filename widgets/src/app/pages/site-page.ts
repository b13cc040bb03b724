/** `/sites/:id`: a site's dashboard, read with the session (the dashboard widget asks for what the user may see). */
import { css, html, nothing } from 'lit';
import { AppPage } from '../app-page.ts';
import { request } from '../session.ts';
import { isAdmin, type SiteAnswer } from '../types.ts';
import '../../dashboard/cairn-dashboard.ts';

export class CairnSitePage extends AppPage {
  static override properties = { ...AppPage.properties, site: { type: String }, answer: { state: true }, error: { state: true } };
  static override styles = [
    ...AppPage.styles,
    css`
      .top {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 16px;
        align-items: baseline;
        margin-bottom: 20px;
      }
      .top h1 {
        margin: 0;
      }
      .settings {
        margin-left: auto;
      }
    `,
  ];

  declare site: string;
  declare answer: SiteAnswer | null;
  declare error: string | null;

  constructor() {
    super();
    this.site = '';
    this.answer = null;
    this.error = null;
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('site') && this.site) void this.#load();
  }

  async #load(): Promise<void> {
    this.answer = null;
    try {
      this.answer = await request<SiteAnswer>('GET', `/api/sites/${encodeURIComponent(this.site)}`);
      this.setTitle(this.answer.site.name);
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  #dashboard(a: SiteAnswer) {
    return html`<cairn-dashboard site=${a.site.id} theme="auto" url-state></cairn-dashboard>`;
  }

  override render() {
    const a = this.answer;
    return html`<div class="top">
        <h1 tabindex="-1">${a?.site.name ?? (this.error ? 'Site unavailable' : 'Dashboard')}</h1>
        ${a && a.site.domains.join(', ') !== a.site.name ? html`<span class="muted">${a.site.domains.join(', ')}</span>` : nothing}
        ${a && isAdmin(this.user) ? html`<a class="button settings" href="/sites/${encodeURIComponent(a.site.id)}/settings">Settings</a>` : nothing}
      </div>
      ${this.error ? html`<p class="notice bad" role="alert">${this.error} <a href="/">Back to your sites</a></p>` : nothing}
      ${a ? this.#dashboard(a) : this.error ? nothing : html`<p class="muted" role="status">Loading…</p>`}`;
  }
}

if (!customElements.get('cairn-site-page')) customElements.define('cairn-site-page', CairnSitePage);
