/** `/setup#token=…`: creating the first owner with the link the collector logs at its first start (POST /api/auth/setup). */
import { css, html } from 'lit';
import { FormPage } from '../form-page.ts';
import { errorOn, formAlert, formError, formValues, linkToken, mismatch, newPasswordFields, placeError, textField } from '../form.ts';
import { navigate } from '../router.ts';
import { request } from '../session.ts';

export class CairnSetupPage extends FormPage {
  static override styles = [
    ...FormPage.styles,
    css`
      .box {
        max-width: 28rem;
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
      await request('POST', '/api/auth/setup', { token, email: values.email, password: values.password, ...(values.name ? { name: values.name } : {}) });
      navigate('/login?notice=owner-created', { replace: true });
    } catch (err) {
      this.error = placeError(err, [
        ['password', /password/i],
        ['email', /email/i],
        ['name', /name/i],
      ]);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const token = linkToken();
    return html`<div class="box">
      <h1 tabindex="-1">Set up Cairn</h1>
      ${token
        ? html`<form class="card stack" @submit=${(e: SubmitEvent) => void this.#submit(e, token)} novalidate>
            <p>Create the owner account: the owner manages every site, admin and client of this Cairn.</p>
            ${formAlert(formError(this.error, ['name', 'email', 'password', 'confirm']))}
            ${textField({ name: 'name', label: 'Your name', autocomplete: 'name', error: errorOn(this.error, 'name') })}
            ${textField({ name: 'email', label: 'Email', type: 'email', autocomplete: 'username', required: true, error: errorOn(this.error, 'email') })}
            ${newPasswordFields(this.error)}
            <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Creating…' : 'Create the owner account'}</button>
          </form>`
        : html`<p class="notice bad" role="alert">This page needs the setup link the collector printed when it started (it ends with #token=…).</p>`}
      <p><a href="/login">Log in</a></p>
    </div>`;
  }
}

if (!customElements.get('cairn-setup-page')) customElements.define('cairn-setup-page', CairnSetupPage);
