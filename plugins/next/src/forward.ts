import { VISITOR_HEADERS } from '@cairn/tracker/server';

/**
 * The request headers the collector needs to count a visitor right: the address, and those it
 * reads for the visitor hash, automated browsers and prefetches (@cairn/tracker/server's list,
 * checked there against the collector's protocol). A plain rewrite would send the Next server's
 * own address: the visitor hash (ARCHITECTURE.md §3) would then merge every visitor into one.
 * Next sets `x-forwarded-for` to the client's address when no proxy in front of it did.
 */
export const FORWARDED: readonly string[] = ['x-forwarded-for', ...VISITOR_HEADERS];

/** Anything with `get(name)`: a Request's headers, or `await headers()` from `next/headers`. */
export interface HeaderSource {
  get(name: string): string | null;
}
