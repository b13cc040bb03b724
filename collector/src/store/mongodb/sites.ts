/**
 * Sites, their keys and installation-wide values on MongoDB: the Store's operations, running the
 * documents queries.ts builds through `op` (mongodb-store.ts).
 */
import { StoreError, type MetaStore, type SiteKeyStore, type SiteStore } from '../store.ts';
import { isDuplicateKey, type Doc, type Op } from './executor.ts';
import { C, keyDoc, keyOf, keyRevoke, metaUpsert, siteData, siteDoc, siteOf, siteUpdate } from './queries.ts';

/** The sites of the Store. */
export const siteStore = (op: Op): SiteStore => ({
  create: (site) =>
    op('sites.create', async (x) => {
      const { duplicates } = await x.insertMany(C.sites, [siteDoc(site)]);
      if (duplicates > 0) throw new StoreError('sites.create', { message: `a site "${site.id}" already exists` });
    }),
  list: () => op('sites.list', async (x) => (await x.find(C.sites, {}, { sort: { createdAt: 1, _id: 1 } })).map(siteOf)),
  update: (id, changes) =>
    op('sites.update', async (x) => {
      const update = siteUpdate(changes);
      if (Object.keys(update.$set as Doc).length === 0) return (await x.find(C.sites, { _id: id })).length > 0;
      return (await x.updateOne(C.sites, { _id: id }, update)).matched > 0;
    }),
  /**
   * Everything of the site first, its document last: a purge that fails midway leaves the site
   * listed, to be purged again. Events are visible as soon as acknowledged: none is pending.
   */
  purge: (id) =>
    op('sites.purge', async (x) => {
      for (const [collection, filter] of siteData(id)) await x.deleteMany(collection, filter);
      return (await x.deleteMany(C.sites, { _id: id })) > 0;
    }),
});

/** The site keys of the Store; hashes are unique by index. */
export const keyStore = (op: Op): SiteKeyStore => ({
  create: (k) =>
    op('keys.create', async (x) => {
      const { duplicates } = await x.insertMany(C.keys, [keyDoc(k)]);
      if (duplicates > 0) throw new StoreError('keys.create', { message: `a key "${k.id}" or with the same hash already exists` });
    }),
  list: (site) => op('keys.list', async (x) => (await x.find(C.keys, { site }, { sort: { createdAt: 1, _id: 1 } })).map(keyOf)),
  get: (id) => op('keys.get', async (x) => (await x.find(C.keys, { _id: id })).map(keyOf)[0] ?? null),
  byHash: (hash) => op('keys.byHash', async (x) => (await x.find(C.keys, { hash })).map(keyOf)[0] ?? null),
  revoke: (id, at) =>
    op('keys.revoke', async (x) => {
      const r = keyRevoke(id, at);
      return (await x.updateOne(C.keys, r.filter, r.update)).matched > 0;
    }),
});

/** The installation-wide values of the Store, each stored by the first collector that asks. */
export const metaStore = (op: Op): MetaStore => ({
  ensure: (name, candidate) =>
    op('meta.ensure', async (x) => {
      const u = metaUpsert(name, candidate);
      try {
        await x.updateOne(C.meta, u.filter, u.update, { upsert: true });
      } catch (err) {
        // Two collectors upserting the same new name at once: one wins, the other reads its value.
        if (!isDuplicateKey(err)) throw err;
      }
      const [doc] = await x.find(C.meta, u.filter);
      return doc!.value as string;
    }),
});
