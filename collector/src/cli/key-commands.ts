/** `cairn key list|add|revoke`: a site's keys, through the running collector or the store, audited either way. */
import type { SiteAdmin } from '../sites/site-admin.ts';
import { SITE_KEY_PREFIX } from '../sites/site-keys.ts';
import type { SiteKey } from '../store/store.ts';
import { adminFailure, adminRequest } from './admin-client.ts';

type WithAdmin = <T>(job: (admin: SiteAdmin) => Promise<T>) => Promise<T>;
type KeyView = Omit<SiteKey, 'hash'>;

const CLI = { actor: 'cli' };

/** Said under every secret the command line shows (site add, key add). */
export const SECRET_NOTICE = 'The site key is a secret for server-side use only (plugins, exports). It is shown this once; Cairn keeps only a hash of it.';

const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const path = (site: string, key?: string) => `/sites/${encodeURIComponent(site)}/keys${key === undefined ? '' : `/${encodeURIComponent(key)}`}`;

export async function keyList(socket: string, withAdmin: WithAdmin, site: string): Promise<void> {
  const remote = await adminRequest(socket, 'GET', path(site));
  if (remote && remote.status !== 200) throw adminFailure(remote);
  const keys = remote ? (remote.body as { keys: KeyView[] }).keys : await withAdmin((admin) => admin.keys(site));
  if (keys.length === 0) return console.log(`No keys for ${site}. Make one: cairn key add ${site} --name "WordPress plugin"`);
  const rows = keys.map((k) => [
    k.id,
    k.name,
    // Keys made before their last 4 characters were kept have none to show.
    `${SITE_KEY_PREFIX}…${k.last4 || '????'}`,
    day(k.createdAt),
    k.revokedAt === null ? 'active' : `revoked ${day(k.revokedAt)}`,
  ]);
  const head = ['ID', 'NAME', 'KEY', 'CREATED', 'STATUS'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}

export async function keyAdd(socket: string, withAdmin: WithAdmin, site: string, name: string): Promise<void> {
  const remote = await adminRequest(socket, 'POST', path(site), { name });
  let made: { key: KeyView; secret: string };
  if (remote) {
    if (remote.status !== 201) throw adminFailure(remote);
    made = remote.body as typeof made;
  } else {
    made = await withAdmin((admin) => admin.addKey(site, name, CLI));
  }
  console.log(`Key ${made.key.id} added to ${site}: ${made.key.name}.

Site key: ${made.secret}

${SECRET_NOTICE}`);
}

export async function keyRevoke(socket: string, withAdmin: WithAdmin, site: string, key: string): Promise<void> {
  const remote = await adminRequest(socket, 'DELETE', path(site, key));
  if (remote) {
    if (remote.status !== 204) throw adminFailure(remote);
  } else {
    await withAdmin((admin) => admin.revokeKey(site, key, CLI));
  }
  console.log(`Key ${key} of ${site} revoked: the key and every view token made with it stop working at once.`);
}
