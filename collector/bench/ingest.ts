/**
 * `npm run bench:ingest`: the collector's ingest throughput beside its ceiling, in one run.
 *
 * 1. a bare node:http server that parses the same JSON body and answers 204 (the ceiling here);
 * 2. the collector on the embedded store, answering 202 only after each event is durable.
 * Same body, same 50 connections, same duration, both in child processes on 127.0.0.1; autocannon
 * drives them from this process. The two are measured in alternating rounds (this machine's speed
 * drifts by tens of percent from minute to minute) and the medians are compared. Prints req/s,
 * p50/p99 latency and the ratio, and checks that every 202 is in the store afterwards.
 *
 * It also prints the CPU each server spends per request, per kind of thread (from Linux's
 * /proc/<pid>/task/<tid>/stat): unlike req/s, that figure hardly moves when something else
 * shares the machine, so it shows whether a change made ingest cheaper even on a noisy run.
 */
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.ts';
import { startCollector, stop, waitForLine } from './child-process.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
const here = new URL('.', import.meta.url).pathname;

async function load(url: string, body: string, duration: number) {
  return autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration,
    headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': UA },
    body,
  });
}

/** CPU time of a process's threads by kind, in ms: the event loop, libuv's pool (file system, journal writes, DuckDB's queries), the rest (V8's helpers, native threads). */
type ThreadCpu = { loop: number; libuv: number; other: number };

const TICK_MS = (() => {
  try {
    return 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  } catch {
    return 10;
  }
})();

/** null where /proc is not there (not Linux). */
async function threadCpu(pid: number): Promise<ThreadCpu | null> {
  const out: ThreadCpu = { loop: 0, libuv: 0, other: 0 };
  try {
    for (const tid of await readdir(`/proc/${pid}/task`)) {
      const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => null);
      if (!stat) continue; // the thread ended meanwhile
      // pid (comm) state … utime stime: fields 14 and 15, counted after the ")" that ends comm.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
      const kind = tid === String(pid) ? 'loop' : comm.startsWith('libuv-worker') ? 'libuv' : 'other';
      out[kind] += ms;
    }
    return out;
  } catch {
    return null;
  }
}

interface Round {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  errors: number;
  /** µs of CPU per answered request, by kind of thread; null without /proc. */
  cpu: ThreadCpu | null;
}

async function measure(url: string, body: string, pid: number): Promise<Round> {
  const before = await threadCpu(pid);
  const r = await load(url, body, DURATION);
  const after = await threadCpu(pid);
  const answered = r['2xx'] + r.non2xx;
  const per = (k: keyof ThreadCpu) => ((after![k] - before![k]) * 1000) / Math.max(1, answered);
  const cpu = before && after ? { loop: per('loop'), libuv: per('libuv'), other: per('other') } : null;
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok: r['2xx'], errors: r.non2xx + r.errors + r.timeouts, cpu };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const body = (site: string) =>
  JSON.stringify({ s: site, n: 'pageview', u: 'https://example.com/blog/hello-world?utm_source=newsletter', r: 'https://www.google.com/', w: 1440 });

// The ceiling and the collector (on a fresh embedded store with one site), side by side.
const bare = spawn(process.execPath, [join(here, 'bare-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
const bareUrl = `http://127.0.0.1:${(await waitForLine(bare, /listening (\d+)/))[1]}/api/event`;
const { child: collector, url: collectorUrl, dataDir, site } = await startCollector('cairn-bench-');
const cairnUrl = `${collectorUrl}/api/event`;

// Warm-up (JIT, caches, the first journal segment), then alternating rounds.
await load(bareUrl, body('bench'), 2);
await load(cairnUrl, body(site.id), 2);
const rounds: { bare: Round; cairn: Round }[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const b = await measure(bareUrl, body('bench'), bare.pid!);
  const c = await measure(cairnUrl, body(site.id), collector.pid!);
  rounds.push({ bare: b, cairn: c });
  console.error(`round ${i + 1}/${ROUNDS}: ceiling ${Math.round(b.rps)} req/s, collector ${Math.round(c.rps)} req/s (${((c.rps / b.rps) * 100).toFixed(1)}%)`);
}
await stop(bare);
await stop(collector);

const check = await openDuckDbStore({ dataDir });
const stored = (await check.events.list(site.id)).length;
await check.close();
await rm(dataDir, { recursive: true, force: true });

const summary = (pick: (r: { bare: Round; cairn: Round }) => Round) => {
  const rs = rounds.map(pick);
  return { rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), ok: rs.reduce((n, r) => n + r.ok, 0), errors: rs.reduce((n, r) => n + r.errors, 0) };
};
const ceiling = summary((r) => r.bare);
const cairn = summary((r) => r.cairn);
const ratios = rounds.map((r) => (r.cairn.rps / r.bare.rps) * 100);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`\nIngest benchmark: ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION} s, autocannon on 127.0.0.1, ${process.version}\n`);
console.log('| server | req/s (median) | p50 ms | p99 ms | 2xx (all rounds) | errors |');
console.log('|---|---:|---:|---:|---:|---:|');
console.log(`| node:http + JSON.parse → 204 (ceiling) | ${fmt(ceiling.rps)} | ${ceiling.p50} | ${ceiling.p99} | ${fmt(ceiling.ok)} | ${ceiling.errors} |`);
console.log(`| Cairn collector, durable 202 (embedded store) | ${fmt(cairn.rps)} | ${cairn.p50} | ${cairn.p99} | ${fmt(cairn.ok)} | ${cairn.errors} |`);
console.log(`\nratio of medians: collector / ceiling = ${((cairn.rps / ceiling.rps) * 100).toFixed(1)}% (per round ${ratios.map((r) => r.toFixed(1) + '%').join(', ')}; target >= 50%)`);
const cpuLine = (name: string, pick: (r: { bare: Round; cairn: Round }) => Round) => {
  const rs = rounds.map(pick).filter((r) => r.cpu);
  if (rs.length === 0) return `| ${name} | – | – | – | – |`;
  const m = (k: keyof ThreadCpu) => median(rs.map((r) => r.cpu![k]));
  return `| ${name} | ${m('loop').toFixed(0)} | ${m('libuv').toFixed(0)} | ${m('other').toFixed(0)} | **${(m('loop') + m('libuv') + m('other')).toFixed(0)}** |`;
};
console.log('\nCPU per request, µs (median of the rounds; the load generator uses the other core):\n');
console.log('| server | event loop | libuv pool (fs, journal writes, DuckDB) | other threads | all |');
console.log('|---|---:|---:|---:|---:|');
console.log(cpuLine('ceiling', (r) => r.bare));
console.log(cpuLine('collector', (r) => r.cairn));
console.log(`\ndurability check: ${fmt(stored)} events stored for ${fmt(cairn.ok)} acknowledged in the rounds (plus the warm-up's)${stored >= cairn.ok ? '' : ' — FEWER THAN ACKNOWLEDGED'}`);
