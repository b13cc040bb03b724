import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['collector/src/**/*.test.ts', 'tracker/src/**/*.test.ts', 'widgets/src/**/*.test.ts', 'plugins/*/tests/**/*.test.ts', 'scripts/**/*.test.ts'],
    // End-to-end suites start real collectors, DuckDB files and child processes.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll waits for browsers and collectors that share two cores with other suites: 1 s
    // (its default) is too short there; a check that never holds still fails, after 20 s.
    expect: { poll: { timeout: 20_000 } },
    pool: 'forks',
    globalSetup: ['scripts/vitest-tmpdir.ts'],
    setupFiles: ['scripts/vitest-suite.ts'],
  },
});
