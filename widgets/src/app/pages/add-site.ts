/** "Add a site" on the sites list (owner and admins): registers it and shows its tag and first key, once. */
import { html } from 'lit';
import type { NewSiteAnswer } from '@cairn/collector/protocol';
import { FormPage } from '../form-page.ts';
import { errorOn, formAlert, formError, formValues, placeError, textField, timeZoneField } from '../form.ts';
import { request } from '../session.ts';
import '../cairn-copy-button.ts';

export class CairnAddSite extends FormPage {
  static override properties = { ...FormPage.properties, open: { state: true }, created: { state: true } };

  declare open: boolean;
  declare created: NewSiteAnswer | null;

  constructor() {
    super();
    this.open = false;
    this.created = null;
  }

  async #submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const v = formValues(e.target as HTMLFormElement);
    this.busy = true;
    this.error = null;
    try {
      this.created = await request<NewSiteAnswer>('POST', '/api/sites', { domain: v.domain, timezone: v.timezone, ...(v.name ? { name: v.name } : {}) });
      this.open = false;
      this.dispatchEvent(new Event('cairn-sites-change', { bubbles: true, composed: true }));
    } catch (err) {
      this.error = placeError(err, [
        ['domain', /domain/i],
        ['timezone', /time zone/i],
        ['name', /name/i],
      ]);
    } finally {
      this.busy = false;
    }
  }

  #createdPanel(c: NewSiteAnswer) {
    return html`<section class="card" aria-labelledby="created-h">
      <h2 id="created-h" tabindex="-1">${c.site.name} is added</h2>
      <p>Put this tag in the <code>&lt;head&gt;</code> of every page of the site, or install a Cairn plugin (<a href="/sites/${encodeURIComponent(c.site.id)}/settings">set-up values in its settings</a>).</p>
      <pre>${c.tag}</pre>
      <cairn-copy-button .text=${c.tag} label="Copy the tag"></cairn-copy-button>
      <div class="secret">
        <p><strong>Its site key, shown this once:</strong> plugins use it to show the dashboard in their admin. Keep it on the server; Cairn keeps only its hash.</p>
        <p><code>${c.secret}</code></p>
        <cairn-copy-button .text=${c.secret} label="Copy the key"></cairn-copy-button>
      </div>
      <button type="button" @click=${() => (this.created = null)}>Done</button>
    </section>`;
  }

  override render() {
    if (this.created) return this.#createdPanel(this.created);
    if (!this.open) return html`<button type="button" class="primary" @click=${() => (this.open = true)}>Add a site</button>`;
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    return html`<form class="card stack" aria-labelledby="add-h" @submit=${(e: SubmitEvent) => void this.#submit(e)} novalidate>
      <h2 id="add-h">Add a site</h2>
      ${formAlert(formError(this.error, ['domain', 'name', 'timezone']))}
      ${textField({ name: 'domain', label: 'Domain', required: true, hint: 'e.g. example.com: its subdomains count too (change it in the settings).', error: errorOn(this.error, 'domain') })}
      ${textField({ name: 'name', label: 'Name', hint: 'What the dashboard calls it; the domain otherwise.', error: errorOn(this.error, 'name') })}
      ${timeZoneField('timezone', zone, errorOn(this.error, 'timezone'), 'Days and hours of the stats are in this zone.')}
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Adding…' : 'Add the site'}</button>
        <button type="button" @click=${() => ((this.open = false), (this.error = null))}>Cancel</button>
      </div>
    </form>`;
  }
}

if (!customElements.get('cairn-add-site')) customElements.define('cairn-add-site', CairnAddSite);
