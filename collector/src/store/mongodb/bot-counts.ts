/**
 * Bots dropped at ingest, counted per site, UTC day and reason, on MongoDB: the Store's
 * operations, running the documents queries.ts builds through `op` (mongodb-store.ts).
 */
import type { BotCountStore } from '../store.ts';
import type { Op } from './executor.ts';
import { botCountOf, botCountUpsert, C } from './queries.ts';

/** The bot counts of the Store: each count added to its total by an upsert. */
export const botCountStore = (op: Op): BotCountStore => ({
  add: (counts) =>
    op('botCounts.add', async (x) => {
      for (const c of counts) {
        const u = botCountUpsert(c);
        await x.updateOne(C.botCounts, u.filter, u.update, { upsert: true });
      }
    }),
  list: (site) => op('botCounts.list', async (x) => (await x.find(C.botCounts, { '_id.site': site }, { sort: { '_id.day': 1, '_id.reason': 1 } })).map(botCountOf)),
});
