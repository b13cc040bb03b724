/**
 * Builds dist/ file by file with TypeScript's transpiler: `.js` with the `'use client'` directives
 * kept (Next needs them in the published files) and `.d.ts` from isolated declarations. Nothing
 * here resolves `next` or `react`: the repository's root install has neither (they are optional
 * peers). The sources are typechecked against the real Next and React types by
 * tests/typecheck.test.ts, inside the fixture project that has them installed.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

const compilerOptions: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
  jsx: ts.JsxEmit.ReactJSX,
  verbatimModuleSyntax: true,
};
const declarationOptions: ts.CompilerOptions = { ...compilerOptions, declaration: true, isolatedDeclarations: true };
/** Relative imports are written `./x.ts` in the sources and must name `./x.js` once built. */
const toJs = (code: string) => code.replace(/(from\s+|import\()(['"])(\.\.?\/[^'"]+)\.tsx?\2/g, '$1$2$3.js$2');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
for (const file of readdirSync(src)) {
  if (!/\.tsx?$/.test(file) || file.endsWith('.d.ts')) continue;
  const text = readFileSync(join(src, file), 'utf8');
  const base = file.replace(/\.tsx?$/, '');
  const js = ts.transpileModule(text, { compilerOptions, fileName: file, reportDiagnostics: true });
  const dts = ts.transpileDeclaration(text, { compilerOptions: declarationOptions, fileName: file, reportDiagnostics: true });
  const problems = [...(js.diagnostics ?? []), ...(dts.diagnostics ?? [])];
  if (problems.length) {
    const lines = problems.map((d) => `${file}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    throw new Error(`[@cairn/next] build failed:\n${lines.join('\n')}`);
  }
  writeFileSync(join(dist, `${base}.js`), toJs(js.outputText));
  writeFileSync(join(dist, `${base}.d.ts`), toJs(dts.outputText));
}
