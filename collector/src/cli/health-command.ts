/** `cairn health`: the running collector's health report, as the owner sees it, in words. */
import { join } from 'node:path';
import type { HealthReport } from '../http/health.ts';
import { adminFailure, adminRequest } from './admin-client.ts';
import type { Command } from './command.ts';

const mib = (bytes: number) => `${Math.floor(bytes / 2 ** 20).toLocaleString('en')} MiB`;

/** Prints the report; resolves with the exit code: 0 when ok, 1 otherwise (or when no collector runs). */
async function health(dataDir: string): Promise<number> {
  const remote = await adminRequest(join(dataDir, 'cairn.sock'), 'GET', '/health');
  if (!remote) {
    console.error(`cairn: no collector is running on ${dataDir} (start it with: npm start)`);
    return 1;
  }
  if (remote.status !== 200) throw adminFailure(remote);
  const r = remote.body as HealthReport;
  const lines = [`Cairn ${r.version}: ${r.status}${r.reason ? ` (${r.reason.replaceAll('_', ' ')})` : ''}`];
  lines.push(`store: ${r.store.kind}, ${r.store.accepting === false ? 'refusing new events' : 'taking events'}${r.store.pendingEvents ? `, ${r.store.pendingEvents.toLocaleString('en')} waiting to be loaded` : ''}`);
  if (r.store.disk) lines.push(`disk: ${mib(r.store.disk.free)} free, ${mib(r.store.disk.needed)} needed to take events`);
  if (r.store.engine) lines.push(`database: memory limit ${r.store.engine.memoryLimit}, ${r.store.engine.threads} thread${r.store.engine.threads === 1 ? '' : 's'}`);
  if (r.store.detail) lines.push(`detail: ${r.store.detail}`);
  lines.push(`ingest: ${r.ingest.aborted.toLocaleString('en')} requests ended by their clients before they were read, ${r.ingest.refusedNoSpace.toLocaleString('en')} refused for want of disk space (since start)`);
  console.log(lines.join('\n'));
  return r.status === 'ok' ? 0 : 1;
}

/** Not a management command: it asks the running collector only, never a store opened here. */
export const healthCommand: Command = {
  name: 'health',
  usage: 'cairn health',
  summary: ["the running collector's health: store, disk space, events waiting"],
  run: ({ config }) => health(config.dataDir),
};
