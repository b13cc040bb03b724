/** The Store contract on sites, their keys, goals and bot counts, and installation-wide values (contract.suite.ts). */
import { describe, expect, it } from 'vitest';
import { contractEvent, keyOf, siteNamed, T0, type ContractStores } from './fixtures.ts';

/** Sites created, changed, deleted, restored and purged; site keys; meta values; goals; bot counts. */
export function describeSitesContract({ fresh, restart }: ContractStores): void {
  describe('sites', () => {
    it('are listed oldest first as created, across restarts, and change their settings', async () => {
      const store = await fresh();
      const a = siteNamed('site-a', T0 + 1, { retentionMonths: 13, synthetic: true });
      const b = siteNamed('site-b', T0, { domains: ["o'reilly.example"], allowSubdomains: false, queryKeys: [], timezone: 'UTC' });
      await store.sites.create(a);
      await store.sites.create(b);
      expect(await store.sites.list()).toEqual([b, a]);
      const again = await restart(store);
      expect(await again.sites.list()).toEqual([b, a]);
      expect(await again.sites.update('site-a', { timezone: 'Asia/Tokyo' })).toBe(true);
      expect(await again.sites.update('site-b', { retentionMonths: 6 })).toBe(true);
      expect(await again.sites.update('nope', { retentionMonths: 6 })).toBe(false);
      expect(await again.sites.list()).toEqual([{ ...b, retentionMonths: 6 }, { ...a, timezone: 'Asia/Tokyo' }]);
    });

    it('keep the integration key that created one, across restarts (and none for the others)', async () => {
      const store = await fresh();
      const made = siteNamed('site-i', T0, { integration: 'ik_shopify' });
      await store.sites.create(made);
      await store.sites.create(siteNamed('site-plain', T0 + 1));
      const again = await restart(store);
      expect(await again.sites.list()).toEqual([made, siteNamed('site-plain', T0 + 1)]);
      expect((await again.sites.list())[1]).not.toHaveProperty('integration');
      expect(await again.sites.update('site-plain', { integration: 'ik_webflow' })).toBe(true);
      expect((await (await restart(again)).sites.list())[1]).toEqual({ ...siteNamed('site-plain', T0 + 1), integration: 'ik_webflow' });
    });

    it('refuse a second site with the same id', async () => {
      const store = await fresh();
      await store.sites.create(siteNamed('site-a', T0));
      await expect(store.sites.create(siteNamed('site-a', T0 + 1))).rejects.toMatchObject({ operation: 'sites.create' });
      expect(await store.sites.list()).toEqual([siteNamed('site-a', T0)]);
    });

    it('change every setting, and are marked deleted and restored, across restarts', async () => {
      const store = await fresh();
      const a = siteNamed('site-a', T0);
      const b = siteNamed('site-b', T0 + 1, { deletedAt: T0 + 2 });
      await store.sites.create(a);
      await store.sites.create(b);
      const changes = { name: "O'Reilly — Shop", domains: ['shop.example'], allowSubdomains: false, queryKeys: ['id', 'v'], timezone: 'America/New_York', retentionMonths: 3 };
      expect(await store.sites.update('site-a', changes)).toBe(true);
      expect(await store.sites.update('site-a', {})).toBe(true);
      expect(await store.sites.update('nope', {})).toBe(false);
      expect(await store.sites.update('nope', { name: 'x' })).toBe(false);
      expect(await store.sites.list()).toEqual([{ ...a, ...changes }, b]);
      expect(await store.sites.update('site-a', { deletedAt: T0 + 60_000, queryKeys: [] })).toBe(true);
      expect(await store.sites.update('site-b', { deletedAt: null })).toBe(true);
      const again = await restart(store);
      expect(await again.sites.list()).toEqual([{ ...a, ...changes, queryKeys: [], deletedAt: T0 + 60_000 }, { ...b, deletedAt: null }]);
      expect(await again.sites.update('site-a', { deletedAt: null })).toBe(true);
      expect((await again.sites.list())[0]).toEqual({ ...a, ...changes, queryKeys: [], deletedAt: null });
    });

    it('are purged with everything of theirs, events still journaled included, other sites kept', async () => {
      const store = await fresh();
      const sites = [siteNamed('site-a', T0), siteNamed('site-b', T0 + 1)];
      for (const s of sites) {
        await store.sites.create(s);
        await store.goals.create(s.id, { id: 'g1', name: 'Signup', kind: 'event', match: 'signup' });
        await store.keys.create(keyOf(`k_${s.id}`, s.id, T0));
        await store.dropCounts.add([{ site: s.id, day: '2026-03-10', reason: 'ua', count: 2 }]);
      }
      const ofSite = (site: string, from: number) => Array.from({ length: 5 }, (_, i) => contractEvent(from + i, { site }));
      await store.events.append([...ofSite('site-a', 0), ...ofSite('site-b', 0)]);
      await store.events.settle();
      // Acknowledged, not settled: in the embedded store, still in its journal.
      await store.events.append([...ofSite('site-a', 10), ...ofSite('site-b', 10)]);
      expect(await store.sites.purge('site-a')).toBe(true);
      await store.events.settle();
      expect(await store.events.list('site-a')).toEqual([]);
      expect(await store.goals.list('site-a')).toEqual([]);
      expect(await store.keys.list('site-a')).toEqual([]);
      expect(await store.keys.byHash(keyOf('k_site-a', 'site-a', T0).hash)).toBeNull();
      expect(await store.dropCounts.list('site-a')).toEqual([]);
      expect(await store.sites.list()).toEqual([sites[1]]);
      expect(await store.sites.purge('site-a')).toBe(false);
      expect(await store.sites.purge('nope')).toBe(false);
      const again = await restart(store);
      expect(await again.events.list('site-a')).toEqual([]);
      expect(await again.events.list('site-b')).toEqual([...ofSite('site-b', 0), ...ofSite('site-b', 10)]);
      expect((await again.goals.list('site-b')).map((g) => g.id)).toEqual(['g1']);
      expect(await again.keys.list('site-b')).toEqual([keyOf('k_site-b', 'site-b', T0)]);
      expect(await again.dropCounts.list('site-b')).toHaveLength(1);
      expect(await again.sites.list()).toEqual([sites[1]]);
    });
  });

  describe('site keys', () => {
    it('are found by id and hash, listed per site oldest first with revoked ones, revoked once, across restarts', async () => {
      const store = await fresh();
      const k1 = keyOf('k_one', 'site-a', T0 + 10);
      const k2 = keyOf('k_two', 'site-a', T0, { last4: '' });
      const k3 = keyOf('k_three', 'site-b', T0 + 5, { revokedAt: T0 + 6 });
      for (const k of [k1, k2, k3]) await store.keys.create(k);
      expect(await store.keys.list('site-a')).toEqual([k2, k1]);
      expect(await store.keys.revoke('k_two', T0 + 100)).toBe(true);
      expect(await store.keys.revoke('k_two', T0 + 200)).toBe(false);
      expect(await store.keys.revoke('k_three', T0 + 200)).toBe(false);
      expect(await store.keys.revoke('nope', T0 + 200)).toBe(false);
      const again = await restart(store);
      const revoked = { ...k2, revokedAt: T0 + 100 };
      expect(await again.keys.get('k_two')).toEqual(revoked);
      expect(await again.keys.get('nope')).toBeNull();
      expect(await again.keys.byHash(k1.hash)).toEqual(k1);
      expect(await again.keys.byHash(k2.hash)).toEqual(revoked);
      expect(await again.keys.byHash('0'.repeat(64))).toBeNull();
      expect(await again.keys.list('site-a')).toEqual([revoked, k1]);
      expect(await again.keys.list('site-b')).toEqual([k3]);
      expect(await again.keys.list('nope')).toEqual([]);
    });

    it('keep a share link\'s terms (sections, password hash, expiry) and a plain key without any', async () => {
      const store = await fresh();
      const plain = keyOf('k_plain', 'site-a', T0);
      const shared = { ...keyOf('k_share', 'site-a', T0 + 1), share: { sections: ['traffic' as const, 'sources' as const], passwordHash: 'scrypt$x', expiresAt: T0 + 86_400_000 } };
      const open = { ...keyOf('k_open', 'site-a', T0 + 2), share: { sections: ['traffic' as const], passwordHash: null, expiresAt: null } };
      for (const k of [plain, shared, open]) await store.keys.create(k);
      const again = await restart(store);
      expect(await again.keys.list('site-a')).toEqual([plain, shared, open]);
      expect(await again.keys.byHash(shared.hash)).toEqual(shared);
      expect(await again.keys.get('k_plain')).not.toHaveProperty('share');
    });

    it('keep integration keys (of no site: site \'\') apart from every site\'s keys', async () => {
      const store = await fresh();
      const integration = keyOf('ik_one', '', T0);
      const site = keyOf('k_site', 'site-a', T0 + 1);
      await store.keys.create(integration);
      await store.keys.create(site);
      const again = await restart(store);
      expect(await again.keys.list('')).toEqual([integration]);
      expect(await again.keys.list('site-a')).toEqual([site]);
      expect(await again.keys.byHash(integration.hash)).toEqual(integration);
      expect(await again.keys.revoke('ik_one', T0 + 5)).toBe(true);
      expect(await again.keys.get('ik_one')).toEqual({ ...integration, revokedAt: T0 + 5 });
    });

    it('refuse a second key with the same id or the same hash', async () => {
      const store = await fresh();
      const k = keyOf('k_one', 'site-a', T0);
      await store.keys.create(k);
      await expect(store.keys.create({ ...keyOf('k_other', 'site-b', T0), id: k.id })).rejects.toMatchObject({ operation: 'keys.create' });
      await expect(store.keys.create({ ...keyOf('k_other', 'site-b', T0), hash: k.hash })).rejects.toMatchObject({ operation: 'keys.create' });
      expect(await store.keys.list('site-a')).toEqual([k]);
      expect(await store.keys.list('site-b')).toEqual([]);
    });
  });

  describe('meta', () => {
    it('keeps the first value stored under a name, across restarts, when asked for at once too', async () => {
      const store = await fresh();
      expect(await store.meta.ensure('token_secret', 'first')).toBe('first');
      expect(await store.meta.ensure('token_secret', 'second')).toBe('first');
      const raced = await Promise.all(['a', 'b', 'c'].map((c) => store.meta.ensure('raced', c)));
      expect(new Set(raced).size).toBe(1);
      // Names an adapter might use for its own bookkeeping are values like any other.
      for (const name of ['schema', 'schema_version', 'journal_mark']) expect(await store.meta.ensure(name, `mine ${name}`)).toBe(`mine ${name}`);
      const again = await restart(store);
      expect(await again.meta.ensure('token_secret', 'third')).toBe('first');
      expect(await again.meta.ensure('raced', 'd')).toBe(raced[0]);
      for (const name of ['schema', 'schema_version', 'journal_mark']) expect(await again.meta.ensure(name, 'x')).toBe(`mine ${name}`);
    });
  });

  describe('goals and bot counts', () => {
    it('goals are listed per site in the order they were made, and removed once', async () => {
      const store = await fresh();
      await store.goals.create('site-a', { id: 'g1', name: 'Order', kind: 'page', match: '/thanks/*', revenue: 'amount' });
      await store.goals.create('site-b', { id: 'g1', name: 'Other site', kind: 'event', match: 'x' });
      await new Promise((r) => setTimeout(r, 5));
      await store.goals.create('site-a', { id: 'g0', name: 'Signup', kind: 'event', match: 'signup', revenue: 'value', currency: 'currency' });
      expect(await store.goals.list('site-a')).toEqual([
        { id: 'g1', name: 'Order', kind: 'page', match: '/thanks/*', revenue: 'amount' },
        { id: 'g0', name: 'Signup', kind: 'event', match: 'signup', revenue: 'value', currency: 'currency' },
      ]);
      expect(await store.goals.remove('site-a', 'g1')).toBe(true);
      expect(await store.goals.remove('site-a', 'g1')).toBe(false);
      expect((await store.goals.list('site-a')).map((g) => g.id)).toEqual(['g0']);
      expect((await (await restart(store)).goals.list('site-b')).map((g) => g.name)).toEqual(['Other site']);
    });

    it('bot counts add up per site, day and reason, across restarts', async () => {
      const store = await fresh();
      await store.dropCounts.add([
        { site: 'site-a', day: '2026-03-10', reason: 'ua', count: 2 },
        { site: 'site-a', day: '2026-03-10', reason: 'datacenter', count: 1 },
        { site: 'site-b', day: '2026-03-10', reason: 'ua', count: 7 },
      ]);
      await store.dropCounts.add([
        { site: 'site-a', day: '2026-03-10', reason: 'ua', count: 3 },
        { site: 'site-a', day: '2026-03-09', reason: 'ua', count: 4 },
      ]);
      await store.dropCounts.add([]);
      const expected = [
        { site: 'site-a', day: '2026-03-09', reason: 'ua', count: 4 },
        { site: 'site-a', day: '2026-03-10', reason: 'datacenter', count: 1 },
        { site: 'site-a', day: '2026-03-10', reason: 'ua', count: 5 },
      ];
      expect(await store.dropCounts.list('site-a')).toEqual(expected);
      expect(await (await restart(store)).dropCounts.list('site-a')).toEqual(expected);
    });
  });
}
