/**
 * The dashboard app's shell: who is logged in, the header and its navigation, and the page the
 * URL names (router.ts). Pages that need a session send a logged-out visitor to the login page,
 * and back where they were going afterwards; links inside the app change pages without a reload.
 *
 * @summary `<cairn-app>`, the one element of the page the collector serves at `/`
 */
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import type { UserView } from '@cairn/collector/protocol';
import { theme } from '../core/styles.ts';
import { palette } from './app-styles.ts';
import type { AppPage } from './app-page.ts';
import type { CairnLoginEvent } from './events.ts';
import { appLinkOf, navigate, NAVIGATE_EVENT, PUBLIC_PAGES, routeOf, safeNext, type Route } from './router.ts';
import { request, SESSION_ENDED_EVENT, useCsrf, whoAmI } from './session.ts';
import { isAdmin } from './types.ts';
import { shellStyles } from './shell-styles.ts';
import './pages/account-page.ts';
import './pages/audit-page.ts';
import './pages/login-page.ts';
import './pages/reset-page.ts';
import './pages/setup-page.ts';
import './pages/site-page.ts';
import './pages/sites-page.ts';
import './settings/settings-page.ts';
import './pages/filtered-page.ts';
import './pages/share-page.ts';
import './users/users-page.ts';

const TITLES: Record<Route['page'], string> = {
  sites: 'Sites',
  login: 'Log in',
  site: 'Dashboard',
  settings: 'Site settings',
  filtered: 'Filtered traffic',
  users: 'Users & access',
  audit: 'Audit log',
  account: 'Account',
  reset: 'Choose a password',
  setup: 'Set up Cairn',
  share: 'Shared dashboard',
  'not-found': 'Page not found',
};

export class CairnApp extends LitElement {
  static override properties = { route: { state: true }, user: { state: true }, failure: { state: true } };
  static override styles = [palette, theme, shellStyles];

  declare route: Route | null;
  declare user: UserView | null;
  declare failure: string | null;

  /** Whether the next render came from the user moving within the app (then focus goes to the new page's heading). */
  #moved = false;
  /** Whether the session is known (until then, URL changes wait). */
  #started = false;

