import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['collector/src/**/*.test.ts', 'tracker/src/**/*.test.ts', 'widgets/src/**/*.test.ts', 'plugins/*/tests/**/*.test.ts', 'scripts/**/*.test.ts'],
    // End-to-end suites start real collectors, DuckDB files and child processes.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['scripts/vitest-tmpdir.ts'],
    setupFiles: ['scripts/vitest-suite.ts'],
  },
});
