/**
 * The first-party event endpoint (`/_c/event` by default), injected for sites with an adapter. It
 * forwards the tracker's events to the collector with the visitor's address in X-Forwarded-For
 * and their user agent: without them, every visitor would count as this server.
 */
import type { APIRoute } from 'astro';
import type { FORWARDED_HEADERS, LIMITS } from '@cairn/collector/protocol';
import config from 'virtual:@cairn/astro/config';

export const prerender = false;

/** Request headers the collector reads besides the address (the protocol's FORWARDED_HEADERS): visitor hash, bot and prefetch detection. */
const VISITOR_HEADERS = ['user-agent', 'sec-ch-ua', 'sec-purpose', 'purpose'] as const;
const FORWARDED = ['content-type', ...VISITOR_HEADERS];
/** Answer headers the tracker or a person debugging may need. */
const RETURNED = ['content-type', 'retry-after'];
/** The collector's cap on one request (a batch of events): larger bodies are not forwarded. */
const MAX_BODY = 65_536;

// Written out rather than imported (the collector is no dependency of this package); these checks,
// erased from dist, fail the typecheck of src/ when the values and the protocol's part.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
type _SameAsProtocol = [Holds<Same<(typeof VISITOR_HEADERS)[number], (typeof FORWARDED_HEADERS)[number]>>, Holds<Same<typeof MAX_BODY, (typeof LIMITS)['batchBytes']>>];
const tooLarge = () => Response.json({ error: { code: 'too_large', message: 'An event batch is at most 64 KB.' } }, { status: 413 });

export const POST: APIRoute = async ({ request, clientAddress }) => {
  const headers = new Headers({ 'x-forwarded-for': clientAddress });
  for (const name of FORWARDED) {
    const value = request.headers.get(name);
    if (value) headers.set(name, value);
  }
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY) return tooLarge();
  const body = await request.arrayBuffer();
  if (body.byteLength > MAX_BODY) return tooLarge();
  try {
    const res = await fetch(config.events, { method: 'POST', headers, body });
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
