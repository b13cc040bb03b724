/**
 * The whole path in a real browser: the tracker on a site's pages sends events to the collector,
 * and the dashboard embedded in another origin's admin shows them: the pages in its breakdown and
 * the visitors in its live count within seconds. Also times the first render of <cairn-dashboard>
 * from a cold cache (printed for BENCHMARKS.md; never asserted).
 */
import type { BreakdownAnswer } from '@cairn/collector/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROME_UA, startFixture, type Fixture } from '../testing/fixture.ts';

let f: Fixture;
beforeAll(async () => {
  // The tracker counts nothing in a browser that says it is automated.
  f = await startFixture({ automationHidden: true });
});
afterAll(() => f?.close());

describe('tracker → collector → dashboard', () => {
  it('shows what visitors just did, live', async () => {
    const tag = `<script defer src="${f.h.collector.url}/t.js" data-site="${f.h.siteId}" data-api="${f.h.collector.url}/api/event"></script>`;
    // Three visits on the site's own domain (the collector only counts its registered hosts).
    for (const path of ['landing', 'pricing', 'landing']) {
      const page = await f.open(`<h1>${path}</h1>`, { host: 'www.example.com', head: tag, userAgent: CHROME_UA });
      await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.includes('/api/event')), null, { timeout: 10_000 });
    }
    await f.h.collector.store.events.settle();
    const pages = await f.api<BreakdownAnswer>('breakdown/page?period=day');
    expect(pages.rows.length).toBeGreaterThan(0);

    const started = Date.now();
    const admin = await f.open(`<h1>Stats</h1><cairn-dashboard api="${f.h.collector.url}" site="${f.h.siteId}" token="${await f.token()}" period="today"></cairn-dashboard>`);
    await admin.waitForFunction(() => (document.querySelector('cairn-dashboard') as unknown as { state: string }).state === 'ready');
    const firstRender = Date.now() - started;
    const rows = await admin.evaluate(() => {
      const b = document.querySelector('cairn-dashboard')!.shadowRoot!.querySelector('cairn-breakdown[dimension="page"]')!;
      return [...b.shadowRoot!.querySelectorAll('tbody th')].map((th) => th.textContent!.trim());
    });
    expect(rows).toEqual(pages.rows.map((r) => r.value));
    expect(rows).toContain('/admin/1');
    // The live count arrives over the WebSocket within a few seconds.
    await admin.waitForFunction(
      () => {
        const live = document.querySelector('cairn-dashboard')!.shadowRoot!.querySelector('cairn-realtime');
        return /\b[1-9]\d* visitors? in the last 5 minutes/.test((live?.shadowRoot?.textContent ?? '').replace(/\s+/g, ' '));
      },
      null,
      { timeout: 8000 },
    );
    console.log(`first render of <cairn-dashboard> from a cold cache (widgets.js, then the dashboard request): ${firstRender} ms`);
  });
});
