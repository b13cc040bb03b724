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
    // CLIs, benchmarks, the test runner and tests that report measurements talk to a person.
    files: ['collector/bin/**', 'collector/bench/**', 'collector/src/cli/**', 'scripts/**', 'tracker/scripts/**', 'widgets/scripts/**', '**/*.test.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // Fixture apps are written as their framework's users write them: Nest's constructor injection
    // needs value imports of the injected classes (emitDecoratorMetadata), and the app tells the
    // test it listens on stdout.
    files: ['tracker/fixtures/**'],
    languageOptions: { parserOptions: { experimentalDecorators: true, emitDecoratorMetadata: true } },
    rules: { 'no-console': 'off' },
  },
  {
    // Tool configurations that their tools load as CommonJS (.dependency-cruiser.cjs).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    // The tracker is written for size: `a && b()` and `c ? d() : e()` as statements are the norm there.
    files: ['tracker/src/**'],
    rules: { '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }] },
  },
);
