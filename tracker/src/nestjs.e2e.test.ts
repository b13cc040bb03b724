/**
 * @cairn/tracker/nestjs in a real Nest application (tracker/fixtures/nest-app: Nest 12 from npm,
 * Express, compiled by its own TypeScript with decorators as Nest users write them, the packed
 * @cairn/tracker installed as a user installs it), served on an HTTP port and pointed at a real
 * collector; as ESM (what `nest new` makes) and as CommonJS (apps from before Nest 12, which
 * require() the package). The app sends nothing while it runs (flushMs: 10 minutes): every event
 * below was sent by app.close(), which SIGTERM runs.
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROME_UA, startHarness, type Harness } from '@cairn/collector/testing';
import { prepareFixture, REPO_ROOT } from '../../scripts/fixture-project.ts';
import { killOnExit } from '../../scripts/kill-on-exit.ts';
import { freePort } from '../../scripts/free-port.ts';

const run = promisify(execFile);

interface Answer {
  status: number;
  body: string;
}

/** A call to the app from `from` (a loopback address: another visitor's machine), as a browser on shop.example. */
function call(base: string, method: string, path: string, from: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      { method, localAddress: from, headers: { host: 'shop.example', 'user-agent': CHROME_UA, 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const SOURCE = 'tracker/fixtures/nest-app';

/** Installs the fixture as it is (ESM), or a copy whose package.json says CommonJS. */
function installFixture(variant: 'esm' | 'cjs'): Promise<string> {
  let source = SOURCE;
  if (variant === 'cjs') {
    source = '.cache/fixtures/nest-cjs-app.src';
    const dir = join(REPO_ROOT, source);
    rmSync(dir, { recursive: true, force: true });
    cpSync(join(REPO_ROOT, SOURCE), dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...manifest, type: 'commonjs' }, null, 2));
  }
  const name = variant === 'esm' ? 'nest-app' : 'nest-cjs-app';
  return prepareFixture({ name, source, workspaces: ['@cairn/tracker'], log: (line) => console.warn(`[${name} fixture] ${line}`) });
}

interface Run {
  /** What the app answered, by route. */
  answers: Record<string, Answer>;
  /** Events stored before the app was stopped. */
  storedWhileRunning: number;
  exit: { code: number | null; signal: string | null; output: string };
}

/** Builds and starts the app, calls its routes as two visitors (one behind a proxy), stops it with SIGTERM. */
async function runApp(variant: 'esm' | 'cjs', h: Harness): Promise<Run> {
  const dir = await installFixture(variant);
  await run(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir }).catch((err: { stdout?: string; message: string }) => {
    throw new Error(`the fixture's tsc failed:\n${err.stdout || err.message}`);
  });

  const port = await freePort();
  const env = { ...process.env, PORT: String(port), CAIRN_COLLECTOR: h.collector.url, CAIRN_SITE: h.siteId };
  const app = spawn(process.execPath, ['dist/main.js'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(app, 'the Nest fixture app');
  let output = '';
  app.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  app.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(app, 'exit');
  let answers: Record<string, Answer>;
  let storedWhileRunning: number;
  try {
    await Promise.race([
      new Promise<void>((resolve) => app.stdout.on('data', () => output.includes('listening on') && resolve())),
      exited.then(() => Promise.reject(new Error(`the Nest app exited before listening:\n${output}`))),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`the Nest app did not listen within 30 s:\n${output}`)), 30_000).unref()),
    ]);
    const base = `http://127.0.0.1:${port}`;
    const visitor = '127.0.0.21';
    answers = {
      pricing: await call(base, 'GET', '/shop/pricing', visitor),
      signup: await call(base, 'POST', '/shop/signup?via=newsletter', visitor, { plan: 'pro' }),
      checkout: await call(base, 'POST', '/shop/checkout', visitor, {}),
      loginFailed: await call(base, 'POST', '/shop/login', visitor, { password: 'wrong' }),
      login: await call(base, 'POST', '/shop/login', visitor, { password: 'secret' }),
      newsletter: await call(base, 'POST', '/shop/newsletter', visitor, {}),
      invites: await call(base, 'POST', '/shop/invites', visitor, { emails: ['a@example.com', 'b@example.com'] }),
      // Through a proxy on this host: the app trusts loopback (Express's `trust proxy`).
      proxied: await call(base, 'GET', '/shop/pricing', '127.0.0.22', undefined, { 'x-forwarded-for': '203.0.113.9' }),
    };
    storedWhileRunning = (await h.stored()).length;
  } catch (err) {
    app.kill('SIGKILL');
    throw err;
  }
  app.kill('SIGTERM');
  const [code, signal] = (await exited) as [number | null, string | null];

  // The browser's own events, straight to the collector, from the same visitors.
  for (const [name, address] of [['browser-21', '127.0.0.21'], ['browser-proxied', '203.0.113.9']] as const) {
    expect((await h.post({ s: h.siteId, n: name, u: 'https://shop.example/' }, { 'x-forwarded-for': address })).status).toBe(202);
  }
  return { answers, storedWhileRunning, exit: { code, signal, output } };
}

