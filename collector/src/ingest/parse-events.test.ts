import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CairnError } from '../errors.ts';
import { wireEventSchema } from '../protocol/event.ts';
import { parseEvents, plainEvent } from './parse-events.ts';

const ok = { s: 'site-1', n: 'pageview', u: 'https://example.com/' };
const json = (v: unknown) => JSON.stringify(v);
/** A batch whose item 3 is `bad`. */
const batch = (bad: unknown) => json([ok, ok, ok, bad]);

function errorOf(text: string): { status: number; code: string; field: string | undefined; message: string } {
  try {
    parseEvents(text);
  } catch (err) {
    expect(err).toBeInstanceOf(CairnError);
    const { status, code, field, message } = err as CairnError;
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
    expect(() => parseEvents(batch({ ...ok, n: '' }))).toThrow(CairnError);
  });
});

describe('the hand-written fast path', () => {
  // Strings around every bound the schema sets: lengths, UTF-8 sizes, code points beyond the BMP,
  // lone surrogates, control characters.
  const around = (n: number) => fc.integer({ min: Math.max(0, n - 2), max: n + 2 });
  // Text of about the length asked, of one repeated unit ('😀' is two UTF-16 code units and four
  // bytes), sometimes with one odd unit in it: a control character (C0 or C1), a lone surrogate, a space.
  const good = fc.constantFrom('a', 'é', '😀', '\u2028');
  const odd = fc.constantFrom('\u0007', '\u0000', '\u009f', '\ud800', '\udc00', ' ');
  const str = (len: number) =>
    fc.tuple(fc.oneof(around(len), fc.nat(8)), good, fc.option(fc.tuple(odd, fc.nat()))).map(([n, unit, extra]) => {
      const s = unit.repeat(n);
      if (!extra) return s;
      const at = extra[1] % (s.length + 1);
      return s.slice(0, at) + extra[0] + s.slice(at);
    });
  const num = (min: number, max: number) =>
    fc.oneof(fc.constantFrom(min - 1, min, max, max + 1, 1.5, -0, 2 ** 53, 2 ** 53 - 1, Number.MAX_VALUE), fc.integer({ min, max }), fc.double());
  const value = fc.oneof(str(3), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.constant({}));
  // Mostly good values, so that many events reach the fast path, with an edge case now and then.
  const mostly = <T, U>(good: fc.Arbitrary<T>, edge: fc.Arbitrary<U>) => fc.oneof({ arbitrary: good, weight: 5 }, { arbitrary: edge, weight: 1 });
  const fields = fc.record(
    {
      s: mostly(fc.constantFrom('site-1', 'a_b'), fc.oneof(fc.constant(''), str(64))),
      n: mostly(fc.constantFrom('pageview', 'Signup'), str(120)),
      u: mostly(
        fc.webPath().map((p) => `https://example.com${p}`),
        fc.oneof(
          fc.constantFrom('HTTP://E.COM', 'ftp://e.com/', 'https:///x', 'https://e.com/ x'),
          str(700).map((p) => `https://example.com/${p}`),
          str(2030).map((p) => `https://example.com/${p}`),
        ),
      ),
      r: mostly(fc.constant('https://google.com/'), str(8192)),
      w: mostly(fc.integer({ min: 0, max: 65_535 }), num(0, 65_535)),
      d: mostly(fc.integer({ min: 0, max: 86_400_000 }), num(0, 86_400_000)),
      sd: mostly(fc.integer({ min: 0, max: 100 }), num(0, 100)),
      id: mostly(fc.uuid(), str(64)),
      t: mostly(fc.integer({ min: 1, max: 2_000_000_000_000 }), num(1, 2_000_000_000_000)),
      p: mostly(
        fc.dictionary(fc.constantFrom('plan', 'seats', 'é', '😀', 'constructor', 'prototype'), fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean()), { maxKeys: 3 }),
        fc.oneof(fc.dictionary(fc.oneof(str(64), fc.constantFrom('plan', 'constructor')), value, { maxKeys: 4 }), fc.dictionary(str(3), str(600), { maxKeys: 3 }), value),
      ),
      v: mostly(
        fc.record({ a: fc.constantFrom('10.0.0.1', '2001:db8::1'), h: fc.dictionary(fc.constantFrom('user-agent', 'sec-ch-ua', 'sec-purpose', 'purpose'), fc.string({ maxLength: 40 }), { maxKeys: 4 }) }, { requiredKeys: ['a'] }),
        fc.oneof(
          fc.record({ a: fc.oneof(str(50), fc.constantFrom('', '1')) }),
          fc.record({ a: fc.constant('10.0.0.1'), h: fc.dictionary(fc.constantFrom('user-agent', 'cookie', 'x-forwarded-for', '__proto__'), fc.oneof(str(1100), value), { maxKeys: 2 }) }),
          fc.record({ a: fc.constant('10.0.0.1'), x: value }),
          value,
        ),
      ),
    },
    { requiredKeys: ['s', 'n', 'u'] },
  );
  // Now and then a required field missing, or one the schema does not know.
  const event = fc.tuple(fields, fc.nat(19)).map(([ev, dice]) => {
    const out: Record<string, unknown> = { ...ev };
    if (dice === 0) delete out.s;
    else if (dice === 1) delete out.u;
    else if (dice === 2) out.x = 1;
    return out;
  });

  it('takes an event only when zod accepts it unchanged', () => {
    let fast = 0;
    fc.assert(
      fc.property(event, (generated) => {
        // As the handler gets it: from JSON.parse.
        const ev = JSON.parse(JSON.stringify(generated)) as Record<string, unknown>;
        if (!plainEvent(ev)) return;
        fast++;
        const parsed = wireEventSchema.safeParse(ev);
        expect(parsed.success).toBe(true);
        expect(parsed.data).toStrictEqual(ev);
      }),
      // Found by this property: an address of one emoji is 2 UTF-16 units but 1 character to zod.
      { numRuns: 5_000, examples: [[{ s: 'site-1', n: 'pageview', u: 'https://example.com', v: { a: '😀' } }]] },
    );
    // The fast path is not vacuous: a good share of the generated events took it.
    expect(fast).toBeGreaterThan(100);
  });

  it('takes the events the tracker sends', () => {
    expect(plainEvent({ s: 'site-1', n: 'pageview', u: 'https://example.com/a?utm_source=x', r: 'https://www.google.com/', w: 1440 })).toBe(true);
    expect(plainEvent({ s: 'site-1', n: 'engagement', u: 'https://example.com/', d: 12_000, sd: 75 })).toBe(true);
    expect(plainEvent({ s: 'site-1', n: 'Signup', u: 'https://example.com/', p: { plan: 'pro', seats: 3, trial: false }, id: 'ev-1' })).toBe(true);
  });

  it('takes the events @cairn/tracker/server sends with a site key (each names its visitor)', () => {
    const v = { a: '203.0.113.9', h: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)', 'sec-ch-ua': '"Chromium";v="130"' } };
    expect(plainEvent({ s: 'site-1', n: 'signup', u: 'https://example.com/', id: 'ev-2', t: 1_765_000_000_000, v })).toBe(true);
    expect(plainEvent({ s: 'site-1', n: 'signup', u: 'https://example.com/', v: { ...v, h: { cookie: 'x' } } })).toBe(false);
  });
});
