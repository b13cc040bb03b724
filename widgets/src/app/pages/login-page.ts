/**
 * The login page, and "forgot your password?" on it (an email with a reset link; where this Cairn
 * cannot send email, what to do instead).
 */
import { css, html, nothing } from 'lit';
import type { ResetRequestAnswer, SessionAnswer, SetupStatusAnswer } from '@cairn/collector/protocol';
import { FormPage } from '../form-page.ts';
import { CairnLoginEvent } from '../events.ts';
import { errorOn, formAlert, formError, formValues, textField } from '../form.ts';
import { ApiError } from '../../core/api.ts';
import { request, useCsrf } from '../session.ts';

/** What the pages that lead here say once they are done (`/login?notice=…`). */
const NOTICES: Record<string, string> = {
  'password-set': 'Your password is set. Log in with it.',
  'owner-created': 'The owner account is created. Log in with it.',
};

export class CairnLoginPage extends FormPage {
  static override properties = { ...FormPage.properties, mode: { state: true }, sent: { state: true }, noOwner: { state: true } };
  static override styles = [
    ...FormPage.styles,
    css`
      .box {
        max-width: 26rem;
        margin: 4vh auto 0;
      }
      .card {
        padding: 24px;
      }
      button.primary {
        width: 100%;
        justify-content: center;
        padding: 10px 14px;
      }
    `,
  ];

  declare mode: 'login' | 'forgot';
  declare sent: string | null;
  /** This Cairn has no owner yet: nobody can log in before it is created. */
  declare noOwner: boolean;

  constructor() {
    super();
    this.mode = 'login';
    this.sent = null;
    this.noOwner = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    request<SetupStatusAnswer>('GET', '/api/auth/setup').then(
      (a) => (this.noOwner = a.needed),
      () => undefined,
    );
  }

  async #logIn(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const { email = '', password = '' } = formValues(e.target as HTMLFormElement);
    this.busy = true;
    this.error = null;
    try {
      const me = await request<SessionAnswer>('POST', '/api/auth/login', { email, password });
      useCsrf(me.csrfToken);
      this.dispatchEvent(new CairnLoginEvent(me.user));
    } catch (err) {
      this.error = err;
    } finally {
      this.busy = false;
    }
  }

  async #requestReset(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const { email = '' } = formValues(e.target as HTMLFormElement);
    this.busy = true;
    this.error = null;
    try {
      const answer = await request<ResetRequestAnswer>('POST', '/api/auth/reset-request', { email });
      this.sent = answer.message[0]!.toUpperCase() + answer.message.slice(1) + '.';
    } catch (err) {
      this.error =
        err instanceof ApiError && err.status === 503
          ? new Error('This Cairn cannot send email, so it cannot send you a link. Ask its owner or an admin for a new invitation link, or, on the server, run: npm run cairn -- user password you@example.com --password-stdin')
          : err;
    } finally {
      this.busy = false;
    }
  }

  #switch(mode: 'login' | 'forgot'): void {
    this.mode = mode;
    this.error = null;
    this.sent = null;
    void this.focusHeading();
  }

  #loginForm() {
    const notice = NOTICES[new URLSearchParams(location.search).get('notice') ?? ''];
    return html`<h1 tabindex="-1">Log in to Cairn</h1>
      ${notice ? html`<p class="notice" role="status">${notice}</p>` : nothing}
      ${this.noOwner
        ? html`<div class="notice" role="status">
            <p><strong>This Cairn has no owner yet.</strong> Create the owner account with the setup link Cairn printed when it started: look in the terminal that runs <code>npm start</code>, or in its log, for “No owner yet”. The link is valid 24 hours; restart Cairn for a new one.</p>
            <p>Or, on the server: <code>npm run cairn -- user add you@example.com --owner --password-stdin</code></p>
          </div>`
        : nothing}
      <form class="card stack" @submit=${(e: SubmitEvent) => void this.#logIn(e)} novalidate>
        ${formAlert(formError(this.error, ['email', 'password']))}
        ${textField({ name: 'email', label: 'Email', type: 'email', autocomplete: 'username', required: true, error: errorOn(this.error, 'email') })}
        ${textField({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true, error: errorOn(this.error, 'password') })}
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Logging in…' : 'Log in'}</button>
        <p><button type="button" class="link" @click=${() => this.#switch('forgot')}>Forgot your password?</button></p>
      </form>`;
  }

  #forgotForm() {
    return html`<h1 tabindex="-1">Forgot your password?</h1>
      <form class="card stack" @submit=${(e: SubmitEvent) => void this.#requestReset(e)} novalidate>
        <p>Type the email of your account: if it has one, Cairn sends it a link to choose a new password, valid one hour.</p>
        ${formAlert(formError(this.error, ['email']))}
        ${this.sent ? html`<p class="notice" role="status">${this.sent}</p>` : nothing}
        ${textField({ name: 'email', label: 'Email', type: 'email', autocomplete: 'username', required: true, error: errorOn(this.error, 'email') })}
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Sending…' : 'Send me a link'}</button>
        <p><button type="button" class="link" @click=${() => this.#switch('login')}>Back to log in</button></p>
      </form>`;
  }

  override render() {
    return html`<div class="box">${this.mode === 'login' ? this.#loginForm() : this.#forgotForm()}</div>`;
  }
}

if (!customElements.get('cairn-login-page')) customElements.define('cairn-login-page', CairnLoginPage);
