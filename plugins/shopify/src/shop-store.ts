/** Shop records, one JSON file per shop under the data directory, written atomically. */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openSecret, sealSecret, type Sealed } from '@cairn/tracker/integration';
import { isShopHostname } from './shop-hostname.ts';

/** What is kept about a shop: never its customers, only the app's own access and the Cairn site. */
export interface ShopRecord {
  shop: string;
  /** The Cairn site made for the shop; kept after uninstalling, so a reinstall finds its data again. */
  siteId?: string;
  /** The offline Admin API access token, encrypted; absent once the app is uninstalled. */
  token?: Sealed;
  scope?: string;
  installedAt?: string;
  uninstalledAt?: string;
  /**
   * The site key the App Proxy forwards the storefront's events with (named "Shopify app proxy"
   * on the collector): its id and site, and its secret encrypted as the token is.
   */
  proxyKey?: { id: string; site: string; secret: Sealed };
}

export interface ShopStore {
  get(shop: string): Promise<ShopRecord | undefined>;
  put(record: ShopRecord): Promise<void>;
  remove(shop: string): Promise<void>;
  /** Encrypts an access token for `record.token`. */
  sealToken(shop: string, token: string): Sealed;
  /** The access token of an installed shop, or undefined. */
  token(record: ShopRecord): string | undefined;
  /** Encrypts another secret of the shop (its proxy site key) as tokens are: the shop as associated data. */
  sealSecret(shop: string, secret: string): Sealed;
  /** The proxy site key's secret, or undefined when the shop has none. */
  proxyKeySecret(record: ShopRecord): string | undefined;
}

/** A store in `dir/shops/`; `key` is the 32-byte encryption key. */
export function fileShopStore(dir: string, key: Buffer): ShopStore {
  const folder = join(dir, 'shops');
  const path = (shop: string) => {
    // The name comes from a request: only a checked hostname may become a file name.
    if (!isShopHostname(shop)) throw new Error(`not a shop hostname: ${shop}`);
    return join(folder, `${shop.toLowerCase()}.json`);
  };
  return {
    async get(shop) {
      try {
        return JSON.parse(await readFile(path(shop), 'utf8')) as ShopRecord;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async put(record) {
      await mkdir(folder, { recursive: true, mode: 0o700 });
      const tmp = `${path(record.shop)}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(tmp, JSON.stringify(record, null, 2), { mode: 0o600 });
      await rename(tmp, path(record.shop));
    },
    async remove(shop) {
      await rm(path(shop), { force: true });
    },
    sealToken: (shop, token) => sealSecret(key, token, shop.toLowerCase()),
    token: (record) => (record.token ? openSecret(key, record.token, record.shop.toLowerCase()) : undefined),
    sealSecret: (shop, secret) => sealSecret(key, secret, shop.toLowerCase()),
    proxyKeySecret: (record) => (record.proxyKey ? openSecret(key, record.proxyKey.secret, record.shop.toLowerCase()) : undefined),
  };
}
