/** `cairn site add|set|list|delete|restore`: through the running collector or the store, audited either way. */
import { checkNewSite, checkSettings, type SiteSettings } from '../sites/new-site.ts';
import { DELETE_GRACE_MS, publicSite, type SiteAdmin } from '../sites/site-admin.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import { adminFailure, adminRequest } from './admin-client.ts';
import { SECRET_NOTICE } from './key-commands.ts';
import { UsageError } from './usage-error.ts';

type WithAdmin = <T>(job: (admin: SiteAdmin, sites: SiteDirectory) => Promise<T>) => Promise<T>;
export type Flags = Record<string, string | boolean | undefined>;

interface SiteView {
  id: string;
  synthetic?: boolean;
  domains: string[];
  allowSubdomains: boolean;
  timezone: string;
  retentionMonths?: number;
  createdAt: number;
  deletedAt?: number | null;
}

const CLI = { actor: 'cli' };
const GRACE_DAYS = DELETE_GRACE_MS / 86_400_000;
const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const sitePath = (id: string) => `/sites/${encodeURIComponent(id)}`;

/** `publicUrl` is the one this command was given, to warn when a running collector's differs. */
export async function siteAdd(socket: string, withAdmin: WithAdmin, domain: string, flags: Flags, publicUrl: string): Promise<void> {
  const input = {
    domain,
    allowSubdomains: flags['no-subdomains'] !== true,
    timezone: typeof flags.timezone === 'string' ? flags.timezone : undefined,
    queryKeys: typeof flags['query-keys'] === 'string' ? flags['query-keys'].split(',').map((s) => s.trim()).filter(Boolean) : undefined,
    retentionMonths: retentionFlag(flags),
  };
  // Refuse a bad domain or zone before anything is created on disk.
  checkNewSite(input);
  const remote = await adminRequest(socket, 'POST', '/sites', input);
  let result: { site: SiteView; secret: string; tag: string };
  if (remote) {
    if (remote.status !== 201) throw adminFailure(remote);
    result = remote.body as typeof result;
    if (typeof flags['public-url'] === 'string' && !result.tag.includes(`src="${publicUrl}/t.js"`)) {
      console.warn('cairn: the tag uses the running collector\'s public URL (CAIRN_PUBLIC_URL of the server), not --public-url');
    }
  } else {
    result = await withAdmin((admin) => admin.create(input, CLI));
  }
  console.log(`Site ${result.site.id} added for ${result.site.domains.join(', ')}${result.site.allowSubdomains ? ' (and its subdomains)' : ''}.

Paste this tag into the <head> of every page (the plugins do it for you):

  ${result.tag}

Site id:  ${result.site.id}
Site key: ${result.secret}

${SECRET_NOTICE}`);
}

/** --retention-months as a number (checked with the other settings). */
function retentionFlag(flags: Flags): number | undefined {
  const raw = flags['retention-months'];
  return typeof raw === 'string' ? Number(raw) : undefined;
}

export async function siteSet(socket: string, withAdmin: WithAdmin, id: string, flags: Flags): Promise<void> {
  const changes: SiteSettings = {
    ...(typeof flags.timezone === 'string' ? { timezone: flags.timezone } : {}),
    ...(flags['retention-months'] !== undefined ? { retentionMonths: retentionFlag(flags) } : {}),
  };
  if (Object.keys(changes).length === 0) throw new UsageError('site set needs --timezone <zone> and/or --retention-months <n>');
  checkSettings(changes);
  const remote = await adminRequest(socket, 'PATCH', sitePath(id), changes);
  if (remote) {
    if (remote.status !== 200) throw adminFailure(remote);
  } else {
    await withAdmin((admin) => admin.update(id, changes, CLI));
  }
  const said = [changes.timezone && `time zone ${changes.timezone}`, changes.retentionMonths && `raw events kept ${changes.retentionMonths} months`].filter(Boolean);
  console.log(`Site ${id}: ${said.join(', ')}.${changes.timezone ? ' Its days are rolled up again in the new time zone.' : ''}`);
}

export async function siteList(socket: string, withAdmin: WithAdmin): Promise<void> {
  const remote = await adminRequest(socket, 'GET', '/sites');
  const { sites, deleted } = remote
    ? (remote.body as { sites?: SiteView[]; deleted?: SiteView[] })
    : await withAdmin(async (_admin, dir) => ({ sites: dir.list().map(publicSite), deleted: dir.deleted().map(publicSite) }));
  if (!sites?.length && !deleted?.length) {
    console.log('No sites yet. Add one with: cairn site add example.com');
    return;
  }
  if (sites?.length) {
    const rows = sites.map((s) => [
      s.id + (s.synthetic ? ' (synthetic)' : ''),
      s.domains.join(', ') + (s.allowSubdomains ? ' (+subdomains)' : ''),
      s.timezone,
      `${s.retentionMonths ?? 25} months`,
      day(s.createdAt),
    ]);
    const head = ['ID', 'DOMAINS', 'TIME ZONE', 'RAW EVENTS KEPT', 'ADDED'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  } else console.log('No live sites.');
  // One line per purge day: a site deleted by mistake is noticed here, while it can be restored.
  const byPurgeDay = Map.groupBy(deleted ?? [], (s) => day((s.deletedAt ?? 0) + DELETE_GRACE_MS));
  for (const [purge, gone] of [...byPurgeDay].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`\nDeleted (purged after ${purge} unless restored): ${gone.map((s) => `${s.id} (${s.domains.join(', ')})`).join(', ')}`);
  }
}

/** Stops the site counting at once; its data is purged after the grace period unless it is restored. */
export async function siteDelete(socket: string, withAdmin: WithAdmin, id: string, confirmed: boolean): Promise<void> {
  if (!confirmed) {
    throw new UsageError(
      `site delete stops ${id} counting at once and purges all its data ${GRACE_DAYS} days later (until then, cairn site restore ${id} brings it back): add --yes to go ahead`,
    );
  }
  const remote = await adminRequest(socket, 'DELETE', sitePath(id), { confirm: id });
  let done: { purgeAfter: number };
  if (remote) {
    if (remote.status !== 202) throw adminFailure(remote);
    done = remote.body as typeof done;
  } else {
    done = await withAdmin((admin) => admin.remove(id, CLI));
  }
  const at = new Date(done.purgeAfter).toISOString().slice(0, 16).replace('T', ' ');
  console.log(`Site ${id} deleted: it counts nothing from now on. All its data is purged after ${at} UTC unless you restore it first: cairn site restore ${id}`);
}

export async function siteRestore(socket: string, withAdmin: WithAdmin, id: string): Promise<void> {
  const remote = await adminRequest(socket, 'POST', `${sitePath(id)}/restore`);
  if (remote) {
    if (remote.status !== 200) throw adminFailure(remote);
  } else {
    await withAdmin((admin) => admin.restore(id, CLI));
  }
  console.log(`Site ${id} restored: it counts events again (those sent while it was deleted were refused).`);
}
