/**
 * Acknowledged means stored: a collector child process under load is killed with SIGKILL several
 * times; every event that got a 202 must be in the store exactly once afterwards. Events that got
 * no answer are sent again (same client ids) after each restart, as a tracker or SDK would retry.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { afterAll, expect, it } from 'vitest';
import { addSite } from '../sites/add-site.ts';
import { SiteDirectory } from '../sites/site-directory.ts';
import { openDuckDbStore } from '../store/duckdb/duckdb-store.ts';
import { CHROME_UA, tempDir } from '../testing/harness.ts';

const BIN = new URL('../../bin/cairn.ts', import.meta.url).pathname;
const KILLS = 4;
const WORKERS = 16;

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function startChild(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [BIN, 'start', '--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1', '--rate-limit-ip', '0', '--rate-limit-site', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"url":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(out);
      if (m) resolve({ child, url: `http://127.0.0.1:${m[1]}/api/event` });
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`collector exited (${code}) before listening:\n${out}`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

interface Ev {
  s: string;
  n: string;
  u: string;
  id: string;
}

/** Sends events from `queue` (then fresh ones) until `stop()`; records what was acknowledged. */
function load(url: string, site: string, round: number, retry: Ev[], acked: Set<string>, unanswered: Map<string, Ev>) {
  let running = true;
  let n = 0;
  const next = (): Ev[] => {
    const batch: Ev[] = [];
    const size = 1 + (n % 3);
    while (batch.length < size) {
      const ev = retry.shift() ?? { s: site, n: 'pageview', u: `https://example.com/r${round}/${n}`, id: `r${round}-${n++}` };
      batch.push(ev);
    }
    return batch;
  };
  const worker = async () => {
    while (running) {
      const batch = next();
      for (const ev of batch) unanswered.set(ev.id, ev);
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA },
          body: JSON.stringify(batch),
        });
        if (res.status === 202) {
          for (const ev of batch) {
            acked.add(ev.id);
            unanswered.delete(ev.id);
          }
        }
        await res.arrayBuffer();
      } catch {
        // The collector died mid-request: these stay unanswered and are retried after the restart.
      }
    }
  };
  const workers = Array.from({ length: WORKERS }, worker);
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

it('keeps every acknowledged event exactly once across repeated SIGKILLs', async () => {
  const dataDir = await tempDir('cairn-crash-');
  const setup = await openDuckDbStore({ dataDir });
  const { site } = await addSite(new SiteDirectory(setup), { domain: 'example.com' }, 'http://localhost', Date.now());
  await setup.close();

  const acked = new Set<string>();
  const unanswered = new Map<string, Ev>();
  const ackedPerRound: number[] = [];
  for (let round = 1; round <= KILLS; round++) {
    const { child, url } = await startChild(dataDir);
    const before = acked.size;
    const run = load(url, site.id, round, [...unanswered.values()], acked, unanswered);
    await new Promise((r) => setTimeout(r, 400 + Math.random() * 600));
    child.kill('SIGKILL');
    await exited(child);
    await run.stop();
    ackedPerRound.push(acked.size - before);
  }

  // A last, clean run: retry what was never answered, then stop with SIGTERM.
  const { child, url } = await startChild(dataDir);
  const run = load(url, site.id, KILLS + 1, [...unanswered.values()], acked, unanswered);
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGTERM');
  expect(await exited(child)).toBe(0);
  await run.stop();

  const store = await openDuckDbStore({ dataDir });
  try {
    const counts = new Map<string, number>();
    for (const ev of await store.events.list(site.id)) counts.set(ev.clientId!, (counts.get(ev.clientId!) ?? 0) + 1);
    // Every round acknowledged real work before it was killed.
    for (const n of ackedPerRound) expect(n).toBeGreaterThan(50);
    const missing = [...acked].filter((id) => counts.get(id) !== 1);
    expect(missing, 'acknowledged events missing or stored more than once').toEqual([]);
    const duplicated = [...counts].filter(([, n]) => n > 1);
    expect(duplicated, 'events stored twice').toEqual([]);
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
