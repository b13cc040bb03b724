/**
 * `POST /webhooks`: every topic the app subscribes to, each checked with `X-Shopify-Hmac-Sha256`
 * (base64 HMAC-SHA256 of the raw body with the app's secret) before anything else.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { Router } from 'express';
import type { CairnClient } from './cairn-client.ts';
import type { ShopifyAppConfig } from './config.ts';
import { HttpError } from './http-error.ts';
import type { Log } from './log.ts';
import { isShopHostname } from './shop-hostname.ts';
import type { ShopStore } from './shop-store.ts';

/** Shopify retries a delivery for up to 48 hours; a webhook id seen within that window is not acted on twice. */
const REPLAY_WINDOW_MS = 48 * 60 * 60 * 1000;

/** What the customer topics answer: true, since Cairn keeps nothing that identifies a customer. */
export const NO_CUSTOMER_DATA =
  'Cairn stores no customer data: no names, emails, orders or identifiers. Visitors are counted as hashes salted with a secret that changes every day and is then discarded, so no stored record can be tied to a customer.';

export function webhookRoutes(deps: { config: ShopifyAppConfig; shops: ShopStore; cairn: CairnClient; log: Log; now: () => number }): Router {
  const { config, shops, cairn, log } = deps;
  const seen = new Map<string, number>();
  const router = Router();

  router.post('/webhooks', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifyWebhookHmac(raw, req.get('x-shopify-hmac-sha256'), config.apiSecret)) {
      throw new HttpError(401, 'bad_hmac', 'The webhook’s HMAC does not match: it was not sent by Shopify.');
    }
    const topic = req.get('x-shopify-topic') ?? '';
    const shop = req.get('x-shopify-shop-domain') ?? '';
    const id = req.get('x-shopify-webhook-id') ?? '';
    if (!isShopHostname(shop)) throw new HttpError(400, 'bad_shop', 'X-Shopify-Shop-Domain is not a shop hostname.');

    const now = deps.now();
    for (const [key, at] of seen) if (now - at > REPLAY_WINDOW_MS) seen.delete(key);
    if (id && seen.has(id)) {
      log('info', 'webhook replayed, ignored', { topic, shop, webhookId: id });
      res.status(200).json({ ok: true, replayed: true });
      return;
    }

    const answer = await handle(topic, shop, raw);
    if (id) seen.set(id, now);
    res.status(200).json(answer);
  });

  async function handle(topic: string, shop: string, raw: Buffer): Promise<Record<string, unknown>> {
    switch (topic) {
      case 'app/uninstalled': {
        // The token is dead anyway; the site stays so a merchant who comes back finds their history.
        // shop/redact (48 hours after uninstalling) removes it for good.
        const record = await shops.get(shop);
        if (record) await shops.put({ ...record, token: undefined, scope: undefined, uninstalledAt: new Date(deps.now()).toISOString() });
        log('info', 'shop uninstalled: access token forgotten, site kept', { shop, site: record?.siteId });
        return { ok: true };
      }
      case 'customers/data_request':
      case 'customers/redact': {
        const body = parse(raw);
        log('info', `compliance webhook ${topic}: no customer data held`, { shop, customer: (body.customer as { id?: unknown } | undefined)?.id });
        return { ok: true, customerData: 'none', message: NO_CUSTOMER_DATA };
      }
      case 'shop/redact': {
        const record = await shops.get(shop);
        if (record?.siteId) await cairn.deleteSite(record.siteId);
        await shops.remove(shop);
        log('info', 'shop redacted: site deleted, record removed', { shop, site: record?.siteId });
        return { ok: true };
      }
      default:
        log('warn', 'webhook topic not handled', { topic, shop });
        return { ok: true, handled: false };
    }
  }

  return router;
}

/** Constant-time check of a webhook's `X-Shopify-Hmac-Sha256` header. */
export function verifyWebhookHmac(raw: Buffer, header: string | undefined, secret: string): boolean {
  const given = Buffer.from(header ?? '', 'base64');
  const expected = createHmac('sha256', secret).update(raw).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function parse(raw: Buffer): Record<string, unknown> {
  try {
    return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
