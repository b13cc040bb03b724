/** Deleting a site: typed confirmation, and what the 7 days' grace means. */
import { html } from 'lit';
import type { SiteView } from '@cairn/collector/protocol';
import { FormPage } from '../form-page.ts';
import { errorOn, formAlert, formError, textField } from '../form.ts';
import { navigate } from '../router.ts';
import { request } from '../session.ts';

export class CairnSiteDelete extends FormPage {
  static override properties = { ...FormPage.properties, site: { attribute: false }, typed: { state: true } };

  declare site: SiteView;
  declare typed: string;

  constructor() {
    super();
    this.typed = '';
  }

  async #delete(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    this.busy = true;
    this.error = null;
    try {
      await request('DELETE', `/api/sites/${encodeURIComponent(this.site.id)}`, { confirm: this.typed.trim() });
      navigate('/');
    } catch (err) {
      this.error = err;
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const s = this.site;
    return html`<form class="card stack" aria-labelledby="delete-h" @submit=${(e: SubmitEvent) => void this.#delete(e)} novalidate>
      <h2 id="delete-h">Delete this site</h2>
      <p>
        The site stops counting at once: its events are refused, its stats and keys open nothing. For 7 days the owner or an admin can restore
        it as it was, from the sites list; after that, its events, daily totals, goals, keys and clients' access to it are erased for good.
      </p>
      ${formAlert(formError(this.error, ['confirm']))}
      <div @input=${(e: Event) => (this.typed = (e.target as HTMLInputElement).value)}>
        ${textField({ name: 'confirm', label: `Type the site ID, ${s.id}, to confirm`, required: true, autocomplete: 'off', error: errorOn(this.error, 'confirm') })}
      </div>
      <div><button class="danger solid" type="submit" ?disabled=${this.busy || this.typed.trim() !== s.id}>Delete ${s.name}</button></div>
    </form>`;
  }
}

if (!customElements.get('cairn-site-delete')) customElements.define('cairn-site-delete', CairnSiteDelete);
