/**
 * Live numbers over WebSocket (`/api/realtime?site=…&key=…`): every 2 s, each subscribed site's
 * visitors in the last 5 minutes, the pages they are on and the latest events. One query per
 * site per tick, whatever the number of clients watching it.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { HttpError } from '../http/http-error.ts';
import { presentedKey, siteFor } from '../http/site-auth.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { StatsService } from '../stats/stats-service.ts';

export const TICK_MS = 2000;

export class RealtimeHub {
  #wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  #watchers = new Map<string, Set<WebSocket>>();
  #timers = new Map<string, NodeJS.Timeout>();
  #deps: { sites: SiteDirectory; stats: StatsService; log: Logger };

  constructor(deps: { sites: SiteDirectory; stats: StatsService; log: Logger }) {
    this.#deps = deps;
  }

  /** Handles an HTTP upgrade for `/api/realtime`; refuses it with a status when the key does not open the site. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const site = new URL(req.url ?? '/', 'http://x').searchParams.get('site') ?? '';
    try {
      siteFor(this.#deps.sites, site, presentedKey({ headers: req.headers, url: req.url }));
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#watch(site, ws));
  }

  #watch(site: string, ws: WebSocket): void {
    const set = this.#watchers.get(site) ?? new Set();
    set.add(ws);
    this.#watchers.set(site, set);
    ws.on('close', () => {
      set.delete(ws);
      if (set.size === 0) {
        this.#watchers.delete(site);
        clearInterval(this.#timers.get(site));
        this.#timers.delete(site);
      }
    });
    void this.#tick(site);
    if (!this.#timers.has(site)) this.#timers.set(site, setInterval(() => void this.#tick(site), TICK_MS));
  }

  async #tick(site: string): Promise<void> {
    const s = this.#deps.sites.get(site);
    const set = this.#watchers.get(site);
    if (!s || !set || set.size === 0) return;
    try {
      const message = JSON.stringify({ type: 'realtime', ...(await this.#deps.stats.realtime(s)) });
      for (const ws of set) if (ws.readyState === ws.OPEN) ws.send(message);
    } catch (err) {
      this.#deps.log.error({ site, err: (err as Error).message }, 'realtime update failed');
    }
  }

  /** Closes every connection (the collector is stopping). */
  close(): void {
    for (const t of this.#timers.values()) clearInterval(t);
    this.#timers.clear();
    for (const ws of this.#wss.clients) ws.close(1001, 'the collector is stopping');
    this.#wss.close();
  }
}
