/** Body text → validated wire events, or an HttpError naming what is wrong and where. */
import type { z } from 'zod';
import { FORBIDDEN_KEYS, LIMITS, wireEventSchema, type WireEvent } from '../protocol/event.ts';
import { HttpError } from '../http/http-error.ts';

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

function issueError(issues: readonly z.core.$ZodIssue[], prefix: string): HttpError {
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
  return new HttpError(tooLarge ? 413 : 400, tooLarge ? 'too_large' : 'invalid_event', field ? `${field}: ${message}` : message, { field });
}

function validateOne(value: unknown, prefix: string): WireEvent {
  if (!isPlainObject(value)) {
    throw new HttpError(400, 'invalid_event', `${prefix || 'the body'} must be an event object`, prefix ? { field: prefix } : {});
  }
  const bad = forbiddenKey(value);
  if (bad) {
    const field = prefix ? `${prefix}.${bad}` : bad;
    throw new HttpError(400, 'forbidden_key', `${field}: this key is not allowed`, { field });
  }
  const parsed = wireEventSchema.safeParse(value);
  if (!parsed.success) throw issueError(parsed.error.issues, prefix);
  if (Buffer.byteLength(JSON.stringify(parsed.data)) > LIMITS.eventBytes) {
    throw new HttpError(413, 'too_large', `${prefix || 'the event'} is over ${LIMITS.eventBytes} bytes`, prefix ? { field: prefix } : {});
  }
  return parsed.data;
}

/** Parses and validates a body holding one event or a batch; all or nothing. */
export function parseEvents(text: string): WireEvent[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, 'invalid_json', `the body is not valid JSON: ${(err as Error).message}`);
  }
  if (Array.isArray(body)) {
    if (body.length === 0) throw new HttpError(400, 'invalid_event', 'the batch is empty');
    if (body.length > LIMITS.batchEvents) {
      throw new HttpError(413, 'too_large', `a batch holds at most ${LIMITS.batchEvents} events`);
    }
    return body.map((ev, i) => validateOne(ev, `[${i}]`));
  }
  return [validateOne(body, '')];
}
