/**
 * <cairn-metric> and <cairn-breakdown> in Chromium, on a host page of another origin with a view
 * token: accessible, showing exactly the API's numbers, filtering on click and by keyboard, and
 * recovering when the token expires.
 */
import type { BreakdownAnswer, SummaryAnswer } from '@cairn/collector/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, shadowText, startFixture, visit, type Fixture } from '../testing/fixture.ts';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
  await visit(f.h, [
    { page: '/', visitors: 5, referrer: 'https://www.google.com/' },
    { page: '/pricing', visitors: 3, referrer: 'https://news.ycombinator.com/item?id=1' },
    { page: '/blog/<b>hello</b>', visitors: 2 },
  ]);
});
afterAll(() => f?.close());

const tag = async (html: string) => html.replaceAll('TOKEN', await f.token()).replaceAll('API', f.h.collector.url).replaceAll('SITE', f.h.siteId);

describe('<cairn-metric> and <cairn-breakdown>', () => {
  it('are accessible (axe-core, zero violations), light and dark', async () => {
    const page = await f.open(
      await tag(`<h1>Stats</h1>
      <cairn-metric api="API" site="SITE" token="TOKEN" metric="visitors" compare="previous"></cairn-metric>
      <cairn-breakdown api="API" site="SITE" token="TOKEN" dimension="pages"></cairn-breakdown>
      <cairn-breakdown api="API" site="SITE" token="TOKEN" dimension="sources" theme="dark" style="background:#141821"></cairn-breakdown>`),
    );
    await page.waitForFunction(() => [...document.querySelectorAll('cairn-metric, cairn-breakdown')].every((e) => (e as unknown as { state: string }).state === 'ready'));
    expect(await axeViolations(page)).toEqual([]);
  });

  it('show the numbers the API answers', async () => {
    const page = await f.open(
      await tag(`<cairn-metric api="API" site="SITE" token="TOKEN" metric="pageviews"></cairn-metric>
      <cairn-breakdown api="API" site="SITE" token="TOKEN" dimension="page"></cairn-breakdown>`),
    );
    await page.waitForFunction(() => [...document.querySelectorAll('cairn-metric, cairn-breakdown')].every((e) => (e as unknown as { state: string }).state === 'ready'));
    const summary = await f.api<SummaryAnswer>('summary?period=30d');
    expect(await shadowText(page, 'cairn-metric', '.value')).toEqual([String(summary.metrics.pageviews)]);
    const pages = await f.api<BreakdownAnswer>('breakdown/page?period=30d&limit=10&sort=visitors');
    const rows = await page.evaluate(() =>
      [...document.querySelector('cairn-breakdown')!.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => [tr.querySelector('th')!.textContent!.trim(), tr.querySelector('td')!.textContent!.trim()]),
    );
    expect(rows).toEqual(pages.rows.map((r) => [r.value, String(r.visitors)]));
    expect(rows).toContainEqual(['/blog/<b>hello</b>', '2']);
    // The markup in a path is text, not an element.
    expect(await page.evaluate(() => document.querySelector('cairn-breakdown')!.shadowRoot!.querySelectorAll('tbody b').length)).toBe(0);
  });

  it('name their number column after the metric, or as the host says', async () => {
    const page = await f.open(
      await tag(`<cairn-breakdown api="API" site="SITE" token="TOKEN" dimension="page" metric="pageviews"></cairn-breakdown>
      <cairn-breakdown api="API" site="SITE" token="TOKEN" dimension="page" metric="pageviews" metric-label="Page loads"></cairn-breakdown>`),
    );
    await page.waitForFunction(() => [...document.querySelectorAll('cairn-breakdown')].every((e) => (e as unknown as { state: string }).state === 'ready'));
    const headings = await page.evaluate(() => [...document.querySelectorAll('cairn-breakdown')].map((e) => e.shadowRoot!.querySelectorAll('thead th')[1]!.textContent!.trim()));
    expect(headings).toEqual(['Pageviews', 'Page loads']);
  });

  it('ask to filter by a value, on click and with the keyboard', async () => {
    const page = await f.open(await tag(`<cairn-breakdown api="API" site="SITE" token="TOKEN" dimension="sources"></cairn-breakdown>`));
    await page.evaluate(() => {
      (window as unknown as { seen: unknown[] }).seen = [];
      document.addEventListener('cairn-filter-change', (e) => (window as unknown as { seen: unknown[] }).seen.push((e as unknown as { filters: unknown }).filters));
    });
    await page.waitForFunction(() => (document.querySelector('cairn-breakdown') as unknown as { state: string }).state === 'ready');
    const sources = await f.api<BreakdownAnswer>('breakdown/source?period=30d');
    await page.locator('cairn-breakdown').getByRole('button', { name: sources.rows[0]!.value }).click();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const seen = await page.evaluate(() => (window as unknown as { seen: unknown[] }).seen);
    expect(seen).toEqual([[{ dimension: 'source', op: 'is', values: [sources.rows[0]!.value] }], [{ dimension: 'source', op: 'is', values: [sources.rows[1]!.value] }]]);
  });

  it('say when the token expired, tell the host, and load again with the fresh token it gives', async () => {
    const page = await f.open(await tag(`<cairn-metric api="API" site="SITE" token="${await f.token({ ttl: 1 })}"></cairn-metric>`));
    const fresh = await f.token();
    await page.evaluate((token) => document.addEventListener('cairn-token-expired', (e) => setTimeout(() => (e as unknown as { retry: (t: string) => void }).retry(token), 300)), fresh);
    await page.waitForTimeout(1100);
    await page.evaluate(() => (document.querySelector('cairn-metric') as unknown as { reload: () => Promise<void> }).reload());
    await page.waitForFunction(() => document.querySelector('cairn-metric')!.shadowRoot!.textContent!.includes('expired'));
    await page.waitForFunction(() => (document.querySelector('cairn-metric') as unknown as { state: string }).state === 'ready');
  });
});
