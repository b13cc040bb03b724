/**
 * The package's sources, typechecked against the real Next and React types. The repository's
 * root install has neither (they are optional peers), so this runs the fixture project's own
 * TypeScript with its node_modules standing in for the package's: `tsc` over plugins/next/src,
 * strict, with the isolated declarations the build emits.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../../scripts/fixture-project.ts';
import { installFixture } from './next-app.ts';

const run = promisify(execFile);

it('typechecks src/ against the Next and React the fixture installs', async () => {
  const dir = await installFixture();
  const modules = join(dir, 'node_modules');
  const tsconfig = join(dir, 'tsconfig.cairn-src.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noUncheckedIndexedAccess: true,
        target: 'es2022',
        lib: ['es2024', 'dom', 'dom.iterable'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        jsx: 'react-jsx',
        allowImportingTsExtensions: true,
        verbatimModuleSyntax: true,
        declaration: true,
        isolatedDeclarations: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node', 'react'],
        typeRoots: [join(modules, '@types')],
        paths: { '*': [join(modules, '*'), join(modules, '@types/*')] },
      },
      include: [join(REPO_ROOT, 'plugins/next/src')],
    }),
  );
  const result = await run(process.execPath, [join(modules, 'typescript/bin/tsc'), '-p', tsconfig], { cwd: dir }).then(
    () => '',
    (err: { stdout?: string; message: string }) => err.stdout || err.message,
  );
  expect(result).toBe('');
}, 300_000);
