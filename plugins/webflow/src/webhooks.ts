/**
 * `POST /webhooks`: Webflow's webhooks for the app, checked before anything else
 * (developers.webflow.com "Verifying requests" / "Webhook signatures"): `x-webflow-signature` is
 * the hex HMAC-SHA256, with the app's client secret, of `x-webflow-timestamp` (milliseconds),
 * `:`, and the raw body; a timestamp more than 5 minutes away is refused, and a delivery seen
 * within that window is not acted on twice.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { Router } from 'express';
import type { AppDeps } from './deps.ts';
import { HttpError } from './http-error.ts';
import { isWebflowId } from './token-store.ts';

/** Webflow's advice: older than 5 minutes may be a replay. Also the window deliveries are remembered in. */
export const WEBHOOK_WINDOW_MS = 5 * 60 * 1000;

export function webhookRoutes(deps: AppDeps): Router {
  const { config, tokens, log } = deps;
  /** Signatures acted on, by when: a replay inside the window is answered without acting again. */
  const seen = new Map<string, number>();
  const router = Router();

  router.post('/webhooks', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const timestamp = req.get('x-webflow-timestamp') ?? '';
    const signature = req.get('x-webflow-signature') ?? '';
    if (!verifyWebhookSignature(raw, timestamp, signature, config.clientSecret)) {
      throw new HttpError(401, 'bad_signature', 'The webhook’s signature does not match: it was not sent by Webflow for this app.');
    }
    const now = deps.now();
    if (Math.abs(now - Number(timestamp)) > WEBHOOK_WINDOW_MS) {
      throw new HttpError(401, 'stale_webhook', 'The webhook’s timestamp is more than 5 minutes away: refused as a possible replay.');
    }
    for (const [key, at] of seen) if (now - at > 2 * WEBHOOK_WINDOW_MS) seen.delete(key);
    if (seen.has(signature)) {
      log('info', 'webhook replayed, ignored', { timestamp });
      return void res.status(200).json({ ok: true, replayed: true });
    }
    seen.set(signature, now);

    const event = parse(raw);
    const triggerType = typeof event.triggerType === 'string' ? event.triggerType : '';
    const payload = (event.payload ?? {}) as Record<string, unknown>;
    if (triggerType === 'site_publish' && isWebflowId(payload.siteId)) {
      // The staged script is live from now on: the site list stops asking to publish.
      const record = await tokens.site(payload.siteId);
      const publishedOn = typeof payload.publishedOn === 'string' ? payload.publishedOn : new Date(now).toISOString();
      if (record) await tokens.putSite({ ...record, publishedAt: publishedOn });
      log('info', 'Webflow site published', { site: payload.siteId, known: Boolean(record) });
      return void res.status(200).json({ ok: true });
    }
    log('info', 'webhook trigger not handled', { triggerType });
    res.status(200).json({ ok: true, handled: false });
  });

  return router;
}

/** Constant-time check of `x-webflow-signature` against the raw body and `x-webflow-timestamp`. */
export function verifyWebhookSignature(raw: Buffer, timestamp: string, signature: string, secret: string): boolean {
  if (!/^\d{10,16}$/.test(timestamp) || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}:`).update(raw).digest();
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function parse(raw: Buffer): Record<string, unknown> {
  try {
    return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
