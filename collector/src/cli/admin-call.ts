/**
 * The one path of every management command: the request it makes goes to the admin app of the
 * running collector (`cairn.sock` in the data directory), or, when none answers there, to the
 * same admin app served here, for this command only, over the store the command line opens
 * itself. Either way the same code checks, changes and audits.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VERSION } from '../collector.ts';
import type { Config } from '../config.ts';
import { createAdminApp } from '../http/admin.ts';
import { serveAdminSocket } from '../http/admin-socket.ts';
import { newIngestCounts } from '../ingest/ingest-handler.ts';
import { createLogger } from '../logger.ts';
import { openServices } from '../services.ts';
import { openStore } from '../store/open-store.ts';
import { adminFailure, adminRequest } from './admin-client.ts';

export interface Admin {
  /** Makes one request; resolves with the answer's body, or rejects with the admin app's message. */
  request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** Closes what was opened for the command (the local admin app and the store), if anything. */
  close(): Promise<void>;
}

/** The admin app of `config.dataDir`: found at the first request, kept for the command's others. */
export function adminCall(config: Config): Admin {
  const socket = join(config.dataDir, 'cairn.sock');
  let local: Promise<{ socket: string; close(): Promise<void> }> | null = null;
  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      // Nobody answers at a socket that a killed collector left behind: the store is free then.
      let answer = local ? null : await adminRequest(socket, method, path, body);
      if (!answer) {
        local ??= serveLocally(config);
        answer = await adminRequest((await local).socket, method, path, body);
      }
      if (!answer) throw new Error("the command line's own admin app did not answer");
      if (answer.status < 200 || answer.status > 299) throw adminFailure(answer);
      return answer.body as T;
    },
    async close() {
      await local?.then(
        (l) => l.close(),
        () => undefined,
      );
    },
  };
}

/**
 * The collector's admin app over the store opened here (it fails, saying so, while a collector
 * holds the DuckDB file), on a socket in a fresh temporary folder: a socket in the data directory
 * would tell other commands that a collector runs.
 */
async function serveLocally(config: Config): Promise<{ socket: string; close(): Promise<void> }> {
  const store = await openStore(config);
  const dir = await mkdtemp(join(tmpdir(), 'cairn-cli-')).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const removeAll = async () => {
    await rm(dir, { recursive: true, force: true });
    await store.close();
  };
  try {
    // Standard output is the command's (gdpr export writes NDJSON there): logs go to standard error.
    const log = createLogger('warn', process.stderr);
    const services = await openServices({ store, config, log, now: Date.now, publicUrl: () => config.publicUrl });
    const app = createAdminApp({
      ...services,
      admin: services.siteAdmin,
      users: services.userAdmin,
      publicUrl: config.publicUrl,
      now: Date.now,
      log,
      version: VERSION,
      ingest: newIngestCounts(),
    });
    const served = await serveAdminSocket(join(dir, 'admin.sock'), app);
    return {
      socket: served.path,
      async close() {
        try {
          await served.close();
          await services.mailer.close();
        } finally {
          await removeAll();
        }
      },
    };
  } catch (err) {
    await removeAll();
    throw err;
  }
}
