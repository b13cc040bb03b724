/**
 * The first-party proxy, as a Route Handler: `app/api/cairn/[file]/route.ts` holds
 *
 *   export { GET, POST } from '@cairn/next/proxy';
 *
 * and withCairn() rewrites `/_c/script.js` and `/_c/event` to it. Both are `forward()` of
 * `@cairn/tracker/server`: the visitor's address (Next's `X-Forwarded-For`) and exactly the headers
 * the collector reads, the collector's 64 KB cap, and its answers passed back.
 */
import { forward } from '@cairn/tracker/server';
import { collectorUrl } from './settings.ts';

const answer = (status: number, message: string) => new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
const endsWith = (request: Request, file: string) => new URL(request.url).pathname.endsWith(`/${file}`);
/** Next may cache what a Route Handler fetches: these answers are never cached by Next itself. */
const uncached: typeof fetch = (input, init) => fetch(input, { ...init, cache: 'no-store' });

/** `GET …/script.js`: the tracker (t.js), served from the site's own origin. */
export async function GET(request: Request): Promise<Response> {
  if (!endsWith(request, 'script.js')) return answer(404, 'Not found');
  return forward(request, { collector: collectorUrl('the proxy'), fetch: uncached });
}

/** `POST …/event`: the events, forwarded with the visitor's address (Next sets X-Forwarded-For) and headers. */
export async function POST(request: Request): Promise<Response> {
  if (!endsWith(request, 'event')) return answer(404, 'Not found');
  return forward(request, { collector: collectorUrl('the proxy'), trustProxy: true, fetch: uncached });
}
