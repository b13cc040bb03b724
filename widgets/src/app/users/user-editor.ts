/** Changing a user's role (the owner only) and a client's sites and sections (PATCH /api/users/:user). */
import { html, nothing } from 'lit';
import type { SiteView, UserView } from '@cairn/collector/protocol';
import { AppPage } from '../app-page.ts';
import { errorOn, formAlert, formError } from '../form.ts';
import { request } from '../session.ts';
import type { CairnGrantsField } from './grants-field.ts';
import './grants-field.ts';

export class CairnUserEditor extends AppPage {
  static override properties = { ...AppPage.properties, target: { attribute: false }, sites: { attribute: false }, role: { state: true }, error: { state: true }, busy: { state: true } };

  /** The user being changed (`user` is who is logged in). */
  declare target: UserView;
  declare sites: SiteView[];
  declare role: 'admin' | 'client';
  declare error: unknown;
  declare busy: boolean;

  constructor() {
    super();
    this.sites = [];
    this.role = 'client';
    this.error = null;
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.role = this.target.role === 'admin' ? 'admin' : 'client';
  }

  async #save(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const grants = this.shadowRoot!.querySelector<CairnGrantsField>('cairn-grants-field')?.value;
    this.busy = true;
    this.error = null;
    try {
      await request('PATCH', `/api/users/${encodeURIComponent(this.target.id)}`, {
        ...(this.role !== this.target.role ? { role: this.role } : {}),
        ...(this.role === 'client' && grants ? { grants } : {}),
      });
      this.dispatchEvent(new Event('cairn-users-change', { bubbles: true, composed: true }));
    } catch (err) {
      this.error = err;
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const t = this.target;
    const canChangeRole = this.user?.role === 'owner' && t.role !== 'owner';
    const id = `role-${t.id}`;
    return html`<form class="stack" aria-label="Change ${t.name}" @submit=${(e: SubmitEvent) => void this.#save(e)} novalidate>
      ${formAlert(formError(this.error, ['grants', 'role']))}
      ${canChangeRole
        ? html`<div class="field">
            <label for=${id}>Role</label>
            <select id=${id} @change=${(e: Event) => (this.role = (e.target as HTMLSelectElement).value as 'admin' | 'client')}>
              <option value="client" ?selected=${this.role === 'client'}>Client</option>
              <option value="admin" ?selected=${this.role === 'admin'}>Admin</option>
            </select>
            ${errorOn(this.error, 'role') ? html`<p class="field-error">${errorOn(this.error, 'role')}</p>` : nothing}
          </div>`
        : nothing}
      ${this.role === 'client' ? html`<cairn-grants-field .sites=${this.sites} .value=${t.grants} error=${errorOn(this.error, 'grants') ?? nothing}></cairn-grants-field>` : nothing}
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Saving…' : 'Save'}</button>
        <button type="button" @click=${() => this.dispatchEvent(new Event('cairn-edit-cancel', { bubbles: true, composed: true }))}>Cancel</button>
      </div>
    </form>`;
  }
}

if (!customElements.get('cairn-user-editor')) customElements.define('cairn-user-editor', CairnUserEditor);
