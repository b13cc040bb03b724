/** The client address: the socket's, or X-Forwarded-For's when the socket is a trusted proxy. */
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/**
 * Builds a resolver from `trusted` (addresses, CIDRs, or proxy-addr's names `loopback`,
 * `linklocal`, `uniquelocal`). Throws on an invalid entry, so configuration fails at start.
 */
export function clientIpResolver(trusted: readonly string[]): (req: IncomingMessage) => string {
  if (trusted.length === 0) return (req) => req.socket.remoteAddress ?? '';
  const trust = proxyaddr.compile([...trusted]);
  return (req) => proxyaddr(req, trust);
}
