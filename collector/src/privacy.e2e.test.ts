/**
 * The privacy core (ARCHITECTURE.md §3): after ingesting events — good ones, bad ones, bots —
 * from known addresses and user agents, neither appears anywhere in the data directory or in the
 * logs, in any common notation.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readTree, startHarness, type Harness } from './testing/harness.ts';

const IPV4 = '203.0.113.77';
const IPV6 = '2001:db8:85a3::8a2e:370:7334';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 CairnPrivacyProbe/7.3';
const MARKER = 'CairnPrivacyProbe';

/** The forms an address takes in text: as sent, IPv4-mapped, hex, full IPv6, reversed for DNS. */
function notations(): string[] {
  const v4 = IPV4.split('.').map(Number);
  const hex = v4.map((b) => b.toString(16).padStart(2, '0')).join('');
  return [
    IPV4,
    `::ffff:${IPV4}`,
    `::ffff:${hex.slice(0, 4)}:${hex.slice(4)}`,
    hex,
    String(v4.reduce((n, b) => n * 256 + b, 0)),
    [...v4].reverse().join('.'),
    IPV6,
    '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
    '20010db885a3000000008a2e03707334',
    UA,
    MARKER,
  ];
}

let h: Harness;
beforeAll(async () => {
  // Debug logging: the most a misconfigured server would ever write.
  h = await startHarness({ config: { logLevel: 'trace', rateLimitIp: 4 } });
});
afterAll(() => h.stop());

it('writes no IP address or user agent to the data directory or the logs', async () => {
  const page = (extra: Record<string, unknown> = {}) => ({ s: h.siteId, n: 'pageview', u: 'https://example.com/', ...extra });
  for (const ip of [IPV4, IPV6, `${IPV4}, 10.0.0.1`]) {
    const headers = { 'x-forwarded-for': ip, 'user-agent': UA };
    expect((await h.post(page({ r: `https://ref.example.net/?ip=${encodeURIComponent(IPV4)}` }), headers)).status).toBe(202);
    expect((await h.post([page({ n: 'signup' }), page({ n: 'engagement', d: 1000 })], headers)).status).toBe(202);
    // Rejected and dropped requests take other code paths (errors, rate limits, bots).
    await h.post('{not json', headers);
    await h.post(page({ s: 'nosuchsite' }), headers);
    await h.post(page(), { ...headers, 'user-agent': `Googlebot/2.1 ${MARKER}` });
    for (let i = 0; i < 5; i++) await h.post(page(), headers);
  }
  const events = await h.stored();
  expect(events.length).toBeGreaterThanOrEqual(9);
  // The enrichment did happen: the address became a country and the agent a browser.
  expect(events.some((e) => e.browser === 'Chrome' && e.os === 'Linux')).toBe(true);
  await h.collector.runMaintenance();
  await h.collector.close();

  const files = await readTree(h.dataDir);
  expect(files.length).toBeGreaterThan(0);
  const logs = h.logs.join('');
  expect(logs.length).toBeGreaterThan(0);
  const leaks: string[] = [];
  for (const needle of notations()) {
    for (const { path, bytes } of files) {
      if (bytes.includes(Buffer.from(needle, 'utf8')) || bytes.includes(Buffer.from(needle, 'utf16le'))) leaks.push(`${needle} in ${path}`);
    }
    if (logs.includes(needle)) leaks.push(`${needle} in the logs`);
  }
  // The raw 16 bytes of the IPv6 address (4-byte IPv4 patterns occur by chance in binary files).
  const raw6 = Buffer.from('20010db885a3000000008a2e03707334', 'hex');
  for (const { path, bytes } of files) if (bytes.includes(raw6)) leaks.push(`raw IPv6 bytes in ${path}`);
  expect(leaks).toEqual([]);
  // Restart for afterAll's stop().
  await h.restart();
});
