/**
 * `@cairn/tracker/react`: the tracker for React apps (18 and 19), on the npm API of index.ts.
 *
 *   <CairnProvider site="SITE_ID" api="https://stats.example.com/api/event"><App /></CairnProvider>
 *   const { track } = useCairn();   // in any component: onClick={() => track('signup', { plan: 'pro' })}
 *
 * Nothing runs during render: the tracker starts in an effect, so server rendering touches no
 * browser global, and StrictMode's second run of that effect finds it started (init() runs once).
 * Written without JSX, so that the tracker's TypeScript and rollup setup builds it as it is.
 */
import { createElement, Fragment, useEffect, useInsertionEffect, useRef, type ReactElement, type ReactNode } from 'react';
import { init, pageview, type InitOptions, type Props } from './index.ts';

export type { Feature, InitOptions, Props } from './index.ts';

/** `<CairnProvider>`'s props: the options of `init()`, and the app. */
export interface CairnProviderProps extends InitOptions {
  children?: ReactNode;
}

/** What `useCairn()` returns: the same object, with the same functions, on every render. */
export interface Cairn {
  /** Sends a custom event (flat props, at most 1 KB serialized); before the tracker starts, it waits for it. */
  track(name: string, props?: Props): void;
  /** Counts a pageview of the current URL, for apps whose router says when the page changed (`disable: ['spa']`). */
  pageview(): void;
}

/**
 * Starts the tracker once, when it mounts, with its props as `init()` options (read then, as t.js
 * reads its tag once); the `props` option is the one exception: each pageview reads the latest.
 */
export function CairnProvider({ children, ...options }: CairnProviderProps): ReactElement {
  // An inline `props={() => ({ route })}` sees the route of the render that was committed. Set in
  // an insertion effect, which runs before every component's effects: a pageview() called from an
  // effect of the app (its children) already reads the new route.
  const latest = useRef(options.props);
  useInsertionEffect(() => {
    latest.current = options.props;
  });
  useEffect(() => {
    if (!options.site || !options.api) console.error('[@cairn/tracker/react] <CairnProvider>: "site" and "api" are required; nothing is sent.');
    init({ ...options, props: () => latest.current?.() });
    // Mount only: init() reads its options once.
  }, []);
  return createElement(Fragment, null, children);
}

const cairn: Cairn = {
  track(name, props) {
    // Server rendering has no window: nothing to send, and nothing may throw.
    if (typeof window == 'undefined') return;
    // Until the tracker runs, calls wait in the snippet's queue (index.ts and t.js replay it). Effects
    // run children first: an app's mount effect calls track() before the provider's starts the tracker.
    (window.cairn ||= (...args: unknown[]) => void (window.cairn.q ||= []).push(args))(name, props);
  },
  // Before the tracker starts it does nothing: starting counts the page as it is then.
  pageview,
};

/** The tracker's `track` and `pageview`; works without the provider too (with a t.js tag, say). */
export function useCairn(): Cairn {
  return cairn;
}
