/** The Store contract on the embedded store: real files, a real DuckDB. */
import { tempDir } from '../../testing/harness.ts';
import { describeStoreContract } from '../contract.suite.ts';
import type { Store } from '../store.ts';
import { openDuckDbStore } from './duckdb-store.ts';

const dirs = new WeakMap<Store, string>();
const openIn = async (dataDir: string) => {
  const store = await openDuckDbStore({ dataDir, loadIntervalMs: 3_600_000 });
  dirs.set(store, dataDir);
  return store;
};

describeStoreContract('duckdb', {
  open: async () => openIn(await tempDir('cairn-contract-')),
  reopen: async (store) => {
    await store.close();
    return openIn(dirs.get(store)!);
  },
});
