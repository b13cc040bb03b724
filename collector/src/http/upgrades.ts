/** Routes HTTP upgrades (WebSockets) by path; any other path is refused with 404. */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export function routeUpgrades(server: Server, routes: Readonly<Record<string, UpgradeHandler>>): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const handler = routes[(req.url ?? '').split('?')[0]!];
    if (handler) handler(req, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
}
