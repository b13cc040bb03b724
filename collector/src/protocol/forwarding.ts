/**
 * What a first-party proxy or a server-side SDK passes on to `POST /api/event` for the collector
 * to count a visitor right: the visitor's address in `X-Forwarded-For` (read from a trusted proxy
 * only: CAIRN_TRUSTED_PROXIES), the body's `Content-Type`, and these request headers, the only
 * others the collector reads (the visitor hash and browser from the user agent; automated
 * browsers from Sec-CH-UA; prefetches from Sec-Purpose and Purpose). `forwarding.json` holds the
 * same for code that cannot import TypeScript (the WordPress plugin); a test keeps them equal.
 */
export const FORWARDED_HEADERS = ['user-agent', 'sec-ch-ua', 'sec-purpose', 'purpose'] as const;

export type ForwardedHeader = (typeof FORWARDED_HEADERS)[number];
