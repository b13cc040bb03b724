/** The collector's integration-key API (docs/api/integrations.md) and its tracker announcement, over HTTP only. */
import { HttpError } from './http-error.ts';

export interface CairnSite {
  id: string;
  name: string;
  domains: string[];
  deletedAt?: string | null;
}

/**
 * The tracker the collector serves now (`GET /api/tracker`): `url` is `COLLECTOR/t/<version>.js`,
 * whose bytes never change, and `integrity` its SRI hash (`sha384-…`); `vitals` likewise for the
 * Web Vitals chunk.
 */
export interface TrackerRelease {
  version: string;
  url: string;
  integrity: string;
  vitals?: { url: string; integrity: string };
}

export interface CairnClient {
  createSite(input: { domain: string; name: string; timezone?: string }): Promise<CairnSite>;
  /** Sets a site's domains (the first stays its name's). */
  setDomains(id: string, domains: string[]): Promise<CairnSite>;
  /** The site, or undefined when the collector no longer has it (or it is deleted). */
  getSite(id: string): Promise<CairnSite | undefined>;
  /** The tracker release the collector announces. */
  tracker(): Promise<TrackerRelease>;
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
      if (res.status !== 201) return fail(res, 'create the site');
      return ((await res.json()) as { site: CairnSite }).site;
    },
    async setDomains(id, domains) {
      const res = await call('PATCH', `/api/sites/${encodeURIComponent(id)}`, { domains });
      if (!res.ok) return fail(res, 'set the site’s domains');
      return ((await res.json()) as { site: CairnSite }).site;
    },
    async getSite(id) {
      const res = await call('GET', `/api/sites/${encodeURIComponent(id)}`);
      if (res.status === 404 || res.status === 403 || res.status === 410) return undefined;
      if (!res.ok) return fail(res, 'read the site');
      const site = ((await res.json()) as { site: CairnSite }).site;
      return site.deletedAt ? undefined : site;
    },
    async tracker() {
      const res = await call('GET', '/api/tracker');
      if (!res.ok) return fail(res, 'say which tracker it serves (GET /api/tracker)');
      const release = (await res.json()) as TrackerRelease;
      if (!release.version || !/^https?:\/\//.test(release.url ?? '') || !/^sha(256|384|512)-/.test(release.integrity ?? '')) {
        throw new HttpError(502, 'collector_tracker', 'The Cairn collector’s GET /api/tracker answer has no version, https URL or integrity hash: is the tracker built?');
      }
      return release;
    },
  };
}
