import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeLeftovers, findLeftovers, killLeftovers, settledLeftovers, SUITE_VARIABLE } from './leftover-processes.ts';

let runDir: string;
let otherRun: string;
const orphans: number[] = [];

beforeAll(() => {
  runDir = mkdtempSync(join(tmpdir(), 'leftovers-run-'));
  otherRun = mkdtempSync(join(tmpdir(), 'leftovers-other-'));
});
afterAll(() => {
  for (const pid of orphans) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Killed by the test.
    }
  }
  rmSync(runDir, { recursive: true, force: true });
  rmSync(otherRun, { recursive: true, force: true });
});

/** Starts `command` in the background of a shell that exits at once: an orphan, as a process whose test worker is gone. */
function orphan(command: string, env: Record<string, string>): number {
  const r = spawnSync('sh', ['-c', `${command} >/dev/null 2>&1 </dev/null & echo $!`], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  const pid = Number(r.stdout.trim());
  orphans.push(pid);
  return pid;
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim().replace(/^Z.*/, '') === '') return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('findLeftovers', () => {
  it('finds a process a suite started and left, with the suite, and killLeftovers ends it', async () => {
    const pid = orphan('sleep 300', { TMPDIR: runDir, [SUITE_VARIABLE]: 'widgets/src/app/app.e2e.test.ts' });
    expect(findLeftovers(runDir)).toEqual([{ pid, ppid: expect.any(Number), command: 'sleep 300', suite: 'widgets/src/app/app.e2e.test.ts' }]);
    killLeftovers(findLeftovers(runDir));
    expect(await gone(pid)).toBe(true);
    expect(findLeftovers(runDir)).toEqual([]);
  });

  it('finds a process started with a bare environment by a path in the run folder on its command line', async () => {
    writeFileSync(join(runDir, 'events.log'), '');
    const pid = orphan(`tail -f ${join(runDir, 'events.log')}`, {});
    expect(findLeftovers(runDir)).toEqual([{ pid, ppid: expect.any(Number), command: `tail -f ${runDir}/events.log`, suite: null }]);
    killLeftovers(findLeftovers(runDir));
    expect(await gone(pid)).toBe(true);
  });

  it("ignores processes of other runs, and the runner's own children that no suite started (Vitest's workers)", async () => {
    const other = orphan('sleep 300', { TMPDIR: otherRun, [SUITE_VARIABLE]: 'scripts/other.test.ts' });
    const unmarked = orphan('sleep 300', {});
    const worker = spawn('sleep', ['300'], { env: { PATH: process.env.PATH ?? '', TMPDIR: runDir }, stdio: 'ignore' });
    try {
      expect(findLeftovers(runDir)).toEqual([]);
      // Seen from another runner, the same child is a leftover of an unknown suite.
      expect(findLeftovers(runDir, process.ppid)).toEqual([{ pid: worker.pid, ppid: process.pid, command: 'sleep 300', suite: null }]);
    } finally {
      worker.kill('SIGKILL');
      killLeftovers([other, unmarked].map((pid) => ({ pid, ppid: 0, command: '', suite: null })));
    }
  });

  it('never reports the process that looks nor its ancestors, even when they carry the marker', async () => {
    const shell = spawn('sh', ['-c', 'sleep 300; :'], { env: { PATH: process.env.PATH ?? '', TMPDIR: runDir, [SUITE_VARIABLE]: 'a.test.ts' }, stdio: 'ignore' });
    try {
      let found = findLeftovers(runDir);
      for (let i = 0; found.length < 2 && i < 20; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        found = findLeftovers(runDir);
      }
      const sleep = found.find((l) => l.ppid === shell.pid);
      expect(found.map((l) => l.command).sort()).toEqual(['sh -c sleep 300; :', 'sleep 300']);
      expect(findLeftovers(runDir, sleep!.pid)).toEqual([]);
    } finally {
      killLeftovers(findLeftovers(runDir));
    }
  });
});

describe('settledLeftovers', () => {
  it('waits for processes that are ending, and returns those still alive after the grace period', async () => {
    const ending = orphan('sleep 0.3', { TMPDIR: runDir, [SUITE_VARIABLE]: 'a.test.ts' });
    expect(findLeftovers(runDir).map((l) => l.pid)).toEqual([ending]);
    expect(await settledLeftovers(runDir, 3_000)).toEqual([]);
    const staying = orphan('sleep 300', { TMPDIR: runDir, [SUITE_VARIABLE]: 'b.test.ts' });
    expect((await settledLeftovers(runDir, 300)).map((l) => l.pid)).toEqual([staying]);
    killLeftovers(findLeftovers(runDir));
    expect(await gone(staying)).toBe(true);
  });
});

describe('describeLeftovers', () => {
  it('names one process tree per entry, by the program a shell wrapper runs, with the suite', async () => {
    writeFileSync(join(runDir, 'browser'), 'sleep 300 & sleep 300 & wait\n');
    const pid = orphan(`sh ${join(runDir, 'browser')}`, { TMPDIR: runDir, [SUITE_VARIABLE]: 'tracker/src/tracker.browser.test.ts' });
    let found = findLeftovers(runDir);
    for (let i = 0; found.length < 3 && i < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      found = findLeftovers(runDir);
    }
    expect(describeLeftovers(found)).toEqual([`browser (pid ${pid}, started by tracker/src/tracker.browser.test.ts, 2 more processes under it)`]);
    killLeftovers(found);
    expect(await gone(pid)).toBe(true);
  });

  it('says when no suite is known', () => {
    expect(describeLeftovers([{ pid: 7, ppid: 1, command: '/usr/bin/node /repo/collector/bin/cairn.ts start', suite: null }])).toEqual([
      'cairn.ts (pid 7, started by an unknown suite)',
    ]);
  });
});

describe('the setup file', () => {
  it('names this file in the environment every process the suite starts inherits', () => {
    expect(process.env[SUITE_VARIABLE]).toBe('scripts/leftover-processes.test.ts');
  });
});
