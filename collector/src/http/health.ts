/**
 * The collector's health, in two readings. Everyone may ask `GET /healthz` (load balancers,
 * uptime checks): ok, degraded or down, and why in one word. What an operator needs to act —
 * the store's own message (which may name files), free disk space, events waiting, requests
 * clients abandoned — goes only to the owner (`GET /api/health`) and to the local admin socket
 * (`cairn health`).
 */
import type { Store, StoreHealth } from '../store/store.ts';
import type { IngestCounts } from '../ingest/ingest-handler.ts';
import type { Route } from './routes.ts';

/** ok: all is well; degraded: events are taken but stats lag (loads failing); down: events are refused. */
export type HealthStatus = 'ok' | 'degraded' | 'down';

export interface HealthReport {
  status: HealthStatus;
  reason?: NonNullable<StoreHealth['reason']>;
  version: string;
  store: StoreHealth & { kind: string };
  ingest: IngestCounts;
}

/** Everything known about the collector's health (for the owner and the admin socket). */
export async function healthReport(deps: { store: Store; version: string; ingest: IngestCounts }): Promise<HealthReport> {
  let store: StoreHealth;
  try {
    store = await deps.store.health();
  } catch (err) {
    store = { ok: false, accepting: false, reason: 'unreachable', detail: (err as Error).message };
  }
  const status: HealthStatus = store.accepting === false ? 'down' : store.ok ? 'ok' : 'degraded';
  return { status, ...(store.reason ? { reason: store.reason } : {}), version: deps.version, store: { kind: deps.store.kind, ...store }, ingest: { ...deps.ingest } };
}

/** What `/healthz` tells anyone: the status and a word, nothing about files, versions or figures. */
export function publicHealth(report: HealthReport): { status: HealthStatus; reason?: string } {
  return { status: report.status, ...(report.reason ? { reason: report.reason } : {}) };
}

/** 503 only when events are refused: a degraded collector still acknowledges every event. */
export const healthStatusCode = (report: HealthReport) => (report.status === 'down' ? 503 : 200);

/** `GET /api/health`: the whole report, for the owner. */
export function healthRoutes(deps: { store: Store; version: string; ingest: IngestCounts }): Route[] {
  return [
    {
      method: 'get',
      path: '/api/health',
      summary: "the collector's health with the details behind it (store, disk space, events waiting)",
      access: { kind: 'session', roles: ['owner'] },
      handler: async (_req, res) => {
        const report = await healthReport(deps);
        res.set('cache-control', 'no-store').json(report);
      },
    },
  ];
}
