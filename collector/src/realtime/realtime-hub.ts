/**
 * Live numbers over WebSocket (`/api/realtime?site=…&token=…`): every 2 s, each subscribed site's
 * visitors in the last 5 minutes, the pages they are on and the latest events. One query per
 * site per tick, whatever the number of clients watching it, its answer sent once to each; a new
 * connection gets the tick's answer at once, or the one being computed, and never makes the
 * others' messages more frequent. Watchers not granted a site's sources get the latest events
 * without their source, as over HTTP. Each credential and client address may hold a few
 * connections only (connection-caps.ts).
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { CairnError, errorResponse } from '../errors.ts';
import { actorOf, grantedSections, type Authorizer } from '../http/authorize.ts';
import { withoutSources } from '../stats/sections.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { StatsService } from '../stats/stats-service.ts';
import { ConnectionCaps, credentialOf, DEFAULT_CAPS, type RealtimeCaps } from './connection-caps.ts';

export const TICK_MS = 2000;
/** How often an open connection's credentials are checked again. */
export const RECHECK_MS = 30_000;
/** What a refused connection is told to wait: a slot frees only when one of the caller's own connections closes. */
const RETRY_AFTER_S = 30;

interface Watcher {
  sources: boolean;
}

/** An answer, serialised once for watchers with sources and once for those without. */
interface Message {
  full: string;
  stripped: string;
}

/** One site's watchers, its tick and its one query at a time. */
interface Feed {
  watchers: Map<WebSocket, Watcher>;
  timer: NodeJS.Timeout | null;
  /** Ticks so far: an answer received during tick `n` is fresh until tick `n + 1`. */
  tick: number;
  latest: (Message & { tick: number }) | null;
  /** The query in flight: for every watcher (a tick's), or for the newcomers waiting on it only. */
  query: { everyone: boolean; newcomers: Set<WebSocket> } | null;
}

export class RealtimeHub {
  #wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  #feeds = new Map<string, Feed>();
  #deps: { authz: Authorizer; sites: SiteDirectory; stats: StatsService; clientIp: (req: IncomingMessage) => string; log: Logger };
  #recheckMs: number;
  #caps: ConnectionCaps;
  #refused = 0;

  constructor(deps: {
    authz: Authorizer;
    sites: SiteDirectory;
    stats: StatsService;
    /** The client address, as the rest of the collector resolves it (enrich/client-ip.ts). */
    clientIp: (req: IncomingMessage) => string;
    log: Logger;
    recheckMs?: number;
    caps?: Partial<RealtimeCaps>;
  }) {
    this.#deps = deps;
    this.#recheckMs = deps.recheckMs ?? RECHECK_MS;
    this.#caps = new ConnectionCaps({ ...DEFAULT_CAPS, ...deps.caps });
  }

