import { init, pageview, type InitOptions } from '@cairn/tracker';
import { useEffect, useRef } from 'react';
import { settings } from './settings.ts';

/** `<Analytics />`'s props: the tracker's options; `site` and `api` default to withCairn()'s. */
export type AnalyticsProps = Partial<Omit<InitOptions, 'props'>>;

/**
 * Counts one pageview per navigation (`path` changes, back/forward included), each with the
 * route pattern as its `route` prop. The tracker's own navigation tracking is off (`spa`): the
 * router says when a page changed, once it knows the new route.
 */
export function useRoutePageviews(props: AnalyticsProps, path: string, route: string): void {
  // The route of the page on screen, read by the tracker when it counts a pageview.
  const shown = useRef(route);
  useEffect(() => {
    shown.current = route;
    const { site = settings().site, api = settings().api } = props;
    if (!site || !api) {
      console.error('[@cairn/next] <Analytics />: no site id or endpoint. Wrap next.config with withCairn(config, { collector, site }) from "@cairn/next/config".');
      return;
    }
    init({ ...props, site, api, disable: [...(props.disable ?? []), 'spa'], props: () => ({ route: shown.current }) });
    pageview();
    // Options are read once, as the tracker reads them: only navigations matter here.
  }, [path, route]);
}
