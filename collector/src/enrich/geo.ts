/** Country lookup from the client IP, in memory; the IP itself is dropped right after. */
import { createRequire } from 'node:module';
import { isIPv4, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';
import maxmind, { type Reader, type Response } from 'maxmind';

/** The CC0 country database shipped in an npm package (ARCHITECTURE.md, "License and dependencies"). */
export const DEFAULT_GEO_DB = createRequire(import.meta.url).resolve(
  '@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb',
);

interface CountryRecord {
  // ip-location-db layout
  country_code?: string;
  // MaxMind GeoLite2/GeoIP2 layout
  country?: { iso_code?: string };
  registered_country?: { iso_code?: string };
}

/**
 * IPv4 ranges that are nobody's country, as [first address, prefix length]: the special ranges of
 * ipaddr.js (everything it does not call 'unicast'), checked here without parsing the address
 * into objects (geo.test.ts compares the two).
 */
const V4_SPECIAL: readonly (readonly [number, number])[] = [
  [0x00000000, 8], // unspecified
  [0xffffffff, 32], // broadcast
  [0xe0000000, 4], // multicast
  [0xa9fe0000, 16], // link-local
  [0x7f000000, 8], // loopback
  [0x64400000, 10], // carrier-grade NAT
  [0x0a000000, 8], // private
  [0xac100000, 12],
  [0xc0a80000, 16],
  [0xc0000000, 24], // reserved: IETF, documentation, 6to4 relay, benchmarking, class E
  [0xc0000200, 24],
  [0xc0586300, 24],
  [0xc6120000, 15],
  [0xc6336400, 24],
  [0xcb007100, 24],
  [0xf0000000, 4],
  [0xc0af3000, 24], // AS112
  [0xc01fc400, 24],
  [0xc034c100, 24], // AMT
];

// As 32-bit integers and shifts, which the loop below compares without converting numbers.
const V4_FIRST = Int32Array.from(V4_SPECIAL, ([first]) => first);
const V4_SHIFT = Uint8Array.from(V4_SPECIAL, ([, bits]) => 32 - bits);

/** Whether a dotted-quad IPv4 address (as node:net's isIPv4 accepts it) is an ordinary public one. */
export function unicastV4(ip: string): boolean {
  let n = 0;
  let octet = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 0x2e) {
      n = (n << 8) | octet;
      octet = 0;
    } else octet = octet * 10 + c - 0x30;
  }
  n = (n << 8) | octet;
  for (let i = 0; i < V4_FIRST.length; i++) if ((n ^ V4_FIRST[i]!) >>> V4_SHIFT[i]! === 0) return false;
  return true;
}

export interface GeoLookup {
  /** ISO 3166-1 alpha-2 code, or null when the address is private, unknown or malformed. */
  country(ip: string): string | null;
}

/** Opens an mmdb file (ip-location-db or MaxMind layout) and keeps it in memory. */
export async function openGeoLookup(file: string = DEFAULT_GEO_DB): Promise<GeoLookup> {
  let reader: Reader<Response>;
  try {
    reader = await maxmind.open<Response>(file, { watchForUpdates: false, cache: { max: 10_000 } });
  } catch (cause) {
    throw new Error(`cannot open the country database ${file}: ${(cause as Error).message}`, { cause });
  }
  return {
    country(ip) {
      // Only the forms sockets and X-Forwarded-For carry (not legacy "1.2.3" or octal IPv4), checked
      // with node:net first: ipaddr's own checks cost ≈ 20 µs per IPv6 address, on every event.
      // Sockets report IPv4 clients of a dual-stack server as IPv4-mapped IPv6 addresses.
      const v4 = isIPv4(ip) ? ip : ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : null;
      if (v4 === null && !isIPv6(ip)) return null;
      // Private, loopback and documentation ranges are nobody's country (some databases say otherwise).
      let address: string;
      if (v4 !== null) {
        if (!unicastV4(v4)) return null;
        address = v4;
      } else {
        const addr = ipaddr.process(ip);
        if (addr.range() !== 'unicast') return null;
        address = addr.toString();
      }
      const rec = reader.get(address) as CountryRecord | null;
      const code = rec?.country_code ?? rec?.country?.iso_code ?? rec?.registered_country?.iso_code;
      return code && /^[A-Z]{2}$/.test(code) ? code : null;
    },
  };
}
