'use client';
// `next` has no exports map: Node's ESM loader needs the `.js` when a server bundle loads this file unbundled.
import { useRouter } from 'next/router.js';
import { useRoutePageviews, type AnalyticsProps } from './pageviews.ts';

export type { AnalyticsProps } from './pageviews.ts';

/** Cairn for the Pages Router (in `pages/_app`): one pageview per navigation; `pathname` is the route pattern. */
export function Analytics(props: AnalyticsProps): null {
  const router = useRouter();
  useRoutePageviews(props, router.asPath, router.pathname);
  return null;
}
