/**
 * What a test run left running. A process belongs to the run when its environment has TMPDIR set
 * to the run's temporary folder (scripts/vitest-tmpdir.ts sets it before any test starts, so
 * every process a suite starts inherits it), when its command line names a path in that folder
 * (a child started with a bare environment but given a data directory there), or when its parent
 * belongs to the run. The suite that started it is in its SUITE_VARIABLE (scripts/vitest-suite.ts).
 * Linux only: reads /proc (finds nothing elsewhere).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * Names the test file that started a process. Not CAIRN_* nor VITEST*: suites strip those from
 * the environment of the collectors and dev servers they start.
 */
export const SUITE_VARIABLE = 'STARTED_BY_TEST';

/** A process of the run that is still alive. */
export interface Leftover {
  pid: number;
  ppid: number;
  /** Its command line, arguments joined by spaces. */
  command: string;
  /** The test file that started it (SUITE_VARIABLE), or null when its environment does not say. */
  suite: string | null;
}

interface Proc {
  pid: number;
  ppid: number;
  argv: string[];
  env: Map<string, string>;
}

function readProc(pid: number): Proc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' || state === 'X') return null; // dead, waiting to be reaped
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const env = new Map<string, string>();
    for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
    }
    return { pid, ppid: Number(ppid), argv, env };
  } catch {
    return null; // gone meanwhile, or another user's
  }
}

function ancestors(pid: number): Set<number> {
  const seen = new Set<number>();
  for (let p: Proc | null = readProc(pid); p && p.ppid > 0 && !seen.has(p.ppid); p = readProc(p.ppid)) seen.add(p.ppid);
  return seen;
}

/**
 * The processes of the run whose temporary folder is `runDir`, and their descendants (Chromium
 * starts its helpers with an environment of its own), as seen from `runner` (the process that ran
 * the tests): never `runner` itself nor its ancestors, nor its own children that no suite started
 * (Vitest's workers).
 */
export function findLeftovers(runDir: string, runner = process.pid): Leftover[] {
  if (!existsSync('/proc/self/environ')) return []; // not Linux: nothing to look at
  const procs = new Map<number, Proc>();
  for (const name of readdirSync('/proc')) {
    const p = /^\d+$/.test(name) ? readProc(Number(name)) : null;
    if (p) procs.set(p.pid, p);
  }
  const skip = ancestors(runner).add(runner);
  for (const p of procs.values()) if (p.ppid === runner && !p.env.has(SUITE_VARIABLE)) skip.add(p.pid);
  const inRunDir = (arg: string): boolean => arg.includes(`${runDir}/`) || arg.endsWith(runDir);
  // pid → the suite, for processes of the run (null: no suite known); undefined: not looked at yet.
  const verdicts = new Map<number, { suite: string | null } | null>();
  const verdict = (p: Proc | undefined): { suite: string | null } | null => {
    if (!p || skip.has(p.pid)) return null;
    let v = verdicts.get(p.pid);
    if (v !== undefined) return v;
    verdicts.set(p.pid, null); // a guard against a cycle of reused pids
    const own = p.env.get('TMPDIR') === runDir || p.argv.some(inRunDir);
    const parent = verdict(procs.get(p.ppid));
    v = own || parent ? { suite: p.env.get(SUITE_VARIABLE) ?? parent?.suite ?? null } : null;
    verdicts.set(p.pid, v);
    return v;
  };
  const found: Leftover[] = [];
  for (const p of procs.values()) {
    const v = verdict(p);
    if (v) found.push({ pid: p.pid, ppid: p.ppid, command: p.argv.join(' '), suite: v.suite });
  }
  return found;
}

/**
 * `findLeftovers` once the run's processes that are ending have ended: while some are found,
 * looks again every 100 ms for up to `graceMs` (Vitest stops the last workers while global
 * teardown runs, and their helpers kill what they started as they go).
 */
export async function settledLeftovers(runDir: string, graceMs = 3_000, runner = process.pid): Promise<Leftover[]> {
  const deadline = Date.now() + graceMs;
  let found = findLeftovers(runDir, runner);
  while (found.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    found = findLeftovers(runDir, runner);
  }
  return found;
}

/** Kills each with SIGKILL. */
export function killLeftovers(leftovers: Leftover[]): void {
  for (const { pid } of leftovers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

const INTERPRETERS = new Set(['sh', 'dash', 'bash', 'node', 'php', 'python3']);

/** `chromium-headless-shell` for `/bin/sh -e /usr/bin/chromium-headless-shell …`, `cairn.ts` for `node …/bin/cairn.ts start`. */
function programName(command: string): string {
  const [first = '?', ...rest] = command.split(' ');
  const script = INTERPRETERS.has(basename(first)) ? rest.find((arg) => !arg.startsWith('-')) : undefined;
  return basename(script ?? first);
}

/**
 * One entry per process tree (a process whose parent is not itself left over), e.g.
 * `chromium-headless-shell (pid 123, started by widgets/src/app/app.e2e.test.ts, 6 more processes under it)`.
 */
export function describeLeftovers(leftovers: Leftover[]): string[] {
  const byPid = new Map(leftovers.map((l) => [l.pid, l]));
  const rootOf = (l: Leftover): Leftover => {
    let root = l;
    for (let parent = byPid.get(root.ppid); parent && parent !== l; parent = byPid.get(parent.ppid)) root = parent;
    return root;
  };
  const trees = new Map<Leftover, number>();
  for (const l of leftovers) {
    const root = rootOf(l);
    trees.set(root, (trees.get(root) ?? 0) + (root === l ? 0 : 1));
  }
  return [...trees].map(([root, more]) => {
    const under = more ? `, ${more} more process${more === 1 ? '' : 'es'} under it` : '';
    return `${programName(root.command)} (pid ${root.pid}, started by ${root.suite ?? 'an unknown suite'}${under})`;
  });
}
