/**
 * <cairn-goals> in Chromium, on a host page of another origin with a view token: accessible,
 * showing exactly the API's conversions and revenue, reloading on a filter change, and saying how
 * to add goals when a site has none. Goals and the second site are made through the admin socket,
 * as `cairn goal add` and `cairn site add` do.
 */
import { request } from 'node:http';
import type { GoalRow, GoalsAnswer } from '@cairn/collector/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, startFixture, visit, type Fixture } from '../testing/fixture.ts';

let f: Fixture;
/** A view token for a second site, which has no goals. */
let emptySite: { id: string; token: string };

/** A request to the collector's admin socket (what the `cairn` command line talks to). */
function admin<T>(method: string, path: string, body: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request({ socketPath: f.h.collector.adminSocket, method, path, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => (res.statusCode === 201 ? resolve(JSON.parse(text) as T) : reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const send = async (n: string, ip: string, p?: Record<string, number | string>) => {
  const res = await f.h.post({ s: f.h.siteId, n, u: 'https://example.com/pricing', ...(p ? { p } : {}) }, { 'x-forwarded-for': ip });
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}`);
};

beforeAll(async () => {
  f = await startFixture();
  // Visitors 198.51.0.1–5 on /, 6–9 on /pricing, 10–11 on /thanks/order (the fixture's addresses).
  await visit(f.h, [
    { page: '/', visitors: 5 },
    { page: '/pricing', visitors: 4 },
    { page: '/thanks/order', visitors: 2 },
  ]);
  for (const ip of ['198.51.0.6', '198.51.0.7', '198.51.0.8']) await send('signup', ip);
  await send('purchase', '198.51.0.10', { amount: 49.5 });
  await send('purchase', '198.51.0.11', { amount: 20 });
  await send('purchase', '198.51.0.11', { amount: 10.25 });
  // Orders in two currencies (the Shopify app's Purchase goal): never added together.
  await send('order', '198.51.0.10', { value: 30, currency: 'EUR' });
  await send('order', '198.51.0.11', { value: 12.5, currency: 'USD' });
  await f.h.collector.store.events.settle();
  await admin('POST', `/sites/${f.h.siteId}/goals`, { kind: 'event', match: 'signup', name: 'Sign-up' });
  await admin('POST', `/sites/${f.h.siteId}/goals`, { kind: 'page', match: '/thanks/*', name: 'Order page' });
  await admin('POST', `/sites/${f.h.siteId}/goals`, { kind: 'event', match: 'purchase', revenue: 'amount' });
  await admin('POST', `/sites/${f.h.siteId}/goals`, { kind: 'event', match: 'order', name: 'Order', revenue: 'value', currency: 'currency' });
  const made = await admin<{ site: { id: string }; secret: string }>('POST', '/sites', { domain: 'no-goals.example' });
  const res = await fetch(`${f.h.collector.url}/api/tokens/view`, { method: 'POST', headers: { authorization: `Bearer ${made.secret}` } });
  emptySite = { id: made.site.id, token: ((await res.json()) as { token: string }).token };
});
afterAll(() => f?.close());

const tag = async (html: string) => html.replaceAll('TOKEN', await f.token()).replaceAll('API', f.h.collector.url).replaceAll('SITE', f.h.siteId);
const ready = (page: Awaited<ReturnType<Fixture['open']>>) =>
  page.waitForFunction(() => [...document.querySelectorAll('cairn-goals')].every((e) => ['ready', 'empty'].includes((e as unknown as { state: string }).state)));

/** The goals table as text: one row of cells per goal, the goal's name without its pattern. */
const rows = (page: Awaited<ReturnType<Fixture['open']>>) =>
  page.evaluate(() =>
    [...document.querySelector('cairn-goals')!.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => [
      tr.querySelector('.label')!.textContent!.trim(),
      ...[...tr.querySelectorAll('td')].map((td) => td.textContent!.trim()),
    ]),
  );

describe('<cairn-goals>', () => {
  it('is accessible (axe-core, zero violations), light and dark, with its heading at the level asked', async () => {
    const page = await f.open(
      await tag(`<h1>Stats</h1>
      <cairn-goals api="API" site="SITE" token="TOKEN" level="2"></cairn-goals>
      <section style="background:#141821;color:#e8ebf1;padding:8px"><h2>Dark</h2><cairn-goals api="API" site="SITE" token="TOKEN" theme="dark" level="3" currency="EUR"></cairn-goals></section>
      <cairn-goals api="API" site="${emptySite.id}" token="${emptySite.token}" level="2" heading="Goals of another site"></cairn-goals>`),
    );
    await ready(page);
    expect(await axeViolations(page)).toEqual([]);
    await expect(page.getByRole('heading', { level: 3, name: 'Goals', exact: true }).count()).resolves.toBe(1);
    await expect(page.getByRole('table', { name: 'Goals', exact: true }).count()).resolves.toBe(2);
  });

  it('shows the goals the API answers: visitors, conversions, conversion rate and revenue', async () => {
    const page = await f.open(await tag(`<cairn-goals api="API" site="SITE" token="TOKEN" currency="EUR"></cairn-goals>`));
    await ready(page);
    const a = await f.api<GoalsAnswer>('goals?period=30d');
    const money = (n: number, currency = 'EUR') => new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(n);
    const revenue = (g: GoalRow) => (g.revenues ? g.revenues.map((r) => money(r.amount, r.currency!)).join('') : g.revenue === undefined ? '–' : money(g.revenue));
    expect(await rows(page)).toEqual(a.goals.map((g) => [g.name, String(g.visitors), String(g.conversions), `${g.conversion_rate}%`, revenue(g)]));
    // The seeded events, so that an empty answer on both sides cannot pass.
    expect(await rows(page)).toEqual([
      ['Sign-up', '3', '3', `${Math.round((3 / 11) * 1000) / 10}%`, '–'],
      ['Order page', '2', '2', `${Math.round((2 / 11) * 1000) / 10}%`, '–'],
      ['purchase', '2', '2', `${Math.round((2 / 11) * 1000) / 10}%`, '€79.75'],
      // One line per currency, the largest amount first, each in its own currency.
      ['Order', '2', '2', `${Math.round((2 / 11) * 1000) / 10}%`, '€30.00$12.50'],
    ]);
    const note = await page.evaluate(() => document.querySelector('cairn-goals')!.shadowRoot!.querySelector('.note')!.textContent);
    expect(note).toContain(`${a.visitors} visitors`);
  });

  it('puts each goal on its own lines when narrow: the name readable, each number under its label, nothing wider than the widget', async () => {
    const page = await f.open(await tag(`<h1>Stats</h1><div style="width:340px"><cairn-goals api="API" site="SITE" token="TOKEN" currency="EUR"></cairn-goals></div>`));
    await ready(page);
    const layout = await page.evaluate(() => {
      const root = document.querySelector('cairn-goals')!.shadowRoot!;
      const host = document.querySelector('cairn-goals')!.getBoundingClientRect();
      const row = root.querySelectorAll('tbody tr')[3]!;
      return {
        nameWidth: row.querySelector('.name')!.getBoundingClientRect().width,
        // What sticks out of the widget (the headers are hidden for the eyes, kept for screen readers).
        over: [...root.querySelectorAll('table, tbody tr, tbody th, td')].filter((e) => e.getBoundingClientRect().right > host.right + 0.5).map((e) => e.outerHTML.slice(0, 60)),
        labels: [...row.querySelectorAll('td')].map((td) => getComputedStyle(td, '::before').content),
      };
    });
    expect(layout.nameWidth).toBeGreaterThan(300);
    expect(layout.over).toEqual([]);
    expect(layout.labels).toEqual(['"Visitors" / ""', '"Conversions" / ""', '"Conversion rate" / ""', '"Revenue" / ""']);
    // The table keeps its headers for screen readers.
    expect(await page.getByRole('columnheader', { name: 'Conversion rate' }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('reads the goals again when the filters change', async () => {
    const page = await f.open(await tag(`<cairn-goals api="API" site="SITE" token="TOKEN"></cairn-goals>`));
    await ready(page);
    const filters = [{ dimension: 'page', op: 'is', values: ['/pricing'] }];
    await page.evaluate((json) => document.querySelector('cairn-goals')!.setAttribute('filters', json), JSON.stringify(filters));
    const a = await f.api<GoalsAnswer>(`goals?period=30d&filters=${encodeURIComponent(JSON.stringify(filters))}`);
    expect(a.goals[1]!.visitors).toBe(0);
    await page.waitForFunction(() => document.querySelector('cairn-goals')!.shadowRoot!.querySelectorAll('tbody tr')[1]?.querySelector('td')?.textContent?.trim() === '0');
    const revenue = (g: GoalRow) =>
      g.revenues ? g.revenues.map((r) => new Intl.NumberFormat('en-US', { style: 'currency', currency: r.currency! }).format(r.amount)).join('') : g.revenue === undefined ? '–' : String(g.revenue);
    expect(await rows(page)).toEqual(a.goals.map((g) => [g.name, String(g.visitors), String(g.conversions), `${g.conversion_rate}%`, revenue(g)]));
  });

  it('says how to add goals when the site has none', async () => {
    const page = await f.open(`<cairn-goals api="${f.h.collector.url}" site="${emptySite.id}" token="${emptySite.token}"></cairn-goals>`);
    await ready(page);
    expect(await page.evaluate(() => (document.querySelector('cairn-goals') as unknown as { state: string }).state)).toBe('empty');
    const text = await page.evaluate(() => document.querySelector('cairn-goals')!.shadowRoot!.querySelector('[part=state]')!.textContent!.replace(/\s+/g, ' '));
    expect(text).toContain('No goals yet');
    expect(text).toContain("the site's settings in the Cairn dashboard");
    expect(text).toContain(`cairn goal add ${emptySite.id} --event signup`);
    expect(await page.evaluate(() => document.querySelector('cairn-goals')!.shadowRoot!.querySelectorAll('table').length)).toBe(0);
  });
});
