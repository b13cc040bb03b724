/** loadConfig: defaults, flags over environment variables, and every bad value reported at once. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

let dir: string;
let geoFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-config-'));
  geoFile = join(dir, 'geo.mmdb');
  await writeFile(geoFile, '');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The problems loadConfig reports; fails the test when it accepts the values. */
function problemsOf(flags: Record<string, string>, env: Record<string, string> = {}): string[] {
  try {
    loadConfig(flags, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('loadConfig accepted the values');
}

describe('valid configuration', () => {
  it('has defaults that run a collector in ./data on port 8800', () => {
    expect(loadConfig({}, {})).toMatchObject({
      dataDir: resolve('data'),
      port: 8800,
      host: '0.0.0.0',
      publicUrl: 'http://localhost:8800',
      trustedProxies: [],
      rateLimitIp: 600,
      rateLimitSite: 120_000,
      logLevel: 'info',
      store: 'duckdb',
    });
  });

  it.each([
    { case: 'an env var', flags: {}, env: { CAIRN_PORT: '9000' }, expected: { port: 9000, publicUrl: 'http://localhost:9000' } },
    { case: 'a flag over its env var', flags: { port: '7000' }, env: { CAIRN_PORT: '9000' }, expected: { port: 7000 } },
    { case: 'an empty env var as unset', flags: {}, env: { CAIRN_PORT: '' }, expected: { port: 8800 } },
    { case: 'a relative data dir', flags: { 'data-dir': 'x/../stats' }, env: { CAIRN_DATA_DIR: '/ignored' }, expected: { dataDir: resolve('stats') } },
    { case: 'a public URL without its trailing slash', flags: {}, env: { CAIRN_PUBLIC_URL: 'https://stats.example.com/' }, expected: { publicUrl: 'https://stats.example.com' } },
    { case: 'a list of trusted proxies', flags: {}, env: { CAIRN_TRUSTED_PROXIES: 'loopback, 10.0.0.0/8,' }, expected: { trustedProxies: ['loopback', '10.0.0.0/8'] } },
    { case: 'a log level in capitals', flags: { 'log-level': 'DEBUG' }, env: {}, expected: { logLevel: 'debug' } },
    { case: 'a rate limit of 0 (off)', flags: {}, env: { CAIRN_RATE_LIMIT_IP: '0' }, expected: { rateLimitIp: 0 } },
    { case: 'no memory limit or threads: 512MB, one thread per core', flags: {}, env: {}, expected: { memoryLimit: '512MB', threads: 0 } },
    { case: 'a memory limit in any case of unit', flags: {}, env: { CAIRN_MEMORY_LIMIT: '2gib' }, expected: { memoryLimit: '2GiB' } },
    { case: 'a memory limit and threads as flags', flags: { 'memory-limit': '1.5GB', threads: '2' }, env: {}, expected: { memoryLimit: '1.5GB', threads: 2 } },
  ])('reads $case', ({ flags, env, expected }) => {
    expect(loadConfig(flags, env)).toMatchObject(expected);
  });

  it('reads a GeoIP file given by a relative path as its absolute path', () => {
    expect(loadConfig({}, { CAIRN_GEOIP_DB: relative(process.cwd(), geoFile) }).geoDb).toBe(geoFile);
  });
});

describe('invalid configuration', () => {
  it.each([
    ['CAIRN_PORT', '65536', 'must be a whole number from 0 to 65535'],
    ['CAIRN_PORT', '80.5', 'must be a whole number from 0 to 65535'],
    ['CAIRN_COMMIT_MAX_ROWS', '0', 'must be a whole number from 1 to 100000'],
    ['CAIRN_PUBLIC_URL', 'ftp://stats.example.com', 'must be the http(s) URL where browsers reach this collector, without query or fragment, e.g. https://stats.example.com'],
    ['CAIRN_PUBLIC_URL', 'stats.example.com', 'must be the http(s) URL where browsers reach this collector, without query or fragment, e.g. https://stats.example.com'],
    [
      'CAIRN_TRUSTED_PROXIES',
      'loopback,not-an-ip',
      'must be addresses, CIDR ranges or loopback/linklocal/uniquelocal: invalid IP address: not-an-ip',
    ],
    ['CAIRN_GEOIP_DB', '/nowhere/geo.mmdb', 'no such file: /nowhere/geo.mmdb'],
    ['CAIRN_LOG_LEVEL', 'verbose', 'must be one of fatal, error, warn, info, debug, trace, silent'],
    ['CAIRN_STORE', 'mongodb://', 'must be "duckdb" (the embedded store) or a MongoDB connection string (mongodb://host/db or mongodb+srv://…)'],
    ['CAIRN_STORE', 'postgres://db', 'must be "duckdb" (the embedded store) or a MongoDB connection string (mongodb://host/db or mongodb+srv://…)'],
  ])('reports %s=%s', (name, value, accepted) => {
    expect(problemsOf({}, { [name]: value })).toEqual([`${name}="${value}": ${accepted}`]);
  });

  it('takes a MongoDB connection string for the store', () => {
    expect(loadConfig({}, { CAIRN_STORE: 'mongodb://a.example.com:27017,b.example.com/cairn?replicaSet=rs0' }).store).toBe('mongodb://a.example.com:27017,b.example.com/cairn?replicaSet=rs0');
    expect(loadConfig({ store: 'mongodb+srv://cluster0.example.net/cairn' }, {}).store).toBe('mongodb+srv://cluster0.example.net/cairn');
  });

  it('checks the SMTP URL and sender without ever repeating the SMTP password', () => {
    const [problem] = problemsOf({}, { CAIRN_SMTP_URL: 'smtp://mailer:s3cret-pass@mail.example.com/path' });
    expect(problem).toMatch(/^CAIRN_SMTP_URL="smtp:\/\/…@mail\.example\.com\/path": takes no path/);
    expect(problem).not.toContain('s3cret-pass');
    expect(problemsOf({}, { CAIRN_MAIL_FROM: 'not an address' })[0]).toMatch(/^CAIRN_MAIL_FROM="not an address": must be one email address/);
    const ok = loadConfig({}, { CAIRN_SMTP_URL: 'smtps://u:p@mail.example.com', CAIRN_PUBLIC_URL: 'https://stats.example.com' });
    expect([ok.smtpUrl, ok.mailFrom]).toEqual(['smtps://u:p@mail.example.com', 'Cairn <cairn@stats.example.com>']);
  });

  it('refuses a memory limit that is not a size, or too small to run', () => {
    expect(problemsOf({}, { CAIRN_MEMORY_LIMIT: 'lots' })).toEqual(['CAIRN_MEMORY_LIMIT="lots": must be a size of at least 64MB, e.g. 512MB or 2GB']);
    expect(problemsOf({}, { CAIRN_MEMORY_LIMIT: '10MB' })).toEqual(['CAIRN_MEMORY_LIMIT="10MB": must be a size of at least 64MB, e.g. 512MB or 2GB']);
    expect(problemsOf({}, { CAIRN_THREADS: '-1' })).toEqual(['CAIRN_THREADS="-1": must be a whole number from 0 to 256']);
  });

  it('names the flag when the bad value came from a flag', () => {
    expect(problemsOf({ port: 'http' }, { CAIRN_PORT: '8800' })).toEqual(['--port="http": must be a whole number from 0 to 65535']);
  });

  it('reports every problem at once, one per line of the message', () => {
    let error: unknown;
    try {
      loadConfig({ 'log-level': 'loud' }, { CAIRN_PORT: 'abc', CAIRN_RATE_LIMIT_IP: '-1', CAIRN_STORE: 'sqlite:///tmp/x.db' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems.map((p) => p.split('=')[0]).sort()).toEqual(['--log-level', 'CAIRN_PORT', 'CAIRN_RATE_LIMIT_IP', 'CAIRN_STORE']);
    expect(message).toBe(`invalid configuration:\n  ${problems.join('\n  ')}`);
  });
});
