/** The stats API over HTTP: authorisation by site key, query parsing, errors, CORS. */
import { parse } from 'content-disposition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { adminRequest } from '../cli/admin-client.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import { synthesize } from '../seed/synthetic.ts';

const NOW = Date.UTC(2026, 2, 20, 12);
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ now: () => NOW });
  const rows = [...synthesize({ site: h.siteId, start: Date.UTC(2026, 2, 1), days: 20, visitorsPerDay: 20 })];
  await h.collector.store.events.append(rows);
  await h.collector.store.events.settle();
});
afterAll(() => h.stop());

const get = (path: string, key: string | null = h.siteKey) =>
  fetch(`${h.collector.url}/api/stats/${h.siteId}/${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

describe('authorisation', () => {
  it('asks for credentials, refuses a wrong key, and an unknown site as one the key does not open', async () => {
    const none = await get('summary', null);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await get('summary', 'cairn_sk_wrong')).status).toBe(401);
    const other = await fetch(`${h.collector.url}/api/stats/nosuchsite/summary`, { headers: { authorization: `Bearer ${h.siteKey}` } });
    expect(other.status).toBe(403);
  });
});

describe('queries', () => {
  it('answers a summary with a comparison', async () => {
    const res = await get('summary?period=7d&compare=previous');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await res.json()) as { period: { from: string; to: string }; metrics: Record<string, number>; comparison: { change: Record<string, number | null> } };
    expect(body.period).toEqual({ from: '2026-03-14', to: '2026-03-20', timezone: 'UTC' });
    expect(body.metrics.visitors).toBeGreaterThan(50);
    expect(body.metrics.pageviews).toBeGreaterThan(body.metrics.visits!);
    expect(Object.keys(body.comparison.change)).toContain('bounce_rate');
  });

  it('answers a time series with every day of the period', async () => {
    const body = (await (await get('timeseries?period=custom&from=2026-02-27&to=2026-03-03')).json()) as { series: { bucket: string; visitors: number }[] };
    expect(body.series.map((b) => b.bucket)).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02', '2026-03-03']);
    expect(body.series[0]!.visitors).toBe(0);
    expect(body.series[2]!.visitors).toBeGreaterThan(0);
  });

  it('answers a filtered, paged breakdown', async () => {
    const filters = encodeURIComponent(JSON.stringify([{ dimension: 'device', op: 'is', values: ['desktop'] }]));
    const body = (await (await get(`breakdown/page?period=30d&limit=3&page=2&filters=${filters}`)).json()) as { rows: { value: string }[]; total: number; page: number };
    expect(body.rows).toHaveLength(3);
    expect(body.page).toBe(2);
    expect(body.total).toBeGreaterThan(6);
    const props = (await (await get('breakdown/prop:plan?period=30d')).json()) as { rows: { value: string }[] };
    expect(props.rows.map((r) => r.value).sort()).toEqual(expect.arrayContaining(['free', 'pro']));
  });

  it.each([
    ['summary?period=yesterday', 'period'],
    ['summary?period=custom&from=2026-03-05', 'from'],
    ['summary?period=day&date=2026-13-01', 'date'],
    ['summary?filters=not-json', 'filters'],
    ['summary?filters=' + encodeURIComponent('[{"dimension":"color","op":"is","values":["red"]}]'), 'filters.0.dimension'],
    ['summary?limit=0', 'limit'],
    ['summary?colour=red', 'colour'],
  ])('refuses %s with a 400 naming %s', async (path, field) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe(field);
  });

  it('answers 404 for a dimension that does not exist', async () => {
    expect((await get('breakdown/colour')).status).toBe(404);
  });

  it('answers a CORS preflight', async () => {
    const res = await fetch(`${h.collector.url}/api/stats/${h.siteId}/summary`, { method: 'OPTIONS', headers: { origin: 'https://wp.example.com', 'access-control-request-headers': 'authorization' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-headers')).toContain('Authorization');
  });
});

describe('goals', () => {
  it('reports conversions, rate and revenue of each goal, managed through the admin socket', async () => {
    const admin = (method: string, path: string, body?: unknown) => adminRequest(h.collector.adminSocket, method, path, body);
    const page = await admin('POST', `/sites/${h.siteId}/goals`, { kind: 'page', match: '/sign*' });
    expect(page?.status).toBe(201);
    const event = await admin('POST', `/sites/${h.siteId}/goals`, { kind: 'event', match: 'signup', name: 'Signed up', revenue: 'seats' });
    expect(event?.status).toBe(201);
    expect((await admin('POST', `/sites/${h.siteId}/goals`, { kind: 'page', match: 'no-slash' }))?.status).toBe(400);
    expect((await admin('POST', `/sites/nosuchsite/goals`, { kind: 'event', match: 'x' }))?.status).toBe(404);
    const body = (await (await get('goals?period=30d')).json()) as { visitors: number; goals: { name: string; visitors: number; conversions: number; completions: number; conversion_rate: number; revenue?: number }[] };
    expect(body.goals.map((g) => g.name)).toEqual(['Visit /sign*', 'Signed up']);
    for (const g of body.goals) {
      expect(g.visitors).toBeGreaterThan(0);
      expect(g.visitors).toBeLessThanOrEqual(body.visitors);
      expect(g.conversion_rate).toBe(Math.round((g.visitors / body.visitors) * 1000) / 10);
      expect(g.completions).toBeGreaterThanOrEqual(g.conversions);
    }
    // The synthetic signups carry a plan, not seats: no revenue to sum.
    expect(body.goals[1]!.revenue).toBe(0);
    const id = (event!.body as { id: string }).id;
    expect((await admin('DELETE', `/sites/${h.siteId}/goals/${id}`))?.status).toBe(204);
    expect((await admin('DELETE', `/sites/${h.siteId}/goals/${id}`))?.status).toBe(404);
  });

  it('sums a revenue goal per currency, never adding one currency to another', async () => {
    const admin = (method: string, path: string, body?: unknown) => adminRequest(h.collector.adminSocket, method, path, body);
    // A currency prop needs a revenue prop to go with.
    expect((await admin('POST', `/sites/${h.siteId}/goals`, { kind: 'event', match: 'order', currency: 'currency' }))?.status).toBe(400);
    const made = await admin('POST', `/sites/${h.siteId}/goals`, { kind: 'event', match: 'order', name: 'Order', revenue: 'value', currency: 'currency' });
    expect(made?.status).toBe(201);
    expect(made?.body).toMatchObject({ revenue: 'value', currency: 'currency' });
    const goalId = (made!.body as { id: string }).id;
    type Row = { name: string; conversions: number; revenue?: number; currency?: string | null; revenues?: { currency: string | null; amount: number }[] };
    const order = async () => ((await (await get('goals?period=30d')).json()) as { goals: Row[] }).goals.find((g) => g.name === 'Order')!;

    // No orders yet: nothing in any currency.
    expect(await order()).toMatchObject({ conversions: 0, revenue: 0, revenues: [] });

    const [base] = [...synthesize({ site: h.siteId, start: Date.UTC(2026, 2, 10), days: 1, visitorsPerDay: 5, seed: 9 })];
    const orderOf = (i: number, props: Record<string, unknown>) => ({ ...base!, ts: Date.UTC(2026, 2, 10, 15, i), name: 'order', session: 900 + i, visitor: `${i}`.padStart(32, 'f'), props: JSON.stringify(props) });
    await h.collector.store.events.append([orderOf(1, { value: 20.5, currency: 'EUR' }), orderOf(2, { value: '9.5', currency: 'EUR' })]);
    await h.collector.store.events.settle();
    // One currency: the sum, with its code.
    expect(await order()).toMatchObject({ conversions: 2, revenue: 30, currency: 'EUR', revenues: [{ currency: 'EUR', amount: 30 }] });

    await h.collector.store.events.append([orderOf(3, { value: 100, currency: 'USD' }), orderOf(4, { value: 7 })]);
    await h.collector.store.events.settle();
    // Two currencies and an order without one: three amounts, no total.
    const mixed = await order();
    expect(mixed.conversions).toBe(4);
    expect(mixed.revenues).toEqual([
      { currency: 'USD', amount: 100 },
      { currency: 'EUR', amount: 30 },
      { currency: null, amount: 7 },
    ]);
    expect(mixed).not.toHaveProperty('revenue');
    expect(mixed).not.toHaveProperty('currency');
    expect((await admin('DELETE', `/sites/${h.siteId}/goals/${goalId}`))?.status).toBe(204);
  });
});

describe('realtime', () => {
  it('answers over HTTP and pushes over WebSocket every 2 s', async () => {
    // Visits of one synthetic day, replayed over the last four minutes.
    const live = [...synthesize({ site: h.siteId, start: NOW, days: 1, visitorsPerDay: 30, seed: 5 })].slice(0, 120);
    await h.collector.store.events.append(live.map((e, i) => ({ ...e, ts: NOW - 240_000 + i * 2000 })));
    await h.collector.store.events.settle();
    const http = (await (await get('realtime')).json()) as { visitors: number; pages: { page: string; visitors: number }[]; recent: unknown[] };
    expect(http.visitors).toBeGreaterThan(0);
    expect(http.pages.reduce((n, p) => n + p.visitors, 0)).toBeLessThanOrEqual(http.visitors);

    const url = `${h.collector.url.replace('http', 'ws')}/api/realtime?site=${h.siteId}&token=${encodeURIComponent(h.siteKey)}`;
    const ws = new WebSocket(url);
    const messages: { type: string; visitors: number }[] = [];
    ws.on('message', (m) => messages.push(JSON.parse(String(m))));
    await new Promise((r) => setTimeout(r, 2500));
    ws.close();
    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(messages[0]).toMatchObject({ type: 'realtime', visitors: http.visitors });

    const refused = new WebSocket(url.replace(/token=[^&]+/, 'token=cairn_sk_wrong'));
    const status = await new Promise((resolve) => refused.on('unexpected-response', (_req, res) => resolve(res.statusCode)));
    expect(status).toBe(401);
    const elsewhere = new WebSocket(url.replace(/site=[^&]+/, 'site=nosuchsite'));
    expect(await new Promise((resolve) => elsewhere.on('unexpected-response', (_req, res) => resolve(res.statusCode)))).toBe(403);
  });
});

describe('dashboard', () => {
  it('answers the summary, the series and each breakdown as their own endpoints do', async () => {
    const res = await get('dashboard?period=30d&compare=previous&breakdowns=page,country,prop:plan');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { summary: unknown; timeseries: unknown; breakdowns: Record<string, unknown> };
    expect(Object.keys(body.breakdowns)).toEqual(['page', 'country', 'prop:plan']);
    expect(body.summary).toEqual(await (await get('summary?period=30d&compare=previous')).json());
    expect(body.timeseries).toEqual(await (await get('timeseries?period=30d&compare=previous')).json());
    expect(body.breakdowns.country).toEqual(await (await get('breakdown/country?period=30d&compare=previous')).json());
    const defaults = (await (await get('dashboard?period=7d')).json()) as { breakdowns: Record<string, unknown> };
    expect(Object.keys(defaults.breakdowns)).toEqual(['page', 'source', 'country', 'device', 'browser', 'os']);
    const bad = await get('dashboard?breakdowns=page,colour');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string; message: string } }).error).toMatchObject({ field: 'breakdowns', message: expect.stringContaining('"colour"') });
  });
});

describe('funnels and Web Vitals', () => {
  it('answers a funnel with drop-off per step, and names a bad step', async () => {
    const steps = [{ kind: 'page', match: '/' }, { kind: 'page', match: '/blog/*', name: 'Blog' }, { kind: 'event', match: 'signup' }];
    const res = await get(`funnel?period=30d&steps=${encodeURIComponent(JSON.stringify(steps))}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { visits: number; steps: { name: string; visits: number; dropoff: number; conversion_rate: number }[] };
    expect(body.steps.map((s) => s.name)).toEqual(['/', 'Blog', 'signup']);
    expect(body.visits).toBeGreaterThan(body.steps[0]!.visits);
    expect(body.steps[0]!.visits).toBeGreaterThan(body.steps[1]!.visits);
    expect(body.steps[1]!.visits).toBeGreaterThan(0);
    expect(body.steps[2]!.dropoff).toBe(body.steps[1]!.visits - body.steps[2]!.visits);
    expect(body.steps[0]!.conversion_rate).toBe(Math.round((body.steps[0]!.visits / body.visits) * 1000) / 10);

    const bad = await get(`funnel?period=30d&steps=${encodeURIComponent(JSON.stringify([{ kind: 'page', match: '/' }, { kind: 'url', match: '/x' }]))}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('steps.1.kind');
    expect((await get('funnel?period=30d&steps=[1')).status).toBe(400);
    expect((await get(`funnel?period=30d&steps=${encodeURIComponent('[{"kind":"page","match":"/"}]')}`)).status).toBe(400);
  });

  it('answers Web Vitals p75 overall and per page', async () => {
    const body = (await (await get('vitals?period=30d&limit=3')).json()) as {
      overall: Record<string, { p75: number; n: number } | null>;
      pages: { page: string; reports: number; LCP: { p75: number } | null }[];
      total: number;
    };
    // The synthetic traffic reports LCP only, between 800 and 3,800 ms.
    expect(body.overall.LCP!.p75).toBeGreaterThan(800);
    expect(body.overall.LCP!.p75).toBeLessThan(3800);
    expect(body.overall.CLS).toBeNull();
    expect(body.pages).toHaveLength(3);
    expect(body.total).toBeGreaterThan(3);
    expect(body.pages[0]!.reports).toBeGreaterThanOrEqual(body.pages[1]!.reports);
  });
});

describe('export', () => {
  it('streams raw events as CSV and a breakdown as NDJSON', async () => {
    const csv = await get('export?period=custom&from=2026-03-02&to=2026-03-03&format=csv');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toContain(`cairn-${h.siteId}-events-2026-03-02-2026-03-03.csv`);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]!.split(',')).toEqual(expect.arrayContaining(['site', 'ts', 'name', 'visitor', 'pathname', 'country']));
    expect(lines.length).toBeGreaterThan(50);
    const nd = await get('export?period=30d&format=ndjson&data=breakdown&dimension=country');
    const rows = (await nd.text()).trim().split('\n').map((l) => JSON.parse(l) as { value: string; visitors: number });
    expect(rows.length).toBeGreaterThan(5);
    expect(rows[0]!.visitors).toBeGreaterThanOrEqual(rows[1]!.visitors);
    expect((await get('export?format=xml')).status).toBe(400);
  });

  // Prop keys are free text: the file name must neither break the header nor add to it.
  const KEYS = ['größe', '価格', 'say "hi"', 'a;b', 'x"; filename="evil.html', "x\"; filename*=UTF-8''evil.html", 'filename*=evil.html; x', '../..\\etc', '価'.repeat(64)];
  // The ASCII fallback (quoted), then the UTF-8 name when it differs (RFC 6266). A second header
  // would be joined to the first with ", " and match neither.
  const STRICT = /^attachment; filename="cairn-[\w.-]+\.(csv|ndjson)"(; filename\*=UTF-8''cairn-([\w.-]|%[0-9A-F]{2})+\.\1)?$/;

  it.each(KEYS.flatMap((key) => ['csv', 'ndjson'].map((format) => [format, key])))('names a %s export of prop:%j with a safe file name', async (format, key) => {
    if (format === 'csv') {
      expect((await h.post({ s: h.siteId, n: 'order', u: 'https://example.com/checkout', p: { [key]: 'XL' } }, { 'x-forwarded-for': '203.0.113.80' })).status).toBe(202);
      await h.collector.store.events.settle();
    }
    const res = await get(`export?period=30d&format=${format}&data=breakdown&dimension=${encodeURIComponent(`prop:${key}`)}`);
    expect(res.status).toBe(200);
    const header = res.headers.get('content-disposition')!;
    expect(header).toMatch(STRICT);
    const name = parse(header).parameters.filename!;
    // The site, the dimension and the period survive, even when a long key is cut short.
    expect(name).toMatch(new RegExp(`^cairn-${h.siteId}-prop-.+-2026-02-19-2026-03-20\\.${format}$`));
    expect(name).not.toMatch(/[";/\\\r\n]/);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    expect(parse(header, { extended: false }).parameters.filename).toMatch(/^[\x20-\x7e]+$/);
    // Letters of any script are kept where the browser reads filename*.
    if (/^\p{L}+$/u.test(key) && key.length < 10) expect(name).toContain(key);
    expect(await res.text()).toContain('XL');
  });

  it('refuses a dimension with a line break before it gets near a header', async () => {
    for (const key of ['a\r\nX-Evil: 1', 'a\nb', 'a\rb']) {
      const res = await get(`export?period=30d&data=breakdown&dimension=${encodeURIComponent(`prop:${key}`)}`);
      expect(res.status, JSON.stringify(key)).toBe(400);
      expect(((await res.json()) as { error: { field: string } }).error.field).toBe('dimension');
    }
  });
});
