/** `/account`: who one is logged in as, and changing one's password. */
import { html, nothing } from 'lit';
import type { PasswordChangeAnswer } from '@cairn/collector/protocol';
import { FormPage } from '../form-page.ts';
import { errorOn, formAlert, formError, formValues, mismatch, newPasswordFields, textField } from '../form.ts';
import { ApiError } from '../../core/api.ts';
import { request, useCsrf } from '../session.ts';

const ROLES = { owner: 'the owner', admin: 'an admin', client: 'a client' };

export class CairnAccountPage extends FormPage {
  static override properties = { ...FormPage.properties, done: { state: true } };

  declare done: boolean;

  constructor() {
    super();
    this.done = false;
  }

  async #change(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const v = formValues(form);
    this.done = false;
    this.error = mismatch(v, 'next');
    if (this.error) return;
    this.busy = true;
    try {
      const { csrfToken } = await request<PasswordChangeAnswer>('POST', '/api/auth/password', { current: v.current, next: v.next });
      useCsrf(csrfToken);
      form.reset();
      this.done = true;
    } catch (err) {
      this.error = err instanceof ApiError && err.code === 'wrong_password' ? new ApiError(err.status, err.code, err.message, 'current') : err;
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const u = this.user;
    return html`<h1 tabindex="-1">Account</h1>
      ${u ? html`<section class="card" aria-labelledby="me-h"><h2 id="me-h">${u.name}</h2><p>${u.email}, ${ROLES[u.role]} of this Cairn.</p></section>` : nothing}
      <form class="card stack" aria-labelledby="pw-h" @submit=${(e: SubmitEvent) => void this.#change(e)} novalidate>
        <h2 id="pw-h">Change your password</h2>
        <p class="muted">Your other sessions end; this one stays.</p>
        ${formAlert(formError(this.error, ['current', 'next', 'confirm']))}
        ${this.done ? html`<p class="notice" role="status">Your password is changed.</p>` : nothing}
        <input type="email" name="username" autocomplete="username" .value=${u?.email ?? ''} hidden />
        ${textField({ name: 'current', label: 'Current password', type: 'password', autocomplete: 'current-password', required: true, error: errorOn(this.error, 'current') })}
        ${newPasswordFields(this.error, 'next')}
        <div><button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Changing…' : 'Change the password'}</button></div>
      </form>`;
  }
}

if (!customElements.get('cairn-account-page')) customElements.define('cairn-account-page', CairnAccountPage);
