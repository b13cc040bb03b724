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

let started = false;

/** The route pattern of the page in the document, from the `<meta>` the middleware adds. */
const current = () => {
  const pattern = document.querySelector<HTMLMetaElement>('meta[name="cairn-route"]')?.content;
  return pattern ? { route: pattern } : undefined;
};

/** Starts the tracker (once, whatever the number of calls). */
export function start({ route, ...options }: ClientOptions): void {
  if (started) return;
  started = true;
  init({
    ...options,
    // <ClientRouter /> changes the URL before it swaps the page (back/forward too): count at
    // astro:page-load instead, once the new page's <head> and its pattern are in the document.
    disable: [...(options.disable ?? []), 'spa'],
    ...(route ? { props: current } : {}),
  });
  // Fired after every navigation (and on the first load, which the tracker has already counted:
  // it ignores a second view of the same URL), once the new page is in the document.
  document.addEventListener('astro:page-load', () => pageview());
}
