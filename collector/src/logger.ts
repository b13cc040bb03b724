/**
 * Structured logs (pino, JSON lines on stdout). Privacy: nothing here logs a request's address,
 * user agent or body; only method, path, status and error codes.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: { app: 'cairn' }, timestamp: pino.stdTimeFunctions.isoTime }, destination ?? pino.destination(1));
}
