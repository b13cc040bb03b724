/**
 * Why the collector did not count an event: the reasons of the filtered-traffic report
 * (`GET /api/stats/:site/filtered`) and of the live installation check, each with the plain
 * words the dashboard shows. Drops are counted per site and UTC day (store.ts: DropCount).
 */

export const DROP_REASONS = [
  'no_user_agent',
  'headless',
  'bot',
  'prefetch',
  'hostname_not_allowed',
  'unknown_site',
  'rate_limited',
  'duplicate',
  'invalid',
] as const;

export type DropReason = (typeof DROP_REASONS)[number];

/** What each reason means, for a site owner. */
export const DROP_REASON_TEXT: Record<DropReason, { label: string; explanation: string }> = {
  no_user_agent: {
    label: 'No browser name',
    explanation: 'The request named no browser (no User-Agent header): scripts and tools send these, people’s browsers do not.',
  },
  headless: {
    label: 'Automated browser',
    explanation: 'A browser driven by a program (HeadlessChrome, Puppeteer, Playwright, Selenium…): tests, monitors and scrapers.',
  },
  bot: {
    label: 'Known bot',
    explanation: 'A crawler or tool that says what it is (Googlebot, curl, uptime monitors…).',
  },
  prefetch: {
    label: 'Prefetch',
    explanation: 'A request made for a page loaded in advance (prefetched), not shown to anyone: not a view.',
  },
  hostname_not_allowed: {
    label: 'Domain not registered',
    explanation: 'The page is on a domain that is not one of this site’s domains (a copy of the site, a staging server, a translation proxy). Add the domain in the site’s settings if it is yours.',
  },
  unknown_site: {
    label: 'Site deleted',
    explanation: 'The tracker sent events for this site while it was deleted: the tag is still on the pages.',
  },
  rate_limited: {
    label: 'Too many events',
    explanation: 'More events came from one address, or for this site, than the collector’s limits allow in a second: a script or a flood.',
  },
  duplicate: {
    label: 'Sent twice',
    explanation: 'An event the collector already had, sent again (a retry after a lost answer): counted once.',
  },
  invalid: {
    label: 'Not a valid event',
    explanation: 'The request was not an event the collector understands (a missing or wrong field, too large): an outdated or modified tracker, or a hand-made request.',
  },
};

/** The filtered-traffic report: what was dropped in a period, by reason and by day. */
export interface FilteredAnswer {
  /** First and last UTC day, both included (drops are counted per UTC day). */
  period: { from: string; to: string };
  total: number;
  /** Every reason with a count, largest first, with its plain words. */
  reasons: { reason: DropReason; label: string; explanation: string; count: number }[];
  /** Each day of the period, its drops by reason (reasons without any left out). */
  days: { day: string; total: number; counts: Partial<Record<DropReason, number>> }[];
}
