/** `/audit`: the audit log (owner and admins), 20 entries a page, newest first, filtered by action. */
import { css, html, nothing } from 'lit';
import type { AuditAnswer, AuditEntry, SitesAnswer, UsersAnswer } from '@cairn/collector/protocol';
import { AppPage } from '../app-page.ts';
import { formatTime } from '../form.ts';
import { request } from '../session.ts';

/** The actions Cairn records (docs/api/auth.md#audit-log). */
const ACTIONS = [
  'login', 'login.failed', 'login.limited', 'logout',
  'password.change', 'password.change-limited', 'password.reset-request', 'password.reset-limited', 'password.reset', 'invitation.accept', 'password.set',
  'user.create', 'user.update', 'user.remove', 'user.invite',
  'site.create', 'site.update', 'site.delete', 'site.restore', 'site.purge',
  'goal.create', 'goal.remove', 'key.create', 'key.revoke', 'share.create', 'share.revoke', 'integration.create', 'integration.revoke',
  'export', 'gdpr.export', 'gdpr.delete',
];

export class CairnAuditPage extends AppPage {
  static override properties = { ...AppPage.properties, answer: { state: true }, error: { state: true } };
  static override styles = [
    ...AppPage.styles,
    css`
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: end;
        margin-bottom: 16px;
      }
      form .field {
        flex: 0 1 18rem;
      }
      td.when {
        white-space: nowrap;
      }
      .details {
        color: var(--_muted);
        font-size: 0.9em;
        overflow-wrap: anywhere;
      }
      nav.pages {
        display: flex;
        gap: 12px;
        align-items: center;
        margin-top: 16px;
      }
    `,
  ];

  declare answer: AuditAnswer | null;
  declare error: string | null;
  #names = new Map<string, string>();

  constructor() {
    super();
    this.answer = null;
    this.error = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('popstate', this.#onPop);
    void this.#loadNames().then(() => this.#load());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('popstate', this.#onPop);
  }

  #onPop = () => void this.#load();

  get #query() {
    const q = new URLSearchParams(location.search);
    return { page: Math.max(1, Number(q.get('page')) || 1), action: q.get('action') ?? '' };
  }

  /** Names for the user and site ids entries mention. */
  async #loadNames(): Promise<void> {
    try {
      const [users, sites] = await Promise.all([request<UsersAnswer>('GET', '/api/users'), request<SitesAnswer>('GET', '/api/sites')]);
      for (const u of users.users) this.#names.set(u.id, u.email);
      for (const s of [...sites.sites, ...(sites.deleted ?? [])]) this.#names.set(s.id, s.name);
    } catch {
      // Entries then show ids: still the log.
    }
  }

  async #load(): Promise<void> {
    const { page, action } = this.#query;
    const params = new URLSearchParams({ page: String(page), ...(action ? { action } : {}) });
    try {
      this.answer = await request<AuditAnswer>('GET', `/api/audit?${params}`);
      this.error = null;
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /** Shows another page or filter, as a step the Back button undoes. */
  #go(page: number, action: string): void {
    const params = new URLSearchParams({ ...(page > 1 ? { page: String(page) } : {}), ...(action ? { action } : {}) });
    history.pushState(null, '', `/audit${params.size ? `?${params}` : ''}`);
    void this.#load();
  }

  #name(id: string | null): string {
    if (id === null) return '—';
    if (id === 'cli') return 'command line';
    if (id === 'cairn') return 'Cairn';
    const [first, rest] = id.split('/');
    const known = this.#names.get(first!);
    return known ? (rest ? `${known} / ${rest}` : known) : id;
  }

  #row(e: AuditEntry) {
    const details = Object.entries(e.details).filter(([, v]) => v !== null);
    return html`<tr>
      <td class="when">${formatTime(e.ts)}</td>
      <td data-label="Who">${this.#name(e.actor)}</td>
      <td data-label="Action"><code>${e.action}</code></td>
      <td data-label="Target">${this.#name(e.target)}</td>
      <td class="details wide" data-label=${details.length > 0 ? 'Details' : nothing}>${details.map(([k, v]) => `${k}: ${String(v)}`).join(' · ')}</td>
    </tr>`;
  }

  override render() {
    const a = this.answer;
    const { page, action } = this.#query;
    return html`<h1 tabindex="-1">Audit log</h1>
      <form
        @submit=${(e: SubmitEvent) => {
          e.preventDefault();
          this.#go(1, (e.target as HTMLFormElement).querySelector('select')!.value);
        }}
      >
        <div class="field">
          <label for="action">Action</label>
          <select id="action">
            <option value="">All actions</option>
            ${ACTIONS.map((x) => html`<option value=${x} ?selected=${x === action}>${x}</option>`)}
          </select>
        </div>
        <button type="submit">Show</button>
      </form>
      ${this.error ? html`<p class="notice bad" role="alert">${this.error}</p>` : nothing}
      ${!a
        ? html`<p class="muted" role="status">Loading…</p>`
        : a.entries.length === 0
          ? html`<p>No entry${action ? ` for ${action}` : ''}.</p>`
          : html`<div class="table-wrap">
                <table class="stacked">
                  <caption class="sr-only">Audit log, page ${a.page} of ${a.pages}</caption>
                  <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Details</th></tr></thead>
                  <tbody>${a.entries.map((e) => this.#row(e))}</tbody>
                </table>
              </div>
              <nav class="pages" aria-label="Audit log pages">
                <button type="button" ?disabled=${page <= 1} @click=${() => this.#go(page - 1, action)}>Previous</button>
                <span role="status">Page ${a.page} of ${Math.max(1, a.pages)} · ${a.total} entries</span>
                <button type="button" ?disabled=${page >= a.pages} @click=${() => this.#go(page + 1, action)}>Next</button>
              </nav>`}`;
  }
}

if (!customElements.get('cairn-audit-page')) customElements.define('cairn-audit-page', CairnAuditPage);
