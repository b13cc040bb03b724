/**
 * A collector whose data directory is on a small disk (a tmpfs the test mounts; root only) that
 * is filled while events arrive over HTTP: while full, events get 503 and /healthz says so; once
 * space is freed it takes events again by itself, without a restart, each time; it starts on a
 * full disk, answering 503, and catches up when space returns. Every acknowledged event is stored
 * exactly once.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '../collector.ts';
import { loadConfig, type Config } from '../config.ts';
import { addSite } from '../sites/add-site.ts';
import { CHROME_UA } from '../testing/harness.ts';
import { mountSmallDisk, smallDiskProblem, type SmallDisk } from '../testing/small-disk.ts';

const MiB = 2 ** 20;
const problem = smallDiskProblem();
if (problem && process.env.CI) throw new Error(`disk-full tests cannot run in CI: ${problem}`);

let disk: SmallDisk;
let config: Config;
const logs: string[] = [];
let site = '';

/** A collector on the small disk; `loadIntervalMs` as the test needs. */
const start = (loadIntervalMs = 200): Promise<Collector> =>
  startCollector({ config: { ...config, loadIntervalMs }, logDestination: { write: (line: string) => logs.push(line) } });

const until = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`gave up waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

const health = async (c: Collector) => {
  const res = await fetch(`${c.url}/healthz`);
  return { code: res.status, ...((await res.json()) as { status: string; reason?: string }) };
};

/** Events sent by a few clients at once, each with its own id; what got 202, and every status seen. */
function load(c: Collector, prefix: string, pad = 300) {
  const acked = new Set<string>();
  const statuses = new Map<number, number>();
  let running = true;
  let n = 0;
  const worker = async () => {
    while (running) {
      const batch = Array.from({ length: 1 + (n % 3) }, () => ({ s: site, n: 'pageview', u: `https://example.com/${prefix}/${n}`, id: `${prefix}-${n++}`, p: { pad: 'x'.repeat(pad) } }));
      const res = await fetch(`${c.url}/api/event`, { method: 'POST', headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA }, body: JSON.stringify(batch) });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status === 202) for (const ev of batch) acked.add(ev.id);
      else await new Promise((r) => setTimeout(r, 20));
    }
  };
  const workers = Array.from({ length: 6 }, worker);
  const count = (status: number) => statuses.get(status) ?? 0;
  return { acked, statuses, count, stop: async () => ((running = false), await Promise.all(workers)) };
}

async function storedOnce(c: Collector, acked: Set<string>): Promise<void> {
  await c.store.events.settle();
  const counts = new Map<string, number>();
  for (const ev of await c.store.events.list(site)) counts.set(ev.clientId!, (counts.get(ev.clientId!) ?? 0) + 1);
  expect([...acked].filter((id) => counts.get(id) !== 1), 'acknowledged events missing or stored twice').toEqual([]);
  expect([...counts].filter(([, k]) => k > 1), 'events stored twice').toEqual([]);
}

const logged = (msg: RegExp) => logs.filter((l) => msg.test((JSON.parse(l) as { msg: string }).msg));

describe.skipIf(problem !== null)(`a collector on a disk that fills up${problem ? ` (SKIPPED: ${problem})` : ''}`, () => {
  beforeAll(async () => {
    disk = await mountSmallDisk(192);
    config = {
      ...loadConfig({ 'data-dir': join(disk.dir, 'data'), port: '0', host: '127.0.0.1' }, {}),
      rateLimitIp: 0,
      rateLimitSite: 0,
      minFreeMb: 16,
    };
    const c = await start();
    site = (await addSite(c.sites, { domain: 'example.com' }, c.publicUrl, Date.now())).site.id;
    await c.close();
  });
  afterAll(() => disk?.unmount());

  it('answers 503 while the disk is full and takes events again once space is freed, without a restart, every time', async () => {
    const c = await start();
    const traffic = load(c, 'fill');
    try {
      // Below the reserve, down to nothing at all: each time, refused, then back by itself.
      for (const [round, leave] of [4 * MiB, 0, 1 * MiB].entries()) {
        await until('events acknowledged', () => traffic.count(202) > 100 * (round + 1));
        const refusedBefore = traffic.count(503);
        await disk.fill(leave);
        await until(`503s on a full disk (round ${round + 1})`, () => traffic.count(503) > refusedBefore + 20);
        expect(await health(c)).toEqual({ code: 503, status: 'down', reason: 'disk_full' });
        const ackedBefore = traffic.count(202);
        await disk.drain();
        await until(`events acknowledged again after space was freed (round ${round + 1})`, () => traffic.count(202) > ackedBefore + 100);
        await until('healthy again', async () => (await health(c)).status === 'ok');
      }
    } finally {
      await traffic.stop();
    }
    // Only 202s and 503s: a full disk is never a 500.
    expect([...traffic.statuses.keys()].sort()).toEqual([202, 503]);
    expect(logged(/too full to take more events/)).toHaveLength(3);
    expect(logged(/disk space is back/)).toHaveLength(3);
    await storedOnce(c, traffic.acked);
    await c.close();
  });

  it('starts on a full disk with events still journaled, answers 503, and catches up when space returns', async () => {
    // Events acknowledged and left in the journal (loads only at stop), more than DuckDB can
    // take on what the disk has left once it is filled.
    const first = await start(3_600_000);
    const before = load(first, 'journaled', 900);
    await until('events acknowledged', () => first.store.health().then((h) => (h.pendingEvents ?? 0) > 20_000), 60_000);
    await before.stop();
    await disk.fill(0);
    await first.close();
    const stopped = logged(/^Cairn stopped/).at(-1)!;
    expect(JSON.parse(stopped)).toMatchObject({ level: 40, pendingEvents: expect.any(Number) });
    expect(JSON.parse(stopped).pendingEvents).toBeGreaterThan(0);
    expect(JSON.parse(stopped).msg).toMatch(/journaled on disk \(durable\) and will be loaded at the next start/);

    // It comes up anyway, and says why it refuses events.
    const second = await start();
    try {
      expect(await health(second)).toEqual({ code: 503, status: 'down', reason: 'disk_full' });
      const refused = await fetch(`${second.url}/api/event`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA },
        body: JSON.stringify({ s: site, n: 'pageview', u: 'https://example.com/refused' }),
      });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');

      await disk.drain();
      await until('healthy once space returns', async () => (await health(second)).status === 'ok');
      const after = load(second, 'after');
      await until('events acknowledged again', () => after.count(202) > 100);
      await after.stop();
      await storedOnce(second, new Set([...before.acked, ...after.acked]));
    } finally {
      await second.close();
    }
  });
});
