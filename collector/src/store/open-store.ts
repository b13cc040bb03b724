/**
 * Opens the store the configuration names: the embedded DuckDB store in the data directory, or
 * MongoDB when CAIRN_STORE is a connection string. The only place that chooses an adapter.
 */
import type { Config } from '../config.ts';
import { openDuckDbStore, type DuckDbStoreOptions } from './duckdb/duckdb-store.ts';
import { DriverExecutor } from './mongodb/driver.ts';
import { openMongoStore } from './mongodb/mongodb-store.ts';
import { StoreError, type Store } from './store.ts';

/** A connection string without its password, for logs and messages. */
export const redactUrl = (url: string) => url.replace(/^(mongodb(?:\+srv)?:\/\/)([^@/]*@)/, (_, scheme: string, auth: string) => `${scheme}${auth.split(':')[0]}:***@`);

export async function openStore(
  config: Pick<Config, 'store' | 'dataDir'> & Partial<Pick<Config, 'loadIntervalMs' | 'minFreeMb' | 'memoryLimit' | 'threads'>>,
  hooks: Pick<DuckDbStoreOptions, 'onLoadError' | 'onRejected' | 'onDiskSpace'> = {},
): Promise<Store> {
  if (config.store === 'duckdb') {
    return openDuckDbStore({
      dataDir: config.dataDir,
      ...(config.loadIntervalMs !== undefined ? { loadIntervalMs: config.loadIntervalMs } : {}),
      ...(config.minFreeMb !== undefined ? { minFreeBytes: config.minFreeMb * 2 ** 20 } : {}),
      ...(config.memoryLimit ? { memoryLimit: config.memoryLimit } : {}),
      ...(config.threads ? { threads: config.threads } : {}),
      ...hooks,
    });
  }
  const location = redactUrl(config.store);
  let executor: DriverExecutor;
  try {
    executor = await DriverExecutor.connect(config.store);
  } catch (cause) {
    throw new StoreError('store.open', { message: `cannot reach MongoDB at ${location}: ${(cause as Error).message}`, cause });
  }
  return openMongoStore({ executor, location });
}
