/** The options of `cairn()`, validated with zod so that a typo fails the build in plain words. */
import { z } from 'zod';

const FEATURES = ['spa', 'engagement', 'outbound', 'tel', 'mailto', 'download', 'form', 'cta'] as const;

const schema = z.strictObject({
  /** The site id, from the collector's site settings. */
  site: z.string({ error: 'site is required: the site id from the collector (Sites › your site)' }).trim().min(1, 'site is empty'),
  /** The collector's URL, e.g. https://stats.example.com (where t.js, /api/event and the stats API live). */
  api: z.url({ protocol: /^https?$/, error: 'api must be the collector’s http(s) URL, e.g. https://stats.example.com' }).transform((u) => u.replace(/\/+$/, '')),
  /** Report the route pattern (`/blog/[slug]`) as the pageview prop `route`. */
  route: z.boolean().default(true),
  /**
   * Send events through this site: `true`, or `{ path, rewrite }`. `path` is the neutral base
   * path (default `/_c`; events go to `{path}/event`). The integration serves it (an on-demand
   * endpoint, so an adapter is needed), unless `rewrite: true` says the host forwards it.
   */
  proxy: z
    .union(
      [
        z.boolean(),
        z.strictObject({
          path: z.string().regex(/^(\/[\w.~-]+)+$/, 'proxy.path must look like /_c or /a/b: a path without a trailing slash').default('/_c'),
          rewrite: z.boolean().default(false),
        }),
      ],
      { error: 'proxy is true, false or { path: "/_c", rewrite?: true }' },
    )
    .default(false),
  /** The dashboard app in the dev toolbar during `astro dev` (needs CAIRN_SITE_KEY). */
  devToolbar: z.boolean().default(true),
  // What follows is handed to @cairn/tracker's init() as it is.
  hash: z.boolean().optional(),
  exclude: z.array(z.string()).optional(),
  respectDnt: z.boolean().optional(),
  allowLocal: z.boolean().optional(),
  allowAutomation: z.boolean().optional(),
  debug: z.boolean().optional(),
  disable: z.array(z.enum(FEATURES, { error: (i) => `disable: ${JSON.stringify(i.input)} is not one of ${FEATURES.join(', ')}` })).optional(),
  downloads: z.array(z.string()).optional(),
  vitals: z.boolean().optional(),
});

/** What `cairn()` accepts. */
export type CairnOptions = z.input<typeof schema>;
/** The options once defaults are applied. */
export type ResolvedOptions = z.output<typeof schema>;

/** Validates `input`; problems come back in one message, a clause per field. */
export function parseOptions(input: unknown): { ok: true; options: ResolvedOptions } | { ok: false; message: string } {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return { ok: true, options: parsed.data };
  const lines = parsed.error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') return `unknown option ${i.keys.join(', ')}`;
    const option = String(i.path[0] ?? '');
    return option && !i.message.startsWith(option) ? `${option}: ${i.message}` : i.message;
  });
  return { ok: false, message: `invalid options: ${lines.join('; ')}` };
}
