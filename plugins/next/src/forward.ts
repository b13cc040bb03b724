import type { FORWARDED_HEADERS } from '@cairn/collector/protocol';

/**
 * The request headers the collector needs to count a visitor right: the address, and those it
 * reads for the visitor hash, automated browsers and prefetches (the protocol's
 * FORWARDED_HEADERS). A plain rewrite would send the Next server's own address: the visitor hash
 * (ARCHITECTURE.md §3) would then merge every visitor into one. Next sets `x-forwarded-for` to
 * the client's address when no proxy in front of it did.
 */
const VISITOR_HEADERS = ['user-agent', 'sec-ch-ua', 'sec-purpose', 'purpose'] as const;
export const FORWARDED: readonly string[] = ['x-forwarded-for', ...VISITOR_HEADERS];

// Written out rather than imported (the collector is no dependency of this package); this check,
// erased from dist, fails the typecheck of src/ when the list and the protocol's part.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
type _SameHeadersAsProtocol = Holds<Same<(typeof VISITOR_HEADERS)[number], (typeof FORWARDED_HEADERS)[number]>>;

/** Anything with `get(name)`: a Request's headers, or `await headers()` from `next/headers`. */
export interface HeaderSource {
  get(name: string): string | null;
}

export function forwardedHeaders(from: HeaderSource, contentType: string): Headers {
  const headers = new Headers({ 'content-type': contentType });
  for (const name of FORWARDED) {
    const value = from.get(name);
    if (value) headers.set(name, value);
  }
  return headers;
}
