/**
 * `cairn gdpr export|delete <site> --prop <key>=<id>`: what server SDKs sent about one person
 * (events whose prop holds their id), for access (NDJSON on stdout) and erasure requests. Through
 * the running collector, or the store when none runs; audited either way.
 */
import type { AuditLog } from '../accounts/audit.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { Store, StoredEvent } from '../store/store.ts';
import { adminFailure, adminRequest } from './admin-client.ts';

type WithStore = <T>(job: (sites: SiteDirectory, store: Store, audit: AuditLog) => Promise<T>) => Promise<T>;

/** `user_id=42` → the prop and the value. */
export function parsePerson(raw: string): { prop: string; value: string } | null {
  const at = raw.indexOf('=');
  return at > 0 ? { prop: raw.slice(0, at), value: raw.slice(at + 1) } : null;
}

const known = (sites: SiteDirectory, site: string) => {
  if (!sites.get(site)) throw new Error(`no site "${site}" (see cairn site list)`);
};

export async function gdprExport(socket: string, withStore: WithStore, site: string, person: { prop: string; value: string }): Promise<void> {
  const query = `prop=${encodeURIComponent(person.prop)}&value=${encodeURIComponent(person.value)}`;
  const remote = await adminRequest(socket, 'GET', `/sites/${encodeURIComponent(site)}/person?${query}`);
  if (remote && remote.status !== 200) throw adminFailure(remote);
  const events = remote
    ? (remote.body as { events: StoredEvent[] }).events
    : await withStore(async (sites, store, audit) => {
        known(sites, site);
        const found = await store.events.findByProp(site, person.prop, person.value);
        await audit.record({ actor: 'cli', action: 'gdpr.export', target: site, details: { prop: person.prop, events: found.length } });
        return found;
      });
  for (const e of events) process.stdout.write(`${JSON.stringify(e)}\n`);
  process.stderr.write(`${events.length} event${events.length === 1 ? '' : 's'} of ${site} with ${person.prop} = ${person.value}\n`);
}

export async function gdprDelete(socket: string, withStore: WithStore, site: string, person: { prop: string; value: string }): Promise<void> {
  const query = `prop=${encodeURIComponent(person.prop)}&value=${encodeURIComponent(person.value)}`;
  const remote = await adminRequest(socket, 'DELETE', `/sites/${encodeURIComponent(site)}/person?${query}`);
  if (remote && remote.status !== 200) throw adminFailure(remote);
  const deleted = remote
    ? (remote.body as { deleted: number }).deleted
    : await withStore(async (sites, store, audit) => {
        known(sites, site);
        const n = await store.events.deleteByProp(site, person.prop, person.value);
        await audit.record({ actor: 'cli', action: 'gdpr.delete', target: site, details: { prop: person.prop, events: n } });
        return n;
      });
  console.log(`Deleted ${deleted} event${deleted === 1 ? '' : 's'} of ${site} with ${person.prop} = ${person.value}; the days they were on are rolled up again.`);
}
