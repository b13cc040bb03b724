import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIMITS } from './event.ts';
import { FORWARDED_HEADERS } from './forwarding.ts';

describe('the headers a proxy forwards', () => {
  it('are those in forwarding.json, with the body cap, for code that reads JSON (the WordPress plugin)', () => {
    const json = JSON.parse(readFileSync(new URL('./forwarding.json', import.meta.url), 'utf8')) as { headers: string[]; maxBodyBytes: number };
    expect(json.headers).toEqual([...FORWARDED_HEADERS]);
    expect(json.maxBodyBytes).toBe(LIMITS.batchBytes);
  });
});
