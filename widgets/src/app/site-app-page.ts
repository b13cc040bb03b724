/** A page about one site (`/sites/:id…`): loads the site when `site` is set, or says why it cannot. */
import type { SiteAnswer } from '@cairn/collector/protocol';
import { AppPage } from './app-page.ts';
import { request } from './session.ts';

export abstract class SiteAppPage extends AppPage {
  static override properties = { ...AppPage.properties, site: { type: String }, answer: { state: true }, error: { state: true } };

  /** The site's id, from the route. */
  declare site: string;
  /** The site as `GET /api/sites/:id` answers it; null while loading or after an error. */
  declare answer: SiteAnswer | null;
  declare error: string | null;

  constructor() {
    super();
    this.site = '';
    this.answer = null;
    this.error = null;
  }

  /** The browser tab's title once the site is known. */
  protected abstract titleOf(answer: SiteAnswer): string;

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('site') && this.site) void this.#load();
  }

  async #load(): Promise<void> {
    this.answer = null;
    this.error = null;
    try {
      this.answer = await request<SiteAnswer>('GET', `/api/sites/${encodeURIComponent(this.site)}`);
      this.setTitle(this.titleOf(this.answer));
    } catch (err) {
      this.error = (err as Error).message;
    }
  }
}
