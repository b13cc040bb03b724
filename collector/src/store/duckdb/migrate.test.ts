/**
 * The embedded store's schema on real files (migrate.ts): a data directory written by a newer
 * Cairn is refused untouched, and one written by an older Cairn is upgraded in place, once.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { afterThisTest, tempFolder } from '../../testing/after-each-test.ts';
import { contractEvent } from '../contract.suite.ts';
import { StoreError, type StatsSpec } from '../store.ts';
import { openDuckDbStore, type DuckDbStore, type DuckDbStoreOptions } from './duckdb-store.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { readMeta } from './test-files.ts';

const SEGMENT_BYTES = 64 * 1024;
/** Loads only when a test settles or closes. */
const NO_TIMER = 3_600_000;
const T0 = Date.UTC(2026, 0, 31, 23, 59, 59, 999);

const tempDir = () => tempFolder('cairn-store-');

async function openStore(dataDir: string, options: Partial<DuckDbStoreOptions> = {}): Promise<DuckDbStore> {
  const store = await openDuckDbStore({ dataDir, segmentBytes: SEGMENT_BYTES, loadIntervalMs: NO_TIMER, ...options });
  afterThisTest(() => store.close());
  return store;
}

/** An ordinary pageview with every field set (the contract suite's). */
const event = contractEvent;

