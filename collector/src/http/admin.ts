/**
 * The local admin interface: a Unix socket in the data directory (mode 0600), so that `cairn site …`
 * works while the server holds the DuckDB file (one writer process). Never exposed over TCP.
 */
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { newSite, type NewSiteInput } from '../sites/new-site.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import { trackerTag } from '../sites/tracker-tag.ts';
import type { RollupJob } from '../rollup/rollup-job.ts';
import type { Site } from '../store/store.ts';
import { errorHandler } from './app.ts';
import { HttpError } from './http-error.ts';

/** What the admin interface and the CLI show of a site: never the key hash. */
export const publicSite = ({ keyHash: _hidden, ...site }: Site) => site;

/** Creates a site; the result holds the key, which is shown once and not kept. */
export async function addSite(sites: SiteDirectory, input: NewSiteInput, publicUrl: string, now: number) {
  const { site, key } = newSite(input, now);
  await sites.create(site);
  return { site: publicSite(site), key, tag: trackerTag(publicUrl, site.id) };
}

export function createAdminApp(deps: { sites: SiteDirectory; publicUrl: string; now: () => number; log: Logger; rollups: RollupJob }): Express {
  const app = express();
  app.use(express.json({ limit: '16kb' }));
  app.get('/sites', (_req, res) => {
    res.json({ sites: deps.sites.list().map(publicSite), publicUrl: deps.publicUrl });
  });
  app.post('/sites', async (req, res) => {
    const body = (req.body ?? {}) as Partial<NewSiteInput>;
    if (typeof body.domain !== 'string') throw new HttpError(400, 'invalid_site', 'domain is required', { field: 'domain' });
    try {
      res.status(201).json(await addSite(deps.sites, body as NewSiteInput, deps.publicUrl, deps.now()));
    } catch (err) {
      if (err instanceof Error && !('operation' in err)) throw new HttpError(400, 'invalid_site', err.message);
      throw err;
    }
  });
  app.post('/rollups', async (_req, res) => {
    res.json(await deps.rollups.run());
  });
  app.use(errorHandler(deps.log));
  return app;
}
