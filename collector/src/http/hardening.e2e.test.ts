/**
 * HTTP hardening against a real collector: security headers (strict CSP, no sniffing, no
 * framing), a body limit on every route of the table, no stack traces in answers, and
 * X-Forwarded-For believed only from trusted proxies.
 */
import { newIntegrationKey } from '../sites/integration-keys.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../accounts/users.ts';
import { logIn, type DashboardClient } from '../testing/dashboard-client.ts';
import { startHarness, type Harness } from '../testing/harness.ts';

let h: Harness;
let owner: DashboardClient;
beforeAll(async () => {
  h = await startHarness();
  await addUser(h.collector.store, { email: 'owner@example.com', role: 'owner', password: 'owner password 1' }, Date.now());
  owner = await logIn(h, 'owner@example.com', 'owner password 1');
});
afterAll(() => h.stop());

/** Bytes a size such as "16kb" stands for. */
const bytes = (size: string) => Number(/^(\d+)kb$/.exec(size)![1]) * 1024;

describe('security headers', () => {
  it('put a strict Content-Security-Policy and no-sniff on every answer but the tracker', async () => {
    for (const path of ['/api/auth/me', '/api/sites', '/nowhere', '/healthz', `/api/stats/${h.siteId}/summary`]) {
      const res = await fetch(`${h.collector.url}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("object-src 'none'");
      expect(/script-src[^;]*unsafe-/.test(csp), path).toBe(false);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-powered-by'), path).toBeNull();
    }
    // Widgets read stats from other origins; other answers stay same-origin.
    expect((await fetch(`${h.collector.url}/api/stats/${h.siteId}/summary`)).headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect((await fetch(`${h.collector.url}/api/sites`)).headers.get('cross-origin-resource-policy')).toBe('same-origin');
    // Any site loads the tracker.
    const t = await fetch(`${h.collector.url}/t.js`);
    expect(t.status).toBe(200);
    expect(t.headers.get('cross-origin-resource-policy')).not.toBe('same-origin');
  });
});

describe('request bodies', () => {
  it('are limited on every route of the table, to at most 16 KB', async () => {
    const failures: string[] = [];
    // The integration key that created the site, for the routes only it may call.
    const integration = newIntegrationKey('hardening', Date.now());
    await h.collector.store.keys.create(integration.key);
    await h.collector.sites.update(h.siteId, { integration: integration.key.id });
    for (const route of h.collector.routes) {
      const limit = bytes(route.body ?? '1kb');
      if (limit > 16 * 1024) failures.push(`${route.method} ${route.path} reads up to ${route.body}`);
      if (route.method === 'get') continue;
      const path = route.path.replace(/:site/, h.siteId).replace(/:(\w+)/g, 'x');
      // Whoever may call the route: a body is read only once the caller is let in.
      const bearer = route.access.kind === 'site-key' ? h.siteKey : route.access.kind === 'integration' ? integration.secret : null;
      const headers: Record<string, string> = bearer ? { authorization: `Bearer ${bearer}` } : {};
      const res = await owner.call(route.method.toUpperCase(), path, { pad: 'x'.repeat(limit + 1) }, headers);
      if (res.status !== 413) failures.push(`${route.method} ${route.path}: ${res.status} for ${limit + 1} bytes`);
    }
    expect(failures).toEqual([]);
  });
});

describe('errors', () => {
  it('never carry a stack trace or a file path', async () => {
    const answers = [
      await fetch(`${h.collector.url}/api/sites`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: owner.cookie, 'x-csrf-token': owner.csrf, origin: h.collector.url }, body: '{"domain": ' }),
      await fetch(`${h.collector.url}/api/stats/${h.siteId}/summary?filters=%5B`, { headers: { authorization: `Bearer ${h.siteKey}` } }),
      await fetch(`${h.collector.url}/api/stats/${h.siteId}/breakdown/%E0%A4%A`, { headers: { authorization: `Bearer ${h.siteKey}` } }),
    ];
    for (const res of answers) {
      const text = await res.text();
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(JSON.parse(text)).toHaveProperty('error.code');
      expect(text).not.toMatch(/\bat \w|node_modules|\/work\/|\.ts:\d/);
    }
  });
});

describe('X-Forwarded-For', () => {
  it('is ignored from a client that is not a trusted proxy: it cannot dodge the login limit', async () => {
    const direct = await startHarness({ config: { trustedProxies: [] } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) {
        const res = await fetch(`${direct.collector.url}/api/auth/login`, {
          method: 'POST',
          headers: { origin: direct.collector.url, 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i}` },
          body: JSON.stringify({ email: `nobody${i}@example.com`, password: 'not a password' }),
        });
        statuses.push(res.status);
      }
      // 20 attempts a minute per address (refilling as the minute goes): past them, refused,
      // whatever the header claimed. Believed, it would have made each attempt a new address.
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(20)).toContain(429);
    } finally {
      await direct.stop();
    }
  });
});
