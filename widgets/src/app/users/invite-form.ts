/** "Invite a user": an admin (by the owner) or a client with its sites and sections. */
import { html, nothing } from 'lit';
import type { Invitation, NewUserAnswer, SiteView } from '@cairn/collector/protocol';
import { FormPage } from '../form-page.ts';
import { errorOn, formAlert, formError, formValues, placeError, textField } from '../form.ts';
import { request } from '../session.ts';
import type { CairnGrantsField } from './grants-field.ts';
import { invitationNotice } from './invitation-notice.ts';
import './grants-field.ts';

export class CairnInviteForm extends FormPage {
  static override properties = {
    ...FormPage.properties,
    sites: { attribute: false },
    open: { state: true },
    role: { state: true },
    invited: { state: true },
  };

  declare sites: SiteView[];
  declare open: boolean;
  declare role: 'client' | 'admin';
  declare invited: { email: string; invitation: Invitation | null } | null;

  constructor() {
    super();
    this.sites = [];
    this.open = false;
    this.role = 'client';
    this.invited = null;
  }

  async #submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const v = formValues(e.target as HTMLFormElement);
    const grants = this.shadowRoot!.querySelector<CairnGrantsField>('cairn-grants-field')?.value ?? [];
    this.busy = true;
    this.error = null;
    try {
      const a = await request<NewUserAnswer>('POST', '/api/users', {
        email: v.email,
        role: this.role,
        ...(v.name ? { name: v.name } : {}),
        ...(this.role === 'client' ? { grants } : {}),
      });
      this.invited = { email: a.user.email, invitation: a.invitation };
      this.open = false;
      this.dispatchEvent(new Event('cairn-users-change', { bubbles: true, composed: true }));
    } catch (err) {
      this.error = placeError(err, [
        ['email', /email|already exists/i],
        ['name', /name/i],
      ]);
    } finally {
      this.busy = false;
    }
  }

  #form() {
    const owner = this.user?.role === 'owner';
    return html`<form class="card stack" aria-labelledby="invite-h" @submit=${(e: SubmitEvent) => void this.#submit(e)} novalidate>
      <h2 id="invite-h">Invite a user</h2>
      ${formAlert(formError(this.error, ['email', 'name', 'role', 'grants']))}
      ${textField({ name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'off', error: errorOn(this.error, 'email') })}
      ${textField({ name: 'name', label: 'Name', autocomplete: 'off', hint: 'The part of the email before @ otherwise.', error: errorOn(this.error, 'name') })}
      <div class="field">
        <label for="role">Role</label>
        <select id="role" name="role" aria-describedby="role-hint" @change=${(e: Event) => (this.role = (e.target as HTMLSelectElement).value as 'client' | 'admin')}>
          <option value="client" ?selected=${this.role === 'client'}>Client</option>
          ${owner ? html`<option value="admin" ?selected=${this.role === 'admin'}>Admin</option>` : nothing}
        </select>
        <p class="hint" id="role-hint">
          ${this.role === 'admin' ? 'Admins see and manage every site, its goals and keys, and clients.' : 'Clients see the sites and sections granted below, and nothing else.'}
        </p>
      </div>
      ${this.role === 'client' ? html`<cairn-grants-field .sites=${this.sites} error=${errorOn(this.error, 'grants') ?? nothing}></cairn-grants-field>` : nothing}
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Inviting…' : 'Invite'}</button>
        <button type="button" @click=${() => ((this.open = false), (this.error = null))}>Cancel</button>
      </div>
    </form>`;
  }

  override render() {
    return html`${this.invited ? invitationNotice(this.invited.email, this.invited.invitation) : nothing}
      ${this.open ? this.#form() : html`<button type="button" class="primary" @click=${() => ((this.open = true), (this.invited = null))}>Invite a user</button>`}`;
  }
}

if (!customElements.get('cairn-invite-form')) customElements.define('cairn-invite-form', CairnInviteForm);
