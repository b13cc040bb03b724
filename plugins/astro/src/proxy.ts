/**
 * The first-party event endpoint (`/_c/event` by default), injected for sites with an adapter. It
 * is `forward()` of `@cairn/tracker/server`: the tracker's events go to the collector with the
 * visitor's address (`clientAddress`) in X-Forwarded-For and exactly the headers the collector
 * reads (without them, every visitor would count as this server); a body over the collector's
 * 64 KB cap is refused here; the collector's answer is passed back.
 */
import type { APIRoute } from 'astro';
import { forward } from '@cairn/tracker/server';
import config from 'virtual:@cairn/astro/config';

export const prerender = false;

export const POST: APIRoute = async ({ request, clientAddress }) => {
  // A collector that is down answers 502: the tracker never retries, so say so and move on.
  const res = await forward(request, { collector: config.collector, address: clientAddress });
  res.headers.set('cache-control', 'no-store');
  return res;
};
