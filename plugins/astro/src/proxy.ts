/**
 * The first-party event endpoint (`/_c/event` by default), injected for sites with an adapter. It
 * forwards the tracker's events to the collector with the visitor's address in X-Forwarded-For
 * and their user agent: without them, every visitor would count as this server.
 */
import type { APIRoute } from 'astro';
import config from 'virtual:@cairn/astro/config';

export const prerender = false;

/** Request headers the collector reads besides the address: bot and prefetch detection. */
const FORWARDED = ['content-type', 'user-agent', 'sec-ch-ua', 'sec-purpose', 'purpose'];
/** Answer headers the tracker or a person debugging may need. */
const RETURNED = ['content-type', 'retry-after'];

export const POST: APIRoute = async ({ request, clientAddress }) => {
  const headers = new Headers({ 'x-forwarded-for': clientAddress });
  for (const name of FORWARDED) {
    const value = request.headers.get(name);
    if (value) headers.set(name, value);
  }
  try {
    const res = await fetch(config.events, { method: 'POST', headers, body: await request.arrayBuffer() });
    const out = new Headers({ 'cache-control': 'no-store' });
    for (const name of RETURNED) {
      const value = res.headers.get(name);
      if (value) out.set(name, value);
    }
    return new Response(res.body, { status: res.status, headers: out });
  } catch {
    // The collector is down or unreachable: the tracker never retries, so say so and move on.
    return new Response(null, { status: 502, headers: { 'cache-control': 'no-store' } });
  }
};
