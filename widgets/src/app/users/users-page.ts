/** `/users`: users and client access (owner and admins): invite, change roles and grants, remove, send a new invitation link. */
import { css, html, nothing } from 'lit';
import type { Invitation, InvitationAnswer, SitesAnswer, SiteView, UsersAnswer, UserView } from '@cairn/collector/protocol';
import { AppPage } from '../app-page.ts';
import { request } from '../session.ts';
import { SECTION_LABELS } from '../types.ts';
import { invitationNotice } from './invitation-notice.ts';
import '../settings/key-list.ts';
import './invite-form.ts';
import './user-editor.ts';

const ROLE_LABELS = { owner: 'Owner', admin: 'Admin', client: 'Client' };

export class CairnUsersPage extends AppPage {
  static override properties = {
    ...AppPage.properties,
    users: { state: true },
    sites: { state: true },
    editing: { state: true },
    confirming: { state: true },
    links: { state: true },
    error: { state: true },
  };
  static override styles = [
    ...AppPage.styles,
    css`
      cairn-invite-form {
        margin-bottom: 24px;
      }
      cairn-integration-keys {
        display: block;
        margin-top: 32px;
      }
      ul.users {
        list-style: none;
        padding: 0;
        margin: 0;
        display: grid;
        gap: 12px;
      }
      .user {
        margin: 0;
        display: grid;
        grid-template-columns: minmax(0, 1fr) auto;
        gap: 8px 16px;
      }
      .user > .wide {
        grid-column: 1 / -1;
      }
      .who {
        overflow-wrap: anywhere;
      }
      .who strong {
        display: block;
      }
      .badge {
        display: inline-block;
        font-size: 0.85em;
        padding: 1px 8px;
        border-radius: 999px;
        background: var(--_accent-soft);
        margin-right: 6px;
      }
      .user p {
        margin: 0;
      }
      .access {
        margin: 0;
        padding-left: 18px;
      }
      @media (max-width: 560px) {
        .user {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];

  declare users: UserView[] | null;
  declare sites: SiteView[];
  declare editing: string | null;
  declare confirming: string | null;
  /** Invitation links made on this page, by user id (shown until the page is left). */
  declare links: Record<string, Invitation>;
  declare error: string | null;

  constructor() {
    super();
    this.users = null;
    this.sites = [];
    this.editing = null;
    this.confirming = null;
    this.links = {};
    this.error = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('cairn-users-change', () => ((this.editing = null), void this.#load()));
    this.addEventListener('cairn-edit-cancel', () => (this.editing = null));
    void this.#load();
  }

  async #load(): Promise<void> {
    try {
      const [users, sites] = await Promise.all([request<UsersAnswer>('GET', '/api/users'), request<SitesAnswer>('GET', '/api/sites')]);
      this.users = users.users;
      this.sites = sites.sites;
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  async #act(job: () => Promise<void>): Promise<void> {
    this.error = null;
    try {
      await job();
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  #remove = (u: UserView) =>
    this.#act(async () => {
      await request('DELETE', `/api/users/${encodeURIComponent(u.id)}`);
      this.confirming = null;
      await this.#load();
    });

  #reinvite = (u: UserView) =>
    this.#act(async () => {
      const { invitation } = await request<InvitationAnswer>('POST', `/api/users/${encodeURIComponent(u.id)}/invitation`);
      this.links = { ...this.links, [u.id]: invitation };
    });

  /** Whether the logged-in user may change `u` (the owner: anyone else; admins: clients). */
  #manages(u: UserView): boolean {
    if (u.id === this.user?.id || u.role === 'owner') return false;
    return this.user?.role === 'owner' || u.role === 'client';
  }

  #access(u: UserView) {
    if (u.role !== 'client') return html`<p class="muted">Every site</p>`;
    if (u.grants.length === 0) return html`<p class="muted">No site yet</p>`;
    const name = (id: string) => this.sites.find((s) => s.id === id)?.name ?? id;
    return html`<ul class="access">
      ${u.grants.map((g) => html`<li>${name(g.site)} <span class="muted">(${g.sections.map((s) => SECTION_LABELS[s] ?? s).join(', ')})</span></li>`)}
    </ul>`;
  }

  #actions(u: UserView) {
    if (this.confirming === u.id) {
      return html`<div class="actions" role="group" aria-label="Remove ${u.name}?">
        <span>Remove ${u.name}? Their sessions end.</span>
        <button type="button" class="danger solid" @click=${() => void this.#remove(u)}>Remove</button>
        <button type="button" @click=${() => (this.confirming = null)}>Keep</button>
      </div>`;
    }
    return html`<div class="actions">
      <button type="button" aria-expanded=${this.editing === u.id ? 'true' : 'false'} aria-label="Change the access of ${u.name}" @click=${() => (this.editing = this.editing === u.id ? null : u.id)}>Change</button>
      ${u.hasPassword ? nothing : html`<button type="button" aria-label="New invitation link for ${u.name}" @click=${() => void this.#reinvite(u)}>New invitation</button>`}
      <button type="button" class="danger" aria-label="Remove ${u.name}" @click=${() => (this.confirming = u.id)}>Remove</button>
    </div>`;
  }

  #user(u: UserView) {
    return html`<li class="user card">
      <div class="who">
        <strong>${u.name}${u.id === this.user?.id ? ' (you)' : ''}</strong>
        <span class="muted">${u.email}</span>
      </div>
      <div><span class="badge">${ROLE_LABELS[u.role]}</span>${u.hasPassword ? nothing : html`<span class="muted">Invited</span>`}</div>
      <div class="wide">${this.#access(u)}</div>
      ${this.#manages(u) ? html`<div class="wide">${this.#actions(u)}</div>` : nothing}
      ${this.links[u.id] ? html`<div class="wide">${invitationNotice(u.email, this.links[u.id]!)}</div>` : nothing}
      ${this.editing === u.id ? html`<div class="wide"><cairn-user-editor .user=${this.user} .target=${u} .sites=${this.sites}></cairn-user-editor></div>` : nothing}
    </li>`;
  }

  override render() {
    return html`<h1 tabindex="-1">Users & access</h1>
      ${this.error ? html`<p class="notice bad" role="alert">${this.error}</p>` : nothing}
      <cairn-invite-form .user=${this.user} .sites=${this.sites}></cairn-invite-form>
      ${this.users === null ? html`<p class="muted" role="status">Loading…</p>` : html`<ul class="users">${this.users.map((u) => this.#user(u))}</ul>`}
      <cairn-integration-keys></cairn-integration-keys>`;
  }
}

if (!customElements.get('cairn-users-page')) customElements.define('cairn-users-page', CairnUsersPage);
