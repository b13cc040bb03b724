/**
 * `npm run bench:sdk`: how many events a second one Node process can send to a local collector
 * with `@cairn/tracker/server` (batched, BENCH_EVENTS events, default 50,000), beside the same
 * events sent one request each (BENCH_CONCURRENCY in flight, default 16: what a server does that
 * posts each event as it happens). Every event from one visitor, then from 1,000 visitors in
 * turn: without the site key a batch holds one visitor's events (so many visitors make smaller
 * batches), with it each event names its visitor and a batch holds any (docs/api/events.md). The
 * collector runs in a child process (`cairn start`, rate limits off) on a fresh embedded store;
 * every acknowledged event is checked in the store afterwards.
 */
import { rm } from 'node:fs/promises';
import { createClient } from '../../tracker/src/server.ts';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.ts';
import { startCollector, stop } from './child-process.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

const { child, url: collector, dataDir, site, key } = await startCollector('cairn-bench-sdk-');

/** The visitor of event i: its address and user agent. */
const visitorOf = (i: number, visitors: number) => ({ address: `10.0.${Math.floor((i % visitors) / 250)}.${i % visitors % 250}`, headers: { 'user-agent': UA } });

async function batched(name: string, visitors: number, withKey: boolean): Promise<number> {
  // A queue that holds the whole run: this loop tracks faster than any collector takes events (a
  // server tracks as requests come), and the default 10,000 would drop the oldest.
  const cairn = createClient({ collector, site: site.id, maxQueue: EVENTS, ...(withKey ? { key } : {}) });
  const t = performance.now();
  for (let i = 0; i < EVENTS; i++) cairn.track(name, { i }, { url: 'https://example.com/checkout', ...visitorOf(i, visitors) });
  await cairn.close();
  const s = cairn.stats();
  if (s.sent !== EVENTS) throw new Error(`${name}: ${s.sent} of ${EVENTS} sent (${JSON.stringify(s)})`);
  return EVENTS / ((performance.now() - t) / 1000);
}

async function oneByOne(name: string, visitors: number): Promise<number> {
  let next = 0;
  const t = performance.now();
  const worker = async () => {
    while (next < EVENTS) {
      const i = next++;
      const { address, headers } = visitorOf(i, visitors);
      const body = JSON.stringify({ s: site.id, n: name, u: 'https://example.com/checkout', p: { i }, id: crypto.randomUUID() });
      const res = await fetch(`${collector}/api/event`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address, ...headers }, body });
      if (res.status !== 202) throw new Error(`${name}: HTTP ${res.status}`);
      await res.body?.cancel();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return EVENTS / ((performance.now() - t) / 1000);
}

// Warm-up (JIT, connections, the first journal segment), then each way in turn.
await batched('warm-up', 1, false);
await batched('warm-up-key', 1000, true);
await oneByOne('warm-up-single', 1);
const rows: [string, number, number][] = [];
for (const [visitors, withKey] of [[1, false], [1000, false], [1000, true]] as const) {
  const b = await batched(`batched-${visitors}-${withKey}`, visitors, withKey);
  const o = await oneByOne(`single-${visitors}-${withKey}`, visitors);
  const label = `${visitors === 1 ? 'one visitor' : `${visitors.toLocaleString('en-US')} visitors in turn`}, ${withKey ? 'with the site key (events name their visitor)' : 'no key'}`;
  rows.push([label, b, o]);
  console.error(`${label}: batched ${Math.round(b)} events/s, one request each ${Math.round(o)} events/s`);
}
await stop(child);

const check = await openDuckDbStore({ dataDir });
const stored = (await check.events.list(site.id)).length;
await check.close();
await rm(dataDir, { recursive: true, force: true });
const expected = EVENTS * 9;
if (stored !== expected) throw new Error(`${stored} events stored, ${expected} acknowledged`);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`\nSDK benchmark: ${EVENTS.toLocaleString('en-US')} events a run, to a local collector (embedded store, durable 202), ${process.version}\n`);
console.log(`| events from | @cairn/tracker/server, batched (events/s) | one request each, ${CONCURRENCY} in flight (events/s) | ratio |`);
console.log('|---|---:|---:|---:|');
for (const [label, b, o] of rows) console.log(`| ${label} | ${fmt(b)} | ${fmt(o)} | ${(b / o).toFixed(1)}× |`);
console.log(`\nall ${fmt(stored)} acknowledged events are in the store; target: batching ≥ 10× one request each`);
