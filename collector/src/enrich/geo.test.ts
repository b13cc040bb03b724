import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { openGeoLookup, unicastV4, type GeoLookup } from './geo.ts';

let geo: GeoLookup;
beforeAll(async () => {
  geo = await openGeoLookup();
});

describe('openGeoLookup (shipped database)', () => {
  it.each([
    ['8.8.8.8', 'US'],
    ['81.2.69.160', 'GB'],
    ['193.0.6.139', 'NL'],
    ['133.242.0.3', 'JP'],
    ['2001:4860:4860::8888', 'US'],
    ['2001:67c:2e8:22::c100:68b', 'NL'],
  ])('places %s in %s', (ip, country) => {
    expect(geo.country(ip)).toBe(country);
  });

  it('reads IPv4-mapped IPv6 addresses as IPv4', () => {
    expect(geo.country('::ffff:81.2.69.160')).toBe('GB');
    expect(geo.country('::ffff:127.0.0.1')).toBeNull();
  });

  it.each(['127.0.0.1', '10.0.0.1', '100.64.0.1', '169.254.1.1', '0.0.0.0', '::1', 'fe80::1', 'fd12:3456::1'])(
    'has no country for the private or loopback address %s',
    (ip) => {
      expect(geo.country(ip)).toBeNull();
    },
  );

  // The shipped database maps 192.168.0.0/16 and 172.16.0.0/12 (Docker's bridge network too) to AU.
  it.each(['192.168.1.1', '172.17.0.1', '::ffff:192.168.1.1'])('has no country for the private address %s', (ip) => {
    expect(geo.country(ip)).toBeNull();
  });

  it.each(['', 'not-an-ip', '999.1.1.1', '1.2.3', '8.8.8.8:443', '[::1]', ' 81.2.69.160', '::ffff:'])(
    'has no country for the malformed address %j',
    (ip) => {
      expect(geo.country(ip)).toBeNull();
    },
  );

  it('names the file it cannot open', async () => {
    await expect(openGeoLookup('/nonexistent/country.mmdb')).rejects.toThrow(
      /^cannot open the country database \/nonexistent\/country\.mmdb: ENOENT/,
    );
  });

  it('rejects a file that is not a database', async () => {
    await expect(openGeoLookup(new URL('../../../package.json', import.meta.url).pathname)).rejects.toThrow(
      /cannot open the country database .*package\.json/,
    );
  });
});

describe('unicastV4', () => {
  const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  const ipaddrSays = (ip: string) => ipaddr.IPv4.parse(ip).range() === 'unicast';

  it("agrees with ipaddr.js's ranges on every range's first and last address and their neighbours", () => {
    // ipaddr.js's own table (not in its type definitions): a new range in an update fails here.
    const special = (ipaddr.IPv4.prototype as unknown as { SpecialRanges: Record<string, [ipaddr.IPv4, number][]> }).SpecialRanges;
    const edges = Object.values(special).flatMap((ranges) =>
      ranges.flatMap(([addr, bits]) => {
        const first = addr.toByteArray().reduce((n, b) => n * 256 + b, 0);
        const last = first + 2 ** (32 - bits) - 1;
        return [first - 1, first, last, last + 1].filter((n) => n >= 0 && n < 2 ** 32);
      }),
    );
    expect(edges.length).toBeGreaterThan(40);
    for (const n of edges) expect(unicastV4(dotted(n)), dotted(n)).toBe(ipaddrSays(dotted(n)));
  });

  it('agrees with ipaddr.js on random addresses', () => {
    fc.assert(fc.property(fc.nat({ max: 2 ** 32 - 1 }), (n) => unicastV4(dotted(n)) === ipaddrSays(dotted(n))), { numRuns: 20_000 });
  });
});
