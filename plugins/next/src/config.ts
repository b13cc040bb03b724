/**
 * `withCairn(nextConfig, { collector, site })`: writes Cairn's settings into `env` (inlined by Next
 * at build time) and routes the first-party paths to the app's proxy Route Handler.
 *
 * No import from `next`: the shapes it touches are spelled out below, so this file also loads
 * where Next is not installed (the package's own tests).
 */

export interface CairnOptions {
  /** The collector's URL, e.g. `https://stats.example.com`. */
  collector: string;
  /** The site id, from the collector (`cairn site add`). */
  site: string;
  /**
   * The first-party path prefix the browser uses: `/_c` serves `/_c/script.js` and `/_c/event`.
   * Pick a neutral one: blocklists match words like "analytics" or "track". `false` sends events
   * straight to the collector (no proxy).
   */
  path?: string | false;
  /** Where the app's proxy Route Handler lives (`app/api/cairn/[file]/route.ts` by default). */
  handler?: string;
}

interface Rewrite {
  source: string;
  destination: string;
}
type Rewrites = Rewrite[] | { beforeFiles?: Rewrite[]; afterFiles?: Rewrite[]; fallback?: Rewrite[] };

/** The parts of a Next config withCairn() reads or extends. */
export interface NextConfigLike {
  env?: Record<string, string | undefined>;
  basePath?: string;
  i18n?: unknown;
  transpilePackages?: string[];
  rewrites?: () => Rewrites | Promise<Rewrites>;
}
/** `next.config` as a function of the build phase. */
export type NextConfigFunction<C> = (phase: string, context: { defaultConfig: NextConfigLike }) => C | Promise<C>;
/** What withCairn() sets on the config it returns. */
export interface CairnConfig {
  env: Record<string, string | undefined>;
  transpilePackages: string[];
}

const SEGMENTS = /^(\/[A-Za-z0-9._~-]+)+$/;
/** Words that common blocklists match in URLs: a proxy path with one of them gains nothing. */
const BLOCKED = /analytic|track|cairn|stat|collect|beacon|pixel|telemetry|metric/i;
function fail(message: string): never {
  throw new Error(`[@cairn/next] withCairn(): ${message}`);
}

/** The options, checked: the first mistake throws a `[@cairn/next]` error that says what to write. */
export function checkOptions(options: CairnOptions): Required<CairnOptions> {
  if (!options || typeof options !== 'object') fail('pass the options as the second argument: withCairn(nextConfig, { collector, site }).');
  const { collector, site, path = '/_c', handler = '/api/cairn' } = options;
  let url: URL | undefined;
  try {
    url = new URL(collector);
  } catch {
    // reported below
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash) fail(`"collector" must be the collector's absolute http(s) URL, such as "https://stats.example.com" (got ${JSON.stringify(collector)}).`);
  if (typeof site !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(site)) fail(`"site" must be the site id from the collector: 1–64 letters, digits, "-" or "_" (got ${JSON.stringify(site)}).`);
  if (path !== false) {
    if (typeof path !== 'string' || !SEGMENTS.test(path)) fail(`"path" must be a path such as "/_c", without a trailing slash, or false (got ${JSON.stringify(path)}).`);
    if (BLOCKED.test(path)) fail(`"path" ${JSON.stringify(path)} contains a word that ad blockers match; pick a neutral one such as "/_c".`);
  }
  if (typeof handler !== 'string' || !SEGMENTS.test(handler)) fail(`"handler" must be the path of the proxy Route Handler, such as "/api/cairn" (got ${JSON.stringify(handler)}).`);
  if (handler === path) fail(`"handler" and "path" must differ: the path is rewritten to the handler.`);
  return { collector: collector.replace(/\/+$/, ''), site, path, handler };
}

/** Adds Cairn to a Next config (an object, or a function of the phase). */
export function withCairn<C extends NextConfigLike>(nextConfig: C, options: CairnOptions): C & CairnConfig;
export function withCairn<C extends NextConfigLike>(nextConfig: NextConfigFunction<C>, options: CairnOptions): NextConfigFunction<C & CairnConfig>;
export function withCairn<C extends NextConfigLike>(nextConfig: C | NextConfigFunction<C>, options: CairnOptions): (C & CairnConfig) | NextConfigFunction<C & CairnConfig> {
  const opts = checkOptions(options);
  if (typeof nextConfig === 'function') return async (phase, context) => extend(await nextConfig(phase, context), opts);
  if (!nextConfig || typeof nextConfig !== 'object') fail('the first argument must be your Next config object (or function).');
  return extend(nextConfig, opts);
}

function extend<C extends NextConfigLike>(config: C, { collector, site, path, handler }: Required<CairnOptions>): C & CairnConfig {
  const basePath = config.basePath ?? '';
  const env = {
    ...config.env,
    NEXT_PUBLIC_CAIRN_SITE: site,
    NEXT_PUBLIC_CAIRN_COLLECTOR: collector,
    NEXT_PUBLIC_CAIRN_API: path === false ? `${collector}/api/event` : `${basePath}${path}/event`,
  };
  // Bundled everywhere, never loaded from node_modules at run time: Next inlines `env` only in
  // what it bundles, and the Pages Router's server bundles leave packages out by default.
  const transpilePackages = [...new Set([...(config.transpilePackages ?? []), '@cairn/next'])];
  if (path === false) return { ...config, env, transpilePackages };
  // No `locale: false`: with i18n, Next 16 then never matched the rewrite (404, App Router and API
  // route alike). Without it, the unprefixed path the browser uses matches as the default locale.
  const ours: Rewrite[] = [{ source: `${path}/:file(script\\.js|event)`, destination: `${handler}/:file` }];
  const theirs = config.rewrites;
  const rewrites = async (): Promise<Rewrites> => {
    const existing = (await theirs?.()) ?? [];
    if (Array.isArray(existing)) return { beforeFiles: ours, afterFiles: existing, fallback: [] };
    return { ...existing, beforeFiles: [...ours, ...(existing.beforeFiles ?? [])] };
  };
  return { ...config, env, transpilePackages, rewrites };
}