  constructor() {
    super();
    this.route = null;
    this.user = null;
    this.failure = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('popstate', this.#onLocation);
    window.addEventListener(NAVIGATE_EVENT, this.#onLocation);
    window.addEventListener(SESSION_ENDED_EVENT, this.#onSessionEnded);
    this.addEventListener('click', this.#onClick);
    this.addEventListener('cairn-login', this.#onLogin);
    // The stats widgets read with the session: their "token expired" is the session ending.
    this.addEventListener('cairn-token-expired', this.#onSessionEnded);
    void this.#start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('popstate', this.#onLocation);
    window.removeEventListener(NAVIGATE_EVENT, this.#onLocation);
    window.removeEventListener(SESSION_ENDED_EVENT, this.#onSessionEnded);
  }

  protected override async updated(): Promise<void> {
    if (!this.#moved) return;
    this.#moved = false;
    const page = this.shadowRoot?.querySelector<AppPage>('main > *');
    if (page && 'focusHeading' in page) await page.focusHeading();
    else this.shadowRoot?.querySelector<HTMLElement>('main h1')?.focus();
  }

  async #start(): Promise<void> {
    try {
      this.user = (await whoAmI())?.user ?? null;
    } catch (err) {
      this.failure = (err as Error).message;
      return;
    }
    this.#started = true;
    this.#resolve();
  }

  /** The route of the current URL, after sending a visitor where they may be. */
  #resolve(): void {
    const route = routeOf(location.pathname);
    if (!this.user && !PUBLIC_PAGES.has(route.page)) {
      const next = location.pathname === '/' ? '' : `?next=${encodeURIComponent(location.pathname + location.search)}`;
      return navigate(`/login${next}`, { replace: true });
    }
    if (this.user && route.page === 'login') return navigate(safeNext(new URLSearchParams(location.search).get('next')), { replace: true });
    if (this.route?.page !== route.page) document.title = `${TITLES[route.page]} · Cairn`;
    this.route = route;
  }

  #onLocation = () => {
    if (!this.#started) return;
    // A redirect while the app opens (to the login page) is no move: focus stays where browsers put it.
    this.#moved ||= this.route !== null;
    this.#resolve();
  };

  #onClick = (e: MouseEvent) => {
    const to = appLinkOf(e);
    if (to === null) return;
    e.preventDefault();
    if (to !== location.pathname + location.search + location.hash) navigate(to);
  };

  #onLogin = (e: CairnLoginEvent) => {
    this.user = e.user;
    this.#moved = true;
    navigate(safeNext(new URLSearchParams(location.search).get('next')), { replace: true });
  };

  #onSessionEnded = () => {
    if (!this.user) return;
    this.user = null;
    this.#moved = true;
    this.#resolve();
  };

  async #logOut(): Promise<void> {
    try {
      await request('POST', '/api/auth/logout');
    } catch {
      // The session may have ended already; the visitor is logged out either way.
    }
    useCsrf('');
    this.user = null;
    this.#moved = true;
    navigate('/login');
  }

  #page(route: Route): TemplateResult {
    const user = this.user;
    switch (route.page) {
      case 'login':
        return html`<cairn-login-page></cairn-login-page>`;
      case 'reset':
        return html`<cairn-reset-page></cairn-reset-page>`;
      case 'setup':
        return html`<cairn-setup-page></cairn-setup-page>`;
      case 'share':
        return html`<cairn-share-page></cairn-share-page>`;
      case 'sites':
        return html`<cairn-sites-page .user=${user}></cairn-sites-page>`;
      case 'site':
        return html`<cairn-site-page .user=${user} site=${route.site}></cairn-site-page>`;
      case 'settings':
        return html`<cairn-settings-page .user=${user} site=${route.site}></cairn-settings-page>`;
      case 'filtered':
        return isAdmin(user) ? html`<cairn-filtered-page .user=${user} site=${route.site}></cairn-filtered-page>` : this.#notAllowed();
      case 'users':
        return isAdmin(user) ? html`<cairn-users-page .user=${user}></cairn-users-page>` : this.#notAllowed();
      case 'audit':
        return isAdmin(user) ? html`<cairn-audit-page .user=${user}></cairn-audit-page>` : this.#notAllowed();
      case 'account':
        return html`<cairn-account-page .user=${user}></cairn-account-page>`;
      default:
        return html`<div class="plain"><h1 tabindex="-1">Page not found</h1><p>Nothing lives at this address. <a href="/">Go to your sites</a>.</p></div>`;
    }
  }

  #notAllowed(): TemplateResult {
    return html`<div class="plain"><h1 tabindex="-1">Not available</h1><p>Only the owner and admins open this page. <a href="/">Go to your sites</a>.</p></div>`;
  }

  #nav(user: UserView): TemplateResult {
    const here = this.route?.page;
    const link = (href: string, label: string | TemplateResult, pages: Route['page'][]) =>
      html`<li><a href=${href} aria-current=${here && pages.includes(here) ? 'page' : 'false'}>${label}</a></li>`;
    return html`<nav aria-label="Main">
        <ul>
          ${link('/', 'Sites', ['sites', 'site', 'settings', 'filtered'])}
          ${isAdmin(user) ? link('/users', html`Users<span class="more"> & access</span>`, ['users']) : nothing}
          ${isAdmin(user) ? link('/audit', 'Audit log', ['audit']) : nothing}
          ${link('/account', 'Account', ['account'])}
        </ul>
      </nav>
      <button type="button" class="logout" @click=${() => void this.#logOut()}>Log out</button>`;
  }

  override render() {
    // A button, not a link to #main: the page's ids live in this shadow root, out of a fragment's reach.
    return html`<header>
        <button type="button" class="skip" @click=${() => this.shadowRoot?.querySelector<HTMLElement>('main')?.focus()}>Skip to content</button>
        <a class="brand" href="/" aria-label="Cairn, your sites">
          <img src="/app/icon.svg" alt="" width="28" height="28" />
          <span>Cairn</span>
        </a>
        ${this.user ? this.#nav(this.user) : nothing}
      </header>
      <main id="main" tabindex="-1">
        ${this.failure
          ? html`<div class="plain"><h1 tabindex="-1">Cairn cannot be reached</h1><p role="alert">${this.failure.replace(/^Cairn cannot be reached: c/, 'C')}</p><button type="button" @click=${() => location.reload()}>Try again</button></div>`
          : this.route
            ? this.#page(this.route)
            : html`<p class="loading" role="status">Loading…</p>`}
      </main>`;
  }
}

if (!customElements.get('cairn-app')) customElements.define('cairn-app', CairnApp);

declare global {
  interface HTMLElementTagNameMap {
    'cairn-app': CairnApp;
  }
}
