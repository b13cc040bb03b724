import { beforeAll, describe, expect, it } from 'vitest';
import { openGeoLookup, type GeoLookup } from './geo.ts';

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
