/** The size of t.js, measured as the budget says (gzip -9), on every `npm test`. */
import { expect, it } from 'vitest';
import { CEILING_GZIP, measure, TARGET_GZIP } from '../scripts/measure.ts';

it('keeps t.js, with every automatic feature, within its size target', () => {
  const t = measure(new URL('../dist/t.js', import.meta.url).pathname);
  const gap = t.gzip - TARGET_GZIP;
  console.log(`t.js: ${t.raw} B raw, ${t.gzip} B gzip -9, ${t.brotli} B brotli; target ${TARGET_GZIP} B gzip ${gap > 0 ? `not met (over by ${gap} B)` : `met (${-gap} B to spare)`}`);
  expect(t.gzip).toBeLessThanOrEqual(CEILING_GZIP);
  expect(t.raw).toBeGreaterThan(1000);
});
