/**
 * Cairn's tracker as a Webflow registered hosted script: which registered scripts are ours, the
 * Webflow version a tracker release gets, the `data-*` attributes that configure it on a site, and
 * the merge of our entry into the app's list of scripts applied to a site.
 */
import type { Webflow } from 'webflow-api';
import type { TrackerRelease } from './cairn-client.ts';
import type { TrackerSettings } from './token-store.ts';

/**
 * The script's `displayName` (Webflow: 1–50 alphanumeric characters; the registered script's id
 * is derived from it, and stays the same from one version to the next).
 */
export const SCRIPT_NAME = 'Cairn';

export type RegisteredScript = Webflow.CustomCodeHostedResponse;
export type AppliedScript = Webflow.ScriptApply;

/** The app's registered Cairn scripts, every version. */
export const ourScripts = (registered: RegisteredScript[]): RegisteredScript[] => registered.filter((s) => s.displayName === SCRIPT_NAME);

/** The registered version that carries exactly this tracker release, if any. */
export const registeredRelease = (registered: RegisteredScript[], release: TrackerRelease): RegisteredScript | undefined =>
  ourScripts(registered).find((s) => s.hostedLocation === release.url && s.integrityHash === release.integrity);

/**
 * The Webflow version for a new release. Webflow wants a SemVer string and refuses to register a
 * version twice, while the collector's tracker versions are content hashes (no order, not SemVer):
 * so each release registered on a site gets the next patch, `1.0.0`, `1.0.1`, …, after the highest
 * of ours there. Which release a version carries is told by its `hostedLocation`
 * (`COLLECTOR/t/<tracker version>.js`), never by the number.
 */
export function nextVersion(registered: RegisteredScript[]): string {
  const patches = ourScripts(registered)
    .map((s) => /^1\.0\.(\d+)$/.exec(s.version ?? '')?.[1])
    .filter((p): p is string => p !== undefined)
    .map(Number);
  return `1.0.${patches.length ? Math.max(...patches) + 1 : 0}`;
}

/** The tracker tag's `data-*` attributes for a site: what configures t.js, so a settings change is no new version. */
export function scriptAttributes(collector: string, cairnSiteId: string, release: TrackerRelease, settings: TrackerSettings = {}): Record<string, string> {
  const attributes: Record<string, string> = { 'data-site': cairnSiteId, 'data-api': `${collector}/api/event` };
  if (settings.disable?.length) attributes['data-disable'] = settings.disable.join(' ');
  if (settings.exclude?.trim()) attributes['data-exclude'] = settings.exclude.trim();
  // t.js reads these two by presence: any value turns them on.
  if (settings.respectDnt) attributes['data-respect-dnt'] = 'true';
  // The chunk's own versioned URL: t.js would otherwise look for t-v.js next to itself.
  if (settings.vitals && release.vitals) attributes['data-vitals'] = release.vitals.url;
  return attributes;
}

/**
 * The app's applied list with our entry set to `entry` (or removed when `entry` is undefined):
 * another script of the app keeps its place; ours replaces ours wherever it was.
 */
export function mergeApplied(applied: AppliedScript[], ourIds: Set<string>, entry: AppliedScript | undefined): AppliedScript[] {
  const next: AppliedScript[] = [];
  let placed = false;
  for (const script of applied) {
    if (!ourIds.has(script.id)) next.push(script);
    else if (entry && !placed) {
      next.push(entry);
      placed = true;
    }
  }
  if (entry && !placed) next.push(entry);
  return next;
}

/** Whether two applied lists say the same (so a retried install writes nothing). */
export function sameApplied(a: AppliedScript[], b: AppliedScript[]): boolean {
  const norm = (list: AppliedScript[]) => JSON.stringify(list.map((s) => [s.id, s.location, s.version, Object.entries(s.attributes ?? {}).sort()]));
  return norm(a) === norm(b);
}
