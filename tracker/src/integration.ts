/**
 * @cairn/tracker/integration: the collector's integration-key API (docs/api/integrations.md) for
 * an app's server that sets Cairn up for others (the Shopify and Webflow apps), over HTTP only.
 * Every failure is one `IntegrationError` saying in plain words what was being done. Also what
 * such servers share besides: the environment check at start (`checkAppEnv`, app-env.ts) and
 * their secrets at rest (`sealSecret`/`openSecret`, seal-secret.ts).
 */

export { AppEnvError, checkAppEnv, type AppEnvChecker, type AppServerEnv } from './app-env.ts';
export { openSecret, sealSecret, type Sealed } from './seal-secret.ts';

/** A site the key created. */
export interface IntegrationSite {
  id: string;
  name: string;
  domains: string[];
  deletedAt?: string | null;
}

/** A view token for the widgets, valid while the key is. */
export interface ViewToken {
  token: string;
  site: string;
  sections: string[];
  expiresAt: string;
}

/** A site key as the collector lists it: never its secret. */
export interface SiteKey {
  id: string;
  site: string;
  name: string;
  revokedAt?: string | null;
}

/** A goal: a page pattern or a custom event; `revenue`/`currency` name the props holding an amount and its ISO 4217 code. */
export interface GoalInput {
  kind: 'page' | 'event';
  match: string;
  name?: string;
  revenue?: string;
  currency?: string;
}

