/**
 * Retention: raw events older than a site's retention (25 months by default) are deleted; their
 * days stay in the rollups, so totals, series and unfiltered breakdowns of old periods remain.
 * Never deletes a day that is not rolled up yet.
 */
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { Store } from '../store/store.ts';

/** Deletes what each site no longer keeps; returns how many raw events went. */
export async function enforceRetention(deps: { store: Store; sites: SiteDirectory; log: Logger; now: number }): Promise<number> {
  let deleted = 0;
  for (const site of deps.sites.list()) {
    const keepFrom = DateTime.fromMillis(deps.now, { zone: site.timezone })
      .minus({ months: site.retentionMonths ?? 25 })
      .startOf('day');
    const pending = await deps.store.rollups.pending(site, deps.now);
    const firstPending = pending[0] ? DateTime.fromISO(pending[0], { zone: site.timezone }).toMillis() : Infinity;
    const cutoff = Math.min(keepFrom.toMillis(), firstPending);
    const n = await deps.store.events.deleteBefore(site.id, cutoff);
    if (n > 0) deps.log.info({ site: site.id, deleted: n, before: new Date(cutoff).toISOString() }, 'raw events past retention deleted (their days stay in rollups)');
    deleted += n;
  }
  return deleted;
}
