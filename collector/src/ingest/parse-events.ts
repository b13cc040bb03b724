/** Body text → validated wire events, or an CairnError naming what is wrong and where. */
import type { z } from 'zod';
import { FORBIDDEN_KEYS, fitsUtf8, HTTP_URL, LIMITS, PRINTABLE, SITE_ID, wireEventSchema, type WireEvent } from '../protocol/event.ts';
import { FORWARDED_HEADERS } from '../protocol/forwarding.ts';
import { CairnError } from '../errors.ts';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A key that could reach a prototype, at the event's top level or in its props. */
function forbiddenKey(ev: Record<string, unknown>): string | null {
  for (const k of Object.keys(ev)) if (FORBIDDEN_KEYS.has(k)) return k;
  if (isPlainObject(ev.p)) for (const k of Object.keys(ev.p)) if (FORBIDDEN_KEYS.has(k)) return `p.${k}`;
  return null;
}

/** A readable, bounded field path: `p.plan`, `[3].u`; odd keys are quoted and cut to 64 characters. */
function fieldPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const key = String(part);
      const safe = /^[\w$-]{1,64}$/.test(key) ? key : JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key);
      out += out ? `.${safe}` : safe;
    }
  }
  return out;
}

function issueError(issues: readonly z.core.$ZodIssue[], prefix: string): CairnError {
  // A size problem decides the status: the client must send less, not something else.
  const tooLarge = issues.find((i) => i.code === 'custom' && (i.params as { status?: number } | undefined)?.status === 413);
  const issue = tooLarge ?? issues[0]!;
  let path = issue.path;
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path = [...issue.path, issue.keys[0]!];
    message = `unknown field "${issue.keys[0]}"`;
  } else if (issue.code === 'invalid_key' && issue.issues[0]) {
    // zod reports a bad record key as "Invalid key in record"; the schema's own words are inside.
    message = issue.issues[0].message;
  }
  const field = fieldPath(prefix, path);
  return new CairnError(tooLarge ? 413 : 400, tooLarge ? 'too_large' : 'invalid_event', field ? `${field}: ${message}` : message, { field });
}

// The common event, checked by hand: zod costs ≈ 2 µs per event, a third of what parsing and
// validating a body takes on the ingest hot path. `plainEvent` answers true only for an event the
// schema accepts as it is (same value out, nothing to report); anything else, valid or not, goes
// through zod, which decides and explains. parse-events.test.ts holds the two to that.
const int = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
// zod counts code points, at most as many as UTF-16 units: a string within `max` units is within `max` code points.
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max && v.isWellFormed();

function plainProps(p: unknown): boolean {
  if (!isPlainObject(p)) return false;
  for (const k in p) {
    if (!isText(k, LIMITS.propKeyLength) || !PRINTABLE.test(k) || FORBIDDEN_KEYS.has(k)) return false;
    const v = p[k];
    if (typeof v === 'string' ? !v.isWellFormed() : typeof v !== 'boolean' && !(typeof v === 'number' && Number.isFinite(v))) return false;
  }
  return fitsUtf8(JSON.stringify(p), LIMITS.propsBytes);
}

const VISITOR_HEADERS: ReadonlySet<string> = new Set(FORWARDED_HEADERS);

/**
 * A server's address as the fast path takes it: 2–45 printable ASCII characters (an IP address
 * is). Anything else goes to zod, which counts characters, not UTF-16 units ("😀" is 2 of these).
 */
const ADDRESS = /^[\x21-\x7e]{2,45}$/;

/** A server's visitor (`v`): an address of a plausible length and the headers the protocol lists. */
function plainVisitor(v: unknown): boolean {
  if (!isPlainObject(v) || typeof v.a !== 'string' || !ADDRESS.test(v.a)) return false;
  for (const k in v) {
    if (k === 'a') continue;
    if (k !== 'h' || !isPlainObject(v.h)) return false;
    for (const name in v.h) if (!VISITOR_HEADERS.has(name) || !isText(v.h[name], LIMITS.headerLength)) return false;
  }
  return true;
}

export function plainEvent(ev: Record<string, unknown>): ev is WireEvent {
  for (const k in ev) {
    const v = ev[k];
    const ok =
      k === 's' ? typeof v === 'string' && SITE_ID.test(v)
      : k === 'n' ? isText(v, LIMITS.nameLength) && PRINTABLE.test(v)
      : k === 'u' ? typeof v === 'string' && fitsUtf8(v, LIMITS.urlBytes) && HTTP_URL.test(v)
      : k === 'r' ? typeof v === 'string' && v.length <= LIMITS.referrerLength && v.isWellFormed()
      : k === 'w' ? int(v, 0, 65_535)
      : k === 'd' ? int(v, 0, 86_400_000)
      : k === 'sd' ? int(v, 0, 100)
      : k === 'id' ? isText(v, LIMITS.clientIdLength)
      : k === 't' ? int(v, 1, Number.MAX_SAFE_INTEGER)
      : k === 'v' ? plainVisitor(v)
      : k === 'p' && plainProps(v);
    if (!ok) return false;
  }
  return 's' in ev && 'n' in ev && 'u' in ev;
}

/**
 * JSON.stringify writes what JSON.parse read at most 6 times longer (only numbers grow: `1e20`
 * becomes 21 digits), in at most 3 bytes of UTF-8 per character: a body this short holds no event
 * over the size cap, and its events need not be serialized to be measured.
 */
const SHORT_BODY = Math.floor(LIMITS.eventBytes / 18);

function validateOne(value: unknown, prefix: string, shortBody: boolean): WireEvent {
  if (!isPlainObject(value)) {
    throw new CairnError(400, 'invalid_event', `${prefix || 'the body'} must be an event object`, prefix ? { field: prefix } : {});
  }
  const bad = forbiddenKey(value);
  if (bad) {
    const field = prefix ? `${prefix}.${bad}` : bad;
    throw new CairnError(400, 'forbidden_key', `${field}: this key is not allowed`, { field });
  }
  let event: WireEvent;
  if (plainEvent(value)) event = value;
  else {
    const parsed = wireEventSchema.safeParse(value);
    if (!parsed.success) throw issueError(parsed.error.issues, prefix);
    event = parsed.data;
  }
  if (!shortBody && Buffer.byteLength(JSON.stringify(event)) > LIMITS.eventBytes) {
    throw new CairnError(413, 'too_large', `${prefix || 'the event'} is over ${LIMITS.eventBytes} bytes`, prefix ? { field: prefix } : {});
  }
  return event;
}

/** Parses and validates a body holding one event or a batch; all or nothing. */
export function parseEvents(text: string): WireEvent[] {
  const shortBody = text.length <= SHORT_BODY;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new CairnError(400, 'invalid_json', `the body is not valid JSON: ${(err as Error).message}`);
  }
  if (Array.isArray(body)) {
    if (body.length === 0) throw new CairnError(400, 'invalid_event', 'the batch is empty');
    if (body.length > LIMITS.batchEvents) {
      throw new CairnError(413, 'too_large', `a batch holds at most ${LIMITS.batchEvents} events`);
    }
    return body.map((ev, i) => validateOne(ev, `[${i}]`, shortBody));
  }
  return [validateOne(body, '', shortBody)];
}
