/**
 * Cairn on a Webflow site: `installCairn` makes (or finds) the site's Cairn site, registers the
 * collector's current tracker as a hosted script when that release is not registered yet, and
 * applies it site-wide with the site's settings in its attributes; `uninstallCairn` takes only
 * Cairn's script off the site. Neither publishes: the change goes live when the site's owner
 * publishes it (Webflow's guidance for apps), which the answer's `publishNeeded` prompts.
 */
import type { AppDeps } from './deps.ts';
import { HttpError } from './http-error.ts';
import { mergeApplied, nextVersion, ourScripts, registeredRelease, sameApplied, SCRIPT_NAME, scriptAttributes, type AppliedScript, type RegisteredScript } from './hosted-script.ts';
import { siteDomains } from './site-domains.ts';
import { isWebflowId, type AuthorizationRecord, type SiteRecord, type TrackerSettings } from './token-store.ts';
import { Deauthorized, webflowCall, type WebflowApi } from './webflow-api.ts';

export type InstallDeps = Pick<AppDeps, 'config' | 'tokens' | 'cairn' | 'webflow' | 'log' | 'now'>;

export interface InstallResult {
  siteId: string;
  cairnSiteId: string;
  /** The domains the Cairn site counts: the custom domains, then the `webflow.io` one. */
  domains: string[];
  script: { id: string; version: string; tracker: string };
  /** A new script version was registered for this tracker release. */
  registered: boolean;
  /** The site's applied scripts were written (nothing is written when they already say this). */
  applied: boolean;
  /** The change is staged but not live: the site must be published in Webflow. */
  publishNeeded: boolean;
}

export interface UninstallResult {
  siteId: string;
  /** Cairn's script was on the site's applied list and was taken off. */
  removed: boolean;
  publishNeeded: boolean;
}

/**
 * Changes to one site, one at a time: two installs at once (the admin's page and the Designer
 * Extension, or a refresh) would both make a Cairn site, or register the same version twice.
 * In this process only: run one app server per data directory.
 */
const running = new Map<string, Promise<unknown>>();
function oneAtATime<T>(siteId: string, work: () => Promise<T>): Promise<T> {
  const next = (running.get(siteId) ?? Promise.resolve()).catch(() => undefined).then(work);
  running.set(siteId, next);
  void next.catch(() => undefined).finally(() => running.get(siteId) === next && running.delete(siteId));
  return next;
}

/** Installs Cairn on the Webflow site `siteId` (or brings it up to date); running it again changes nothing. */
export function installCairn(deps: InstallDeps, siteId: string, settings?: TrackerSettings): Promise<InstallResult> {
  return oneAtATime(siteId, () => install(deps, siteId, settings));
}

/** Takes Cairn's script off the site's applied list; other scripts stay. The Cairn site and its history stay too. */
export function uninstallCairn(deps: InstallDeps, siteId: string): Promise<UninstallResult> {
  return oneAtATime(siteId, () => uninstall(deps, siteId));
}

async function install(deps: InstallDeps, siteId: string, settings?: TrackerSettings): Promise<InstallResult> {
  const { config, tokens, cairn, log } = deps;
  const { api, call } = await access(deps, siteId);
  const site = await call('read the site', () => api.sites.get(siteId));
  const customDomains = site.customDomains ?? (await call('read the site’s custom domains', () => api.sites.getCustomDomain(siteId))).customDomains ?? [];
  const domains = siteDomains(site.shortName, customDomains);
  if (!domains.length) throw new HttpError(409, 'no_domain', 'The Webflow site has neither a custom domain nor a webflow.io address to count.');
  const record: SiteRecord = (await tokens.site(siteId)) ?? { siteId };

  // A reinstall keeps the site's history: reuse its Cairn site while the collector still has it.
  const existing = record.cairnSiteId ? await cairn.getSite(record.cairnSiteId) : undefined;
  let cairnSite = existing ?? (await cairn.createSite({ domain: domains[0]!, name: site.displayName || site.shortName || domains[0]!, ...timezone(site.timeZone) }));
  // Domains added in Webflow since the last install are added now.
  if (cairnSite.domains.join(' ') !== domains.join(' ')) cairnSite = await cairn.setDomains(cairnSite.id, domains);
  await tokens.putSite({ ...record, cairnSiteId: cairnSite.id });

  const release = await cairn.tracker();
  const registered = (await call('list the site’s registered scripts', () => api.scripts.list(siteId))).registeredScripts ?? [];
  let script = registeredRelease(registered, release);
  const registeredNow = !script;
  if (!script) {
    const request = { hostedLocation: release.url, integrityHash: release.integrity, version: nextVersion(registered), displayName: SCRIPT_NAME, canCopy: false };
    // canCopy false: a duplicated site must not count into this site's Cairn site.
    script = await call('register Cairn’s tracker script', () => api.scripts.registerHosted(siteId, request));
  }
  const entry: AppliedScript = { id: script.id!, location: 'header', version: script.version!, attributes: scriptAttributes(config.collector, cairnSite.id, release, settings ?? record.settings) };
  const applied = (await call('read the site’s applied scripts', () => api.sites.scripts.getCustomCode(siteId))).scripts ?? [];
  const next = mergeApplied(applied, ourIds(registered, script), entry);
  const write = !sameApplied(applied, next);
  if (write) await call('apply Cairn’s script to the site', () => api.sites.scripts.upsertCustomCode(siteId, { scripts: next }));

  const now = new Date(deps.now()).toISOString();
  const saved: SiteRecord = {
    ...record,
    cairnSiteId: cairnSite.id,
    settings: settings ?? record.settings,
    applied: { scriptId: entry.id, version: entry.version, tracker: release.version },
    installedAt: record.installedAt && !record.uninstalledAt ? record.installedAt : now,
    uninstalledAt: undefined,
    changedAt: write ? now : record.changedAt,
  };
  await tokens.putSite(saved);
  const publishNeeded = needsPublish(saved.changedAt, site.lastPublished, saved.publishedAt);
  log('info', 'Cairn installed on a Webflow site', { site: siteId, cairnSite: cairnSite.id, version: entry.version, tracker: release.version, registered: registeredNow, applied: write, publishNeeded });
  return { siteId, cairnSiteId: cairnSite.id, domains, script: { id: entry.id, version: entry.version, tracker: release.version }, registered: registeredNow, applied: write, publishNeeded };
}

