/**
 * Serves the local admin app (admin.ts) on a Unix socket of mode 0600: `cairn.sock` in the data
 * directory, where the command line finds a running collector. Never over TCP.
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import type { Express } from 'express';
import { listen } from './listen.ts';

export async function serveAdminSocket(path: string, app: Express): Promise<{ path: string; close(): Promise<void> }> {
  await mkdir(dirname(path), { recursive: true });
  // A socket file left by a killed process would make listen fail. For the data directory's
  // socket nothing can be holding it: the store's file lock proved no other collector runs there.
  await rm(path, { force: true });
  const server = createServer(app);
  await listen(server, path);
  await chmod(path, 0o600);
  return {
    path,
    async close() {
      server.close();
      server.closeAllConnections();
      await rm(path, { force: true });
    },
  };
}
