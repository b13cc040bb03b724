/** `npm run size`: the tracker's sizes beside the peers', measured now. */
import { CEILING_GZIP, measure, PEERS, TARGET_GZIP } from './measure.ts';

const dist = new URL('../dist/', import.meta.url).pathname;
const t = measure(`${dist}t.js`);
const v = measure(`${dist}t-v.js`);
const row = (name: string, s: { raw?: number; gzip: number; brotli?: number }) =>
  `| ${name} | ${s.raw ?? '–'} | ${s.gzip} | ${s.brotli ?? '–'} |`;
console.log('| script | raw B | gzip -9 B | brotli B |\n|---|---:|---:|---:|');
console.log(row('Cairn t.js (all automatic features)', t));
console.log(row('Cairn t-v.js (Web Vitals, loaded only with data-vitals)', v));
for (const [name, gzip] of PEERS) console.log(row(`${name} (measured for the issue)`, { gzip }));
console.log(`\ntarget: t.js <= ${TARGET_GZIP} B gzip: ${t.gzip <= TARGET_GZIP ? 'met' : `not met, over by ${t.gzip - TARGET_GZIP} B`}`);
console.log(`ceiling enforced by npm test: ${CEILING_GZIP} B gzip: ${t.gzip <= CEILING_GZIP ? 'within' : 'OVER'}`);
