/** The HTTP server: `/api/event` goes to the plain ingest handler, everything else to Express. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export function createHttpServer(
  ingest: (req: IncomingMessage, res: ServerResponse) => void,
  app: (req: IncomingMessage, res: ServerResponse) => void,
): Server {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const path = url.length > 10 && url.charCodeAt(10) === 63 /* ? */ ? url.slice(0, 10) : url;
    if (path === '/api/event') ingest(req, res);
    else app(req, res);
  });
  // Slow or stalled clients must not hold sockets open forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 65_000;
  return server;
}
