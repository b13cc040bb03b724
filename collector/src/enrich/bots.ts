/** Why a request is not a person, or null. Bots still get 202 so they learn nothing. */
import type { IncomingHttpHeaders } from 'node:http';
import { isbotMatch } from 'isbot';

export type BotReason = 'no_user_agent' | 'headless' | 'bot' | 'prefetch';

// Not Electron: desktop apps built on it (Slack, Notion…) show pages to people.
const HEADLESS = /headless|phantomjs|puppeteer|playwright|selenium|webdriver/i;

// isbot's pattern is one large regular expression; traffic repeats the same user agents.
const CACHE_MAX = 2000;
const cache = new Map<string, BotReason | null>();

function uaReason(ua: string): BotReason | null {
  let reason = cache.get(ua);
  if (reason === undefined) {
    reason = HEADLESS.test(ua) ? 'headless' : isbotMatch(ua) !== null ? 'bot' : null;
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(ua, reason);
  }
  return reason;
}

/** Classifies a request by its User-Agent and the hints browsers send with it. */
export function botReason(ua: string | undefined, headers: IncomingHttpHeaders): BotReason | null {
  if (!ua || ua.trim().length < 8) return 'no_user_agent';
  const byUa = uaReason(ua);
  if (byUa) return byUa;
  if (HEADLESS.test(String(headers['sec-ch-ua'] ?? ''))) return 'headless';
  // Speculative loads are not views; the tracker would not run there, but a proxy may forward them.
  const purpose = String(headers['sec-purpose'] ?? headers['purpose'] ?? '');
  if (/prefetch/i.test(purpose)) return 'prefetch';
  return null;
}

/** The whole word HEADLESS matched in ("HeadlessChrome", not "Headless"). */
const HEADLESS_WORD = new RegExp(`[\\w-]*(?:${HEADLESS.source})[\\w-]*`, 'i');

/** What in a request made it a bot, in plain words, for the live installation check. */
export function botMatch(ua: string | undefined, reason: BotReason): string {
  if (reason === 'no_user_agent') return 'no browser name (User-Agent) in the request';
  if (reason === 'prefetch') return 'sent for a prefetched page (Sec-Purpose: prefetch)';
  const token = (reason === 'headless' ? HEADLESS_WORD.exec(ua ?? '')?.[0] : isbotMatch(ua ?? '')) ?? null;
  return token ? `"${token}" in the browser name (User-Agent)` : 'an automated browser (Sec-CH-UA)';
}
