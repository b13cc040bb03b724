/**
 * `npm run size` (widgets part): widgets.js against its budget (ARCHITECTURE.md: 200 KB gzip with
 * charts), beside references measured now: ECharts' prebuilt full and "common" bundles (what
 * not tree-shaking would cost).
 */
import { createRequire } from 'node:module';
import { measure } from '../../tracker/scripts/measure.ts';

export const BUDGET_GZIP = 200 * 1024;

const require = createRequire(import.meta.url);
const dist = new URL('../dist/', import.meta.url).pathname;
const w = measure(`${dist}widgets.js`);
const row = (name: string, s: { raw: number; gzip: number; brotli: number }) => `| ${name} | ${s.raw} | ${s.gzip} | ${s.brotli} |`;
console.log('\n| script | raw B | gzip -9 B | brotli B |\n|---|---:|---:|---:|');
console.log(row('Cairn widgets.js (every component, charts included)', w));
console.log(row('reference: echarts.min.js (all of ECharts)', measure(require.resolve('echarts/dist/echarts.min.js'))));
console.log(row('reference: echarts.common.min.js (common charts)', measure(require.resolve('echarts/dist/echarts.common.min.js'))));
console.log(`\nbudget: widgets.js <= ${BUDGET_GZIP} B gzip: ${w.gzip <= BUDGET_GZIP ? 'met' : `NOT met, over by ${w.gzip - BUDGET_GZIP} B`}`);
