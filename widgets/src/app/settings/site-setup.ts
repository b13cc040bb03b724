/** A site's tracker tag and the values its plugins ask for, each with a copy button. */
import { html } from 'lit';
import type { SiteSetup } from '@cairn/collector/protocol';
import { AppPage } from '../app-page.ts';
import '../cairn-copy-button.ts';

export class CairnSiteSetup extends AppPage {
  static override properties = { ...AppPage.properties, setup: { attribute: false }, keys: { type: Boolean } };

  declare setup: SiteSetup;
  /** Whether the reader can make site keys (the owner and admins: the "Site keys" section is below). */
  declare keys: boolean;

  override render() {
    const s = this.setup;
    return html`<section class="card" aria-labelledby="setup-h">
      <h2 id="setup-h">Tracker and plugins</h2>
      <h3 id="tag-h">Tracker tag</h3>
      <p>Put it in the <code>&lt;head&gt;</code> of every page of the site. It sets no cookie and stores nothing in the browser.</p>
      <pre aria-labelledby="tag-h">${s.tag}</pre>
      <cairn-copy-button .text=${s.tag} label="Copy the tag"></cairn-copy-button>
      <h3>With a plugin</h3>
      <p>The WordPress plugin and the Astro and Next.js integrations add the tag themselves (the WordPress plugin also shows this dashboard in its admin). They ask for:</p>
      <dl>
        <dt>Collector URL</dt>
        <dd><code>${s.collectorUrl}</code> <cairn-copy-button .text=${s.collectorUrl} label="Copy the URL"></cairn-copy-button></dd>
        <dt>Site ID</dt>
        <dd><code>${s.siteId}</code> <cairn-copy-button .text=${s.siteId} label="Copy the site ID"></cairn-copy-button></dd>
        <dt>Site key</dt>
        <dd>${this.keys ? 'Make one for each plugin under “Site keys” below: it is shown once.' : 'The site’s owner or an admin makes one for each plugin.'}</dd>
      </dl>
    </section>`;
  }
}

if (!customElements.get('cairn-site-setup')) customElements.define('cairn-site-setup', CairnSiteSetup);
