/** `/reset#token=…`: choosing a password from an invitation or a reset link (POST /api/auth/reset). */
import { css, html } from 'lit';
import { FormPage } from '../form-page.ts';
import { formAlert, formError, formValues, linkToken, mismatch, newPasswordFields } from '../form.ts';
import { navigate } from '../router.ts';
import { ApiError } from '../../core/api.ts';
import { request } from '../session.ts';

export class CairnResetPage extends FormPage {
  static override styles = [
    ...FormPage.styles,
    css`
      .box {
        max-width: 26rem;
        margin: 4vh auto 0;
      }
    `,
  ];

  async #submit(e: SubmitEvent, token: string): Promise<void> {
    e.preventDefault();
    const values = formValues(e.target as HTMLFormElement);
    this.error = mismatch(values);
    if (this.error) return;
    this.busy = true;
    try {
      await request('POST', '/api/auth/reset', { token, password: values.password });
      navigate('/login?notice=password-set', { replace: true });
    } catch (err) {
      this.error =
        err instanceof ApiError && err.code === 'invalid_link'
          ? new Error('This link no longer works: links last one hour and work once. Ask whoever invited you for a new one, or use "Forgot your password?" on the login page.')
          : err;
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const token = linkToken();
    return html`<div class="box">
      <h1 tabindex="-1">Choose a password</h1>
      ${token
        ? html`<form class="card stack" @submit=${(e: SubmitEvent) => void this.#submit(e, token)} novalidate>
            ${formAlert(formError(this.error, ['password', 'confirm']))} ${newPasswordFields(this.error)}
            <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Saving…' : 'Set my password'}</button>
          </form>`
        : html`<p class="notice bad" role="alert">This link is incomplete: open the whole link from your email, or ask for a new one.</p>`}
      <p><a href="/login">Log in</a></p>
    </div>`;
  }
}

if (!customElements.get('cairn-reset-page')) customElements.define('cairn-reset-page', CairnResetPage);
