// One lint for the whole repository; `npm test` runs it (scripts/test.ts).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/data/**', '**/.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // CLIs, benchmarks and the test runner talk to a person on the terminal.
    files: ['collector/bin/**', 'collector/bench/**', 'collector/src/cli/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
);
