/** The collector's integration-key API (docs/api/integrations.md), over HTTP only. */
import { HttpError } from './http-error.ts';

export interface CairnSite {
  id: string;
  name: string;
  domains: string[];
  deletedAt?: string | null;
}

export interface ViewToken {
  token: string;
  site: string;
  sections: string[];
  expiresAt: string;
}

/** A site key as the collector lists it: never its secret. */
export interface CairnSiteKey {
  id: string;
  site: string;
  name: string;
  revokedAt?: string | null;
}

/** A goal: a page pattern or a custom event; `revenue`/`currency` name the props holding an amount and its ISO 4217 code. */
export interface CairnGoalInput {
  kind: 'page' | 'event';
  match: string;
  name?: string;
  revenue?: string;
  currency?: string;
}

export interface CairnGoal extends CairnGoalInput {
  id: string;
}

export interface CairnClient {
  createSite(input: { domain: string; name: string; timezone?: string }): Promise<CairnSite>;
  /** Sets a site's domains (the first stays its name's). */
  setDomains(id: string, domains: string[]): Promise<CairnSite>;
  /** The site, or undefined when the collector no longer has it (or it is deleted). */
  getSite(id: string): Promise<CairnSite | undefined>;
  /** Deletes the site (the collector purges it after its grace); a site already gone is fine. */
  deleteSite(id: string): Promise<void>;
  viewToken(id: string): Promise<ViewToken>;
  /** The site's keys, revoked ones included. */
  siteKeys(site: string): Promise<CairnSiteKey[]>;
  /** Makes a site key; its secret (`cairn_sk_…`) is answered this once. */
  createSiteKey(site: string, name: string): Promise<{ key: CairnSiteKey; secret: string }>;
  goals(site: string): Promise<CairnGoal[]>;
  createGoal(site: string, goal: CairnGoalInput): Promise<CairnGoal>;
}

/** A client for `collector` holding the integration key `key`. */
export function cairnClient(collector: string, key: string): CairnClient {
  const call = async (method: string, path: string, body?: unknown): Promise<Response> => {
    try {
      return await fetch(`${collector}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (cause) {
      throw new HttpError(502, 'collector_unreachable', `The Cairn collector at ${collector} could not be reached: ${(cause as Error).message}`);
    }
  };
  const fail = async (res: Response, what: string): Promise<never> => {
    const text = await res.text();
    throw new HttpError(502, 'collector_refused', `The Cairn collector refused to ${what}: ${res.status} ${text.slice(0, 200)}`);
  };
  return {
    async createSite(input) {
      const res = await call('POST', '/api/sites', input);
      if (res.status !== 201) return fail(res, 'create the shop’s site');
      return ((await res.json()) as { site: CairnSite }).site;
    },
    async setDomains(id, domains) {
      const res = await call('PATCH', `/api/sites/${encodeURIComponent(id)}`, { domains });
      if (!res.ok) return fail(res, 'set the shop’s domains');
      return ((await res.json()) as { site: CairnSite }).site;
    },
    async getSite(id) {
      const res = await call('GET', `/api/sites/${encodeURIComponent(id)}`);
      if (res.status === 404 || res.status === 403 || res.status === 410) return undefined;
      if (!res.ok) return fail(res, 'read the shop’s site');
      const site = ((await res.json()) as { site: CairnSite }).site;
      return site.deletedAt ? undefined : site;
    },
    async deleteSite(id) {
      const res = await call('DELETE', `/api/sites/${encodeURIComponent(id)}`, { confirm: id });
      if (res.status === 202 || res.status === 404 || res.status === 410) return;
      return fail(res, 'delete the shop’s site');
    },
    async viewToken(id) {
      const res = await call('POST', `/api/sites/${encodeURIComponent(id)}/tokens/view`, {});
      if (res.status !== 201) return fail(res, 'mint a view token');
      return (await res.json()) as ViewToken;
    },
    async siteKeys(site) {
      const res = await call('GET', `/api/sites/${encodeURIComponent(site)}/keys`);
      if (!res.ok) return fail(res, 'list the site’s keys');
      return ((await res.json()) as { keys: CairnSiteKey[] }).keys;
    },
    async createSiteKey(site, name) {
      const res = await call('POST', `/api/sites/${encodeURIComponent(site)}/keys`, { name });
      if (res.status !== 201) return fail(res, 'make a site key');
      return (await res.json()) as { key: CairnSiteKey; secret: string };
    },
    async goals(site) {
      const res = await call('GET', `/api/sites/${encodeURIComponent(site)}/goals`);
      if (!res.ok) return fail(res, 'list the site’s goals');
      return ((await res.json()) as { goals: CairnGoal[] }).goals;
    },
    async createGoal(site, goal) {
      const res = await call('POST', `/api/sites/${encodeURIComponent(site)}/goals`, goal);
      if (res.status !== 201) return fail(res, `create the goal "${goal.name ?? goal.match}"`);
      return (await res.json()) as CairnGoal;
    },
  };
}
