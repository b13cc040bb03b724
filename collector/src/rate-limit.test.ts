import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.ts';

const T0 = 1_000_000;
const takeAll = (rl: RateLimiter, key: string, times: number, now: number) =>
  Array.from({ length: times }, () => rl.take(key, 1, now));

describe('RateLimiter', () => {
  it('allows a burst up to the limit, then asks to wait', () => {
    const rl = new RateLimiter(5);
    expect(takeAll(rl, 'ip', 5, T0)).toEqual([0, 0, 0, 0, 0]);
    // 5 per minute: one token every 12 s.
    expect(rl.take('ip', 1, T0)).toBe(12);
  });

  it('counts a batch as that many events', () => {
    const rl = new RateLimiter(5);
    expect(rl.take('ip', 3, T0)).toBe(0);
    expect(rl.take('ip', 3, T0)).toBe(12);
    expect(rl.take('ip', 2, T0)).toBe(0);
    expect(rl.take('ip', 3, T0)).toBe(36);
  });

  it('refills over time, never above the limit', () => {
    const rl = new RateLimiter(5);
    takeAll(rl, 'ip', 5, T0);
    expect(rl.take('ip', 1, T0 + 11_999)).toBe(1);
    expect(rl.take('ip', 1, T0 + 12_000)).toBe(0);
    expect(rl.take('ip', 1, T0 + 12_000)).toBe(12);
    // An hour idle refills to 5, not 300.
    expect(takeAll(rl, 'ip', 6, T0 + 3_600_000)).toEqual([0, 0, 0, 0, 0, 12]);
  });

  it('does not charge a refused request', () => {
    const rl = new RateLimiter(60);
    takeAll(rl, 'ip', 60, T0);
    expect(rl.take('ip', 10, T0 + 5_000)).toBe(5);
    expect(rl.take('ip', 5, T0 + 5_000)).toBe(0);
  });

  it('keeps keys apart', () => {
    const rl = new RateLimiter(2);
    takeAll(rl, 'a', 2, T0);
    expect(rl.take('a', 1, T0)).toBeGreaterThan(0);
    expect(rl.take('b', 1, T0)).toBe(0);
  });

  it('is off with a limit of 0', () => {
    const rl = new RateLimiter(0);
    expect(takeAll(rl, 'ip', 1000, T0).every((wait) => wait === 0)).toBe(true);
    expect(rl.size).toBe(0);
  });

  it('lets a batch larger than the limit through on a full bucket, then makes the next one wait out the debt', () => {
    const rl = new RateLimiter(60);
    expect(rl.take('ip', 100, T0)).toBe(0);
    const wait = rl.take('ip', 100, T0);
    expect(wait).toBe(100);
    expect(rl.take('ip', 100, T0 + wait * 1000)).toBe(0);
  });

  it('sweeps only buckets that have refilled completely', () => {
    const rl = new RateLimiter(60);
    rl.take('idle', 30, T0);
    rl.take('busy', 60, T0);
    expect(rl.size).toBe(2);
    rl.sweep(T0 + 30_000);
    expect(rl.size).toBe(1);
    // The busy bucket kept its state: 30 tokens after 30 s, not a fresh 60.
    expect(rl.take('busy', 31, T0 + 30_000)).toBe(1);
    rl.sweep(T0 + 90_000);
    expect(rl.size).toBe(0);
  });
});
