/**
 * `npm test`: every suite of the repository, one after the other, then one summary line
 * `N passed, N failed, N skipped` (the last line `.ci/run` prints). A check that is not a test
 * framework (lint, typecheck, licenses) counts as one test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { describeLeftovers, type Leftover } from './leftover-processes.ts';

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

const total: Tally = { passed: 0, failed: 0, skipped: 0 };
const lines: string[] = [];

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  return r.status ?? 1;
}

function check(name: string, cmd: string, args: string[]): void {
  console.log(`\n▶ ${name}: ${cmd} ${args.join(' ')}`);
  const ok = run(cmd, args) === 0;
  total[ok ? 'passed' : 'failed']++;
  lines.push(`${ok ? 'ok  ' : 'FAIL'} ${name}`);
}

function vitest(): void {
  const report = '.cache/vitest.json';
  // What the suites left running, written by vitest's global teardown (scripts/vitest-tmpdir.ts), which killed them.
  const leftoversReport = '.cache/leftover-processes.json';
  mkdirSync('.cache', { recursive: true });
  rmSync(report, { force: true });
  rmSync(leftoversReport, { force: true });
  console.log('\n▶ vitest: collector, tracker, widgets and plugin suites (unit, end to end, browser, real WordPress, fuzz, crash)');
  const code = run('vitest', ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], { ...process.env, LEFTOVERS_REPORT: leftoversReport });
  const leftovers = existsSync(leftoversReport) ? (JSON.parse(readFileSync(leftoversReport, 'utf8')) as Leftover[]) : null;
  try {
    const r = JSON.parse(readFileSync(report, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests: number;
      testResults: { status: string; assertionResults: { status: string }[] }[];
    };
    // A file that failed to load has no failed test of its own: count it as one.
    const brokenFiles = r.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')).length;
    const t: Tally = { passed: r.numPassedTests, failed: r.numFailedTests + brokenFiles, skipped: r.numPendingTests + r.numTodoTests };
    // A crash outside any test; leftover processes also fail vitest's run, they are counted below.
    if (code !== 0 && t.failed === 0 && !leftovers?.length) t.failed = 1;
    total.passed += t.passed;
    total.failed += t.failed;
    total.skipped += t.skipped;
    lines.push(`${t.failed ? 'FAIL' : 'ok  '} vitest: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
  } catch {
    total.failed++;
    lines.push(`FAIL vitest: no report (exit code ${code})`);
  }
  if (leftovers === null) {
    total.failed++;
    lines.push('FAIL leftover processes: not checked (vitest ended before its global teardown)');
  } else if (leftovers.length > 0) {
    total.failed++;
    lines.push(`FAIL leftover processes: ${describeLeftovers(leftovers).join('; ')}`);
  } else {
    total.passed++;
    lines.push('ok   leftover processes: none');
  }
}

check('build', 'npm', ['run', 'build', '--workspaces', '--if-present']);
check('lint', 'eslint', ['.']);
// Boundaries between folders and packages (.dependency-cruiser.cjs): no cycles, drivers only in their adapter, no reaching up.
check('boundaries', 'depcruise', ['collector', 'tracker', 'widgets', 'plugins', '--config', '.dependency-cruiser.cjs']);
check('typecheck', 'tsc', ['-p', 'tsconfig.json']);
check('typecheck (browser)', 'tsc', ['-p', 'tracker/tsconfig.json']);
check('typecheck (widgets)', 'tsc', ['-p', 'widgets/tsconfig.json']);
check('chromium', 'node', ['scripts/ensure-chromium.ts']);
check('licenses', 'node', ['scripts/check-licenses.ts']);
check('php', 'node', ['scripts/ensure-php.ts']);
check('phpunit (WordPress plugin)', 'phpunit', ['-c', 'plugins/wordpress/phpunit.xml']);
vitest();
// The MongoDB adapter's contract suite always runs through mingo; against a server only when one is given.
lines.push(
  process.env.MONGODB_URL
    ? 'note MongoDB: the contract suite also ran against MONGODB_URL (see vitest above)'
    : 'note MongoDB: real-server run SKIPPED: MONGODB_URL is not set (no mongod here); the contract suite ran through mingo',
);

console.log(`\n${lines.join('\n')}\n`);
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 ? 1 : 0);
