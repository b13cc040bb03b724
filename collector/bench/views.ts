/**
 * `npm run bench:views`: every view a site owner opens, over HTTP, on one big site, with the
 * collector's memory beside each — the matrix of issue 19 (BENCHMARKS.md, "Every view").
 *
 * Seeds one site (Europe/Berlin) with BENCH_EVENTS events (default 10,000,000) over BENCH_DAYS
 * days up to now (default 30), rolls every closed day up, then starts a real collector
 * (`cairn start`, the default memory limit unless CAIRN_MEMORY_LIMIT says otherwise) on that data
 * directory and times each view with a site key: a cold load, then BENCH_RUNS warm ones (default
 * 5), p50 and p95, and the collector's resident memory after the view and its peak so far
 * (/proc/<pid>/status VmRSS, VmHWM). The reference is the unfiltered view computed from raw
 * events: the same numbers asked with a filter every event passes (page is not "/zz"), which no
 * rollup answers (`country is not` is answered from rollups since they subtract).
 *
 * BENCH_VIEWS (a regular expression) times only the views whose name it matches.
 *
 * `-- --data-dir DIR` keeps the seeded data in DIR and uses it again on the next run (seeding
 * 100 M events takes a while); without it, a temporary directory is removed at the end.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { synthesize } from '../src/seed/synthetic.ts';
import { newSiteKey } from '../src/sites/site-keys.ts';
import { openStore } from '../src/store/open-store.ts';
import type { Site } from '../src/store/store.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** Only the views whose name matches this (case-insensitive), e.g. BENCH_VIEWS='compared|12 months'. */
const ONLY = process.env.BENCH_VIEWS ? new RegExp(process.env.BENCH_VIEWS, 'i') : null;
const BIN = new URL('../bin/cairn.ts', import.meta.url).pathname;

const { values: args } = parseArgs({ options: { 'data-dir': { type: 'string' } } });
const keep = args['data-dir'];
const dataDir = keep ?? (await mkdtemp(join(tmpdir(), 'cairn-bench-views-')));
const keyFile = join(dataDir, 'bench-key.json');

/** Seeds the site and rolls it up, unless this data directory has it already; returns its id and a key. */
async function seeded(): Promise<{ site: string; key: string; events: number; seedS: number; rollS: number }> {
  if (existsSync(keyFile)) return JSON.parse(readFileSync(keyFile, 'utf8')) as { site: string; key: string; events: number; seedS: number; rollS: number };
  const store = await openStore({ store: 'duckdb', dataDir, loadIntervalMs: 1000 });
  const now = Date.now();
  const start = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate()) - DAYS * 86_400_000;
  const site: Site = { id: 'bench', name: 'bench.example.com', domains: ['bench.example.com'], allowSubdomains: true, queryKeys: [], timezone: 'Europe/Berlin', createdAt: start };
  await store.sites.create(site);
  const { key, secret } = newSiteKey(site.id, 'bench', now);
  await store.keys.create(key);
  let sample = 0;
  for (const _ of synthesize({ site: 's', start, days: DAYS + 1, visitorsPerDay: 100, seed: 1 })) sample++;
  const visitorsPerDay = Math.round((100 * EVENTS) / sample);
  const t0 = performance.now();
  function* traffic() {
    for (const e of synthesize({ site: site.id, start, days: DAYS + 1, visitorsPerDay, seed: 7, utcOffsetHours: 1 })) if (e.ts <= now) yield e;
  }
  const events = await store.events.bulkInsert(traffic(), (n) => process.stderr.write(`\rseeding: ${n.toLocaleString('en-US')} events`));
  const seedS = (performance.now() - t0) / 1000;
  process.stderr.write('\n');
  const r0 = performance.now();
  const days = await store.rollups.pending(site, Date.now());
  for (const [i, day] of days.entries()) {
    await store.rollups.roll(site, day, Date.now());
    process.stderr.write(`\rrolling up: ${i + 1}/${days.length} days`);
  }
  process.stderr.write('\n');
  const rollS = (performance.now() - r0) / 1000;
  await store.close();
  const made = { site: site.id, key: secret, events, seedS, rollS };
  const { writeFile } = await import('node:fs/promises');
  await writeFile(keyFile, JSON.stringify(made));
  return made;
}

const data = await seeded();

// A collector on that data directory, as `npm start` runs it.
const child = spawn(process.execPath, [BIN, 'start', '--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise<string>((resolve, reject) => {
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
    if (m) resolve(m[1]!);
  });
  child.once('exit', (code) => reject(new Error(`the collector exited (${code}) before listening:\n${out}`)));
});
child.stdout!.resume();
const memory = () => {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
};

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const f = (dimension: string, op: string, ...values: string[]) => ({ dimension, op, values });
const dash = (extra: Record<string, string> = {}, filters: object[] = []) =>
  `/dashboard?${new URLSearchParams({ period: '30d', ...extra, ...(filters.length ? { filters: JSON.stringify(filters) } : {}) })}`;
