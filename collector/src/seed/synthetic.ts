/**
 * Synthetic traffic with realistic shapes, already enriched as the store keeps it: visitors come
 * and go by time of day, pages and sources follow long-tailed popularity, about half the visits
 * bounce, people read, scroll, sign up. Deterministic for a seed. Used by `cairn seed`, the
 * benchmarks and the tests; never mixed into real sites (seeded sites are marked synthetic).
 */
import type { StoredEvent } from '../store/store.ts';

/** A small fast deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Weighted<T> = readonly (readonly [T, number])[];

function pick<T>(rand: () => number, items: Weighted<T>): T {
  const total = items.reduce((n, [, w]) => n + w, 0);
  let x = rand() * total;
  for (const [item, w] of items) if ((x -= w) < 0) return item;
  return items[items.length - 1]![0];
}

/** Rank-biased pick from 0..n-1: a few items get most of the traffic. */
const zipf = (rand: () => number, n: number) => Math.min(n - 1, Math.floor(Math.exp(rand() * Math.log(n + 1)) - 1));

const SOURCES: Weighted<{ source: string | null; medium: string; host: string | null; utm?: [string, string, string] }> = [
  [{ source: null, medium: 'direct', host: null }, 38],
  [{ source: 'Google', medium: 'search', host: 'www.google.com' }, 27],
  [{ source: 'Bing', medium: 'search', host: 'www.bing.com' }, 4],
  [{ source: 'DuckDuckGo', medium: 'search', host: 'duckduckgo.com' }, 3],
  [{ source: 'Facebook', medium: 'social', host: 'm.facebook.com' }, 6],
  [{ source: 'LinkedIn', medium: 'social', host: 'www.linkedin.com' }, 3],
  [{ source: 'Hacker News', medium: 'social', host: 'news.ycombinator.com' }, 2],
  [{ source: 'newsletter', medium: 'email', host: null, utm: ['newsletter', 'email', 'november'] }, 7],
  [{ source: 'Google', medium: 'paid', host: 'www.google.com', utm: ['google', 'cpc', 'brand'] }, 4],
  [{ source: 'some-blog.net', medium: 'referral', host: 'some-blog.net' }, 6],
];
const COUNTRIES: Weighted<string | null> = [['US', 30], ['DE', 12], ['GB', 10], ['FR', 8], ['IN', 8], ['CA', 5], ['BR', 5], ['JP', 4], ['NL', 3], ['ES', 3], [null, 2], ['AU', 3], ['IT', 3], ['PL', 2], ['SE', 2]];
const DEVICES: Weighted<[string, string, string, number]> = [
  [['desktop', 'Chrome', 'Windows', 1920], 30],
  [['desktop', 'Chrome', 'Mac OS', 1440], 12],
  [['desktop', 'Firefox', 'Windows', 1920], 6],
  [['desktop', 'Safari', 'Mac OS', 1512], 8],
  [['desktop', 'Edge', 'Windows', 1536], 6],
  [['mobile', 'Mobile Safari', 'iOS', 390], 18],
  [['mobile', 'Chrome', 'Android', 412], 15],
  [['tablet', 'Mobile Safari', 'iOS', 820], 3],
  [['desktop', 'Chrome', 'Linux', 1920], 2],
];
// Visits per hour of the local day, a typical working-day curve.
const HOURS: Weighted<number> = Array.from({ length: 24 }, (_, h) => [h, 1 + 9 * Math.exp(-((h - 14) ** 2) / 18)] as const);

export interface SynthOptions {
  site: string;
  /** UTC ms of the first day's start. */
  start: number;
  days: number;
  visitorsPerDay: number;
  seed?: number;
  /** Hours to add to UTC for the site's daily rhythm (traffic peaks mid-afternoon local time). */
  utcOffsetHours?: number;
  pages?: number;
}

const hex = (rand: () => number, n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');

/** Events of `days` days of traffic, in time order within each visit. */
export function* synthesize(o: SynthOptions): Generator<StoredEvent> {
  const rand = prng(o.seed ?? 1);
  const pages = Array.from({ length: o.pages ?? 200 }, (_, i) => (i === 0 ? '/' : i < 8 ? ['/pricing', '/about', '/blog', '/docs', '/contact', '/signup', '/features'][i - 1]! : `/blog/post-${i}`));
  for (let day = 0; day < o.days; day++) {
    const dayStart = o.start + day * 86_400_000;
    const visitors = Math.round(o.visitorsPerDay * (0.8 + 0.4 * rand()) * (day % 7 >= 5 ? 0.7 : 1));
    for (let v = 0; v < visitors; v++) {
      const visitor = hex(rand, 32);
      const country = pick(rand, COUNTRIES);
      const [device, browser, os, width] = pick(rand, DEVICES);
      const sessions = rand() < 0.15 ? 2 : 1;
      for (let s = 0; s < sessions; s++) {
        const hour = pick(rand, HOURS);
        let ts = dayStart + ((hour - (o.utcOffsetHours ?? 0) + 24) % 24) * 3_600_000 + Math.floor(rand() * 3_600_000);
        const session = Math.floor(rand() * 2 ** 52) + 1;
        const from = pick(rand, SOURCES);
        const base = {
          site: o.site,
          visitor,
          session,
          hostname: 'example.com',
          query: from.utm ? `utm_source=${from.utm[0]}&utm_medium=${from.utm[1]}&utm_campaign=${from.utm[2]}` : null,
          country,
          browser,
          browserVersion: '130',
          os,
          osVersion: null,
          device,
          screenWidth: width,
          clientId: null,
        };
        const views = rand() < 0.45 ? 1 : 2 + zipf(rand, 8);
        let page = pages[zipf(rand, pages.length)]!;
        for (let i = 0; i < views; i++) {
          const first = i === 0;
          const common = {
            ...base,
            pathname: page,
            referrer: first && from.host ? `${from.host}/` : null,
            referrerHost: first ? from.host : null,
            source: first ? from.source : null,
            medium: first ? from.medium : 'internal',
            utmSource: first ? (from.utm?.[0] ?? null) : null,
            utmMedium: first ? (from.utm?.[1] ?? null) : null,
            utmCampaign: first ? (from.utm?.[2] ?? null) : null,
            utmTerm: null,
            utmContent: null,
          };
          yield { ...common, ts, name: 'pageview', props: null, engagedMs: null, scrollDepth: null };
          const read = 5_000 + Math.floor(rand() * (rand() < 0.2 ? 600_000 : 90_000));
          if (rand() < 0.08) yield { ...common, ts: ts + Math.floor(read / 2), name: 'signup', props: JSON.stringify({ plan: rand() < 0.3 ? 'pro' : 'free' }), engagedMs: null, scrollDepth: null };
          if (rand() < 0.05) yield { ...common, ts: ts + 700, name: 'vital', props: JSON.stringify({ metric: 'LCP', value: 800 + Math.floor(rand() * 3000) }), engagedMs: null, scrollDepth: null };
          ts += read;
          yield { ...common, ts, name: 'engagement', props: null, engagedMs: Math.floor(read * (0.4 + 0.6 * rand())), scrollDepth: Math.floor(rand() * 101) };
          ts += 1 + Math.floor(rand() * 20_000);
          page = pages[zipf(rand, pages.length)]!;
        }
      }
    }
  }
}
