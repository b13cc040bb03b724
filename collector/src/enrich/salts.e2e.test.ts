/**
 * Daily salts end to end, on a moving clock: visitor ids change every UTC day, a visit running
 * over midnight stays one visit, and a salt is destroyed 48 h after it was rotated out — gone
 * from the store and from the bytes of the data directory.
 */
import { afterEach, expect, it } from 'vitest';
import { readTree, startHarness, type Harness } from '../testing/harness.ts';

const HOUR = 3_600_000;
const D = Date.UTC(2026, 2, 10); // 2026-03-10 00:00 UTC
let now = D + 10 * HOUR;
let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const visit = (path: string, id: string) =>
  h!.post({ s: h!.siteId, n: 'pageview', u: `https://example.com${path}`, id }, { 'x-forwarded-for': '198.51.100.23' });
const byId = async (id: string) => (await h!.stored()).find((e) => e.clientId === id)!;

it('gives the same address and user agent a new visitor id on the next UTC day', async () => {
  now = D + 10 * HOUR;
  h = await startHarness({ now: () => now });
  expect((await visit('/a', 'day1-a')).status).toBe(202);
  now += 5 * 60_000;
  expect((await visit('/b', 'day1-b')).status).toBe(202);
  now = D + 24 * HOUR + 10 * HOUR;
  expect((await visit('/a', 'day2-a')).status).toBe(202);
  const [a, b, c] = [await byId('day1-a'), await byId('day1-b'), await byId('day2-a')];
  expect(b.visitor).toBe(a.visitor);
  expect(b.session).toBe(a.session);
  expect(c.visitor).not.toBe(a.visitor);
  expect(c.session).not.toBe(a.session);
  expect(await h.collector.store.salts.days()).toEqual(['2026-03-10', '2026-03-11']);
});

it('keeps a visit running over midnight as one visit, then moves on to the new salt', async () => {
  now = D + 23 * HOUR + 50 * 60_000;
  h = await startHarness({ now: () => now });
  await visit('/late', 'before-midnight');
  now = D + 24 * HOUR + 10 * 60_000; // 00:10, 20 minutes later
  await visit('/later', 'after-midnight');
  now = D + 24 * HOUR + 50 * 60_000; // 00:50, 40 minutes of silence
  await visit('/next', 'next-visit');
  const [a, b, c] = [await byId('before-midnight'), await byId('after-midnight'), await byId('next-visit')];
  expect(b.visitor).toBe(a.visitor);
  expect(b.session).toBe(a.session);
  expect(c.visitor).not.toBe(a.visitor);
  expect(c.session).not.toBe(a.session);
});

it('destroys a salt 48 hours after its rotation, leaving no trace of it on disk', async () => {
  now = D + 12 * HOUR;
  h = await startHarness({ now: () => now });
  await visit('/', 'd1');
  const salt = await h.collector.store.salts.ensure('2026-03-10', new Uint8Array(32));
  expect(salt.every((b) => b === 0)).toBe(false);

  // The salt of 03-10 is rotated out at 03-11 00:00; it must live until 03-13 00:00.
  now = D + 3 * 24 * HOUR - 60_000; // 03-12 23:59
  await visit('/', 'd3');
  await h.collector.runMaintenance();
  expect(await h.collector.store.salts.days()).toContain('2026-03-10');

  now = D + 3 * 24 * HOUR + 60_000; // 03-13 00:01
  await visit('/', 'd4');
  await h.collector.runMaintenance();
  const days = await h.collector.store.salts.days();
  expect(days).not.toContain('2026-03-10');
  expect(days).toContain('2026-03-13');

  await h.collector.close();
  const holding = (await readTree(h.dataDir)).filter(({ bytes }) => bytes.includes(Buffer.from(salt)));
  expect(holding.map((f) => f.path)).toEqual([]);
  await h.restart();
});
