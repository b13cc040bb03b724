/**
 * What a developer sees before anything runs: withCairn() refuses bad options with a
 * `[@cairn/next]` message that says what to write, and merges into every shape of `rewrites`;
 * route patterns from App Router params; server-side track() and viewToken() refuse misuse.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withCairn, type CairnOptions, type NextConfigLike } from '../src/config.ts';
import { routePattern } from '../src/route-pattern.ts';
import { track, viewToken } from '../src/server.ts';

const good: CairnOptions = { collector: 'https://stats.example.com/', site: 'abc_123' };
const rewritesOf = async (config: NextConfigLike) => config.rewrites!();

describe('withCairn()', () => {
  it.each([
    [{ ...good, collector: '' }, /"collector" must be the collector's absolute http\(s\) URL/],
    [{ ...good, collector: 'stats.example.com' }, /"collector" must be/],
    [{ ...good, collector: 'ftp://stats.example.com' }, /"collector" must be/],
    [{ ...good, collector: 'https://stats.example.com/?x=1' }, /"collector" must be/],
    [{ ...good, site: '' }, /"site" must be the site id/],
    [{ ...good, site: 'a b' }, /"site" must be the site id/],
    [{ ...good, path: 'c' }, /"path" must be a path such as "\/_c"/],
    [{ ...good, path: '/c/' }, /"path" must be a path/],
    [{ ...good, path: '/analytics' }, /contains a word that ad blockers match/],
    [{ ...good, path: '/_t/track' }, /contains a word that ad blockers match/],
    [{ ...good, handler: 'api' }, /"handler" must be the path of the proxy Route Handler/],
    [{ ...good, path: '/api/x', handler: '/api/x' }, /"handler" and "path" must differ/],
  ])('refuses %j', (options, message) => {
    expect(() => withCairn({}, options as CairnOptions)).toThrow(message);
    expect(() => withCairn({}, options as CairnOptions)).toThrow(/^\[@cairn\/next\] withCairn\(\): /);
  });

  it('refuses a missing options object and a config that is not one', () => {
    expect(() => withCairn({}, undefined as unknown as CairnOptions)).toThrow('[@cairn/next] withCairn(): pass the options as the second argument');
    expect(() => withCairn(null as unknown as NextConfigLike, good)).toThrow('[@cairn/next] withCairn(): the first argument must be your Next config');
  });

  it('writes the settings into env, keeps the user’s, and bundles the package', () => {
    const config = withCairn({ env: { MINE: '1' }, transpilePackages: ['ui'] }, good);
    expect(config.env).toEqual({ MINE: '1', NEXT_PUBLIC_CAIRN_SITE: 'abc_123', NEXT_PUBLIC_CAIRN_COLLECTOR: 'https://stats.example.com', NEXT_PUBLIC_CAIRN_API: '/_c/event' });
    expect(config.transpilePackages).toEqual(['ui', '@cairn/next']);
    expect(withCairn({ basePath: '/docs' }, { ...good, path: '/_x' }).env?.NEXT_PUBLIC_CAIRN_API).toBe('/docs/_x/event');
    const direct = withCairn({}, { ...good, path: false });
    expect(direct.env?.NEXT_PUBLIC_CAIRN_API).toBe('https://stats.example.com/api/event');
    expect((direct as NextConfigLike).rewrites).toBeUndefined();
  });

  it('adds its rewrite before the app’s files, whatever shape the app’s rewrites have', async () => {
    const ours = { source: '/_c/:file(script\\.js|event)', destination: '/api/cairn/:file' };
    const theirs = { source: '/a', destination: '/b' };
    expect(await rewritesOf(withCairn({}, good))).toEqual({ beforeFiles: [ours], afterFiles: [], fallback: [] });
    expect(await rewritesOf(withCairn({ rewrites: async () => [theirs] }, good))).toEqual({ beforeFiles: [ours], afterFiles: [theirs], fallback: [] });
    expect(await rewritesOf(withCairn({ rewrites: () => ({ beforeFiles: [theirs], fallback: [theirs] }) }, good))).toEqual({ beforeFiles: [ours, theirs], fallback: [theirs] });
    expect(await rewritesOf(withCairn({}, { ...good, path: '/_z', handler: '/api/z' }))).toMatchObject({ beforeFiles: [{ source: '/_z/:file(script\\.js|event)', destination: '/api/z/:file' }] });
  });

  it('wraps a config function, and checks the options before it runs', async () => {
    const wrapped = withCairn(async (phase: string) => ({ env: { PHASE: phase } }), good);
    const config = await wrapped('phase-production-build', { defaultConfig: {} });
    expect(config.env).toMatchObject({ PHASE: 'phase-production-build', NEXT_PUBLIC_CAIRN_SITE: 'abc_123' });
    expect(() => withCairn(() => ({}), { ...good, site: '' })).toThrow('[@cairn/next]');
  });
});

describe('routePattern()', () => {
  it.each([
    ['/', {}, '/'],
    ['/blog/hello', { slug: 'hello' }, '/blog/[slug]'],
    ['/blog/blog', { slug: 'blog' }, '/blog/[slug]'],
    ['/shop/x/x', { a: 'x', b: 'x' }, '/shop/[a]/[b]'],
    ['/docs/a/b/c', { parts: ['a', 'b', 'c'] }, '/docs/[...parts]'],
    ['/fr/docs/a/b', { lang: 'fr', parts: ['a', 'b'] }, '/[lang]/docs/[...parts]'],
    ['/docs', { parts: undefined }, '/docs'],
    ['/caf%C3%A9/1', { name: 'café', id: '1' }, '/[name]/[id]'],
  ])('%s with %j is %s', (path, params, pattern) => {
    expect(routePattern(path, params)).toBe(pattern);
  });
});

describe('server-side track() and viewToken()', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  const request = new Request('https://shop.example/api/buy', { headers: { 'user-agent': 'UA', 'x-forwarded-for': '203.0.113.9' } });

  it('refuses misuse with [@cairn/next] messages', async () => {
    vi.stubEnv('NEXT_PUBLIC_CAIRN_SITE', 'abc');
    vi.stubEnv('NEXT_PUBLIC_CAIRN_COLLECTOR', 'https://stats.example.com');
    await expect(track('', {}, { request })).rejects.toThrow('[@cairn/next] track(): the event name must be 1–120 characters');
    await expect(track('buy', [] as unknown as Record<string, string>, { request })).rejects.toThrow('[@cairn/next] track(): props must be a flat object');
    await expect(track('buy', {})).rejects.toThrow('[@cairn/next] track(): pass { request }');
    await expect(track('buy', {}, { request, id: 'x'.repeat(65) })).rejects.toThrow('[@cairn/next] track(): the id is at most 64 characters');
    vi.stubEnv('NEXT_PUBLIC_CAIRN_SITE', '');
    await expect(track('buy', {}, { request })).rejects.toThrow('[@cairn/next] track(): no site id');
  });

  it('says so when the collector is unreachable, without throwing into the action', async () => {
    vi.stubEnv('NEXT_PUBLIC_CAIRN_SITE', 'abc');
    vi.stubEnv('NEXT_PUBLIC_CAIRN_COLLECTOR', 'http://127.0.0.1:9');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const result = await track('buy', { plan: 'pro' }, { request, id: 'order-1' });
    expect(result).toEqual({ id: 'order-1', status: 0 });
    expect(warn.mock.calls[0]?.[0]).toMatch(/^\[@cairn\/next\] track\(\): gave up after \d+ attempts: the collector at http:\/\/127\.0\.0\.1:9 could not be reached/);
    warn.mockRestore();
  });

  it('refuses to mint a view token without CAIRN_SITE_KEY', async () => {
    vi.stubEnv('CAIRN_SITE_KEY', '');
    await expect(viewToken()).rejects.toThrow('[@cairn/next] viewToken(): CAIRN_SITE_KEY is not set');
  });
});
