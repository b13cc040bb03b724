/** A site's share links: the list, making one (sections, optional password and expiry; its URL shown once), revoking one. */
import { html, nothing } from 'lit';
import type { NewShareAnswer, Section, SharesAnswer, ShareView } from '@cairn/collector/protocol';
import { FormPage } from '../form-page.ts';
import { errorOn, fieldError, formAlert, formError, formatTime, textField } from '../form.ts';
import { request } from '../session.ts';
import '../cairn-copy-button.ts';

const SECTION_LABELS: [Section, string][] = [
  ['traffic', 'Traffic (visitors, pages, countries, devices)'],
  ['sources', 'Sources (referrers, UTM tags)'],
  ['goals', 'Goals and funnels'],
  ['realtime', 'Right now'],
  ['export', 'Exports'],
];

export class CairnSiteShares extends FormPage {
  static override properties = {
    ...FormPage.properties,
    site: { type: String },
    shares: { state: true },
    created: { state: true },
    confirming: { state: true },
    listError: { state: true },
  };

  declare site: string;
  declare shares: ShareView[] | null;
  /** The link just made: its URL is shown until dismissed, never again. */
  declare created: NewShareAnswer | null;
  declare confirming: string | null;
  declare listError: string | null;

  constructor() {
    super();
    this.site = '';
    this.shares = null;
    this.created = null;
    this.confirming = null;
    this.listError = null;
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('site') && this.site) void this.#load();
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed);
    if (changed.has('created') && this.created) this.shadowRoot?.querySelector<HTMLElement>('#share-url-h')?.focus();
  }

  get #path() {
    return `/api/sites/${encodeURIComponent(this.site)}/shares`;
  }

  async #load(): Promise<void> {
    try {
      this.shares = (await request<SharesAnswer>('GET', this.#path)).shares;
    } catch (err) {
      this.listError = (err as Error).message;
    }
  }

  async #create(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const expires = String(data.get('expires') ?? '');
    this.busy = true;
    this.error = null;
    try {
      this.created = await request<NewShareAnswer>('POST', this.#path, {
        name: String(data.get('name') ?? '').trim() || 'Share link',
        sections: data.getAll('sections').map(String),
        ...(data.get('password') ? { password: String(data.get('password')) } : {}),
        // The end of the chosen day, in the browser's time zone.
        ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).getTime() } : {}),
      });
      form.reset();
      await this.#load();
    } catch (err) {
      this.error = err;
    } finally {
      this.busy = false;
    }
  }

  async #revoke(s: ShareView): Promise<void> {
    try {
      await request('DELETE', `${this.#path}/${encodeURIComponent(s.id)}`);
      this.confirming = null;
      await this.#load();
    } catch (err) {
      this.listError = (err as Error).message;
    }
  }

  #status(s: ShareView) {
    if (s.revokedAt) return html`<span class="muted">Revoked ${formatTime(s.revokedAt)}</span>`;
    if (s.expiresAt && s.expiresAt <= Date.now()) return html`<span class="muted">Expired ${formatTime(s.expiresAt)}</span>`;
    return s.expiresAt ? `Active until ${formatTime(s.expiresAt)}` : 'Active';
  }

  #row(s: ShareView) {
    const live = !s.revokedAt && !(s.expiresAt && s.expiresAt <= Date.now());
    return html`<tr>
      <td>${s.name} <code class="muted">…${s.last4}</code></td>
      <td data-label="Shows">${s.sections.join(', ')}${s.hasPassword ? html`<br /><span class="muted">with a password</span>` : nothing}</td>
      <td data-label="Made">${formatTime(s.createdAt)}</td>
      <td data-label="Status" class="wide">${this.#status(s)}</td>
      <td class="wide">
        ${!live
          ? nothing
          : this.confirming === s.id
            ? html`<div role="group" aria-label="Revoke ${s.name}?">
                <p>Its page shows nothing from now on.</p>
                <div class="actions">
                  <button type="button" class="danger solid" @click=${() => void this.#revoke(s)}>Revoke</button>
                  <button type="button" @click=${() => (this.confirming = null)}>Keep it</button>
                </div>
              </div>`
            : html`<button type="button" class="danger" aria-label="Revoke the share link ${s.name}" @click=${() => (this.confirming = s.id)}>Revoke</button>`}
      </td>
    </tr>`;
  }

  override render() {
    const shares = this.shares;
    const today = new Date();
    const min = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    return html`<section class="card" aria-labelledby="shares-h">
      <h2 id="shares-h">Share links</h2>
      <p class="muted">A read-only link to this dashboard for someone without an account: only the sections you choose, no settings. Revoke it at any time.</p>
      ${this.listError ? html`<p class="notice bad" role="alert">${this.listError}</p>` : nothing}
      ${this.created
        ? html`<div class="secret">
            <h3 id="share-url-h" tabindex="-1">The link “${this.created.share.name}”</h3>
            <p><code>${this.created.url}</code></p>
            <p>Copy it now: it is shown this once (Cairn keeps only its hash).${this.created.share.hasPassword ? ' Give the password separately.' : ''}</p>
            <div class="actions">
              <cairn-copy-button .text=${this.created.url} label="Copy the link"></cairn-copy-button>
              <button type="button" @click=${() => (this.created = null)}>I copied it</button>
            </div>
          </div>`
        : nothing}
      ${shares === null
        ? html`<p class="muted">Loading…</p>`
        : shares.length === 0
          ? html`<p>No share link yet.</p>`
          : html`<div class="table-wrap">
              <table class="stacked">
                <thead><tr><th scope="col">Name</th><th scope="col">Shows</th><th scope="col">Made</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
                <tbody>${shares.map((s) => this.#row(s))}</tbody>
              </table>
            </div>`}
      <form class="stack" aria-labelledby="add-share-h" @submit=${(e: SubmitEvent) => void this.#create(e)} novalidate>
        <h3 id="add-share-h">Make a share link</h3>
        ${formAlert(formError(this.error, ['name', 'sections', 'password', 'expiresAt']))}
        ${textField({ name: 'name', label: 'Name', hint: 'Who it is for, e.g. Acme marketing team.', error: errorOn(this.error, 'name') })}
        <fieldset aria-describedby=${errorOn(this.error, 'sections') ? 'sections-error' : nothing}>
          <legend>What it shows</legend>
          ${SECTION_LABELS.map(
            ([value, label]) => html`<label class="check"><input type="checkbox" name="sections" value=${value} ?checked=${value === 'traffic' || value === 'sources'} /> ${label}</label>`,
          )}
          ${fieldError('sections', errorOn(this.error, 'sections'))}
        </fieldset>
        ${textField({ name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', hint: 'Visitors type it before they see anything (10 characters or more).', error: errorOn(this.error, 'password') })}
        ${textField({ name: 'expires', label: 'Works until', type: 'date', min, hint: 'The end of that day; no date: until revoked.', error: errorOn(this.error, 'expiresAt') })}
        <div><button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Making…' : 'Make the link'}</button></div>
      </form>
    </section>`;
  }
}

if (!customElements.get('cairn-site-shares')) customElements.define('cairn-site-shares', CairnSiteShares);
