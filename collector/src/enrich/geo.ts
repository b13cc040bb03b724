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
      const addr = v4 !== null ? ipaddr.IPv4.parse(v4) : ipaddr.process(ip);
      // Private, loopback and documentation ranges are nobody's country (some databases say otherwise).
      if (addr.range() !== 'unicast') return null;
      const rec = reader.get(addr.toString()) as CountryRecord | null;
      const code = rec?.country_code ?? rec?.country?.iso_code ?? rec?.registered_country?.iso_code;
      return code && /^[A-Z]{2}$/.test(code) ? code : null;
    },
  };
}
