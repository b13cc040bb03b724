/**
 * The collector's upkeep, every minute: a list of sweepers run one after the other, each named,
 * so that one that fails is logged and retried next time without holding up the others. What
 * forgets expired state in memory comes first, then what writes (bot counts, purges, rollups,
 * retention), in the order of the list.
 */
import type { Logger } from 'pino';

export interface Sweeper {
  /** For the log, when it fails. */
  name: string;
  sweep(now: number): unknown;
}

export class Maintenance {
  readonly #sweepers: readonly Sweeper[];
  readonly #log: Logger;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | null = null;

  constructor(sweepers: readonly Sweeper[], deps: { log: Logger; now: () => number }) {
    this.#sweepers = sweepers;
    this.#log = deps.log;
    this.#now = deps.now;
  }

  /** Runs every sweeper once, in order (joins a run in progress). */
  run(): Promise<void> {
    this.#running ??= (async () => {
      for (const s of this.#sweepers) {
        try {
          await s.sweep(this.#now());
        } catch (err) {
          this.#log.error({ sweeper: s.name, err: (err as Error).message }, 'maintenance failed; will retry');
        }
      }
    })().finally(() => (this.#running = null));
    return this.#running;
  }

  start(everyMs: number): void {
    this.#timer = setInterval(() => void this.run(), everyMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }
}
