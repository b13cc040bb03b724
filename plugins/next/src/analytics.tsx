'use client';
import { useParams, usePathname } from 'next/navigation.js';
import { useRoutePageviews, type AnalyticsProps } from './pageviews.ts';
import { routePattern } from './route-pattern.ts';

export type { AnalyticsProps } from './pageviews.ts';

/** Cairn for the App Router (in the root layout): one pageview per navigation, with its route pattern. */
export function Analytics(props: AnalyticsProps): null {
  const pathname = usePathname();
  const params = useParams();
  useRoutePageviews(props, pathname, routePattern(pathname, params));
  return null;
}
