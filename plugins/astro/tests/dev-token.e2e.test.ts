/**
 * The dev server's side of the toolbar app against a real collector: a view token for a good
 * key (reused, renewed on request), and each problem in words, never with the key in it. The
 * channel is a stand-in for the toolbar's WebSocket (dev-toolbar.e2e.test.ts goes through the real one).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type Harness } from '@cairn/collector/testing';
import { serveViewTokens } from '../src/dev-token.ts';
import { TOKEN_ANSWER, TOKEN_REQUEST, type TokenAnswer } from '../src/toolbar-messages.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ domain: 'astro.example' });
});
afterAll(() => h?.stop());

/** Serves tokens with these options; `ask()` resolves with the answer to one request. */
function devServer(opts: { api?: string; site?: string; siteKey: string | undefined }) {
  const handlers = new Map<string, (data: unknown) => void>();
  let reply: ((a: TokenAnswer) => void) | undefined;
  serveViewTokens(
    { on: (event, cb) => void handlers.set(event, cb as (data: unknown) => void), send: (event, payload) => event === TOKEN_ANSWER && reply?.(payload as TokenAnswer) },
    { api: opts.api ?? h.collector.url, site: opts.site ?? h.siteId, siteKey: opts.siteKey },
  );
  return (fresh = false) =>
    new Promise<TokenAnswer>((resolve) => {
      reply = resolve;
      handlers.get(TOKEN_REQUEST)!({ fresh });
    });
}

it('hands out a view token that reads the stats, reuses it, and mints a new one when asked', async () => {
  const ask = devServer({ siteKey: h.siteKey });
  const first = await ask();
  expect(first).toMatchObject({ ok: true, api: h.collector.url, site: h.siteId, token: expect.stringMatching(/^cairn_vt_/) });
  const token = (first as { token: string }).token;
  const stats = await fetch(`${h.collector.url}/api/stats/${h.siteId}/summary?period=30d`, { headers: { authorization: `Bearer ${token}` } });
  expect(stats.status).toBe(200);
  expect(await ask()).toEqual(first);
  const renewed = await ask(true);
  expect(renewed.ok && renewed.token).not.toBe(token);
});

it('says what is wrong: no key, a refused key, a key of another site, no collector', async () => {
  const wrongKey = `cairn_sk_${'x'.repeat(43)}`;
  const answers = await Promise.all([
    devServer({ siteKey: undefined })(),
    devServer({ siteKey: wrongKey })(),
    devServer({ siteKey: h.siteKey, site: 'another_site' })(),
    devServer({ siteKey: h.siteKey, api: 'http://127.0.0.1:9' })(),
  ]);
  const messages = answers.map((a) => (a.ok ? 'ok' : a.message));
  expect(messages[0]).toMatch(/Set CAIRN_SITE_KEY in \.env/);
  expect(messages[1]).toMatch(/refused CAIRN_SITE_KEY: it is wrong or was revoked/);
  expect(messages[2]).toMatch(new RegExp(`belongs to site "${h.siteId}", but the integration’s site is "another_site"`));
  expect(messages[3]).toMatch(/could not be reached/);
  for (const m of messages) expect(m).not.toContain(h.siteKey);
  expect(messages[1]).not.toContain(wrongKey);
});