async function uninstall(deps: InstallDeps, siteId: string): Promise<UninstallResult> {
  const { tokens, log } = deps;
  const { api, call } = await access(deps, siteId);
  const registered = (await call('list the site’s registered scripts', () => api.scripts.list(siteId))).registeredScripts ?? [];
  const applied = (await call('read the site’s applied scripts', () => api.sites.scripts.getCustomCode(siteId))).scripts ?? [];
  const rest = mergeApplied(applied, ourIds(registered), undefined);
  const removed = rest.length !== applied.length;
  if (removed && rest.length) await call('take Cairn’s script off the site', () => api.sites.scripts.upsertCustomCode(siteId, { scripts: rest }));
  // Nothing of the app's left: Webflow's "delete all the app's scripts on a site" says that plainly.
  else if (removed) await call('take Cairn’s script off the site', () => api.sites.scripts.deleteCustomCode(siteId));

  const record = await tokens.site(siteId);
  const now = new Date(deps.now()).toISOString();
  if (record) await tokens.putSite({ ...record, applied: undefined, uninstalledAt: now, changedAt: removed ? now : record.changedAt });
  const site = removed ? await call('read the site', () => api.sites.get(siteId)) : undefined;
  log('info', 'Cairn removed from a Webflow site', { site: siteId, removed });
  return { siteId, removed, publishNeeded: removed && needsPublish(now, site?.lastPublished) };
}

/** The Data API for the newest authorization covering `siteId`; a refused token is forgotten. */
async function access(deps: InstallDeps, siteId: string): Promise<{ api: WebflowApi; call: <T>(what: string, fn: () => Promise<T>) => Promise<T> }> {
  if (!isWebflowId(siteId)) throw new HttpError(400, 'bad_site', 'siteId must be a Webflow site id (24 hexadecimal characters).');
  const found = await deps.tokens.forSite(siteId);
  if (!found) throw new HttpError(403, 'not_authorized', 'The app is not authorized on this Webflow site: authorize it first (GET /auth).');
  const api = deps.webflow(found.token);
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await webflowCall(what, fn);
    } catch (err) {
      if (err instanceof Deauthorized) await forgetAuthorization(deps, found.authorization);
      throw err;
    }
  };
  return { api, call };
}

/** Webflow has no webhook for a revoked authorization: the first refused call is how the app learns it. */
export async function forgetAuthorization(deps: Pick<InstallDeps, 'tokens' | 'log' | 'now'>, authorization: AuthorizationRecord): Promise<void> {
  await deps.tokens.putAuthorization({ ...authorization, token: undefined, revokedAt: new Date(deps.now()).toISOString() });
  deps.log('warn', 'Webflow refused an authorization’s token: forgotten', { authorization: authorization.id });
}

/** Every id our registered scripts have had (and `also`'s): what of the applied list is Cairn's. */
function ourIds(registered: RegisteredScript[], also?: RegisteredScript): Set<string> {
  return new Set([...ourScripts(registered), ...(also ? [also] : [])].map((s) => s.id!).filter(Boolean));
}

/** Staged after the last publish (or never published): the live site does not have it yet. */
export function needsPublish(changedAt: string | undefined, ...published: (Date | string | undefined)[]): boolean {
  if (!changedAt) return false;
  const last = Math.max(0, ...published.filter(Boolean).map((p) => new Date(p!).getTime()));
  return last < new Date(changedAt).getTime();
}

/** The site's time zone when it is one the collector knows (IANA); else the collector's default. */
function timezone(zone: string | undefined): { timezone?: string } {
  return zone && Intl.supportedValuesOf('timeZone').includes(zone) ? { timezone: zone } : {};
}
