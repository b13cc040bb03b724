/**
 * Turns a validated wire event into the row that is stored, in memory, before the write
 * (ARCHITECTURE.md §3). The IP and the user agent go in; neither comes out.
 */
import type { WireEvent } from '../protocol/event.ts';
import { hostBelongsToSite } from '../sites/site-directory.ts';
import type { Site, StoredEvent } from '../store/store.ts';
import type { DailySalts } from './daily-salts.ts';
import { DAY_MS, utcDay } from '../time.ts';
import type { GeoLookup } from './geo.ts';
import { normalizePageUrl, parseReferrer, type PageUrl } from './page-url.ts';
import { canonicalSource, knownReferrer, mediumFromUtm, type Medium } from './referrers.ts';
import { SESSION_GAP_MS, type Sessions } from './sessions.ts';
import { parseUserAgent } from './user-agent.ts';
import { visitorId } from './visitor.ts';

/** What the request contributes: used in memory, never stored. */
export interface RequestFacts {
  ip: string;
  userAgent: string;
  /** Server time of the request, ms. */
  now: number;
}

/** The salts an event of this request may be hashed with. */
export interface RequestSalts {
  today: Uint8Array;
  /** Set during the first 30 minutes of a UTC day, so a visit running over midnight stays one. */
  yesterday: Uint8Array | null;
}

interface Attribution {
  referrer: string | null;
  referrerHost: string | null;
  source: string | null;
  medium: Medium;
}

/** Where the visit came from: UTM tags first, then the referrer, then `?ref=`. */
function attribute(page: PageUrl, rawReferrer: string | undefined, site: Site): Attribution {
  const ref = parseReferrer(rawReferrer);
  const internal = ref !== null && hostBelongsToSite(ref.host, site);
  const known = ref && !internal ? knownReferrer(ref.host, ref.url.slice(ref.host.length)) : null;
  const referrer = ref && !internal ? ref.url : null;
  const referrerHost = ref && !internal ? ref.host : null;
  if (page.utm.source) {
    const medium = page.utm.medium ? mediumFromUtm(page.utm.medium) : (known?.medium ?? 'referral');
    return { referrer, referrerHost, source: canonicalSource(page.utm.source), medium };
  }
  if (internal) return { referrer: null, referrerHost: null, source: null, medium: 'internal' };
  if (ref) return { referrer, referrerHost, source: known?.source ?? ref.host.replace(/^www\./, ''), medium: known?.medium ?? 'referral' };
  if (page.ref) return { referrer: null, referrerHost: null, source: canonicalSource(page.ref), medium: 'referral' };
  return { referrer: null, referrerHost: null, source: null, medium: 'direct' };
}

export class Enricher {
  #salts: DailySalts;
  #sessions: Sessions;
  #geo: GeoLookup;
  #ready: { day: number; salts: RequestSalts; sinceMidnight: boolean } | null = null;

  constructor(deps: { salts: DailySalts; sessions: Sessions; geo: GeoLookup }) {
    this.#salts = deps.salts;
    this.#sessions = deps.sessions;
    this.#geo = deps.geo;
  }

  /** Fetches (creating when needed) the salts for a request at `now`. */
  async saltsFor(now: number): Promise<RequestSalts> {
    const today = await this.#salts.forDay(utcDay(now));
    const yesterday = now % DAY_MS < SESSION_GAP_MS ? await this.#salts.forDay(utcDay(now - DAY_MS)) : null;
    this.#ready = { day: Math.floor(now / DAY_MS), salts: { today, yesterday }, sinceMidnight: yesterday !== null };
    return this.#ready.salts;
  }

  /** The salts for `now` without waiting, when the last request already fetched them (the usual case). */
  saltsReady(now: number): RequestSalts | null {
    const r = this.#ready;
    if (!r || r.day !== Math.floor(now / DAY_MS)) return null;
    // Past the first half hour of the day, yesterday's salt is no longer offered.
    if (r.sinceMidnight && now % DAY_MS >= SESSION_GAP_MS) return null;
    return r.salts;
  }

  /**
   * Enriches one event; `url` is its parsed page URL, `ts` the event time (the request time
   * unless a server SDK sent `t`).
   */
  enrich(ev: WireEvent, url: URL, site: Site, facts: RequestFacts, salts: RequestSalts, ts: number): StoredEvent {
    let visitor = visitorId(salts.today, site.id, facts.ip, facts.userAgent);
    if (salts.yesterday && !this.#sessions.isOpen(visitor, ts)) {
      const before = visitorId(salts.yesterday, site.id, facts.ip, facts.userAgent);
      if (this.#sessions.isOpen(before, ts)) visitor = before;
    }
    const page = normalizePageUrl(url, site.queryKeys);
    const ua = parseUserAgent(facts.userAgent);
    const where = attribute(page, ev.r, site);
    return {
      site: site.id,
      ts,
      name: ev.n,
      visitor,
      session: this.#sessions.assign(visitor, ts),
      hostname: page.hostname,
      pathname: page.pathname,
      query: page.query,
      referrer: where.referrer,
      referrerHost: where.referrerHost,
      source: where.source,
      medium: where.medium,
      utmSource: page.utm.source,
      utmMedium: page.utm.medium,
      utmCampaign: page.utm.campaign,
      utmTerm: page.utm.term,
      utmContent: page.utm.content,
      country: this.#geo.country(facts.ip),
      browser: ua.browser,
      browserVersion: ua.browserVersion,
      os: ua.os,
      osVersion: ua.osVersion,
      device: ua.device,
      screenWidth: ev.w ?? null,
      props: ev.p && Object.keys(ev.p).length > 0 ? JSON.stringify(ev.p) : null,
      engagedMs: ev.d ?? null,
      scrollDepth: ev.sd ?? null,
      clientId: ev.id ?? null,
    };
  }
}
