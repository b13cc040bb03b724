/**
 * The App Proxy: Shopify forwards `https://{shop}/apps/cairn/*` (the subpath the merchant may
 * change) to `APP/proxy/*`, signing the query (src/proxy-signature.ts), with the visitor's address
 * in `X-Forwarded-For` and without cookies. The storefront's tracker then loads and sends from the
 * shop's own domain, which blockers of the collector's host do not block.
 *
 *   GET  /proxy/t.js, /proxy/t-v.js   the collector's scripts, through `forward()` of @cairn/tracker/server
 *   POST /proxy/event                 the tracker's events, sent on with the shop's site key, each
 *                                     naming its visitor (`v`: address and the headers the collector reads)
 *
 * Answers: 202 with no body when the collector stored (or deliberately ignored) the events, as the
 * collector itself answers; the collector's own 4xx/5xx passed back; the app's refusals as
 * `{ error: { code, message } }` (401 unsigned, 400 malformed, 403 another site, 404 unknown shop).
 * The tracker sends with sendBeacon and reads no answer: these are for people debugging.
 *
 * Never forwarded: `logged_in_customer_id` (nor any other query parameter), cookies (Shopify
 * strips them anyway), any header but the protocol's visitor headers.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { forward, VISITOR_HEADERS } from '@cairn/tracker/server';
import type { CairnClient } from './cairn-client.ts';
import type { ShopifyAppConfig } from './config.ts';
import { HttpError } from './http-error.ts';
import type { Log } from './log.ts';
import { checkProxyQuery } from './proxy-signature.ts';
import { isShopHostname } from './shop-hostname.ts';
import { ensureProxyKey } from './shop-setup.ts';
import type { ShopRecord, ShopStore } from './shop-store.ts';

/** The collector's cap on one request's body (docs/api/events.md); the app takes no more. */
const MAX_BODY = 65_536;
/** Fields the app sets or refuses: `v` names the visitor (the app's job), `t` backdates (server SDKs only). */
const APP_ONLY_FIELDS = ['v', 't'];

const REFUSED: Record<string, string> = {
  no_signature: 'This address only answers requests Shopify forwards through the app proxy (no signature).',
  bad_signature: 'The app proxy signature does not match: the request was not forwarded by Shopify for this app.',
  repeated_param: 'A parameter Shopify sends once (shop, timestamp, signature…) appears twice.',
  stale_request: 'The app proxy request is too old (or from the future): its signed timestamp is outside 90 seconds.',
};

