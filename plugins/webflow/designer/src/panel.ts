/**
 * The panel once the site is connected: two tabs, "This page" (`<cairn-page-stats>` for the page
 * open in the Designer, or the pages of a CMS template's collection) and "Whole site"
 * (`<cairn-dashboard>`, in Webflow's large extension size while it is shown).
 */
import type { ViewAccess } from './app-client.ts';
import { h } from './dom.ts';
import type { PagePlace } from './page-path.ts';

type Tab = 'page' | 'site';

/** Extension sizes (developers.webflow.com "Resize the extension"): 320×460 for one page, 800×600 for the dashboard. */
const SIZE: Record<Tab, 'comfortable' | 'large'> = { page: 'comfortable', site: 'large' };
const WIDGETS = 'cairn-page-stats, cairn-breakdown, cairn-dashboard';

export class Panel {
  #access: ViewAccess;
  #tab: Tab = 'page';
  #place: PagePlace | null = null;
  readonly #pageBox = h('div', { class: 'tab-panel', id: 'tab-page', role: 'tabpanel', 'aria-labelledby': 'tab-page-button' });
  readonly #siteBox = h('div', { class: 'tab-panel', id: 'tab-site', role: 'tabpanel', 'aria-labelledby': 'tab-site-button', hidden: true });
  readonly #buttons: Record<Tab, HTMLElement>;

  /** `footer`: where visits are counted; `notice`: what must happen before they are (publish). */
  constructor(access: ViewAccess, footer: string | null, notice: string | null = null) {
    this.#access = access;
    const tab = (id: Tab, label: string) =>
      h('button', { type: 'button', role: 'tab', id: `tab-${id}-button`, 'aria-controls': `tab-${id}`, 'aria-selected': String(id === 'page'), onclick: () => void this.show(id) }, label);
    this.#buttons = { page: tab('page', 'This page'), site: tab('site', 'Whole site') };
    const app = document.getElementById('app')!;
    app.setAttribute('aria-busy', 'false');
    app.replaceChildren(
      h('nav', { class: 'tabs', role: 'tablist', 'aria-label': 'Cairn analytics' }, this.#buttons.page, this.#buttons.site),
      ...(notice ? [h('p', { class: 'notice', role: 'status' }, notice)] : []),
      this.#pageBox,
      this.#siteBox,
      ...(footer ? [h('p', { class: 'footer muted' }, footer)] : []),
    );
  }

  /** The widgets' shared attributes: the collector, the Cairn site, the view token, the Designer's dark theme. */
  #widget(tag: string, attrs: Record<string, unknown>): HTMLElement {
    const { collectorUrl, siteId, token } = this.#access;
    return h(tag, { api: collectorUrl, site: siteId, '.token': token, theme: 'dark', level: 2, ...attrs });
  }

  /** Shows the stats of the page the Designer has open. */
  showPage(place: PagePlace): void {
    this.#place = place;
    const current = this.#pageBox.querySelector('cairn-page-stats');
    if (place.kind === 'page' && current) {
      // The same element reads the new path (one request), keeping its period.
      current.setAttribute('path', place.path);
      current.setAttribute('heading', place.name);
      return;
    }
    if (place.kind === 'page') {
      this.#pageBox.replaceChildren(this.#widget('cairn-page-stats', { path: place.path, heading: place.name }));
    } else if (place.kind === 'collection') {
      this.#pageBox.replaceChildren(
        h('p', { class: 'note muted' }, `This is the template of the “${place.collection}” collection: each item is a page of its own, under ${place.pattern}.`),
        this.#widget('cairn-breakdown', {
          heading: `${place.collection} items`,
          dimension: 'page',
          limit: 10,
          filters: JSON.stringify([{ dimension: 'page', op: 'matches', values: [place.pattern] }]),
        }),
      );
    } else {
      this.#pageBox.replaceChildren(h('section', { class: 'state status' }, h('h1', {}, place.name), h('p', {}, `${place.reason} The whole site’s numbers are under “Whole site”.`)));
    }
  }

  /** The page shown, as read from the Designer (for tests and the renewal). */
  get place(): PagePlace | null {
    return this.#place;
  }

  /** Switches tab; the dashboard is made on first view, and the extension grows to hold it. */
  async show(tab: Tab): Promise<void> {
    this.#tab = tab;
    for (const [id, button] of Object.entries(this.#buttons)) button.setAttribute('aria-selected', String(id === tab));
    this.#pageBox.hidden = tab !== 'page';
    this.#siteBox.hidden = tab !== 'site';
    if (tab === 'site' && !this.#siteBox.firstChild) this.#siteBox.append(this.#widget('cairn-dashboard', {}));
    await webflow.setExtensionSize(SIZE[tab]).catch(() => null);
  }

  get tab(): Tab {
    return this.#tab;
  }

  /** Hands a renewed view token to every widget. */
  renew(access: ViewAccess): void {
    this.#access = access;
    for (const el of document.querySelectorAll(WIDGETS)) (el as HTMLElement & { token: string }).token = access.token;
  }
}
