/**
 * The browser side, bundled into every page by `injectScript('page', …)`: starts the tracker and
 * counts each view-transition navigation once, with the route pattern beside the path.
 */
import { init, pageview, type InitOptions } from '@cairn/tracker';

/** Custom events from your own scripts: `track('signup', { plan: 'pro' })` (the tracker the integration started). */
export { track } from '@cairn/tracker';

/** The tracker's options, plus whether to report the route pattern (`route`). */
export interface ClientOptions extends Omit<InitOptions, 'props'> {
  route: boolean;
}

/** The `<meta>` the middleware adds: the pattern, and the path it was rendered for. */
const META = 'meta[name="cairn-route"]';

let started = false;

/** Prerendered pages are rendered as `/blog/hello/` but may be visited as `/blog/hello`. */
const trim = (path: string) => path.replace(/(.)\/+$/, '$1');

/** Starts the tracker (once, whatever the number of calls). */
export function start({ route, ...options }: ClientOptions): void {
  if (started) return;
  started = true;
  // Patterns of the pages this tab has shown, by path: the tracker counts a back/forward
  // navigation at `popstate`, before the router has swapped in that page's <head>.
  const seen = new Map<string, string>();
  const current = () => {
    const meta = document.querySelector<HTMLMetaElement>(META);
    if (meta?.dataset.path) seen.set(trim(meta.dataset.path), meta.content);
    const pattern = seen.get(trim(location.pathname));
    return pattern ? { route: pattern } : undefined;
  };
  init({
    ...options,
    // <ClientRouter /> pushes the URL before it swaps the page: count at astro:page-load instead.
    disable: [...(options.disable ?? []), 'spa'],
    ...(route ? { props: current } : {}),
  });
  // Fired after every navigation (and on the first load, which the tracker has already counted:
  // it ignores a second view of the same URL), once the new page is in the document.
  document.addEventListener('astro:page-load', () => pageview());
}
