/**
 * The settings withCairn() writes into next.config's `env`. Each is read as a literal
 * `process.env.NAME`, never `process.env[name]`: Next replaces only literal reads at build time,
 * in the browser bundle and on the server alike.
 */
export interface Settings {
  site: string;
  /** The event endpoint the browser posts to (the first-party path, or the collector's). */
  api: string;
  /** The collector's URL, without a trailing slash. */
  collector: string;
}

export function settings(): Settings {
  return {
    site: process.env.NEXT_PUBLIC_CAIRN_SITE ?? '',
    api: process.env.NEXT_PUBLIC_CAIRN_API ?? '',
    collector: (process.env.NEXT_PUBLIC_CAIRN_COLLECTOR ?? '').replace(/\/+$/, ''),
  };
}

/** The collector's URL, or a `[@cairn/next]` error naming who needed it. */
export function collectorUrl(caller: string): string {
  const { collector } = settings();
  if (!collector) throw new Error(`[@cairn/next] ${caller}: no collector URL. Wrap next.config with withCairn(config, { collector, site }) from '@cairn/next/config'.`);
  return collector;
}