export function appProxyRoutes(deps: { config: ShopifyAppConfig; shops: ShopStore; cairn: CairnClient; log: Log; now: () => number }): Router {
  const { config, shops, cairn, log } = deps;
  const router = Router();

  // Every /proxy request is Shopify's, signed: the check comes before anything else is read.
  router.use('/proxy', (req, _res, next) => {
    const check = checkProxyQuery(req.originalUrl.split('?')[1] ?? '', config.apiSecret, deps.now());
    if (!check.ok) throw new HttpError(401, check.reason, REFUSED[check.reason]!);
    if (!isShopHostname(check.shop)) throw new HttpError(400, 'bad_shop', 'shop must be the shop’s myshopify.com hostname.');
    req.proxyShop = check.shop;
    next();
  });

  for (const script of ['t.js', 't-v.js'] as const) {
    router.get(`/proxy/${script}`, async (_req, res) => {
      // The collector's answer as it is: its content type, ETag and Cache-Control (an hour, then revalidated).
      const answer = await forward(new Request(`${config.collector}/${script}`), { collector: config.collector, script });
      res.status(answer.status);
      answer.headers.forEach((value, name) => res.setHeader(name, value));
      if (answer.body) Readable.fromWeb(answer.body as WebReadableStream).pipe(res);
      else res.end();
    });
  }

  router.post('/proxy/event', rawBody, async (req, res) => {
    const record = await shops.get(req.proxyShop!);
    if (!record?.siteId || !record.token) throw new HttpError(404, 'not_installed', 'Cairn is not installed on this shop.');
    const address = (req.headers['x-forwarded-for'] as string | undefined)?.split(',')[0]?.trim() ?? '';
    // Shopify sets it to the visitor's address; without it every visitor would be the same one.
    if (!isIP(address)) throw new HttpError(400, 'no_address', 'The request has no visitor address (X-Forwarded-For).');
    const headers: Record<string, string> = {};
    for (const name of VISITOR_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string' && value) headers[name] = value.slice(0, 1024);
    }
    const events = parseEvents(req.body as Buffer).map((event, i) => {
      const at = `[${i}]`;
      for (const field of APP_ONLY_FIELDS) if (field in event) throw new HttpError(400, 'invalid_event', `${at}.${field}: not accepted through the app proxy`);
      // The shop's own site only: the signed shop decides it, never the body.
      if (event.s !== undefined && event.s !== record.siteId) throw new HttpError(403, 'other_site', `${at}.s: this shop's events count for its own site only`);
      return { ...event, s: record.siteId, v: { a: address, h: headers } };
    });

    let sent = await send(record, events);
    if (sent.status === 401) {
      // The key was revoked (or is unknown): make a new one, once, and send again.
      log('warn', 'proxy site key refused; making a new one', { shop: record.shop, site: record.siteId });
      sent = await send(await ensureProxyKey(cairn, shops, record), events);
    }
    res.set('cache-control', 'no-store').status(sent.status);
    if (sent.status === 202) res.end();
    else res.type(sent.type).send(sent.text);
  });

  router.use('/proxy', () => {
    throw new HttpError(404, 'not_found', 'The app proxy serves t.js, t-v.js and event only.');
  });

  /** POSTs the events with the shop's site key (made now if the shop has none yet: installed before the proxy existed). */
  async function send(record: ShopRecord, events: object[]): Promise<{ status: number; type: string; text: string }> {
    const keyed = record.proxyKey?.site === record.siteId ? record : await ensureProxyKey(cairn, shops, record, { check: false });
    let res: globalThis.Response;
    try {
      res = await fetch(`${config.collector}/api/event`, {
        method: 'POST',
        headers: { authorization: `Bearer ${shops.proxyKeySecret(keyed)}`, 'content-type': 'application/json' },
        body: JSON.stringify(events),
      });
    } catch (cause) {
      throw new HttpError(502, 'collector_unreachable', `The Cairn collector could not be reached: ${(cause as Error).message}`);
    }
    return { status: res.status, type: res.headers.get('content-type') ?? 'text/plain', text: await res.text() };
  }

  return router;
}

/** The body as bytes, at most the collector's cap: 413 past it. */
function rawBody(req: Request, res: Response, next: NextFunction): void {
  express.raw({ type: () => true, limit: MAX_BODY })(req, res, (err?: unknown) => {
    if ((err as { type?: string } | undefined)?.type === 'entity.too.large') return next(new HttpError(413, 'too_large', 'An event batch is at most 64 KB.'));
    if (err) return next(new HttpError(400, 'bad_body', 'The request body could not be read.'));
    next();
  });
}

/** One event object or an array of 1–100: the collector's shapes, each an object. */
function parseEvents(body: Buffer | undefined): Record<string, unknown>[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : '');
  } catch {
    throw new HttpError(400, 'invalid_json', 'The body is not JSON: an event object or an array of them.');
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (list.length < 1 || list.length > 100) throw new HttpError(400, 'invalid_event', 'Send 1 to 100 events at once.');
  if (!list.every((e) => typeof e === 'object' && e !== null && !Array.isArray(e))) throw new HttpError(400, 'invalid_event', 'Each event is an object.');
  return list as Record<string, unknown>[];
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The shop Shopify signed the proxied request for. */
    proxyShop?: string;
  }
}
