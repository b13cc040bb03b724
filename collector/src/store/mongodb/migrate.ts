/**
 * Brings a database written by an older layout up to SCHEMA_VERSION (queries.ts). Every step is
 * safe to run again and while another collector runs it too: a crash midway, or two collectors
 * upgrading at once, end in the same state.
 */
import { migratedKey } from '../migrated-key.ts';
import type { MongoExecutor } from './executor.ts';
import { C, keyDoc } from './queries.ts';

export async function migrate(x: MongoExecutor, from: number): Promise<void> {
  if (from < 2) await moveKeys(x);
  if (from < 3) await moveBotCounts(x);
}

/**
 * Layout 3: every dropped event is counted, not only bots, in `drop_counts`. A count is copied
 * with `$max`, so a copy run twice (or racing a collector already counting into the new
 * collection) never adds it twice; the old collection goes once everything is copied.
 */
async function moveBotCounts(x: MongoExecutor): Promise<void> {
  const old = await x.find('bot_counts', {});
  for (const d of old) await x.updateOne(C.dropCounts, { _id: d._id }, { $max: { count: d.count } }, { upsert: true });
  if (old.length > 0) await x.deleteMany('bot_counts', {});
}

/**
 * Layout 2: a site's one `keyHash` becomes a document of `keys`, and sites get a name (their
 * first domain). The unique index on key hashes makes a racing collector's copy a duplicate,
 * which is ignored.
 */
async function moveKeys(x: MongoExecutor): Promise<void> {
  for (const site of await x.find(C.sites, { keyHash: { $exists: true } }, { sort: { createdAt: 1, _id: 1 } })) {
    const hash = site.keyHash;
    if (typeof hash === 'string' && hash !== '' && (await x.find(C.keys, { site: site._id }, { limit: 1 })).length === 0) {
      await x.insertMany(C.keys, [keyDoc(migratedKey(site._id as string, hash, (site.createdAt as Date).getTime()))]);
    }
    await x.updateOne(C.sites, { _id: site._id }, { $unset: { keyHash: '' } });
  }
  for (const site of await x.find(C.sites, { $or: [{ name: { $exists: false } }, { name: null }, { name: '' }] })) {
    await x.updateOne(C.sites, { _id: site._id }, { $set: { name: (site.domains as string[] | undefined)?.[0] ?? site._id } });
  }
}
