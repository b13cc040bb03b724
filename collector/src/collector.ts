/** Wires the collector together and runs it: store → services → HTTP, and a clean stop. */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Express } from 'express';
import type { DestinationStream } from 'pino';
import { hasOwner, setupToken } from './accounts/owner-setup.ts';
import type { Config } from './config.ts';
import { clientIpResolver } from './enrich/client-ip.ts';
import { openGeoLookup } from './enrich/geo.ts';
import { createAdminApp } from './http/admin.ts';
import { serveAdminSocket } from './http/admin-socket.ts';
import { createApp } from './http/app.ts';
import { Authorizer } from './http/authorize.ts';
import { loadDashboardApp } from './http/dashboard-app.ts';
import { listen } from './http/listen.ts';
import type { Route } from './http/routes.ts';
import { createHttpServer } from './http/server.ts';
import { loadTrackerAssets, loadWidgetAssets, type TrackerBuild } from './http/tracker-assets.ts';
import { openTrackerVersions } from './http/tracker-versions.ts';
import { routeUpgrades } from './http/upgrades.ts';
import { openIngestPath } from './ingest/ingest-path.ts';
import { createLogger, type Logger } from './logger.ts';
import { NoMailer } from './mail/mailer.ts';
import { Maintenance } from './maintenance.ts';
import { RealtimeHub } from './realtime/realtime-hub.ts';
import { enforceRetention } from './rollup/retention.ts';
import type { RollupJob } from './rollup/rollup-job.ts';
import { openServices } from './services.ts';
import type { SiteDirectory } from './sites/site-directory.ts';
import { openStore } from './store/open-store.ts';
import type { Store } from './store/store.ts';
import { utcDay } from './time.ts';

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
  /** A tracker build served instead of `@cairn/tracker`'s, or null for none (tests: an upgrade without rebuilding). */
  trackerBuild?: TrackerBuild | null;
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
  /** The first owner's setup link (valid 24 hours) when there was no owner at start, else null. */
  setupLink: string | null;
  /** Runs the periodic upkeep now (it also runs every minute), rollups included. */
  runMaintenance(): Promise<void>;
  rollups: RollupJob;
  /** Stops accepting, answers what is in flight, flushes, and releases the store. */
  close(): Promise<void>;
}

const MAINTENANCE_MS = 60_000;

/** The store the configuration names, with its troubles reported in the log. */
function storeFor(config: Config, log: Logger): Promise<Store> {
  return openStore(config, {
    onLoadError: (err) => log.error({ op: err.operation, err: err.message }, 'loading journaled events failed; will retry'),
    onRejected: (lines, file) => log.error({ lines, file }, 'events the database refused were set aside in this file; nothing else was held back'),
    onDiskSpace: ({ low, free, needed }) => {
      const disk = { dataDir: config.dataDir, freeMiB: Math.floor(free / 2 ** 20), neededMiB: Math.floor(needed / 2 ** 20) };
      if (low) log.error(disk, 'the disk is too full to take more events safely: new events get 503 (and are retried by trackers and SDKs) until space is freed; every event already acknowledged is kept');
      else log.info(disk, 'disk space is back: accepting events again');
    },
  });
}

