/**
 * The Store contract (ARCHITECTURE.md §6): what every adapter must do, checked through the Store
 * interface alone, with the same data and the same expected answers for each. An adapter's test
 * file calls `describeStoreContract` with a harness; parts an adapter does not implement yet are
 * listed in `missing`, and their tests are skipped (reported as skipped, never as passed).
 *
 * Adapter-specific behaviour (the embedded store's journal and crashes, files on disk) stays in
 * the adapter's own tests.
 */
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { rangeOf } from '../time.ts';
import { synthesize } from '../seed/synthetic.ts';
import { p75, referenceFunnel, referenceStats, referenceVitals } from '../testing/stats-reference.ts';
import type { Site, SiteKey, StatsRow, StatsSpec, Store, StoredEvent, User, VitalRow } from './store.ts';

export interface ContractHarness {
  /** A new, empty store. */
  open(): Promise<Store>;
  /** The same data through a new store, as after a restart (closes `store` first). */
  reopen(store: Store): Promise<Store>;
  /** Parts of the contract the adapter does not implement yet. */
  missing?: readonly ('stats' | 'rollups')[];
}

const T0 = Date.UTC(2026, 0, 31, 23, 59, 59, 999);
const visitorOf = (i: number) => createHash('sha256').update(`visitor ${i}`).digest('hex').slice(0, 32);

/** An ordinary pageview with every field set. */
export function contractEvent(i: number, overrides: Partial<StoredEvent> = {}): StoredEvent {
  return {
    site: 'site-a',
    ts: T0 + i,
    name: 'pageview',
    visitor: visitorOf(i),
    session: 1_000 + i,
    hostname: 'example.com',
    pathname: `/posts/${i}`,
    query: 'ref=newsletter',
    referrer: 'www.google.com/',
    referrerHost: 'www.google.com',
    source: 'Google',
    medium: 'organic',
    utmSource: 'newsletter',
    utmMedium: 'email',
    utmCampaign: 'spring',
    utmTerm: 'analytics',
    utmContent: 'header',
    country: 'DE',
    browser: 'Firefox',
    browserVersion: '128.0',
    os: 'Linux',
    osVersion: '6.1',
    device: 'desktop',
    screenWidth: 1920,
    props: JSON.stringify({ plan: 'pro', n: i }),
    engagedMs: 12_345,
    scrollDepth: 75,
    clientId: `c-${i}`,
    ...overrides,
  };
}

const keyOf = (id: string, site: string, createdAt: number, overrides: Partial<SiteKey> = {}): SiteKey => ({
  id,
  site,
  name: `Key ${id} — "WordPress"`,
  hash: createHash('sha256').update(id).digest('hex'),
  last4: id.slice(-4),
  createdAt,
  revokedAt: null,
  ...overrides,
});

