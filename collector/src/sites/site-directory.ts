/** Registered sites, cached in memory for the ingest hot path and reloaded from the store. */
import type { Site, SiteChanges, SiteKey, Store } from '../store/store.ts';

/** True when `host` is one of the site's domains, its `www.` form, or (if allowed) a subdomain. */
export function hostBelongsToSite(host: string, site: Site): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  for (const d of site.domains) {
    if (h === d || h === `www.${d}`) return true;
    if (site.allowSubdomains && h.endsWith(`.${d}`)) return true;
  }
  return false;
}

/**
 * The sites of the store. `get` and `list` know only live sites: a site whose deletion was asked
 * for counts nothing, answers nothing and is rolled up no more; `find` and `deleted` still see it
 * until it is purged (so that it can be restored).
 */
export class SiteDirectory {
  #store: Pick<Store, 'sites' | 'keys'>;
  #byId = new Map<string, Site>();

  constructor(store: Pick<Store, 'sites' | 'keys'>) {
    this.#store = store;
  }

  /** Replaces the cache with the store's sites (several collectors may share one store). */
  async reload(): Promise<void> {
    const sites = await this.#store.sites.list();
    this.#byId = new Map(sites.map((s) => [s.id, s]));
  }

  /** A live site. */
  get(id: string): Site | undefined {
    const site = this.#byId.get(id);
    return site && !site.deletedAt ? site : undefined;
  }

  /** A site, live or awaiting its purge. */
  find(id: string): Site | undefined {
    return this.#byId.get(id);
  }

  /** Stores a new site (and its first key) and makes it visible to ingest at once. */
  async create(site: Site, key?: SiteKey): Promise<void> {
    await this.#store.sites.create(site);
    if (key) await this.#store.keys.create(key);
    this.#byId.set(site.id, site);
  }

  /** Changes a site in the store and the cache; false when there is no such site. */
  async update(id: string, changes: SiteChanges): Promise<boolean> {
    const site = this.#byId.get(id);
    if (!site || !(await this.#store.sites.update(id, changes))) return false;
    const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    this.#byId.set(id, { ...site, ...defined });
    return true;
  }

  /** Deletes a site and all its data for good (see SiteStore.purge). */
  async purge(id: string): Promise<boolean> {
    const purged = await this.#store.sites.purge(id);
    this.#byId.delete(id);
    return purged;
  }

  /** Live sites, oldest first. */
  list(): Site[] {
    return [...this.#byId.values()].filter((s) => !s.deletedAt);
  }

  /** Sites awaiting their purge. */
  deleted(): Site[] {
    return [...this.#byId.values()].filter((s) => s.deletedAt);
  }
}
