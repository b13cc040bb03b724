/**
 * Adds `<meta name="cairn-route" content="/blog/[slug]">` to every HTML
 * page, so the browser knows the route pattern of the page it shows. Prerendered pages get it at
 * build time; on-demand pages as they stream (the body is not buffered beyond `<head>`).
 */
import type { MiddlewareHandler } from 'astro';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export const onRequest: MiddlewareHandler = async (context, next) => {
  const response = await next();
  if (!response.body || !response.headers.get('content-type')?.startsWith('text/html')) return response;
  const meta = `<meta name="cairn-route" content="${escape(context.routePattern)}">`;
  const body = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(afterHead(meta)).pipeThrough(new TextEncoderStream());
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
};

/** Inserts `tag` right after the first `<head>` tag, holding back text only until it is seen. */
function afterHead(tag: string): TransformStream<string, string> {
  let held = '';
  let done = false;
  return new TransformStream({
    transform(chunk, out) {
      if (done) return out.enqueue(chunk);
      held += chunk;
      const m = /<head(\s[^>]*)?>/i.exec(held);
      if (!m) return;
      const at = m.index + m[0].length;
      out.enqueue(held.slice(0, at) + tag + held.slice(at));
      held = '';
      done = true;
    },
    flush(out) {
      if (held) out.enqueue(held);
    },
  });
}
