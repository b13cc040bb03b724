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

export interface CairnClient {
  createSite(input: { domain: string; name: string }): Promise<CairnSite>;
  /** The site, or undefined when the collector no longer has it (or it is deleted). */
  getSite(id: string): Promise<CairnSite | undefined>;
  /** Deletes the site (the collector purges it after its grace); a site already gone is fine. */
  deleteSite(id: string): Promise<void>;
  viewToken(id: string): Promise<ViewToken>;
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
  };
}
