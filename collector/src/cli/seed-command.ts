/**
 * `cairn seed`: demo data. Creates sites marked synthetic (dashboards show them only when asked)
 * and fills them with realistic traffic ending now, then rolls the days up. Never runs by itself.
 */
import { DateTime } from 'luxon';
import { createLogger } from '../logger.ts';
import { RollupJob } from '../rollup/rollup-job.ts';
import { newSite } from '../sites/new-site.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { Store } from '../store/store.ts';
import { synthesize } from '../seed/synthetic.ts';

export interface SeedOptions {
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
export async function seed(sites: SiteDirectory, store: Store, o: SeedOptions, now = Date.now()): Promise<void> {
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
