/** Registered sites, cached in memory for the ingest hot path and reloaded from the store. */
import type { Site, SiteStore } from '../store/store.ts';

/** True when `host` is one of the site's domains, its `www.` form, or (if allowed) a subdomain. */
export function hostBelongsToSite(host: string, site: Site): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  for (const d of site.domains) {
    if (h === d || h === `www.${d}`) return true;
    if (site.allowSubdomains && h.endsWith(`.${d}`)) return true;
  }
  return false;
}

export class SiteDirectory {
  #store: SiteStore;
  #byId = new Map<string, Site>();

  constructor(store: SiteStore) {
    this.#store = store;
  }

  /** Replaces the cache with the store's sites (several collectors may share one store). */
  async reload(): Promise<void> {
    const sites = await this.#store.list();
    this.#byId = new Map(sites.map((s) => [s.id, s]));
  }

  get(id: string): Site | undefined {
    return this.#byId.get(id);
  }

  /** Stores a new site and makes it visible to ingest at once. */
  async create(site: Site): Promise<void> {
    await this.#store.create(site);
    this.#byId.set(site.id, site);
  }

  /** Changes a site's settings in the store and the cache; false when there is no such site. */
  async update(id: string, changes: { timezone?: string; retentionMonths?: number }): Promise<boolean> {
    const site = this.#byId.get(id);
    if (!site || !(await this.#store.update(id, changes))) return false;
    this.#byId.set(id, {
      ...site,
      ...(changes.timezone !== undefined ? { timezone: changes.timezone } : {}),
      ...(changes.retentionMonths !== undefined ? { retentionMonths: changes.retentionMonths } : {}),
    });
    return true;
  }

  list(): Site[] {
    return [...this.#byId.values()];
  }
}
