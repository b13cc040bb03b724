/** A site's name, domains, time zone and retention (PATCH /api/sites/:site). */
import { html, nothing } from 'lit';
import type { SiteChangeAnswer, SiteView } from '@cairn/collector/protocol';
import { FormPage } from '../form-page.ts';
import { errorOn, fieldError, formAlert, formError, formValues, placeError, textField, timeZoneField } from '../form.ts';
import { request } from '../session.ts';

/** An example subdomain of a domain, for the checkbox's label (shop.blog.example, not blog.blog.example). */
const subdomainOf = (domain: string) => `${domain.startsWith('blog.') ? 'shop' : 'blog'}.${domain}`;
const FIELDS = ['name', 'domains', 'allowSubdomains', 'queryKeys', 'timezone', 'retentionMonths'];

/** Where the API's messages about site settings belong (it names no field). */
const RULES: [string, RegExp][] = [
  ['domains', /domain/i],
  ['queryKeys', /querykeys|query param/i],
  ['timezone', /time zone/i],
  ['retentionMonths', /retention/i],
  ['name', /name/i],
];

const list = (s: string | undefined) => (s ?? '').split(/[\s,]+/).filter(Boolean);

export class CairnSiteGeneral extends FormPage {
  static override properties = { ...FormPage.properties, site: { attribute: false }, saved: { state: true } };

  declare site: SiteView;
  declare saved: boolean;

  constructor() {
    super();
    this.saved = false;
  }

  async #save(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const v = formValues(form);
    this.busy = true;
    this.error = null;
    this.saved = false;
    try {
      const { site } = await request<SiteChangeAnswer>('PATCH', `/api/sites/${encodeURIComponent(this.site.id)}`, {
        name: v.name,
        domains: list(v.domains),
        allowSubdomains: (form.elements.namedItem('allowSubdomains') as HTMLInputElement).checked,
        queryKeys: list(v.queryKeys),
        timezone: v.timezone,
        retentionMonths: Number(v.retentionMonths),
      });
      this.saved = true;
      this.dispatchEvent(new CustomEvent<SiteView>('cairn-site-change', { detail: site, bubbles: true, composed: true }));
    } catch (err) {
      this.error = placeError(err, RULES);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const s = this.site;
    const domainsError = errorOn(this.error, 'domains');
    return html`<form class="card stack" aria-labelledby="general-h" @submit=${(e: SubmitEvent) => void this.#save(e)} @input=${() => (this.saved = false)} novalidate>
      <h2 id="general-h">Site</h2>
      ${formAlert(formError(this.error, FIELDS))}
      ${textField({ name: 'name', label: 'Name', value: s.name, required: true, error: errorOn(this.error, 'name') })}
      <div class="field">
        <label for="domains">Domains</label>
        <textarea id="domains" name="domains" rows="3" aria-invalid=${domainsError ? 'true' : 'false'} aria-describedby="domains-hint ${domainsError ? 'domains-error' : ''}">${s.domains.join('\n')}</textarea>
        <p class="hint" id="domains-hint">One a line. Events from other hosts are refused.</p>
        ${fieldError('domains', domainsError)}
      </div>
      <label class="check"><input type="checkbox" name="allowSubdomains" ?checked=${s.allowSubdomains} />Count subdomains too (${subdomainOf(s.domains[0] ?? 'example.com')})</label>
      ${textField({ name: 'queryKeys', label: 'Query parameters to keep', value: s.queryKeys.join(', '), hint: 'Kept in page addresses, each value a page of its own: keep p on WordPress with plain permalinks (?p=12). Others are dropped; utm_*, ref and source count as campaigns.', error: errorOn(this.error, 'queryKeys') })}
      ${timeZoneField('timezone', s.timezone, errorOn(this.error, 'timezone'), 'Changing it rolls the closed days up again in the new zone.')}
      ${textField({ name: 'retentionMonths', label: 'Keep raw events for (months)', type: 'number', inputmode: 'numeric', min: 1, max: 1200, value: String(s.retentionMonths ?? 25), required: true, hint: 'Daily totals stay after that.', error: errorOn(this.error, 'retentionMonths') })}
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Saving…' : 'Save'}</button>
        <span role="status">${this.saved ? 'Saved.' : nothing}</span>
      </div>
    </form>`;
  }
}

if (!customElements.get('cairn-site-general')) customElements.define('cairn-site-general', CairnSiteGeneral);
