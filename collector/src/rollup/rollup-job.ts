/**
 * The rollup job: every minute (and on demand, `cairn rollup`), rolls up each site's closed days
 * that are not rolled up yet or changed since, oldest first, one transaction per day. Idempotent
 * (a day rolled twice gives the same rows) and resumable (a crash loses at most the day in
 * progress, which the next run does again).
 */
import type { Logger } from 'pino';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { Store } from '../store/store.ts';

export interface RollupReport {
  days: number;
  sites: number;
  ms: number;
}

export class RollupJob {
  #store: Store;
  #sites: SiteDirectory;
  #log: Logger;
  #now: () => number;
  #running: Promise<RollupReport> | null = null;
  #stopping = false;

  constructor(deps: { store: Store; sites: SiteDirectory; log: Logger; now: () => number }) {
    this.#store = deps.store;
    this.#sites = deps.sites;
    this.#log = deps.log;
    this.#now = deps.now;
  }

  /** Rolls up everything pending; a call while a run is going joins that run. */
  run(progress?: (done: number, total: number, site: string) => void): Promise<RollupReport> {
    return (this.#running ??= this.#run(progress).finally(() => (this.#running = null)));
  }

  /** Lets a run in progress finish its current day, and starts no more. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#running?.catch(() => undefined);
  }

  async #run(progress?: (done: number, total: number, site: string) => void): Promise<RollupReport> {
    const started = Date.now();
    let days = 0;
    let sites = 0;
    for (const site of this.#sites.list()) {
      if (this.#stopping) break;
      const pending = await this.#store.rollups.pending(site, this.#now());
      if (pending.length === 0) continue;
      sites++;
      if (pending.length > 1) this.#log.info({ site: site.id, days: pending.length, from: pending[0], to: pending.at(-1) }, 'rolling up days');
      for (const [i, day] of pending.entries()) {
        if (this.#stopping) break;
        await this.#store.rollups.roll(site, day, this.#now());
        days++;
        progress?.(i + 1, pending.length, site.id);
        if ((i + 1) % 30 === 0) this.#log.info({ site: site.id, done: i + 1, of: pending.length }, 'rollup progress');
      }
    }
    const report = { days, sites, ms: Date.now() - started };
    if (days > 0) this.#log.info(report, 'rollups done');
    return report;
  }
}
