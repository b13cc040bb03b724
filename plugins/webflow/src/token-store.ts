/**
 * What the app keeps, one JSON file per record under the data directory, written atomically:
 * `authorizations/<id>.json` (an OAuth authorization: its access token, encrypted, and the sites
 * it covers) and `sites/<webflow site id>.json` (the Cairn site made for a Webflow site). Nothing
 * about visitors: analytics live in the collector.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openSecret, sealSecret, type Sealed } from '@cairn/tracker/integration';

/** One OAuth authorization (a person granted the app access to some sites, or a Workspace's). */
export interface AuthorizationRecord {
  /** Webflow's id for the authorization (`GET /token/introspect`). */
  id: string;
  /** The access token, encrypted; absent once Webflow refused it (the authorization was revoked). */
  token?: Sealed;
  scope?: string;
  /** The Webflow sites the token reaches (`GET /sites`), refreshed on each authorization. */
  siteIds: string[];
  authorizedAt: string;
  revokedAt?: string;
}

/** The tracker's features on a site, written into the script's `data-*` attributes. */
export interface TrackerSettings {
  /** Automatic features switched off (`data-disable`): spa, engagement, outbound, tel, mailto, download, form, cta. */
  disable?: string[];
  /** Paths not counted (`data-exclude`), space separated, `*` for any characters. */
  exclude?: string;
  /** Send nothing under Do Not Track / Global Privacy Control (`data-respect-dnt`). */
  respectDnt?: boolean;
  /** Report Core Web Vitals (`data-vitals`, with the collector's versioned t-v.js). */
  vitals?: boolean;
}

/** Cairn on one Webflow site. */
export interface SiteRecord {
  siteId: string;
  /** The Cairn site; kept after uninstalling, so a reinstall finds its history again. */
  cairnSiteId?: string;
  settings?: TrackerSettings;
  /** The script version last applied, e.g. `1.0.2`, and the tracker version it carries. */
  applied?: { scriptId: string; version: string; tracker: string };
  installedAt?: string;
  uninstalledAt?: string;
  /** When the app last wrote the site's applied scripts: live only once the site is published after it. */
  changedAt?: string;
  /** When Webflow last said the site was published (the `site_publish` webhook). */
  publishedAt?: string;
}

export interface TokenStore {
  authorization(id: string): Promise<AuthorizationRecord | undefined>;
  putAuthorization(record: AuthorizationRecord): Promise<void>;
  /** Encrypts an access token for `record.token`. */
  sealToken(authorizationId: string, token: string): Sealed;
  /** The access token of a live authorization, or undefined. */
  token(record: AuthorizationRecord): string | undefined;
  /** The newest live authorization covering `siteId`, with its token; undefined when none does. */
  forSite(siteId: string): Promise<{ authorization: AuthorizationRecord; token: string } | undefined>;
  site(siteId: string): Promise<SiteRecord | undefined>;
  putSite(record: SiteRecord): Promise<void>;
  /** Every site record. */
  sites(): Promise<SiteRecord[]>;
}

/** Webflow ids are 24-hex object ids; only a checked id may become a file name. */
export const isWebflowId = (id: unknown): id is string => typeof id === 'string' && /^[0-9a-f]{24}$/i.test(id);
const isRecordName = (id: string) => /^[A-Za-z0-9_-]{1,64}$/.test(id);

/** A store in `dir/`; `key` is the 32-byte encryption key. */
export function fileTokenStore(dir: string, key: Buffer): TokenStore {
  const authDir = join(dir, 'authorizations');
  const siteDir = join(dir, 'sites');
  const authPath = (id: string) => {
    if (!isRecordName(id)) throw new Error(`not an authorization id: ${id}`);
    return join(authDir, `${id}.json`);
  };
  const sitePath = (id: string) => {
    if (!isWebflowId(id)) throw new Error(`not a Webflow site id: ${id}`);
    return join(siteDir, `${id.toLowerCase()}.json`);
  };
  const token = (record: AuthorizationRecord) => (record.token ? openSecret(key, record.token, record.id) : undefined);
  const store: TokenStore = {
    authorization: (id) => readJson<AuthorizationRecord>(authPath(id)),
    putAuthorization: (record) => writeJson(authDir, authPath(record.id), record),
    sealToken: (id, text) => sealSecret(key, text, id),
    token,
    async forSite(siteId) {
      const names = await list(authDir);
      const live: AuthorizationRecord[] = [];
      for (const name of names) {
        const record = await readJson<AuthorizationRecord>(join(authDir, name));
        if (record?.token && record.siteIds.includes(siteId)) live.push(record);
      }
      // A site authorized twice (a person re-authorized, or a Workspace and a site grant): the newest wins.
      const newest = live.sort((a, b) => b.authorizedAt.localeCompare(a.authorizedAt))[0];
      return newest ? { authorization: newest, token: token(newest)! } : undefined;
    },
    site: (id) => readJson<SiteRecord>(sitePath(id)),
    putSite: (record) => writeJson(siteDir, sitePath(record.siteId), record),
    async sites() {
      const names = await list(siteDir);
      const records = await Promise.all(names.filter((n) => isWebflowId(n.replace(/\.json$/, ''))).map((n) => readJson<SiteRecord>(join(siteDir, n))));
      return records.filter((r): r is SiteRecord => Boolean(r));
    },
  };
  return store;
}

/** The `.json` files of a folder (none when it is not made yet). */
async function list(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder)).filter((n) => n.endsWith('.json'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function writeJson(folder: string, path: string, record: unknown): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(record, null, 2), { mode: 0o600 });
  await rename(tmp, path);
}
