/**
 * Keeps installed sites on the collector's current tracker: for each site with Cairn applied,
 * `installCairn` again, which registers and applies a new script version only when the collector
 * announces a release the site does not have (and writes nothing otherwise). Run at start and
 * every few hours; a site that fails is logged and the others go on.
 */
import { installCairn, type InstallDeps, type InstallResult } from './install.ts';

/** Refreshes every installed site; answers what happened to each. */
export async function refreshSites(deps: InstallDeps): Promise<{ siteId: string; result?: InstallResult; error?: string }[]> {
  const out: { siteId: string; result?: InstallResult; error?: string }[] = [];
  const installed = (await deps.tokens.sites()).filter((r) => r.applied).map((r) => r.siteId);
  for (const siteId of installed) {
    try {
      out.push({ siteId, result: await installCairn(deps, siteId) });
    } catch (err) {
      deps.log('warn', 'could not bring a Webflow site to the current tracker', { site: siteId, error: (err as Error).message });
      out.push({ siteId, error: (err as Error).message });
    }
  }
  return out;
}
