/**
 * Builds the widgets with Vite: `dist/index.js`, an ES module for bundlers (Lit and ECharts left
 * to the host's bundler, so that they are shared), `dist/widgets.js`, one self-registering script
 * with everything in it that the collector serves for plain `<script>` embedding, and the type
 * declarations. `npm run size` reports widgets.js.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

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
