/**
 * Live numbers over WebSocket (`/api/realtime?site=…&token=…`): every 2 s, each subscribed site's
 * visitors in the last 5 minutes, the pages they are on and the latest events. One query per
 * site per tick, whatever the number of clients watching it. Watchers not granted a site's
 * sources get the latest events without their source, as over HTTP.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { HttpError } from '../http/http-error.ts';
import { grantedSections, type Authorizer } from '../http/authorize.ts';
import { withoutSources } from '../http/stats-routes.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { StatsService } from '../stats/stats-service.ts';

export const TICK_MS = 2000;
/** How often an open connection's credentials are checked again. */
export const RECHECK_MS = 30_000;

export class RealtimeHub {
  #wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  /** Per site, its open connections and whether each may see sources. */
  #watchers = new Map<string, Map<WebSocket, { sources: boolean }>>();
  #timers = new Map<string, NodeJS.Timeout>();
  #deps: { authz: Authorizer; sites: SiteDirectory; stats: StatsService; log: Logger };
  #recheckMs: number;

  constructor(deps: { authz: Authorizer; sites: SiteDirectory; stats: StatsService; log: Logger; recheckMs?: number }) {
    this.#deps = deps;
    this.#recheckMs = deps.recheckMs ?? RECHECK_MS;
  }

  /**
   * Handles an HTTP upgrade for `/api/realtime`: allowed to whoever may read the site's realtime
   * section (a session cookie, or a view token or site key in `Authorization` or `?token=`, as
   * browsers cannot give a WebSocket headers); refused with the status the stats routes would give.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const site = new URL(req.url ?? '/', 'http://x').searchParams.get('site') ?? '';
    const refuse = (err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status >= 500) this.#deps.log.error({ err: (err as Error).message }, 'realtime upgrade failed');
      const reason = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Internal Server Error';
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    this.#deps.authz
      .principal(req, true)
      .then((p) => {
        // A cookie goes with a WebSocket from any page of the same site (SameSite): only the
        // dashboard's own pages may use it. Tokens and keys are not sent by browsers on their own.
        if (p.kind === 'user' && !this.#deps.authz.fromDashboard(req)) throw new HttpError(403, 'csrf', 'a session may open the realtime feed from the dashboard only');
        const allowed = this.#deps.authz.siteFor(p, site, ['realtime']);
        const sources = grantedSections(p, allowed).includes('sources');
        // What the credentials were, to check them again while the connection lasts.
        const asked = { headers: { authorization: req.headers.authorization, cookie: req.headers.cookie }, url: req.url } as IncomingMessage;
        this.#wss.handleUpgrade(req, socket, head, (ws) => this.#watch(allowed.id, ws, asked, sources));
      })
      .catch(refuse);
  }

  #watch(site: string, ws: WebSocket, asked: IncomingMessage, sources: boolean): void {
    const set = this.#watchers.get(site) ?? new Map<WebSocket, { sources: boolean }>();
    set.set(ws, { sources });
    this.#watchers.set(site, set);
    // A revoked key, an expired token, an ended session or a withdrawn grant closes the connection.
    const recheck = setInterval(() => {
      this.#deps.authz
        .principal(asked, true)
        .then((p) => {
          const allowed = this.#deps.authz.siteFor(p, site, ['realtime']);
          const watcher = set.get(ws);
          if (watcher) watcher.sources = grantedSections(p, allowed).includes('sources');
        })
        .catch((err: unknown) => {
          if (err instanceof HttpError) ws.close(4401, 'no longer authorised');
        });
    }, this.#recheckMs);
    ws.on('close', () => {
      clearInterval(recheck);
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
      const answer = await this.#deps.stats.realtime(s);
      const full = JSON.stringify({ type: 'realtime', ...answer });
      const stripped = JSON.stringify({ type: 'realtime', ...withoutSources(answer) });
      for (const [ws, { sources }] of set) if (ws.readyState === ws.OPEN) ws.send(sources ? full : stripped);
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
