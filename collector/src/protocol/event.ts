/**
 * The event wire format (ARCHITECTURE.md §2): the single source of truth. The tracker, the widgets
 * and the plugins import these types with `import type`; only the collector runs the schemas.
 */
import { z } from 'zod';
import { FORWARDED_HEADERS, type ForwardedHeader } from './forwarding.ts';

/** Size caps of the ingest endpoint, in bytes of UTF-8. */
export const LIMITS = {
  batchBytes: 65_536, // 64 KB, a literal: the plugins check their copies of it against this type
  eventBytes: 8 * 1024,
  propsBytes: 1024,
  urlBytes: 2048,
  batchEvents: 100,
  nameLength: 120,
  propKeyLength: 64,
  clientIdLength: 64,
  referrerLength: 8 * 1024,
  /** A visitor header a server passes on in an event (`v.h`). */
  headerLength: 1024,
} as const;

/** Keys that could reach an object's prototype if a consumer ever merged props into an object. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

// Control characters never belong in a name or a prop key; they break CSV exports and terminals.
export const PRINTABLE = /^[^\p{Cc}]+$/u;
export const SITE_ID = /^[A-Za-z0-9_-]{1,64}$/;
// The full parse happens once, at ingest; this rules out relative and non-http URLs early.
export const HTTP_URL = /^https?:\/\/[^\s/?#]+/i;
// A lone UTF-16 surrogate cannot be stored as text (JSON readers and databases refuse it).
const UNICODE = 'must be valid Unicode (no lone surrogates)';
const text = () => z.string().refine((s) => s.isWellFormed(), UNICODE);

// TextEncoder, not Buffer: this file is also type-checked for the browser (the tracker imports its types).
// A UTF-16 code unit is at most 3 bytes of UTF-8: short strings need no encoding to be measured.
const encoder = new TextEncoder();
export const fitsUtf8 = (s: string, limit: number) => s.length * 3 <= limit || encoder.encode(s).length <= limit;

const propValue = z.union([text(), z.number().finite(), z.boolean()], {
  error: 'must be a string, a finite number or a boolean (props are flat)',
});

const props = z
  .record(
    text()
      .min(1, 'prop keys must not be empty')
      .max(LIMITS.propKeyLength, `prop keys are at most ${LIMITS.propKeyLength} characters`)
      .regex(PRINTABLE, 'prop keys must not contain control characters')
      .refine((k) => !FORBIDDEN_KEYS.has(k), 'this prop key is reserved'),
    propValue,
  )
  .refine((p) => fitsUtf8(JSON.stringify(p), LIMITS.propsBytes), {
    message: `props are at most ${LIMITS.propsBytes} bytes serialized`,
    params: { status: 413 },
  });

const httpUrl = (what: string) =>
  z
    .string()
    .refine((u) => fitsUtf8(u, LIMITS.urlBytes), {
      message: `${what} is at most ${LIMITS.urlBytes} bytes`,
      params: { status: 413 },
      abort: true,
    })
    .regex(HTTP_URL, `${what} must be an absolute http(s) URL`);

const visitorHeader = (name: string) => text().max(LIMITS.headerLength, `${name} is at most ${LIMITS.headerLength} characters`).optional();

/** One event as the tracker or a server SDK sends it. Unknown fields are rejected, not ignored. */
export const wireEventSchema = z.strictObject({
  s: z.string().regex(SITE_ID, 'site id: 1–64 letters, digits, "-" or "_"'),
  n: text()
    .min(1, 'event name must not be empty')
    .max(LIMITS.nameLength, `event name is at most ${LIMITS.nameLength} characters`)
    .regex(PRINTABLE, 'event name must not contain control characters'),
  u: httpUrl('the page URL'),
  // Referrers can be long (search result pages); only scheme, host and path are kept later.
  r: text().max(LIMITS.referrerLength, 'referrer is at most 8 KB').optional(),
  w: z.number().int().min(0).max(65_535, 'screen width is at most 65535').optional(),
  p: props.optional(),
  d: z.number().int().min(0).max(86_400_000, 'engaged time is at most 24 h').optional(),
  sd: z.number().int().min(0).max(100, 'scroll depth is a percentage').optional(),
  id: text()
    .min(1)
    .max(LIMITS.clientIdLength, `client event id is at most ${LIMITS.clientIdLength} characters`)
    .optional(),
  t: z.number().int().positive().optional(),
  // The visitor, for an event a server sends on a visitor's behalf: accepted only with the site's
  // key (Authorization: Bearer cairn_sk_…), so one request carries events of many visitors.
  v: z
    .strictObject({
      a: z.string().min(2).max(45, 'the visitor address is an IPv4 or IPv6 address'),
      h: z.strictObject(Object.fromEntries(FORWARDED_HEADERS.map((name) => [name, visitorHeader(name)])) as Record<ForwardedHeader, ReturnType<typeof visitorHeader>>).optional(),
    })
    .optional(),
});

/** One event on the wire. */
export type WireEvent = z.infer<typeof wireEventSchema>;

/** Event names the collector gives a meaning to; any other name is a custom event. */
export const PAGEVIEW = 'pageview';
export const ENGAGEMENT = 'engagement';
