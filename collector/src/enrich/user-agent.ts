/** Browser, OS and device from the User-Agent header; the header itself is never stored. */
import UAParser from 'ua-parser-js';

export interface UserAgentInfo {
  browser: string | null;
  browserVersion: string | null;
  os: string | null;
  osVersion: string | null;
  device: 'desktop' | 'mobile' | 'tablet' | 'other';
}

const DEVICE: Record<string, UserAgentInfo['device']> = {
  mobile: 'mobile',
  wearable: 'mobile',
  tablet: 'tablet',
  smarttv: 'other',
  console: 'other',
  embedded: 'other',
  xr: 'other',
};

// The same few hundred user agents make up most traffic; parsing one costs tens of microseconds.
const CACHE_MAX = 2000;
const cache = new Map<string, UserAgentInfo>();

/** Parses a User-Agent header (cached). */
export function parseUserAgent(ua: string): UserAgentInfo {
  const hit = cache.get(ua);
  if (hit) return hit;
  const r = new UAParser(ua).getResult();
  const info: UserAgentInfo = {
    browser: r.browser.name ?? null,
    browserVersion: r.browser.major ?? null,
    os: r.os.name ?? null,
    osVersion: r.os.version ?? null,
    device: r.device.type ? (DEVICE[r.device.type] ?? 'other') : 'desktop',
  };
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(ua, info);
  return info;
}
