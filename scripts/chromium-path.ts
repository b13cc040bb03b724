/**
 * Where the distribution's Chromium lives. Shared by `scripts/ensure-chromium.ts` (which installs
 * it when missing) and the browser test helpers (which only look), so tests never run apt.
 */
import { accessSync, constants } from 'node:fs';

/** Candidate paths in order of preference; `CHROMIUM_PATH` wins when set. */
export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The path of an executable Chromium (`CHROMIUM_PATH`, then the Debian packages), or null. */
export function findChromium(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return executable(fromEnv) ? fromEnv : null;
  return CHROMIUM_CANDIDATES.find(executable) ?? null;
}
