/** At start: whether the collector answers and accepts the integration key, in plain words. */
import type { WebflowAppConfig } from './config.ts';

/** `undefined` when all is well; else a sentence saying what to fix, and whether it stops the start. */
export async function checkCollector(config: WebflowAppConfig): Promise<{ fatal: boolean; message: string } | undefined> {
  let res: Response;
  try {
    res = await fetch(`${config.collector}/api/sites`, { headers: { authorization: `Bearer ${config.integrationKey}` }, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    // The collector may simply start later: installs fail until it answers, but the app can start.
    return { fatal: false, message: `the collector at ${config.collector} could not be reached (${(err as Error).message}); installs will fail until it answers` };
  }
  if (res.status === 401 || res.status === 403) {
    return { fatal: true, message: `the collector at ${config.collector} refused CAIRN_INTEGRATION_KEY (${res.status}): check it, or make a new one with \`npm run cairn -- integration add --name "Webflow app"\`` };
  }
  if (!res.ok) return { fatal: false, message: `the collector at ${config.collector} answered ${res.status} to GET /api/sites` };
  return undefined;
}