export interface Goal extends GoalInput {
  id: string;
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

/**
 * A failed call. `status` is the collector's answer, 0 when it could not be reached; `code` is
 * `collector_unreachable`, `collector_refused` (an answer other than the one expected: a 401 or
 * 403 from `GET /api/sites` means the key itself is refused) or `collector_tracker` (a
 * `GET /api/tracker` answer without a usable release).
 */
export class IntegrationError extends Error {
  readonly status: number;
  readonly code: 'collector_unreachable' | 'collector_refused' | 'collector_tracker';
  constructor(status: number, code: IntegrationError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.code = code;
    this.name = 'IntegrationError';
  }
}

export interface IntegrationClientOptions {
  /** The collector's URL, e.g. `https://cairn.example.com` (no trailing slash needed). */
  collector: string;
  /** The integration key, `cairn_ik_…`. */
  key: string;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** What to throw instead of an `IntegrationError`, e.g. the app's own HTTP error. */
  toError?: (error: IntegrationError) => unknown;
}

export interface IntegrationClient {
  /** The sites the key created. */
  sites(): Promise<IntegrationSite[]>;
  createSite(input: { domain: string; name: string; timezone?: string }): Promise<IntegrationSite>;
  /** Sets a site's domains (the first stays its name's). */
  setDomains(id: string, domains: string[]): Promise<IntegrationSite>;
  /** The site, or undefined when the collector no longer has it (or it is deleted, or not the key's). */
  getSite(id: string): Promise<IntegrationSite | undefined>;
  /**
   * Deletes the site (the collector purges it after its grace). A site already deleted is fine:
   * the collector then answers 404, 410, or 403 (a deleted site is no longer the key's to see).
   */
  deleteSite(id: string): Promise<void>;
  /** Mints a view token for the site's widgets; `sections` and `ttl` as `POST /api/tokens/view`. */
  viewToken(id: string, options?: { sections?: string[]; ttl?: number }): Promise<ViewToken>;
  /** The site's keys, revoked ones included. */
  siteKeys(site: string): Promise<SiteKey[]>;
  /** Makes a site key; its secret (`cairn_sk_…`) is answered this once. */
  createSiteKey(site: string, name: string): Promise<{ key: SiteKey; secret: string }>;
  goals(site: string): Promise<Goal[]>;
  createGoal(site: string, goal: GoalInput): Promise<Goal>;
  /** The tracker release the collector announces. */
  tracker(): Promise<TrackerRelease>;
}

/** A client for `collector` holding the integration key `key`. */
export function createIntegrationClient(options: IntegrationClientOptions): IntegrationClient {
  const collector = options.collector.replace(/\/+$/, '');
  const fetchFn = options.fetch ?? fetch;
  const raise = (error: IntegrationError): never => {
    throw options.toError ? options.toError(error) : error;
  };
  const call = async (what: string, method: string, path: string, body?: unknown): Promise<Response> => {
    try {
      return await fetchFn(`${collector}${path}`, {
        method,
        headers: { authorization: `Bearer ${options.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (cause) {
      return raise(new IntegrationError(0, 'collector_unreachable', `The Cairn collector at ${collector} could not be reached to ${what}: ${(cause as Error).message}`, { cause }));
    }
  };
  const refused = async (res: Response, what: string): Promise<never> => {
    const text = await res.text().catch(() => '');
    return raise(new IntegrationError(res.status, 'collector_refused', `The Cairn collector refused to ${what}: ${res.status} ${text.slice(0, 200)}`.trimEnd()));
  };
  /** One call expecting `expected` (any 2xx when omitted); answers the parsed body. */
  const json = async <T>(what: string, method: string, path: string, body?: unknown, expected?: number): Promise<T> => {
    const res = await call(what, method, path, body);
    if (expected === undefined ? !res.ok : res.status !== expected) return refused(res, what);
    return (await res.json()) as T;
  };
  const site = (id: string) => `/api/sites/${encodeURIComponent(id)}`;

  const client: IntegrationClient = {
    async sites() {
      return (await json<{ sites: IntegrationSite[] }>('list the sites', 'GET', '/api/sites')).sites;
    },
    async createSite(input) {
      return (await json<{ site: IntegrationSite }>('create the site', 'POST', '/api/sites', input, 201)).site;
    },
    async setDomains(id, domains) {
      return (await json<{ site: IntegrationSite }>('set the site’s domains', 'PATCH', site(id), { domains })).site;
    },
    async getSite(id) {
      const what = 'read the site';
      const res = await call(what, 'GET', site(id));
      // 403: a site of another key, or of nobody's key any more; to this key it is gone.
      if (res.status === 404 || res.status === 403 || res.status === 410) return undefined;
      if (!res.ok) return refused(res, what);
      const found = ((await res.json()) as { site: IntegrationSite }).site;
      return found.deletedAt ? undefined : found;
    },
    async deleteSite(id) {
      const what = 'delete the site';
      const res = await call(what, 'DELETE', site(id), { confirm: id });
      if (res.status === 202 || res.status === 404 || res.status === 410) return;
      // A second delete (a webhook delivered again) meets a site the key can no longer see.
      if (res.status === 403 && (await client.getSite(id)) === undefined) return;
      return refused(res, what);
    },
    viewToken(id, body = {}) {
      return json<ViewToken>('mint a view token', 'POST', `${site(id)}/tokens/view`, body, 201);
    },
    async siteKeys(id) {
      return (await json<{ keys: SiteKey[] }>('list the site’s keys', 'GET', `${site(id)}/keys`)).keys;
    },
    createSiteKey(id, name) {
      return json<{ key: SiteKey; secret: string }>('make a site key', 'POST', `${site(id)}/keys`, { name }, 201);
    },
    async goals(id) {
      return (await json<{ goals: Goal[] }>('list the site’s goals', 'GET', `${site(id)}/goals`)).goals;
    },
    createGoal(id, goal) {
      return json<Goal>(`create the goal "${goal.name ?? goal.match}"`, 'POST', `${site(id)}/goals`, goal, 201);
    },
    async tracker() {
      const release = await json<TrackerRelease>('say which tracker it serves (GET /api/tracker)', 'GET', '/api/tracker');
      if (!release.version || !/^https?:\/\//.test(release.url ?? '') || !/^sha(256|384|512)-/.test(release.integrity ?? '')) {
        return raise(new IntegrationError(200, 'collector_tracker', 'The Cairn collector’s GET /api/tracker answer has no version, https URL or integrity hash: is the tracker built?'));
      }
      return release;
    },
  };
  return client;
}

/** What is wrong at start-up, in words an operator can act on. */
export interface CollectorProblem {
  /** True when the key itself is refused: nothing the app does can work, so it should not start. */
  fatal: boolean;
  message: string;
  error: IntegrationError;
}

/**
 * At an app's start: whether the collector answers `GET /api/sites` and accepts the key.
 * `undefined` when all is well. An unreachable collector is not fatal (it may simply start
 * later); a refused key (401/403) is. `keyName` names where the key comes from (an environment
 * variable) and `integrationName` the name to make a new key with.
 */
export async function checkCollector(
  options: Omit<IntegrationClientOptions, 'toError'> & { keyName?: string; integrationName?: string; timeoutMs?: number },
): Promise<CollectorProblem | undefined> {
  const { collector, keyName = 'the integration key', integrationName = 'My app', timeoutMs = 10_000 } = options;
  const fetchFn = options.fetch ?? fetch;
  const timed: typeof fetch = (input, init) => fetchFn(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  try {
    await createIntegrationClient({ ...options, fetch: timed }).sites();
    return undefined;
  } catch (err) {
    if (!(err instanceof IntegrationError)) throw err;
    const at = `the collector at ${collector}`;
    if (err.code === 'collector_unreachable') {
      return { fatal: false, error: err, message: `${at} could not be reached (${(err.cause as Error).message}); installs will fail until it answers` };
    }
    if (err.status === 401 || err.status === 403) {
      const fix = `check it, or make a new one with \`npm run cairn -- integration add --name "${integrationName}"\``;
      return { fatal: true, error: err, message: `${at} refused ${keyName} (${err.status}): ${fix}` };
    }
    return { fatal: false, error: err, message: `${at} answered ${err.status} to GET /api/sites` };
  }
}
