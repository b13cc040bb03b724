/**
 * `cairn seed`: demo data. Creates sites marked synthetic (dashboards show them only when asked)
 * and fills them with realistic traffic ending now, then rolls the days up. Never runs by itself.
 */
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { createLogger } from '../logger.ts';
import { RollupJob } from '../rollup/rollup-job.ts';
import { newSite } from '../sites/new-site.ts';
import { SiteDirectory } from '../sites/site-directory.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import { synthesize } from '../seed/synthetic.ts';
import { adminRequest } from './admin-client.ts';
import { text, type Command, type Flags } from './command.ts';
import { UsageError } from './usage-error.ts';

interface SeedOptions {
  events: number;
  days: number;
  sites: number;
}

const bar = (done: number, total: number) => {
  const width = 30;
  const filled = Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor((done / total) * 100)).padStart(3)}%`;
};

/** Seeds `o.sites` new synthetic sites with about `o.events` events in all over `o.days` days. */
async function seed(sites: SiteDirectory, store: Store, o: SeedOptions, now = Date.now()): Promise<void> {
  const perSite = Math.ceil(o.events / o.sites);
  const start = DateTime.fromMillis(now, { zone: 'UTC' }).startOf('day').minus({ days: o.days - 1 }).toMillis();
  const traffic = (site: string, visitorsPerDay: number, seed: number) =>
    (function* () {
      for (const e of synthesize({ site, start, days: o.days, visitorsPerDay, seed })) if (e.ts <= now) yield e;
    })();
  // How many visitors a day give `perSite` events, today being cut at `now`: count a sample of
  // about 200,000 events (the synthetic traffic has about 8 events per visitor and day).
  const trial = Math.max(1, Math.round(200_000 / o.days / 8));
  let sample = 0;
  for (const _ of traffic('sample', trial, now)) sample++;
  const visitorsPerDay = Math.max(1, Math.round((trial * perSite) / Math.max(1, sample)));
  for (let i = 0; i < o.sites; i++) {
    const { site, key, secret } = newSite({ domain: `demo-${Date.now().toString(36)}-${i + 1}.example.org`, timezone: 'UTC' }, now);
    await sites.create({ ...site, synthetic: true }, key);
    const n = await store.events.bulkInsert(traffic(site.id, visitorsPerDay, now + i), (done) => process.stderr.write(`\r${site.id} ${bar(Math.min(done, perSite), perSite)} ${done.toLocaleString('en-US')} events`));
    process.stderr.write(`\r${site.id} ${bar(1, 1)} ${n.toLocaleString('en-US')} events\n`);
    console.log(`Site ${site.id} (${site.domains[0]}, synthetic): ${n.toLocaleString('en-US')} events over ${o.days} days. Site key: ${secret}`);
  }
  const report = await new RollupJob({ store, sites, log: createLogger('warn'), now: () => now }).run((done, total, id) =>
    process.stderr.write(`\rrolling up ${id} ${bar(done, total)} ${done}/${total} days`),
  );
  process.stderr.write('\n');
  console.log(`Rolled up ${report.days} days in ${(report.ms / 1000).toFixed(1)} s.`);
}

/** --events, --days or --sites: a whole number from 1 to `max`, or `fallback` when not given. */
function count(flags: Flags, name: 'events' | 'days' | 'sites', fallback: number, max: number): number {
  const raw = text(flags, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max}`);
  return n;
}

/**
 * Not a management command: it writes events in bulk, straight to the store, so it waits for a
 * stopped collector rather than going through the admin app.
 */
export const seedCommand: Command = {
  name: 'seed',
  usage: 'cairn seed [--events N] [--days D] [--sites S]',
  summary: ['demo data: S new synthetic sites (default 1) with N events (default', '100000) over D days (default 30); the collector must be stopped'],
  options: { events: { type: 'string' }, days: { type: 'string' }, sites: { type: 'string' } },
  async run({ flags, config }) {
    const o = { events: count(flags, 'events', 100_000, 100_000_000), days: count(flags, 'days', 30, 3650), sites: count(flags, 'sites', 1, 100) };
    if (await adminRequest(join(config.dataDir, 'cairn.sock'), 'GET', '/sites')) {
      throw new Error('cairn seed writes to the store directly: stop the collector first, then run it again');
    }
    const store = await openStore(config);
    try {
      const sites = new SiteDirectory(store);
      await sites.reload();
      await seed(sites, store, o);
    } finally {
      await store.close();
    }
  },
};