/** Starts the collector; resolves once it accepts events. */
export async function startCollector(options: CollectorOptions): Promise<Collector> {
  const { config } = options;
  const now = options.now ?? Date.now;
  const log = createLogger(config.logLevel, options.logDestination);
  const geo = await openGeoLookup(config.geoDb || undefined);
  const store = options.store ?? (await storeFor(config, log));
  let stopHttp = () => undefined as void;
  try {
    // With port 0 (tests, benchmarks) the default public URL can only be known once listening.
    let publicUrl = config.publicUrl;
    const services = await openServices({ store, config, log, now, publicUrl: () => publicUrl });
    const { sites, salts, audit, logins, secret, mailer, siteAdmin, userAdmin, integrations, stats, rollups, loginLimits } = services;
    await salts.forDay(utcDay(now()));
    await salts.destroyExpired(now());
    const ingest = await openIngestPath({ store, sites, salts, geo, config, now, log });

    const [tracker, widgets, dashboard] = [loadTrackerAssets(options.trackerBuild), loadWidgetAssets(), loadDashboardApp()];
    // Every version this data directory has served stays at its versioned URL (hosts pin them with SRI).
    const trackerVersions = openTrackerVersions({ dir: join(resolve(config.dataDir), 'tracker'), build: tracker.files as TrackerBuild | null, problem: tracker.problem, log });
    for (const assets of [tracker, widgets, dashboard]) if (assets.problem) log.warn(assets.problem);
    const clientIp = clientIpResolver(config.trustedProxies);
    const auth = { logins, audit, clientIp, now, secureCookies: config.publicUrl.startsWith('https:'), publicHost: new URL(config.publicUrl).host, secret };
    const authz = new Authorizer({ store, logins, secret, now, sites, publicHost: auth.publicHost });
    const { app, routes } = createApp({ store, log, version: VERSION, tracker, trackerVersions, publicUrl: () => publicUrl, widgets, dashboard, sites, stats, auth, authz, admin: siteAdmin, secret, users: userAdmin, integrations, ingest: ingest.counts, live: ingest.live });
    const http = createHttpServer(ingest.handler, app);
    stopHttp = () => void http.close();
    const hub = new RealtimeHub({ authz, sites, stats, clientIp, log, ...(options.realtimeRecheckMs ? { recheckMs: options.realtimeRecheckMs } : {}) });
    routeUpgrades(http, { '/api/realtime': (req, socket, head) => hub.upgrade(req, socket, head) });
    await listen(http, config.port, config.host);
    const port = (http.address() as AddressInfo).port;
    if (config.publicUrl === 'http://localhost:0') publicUrl = `http://localhost:${port}`;

    // In the data directory whatever the store: the CLI finds the running collector there.
    const adminApp = createAdminApp({ ...services, admin: siteAdmin, users: userAdmin, publicUrl, now, log, version: VERSION, ingest: ingest.counts });
    const admin = await serveAdminSocket(join(resolve(config.dataDir), 'cairn.sock'), adminApp);

    const maintenance = new Maintenance(
      [
        ...ingest.sweepers,
        { name: 'login limits', sweep: (t) => (loginLimits.byIp.sweep(t), loginLimits.byAccount.sweep(t)) },
        { name: 'salts', sweep: (t) => salts.destroyExpired(t) },
        // Sites added or changed by another collector on the same MongoDB.
        { name: 'sites', sweep: () => sites.reload() },
        { name: 'logins', sweep: () => logins.sweep() },
        { name: 'audit', sweep: () => audit.sweep() },
        { name: 'deleted sites', sweep: () => siteAdmin.purgeDue() },
        { name: 'rollups', sweep: () => rollups.run() },
        { name: 'retention', sweep: (t) => enforceRetention({ store, sites, log, now: t }) },
      ],
      { log, now },
    );
    maintenance.start(MAINTENANCE_MS);
    // Days that closed while the collector was stopped are rolled up shortly after it starts.
    const firstRollup = setTimeout(() => rollups.run().catch((err: unknown) => log.error({ err: (err as Error).message }, 'rollups failed; will retry')), 1000);
    firstRollup.unref();

    log.info({ url: `http://${config.host}:${port}`, publicUrl, store: store.location, sites: sites.list().length }, `Cairn ${VERSION} is listening on ${publicUrl}`);
    if (mailer instanceof NoMailer) {
      log.warn('No SMTP server is configured (CAIRN_SMTP_URL): invitations show a link to pass on yourself, and "forgot password" is off until one is');
    }
    const setupLink = (await hasOwner(store)) ? null : `${publicUrl}/setup#token=${setupToken(secret, now())}`;
    if (setupLink) {
      log.warn(
        { setup: setupLink },
        'No owner yet: open the setup link (valid 24 hours) to create the owner account, or run: npm run cairn -- user add you@example.com --owner --password-stdin',
      );
    }

    let closing: Promise<void> | null = null;
    const close = () =>
      (closing ??= (async () => {
        clearTimeout(firstRollup);
        await maintenance.stop();
        await rollups.stop();
        hub.close();
        await admin.close();
        // No new connections; requests already reading their body or waiting for their commit
        // get their answer (Node closes each connection once its response is sent), up to 10 s.
        const closed = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeIdleConnections();
        await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000).unref())]);
        await ingest.writer.drain();
        http.closeAllConnections();
        await ingest.drops.flush().catch((err: unknown) => log.error({ err: (err as Error).message }, 'drop counts not saved'));
        await mailer.close();
        const { pendingEvents } = await store.close();
        if (pendingEvents === 0) log.info('Cairn stopped; every acknowledged event is in the database');
        else log.warn({ pendingEvents }, `Cairn stopped; ${pendingEvents} acknowledged events are journaled on disk (durable) and will be loaded at the next start`);
        log.flush();
      })());

    return { publicUrl, url: `http://127.0.0.1:${port}`, port, adminSocket: admin.path, store, sites, log, app, routes, setupLink, runMaintenance: () => maintenance.run(), rollups, close };
  } catch (err) {
    stopHttp();
    await store.close().catch(() => undefined);
    throw err;
  }
}
