import { describe, expect, it } from 'vitest';
import { SESSION_GAP_MS, Sessions } from './sessions.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 15, 12);

describe('Sessions', () => {
  it('uses a 30-minute gap by default', () => {
    expect(SESSION_GAP_MS).toBe(30 * MIN);
  });

  it('keeps one session while gaps stay under 30 minutes', () => {
    const s = new Sessions();
    const id = s.assign('v1', T0);
    expect(Number.isSafeInteger(id) && id > 0).toBe(true);
    expect(s.assign('v1', T0 + 20 * MIN)).toBe(id);
    // The gap is measured from the latest event, not the first.
    expect(s.assign('v1', T0 + 49 * MIN)).toBe(id);
  });

  it('starts a new session once the gap reaches 30 minutes', () => {
    const s = new Sessions();
    const first = s.assign('v1', T0);
    const second = s.assign('v1', T0 + 30 * MIN);
    expect(second).not.toBe(first);
    expect(s.assign('v1', T0 + 31 * MIN)).toBe(second);
  });

  it('gives each visitor their own session', () => {
    const s = new Sessions();
    expect(s.assign('v1', T0)).not.toBe(s.assign('v2', T0));
    expect(s.size).toBe(2);
  });

  it('puts a slightly older event in the open session without moving its end', () => {
    const s = new Sessions();
    const id = s.assign('v1', T0);
    expect(s.assign('v1', T0 - 10 * MIN)).toBe(id);
    // Still measured from T0: T0 + 29 min is in, T0 + 30 min is a new visit.
    expect(s.isOpen('v1', T0 + 29 * MIN)).toBe(true);
    expect(s.isOpen('v1', T0 + 30 * MIN)).toBe(false);
  });

  it('gives a far-older event a session of its own and keeps the open one', () => {
    const s = new Sessions();
    const open = s.assign('v1', T0);
    const old = s.assign('v1', T0 - 2 * 60 * MIN);
    expect(old).not.toBe(open);
    expect(s.assign('v1', T0 + 5 * MIN)).toBe(open);
  });

  // Each far-older event gets a fresh id and nothing remembers it, so a replayed old visit of
  // three pageviews a minute apart becomes three one-page visits.
  it('keeps consecutive far-older events in one session', () => {
    const s = new Sessions();
    s.assign('v1', T0);
    const old = s.assign('v1', T0 - 120 * MIN);
    expect(s.assign('v1', T0 - 119 * MIN)).toBe(old);
  });

  it('ends a visit after 24 hours even when the visitor never pauses for 30 minutes', () => {
    const s = new Sessions();
    const first = s.assign('v1', T0);
    let id = first;
    for (let t = T0; t < T0 + 23 * 60 * MIN; t += 20 * MIN) id = s.assign('v1', t);
    expect(id).toBe(first);
    const next = s.assign('v1', T0 + 24 * 60 * MIN);
    expect(next).not.toBe(first);
    expect(s.assign('v1', T0 + 24 * 60 * MIN + 10 * MIN)).toBe(next);
  });

  it('resumes seeded sessions', () => {
    const s = new Sessions();
    s.seed([
      { visitor: 'v1', session: 41, firstTs: T0 - 5 * MIN, lastTs: T0 },
      { visitor: 'v2', session: 42, firstTs: T0 - 60 * MIN - 5 * MIN, lastTs: T0 - 60 * MIN },
    ]);
    expect(s.assign('v1', T0 + 10 * MIN)).toBe(41);
    expect(s.assign('v2', T0 + 10 * MIN)).not.toBe(42);
  });

  it('reports whether a visitor has a session open at a time', () => {
    const s = new Sessions();
    expect(s.isOpen('v1', T0)).toBe(false);
    s.assign('v1', T0);
    expect(s.isOpen('v1', T0 + 29 * MIN)).toBe(true);
    expect(s.isOpen('v1', T0 + 30 * MIN)).toBe(false);
    expect(s.isOpen('v2', T0)).toBe(false);
  });

  it('sweeps only sessions idle for the whole gap', () => {
    const s = new Sessions();
    s.seed([
      { visitor: 'late', session: 3, firstTs: T0 + 20 * MIN - 5 * MIN, lastTs: T0 + 20 * MIN },
      { visitor: 'early', session: 1, firstTs: T0 - 5 * MIN, lastTs: T0 },
      { visitor: 'mid', session: 2, firstTs: T0 + 10 * MIN - 5 * MIN, lastTs: T0 + 10 * MIN },
    ]);
    s.sweep(T0 + 35 * MIN);
    expect(s.size).toBe(2);
    expect(s.isOpen('early', T0)).toBe(false);
    expect(s.assign('mid', T0 + 39 * MIN)).toBe(2);
    // "mid" was just touched, so it outlives "late" now.
    s.sweep(T0 + 50 * MIN);
    expect(s.size).toBe(1);
    expect(s.assign('mid', T0 + 50 * MIN)).toBe(2);
  });

  it('honours a custom gap', () => {
    const s = new Sessions(5 * MIN);
    const id = s.assign('v1', T0);
    expect(s.assign('v1', T0 + 4 * MIN)).toBe(id);
    expect(s.assign('v1', T0 + 10 * MIN)).not.toBe(id);
  });
});
