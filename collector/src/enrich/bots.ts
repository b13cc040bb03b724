/** Why a request is not a person, or null. Bots still get 202 so they learn nothing. */
import type { IncomingHttpHeaders } from 'node:http';
import { isbotMatch } from 'isbot';

export type BotReason = 'no_user_agent' | 'headless' | 'bot' | 'prefetch';

const HEADLESS = /headless|phantomjs|electron|puppeteer|playwright|selenium|webdriver/i;

/** Classifies a request by its User-Agent and the hints browsers send with it. */
export function botReason(ua: string | undefined, headers: IncomingHttpHeaders): BotReason | null {
  if (!ua || ua.trim().length < 8) return 'no_user_agent';
  if (HEADLESS.test(ua) || HEADLESS.test(String(headers['sec-ch-ua'] ?? ''))) return 'headless';
  if (isbotMatch(ua) !== null) return 'bot';
  // Speculative loads are not views; the tracker would not run there, but a proxy may forward them.
  const purpose = String(headers['sec-purpose'] ?? headers['purpose'] ?? '');
  if (/prefetch/i.test(purpose)) return 'prefetch';
  return null;
}