const propsOf = (e: { props: string | null }) => JSON.parse(e.props ?? '{}') as Record<string, unknown>;

for (const variant of ['esm', 'cjs'] as const) {
  describe(`@cairn/tracker/nestjs in a Nest 12 app (${variant === 'esm' ? 'ESM' : 'CommonJS'})`, () => {
    let h: Harness;
    let r: Run;
    // The first run installs Nest from npm.
    beforeAll(async () => {
      h = await startHarness({ domain: 'shop.example' });
      r = await runApp(variant, h);
    }, 300_000);
    afterAll(() => h?.stop());
    const named = async (name: string) => (await h.stored()).filter((e) => e.name === name);
    const visitorOf = async (name: string) => (await named(name))[0]?.visitor;

    it('answers every route as it would without Cairn', () => {
      expect(Object.fromEntries(Object.entries(r.answers).map(([route, a]) => [route, a.status]))).toEqual({
        pricing: 200,
        signup: 201,
        checkout: 400,
        loginFailed: 401,
        login: 201,
        newsletter: 500,
        invites: 201,
        proxied: 200,
      });
      expect(JSON.parse(r.answers.signup!.body)).toEqual({ id: 1, plan: 'pro' });
    });

    it('stores a decorated route’s call with its name, props and the caller’s visitor hash', async () => {
      const [signup] = await named('signup');
      expect(signup).toMatchObject({ hostname: 'shop.example', pathname: '/shop/signup' });
      // A function of the handler's result and the request.
      expect(propsOf(signup!)).toEqual({ plan: 'pro', via: 'newsletter' });
      expect(signup!.visitor).toBe(await visitorOf('browser-21'));
      const pricing = (await named('pricing-viewed')).find((e) => e.visitor === signup!.visitor);
      expect(propsOf(pricing!)).toEqual({ source: 'api' });
    });

    it('stores nothing for a route that throws, unless its @Track says onError', async () => {
      expect(await named('checkout')).toEqual([]);
      // onError: a function of the error; onError: true, the static props.
      const logins = (await named('login')).map(propsOf);
      expect(logins).toHaveLength(2);
      expect(logins).toEqual(expect.arrayContaining([{ method: 'password' }, { failed: 401 }]));
      expect((await named('newsletter')).map(propsOf)).toEqual([{ list: 'weekly' }]);
    });

    it('lets a service track with the injected client', async () => {
      const [invites] = await named('invites-sent');
      expect(propsOf(invites!)).toEqual({ count: 2 });
      expect(invites!.visitor).toBe(await visitorOf('browser-21'));
    });

    it('counts the visitor Express names behind a trusted proxy (req.ip)', async () => {
      const visitors = (await named('pricing-viewed')).map((e) => e.visitor);
      expect(visitors.sort()).toEqual([await visitorOf('browser-21'), await visitorOf('browser-proxied')].sort());
    });

    it('sends nothing while the app runs, and everything on app.close() (SIGTERM)', async () => {
      expect(r.storedWhileRunning).toBe(0);
      // Nest ends the process with the signal once its shutdown hooks ran.
      expect({ code: r.exit.code, signal: r.exit.signal }, r.exit.output).toEqual({ code: null, signal: 'SIGTERM' });
      expect(r.exit.output).not.toMatch(/not tracked/);
      const names = (await h.stored()).map((e) => e.name).filter((n) => !n.startsWith('browser-'));
      expect(names.sort()).toEqual(['invites-sent', 'login', 'login', 'newsletter', 'pricing-viewed', 'pricing-viewed', 'signup']);
    });
  });
}
