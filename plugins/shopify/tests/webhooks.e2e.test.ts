// Webhooks: app/uninstalled and the three mandatory compliance topics, signed as Shopify signs them.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_CUSTOMER_DATA } from '../src/webhooks.ts';
import { install, OTHER_SHOP, sessionToken, SHOP, startFixture, webhook, type Fixture } from './fixture.ts';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
  expect((await install(f)).status).toBe(302);
  expect((await install(f, OTHER_SHOP)).status).toBe(302);
});
afterAll(() => f?.stop());

const record = async (shop: string) => {
  try {
    return JSON.parse(await readFile(join(f.config.dataDir, 'shops', `${shop}.json`), 'utf8')) as { token?: unknown; siteId?: string; uninstalledAt?: string };
  } catch {
    return undefined;
  }
};
const siteOf = async (name: string) => (await f.h.collector.store.sites.list()).find((s) => s.name === name);

describe('POST /webhooks', () => {
  it.each(['app/uninstalled', 'customers/data_request', 'customers/redact', 'shop/redact'])('answers 401 to %s with a bad HMAC, and does nothing', async (topic) => {
    const tampered = await webhook(f, topic, { shop_domain: SHOP }, { tamper: true });
    expect(tampered.status).toBe(401);
    expect((await webhook(f, topic, { shop_domain: SHOP }, { secret: 'another-secret' })).status).toBe(401);
    expect((await record(SHOP))?.token).toBeTruthy();
    expect((await siteOf('Dune Coffee'))?.deletedAt ?? null).toBeNull();
  });

  it('customers/data_request and customers/redact: 200, logged, saying truthfully that no customer data is held', async () => {
    for (const topic of ['customers/data_request', 'customers/redact']) {
      const res = await webhook(f, topic, { shop_id: 1, shop_domain: SHOP, customer: { id: 7, email: 'a@b.example' }, orders_requested: [1] });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ customerData: 'none', message: NO_CUSTOMER_DATA });
      expect(f.logs.some((line) => line.includes(`compliance webhook ${topic}`) && line.includes(SHOP))).toBe(true);
    }
    expect(f.logs.join('\n')).not.toContain('a@b.example');
  });

  it('app/uninstalled forgets the shop’s access token and keeps its site; the embedded API then refuses the shop', async () => {
    const before = await record(SHOP);
    const res = await webhook(f, 'app/uninstalled', { id: 1, domain: SHOP });
    expect(res.status).toBe(200);
    const after = await record(SHOP);
    expect(after?.token).toBeUndefined();
    expect(after?.uninstalledAt).toBeTruthy();
    expect(after?.siteId).toBe(before?.siteId);
    expect((await siteOf('Dune Coffee'))?.deletedAt ?? null).toBeNull();
    expect((await fetch(`${f.app.url}/api/view-token`, { headers: { authorization: `Bearer ${sessionToken()}` } })).status).toBe(403);
  });

  it('shop/redact deletes the shop’s site on the collector (purged after its grace) and the shop’s record', async () => {
    const siteId = (await record(OTHER_SHOP))?.siteId;
    expect(siteId).toBeTruthy();
    const res = await webhook(f, 'shop/redact', { shop_id: 2, shop_domain: OTHER_SHOP }, { shop: OTHER_SHOP });
    expect(res.status).toBe(200);
    expect((await siteOf('Plain Shop'))?.deletedAt).toBeTruthy();
    expect(await record(OTHER_SHOP)).toBeUndefined();
    // the other shop's site is untouched
    expect((await siteOf('Dune Coffee'))?.deletedAt ?? null).toBeNull();
  });

  it('a replayed delivery (same X-Shopify-Webhook-Id) is answered 200 without acting twice', async () => {
    expect((await install(f)).status).toBe(302); // the merchant came back: a token again
    const first = await webhook(f, 'app/uninstalled', { domain: SHOP }, { id: 'delivery-1' });
    expect(first.status).toBe(200);
    expect((await record(SHOP))?.token).toBeUndefined();
    expect((await install(f)).status).toBe(302); // reinstalled after the first delivery
    const replay = await webhook(f, 'app/uninstalled', { domain: SHOP }, { id: 'delivery-1' });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ replayed: true });
    expect((await record(SHOP))?.token).toBeTruthy();
  });

  it('reinstalling after a shop/redact makes a new site, since the old one is deleted', async () => {
    const old = (await siteOf('Plain Shop'))!.id;
    expect((await install(f, OTHER_SHOP)).status).toBe(302);
    const now = (await record(OTHER_SHOP))?.siteId;
    expect(now).toBeTruthy();
    expect(now).not.toBe(old);
  });
});
