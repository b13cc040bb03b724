/**
 * `@cairn/tracker` for bundlers: the same tracker as t.js, configured in code.
 *
 *   import { init, track } from '@cairn/tracker';
 *   init({ site: 'SITE_ID', api: 'https://stats.example.com/api/event' });
 *   track('signup', { plan: 'pro' });
 *
 * Frameworks that know their routes pass `disable: ['spa']` and call `pageview()` on navigation.
 */
import type { CairnFunction } from './global.ts';
import { start, type Feature, type Props, type Settings, type Tracker } from './tracker.ts';

export type { CairnFunction } from './global.ts';
export type { Feature, Props } from './tracker.ts';

/** The options of `init()`; each mirrors a `data-*` attribute of the t.js tag. */
export interface InitOptions {
  /** Site id (`data-site`). */
  site: string;
  /** Event endpoint (`data-api`). */
  api: string;
  /** Count `#/route` changes as pageviews (`data-hash`). */
  hash?: boolean;
  /** Path patterns not to count; `*` stands for any characters (`data-exclude`). */
  exclude?: string[];
  /** Send nothing when Do Not Track or Global Privacy Control is on (`data-respect-dnt`). */
  respectDnt?: boolean;
  /** Count localhost and file: pages too (`data-allow-local`). */
  allowLocal?: boolean;
  /** Count browsers driven by automation (`navigator.webdriver`) too (`data-allow-automation`). */
  allowAutomation?: boolean;
  /** Log every ignored event to the console (`data-debug`). */
  debug?: boolean;
  /** Automatic features to switch off (`data-disable`). */
  disable?: Feature[];
  /** File extensions counted as downloads, replacing the default list (`data-downloads`). */
  downloads?: string[];
  /** Report Core Web Vitals, loading `web-vitals` as a separate chunk (`data-vitals`). */
  vitals?: boolean;
  /**
   * Props of each pageview, read when it is counted (the first one included): frameworks report
   * the route pattern this way, e.g. `() => ({ route: '/blog/[slug]' })`. Flat, at most 1 KB.
   */
  props?: () => Props | undefined;
}

/** The started tracker: [track, pageview]. */
let tracker: Tracker | undefined;

/** Configures the tracker, starts the automatic features and counts the first pageview. */
export function init(options: InitOptions): void {
  if (tracker) return;
  // A t.js tag already counts this page (a plugin's, besides the app's own init()): a second
  // tracker would count everything twice, so this one stays idle and track() goes to t.js.
  if (window.cairn?.t) {
    if (options.debug) console.warn('cairn: ignored', 'init()', 't.js counts this page already');
    return;
  }
  // The options in the form of t.js's `dataset`: a flag set is '', a list is space separated.
  const settings: Settings = {};
  for (const [name, v] of Object.entries(options)) {
    if (v === true) settings[name] = '';
    else if (typeof v == 'string') settings[name] = v;
    else if (Array.isArray(v)) settings[name] = v.join(' ');
  }
  tracker = start(settings, options.props);
  // Calls queued by the snippet go to this tracker, and `window.cairn` is marked as a running
  // tracker, so that a t.js tag on the same page stays idle (script.ts).
  const track = tracker[0];
  window.cairn?.q?.map((args) => track(...(args as Parameters<typeof track>)));
  (window.cairn = track as CairnFunction).t = 1;
  if (options.vitals) void import('./vitals.ts').then((m) => m.startVitals((metric, value) => tracker![0]('vital', { metric, value })));
}

/** Sends a custom event (flat props, at most 1 KB serialized); calls before `init()` are dropped, unless a t.js counts the page. */
export function track(name: string, props?: Props): void {
  if (tracker) tracker[0](name, props);
  // The page's t.js, when it counts the page instead (see init()).
  else if (window.cairn?.t) window.cairn(name, props);
}

/** Counts a pageview of the current URL (for routers that tell the tracker themselves). */
export function pageview(): void {
  tracker?.[1]();
}
