'use client';
import { createElement, useEffect, type ReactElement } from 'react';
import { settings } from './settings.ts';

export interface DashboardProps {
  /** A view token from `viewToken()` (`@cairn/next/server`), minted on the server. */
  token: string;
  /** The collector's URL; withCairn()'s by default. */
  api?: string;
  /** The site id; withCairn()'s by default. */
  site?: string;
  /** The first period shown: `day`, `7d`, `30d`, `month`, `12mo`. */
  period?: string;
  theme?: 'light' | 'dark' | 'auto';
  /** Keep the period and filters in the page's URL. */
  urlState?: boolean;
  className?: string;
}

/** Cairn's dashboard (`<cairn-dashboard>`): its web components load in the browser only. */
export function Dashboard({ token, api = settings().collector, site = settings().site, urlState, className, ...attrs }: DashboardProps): ReactElement {
  useEffect(() => {
    void import('@cairn/widgets');
  }, []);
  return createElement('cairn-dashboard', { ...attrs, api, site, token, class: className, 'url-state': urlState ? '' : undefined });
}