  /**
   * Handles an HTTP upgrade for `/api/realtime`: allowed to whoever may read the site's realtime
   * section (a session cookie, or a view token or site key in `Authorization` or `?token=`, as
   * browsers cannot give a WebSocket headers); refused with the status the stats routes would give,
   * or 429 when the credential or the address already holds as many connections as it may.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const site = new URL(req.url ?? '/', 'http://x').searchParams.get('site') ?? '';
    const refuse = (err: unknown) => {
      const { status } = errorResponse(err);
      if (status >= 500) this.#deps.log.error({ err: (err as Error).message }, 'realtime upgrade failed');
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    this.#deps.authz
      .principal(req, true)
      .then((p) => {
        // A cookie goes with a WebSocket from any page of the same site (SameSite): only the
        // dashboard's own pages may use it. Tokens and keys are not sent by browsers on their own.
        if (p.kind === 'user' && !this.#deps.authz.fromDashboard(req)) throw new CairnError(403, 'csrf', 'a session may open the realtime feed from the dashboard only');
        const allowed = this.#deps.authz.siteFor(p, site, ['realtime']);
        const sources = grantedSections(p, allowed).includes('sources');
        // Gone while its credentials were looked up: no slot to take (its close has been and gone).
        if (socket.destroyed) return;
        const slot = this.#caps.take(credentialOf(p), this.#deps.clientIp(req));
        if ('refused' in slot) {
          // The address stays out of the log, as everywhere: the cap and the credential's owner say enough.
          this.#deps.log.info({ site: allowed.id, cap: slot.refused, limit: slot.limit, actor: actorOf(p), refused: ++this.#refused }, 'realtime connection refused: too many open connections');
          socket.end(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${RETRY_AFTER_S}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
          return;
        }
        // The socket closes whether the upgrade completes or fails: either way the slot is free again.
        socket.once('close', slot.release);
        // What the credentials were, to check them again while the connection lasts.
        const asked = { headers: { authorization: req.headers.authorization, cookie: req.headers.cookie }, url: req.url } as IncomingMessage;
        this.#wss.handleUpgrade(req, socket, head, (ws) => this.#watch(allowed.id, ws, asked, sources));
      })
      .catch(refuse);
  }

  #watch(site: string, ws: WebSocket, asked: IncomingMessage, sources: boolean): void {
    const feed = this.#feeds.get(site) ?? { watchers: new Map<WebSocket, Watcher>(), timer: null, tick: 0, latest: null, query: null };
    this.#feeds.set(site, feed);
    feed.watchers.set(ws, { sources });
    // A revoked key, an expired token, an ended session or a withdrawn grant closes the connection.
    const recheck = setInterval(() => {
      this.#deps.authz
        .principal(asked, true)
        .then((p) => {
          const allowed = this.#deps.authz.siteFor(p, site, ['realtime']);
          const watcher = feed.watchers.get(ws);
          if (watcher) watcher.sources = grantedSections(p, allowed).includes('sources');
        })
        .catch((err: unknown) => {
          if (err instanceof CairnError) ws.close(4401, 'no longer authorised');
        });
    }, this.#recheckMs);
    ws.on('close', () => {
      clearInterval(recheck);
      feed.watchers.delete(ws);
      if (feed.watchers.size > 0) return;
      if (feed.timer) clearInterval(feed.timer);
      feed.timer = null;
      // A query still in flight keeps the feed, so that a newcomer joins it rather than run another.
      if (!feed.query) this.#feeds.delete(site);
    });
    feed.timer ??= setInterval(() => {
      feed.tick++;
      this.#query(site, feed, null);
    }, TICK_MS);
    // The dashboard shows live numbers at once: this tick's answer, else the one on its way, else
    // a query of its own, whose answer goes to the newcomers only.
    if (feed.latest?.tick === feed.tick) send(ws, feed.watchers.get(ws)!, feed.latest);
    else this.#query(site, feed, ws);
  }

  /** Queries a site's numbers for every watcher (`newcomer` null: a tick) or for a newcomer; joins the query in flight if there is one. */
  #query(site: string, feed: Feed, newcomer: WebSocket | null): void {
    if (feed.query) {
      // Never two queries at once for one site: a tick that finds one running takes its answer.
      if (newcomer) feed.query.newcomers.add(newcomer);
      else feed.query.everyone = true;
      return;
    }
    const query = (feed.query = { everyone: newcomer === null, newcomers: new Set(newcomer ? [newcomer] : []) });
    void this.#answer(site).then((message) => {
      feed.query = null;
      if (feed.watchers.size === 0 && this.#feeds.get(site) === feed) this.#feeds.delete(site);
      if (!message) return;
      feed.latest = { ...message, tick: feed.tick };
      for (const ws of query.everyone ? feed.watchers.keys() : query.newcomers) {
        const watcher = feed.watchers.get(ws);
        if (watcher) send(ws, watcher, message);
      }
    });
  }

  async #answer(site: string): Promise<Message | null> {
    const s = this.#deps.sites.get(site);
    if (!s) return null;
    try {
      const answer = await this.#deps.stats.realtime(s);
      return { full: JSON.stringify({ type: 'realtime', ...answer }), stripped: JSON.stringify({ type: 'realtime', ...withoutSources(answer) }) };
    } catch (err) {
      this.#deps.log.error({ site, err: (err as Error).message }, 'realtime update failed');
      return null;
    }
  }

  /** Closes every connection (the collector is stopping). */
  close(): void {
    for (const feed of this.#feeds.values()) if (feed.timer) clearInterval(feed.timer);
    this.#feeds.clear();
    for (const ws of this.#wss.clients) ws.close(1001, 'the collector is stopping');
    this.#wss.close();
  }
}

function send(ws: WebSocket, watcher: Watcher, message: Message): void {
  if (ws.readyState === ws.OPEN) ws.send(watcher.sources ? message.full : message.stripped);
}
