/**
 * The first-party proxy as a Pages Router API route, `pages/api/cairn/[file].ts`:
 *
 *   export { default } from '@cairn/next/pages-proxy';
 *
 * Apps with `i18n` in next.config need this one: there, Next does not rewrite to App Router
 * routes (the rewrite answers 404), while it does rewrite to API routes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FORWARDED } from './forward.ts';
import { GET, POST } from './proxy.ts';

/** Next's API request: its body already parsed (a string for text/plain, an object for JSON). */
type ApiRequest = IncomingMessage & { body?: unknown };

export default async function cairnProxy(req: ApiRequest, res: ServerResponse): Promise<void> {
  const headers = new Headers();
  for (const name of [...FORWARDED, 'content-type']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  if (!headers.has('x-forwarded-for') && req.socket.remoteAddress) headers.set('x-forwarded-for', req.socket.remoteAddress);
  const url = new URL(req.url ?? '/', 'http://localhost');
  let answer: Response;
  if (req.method === 'GET') answer = await GET(new Request(url, { headers }));
  else if (req.method === 'POST') {
    const body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? null);
    answer = await POST(new Request(url, { method: 'POST', headers, body }));
  } else answer = new Response('Method not allowed', { status: 405, headers: { allow: 'GET, POST' } });
  res.statusCode = answer.status;
  answer.headers.forEach((value, name) => res.setHeader(name, value));
  res.end(Buffer.from(await answer.arrayBuffer()));
}
