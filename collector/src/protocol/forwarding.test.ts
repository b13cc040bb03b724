import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { botReason } from '../enrich/bots.ts';
import { LIMITS } from './event.ts';
import { FORWARDED_HEADERS } from './forwarding.ts';

describe('the headers a proxy forwards', () => {
  it('are those in forwarding.json, with the body cap, for code that reads JSON (the WordPress plugin)', () => {
    const json = JSON.parse(readFileSync(new URL('./forwarding.json', import.meta.url), 'utf8')) as { headers: string[]; maxBodyBytes: number };
    expect(json.headers).toEqual([...FORWARDED_HEADERS]);
    expect(json.maxBodyBytes).toBe(LIMITS.batchBytes);
  });

  it('are the headers the bot checks read, besides the user agent (given on its own)', () => {
    const read = new Set<string>();
    const headers = new Proxy({}, { get: (_, name) => (read.add(String(name)), undefined) });
    const person = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
    expect(botReason(person, headers)).toBeNull();
    expect(['user-agent', ...read].sort()).toEqual([...FORWARDED_HEADERS].sort());
  });
});
