/**
 * The first-party proxy, as a Route Handler: `app/api/cairn/[file]/route.ts` holds
 *
 *   export { GET, POST } from '@cairn/next/proxy';
 *
 * and withCairn() rewrites `/_c/script.js` and `/_c/event` to it.
 */
import { forwardedHeaders, MAX_BODY } from './forward.ts';
import { collectorUrl } from './settings.ts';

const answer = (status: number, message: string) => new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
const endsWith = (request: Request, file: string) => new URL(request.url).pathname.endsWith(`/${file}`);

/** `GET …/script.js`: the tracker (t.js), served from the site's own origin. */
export async function GET(request: Request): Promise<Response> {
  if (!endsWith(request, 'script.js')) return answer(404, 'Not found');
  const res = await fetch(`${collectorUrl('the proxy')}/t.js`, { cache: 'no-store' }).catch(() => undefined);
  if (!res?.ok) return answer(502, 'The analytics script is unavailable');
  return new Response(res.body, {
    headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': res.headers.get('cache-control') ?? 'public, max-age=3600' },
  });
}

/** `POST …/event`: the event, forwarded with the visitor's address and user agent. */
export async function POST(request: Request): Promise<Response> {
  if (!endsWith(request, 'event')) return answer(404, 'Not found');
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY) return answer(413, 'Too large');
  const body = await request.arrayBuffer();
  if (body.byteLength > MAX_BODY) return answer(413, 'Too large');
  const headers = forwardedHeaders(request.headers, request.headers.get('content-type') ?? 'text/plain');
  const res = await fetch(`${collectorUrl('the proxy')}/api/event`, { method: 'POST', headers, body, cache: 'no-store' }).catch(() => undefined);
  if (!res) return answer(502, 'The collector is unreachable');
  const out = new Headers();
  for (const name of ['content-type', 'retry-after']) {
    const value = res.headers.get(name);
    if (value) out.set(name, value);
  }
  return new Response(res.body, { status: res.status, headers: out });
}
