/**
 * Builds the web pixel (extensions/cairn-pixel/src/index.ts) to one self-contained script, as a
 * web worker runs it, for the tests: Shopify CLI makes its own build on deploy and cannot run
 * here. `node plugins/shopify/scripts/pixel-build.ts [outFile]`; tests call `buildPixel()`.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ENTRY = fileURLToPath(new URL('../extensions/cairn-pixel/src/index.ts', import.meta.url));

/** The built pixel's code: an IIFE that calls `shopify.extend('WebPixel::Render', …)` through `register`. */
export async function buildPixel(): Promise<string> {
  const out = await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      lib: { entry: ENTRY, formats: ['iife'], name: 'cairnPixel', fileName: () => 'pixel.js' },
    },
  });
  const outputs = (Array.isArray(out) ? out : [out]) as { output: { type: string; code?: string }[] }[];
  const chunk = outputs.flatMap((o) => o.output).find((o) => o.type === 'chunk');
  if (!chunk?.code) throw new Error('[@cairn/shopify] the pixel build made no script');
  return chunk.code;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { writeFile } = await import('node:fs/promises');
  const file = process.argv[2] ?? 'cairn-pixel.js';
  const code = await buildPixel();
  await writeFile(file, code);
  process.stdout.write(`${file}: ${code.length} bytes\n`);
}
