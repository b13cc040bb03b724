/** Wires the collector together and runs it: store → services → HTTP, and a clean stop. */
import { readFileSync } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer as createPlainServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { DestinationStream } from 'pino';
import type { Config } from './config.ts';
import { clientIpResolver } from './enrich/client-ip.ts';
import { DailySalts } from './enrich/daily-salts.ts';
import { utcDay } from './time.ts';
import { Enricher } from './enrich/enrich-event.ts';
import { openGeoLookup } from './enrich/geo.ts';
import { SESSION_GAP_MS, Sessions } from './enrich/sessions.ts';
import { AuditLog } from './accounts/audit.ts';
import { Logins } from './accounts/logins.ts';
import { createAdminApp } from './http/admin.ts';
import { loginLimiters } from './http/auth-routes.ts';
import { createApp } from './http/app.ts';
import { Authorizer } from './http/authorize.ts';
import type { Route } from './http/routes.ts';
import type { Express } from 'express';
import { tokenSecret } from './accounts/signed-tokens.ts';
import { hasOwner, setupToken } from './accounts/owner-setup.ts';
import { createMailer } from './mail/mailer.ts';
import { SiteAdmin } from './sites/site-admin.ts';
import { createHttpServer } from './http/server.ts';
import { loadDashboardApp } from './http/dashboard-app.ts';
import { loadTrackerAssets, loadWidgetAssets } from './http/tracker-assets.ts';
import { BotCounter } from './ingest/bot-counter.ts';
import { ClientIdWindow, DEDUPE_WINDOW_MS } from './ingest/dedupe.ts';
import { GroupCommit } from './ingest/group-commit.ts';
import { createIngestHandler, newIngestCounts } from './ingest/ingest-handler.ts';
import { RateLimiter } from './ingest/rate-limit.ts';
import { createLogger, type Logger } from './logger.ts';
import { SiteDirectory } from './sites/site-directory.ts';
import { RealtimeHub } from './realtime/realtime-hub.ts';
import { enforceRetention } from './rollup/retention.ts';
import { RollupJob } from './rollup/rollup-job.ts';
import { StatsService } from './stats/stats-service.ts';
import { openStore } from './store/open-store.ts';
import type { Store } from './store/store.ts';

export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface CollectorOptions {
  config: Config;
  /** The clock; tests move it to cross UTC midnight. */
  now?: () => number;
  logDestination?: DestinationStream;
  /** A store opened by the caller (tests), used instead of the one the configuration names. */
  store?: Store;
  /** How often open realtime connections' credentials are checked again (tests shorten it). */
  realtimeRecheckMs?: number;
}

export interface Collector {
  /** Where browsers reach this collector (CAIRN_PUBLIC_URL, or http://localhost:PORT). */
  publicUrl: string;
  /** The local URL the server listens on. */
  url: string;
  port: number;
  adminSocket: string;
  store: Store;
  sites: SiteDirectory;
  log: Logger;
  /** The Express app of every route but ingest, and its API route table (http/routes.ts). */
  app: Express;
  routes: readonly Route[];
  /** Runs the periodic upkeep now (it also runs every minute), rollups included. */
  runMaintenance(): Promise<void>;
  rollups: RollupJob;
  /** Stops accepting, answers what is in flight, flushes, and releases the store. */
  close(): Promise<void>;
}

const MAINTENANCE_MS = 60_000;

function listen(server: Server, ...args: [number, string] | [string]): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException) => {
      const where = args.length === 2 ? `${args[1]}:${args[0]}` : args[0];
      if (err.code === 'EADDRINUSE') reject(new Error(`${where} is already in use: stop what listens there or choose another port (CAIRN_PORT)`, { cause: err }));
      else if (err.code === 'EACCES') reject(new Error(`not allowed to listen on ${where}: ports below 1024 need privileges`, { cause: err }));
      else reject(err);
    };
    server.once('error', fail);
    server.listen(...(args as [number, string]), () => {
      server.off('error', fail);
      resolve();
    });
  });
}

