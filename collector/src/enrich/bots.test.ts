import { describe, expect, it } from 'vitest';
import { botReason } from './bots.ts';
import { FORWARDED_HEADERS } from '../protocol/forwarding.ts';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

describe('botReason', () => {
  it.each([
    ['Chrome', CHROME],
    ['Firefox', 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0'],
    ['Safari iOS', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1'],
    ['Edge', `${CHROME} Edg/124.0.2478.51`],
    ['Samsung Internet', 'Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36'],
    ['Facebook in-app', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/460.0.0.38.109;FBSN/iOS;FBSV/17.4]'],
  ])('lets %s through', (_name, ua) => {
    expect(botReason(ua, {})).toBeNull();
  });

  it.each([
    ['Googlebot', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'bot'],
    ['Googlebot smartphone', 'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.91 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'bot'],
    ['bingbot', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', 'bot'],
    ['GPTBot', 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)', 'bot'],
    ['curl', 'curl/8.5.0', 'bot'],
    ['python-requests', 'python-requests/2.31.0', 'bot'],
    ['Go', 'Go-http-client/1.1', 'bot'],
    ['HeadlessChrome', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36', 'headless'],
    ['PhantomJS', 'Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1', 'headless'],
  ])('flags %s', (_name, ua, reason) => {
    expect(botReason(ua, {})).toBe(reason);
  });

  it.each([undefined, '', 'Mozilla', '     x     '])('flags a missing or too short user agent %j', (ua) => {
    expect(botReason(ua, {})).toBe('no_user_agent');
  });

  it('flags a browser UA whose client hints name HeadlessChrome', () => {
    expect(botReason(CHROME, { 'sec-ch-ua': '"HeadlessChrome";v="124", "Chromium";v="124", "Not-A.Brand";v="99"' })).toBe('headless');
    expect(botReason(CHROME, { 'sec-ch-ua': '"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"' })).toBeNull();
  });

  it('flags speculative loads', () => {
    expect(botReason(CHROME, { 'sec-purpose': 'prefetch' })).toBe('prefetch');
    expect(botReason(CHROME, { 'sec-purpose': 'prefetch;prerender' })).toBe('prefetch');
    expect(botReason(CHROME, { purpose: 'prefetch' })).toBe('prefetch');
  });

  it('checks the hints of every request, even for a user agent seen before', () => {
    const ua = `${CHROME} (repeat)`;
    expect(botReason(ua, {})).toBeNull();
    expect(botReason(ua, { 'sec-purpose': 'prefetch' })).toBe('prefetch');
    expect(botReason(ua, {})).toBeNull();
  });
});

describe('the headers a proxy forwards (FORWARDED_HEADERS)', () => {
  it('are the headers the bot checks read, besides the user agent (given on its own)', () => {
    const read = new Set<string>();
    const headers = new Proxy({}, { get: (_, name) => (read.add(String(name)), undefined) });
    const person = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
    expect(botReason(person, headers)).toBeNull();
    expect(['user-agent', ...read].sort()).toEqual([...FORWARDED_HEADERS].sort());
  });
});
