/** The size of widgets.js, measured as the budget says (gzip -9), on every `npm test`. */
import { expect, it } from 'vitest';
import { measure } from '../../tracker/scripts/measure.ts';

it('keeps widgets.js within its 200 KB gzip budget', () => {
  const w = measure(new URL('../dist/widgets.js', import.meta.url).pathname);
  console.log(`widgets.js: ${w.raw} B raw, ${w.gzip} B gzip -9, ${w.brotli} B brotli; budget ${200 * 1024} B gzip`);
  expect(w.gzip).toBeLessThanOrEqual(200 * 1024);
  expect(w.raw).toBeGreaterThan(50_000);
});
