/** Country lookup from the client IP, in memory; the IP itself is dropped right after. */
import { createRequire } from 'node:module';
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
      // Sockets report IPv4 clients of a dual-stack server as IPv4-mapped IPv6 addresses.
      const addr = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
      if (!maxmind.validate(addr)) return null;
      const rec = reader.get(addr) as CountryRecord | null;
      const code = rec?.country_code ?? rec?.country?.iso_code ?? rec?.registered_country?.iso_code;
      return code && /^[A-Z]{2}$/.test(code) ? code : null;
    },
  };
}
