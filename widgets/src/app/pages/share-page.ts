/**
 * `/share#cairn_sh_…`: a site's dashboard through a share link, read-only, no settings. The link
 * (and, when it has one, its password) is exchanged for a view token of its sections
 * (`POST /api/share/token`), asked again before it expires; once the link is revoked or expired,
 * the page says so.
 */
import { css, html } from 'lit';
import type { ShareTokenAnswer } from '@cairn/collector/protocol';
import { ApiError } from '../../core/api.ts';
import type { CairnTokenExpiredEvent } from '../../core/events.ts';
import { FormPage } from '../form-page.ts';
import { errorOn, formAlert, formError, formValues, textField } from '../form.ts';
import { request } from '../session.ts';
import '../../dashboard/cairn-dashboard.ts';

export class CairnSharePage extends FormPage {
  static override properties = { ...FormPage.properties, answer: { state: true }, needsPassword: { state: true }, gone: { state: true } };
  static override styles = [
    ...FormPage.styles,
    css`
      .box {
        max-width: 26rem;
        margin: 4vh auto 0;
      }
      .top {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 16px;
        align-items: baseline;
        margin-bottom: 20px;
      }
      .top h1 {
        margin: 0;
      }
    `,
  ];

  declare answer: ShareTokenAnswer | null;
  declare needsPassword: boolean;
  /** Why the link opens nothing (revoked, expired, incomplete), or null. */
  declare gone: string | null;
  #password: string | undefined;
  #renew: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.answer = null;
    this.needsPassword = false;
    this.gone = null;
  }

  /** The link's secret, from the URL's fragment (never sent to a server by the browser). */
  get #secret(): string {
    return decodeURIComponent(location.hash.slice(1));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.#secret.startsWith('cairn_sh_')) this.gone = 'This link is incomplete: open the whole link you were given.';
    else void this.#open();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#renew);
  }

  /** Exchanges the link for a token; returns it, or null when the link needs a (right) password or is gone. */
  async #open(): Promise<string | null> {
    try {
      const a = await request<ShareTokenAnswer>('POST', '/api/share/token', { secret: this.#secret, ...(this.#password ? { password: this.#password } : {}) });
      this.answer = a;
      this.needsPassword = false;
      this.setTitle(a.site.name);
      // Renewed a minute before it expires, so the dashboard never meets an expired token.
      clearTimeout(this.#renew);
      this.#renew = setTimeout(() => void this.#open(), Math.max(5_000, Date.parse(a.expiresAt) - Date.now() - 60_000));
      return a.token;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'share_password') {
        this.needsPassword = true;
        this.error = this.#password ? err : null;
      } else if (err instanceof ApiError && err.status === 404) {
        this.answer = null;
        this.gone = err.message[0]!.toUpperCase() + err.message.slice(1) + '.';
      } else {
        this.error = err;
      }
      return null;
    }
  }

  async #submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    this.#password = formValues(e.target as HTMLFormElement).password ?? '';
    this.busy = true;
    try {
      await this.#open();
    } finally {
      this.busy = false;
    }
  }

  #onExpired = (e: CairnTokenExpiredEvent) => {
    void this.#open().then((token) => {
      if (token) e.retry(token);
    });
  };

  override render() {
    if (this.gone) {
      return html`<div class="box"><h1 tabindex="-1">Shared dashboard</h1><p class="notice bad" role="alert">${this.gone}</p></div>`;
    }
    if (this.needsPassword) {
      return html`<div class="box">
        <h1 tabindex="-1">Shared dashboard</h1>
        <form class="card stack" @submit=${(e: SubmitEvent) => void this.#submit(e)} novalidate>
          <p>This link is protected: type the password you were given with it.</p>
          ${formAlert(formError(this.error, ['password']))}
          ${textField({ name: 'password', label: 'Password', type: 'password', autocomplete: 'off', required: true, error: errorOn(this.error, 'password') })}
          <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Opening…' : 'Open the dashboard'}</button>
        </form>
      </div>`;
    }
    const a = this.answer;
    if (!a) return html`<h1 tabindex="-1">Shared dashboard</h1>${this.error ? formAlert(formError(this.error, [])) : html`<p class="muted" role="status">Loading…</p>`}`;
    return html`<div class="top">
        <h1 tabindex="-1">${a.site.name}</h1>
        <span class="muted">Shared dashboard, read-only${a.linkExpiresAt ? `, until ${new Date(a.linkExpiresAt).toLocaleString()}` : ''}</span>
      </div>
      <cairn-dashboard site=${a.site.id} .token=${a.token} theme="auto" url-state @cairn-token-expired=${this.#onExpired}></cairn-dashboard>`;
  }
}

if (!customElements.get('cairn-share-page')) customElements.define('cairn-share-page', CairnSharePage);
