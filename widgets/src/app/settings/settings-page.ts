/** `/sites/:id/settings`: a site's settings, tracker tag and plugin set-up, goals, keys, and its deletion (owner and admins). */
import { css, html, nothing } from 'lit';
import type { SiteAnswer, SiteView } from '@cairn/collector/protocol';
import { SiteAppPage } from '../site-app-page.ts';
import { isAdmin } from '../types.ts';
import './site-delete.ts';
import './site-general.ts';
import './site-goals.ts';
import './key-list.ts';
import './site-live-check.ts';
import './site-shares.ts';
import './site-setup.ts';

export class CairnSettingsPage extends SiteAppPage {
  static override styles = [
    ...SiteAppPage.styles,
    css`
      .crumb {
        margin: 0 0 6px;
      }
      .sections {
        display: grid;
        gap: 16px;
      }
    `,
  ];

  protected override titleOf(a: SiteAnswer): string {
    return `Settings of ${a.site.name}`;
  }

  #changed(site: SiteView): void {
    if (this.answer) this.answer = { ...this.answer, site };
  }

  override render() {
    const a = this.answer;
    const admin = isAdmin(this.user);
    return html`${a ? html`<p class="crumb"><a href="/sites/${encodeURIComponent(a.site.id)}">← ${a.site.name}</a></p>` : nothing}
      <h1 tabindex="-1">${a ? `Settings of ${a.site.name}` : 'Site settings'}</h1>
      ${this.error ? html`<p class="notice bad" role="alert">${this.error} <a href="/">Back to your sites</a></p>` : nothing}
      ${!a
        ? this.error
          ? nothing
          : html`<p class="muted" role="status">Loading…</p>`
        : html`<div class="sections">
            ${admin ? html`<cairn-site-general .site=${a.site} @cairn-site-change=${(e: CustomEvent<SiteView>) => this.#changed(e.detail)}></cairn-site-general>` : nothing}
            <cairn-site-setup .setup=${a.setup} ?keys=${admin}></cairn-site-setup>
            ${admin
              ? html`<cairn-live-check site=${a.site.id}></cairn-live-check>
                  <p><a href="/sites/${encodeURIComponent(a.site.id)}/filtered">Filtered traffic</a>: what the collector received and did not count, by reason.</p>
                  <cairn-site-goals site=${a.site.id}></cairn-site-goals>
                  <cairn-site-keys site=${a.site.id}></cairn-site-keys>
                  <cairn-site-shares site=${a.site.id}></cairn-site-shares>
                  <cairn-site-delete .site=${a.site}></cairn-site-delete>`
              : html`<p class="muted">Only the owner and admins change a site's settings, goals and keys.</p>`}
          </div>`}`;
  }
}

if (!customElements.get('cairn-settings-page')) customElements.define('cairn-settings-page', CairnSettingsPage);