describe('schema', () => {
  it('refuses a data directory written by a newer Cairn', async () => {
    const dataDir = await tempDir();
    const store = await openStore(dataDir);
    await store.events.append([event(1)]);
    await store.close();
    const file = join(dataDir, 'cairn.duckdb');
    const instance = await DuckDBInstance.create(file);
    const conn = await instance.connect();
    await conn.run(`UPDATE meta SET value = '${SCHEMA_VERSION + 1}' WHERE key = 'schema_version'`);
    conn.closeSync();
    instance.closeSync();

    const err = await openDuckDbStore({ dataDir, loadIntervalMs: NO_TIMER }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toMatch(/newer Cairn/);
    expect((err as StoreError).message).toContain(`schema ${SCHEMA_VERSION + 1}`);
    // Refusing must leave the data as it was, and release the file.
    expect(await readMeta(file, 'schema_version')).toBe(String(SCHEMA_VERSION + 1));
  });

  it('upgrades a schema 2 directory: events kept, old-shaped rollups dropped to be computed again', async () => {
    const dataDir = await tempDir();
    const store = await openStore(dataDir);
    await store.events.append([event(1), event(2)]);
    await store.close();
    const file = join(dataDir, 'cairn.duckdb');
    const instance = await DuckDBInstance.create(file);
    const conn = await instance.connect();
    // Schema 2's rollups, without the scroll sums, with one rolled day.
    await conn.run(`DROP TABLE rollups; CREATE TABLE rollups (site VARCHAR, day DATE, dimension VARCHAR, value VARCHAR, visitors UBIGINT,
      visits UBIGINT, pageviews UBIGINT, events UBIGINT, bounces UBIGINT, visit_pageviews UBIGINT, duration UBIGINT)`);
    await conn.run(`INSERT INTO rollups VALUES ('site-a', '2026-01-01', '', '', 1, 1, 1, 0, 1, 1, 0)`);
    await conn.run(`INSERT INTO rollup_days (site, day, timezone, rolled_at, dirty) VALUES ('site-a', '2026-01-01', 'UTC', now(), false)`);
    await conn.run(`UPDATE meta SET value = '2' WHERE key = 'schema_version'`);
    conn.closeSync();
    instance.closeSync();

    const again = await openStore(dataDir);
    expect(await again.rollupRows('site-a')).toEqual([]);
    expect(await again.events.list('site-a')).toHaveLength(2);
    await again.close();
    expect(await readMeta(file, 'schema_version')).toBe(String(SCHEMA_VERSION));
  });

  it('upgrades a schema 3 directory: a site\'s key hash becomes a key, sites get a name, rollups are kept', async () => {
    const dataDir = await tempDir();
    const store = await openStore(dataDir);
    const site = { id: 'site-a', name: 'x', domains: ['example.com', 'example.org'], allowSubdomains: true, queryKeys: [], timezone: 'UTC', createdAt: T0 - 5_000 };
    await store.sites.create(site);
    await store.sites.create({ ...site, id: 'site-b', domains: [], createdAt: T0 });
    await store.events.append([event(1), event(2)]);
    await store.events.settle();
    const now = T0 + 2 * 86_400_000;
    for (const day of await store.rollups.pending(site, now)) await store.rollups.roll(site, day, now);
    const rolled = await store.rollupRows('site-a');
    expect(rolled.length).toBeGreaterThan(0);
    await store.close();
    // Schema 3: no site_keys, no site names or deletion times, a site's key hash in sites.key_hash.
    const file = join(dataDir, 'cairn.duckdb');
    const hash = 'ab'.repeat(32);
    const instance = await DuckDBInstance.create(file);
    const conn = await instance.connect();
    await conn.run(`DROP TABLE site_keys; ALTER TABLE sites DROP COLUMN name; ALTER TABLE sites DROP COLUMN deleted_at`);
    await conn.run(`UPDATE sites SET key_hash = '${hash}' WHERE id = 'site-a'`);
    await conn.run(`UPDATE meta SET value = '3' WHERE key = 'schema_version'`);
    conn.closeSync();
    instance.closeSync();

    const again = await openStore(dataDir);
    const [key] = await again.keys.list('site-a');
    expect(key).toEqual({ id: expect.stringMatching(/^k_[\w-]{12}$/), site: 'site-a', name: 'Site key', hash, last4: '', createdAt: T0 - 5_000, revokedAt: null });
    expect(await again.keys.byHash(hash)).toEqual(key);
    expect(await again.keys.list('site-b')).toEqual([]);
    expect((await again.sites.list()).map((s) => [s.id, s.name, s.deletedAt])).toEqual([
      ['site-a', 'example.com', null],
      ['site-b', 'site-b', null],
    ]);
    expect(await again.rollupRows('site-a')).toEqual(rolled);
    expect(await again.events.list('site-a')).toHaveLength(2);
    await again.close();
    expect(await readMeta(file, 'schema_version')).toBe(String(SCHEMA_VERSION));
    // Opened again: nothing moves twice.
    const third = await openStore(dataDir);
    expect(await third.keys.list('site-a')).toEqual([key]);
    await third.close();
  });

  it('upgrades a schema 5 directory: rollups kept; a filter reads the raw events of days rolled before until they are rolled again', async () => {
    const dataDir = await tempDir();
    const store = await openStore(dataDir, { filterRollupMinVisitors: 1 });
    const site = { id: 'site-a', name: 'x', domains: ['example.com'], allowSubdomains: true, queryKeys: [], timezone: 'UTC', createdAt: T0 };
    await store.sites.create(site);
    await store.events.append([1, 2, 3].map((i) => event(i, { pathname: '/' })));
    await store.events.settle();
    const now = T0 + 2 * 86_400_000;
    for (const day of await store.rollups.pending(site, now)) await store.rollups.roll(site, day, now);
    const rolled = await store.rollupRows('site-a');
    expect(await store.filterRollupRows('site-a')).not.toEqual([]);
    await store.close();
    // Schema 5: page rollups instead of filter rollups, and no filter_min nor filters in rollup_days.
    const file = join(dataDir, 'cairn.duckdb');
    const instance = await DuckDBInstance.create(file);
    const conn = await instance.connect();
    await conn.run(`DROP TABLE filter_rollups; ALTER TABLE rollup_days DROP COLUMN filter_min; ALTER TABLE rollup_days DROP COLUMN filters`);
    await conn.run(`CREATE TABLE page_rollups (site VARCHAR, day DATE, page VARCHAR)`);
    await conn.run(`UPDATE meta SET value = '5' WHERE key = 'schema_version'`);
    conn.closeSync();
    instance.closeSync();

    const again = await openStore(dataDir, { filterRollupMinVisitors: 1 });
    expect(await again.rollupRows('site-a')).toEqual(rolled);
    expect(await again.filterRollupRows('site-a')).toEqual([]);
    // The day rolled without filter rollups is pending again.
    expect(await again.rollups.pending(site, now)).toEqual(['2026-02-01']);
    const day = { site: 'site-a', tz: 'UTC', from: '2026-02-01', to: '2026-02-01', startUtc: T0 + 1, endUtc: T0 + 1 + 86_400_000 };
    const pageviews = async (filters: StatsSpec['filters']) => (await again.stats.query({ ...day, filters, group: { by: 'none' } }))[0]?.pageviews ?? 0;
    const onPage: StatsSpec['filters'] = [{ dimension: 'page', op: 'is', values: ['/'] }];
    expect([await pageviews([]), await pageviews(onPage)]).toEqual([3, 3]);
    // Without the raw events, the rolled-up day still answers unfiltered; the page filter, read raw, sees none.
    await again.events.deleteBefore('site-a', now);
    expect([await pageviews([]), await pageviews(onPage)]).toEqual([3, 0]);
    await again.close();
    const tables = await DuckDBInstance.create(file).then(async (i) => {
      const c = await i.connect();
      const names = (await c.runAndReadAll(`SELECT table_name FROM information_schema.tables`)).getRows().map((r) => String(r[0]));
      c.closeSync();
      i.closeSync();
      return names;
    });
    expect(tables).not.toContain('page_rollups');
    expect(await readMeta(file, 'schema_version')).toBe(String(SCHEMA_VERSION));
  });

  it('upgrades a schema 6 directory: its bot counts become drop counts', async () => {
    const dataDir = await tempDir();
    const store = await openStore(dataDir);
    await store.close();
    const file = join(dataDir, 'cairn.duckdb');
    const instance = await DuckDBInstance.create(file);
    const conn = await instance.connect();
    await conn.run(`DROP TABLE drop_counts; CREATE TABLE bot_counts (site VARCHAR NOT NULL, day DATE NOT NULL, reason VARCHAR NOT NULL,
      count UBIGINT NOT NULL, PRIMARY KEY (site, day, reason))`);
    await conn.run(`INSERT INTO bot_counts VALUES ('site-a', '2026-03-10', 'headless', 3), ('site-a', '2026-03-11', 'bot', 1)`);
    await conn.run(`UPDATE meta SET value = '6' WHERE key = 'schema_version'`);
    conn.closeSync();
    instance.closeSync();

    const again = await openStore(dataDir);
    const moved = [
      { site: 'site-a', day: '2026-03-10', reason: 'headless', count: 3 },
      { site: 'site-a', day: '2026-03-11', reason: 'bot', count: 1 },
    ];
    expect(await again.dropCounts.list('site-a')).toEqual(moved);
    await again.close();
    expect(await readMeta(file, 'schema_version')).toBe(String(SCHEMA_VERSION));
    // Opened again: nothing counted twice.
    const third = await openStore(dataDir);
    expect(await third.dropCounts.list('site-a')).toEqual(moved);
    await third.close();
  });

  it('opens again after a crash right after it added a column to an older directory (no ALTER left in the write-ahead log)', async () => {
    const dataDir = await tempDir();
    const store = await openStore(dataDir);
    await store.goals.create('site-a', { id: 'g1', name: 'Order', kind: 'event', match: 'order', revenue: 'value' });
    await store.close();
    // A directory from before goals had a currency.
    const instance = await DuckDBInstance.create(join(dataDir, 'cairn.duckdb'));
    const conn = await instance.connect();
    await conn.run('ALTER TABLE goals DROP COLUMN currency');
    conn.closeSync();
    instance.closeSync();
    // Another process opens it (adding the column) and is killed before it closes.
    const script = `const { openDuckDbStore } = await import(${JSON.stringify(new URL('./duckdb-store.ts', import.meta.url).href)});
      await openDuckDbStore({ dataDir: ${JSON.stringify(dataDir)}, loadIntervalMs: ${NO_TIMER} });
      process.kill(process.pid, 'SIGKILL');`;
    const crashed = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');

    const again = await openStore(dataDir);
    expect(await again.goals.list('site-a')).toEqual([{ id: 'g1', name: 'Order', kind: 'event', match: 'order', revenue: 'value' }]);
  });

  it('records the schema version on first open', async () => {
    const dataDir = await tempDir();
    const store = await openStore(dataDir);
    await store.close();
    expect(await readMeta(join(dataDir, 'cairn.duckdb'), 'schema_version')).toBe(String(SCHEMA_VERSION));
  });
});
