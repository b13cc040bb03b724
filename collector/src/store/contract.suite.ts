/**
 * The Store contract (ARCHITECTURE.md §6): what every adapter must do, checked through the Store
 * interface alone, with the same data and the same expected answers for each. An adapter's test
 * file calls `describeStoreContract` with a harness; parts an adapter does not implement yet are
 * listed in `missing`, and their tests are skipped (reported as skipped, never as passed).
 *
 * Its parts, by concern, are in contract/: events and salts, sites (with their keys, goals and bot
 * counts, and meta values), accounts (users, logins, the audit log), stats (and rollups);
 * fixtures.ts holds what they share. Adapter-specific behaviour (the embedded store's journal and
 * crashes, files on disk) stays in the adapter's own tests.
 */
import { afterEach, describe } from 'vitest';
import type { Store } from './store.ts';
import { describeAccountsContract } from './contract/accounts.suite.ts';
import { describeEventsContract } from './contract/events.suite.ts';
import type { ContractHarness, ContractStores } from './contract/fixtures.ts';
import { describeSitesContract } from './contract/sites.suite.ts';
import { describeStatsContract } from './contract/stats.suite.ts';

export { contractEvent, type ContractHarness } from './contract/fixtures.ts';

/** Describes every part of the contract for the adapter `name`, on the stores `harness` opens. */
export function describeStoreContract(name: string, harness: ContractHarness): void {
  const open: Store[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close().catch(() => undefined);
  });
  const fresh = async () => {
    const s = await harness.open();
    open.push(s);
    return s;
  };
  const restart = async (s: Store) => {
    const again = await harness.reopen(s);
    open.push(again);
    return again;
  };

  const stores: ContractStores = { fresh, restart, harness };

  describe(`${name}: the Store contract`, () => {
    describeEventsContract(stores);
    describeSitesContract(stores);
    describeAccountsContract(stores);
    describeStatsContract(stores);
  });
}
