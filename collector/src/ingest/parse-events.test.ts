import { describe, expect, it } from 'vitest';
import { HttpError } from '../http/http-error.ts';
import { parseEvents } from './parse-events.ts';

const ok = { s: 'site-1', n: 'pageview', u: 'https://example.com/' };
const json = (v: unknown) => JSON.stringify(v);
/** A batch whose item 3 is `bad`. */
const batch = (bad: unknown) => json([ok, ok, ok, bad]);

function errorOf(text: string): { status: number; code: string; field: string | undefined; message: string } {
  try {
    parseEvents(text);
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    const { status, code, field, message } = err as HttpError;
    return { status, code, field, message };
  }
  throw new Error('parseEvents accepted the body');
}

describe('parseEvents', () => {
  it('accepts a single event as a batch of one', () => {
    expect(parseEvents(json(ok))).toEqual([ok]);
  });

  it('accepts a batch with every optional field', () => {
    const full = { ...ok, n: 'signup', r: 'https://google.com/', w: 1440, p: { plan: 'pro', seats: 3, trial: false }, d: 5000, sd: 80, id: 'ev-1', t: 1_700_000_000_000 };
    expect(parseEvents(json([ok, full]))).toEqual([ok, full]);
  });

  it('accepts a batch of 100 and refuses 101', () => {
    expect(parseEvents(json(Array(100).fill(ok)))).toHaveLength(100);
    expect(errorOf(json(Array(101).fill(ok)))).toMatchObject({ status: 413, code: 'too_large', field: undefined });
  });

  it.each(['', '{', "{'s':1}", 'undefined'])('refuses invalid JSON %j', (text) => {
    expect(errorOf(text)).toMatchObject({ status: 400, code: 'invalid_json', field: undefined, message: expect.stringMatching(/^the body is not valid JSON: /) });
  });

  it.each(['null', '"pageview"', '42', 'true'])('refuses the non-event body %s', (text) => {
    expect(errorOf(text)).toEqual({ status: 400, code: 'invalid_event', field: undefined, message: 'the body must be an event object' });
  });

  it('refuses an empty batch', () => {
    expect(errorOf('[]')).toMatchObject({ status: 400, code: 'invalid_event', message: 'the batch is empty' });
  });

  it.each([
    // [what, event, status, code, field]
    ['missing site', { n: 'pageview', u: 'https://e.com/' }, 400, 'invalid_event', 's'],
    ['bad site id', { ...ok, s: 'a b' }, 400, 'invalid_event', 's'],
    ['empty name', { ...ok, n: '' }, 400, 'invalid_event', 'n'],
    ['control character in name', { ...ok, n: 'a\u0007b' }, 400, 'invalid_event', 'n'],
    ['relative URL', { ...ok, u: '/pricing' }, 400, 'invalid_event', 'u'],
    ['non-http URL', { ...ok, u: 'ftp://example.com/' }, 400, 'invalid_event', 'u'],
    ['fractional width', { ...ok, w: 1.5 }, 400, 'invalid_event', 'w'],
    ['scroll depth over 100', { ...ok, sd: 101 }, 400, 'invalid_event', 'sd'],
    ['client id over 64 characters', { ...ok, id: 'x'.repeat(65) }, 400, 'invalid_event', 'id'],
    ['nested prop', { ...ok, p: { plan: { tier: 1 } } }, 400, 'invalid_event', 'p.plan'],
    ['null prop', { ...ok, p: { plan: null } }, 400, 'invalid_event', 'p.plan'],
    ['unknown field', { ...ok, email: 'jo@x.com' }, 400, 'invalid_event', 'email'],
    ['URL over 2048 bytes', { ...ok, u: `https://example.com/${'a'.repeat(2100)}` }, 413, 'too_large', 'u'],
    ['props over 1024 bytes', { ...ok, p: { a: 'x'.repeat(1100) } }, 413, 'too_large', 'p'],
  ])('refuses a %s', (_what, event, status, code, field) => {
    const single = errorOf(json(event));
    expect(single).toMatchObject({ status, code, field });
    expect(single.message.startsWith(`${field}: `)).toBe(true);
    // The same problem in item 3 of a batch is named with its index.
    expect(errorOf(batch(event))).toMatchObject({ status, code, field: `[3].${field}` });
  });

  it('names the unknown field in the message', () => {
    expect(errorOf(batch({ ...ok, email: 'jo@x.com' })).message).toBe('[3].email: unknown field "email"');
  });

  it('refuses a bad prop key under its own name, quoted and cut to 64 characters', () => {
    expect(errorOf(json({ ...ok, p: { ['k'.repeat(65)]: 1 } }))).toMatchObject({ status: 400, code: 'invalid_event', field: `p."${'k'.repeat(64)}…"` });
    expect(errorOf(json({ ...ok, p: { 'a\u0000b': 1 } })).field).toBe('p."a\\u0000b"');
  });

  it('explains why a prop key is refused', () => {
    expect(errorOf(json({ ...ok, p: { '': 1 } })).message).toContain('prop keys must not be empty');
  });

  it('lets a size problem decide the status over other problems', () => {
    expect(errorOf(json({ ...ok, n: '', p: { a: 'x'.repeat(1100) } }))).toMatchObject({ status: 413, code: 'too_large', field: 'p' });
  });

  it('refuses an event over 8 KB as a whole', () => {
    const big = { ...ok, r: 'x'.repeat(8000), p: { a: 'y'.repeat(500) } };
    expect(errorOf(json(big))).toMatchObject({ status: 413, code: 'too_large', field: undefined, message: 'the event is over 8192 bytes' });
    expect(errorOf(batch(big))).toMatchObject({ status: 413, code: 'too_large', field: '[3]', message: '[3] is over 8192 bytes' });
  });

  it('refuses a batch item that is not an object', () => {
    expect(errorOf(batch('pageview'))).toEqual({ status: 400, code: 'invalid_event', field: '[3]', message: '[3] must be an event object' });
    expect(errorOf(batch([ok]))).toMatchObject({ field: '[3]' });
  });

  it.each([
    ['{"s":"site-1","n":"pageview","u":"https://example.com/","__proto__":{"admin":true}}', '__proto__'],
    ['{"s":"site-1","n":"pageview","u":"https://example.com/","p":{"__proto__":"x"}}', 'p.__proto__'],
    [batch({ ...ok, p: { constructor: 'x' } }), '[3].p.constructor'],
    [batch({ ...ok, prototype: 1 }), '[3].prototype'],
  ])('refuses a prototype key: %s', (text, field) => {
    expect(errorOf(text)).toEqual({ status: 400, code: 'forbidden_key', field, message: `${field}: this key is not allowed` });
  });

  it('accepts nothing from a batch with one bad item', () => {
    expect(() => parseEvents(batch({ ...ok, n: '' }))).toThrow(HttpError);
  });
});