const steps = JSON.stringify([
  { kind: 'page', match: '/' },
  { kind: 'page', match: '/pricing' },
  { kind: 'event', match: 'signup' },
]);

const VIEWS: [string, string][] = [
  ['reference: 30 days from raw events (page is not /zz)', dash({}, [f('page', 'is_not', '/zz')])],
  ['30 days, unfiltered', dash()],
  ['30 days, page is /pricing', dash({}, [f('page', 'is', '/pricing')])],
  ['30 days, country is DE', dash({}, [f('country', 'is', 'DE')])],
  ['30 days, source is Google', dash({}, [f('source', 'is', 'Google')])],
  ['30 days, device is mobile', dash({}, [f('device', 'is', 'mobile')])],
  ['30 days, browser is Firefox', dash({}, [f('browser', 'is', 'Firefox')])],
  ['30 days, event is signup', dash({}, [f('event', 'is', 'signup')])],
  ['30 days, prop plan is pro', dash({}, [f('prop:plan', 'is', 'pro')])],
  ['30 days, page contains "blog"', dash({}, [f('page', 'contains', 'blog')])],
  ['30 days, country is not US', dash({}, [f('country', 'is_not', 'US')])],
  ['30 days, device is not desktop', dash({}, [f('device', 'is_not', 'desktop')])],
  ['30 days, entry page is /', dash({}, [f('entry_page', 'is', '/')])],
  ['30 days, exit page is /pricing', dash({}, [f('exit_page', 'is', '/pricing')])],
  ['30 days, UTM campaign is spring', dash({}, [f('utm_campaign', 'is', 'spring')])],
  ['30 days, country DE and device mobile', dash({}, [f('country', 'is', 'DE'), f('device', 'is', 'mobile')])],
  ['today', dash({ period: 'today' })],
  ['7 days', dash({ period: '7d' })],
  ['custom range, 14 days', dash({ period: 'custom', from: daysAgo(20), to: daysAgo(7) })],
  ['30 days, compared with the previous period', dash({ compare: 'previous' })],
  ['30 days, compared with last year', dash({ compare: 'year' })],
  ['12 months, unfiltered', dash({ period: '12mo' })],
  ['breakdown prop:plan, 30 days', `/breakdown/prop:plan?period=30d`],
  ['funnel of 3 steps, 30 days', `/funnel?period=30d&steps=${encodeURIComponent(steps)}`],
  ['realtime', '/realtime'],
  ['export of 30 days (NDJSON, once)', `/export?period=30d&format=ndjson`],
];

/** One request: its time to the last byte, to the first byte of the body (a download starting), and its size. */
async function get(path: string): Promise<{ ms: number; firstMs: number; bytes: number }> {
  const t = performance.now();
  const res = await fetch(`${base}/api/stats/${data.site}${path}`, { headers: { authorization: `Bearer ${data.key}` } });
  let bytes = 0;
  let firstMs = 0;
  for await (const chunk of res.body!) {
    if (bytes === 0) firstMs = performance.now() - t;
    bytes += (chunk as Uint8Array).length;
  }
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  return { ms: performance.now() - t, firstMs, bytes };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const rows: string[] = [];
for (const [name, path] of VIEWS) {
  if (ONLY && !ONLY.test(name)) continue;
  const once = path.startsWith('/export');
  try {
    const cold = await get(path);
    const warm: number[] = [];
    for (let i = 0; i < (once ? 0 : RUNS); i++) warm.push((await get(path)).ms);
    const m = memory();
    const [p50, p95] = once ? ['–', '–'] : [pct(warm, 50).toFixed(0), pct(warm, 95).toFixed(0)];
    rows.push(`| ${name} | ${cold.ms.toFixed(0)} | ${p50} | ${p95} | ${m.rss.toFixed(0)} | ${m.peak.toFixed(0)} |${once ? ` ${(cold.bytes / 2 ** 20).toFixed(0)} MiB, first byte after ${cold.firstMs.toFixed(0)} ms` : ''}`);
  } catch (err) {
    rows.push(`| ${name} | failed: ${(err as Error).message} | | | ${memory().rss.toFixed(0)} | ${memory().peak.toFixed(0)} |`);
  }
  process.stderr.write(`${rows.at(-1)}\n`);
}

child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
if (!keep) await rm(dataDir, { recursive: true, force: true });

console.log(`\nEvery view over HTTP: ${data.events.toLocaleString('en-US')} events over ${DAYS} days on one site, ${RUNS} warm runs, ${process.version}, memory limit ${process.env.CAIRN_MEMORY_LIMIT ?? 'default'}`);
console.log(`seeded in ${data.seedS.toFixed(1)} s, rolled up in ${data.rollS.toFixed(1)} s${keep ? ` (data kept in ${dataDir})` : ''}\n`);
console.log('| view (GET /api/stats/:site/…) | cold ms | p50 ms | p95 ms | collector RSS MiB | peak RSS MiB |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(r);