const siteNamed = (id: string, createdAt: number, overrides: Partial<Site> = {}): Site => ({
  id,
  name: `Site ${id} — "ünïcødé"`,
  domains: ['example.com', 'bücher.example'],
  allowSubdomains: true,
  queryKeys: ['q', 'page'],
  timezone: 'Europe/Berlin',
  createdAt,
  retentionMonths: 25,
  synthetic: false,
  deletedAt: null,
  ...overrides,
});

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

  describe(`${name}: the Store contract`, () => {
    describe('events', () => {
      it('lists settled rows with every field intact, per site, in time order', async () => {
        const store = await fresh();
        const rich = contractEvent(1, {
          name: 'Signup "pro" — it\'s ünïcødé 🎉',
          visitor: 'ffffffffffffffffffffffffffffffff',
          session: Number.MAX_SAFE_INTEGER,
          hostname: 'bücher.example',
          pathname: "/café/日本語/it's/\"quoted\"/back\\slash/%20",
          query: 'q=%C3%A9&ref=a"b',
          referrer: 'news.ycombinator.com/item',
          referrerHost: 'news.ycombinator.com',
          source: 'Hacker News',
          medium: 'referral',
          utmCampaign: 'été 2026 🌞',
          screenWidth: 65_535,
          props: JSON.stringify({ plan: 'pro', quote: 'it\'s "x"', emoji: '🎉', path: 'C:\\temp', n: 3, ok: true }),
          engagedMs: 86_400_000,
          scrollDepth: 100,
        });
        const bare = contractEvent(2, {
          visitor: '00000000000000000000000000000001',
          session: 0,
          ...Object.fromEntries(
            (['query', 'referrer', 'referrerHost', 'source', 'utmSource', 'utmMedium', 'utmCampaign', 'utmTerm', 'utmContent', 'country', 'browser', 'browserVersion', 'os', 'osVersion', 'screenWidth', 'props', 'engagedMs', 'scrollDepth', 'clientId'] as const).map((k) => [k, null]),
          ),
          medium: 'none',
        });
        const other = contractEvent(3, { site: 'site-b' });
        await store.events.append([bare, other]);
        await store.events.append([rich]);
        await store.events.append([]);
        await store.events.settle();
        expect(await store.events.list('site-a')).toEqual([rich, bare]);
        expect(await store.events.list('site-b')).toEqual([other]);
        expect(await store.events.list('site-a', { limit: 1 })).toEqual([rich]);
        expect(await (await restart(store)).events.list('site-a')).toEqual([rich, bare]);
      });

      it('imports in bulk with progress, and deletes one site\'s events before an instant', async () => {
        const store = await fresh();
        const rows = Array.from({ length: 25_000 }, (_, i) => contractEvent(i, { site: i % 5 === 0 ? 'site-b' : 'site-a', ts: T0 + i * 1000 }));
        const seen: number[] = [];
        expect(await store.events.bulkInsert(rows, (n) => seen.push(n))).toBe(25_000);
        expect(seen.at(-1)).toBe(25_000);
        expect(seen).toEqual([...seen].sort((a, b) => a - b));
        const cut = T0 + 10_000 * 1000;
        expect(await store.events.deleteBefore('site-a', cut)).toBe(8_000);
        expect(await store.events.deleteBefore('site-a', cut)).toBe(0);
        const a = await store.events.list('site-a');
        expect(a).toHaveLength(12_000);
        expect(a.every((e) => e.ts >= cut)).toBe(true);
        expect(await store.events.list('site-b')).toHaveLength(5_000);
      });

      it('reports the sessions active since an instant and the client ids seen since another', async () => {
        const store = await fresh();
        const at = (i: number, ts: number, session: number, clientId: string | null) => contractEvent(i, { ts, session, visitor: visitorOf(session), clientId });
        const since = T0;
        await store.events.append([
          at(1, since - 3_600_000, 1, 'old'), // session 1 started an hour before and is still active
          at(2, since + 60_000, 1, 'x1'),
          at(3, since - 60_000, 2, null), // session 2 ended before `since`
          at(4, since, 3, 'x3'),
          at(5, since + 120_000, 3, null),
          at(6, since + 5, 4, 'x4'),
        ]);
        await store.events.settle();
        const tails = (await store.events.sessionTails(since)).sort((p, q) => p.session - q.session);
        expect(tails).toEqual([
          { visitor: visitorOf(1), session: 1, firstTs: since - 3_600_000, lastTs: since + 60_000 },
          { visitor: visitorOf(3), session: 3, firstTs: since, lastTs: since + 120_000 },
          { visitor: visitorOf(4), session: 4, firstTs: since + 5, lastTs: since + 5 },
        ]);
        const ids = (await store.events.clientIds(since)).sort((p, q) => p.ts - q.ts);
        expect(ids).toEqual([
          { site: 'site-a', clientId: 'x3', ts: since },
          { site: 'site-a', clientId: 'x4', ts: since + 5 },
          { site: 'site-a', clientId: 'x1', ts: since + 60_000 },
        ]);
      });
    });

    describe('salts', () => {
      it('keep the first salt of a day, across restarts, and destroy older days', async () => {
        const store = await fresh();
        const salt = randomBytes(32);
        expect(Buffer.from(await store.salts.ensure('2026-03-10', salt))).toEqual(salt);
        expect(Buffer.from(await store.salts.ensure('2026-03-10', randomBytes(32)))).toEqual(salt);
        await store.salts.ensure('2026-03-09', randomBytes(32));
        await store.salts.ensure('2026-03-08', randomBytes(32));
        const again = await restart(store);
        expect(Buffer.from(await again.salts.ensure('2026-03-10', randomBytes(32)))).toEqual(salt);
        expect(await again.salts.days()).toEqual(['2026-03-08', '2026-03-09', '2026-03-10']);
        expect(await again.salts.destroyBefore('2026-03-10')).toBe(2);
        expect(await again.salts.destroyBefore('2026-03-10')).toBe(0);
        expect(await again.salts.days()).toEqual(['2026-03-10']);
      });
    });

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
          await store.botCounts.add([{ site: s.id, day: '2026-03-10', reason: 'ua', count: 2 }]);
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
        expect(await store.botCounts.list('site-a')).toEqual([]);
        expect(await store.sites.list()).toEqual([sites[1]]);
        expect(await store.sites.purge('site-a')).toBe(false);
        expect(await store.sites.purge('nope')).toBe(false);
        const again = await restart(store);
        expect(await again.events.list('site-a')).toEqual([]);
        expect(await again.events.list('site-b')).toEqual([...ofSite('site-b', 0), ...ofSite('site-b', 10)]);
        expect((await again.goals.list('site-b')).map((g) => g.id)).toEqual(['g1']);
        expect(await again.keys.list('site-b')).toEqual([keyOf('k_site-b', 'site-b', T0)]);
        expect(await again.botCounts.list('site-b')).toHaveLength(1);
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

    describe('users', () => {
      const user = (id: string, email: string, at: number, overrides: Partial<User> = {}): User => ({
        id,
        email,
        name: `User ${id}`,
        role: 'client',
        passwordHash: null,
        grants: [],
        createdAt: at,
        passwordChangedAt: null,
        ...overrides,
      });

      it('are found by id and email, listed oldest first, changed and removed, across restarts', async () => {
        const store = await fresh();
        const owner = user('u1', 'owner@example.com', T0 + 1, { role: 'owner', passwordHash: 'scrypt$32768$8$2$c2FsdA$a2V5', passwordChangedAt: T0 + 1 });
        const client = user('u2', 'client@büro.example', T0, { grants: [{ site: 'site-a', sections: ['traffic', 'goals'] }, { site: 'site-b', sections: ['export'] }] });
        await store.users.create(owner);
        await store.users.create(client);
        expect(await store.users.list()).toEqual([client, owner]);
        const again = await restart(store);
        expect(await again.users.get('u1')).toEqual(owner);
        expect(await again.users.byEmail('client@büro.example')).toEqual(client);
        expect(await again.users.byEmail('nobody@example.com')).toBeNull();
        expect(await again.users.get('nobody')).toBeNull();
        expect(await again.users.update('u2', { passwordHash: 'scrypt$x', passwordChangedAt: T0 + 5, grants: [] })).toBe(true);
        expect(await again.users.update('u2', {})).toBe(true);
        expect(await again.users.update('nobody', { name: 'x' })).toBe(false);
        expect(await again.users.get('u2')).toEqual({ ...client, passwordHash: 'scrypt$x', passwordChangedAt: T0 + 5, grants: [] });
        expect(await again.users.update('u1', { passwordHash: null, passwordChangedAt: null, role: 'admin', name: 'Renamed' })).toBe(true);
        expect(await again.users.get('u1')).toEqual({ ...owner, passwordHash: null, passwordChangedAt: null, role: 'admin', name: 'Renamed' });
        expect(await again.users.remove('u1')).toBe(true);
        expect(await again.users.remove('u1')).toBe(false);
        expect((await again.users.list()).map((u) => u.id)).toEqual(['u2']);
      });

      it('refuse a second user with the same id or the same email', async () => {
        const store = await fresh();
        await store.users.create(user('u1', 'a@example.com', T0));
        await expect(store.users.create(user('u1', 'b@example.com', T0))).rejects.toMatchObject({ operation: 'users.create' });
        await expect(store.users.create(user('u2', 'a@example.com', T0))).rejects.toMatchObject({ operation: 'users.create' });
        expect((await store.users.list()).map((u) => u.email)).toEqual(['a@example.com']);
      });
    });

    describe('logins', () => {
      it('are found by their token hash, touched, ended one by one, per user, and when expired', async () => {
        const store = await fresh();
        const login = (n: number, user: string, at: number) => ({ idHash: `h${n}`.padEnd(64, '0'), user, csrf: `csrf-${n}`, createdAt: at, lastSeenAt: at });
        await store.logins.create(login(1, 'u1', T0));
        await store.logins.create(login(2, 'u1', T0 + 10));
        await store.logins.create(login(3, 'u2', T0 + 20));
        await expect(store.logins.create(login(3, 'u9', T0))).rejects.toMatchObject({ operation: 'logins.create' });
        expect(await store.logins.get(login(1, '', 0).idHash)).toEqual(login(1, 'u1', T0));
        expect(await store.logins.get('nope')).toBeNull();
        await store.logins.touch(login(1, '', 0).idHash, T0 + 500);
        const again = await restart(store);
        expect(await again.logins.get(login(1, '', 0).idHash)).toEqual({ ...login(1, 'u1', T0), lastSeenAt: T0 + 500 });
        // Created before T0 - 5 (none), or idle since before T0 + 15 (session 2 only).
        expect(await again.logins.removeExpired(T0 + 5 - 10, T0 + 15)).toBe(1);
        expect(await again.logins.get(login(2, '', 0).idHash)).toBeNull();
        expect(await again.logins.removeForUser('u1')).toBe(1);
        expect(await again.logins.remove(login(3, '', 0).idHash)).toBe(true);
        expect(await again.logins.remove(login(3, '', 0).idHash)).toBe(false);
        expect(await again.logins.get(login(1, '', 0).idHash)).toBeNull();
      });
    });

    describe('audit log', () => {
      it('lists entries newest first, a page at a time, filtered, and deletes old ones', async () => {
        const store = await fresh();
        const entry = (n: number, actor: string | null, action: string, target: string | null = null) => ({
          id: `a${String(n).padStart(3, '0')}`,
          ts: T0 + n * 1000,
          actor,
          action,
          target,
          ipHash: n % 2 ? 'f'.repeat(32) : null,
          details: { n, ok: n % 3 === 0, note: n === 1 ? "it's \"quoted\"" : null },
        });
        for (let n = 1; n <= 45; n++) await store.audit.add(entry(n, n % 5 === 0 ? null : `u${n % 2}`, n % 4 === 0 ? 'login.failed' : 'login', n % 3 ? 'site-a' : null));
        const first = await store.audit.list({ page: 1, perPage: 20 });
        expect(first.total).toBe(45);
        expect(first.entries.map((e) => e.id)).toEqual(Array.from({ length: 20 }, (_, i) => `a${String(45 - i).padStart(3, '0')}`));
        expect(first.entries.at(-1)).toEqual(entry(26, 'u0', 'login', 'site-a'));
        expect((await store.audit.list({ page: 3, perPage: 20 })).entries.map((e) => e.id)).toEqual(['a005', 'a004', 'a003', 'a002', 'a001']);
        expect((await store.audit.list({ page: 4, perPage: 20 })).entries).toEqual([]);
        const failed = await store.audit.list({ page: 1, perPage: 20, action: 'login.failed', actor: 'u0' });
        const failedByU0 = Array.from({ length: 45 }, (_, i) => 45 - i).filter((n) => n % 4 === 0 && n % 5 !== 0);
        expect(failed.entries.map((e) => e.id)).toEqual(failedByU0.map((n) => `a${String(n).padStart(3, '0')}`));
        expect(failed.total).toBe(failed.entries.length);
        expect((await store.audit.list({ page: 1, perPage: 20, target: 'nothing' })).total).toBe(0);
        expect((await store.audit.list({ page: 1, perPage: 5, action: 'nothing' }))).toEqual({ entries: [], total: 0 });
        expect(await store.audit.deleteBefore(T0 + 10_500)).toBe(10);
        expect((await (await restart(store)).audit.list({ page: 1, perPage: 50 })).entries.map((e) => e.id).at(-1)).toBe('a011');
      });
    });

    describe('goals and bot counts', () => {
      it('goals are listed per site in the order they were made, and removed once', async () => {
        const store = await fresh();
        await store.goals.create('site-a', { id: 'g1', name: 'Order', kind: 'page', match: '/thanks/*', revenue: 'amount' });
        await store.goals.create('site-b', { id: 'g1', name: 'Other site', kind: 'event', match: 'x' });
        await new Promise((r) => setTimeout(r, 5));
        await store.goals.create('site-a', { id: 'g0', name: 'Signup', kind: 'event', match: 'signup' });
        expect(await store.goals.list('site-a')).toEqual([
          { id: 'g1', name: 'Order', kind: 'page', match: '/thanks/*', revenue: 'amount' },
          { id: 'g0', name: 'Signup', kind: 'event', match: 'signup' },
        ]);
        expect(await store.goals.remove('site-a', 'g1')).toBe(true);
        expect(await store.goals.remove('site-a', 'g1')).toBe(false);
        expect((await store.goals.list('site-a')).map((g) => g.id)).toEqual(['g0']);
        expect((await (await restart(store)).goals.list('site-b')).map((g) => g.name)).toEqual(['Other site']);
      });

      it('bot counts add up per site, day and reason, across restarts', async () => {
        const store = await fresh();
        await store.botCounts.add([
          { site: 'site-a', day: '2026-03-10', reason: 'ua', count: 2 },
          { site: 'site-a', day: '2026-03-10', reason: 'datacenter', count: 1 },
          { site: 'site-b', day: '2026-03-10', reason: 'ua', count: 7 },
        ]);
        await store.botCounts.add([
          { site: 'site-a', day: '2026-03-10', reason: 'ua', count: 3 },
          { site: 'site-a', day: '2026-03-09', reason: 'ua', count: 4 },
        ]);
        await store.botCounts.add([]);
        const expected = [
          { site: 'site-a', day: '2026-03-09', reason: 'ua', count: 4 },
          { site: 'site-a', day: '2026-03-10', reason: 'datacenter', count: 1 },
          { site: 'site-a', day: '2026-03-10', reason: 'ua', count: 5 },
        ];
        expect(await store.botCounts.list('site-a')).toEqual(expected);
        expect(await (await restart(store)).botCounts.list('site-a')).toEqual(expected);
      });
    });

    describe.skipIf(harness.missing?.includes('stats'))('stats', () => {
      const site: Site = siteNamed('shop', Date.UTC(2026, 2, 1), { timezone: 'Europe/Paris' });
      const days = 6;
      const rows = [...synthesize({ site: site.id, start: Date.UTC(2026, 2, 25), days, visitorsPerDay: 40, seed: 7 })];
      const specOf = (group: StatsSpec['group'], filters: StatsSpec['filters'] = []): StatsSpec => ({
        site: site.id,
        ...rangeOf('2026-03-25', '2026-03-30', site.timezone),
        filters,
        group,
      });
      // Across the change to summer time (2026-03-29 in Paris).
      const specs = [
        specOf({ by: 'none' }),
        specOf({ by: 'time', interval: 'day' }),
        specOf({ by: 'time', interval: 'hour' }),
        specOf({ by: 'dimension', dimension: 'page', sort: 'visitors', limit: 5, offset: 0 }),
        specOf({ by: 'dimension', dimension: 'source', sort: 'pageviews', limit: 3, offset: 1 }),
        specOf({ by: 'dimension', dimension: 'country', sort: 'visits', limit: 50, offset: 0 }, [{ dimension: 'device', op: 'is_not', values: ['mobile'] }]),
        specOf({ by: 'none' }, [{ dimension: 'entry_page', op: 'matches', values: ['/blog/*'] }]),
        specOf({ by: 'time', interval: 'week' }, [{ dimension: 'source', op: 'is_not', values: ['Google', '(none)'] }]),
        specOf({ by: 'time', interval: 'month' }, [{ dimension: 'page', op: 'contains', values: ['PRIC', 'blog'] }]),
        specOf({ by: 'dimension', dimension: 'prop:plan', sort: 'events', limit: 10, offset: 0 }),
        specOf({ by: 'dimension', dimension: 'exit_page', sort: 'views_per_visit', limit: 4, offset: 2 }, [{ dimension: 'event', op: 'is', values: ['signup'] }]),
        specOf({ by: 'dimension', dimension: 'browser', sort: 'bounce_rate', limit: 10, offset: 0 }),
        specOf({ by: 'none' }, [{ dimension: 'prop:plan', op: 'is', values: ['pro'] }]),
        // Values that a query language could take for something else.
        specOf({ by: 'dimension', dimension: 'page', sort: 'visitors', limit: 5, offset: 0 }, [{ dimension: 'page', op: 'is', values: ['$pathname', '/pricing', "it's"] }]),
        specOf({ by: 'none' }, [{ dimension: 'page', op: 'contains', values: ['$', '.*', 'PRICING'] }, { dimension: 'prop:$plan', op: 'is_not', values: ['$$ROOT'] }]),
        // Revenue: a prop's numbers summed (here the LCP values of vital reports).
        { ...specOf({ by: 'none' }, [{ dimension: 'event', op: 'is', values: ['vital'] }]), revenueProp: 'value' },
      ];
      /** The reference's rows as the store returns them: sorted, paged, with `total` for a dimension. */
      const expected = (spec: StatsSpec): StatsRow[] => {
        const all = referenceStats(rows, spec);
        if (spec.revenueProp) {
          // Only for totals filtered on event names: the events counted are then plain to see.
          const names = spec.filters.flatMap((f) => (f.dimension === 'event' && f.op === 'is' ? f.values : []));
          const counted = rows.filter((e) => e.ts >= spec.startUtc && e.ts < spec.endUtc && names.includes(e.name));
          const revenue = counted.reduce((n, e) => n + (Number((JSON.parse(e.props ?? '{}') as Record<string, unknown>)[spec.revenueProp!]) || 0), 0);
          return all.map((r) => ({ ...r, revenue }));
        }
        const g = spec.group;
        if (g.by !== 'dimension') return all.sort((p, q) => (p.key < q.key ? -1 : 1));
        const ratio = (n: number, d: number) => (d === 0 ? -Infinity : n / d); // no visits: last
        const by = (r: StatsRow) =>
          g.sort === 'views_per_visit'
            ? ratio(r.visit_pageviews, r.visits)
            : g.sort === 'bounce_rate'
              ? ratio(r.bounces, r.visits)
              : g.sort === 'visit_duration'
                ? ratio(r.duration, r.visits)
                : r[g.sort];
        const sorted = all.sort((p, q) => (by(q) === by(p) ? (p.key < q.key ? -1 : 1) : by(q) > by(p) ? 1 : -1));
        return sorted.slice(g.offset, g.offset + g.limit).map((r) => ({ ...r, total: all.length }));
      };
      const same = (list: StatsRow[]) =>
        list.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v])));

      const loaded = async () => {
        const store = await fresh();
        await store.sites.create(site);
        await store.events.append(rows);
        await store.events.settle();
        return store;
      };

      it('answer as the reference does over raw events', async () => {
        const store = await loaded();
        for (const spec of specs) expect(same(await store.stats.query(spec)), JSON.stringify(spec)).toEqual(same(expected(spec)));
        expect((await store.stats.queryMany(specs)).map(same)).toEqual(specs.map((s) => same(expected(s))));
      });

      it('answer as the reference does for random questions (periods, filters, groupings, sorts)', async () => {
        const store = await loaded();
        const values = (d: string): string[] => {
          const pick = (e: StoredEvent) =>
            ({ page: e.pathname, entry_page: e.pathname, exit_page: e.pathname, source: e.source, country: e.country, device: e.device, browser: e.browser, event: e.name, utm_campaign: e.utmCampaign })[d];
          return [...new Set(rows.slice(0, 3000).map(pick).filter((v): v is string => Boolean(v))), '(none)', 'nothing-like-it'];
        };
        const dimensions = ['page', 'entry_page', 'exit_page', 'source', 'country', 'device', 'browser', 'event', 'utm_campaign', 'prop:plan'] as const;
        const filter = fc.constantFrom(...dimensions).chain((dimension) =>
          fc.record({
            dimension: fc.constant(dimension),
            op: fc.constantFrom('is' as const, 'is_not' as const, 'contains' as const, 'matches' as const),
            values: fc.uniqueArray(fc.constantFrom(...(dimension === 'prop:plan' ? ['pro', 'free', '(none)'] : values(dimension))), { minLength: 1, maxLength: 2 }),
          }).map((f) => (f.op === 'matches' ? { ...f, values: f.values.map((v) => `${v.slice(0, 3)}*`) } : f.op === 'contains' ? { ...f, values: f.values.map((v) => v.slice(1, 4).toUpperCase()) } : f)),
        );
        const group: fc.Arbitrary<StatsSpec['group']> = fc.oneof(
          fc.constant({ by: 'none' as const }),
          fc.constantFrom('hour' as const, 'day' as const, 'week' as const, 'month' as const).map((interval) => ({ by: 'time' as const, interval })),
          fc.record({
            by: fc.constant('dimension' as const),
            dimension: fc.constantFrom(...dimensions),
            sort: fc.constantFrom('visitors' as const, 'visits' as const, 'pageviews' as const, 'events' as const, 'views_per_visit' as const, 'bounce_rate' as const, 'visit_duration' as const),
            limit: fc.integer({ min: 1, max: 8 }),
            offset: fc.integer({ min: 0, max: 4 }),
          }),
        );
        const day = fc.integer({ min: 23, max: 31 }).map((d) => `2026-03-${d}`);
        await fc.assert(
          fc.asyncProperty(day, fc.integer({ min: 0, max: 4 }), fc.array(filter, { maxLength: 2 }), group, async (from, span, filters, g) => {
            const to = `2026-03-${Math.min(31, Number(from.slice(8)) + span)}`;
            const spec: StatsSpec = { site: site.id, ...rangeOf(from, to, site.timezone), filters, group: g };
            expect(same(await store.stats.query(spec)), JSON.stringify(spec)).toEqual(same(expected(spec)));
          }),
          { numRuns: 40, seed: 20261123 },
        );
      });

      it('count funnels and Web Vitals p75 as the reference does', async () => {
        const store = await loaded();
        const funnels = [
          [{ kind: 'page' as const, match: '/' }, { kind: 'page' as const, match: '/pricing' }, { kind: 'event' as const, match: 'signup' }],
          [{ kind: 'page' as const, match: '/blog/*' }, { kind: 'page' as const, match: '/blog/*' }],
          // An event literally named "$name" (there is none).
          [{ kind: 'page' as const, match: '/' }, { kind: 'event' as const, match: '$name' }],
        ];
        for (const spec of [specs[0]!, specs[5]!, specs[6]!]) {
          for (const steps of funnels) expect(await store.stats.funnel(spec, steps), JSON.stringify(spec.filters)).toEqual(referenceFunnel(rows, spec, steps));
          const want = referenceVitals(rows, spec);
          const got = await store.stats.vitals(spec, 100, 0);
          const pages = [...want.keys()].filter((p) => p !== '');
          expect(got.every((r) => r.total === pages.length)).toBe(true);
          const values = (r: VitalRow) => want.get(r.page)?.get(r.metric) ?? [];
          expect(got.map((r) => [r.page, r.metric, r.n])).toEqual(got.map((r) => [r.page, r.metric, values(r).length]));
          for (const r of got) expect(r.p75).toBeCloseTo(p75(values(r)), 9);
          expect(new Set(got.map((r) => r.page))).toEqual(new Set(want.keys()));
        }
      });

      it('answer realtime questions and export raw events in order', async () => {
        const store = await loaded();
        const since = Date.UTC(2026, 2, 28, 9);
        const recent = rows.filter((e) => e.ts >= since);
        const active = recent.filter((e) => e.name !== 'engagement' && e.name !== 'vital');
        const now = await store.stats.realtime(site.id, since, { pages: 3, recent: 4 });
        expect(now.visitors).toBe(new Set(active.map((e) => e.visitor)).size);
        expect(now.pageviews).toBe(recent.filter((e) => e.name === 'pageview').length);
        const onPage = new Map<string, string>();
        for (const e of [...recent].sort((a, b) => a.ts - b.ts)) if (e.name === 'pageview') onPage.set(e.visitor, e.pathname);
        const counts = new Map<string, number>();
        for (const page of onPage.values()) counts.set(page, (counts.get(page) ?? 0) + 1);
        expect(now.pages).toEqual([...counts].map(([page, visitors]) => ({ page, visitors })).sort((a, b) => b.visitors - a.visitors || (a.page < b.page ? -1 : 1)).slice(0, 3));
        const latest = [...active].sort((a, b) => b.ts - a.ts).slice(0, 4);
        expect(now.recent).toEqual(latest.map((e) => ({ ts: e.ts, name: e.name, page: e.pathname, country: e.country, source: e.source, device: e.device })));

        const from = Date.UTC(2026, 2, 26);
        const to = Date.UTC(2026, 2, 29, 12);
        const exported: StoredEvent[] = [];
        for await (const chunk of store.stats.exportEvents(site.id, from, to)) exported.push(...chunk);
        const inRange = rows.filter((e) => e.ts >= from && e.ts < to);
        expect(exported.length).toBe(inRange.length);
        expect(exported.map((e) => e.ts)).toEqual(inRange.map((e) => e.ts).sort((a, b) => a - b));
        const canonical = (e: StoredEvent) => JSON.stringify(Object.entries(e).sort(([a], [b]) => (a < b ? -1 : 1)));
        expect(new Set(exported.map(canonical))).toEqual(new Set(inRange.map(canonical)));
      });

      it.skipIf(harness.missing?.includes('rollups'))('answer the same once days are rolled up', async () => {
        const store = await loaded();
        const now = Date.UTC(2026, 2, 31, 12);
        const pending = await store.rollups.pending(site, now);
        expect(pending.length).toBeGreaterThanOrEqual(days);
        for (const day of pending) await store.rollups.roll(site, day, now);
        expect(await store.rollups.pending(site, now)).toEqual([]);
        for (const spec of specs) expect(same(await store.stats.query(spec)), JSON.stringify(spec.group)).toEqual(same(expected(spec)));
        expect((await store.stats.queryMany(specs)).map(same)).toEqual(specs.map((s) => same(expected(s))));
      });

      it.skipIf(harness.missing?.includes('rollups'))('find and erase what was sent about one person, and roll their days up again', async () => {
        const store = await loaded();
        const now = Date.UTC(2026, 2, 31, 12);
        for (const day of await store.rollups.pending(site, now)) await store.rollups.roll(site, day, now);
        // A server SDK sent events about user 42 (a number) and "42" (a string), and one about 7.
        const base = rows.find((e) => e.name === 'pageview' && e.ts > Date.UTC(2026, 2, 27))!;
        const about = (n: number, user: unknown, extra: Partial<StoredEvent> = {}): StoredEvent => ({
          ...base,
          ts: base.ts + 1000 * n,
          name: 'order',
          props: JSON.stringify({ user_id: user, total: 10 * n }),
          ...extra,
        });
        const sent = [about(1, 42), about(2, '42'), about(3, 7), about(4, 42, { site: 'other' }), about(5, 420)];
        await store.events.append(sent);
        expect(await store.events.findByProp(site.id, 'user_id', '42')).toEqual([sent[0], sent[1]]);
        expect(await store.events.findByProp(site.id, 'user_id', 'nobody')).toEqual([]);
        expect(await store.rollups.pending(site, now)).toEqual(['2026-03-27']);
        for (const day of await store.rollups.pending(site, now)) await store.rollups.roll(site, day, now);
        const before = await store.stats.query(specOf({ by: 'none' }));
        expect(await store.events.deleteByProp(site.id, 'user_id', '42')).toBe(2);
        expect(await store.events.findByProp(site.id, 'user_id', '42')).toEqual([]);
        expect(await store.events.findByProp('other', 'user_id', '42')).toHaveLength(1);
        // The day they were on is rolled again without them.
        expect(await store.rollups.pending(site, now)).toEqual(['2026-03-27']);
        for (const day of await store.rollups.pending(site, now)) await store.rollups.roll(site, day, now);
        const after = await store.stats.query(specOf({ by: 'none' }));
        expect(after[0]!.events).toBe(before[0]!.events - 2);
        expect(same(after)).toEqual(same(referenceStats([...rows, sent[2]!, sent[4]!], specOf({ by: 'none' }))));
      });

      it.skipIf(harness.missing?.includes('rollups'))(
        'roll a day again, with the same rows, when late events arrive for it or the site changes time zone',
        async () => {
          const store = await loaded();
          const now = Date.UTC(2026, 2, 31, 12);
          const roll = async (s: Site) => {
            for (const day of await store.rollups.pending(s, now)) await store.rollups.roll(s, day, now);
          };
          await roll(site);
          const week = specOf({ by: 'dimension', dimension: 'source', sort: 'visitors', limit: 20, offset: 0 });
          const before = same(await store.stats.query(week));
          // Rolling a rolled day again changes nothing.
          await store.rollups.roll(site, '2026-03-27', now);
          expect(same(await store.stats.query(week))).toEqual(before);
          // A late pageview on 2026-03-27 (and one continuing a visit that started on 2026-03-26).
          const started = rows.find((e) => e.ts > Date.UTC(2026, 2, 26, 12) && e.name === 'pageview')!;
          const late = [
            { ...started, ts: Date.UTC(2026, 2, 27, 10), session: 987_654_321, visitor: 'f'.repeat(32), source: 'Late', pathname: '/late' },
            { ...started, ts: started.ts + 60_000, pathname: '/continued' },
          ];
          await store.events.append(late);
          await store.events.settle();
          expect(await store.rollups.pending(site, now)).toEqual(expect.arrayContaining(['2026-03-26', '2026-03-27']));
          await roll(site);
          const all = [...rows, ...late];
          const reference = referenceStats(all, { ...week, group: { by: 'none' } })[0]!;
          expect(same(await store.stats.query({ ...week, group: { by: 'none' } }))).toEqual(same([reference]));
          expect((await store.stats.query(week)).find((r) => r.key === 'Late')?.visitors).toBe(1);
          // Another time zone: every day is rolled again in it.
          const moved = { ...site, timezone: 'America/New_York' };
          expect((await store.rollups.pending(moved, now)).length).toBeGreaterThanOrEqual(days);
        },
      );

      it.skipIf(harness.missing?.includes('rollups'))('purge a site\'s rolled-up days with it, and no other site\'s', async () => {
        const store = await loaded();
        const other: Site = { ...site, id: 'other-shop' };
        await store.sites.create(other);
        await store.events.append(rows.slice(0, 2_000).map((e) => ({ ...e, site: other.id })));
        await store.events.settle();
        const now = Date.UTC(2026, 2, 31, 12);
        const pending = await store.rollups.pending(site, now);
        for (const s of [site, other]) for (const day of await store.rollups.pending(s, now)) await store.rollups.roll(s, day, now);
        const week = specOf({ by: 'dimension', dimension: 'source', sort: 'visitors', limit: 20, offset: 0 });
        const otherBefore = same(await store.stats.query({ ...week, site: other.id }));
        expect(await store.sites.purge(site.id)).toBe(true);
        // A new site under the same id starts from nothing: no day of the old one counts as rolled.
        await store.sites.create(site);
        expect(await store.rollups.pending(site, now)).toEqual([]);
        for (const spec of [week, specOf({ by: 'time', interval: 'day' }), specOf({ by: 'none' })]) {
          expect(await store.stats.query(spec)).toEqual(await store.stats.query({ ...spec, site: 'never-existed' }));
        }
        await store.events.bulkInsert(rows);
        expect(await store.rollups.pending(site, now)).toEqual(pending);
        expect(same(await store.stats.query(week))).toEqual(same(expected(week)));
        expect(same(await store.stats.query({ ...week, site: other.id }))).toEqual(otherBefore);
        expect(await store.rollups.pending(other, now)).toEqual([]);
      });
    });
  });
}
