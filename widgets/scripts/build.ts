/**
 * Builds the widgets with Vite: `dist/index.js`, an ES module for bundlers (Lit and ECharts left
 * to the host's bundler, so that they are shared), `dist/widgets.js`, one self-registering script
 * with everything in it that the collector serves for plain `<script>` embedding, `dist/app/`,
 * the collector's own dashboard app (its page, `app.js` and lazy chunks, the PWA manifest, icons
 * and service worker), and the type declarations. `npm run size` reports widgets.js.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'vite';
import { iconPng, iconSvg } from './app-icons.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });

// Libraries (ECharts) branch on process.env.NODE_ENV: browsers have no `process`, and the
// production branches are the ones to ship.
const common = { root, configFile: false as const, logLevel: 'warn' as const, define: { 'process.env.NODE_ENV': JSON.stringify('production') } };
await build({
  ...common,
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    lib: { entry: join(root, 'src/index.ts'), formats: ['es'], fileName: () => 'index.js' },
    rollupOptions: { external: [/^lit($|\/)/, /^echarts($|\/)/, /^zrender($|\/)/, /^@lit\//] },
    minify: false,
  },
});
await build({
  ...common,
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    lib: { entry: join(root, 'src/index.ts'), formats: ['iife'], name: 'CairnWidgets', fileName: () => 'widgets.js' },
    minify: true,
  },
});
execFileSync(process.execPath, [join(root, '../node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.types.json')], { stdio: 'inherit' });
await buildApp();
precompress();

/**
 * package.json's `sideEffects` speaks of dist; but the app imports the element files of src for
 * what they do (each defines its element), so the bundler must not drop them as unused.
 */
function elementsDefine() {
  return {
    name: 'cairn-elements-define',
    transform: (code: string, id: string) => (id.startsWith(join(root, 'src')) ? { code, map: null, moduleSideEffects: true } : null),
  };
}

/** The dashboard app in `dist/app/`: its script and chunks, page, manifest and icons, then the service worker that caches them. */
async function buildApp(): Promise<void> {
  const out = join(root, 'dist/app');
  await build({
    ...common,
    plugins: [elementsDefine()],
    build: {
      outDir: 'dist/app',
      emptyOutDir: false,
      target: 'es2022',
      // An app build, not a library one: Vite keeps a library's whitespace. Lazy parts (the
      // charts) are hashed chunks, which the collector lets browsers cache for a year.
      rollupOptions: { input: join(root, 'src/app/app.ts'), output: { entryFileNames: 'app.js', chunkFileNames: 'chunks/[name]-[hash].js' } },
      minify: true,
    },
  });
  for (const file of ['index.html', 'manifest.webmanifest']) copyFileSync(join(root, 'src/app', file), join(out, file));
  writeFileSync(join(out, 'icon.svg'), iconSvg());
  writeFileSync(join(out, 'icon-192.png'), iconPng(192));
  writeFileSync(join(out, 'icon-512.png'), iconPng(512));
  writeFileSync(join(out, 'icon-maskable-512.png'), iconPng(512, true));

  // The shell the service worker keeps, under the URLs the collector serves them at; its cache
  // is named after their content, so that a new build replaces it.
  const files = ['app.js', 'manifest.webmanifest', 'icon.svg', 'icon-192.png', 'icon-512.png', 'icon-maskable-512.png', 'index.html'];
  const urlOf = (f: string) => (f === 'index.html' ? '/' : f === 'manifest.webmanifest' ? '/manifest.webmanifest' : `/app/${f}`);
  const hash = createHash('sha256');
  for (const f of files) hash.update(readFileSync(join(out, f)));
  // Chunk names carry their content's hash.
  if (existsSync(join(out, 'chunks'))) for (const f of readdirSync(join(out, 'chunks'), { encoding: 'utf8' }).sort()) hash.update(f);
  // The service worker is the build's last output: `npm start` (collector/src/cli/start-command.ts) takes it as the sign of a complete build.
  await build({
    ...common,
    define: { __CAIRN_SHELL_VERSION__: JSON.stringify(hash.digest('hex').slice(0, 12)), __CAIRN_SHELL__: JSON.stringify(files.map(urlOf)) },
    build: {
      outDir: 'dist/app',
      emptyOutDir: false,
      target: 'es2022',
      lib: { entry: join(root, 'src/app/sw.ts'), formats: ['iife'], name: 'CairnServiceWorker', fileName: () => 'sw.js' },
      minify: true,
    },
  });
}

/**
 * The gzip and brotli encodings of what the collector serves (widgets.js and the app), beside each
 * file (`app.js.br`, `app.js.gz`), so that the collector does not spend seconds of brotli at each
 * start (collector/src/http/compressed.ts checks that they decode to the file). Not published.
 */
function precompress(): void {
  const dist = join(root, 'dist');
  const served = ['widgets.js', ...readdirSync(join(dist, 'app'), { recursive: true, encoding: 'utf8' }).map((name) => join('app', name))];
  for (const name of served.filter((n) => /\.(js|html|webmanifest|svg)$/.test(n))) {
    const body = readFileSync(join(dist, name));
    writeFileSync(join(dist, `${name}.gz`), gzipSync(body, { level: 9 }));
    writeFileSync(join(dist, `${name}.br`), brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  }
}