/** Starts the collector; resolves once it accepts events. */
export async function startCollector(options: CollectorOptions): Promise<Collector> {
  const { config } = options;
  const now = options.now ?? Date.now;
  const log = createLogger(config.logLevel, options.logDestination);

  const geo = await openGeoLookup(config.geoDb);
  const store =
    options.store ??
    (await openStore(config, {
      onLoadError: (err) => log.error({ op: err.operation, err: err.message }, 'loading journaled events failed; will retry'),
      onRejected: (lines, file) => log.error({ lines, file }, 'events the database refused were set aside in this file; nothing else was held back'),
      onDiskSpace: ({ low, free, needed }) => {
        const disk = { dataDir: config.dataDir, freeMiB: Math.floor(free / 2 ** 20), neededMiB: Math.floor(needed / 2 ** 20) };
        if (low) log.error(disk, 'the disk is too full to take more events safely: new events get 503 (and are retried by trackers and SDKs) until space is freed; every event already acknowledged is kept');
        else log.info(disk, 'disk space is back: accepting events again');
      },
    }));
  let server: Server | undefined;
  try {
    const sites = new SiteDirectory(store);
    await sites.reload();
    const salts = new DailySalts(store.salts);
    await salts.forDay(utcDay(now()));
    await salts.destroyExpired(now());
    const sessions = new Sessions();
    sessions.seed(await store.events.sessionTails(now() - SESSION_GAP_MS));
    const dedupe = new ClientIdWindow();
    // Server SDKs may date events up to 24 h back, so look one more day into the past.
    dedupe.seed(await store.events.clientIds(now() - 2 * DEDUPE_WINDOW_MS));
    const writer = new GroupCommit((rows) => store.events.append(rows), { maxRows: config.commitMaxRows });
    const bots = new BotCounter(store.botCounts);
    const ipLimiter = new RateLimiter(config.rateLimitIp);
    const siteLimiter = new RateLimiter(config.rateLimitSite);
    const ingestCounts = newIngestCounts();

    const ingest = createIngestHandler({
      sites,
      enricher: new Enricher({ salts, sessions, geo }),
      writer,
      dedupe,
      bots,
      ipLimiter,
      siteLimiter,
      clientIp: clientIpResolver(config.trustedProxies),
      now,
      log,
      counts: ingestCounts,
    });
    const tracker = loadTrackerAssets();
    if (tracker.problem) log.warn(tracker.problem);
    const widgets = loadWidgetAssets();
    if (widgets.problem) log.warn(widgets.problem);
    const dashboard = loadDashboardApp();
    if (dashboard.problem) log.warn(dashboard.problem);
    const stats = new StatsService(store, now);
    const rollups = new RollupJob({ store, sites, log, now });
    const logins = new Logins(store, now);
    const audit = new AuditLog({ store, now, salt: (t) => salts.forDay(utcDay(t)), log });
    const secret = await tokenSecret(store.meta);
    const mailer = createMailer(config.smtpUrl || undefined, config.mailFrom, log);
    // With port 0 (tests, benchmarks) the default public URL can only be known once listening.
    let publicUrl = config.publicUrl;
    const auth = {
      logins,
      audit,
      clientIp: clientIpResolver(config.trustedProxies),
      now,
      secureCookies: config.publicUrl.startsWith('https:'),
      publicHost: new URL(config.publicUrl).host,
      loginLimits: loginLimiters(),
      secret,
      mailer,
      publicUrl: () => publicUrl,
      log,
    };
    const authz = new Authorizer({ store, logins, secret, now, sites, publicHost: auth.publicHost });
    const siteAdmin = new SiteAdmin({ sites, store, audit, publicUrl: () => publicUrl, now });
    const { app, routes } = createApp({ store, log, version: VERSION, tracker, widgets, dashboard, sites, stats, auth, authz, admin: siteAdmin, secret, users: { mailer, publicUrl: () => publicUrl }, ingest: ingestCounts });
    server = createHttpServer(ingest, app);
    const hub = new RealtimeHub({ authz, sites, stats, clientIp: clientIpResolver(config.trustedProxies), log, ...(options.realtimeRecheckMs ? { recheckMs: options.realtimeRecheckMs } : {}) });
    server.on('upgrade', (req, socket, head) => {
      if ((req.url ?? '').split('?')[0] === '/api/realtime') hub.upgrade(req, socket, head);
      else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    await listen(server, config.port, config.host);
    const http = server;
    const port = (http.address() as AddressInfo).port;
    if (config.publicUrl === 'http://localhost:0') publicUrl = `http://localhost:${port}`;

    // In the data directory whatever the store: the CLI finds the running collector there.
    await mkdir(config.dataDir, { recursive: true });
    const adminSocket = join(resolve(config.dataDir), 'cairn.sock');
    // A socket file left by a killed process would make listen fail; nothing can be holding it,
    // because the DuckDB file lock above already proved no other collector runs on this folder.
    await rm(adminSocket, { force: true });
    const admin = createPlainServer(createAdminApp({ sites, store, admin: siteAdmin, publicUrl, now, log, rollups, audit, version: VERSION, ingest: ingestCounts }));
    await listen(admin, adminSocket);
    await chmod(adminSocket, 0o600);

    /** Forgets expired state, writes bot counts, destroys old salts, picks up sites added elsewhere. */
    const runMaintenance = async () => {
      const t = now();
      sessions.sweep(t);
      dedupe.sweep(t);
      ipLimiter.sweep(t);
      siteLimiter.sweep(t);
      auth.loginLimits.byIp.sweep(t);
      auth.loginLimits.byAccount.sweep(t);
      await Promise.all([bots.flush(), salts.destroyExpired(t), sites.reload(), logins.sweep(), audit.sweep()]);
      await siteAdmin.purgeDue();
      await rollups.run();
      await enforceRetention({ store, sites, log, now: t });
    };
    // Days that closed while the collector was stopped are rolled up shortly after it starts.
    const firstRollup = setTimeout(() => rollups.run().catch((err: unknown) => log.error({ err: (err as Error).message }, 'rollups failed; will retry')), 1000);
    firstRollup.unref();
    const maintenance = setInterval(() => {
      runMaintenance().catch((err: unknown) => log.error({ err: (err as Error).message }, 'maintenance failed; will retry'));
    }, MAINTENANCE_MS);
    maintenance.unref();

    log.info({ url: `http://${config.host}:${port}`, publicUrl, store: store.location, sites: sites.list().length }, `Cairn ${VERSION} is listening on ${publicUrl}`);
    if (!(await hasOwner(store))) {
      log.warn(
        { setup: `${publicUrl}/setup#token=${setupToken(secret, now())}` },
        'No owner yet: open the setup link (valid 24 hours) to create the owner account, or run: npm run cairn -- user add you@example.com --owner --password-stdin',
      );
    }

    let closing: Promise<void> | null = null;
    const close = () =>
      (closing ??= (async () => {
        clearInterval(maintenance);
        clearTimeout(firstRollup);
        await rollups.stop();
        hub.close();
        admin.close();
        // No new connections; requests already reading their body or waiting for their commit
        // get their answer (Node closes each connection once its response is sent), up to 10 s.
        const closed = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeIdleConnections();
        await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000).unref())]);
        await writer.drain();
        http.closeAllConnections();
        await bots.flush().catch((err: unknown) => log.error({ err: (err as Error).message }, 'bot counts not saved'));
        await mailer.close();
        const { pendingEvents } = await store.close();
        await rm(adminSocket, { force: true });
        if (pendingEvents === 0) log.info('Cairn stopped; every acknowledged event is in the database');
        else log.warn({ pendingEvents }, `Cairn stopped; ${pendingEvents} acknowledged events are journaled on disk (durable) and will be loaded at the next start`);
        log.flush();
      })());

    return { publicUrl, url: `http://127.0.0.1:${port}`, port, adminSocket, store, sites, log, app, routes, runMaintenance, rollups, close };
  } catch (err) {
    server?.close();
    await store.close().catch(() => undefined);
    throw err;
  }
}
