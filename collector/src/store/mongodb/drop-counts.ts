/**
 * Events dropped at ingest, counted per site, UTC day and reason, on MongoDB: the Store's
 * operations, running the documents queries.ts builds through `op` (mongodb-store.ts).
 */
import type { DropCountStore } from '../store.ts';
import type { Op } from './executor.ts';
import { dropCountOf, dropCountUpsert, C } from './queries.ts';

/** The drop counts of the Store: each count added to its total by an upsert. */
export const dropCountStore = (op: Op): DropCountStore => ({
  add: (counts) =>
    op('dropCounts.add', async (x) => {
      for (const c of counts) {
        const u = dropCountUpsert(c);
        await x.updateOne(C.dropCounts, u.filter, u.update, { upsert: true });
      }
    }),
  list: (site) => op('dropCounts.list', async (x) => (await x.find(C.dropCounts, { '_id.site': site }, { sort: { '_id.day': 1, '_id.reason': 1 } })).map(dropCountOf)),
});
