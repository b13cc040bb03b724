/**
 * The realtime WebSocket's authorisation over its whole life: a session may open it from the
 * dashboard's pages only; watchers without the sources section never get sources; a revoked key
 * closes its connections (code 4401) at the next check.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logins } from '../accounts/logins.ts';
import { addUser } from '../accounts/users.ts';
import { newSiteKey } from '../sites/site-keys.ts';
import { startHarness, type Harness } from '../testing/harness.ts';

let h: Harness;
let cookie: string;
beforeAll(async () => {
  h = await startHarness({ realtimeRecheckMs: 200 });
  const owner = await addUser(h.collector.store, { email: 'owner@example.com', role: 'owner' }, Date.now());
  cookie = `cairn_session=${(await new Logins(h.collector.store, Date.now).start(owner)).token}`;
  expect((await h.post({ s: h.siteId, n: 'pageview', u: 'https://example.com/', r: 'https://www.google.com/' }, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(202);
  await h.collector.store.events.settle();
});
afterAll(() => h.stop());

const url = (token?: string) => `${h.collector.url.replace('http', 'ws')}/api/realtime?site=${h.siteId}${token ? `&token=${encodeURIComponent(token)}` : ''}`;

/** Opens a connection; resolves with its first message, or the HTTP status it was refused with. */
function open(u: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(u, { headers });
  const first = new Promise<{ status: number; message?: { recent: { source: string | null }[] } }>((resolve) => {
    ws.on('message', (m) => resolve({ status: 101, message: JSON.parse(String(m)) }));
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
  });
  return { ws, first };
}

async function viewToken(key: string, sections: string[]) {
  const res = await fetch(`${h.collector.url}/api/tokens/view`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ sections }) });
  return ((await res.json()) as { token: string }).token;
}

describe('the realtime WebSocket', () => {
  it('takes a session cookie from the dashboard only, not from another page of the same site', async () => {
    expect((await open(url(), { cookie, origin: 'https://blog.localhost' }).first).status).toBe(403);
    expect((await open(url(), { cookie }).first).status).toBe(403);
    const ok = open(url(), { cookie, origin: h.collector.url });
    expect((await ok.first).status).toBe(101);
    ok.ws.close();
  });

  it('sends sources only to those granted them', async () => {
    const withSources = open(url(h.siteKey));
    const without = open(url(await viewToken(h.siteKey, ['realtime'])));
    const [a, b] = await Promise.all([withSources.first, without.first]);
    expect(a.message!.recent.map((e) => e.source)).toEqual(['Google']);
    expect(b.message!.recent.map((e) => e.source)).toEqual([null]);
    const http = await fetch(`${h.collector.url}/api/stats/${h.siteId}/realtime`, { headers: { authorization: `Bearer ${await viewToken(h.siteKey, ['realtime'])}` } });
    expect(((await http.json()) as { recent: { source: unknown }[] }).recent.map((e) => e.source)).toEqual([null]);
    withSources.ws.close();
    without.ws.close();
  });

  it('closes the connections of a revoked key and of its view tokens', async () => {
    const { key, secret } = newSiteKey(h.siteId, 'to revoke', Date.now());
    await h.collector.store.keys.create(key);
    const byKey = open(url(secret));
    const byToken = open(url(await viewToken(secret, ['realtime'])));
    expect((await byKey.first).status).toBe(101);
    expect((await byToken.first).status).toBe(101);
    const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    const codes = Promise.all([closed(byKey.ws), closed(byToken.ws)]);
    await h.collector.store.keys.revoke(key.id, Date.now());
    expect(await codes).toEqual([4401, 4401]);
  });
});
