/** `/sites/:id`: a site's dashboard, read with the session (the dashboard widget asks for what the user may see). */
import { css, html, nothing } from 'lit';
import type { SiteAnswer } from '@cairn/collector/protocol';
import { SiteAppPage } from '../site-app-page.ts';
import { isAdmin } from '../types.ts';
import '../../dashboard/cairn-dashboard.ts';
import type { CairnEmptyEvent } from '../../core/events.ts';
import '../settings/site-live-check.ts';

export class CairnSitePage extends SiteAppPage {
  static override properties = { ...SiteAppPage.properties, empty: { state: true } };
  /** The dashboard shows "no visits recorded yet": the owner and admins get the live installation check under it. */
  declare empty: boolean;

  constructor() {
    super();
    this.empty = false;
  }

  static override styles = [
    ...SiteAppPage.styles,
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
      .links {
        margin-left: auto;
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
      }
      cairn-live-check {
        display: block;
        margin-top: 16px;
      }
    `,
  ];

  protected override titleOf(a: SiteAnswer): string {
    return a.site.name;
  }

  #dashboard(a: SiteAnswer) {
    return html`<cairn-dashboard site=${a.site.id} theme="auto" url-state @cairn-empty=${(e: CairnEmptyEvent) => (this.empty = e.empty)}></cairn-dashboard>
      ${this.empty && isAdmin(this.user) ? html`<cairn-live-check site=${a.site.id}></cairn-live-check>` : nothing}`;
  }

  override render() {
    const a = this.answer;
    return html`<div class="top">
        <h1 tabindex="-1">${a?.site.name ?? (this.error ? 'Site unavailable' : 'Dashboard')}</h1>
        ${a && a.site.domains.join(', ') !== a.site.name ? html`<span class="muted">${a.site.domains.join(', ')}</span>` : nothing}
        ${a && isAdmin(this.user)
          ? html`<span class="links">
              <a class="button" href="/sites/${encodeURIComponent(a.site.id)}/filtered">Filtered traffic</a>
              <a class="button" href="/sites/${encodeURIComponent(a.site.id)}/settings">Settings</a>
            </span>`
          : nothing}
      </div>
      ${this.error ? html`<p class="notice bad" role="alert">${this.error} <a href="/">Back to your sites</a></p>` : nothing}
      ${a ? this.#dashboard(a) : this.error ? nothing : html`<p class="muted" role="status">Loading…</p>`}`;
  }
}

if (!customElements.get('cairn-site-page')) customElements.define('cairn-site-page', CairnSitePage);
