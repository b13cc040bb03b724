/**
 * The tracker: pageviews (load, SPA, hash routes, bfcache, prerender), engaged time and scroll
 * depth, link clicks (outbound, tel:, mailto:, downloads), form submissions, CTA clicks and custom
 * events — one closure, framework-free. Every byte ships to every visitor of every site:
 * `npm test` fails if t.js grows over 1,500 bytes gzip (`npm run size` shows it).
 *
 * Privacy: no cookie, no storage API, nothing read that could fingerprint a browser.
 * Robustness: nothing here may throw into the host page; every entry point goes through `safe`,
 * and every event not sent goes through `ignore(reason)`, logged when `data-debug` is set.
 */
import type { WireEvent } from '@cairn/collector/protocol';

/** Flat props of an event: what `cairn('signup', { plan: 'pro' })` takes. */
export type Props = Record<string, string | number | boolean>;

/**
 * The settings by their `init()` option names, which are also their `dataset` names (`site`,
 * `api`, `hash`, `exclude`, `respectDnt`, `allowLocal`, `allowAutomation`, `debug`, `disable`,
 * `downloads`): text, '' for a flag that is set, undefined when unset. t.js passes its tag's
 * `dataset` itself (`data-respect-dnt` is `respectDnt` there); `init()` maps its options.
 */
export type Settings = Partial<Record<string, string>>;

/** Automatic features that `disable` can switch off. */
export type Feature = 'spa' | 'engagement' | 'outbound' | 'tel' | 'mailto' | 'download' | 'form' | 'cta';

/** What `start` returns: a pair, so that t.js keeps `track` and drops the name `pageview`. */
export type Tracker = [track: (name: string, props?: Props) => void, pageview: () => void];

const IDLE = 30_000;

/**
 * Starts the tracker with `set` as its settings and counts the first pageview. `props`, when
 * given (the npm API: frameworks), is read at every pageview for that pageview's props, such as
 * the route pattern (`/blog/[slug]`) beside the concrete URL.
 */
export function start(set: Settings, props?: () => Props | undefined): Tracker {
  // No aliases for globals (const doc = document…): gzip codes a repeated `document.` or `Math.`
  // as a back-reference for fewer bytes than the alias declarations cost.

  // List settings (disable, exclude, downloads) are words or patterns separated by spaces.
  const off = (f: Feature) => set.disable?.split(' ').includes(f);

  /** The only way an event is not sent: say why, in debug mode. */
  const ignore = (reason: unknown, name?: string) => set.debug != null && console.warn('cairn: ignored', name, reason);

  /** Wraps a function so that it never throws into the host page. */
  const safe =
    <A extends unknown[]>(fn: (...a: A) => unknown) =>
    (...a: A) => {
      try {
        fn(...a);
      } catch (err) {
        ignore(err);
      }
    };

  // On the window, in the capture phase: events of the document and of every element pass there
  // first (bubbling or not), so one target serves them all, and a page that stops propagation
  // does not hide its clicks from us.
  const listen = (types: string, fn: (e: Event) => unknown) => {
    types.split(' ').map((type) => addEventListener(type, safe(fn), true)); // map: shorter than forEach
  };

  let url = ''; // the page being counted: set by the first pageview, before anything else is sent
  // Engaged time of that page: counted while the tab is shown and the visitor acted in the last
  // 30 s, i.e. up to `until` (0 while the tab is hidden); sent as increments (`d`) with the
  // scroll depth (`sd`): the deepest the bottom of the window has been (`deep`, px from the top)
  // against the page's height when it is sent, so that content that came later (late images,
  // client-rendered content, infinite scroll) counts, and a route the app has yet to render does not.
  let engaged = 0;
  let mark = 0;
  let until = 0;
  let deep = 0;
  // How long an input keeps the visitor engaged; 0 when engagement is off: nothing is then counted.
  const idle = off('engagement') ? 0 : IDLE;

  const pageUrl = () => (set.hash != null ? location.href : location.href.split('#')[0]!);

  /**
   * Sends an event, or says why not: each step of `why` is a reason, and the last one sends. `u` is
   * the page the event belongs to: engaged time is sent after an SPA navigation, for the page left.
   */
  const send = (name: string, extra?: Partial<WireEvent>, u = url): unknown => {
    // A prerendered page (speculation rules) may never be shown: all it would send, its pageview
    // first, waits until it is, and goes then, in order, as it was when it was made.
    if (document.prerendering) return listen('prerenderingchange', () => send(name, extra, u));
    const api = set.api;
    const why = !set.site || !api
      ? 'config'
      : // This machine: localhost, 127.x.x.x, [::1], or no host at all (file:); not localhost.example.com.
        set.allowLocal == null && /^(localhost|127\.\d+\.\d+\.\d+|\[::1]|)$/.test(location.hostname)
        ? 'local'
        : set.allowAutomation == null && navigator.webdriver
          ? 'automation'
          : set.respectDnt != null && (navigator.doNotTrack == '1' || (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl)
            ? 'dnt'
            : // One pattern for all: `*` stands for any characters (/admin/*, /*/preview). Without
              // data-exclude it is ^(undefined)$, which no path matches (a path begins with /).
              RegExp(`^(${set.exclude?.replaceAll(' ', '|').replaceAll('*', '.*')})$`).test(new URL(u).pathname)
              ? 'excluded'
              : // A string beacon is text/plain: no CORS preflight, and it survives the page being
                // closed. Not queued (false: over the browser's quota, which fetch keepalive shares)
                // or beacons switched off (undefined: a privacy setting): the event is not sent.
                !navigator.sendBeacon?.(api!, JSON.stringify({ s: set.site!, n: name, u, w: innerWidth, ...extra } satisfies WireEvent)) &&
                'no beacon';
    why && ignore(why, name);
  };

  // Props over 1 KB are refused by the collector (413), which measures them as the wire format says
  // (bytes of UTF-8, not characters): no second, rougher check here.
  const track = (name: string, props?: Props) => send(name, props && { p: props });

  /** Counts engaged time up to now, and the deepest point the bottom of the window has reached. */
  const settle = () => {
    const t = Date.now();
    engaged += Math.max(0, Math.min(t, until) - mark);
    mark = t;
    deep = Math.max(deep, scrollY + innerHeight);
  };

  /** The visitor did something, or the page was shown: engaged time counts for the next 30 s. */
  const active = () => {
    settle();
    until = document.hidden ? 0 : mark + idle; // mark: now, as settle() just set it
  };

  /** Sends the engaged time counted since this page's last engagement event, if any. */
  const flush = () => {
    if (!url) return;
    settle();
    // Scrolling is an input, so a deeper scroll comes with engaged time: no time, nothing new.
    if (engaged) send('engagement', { d: engaged, sd: Math.min(100, Math.round((deep * 100) / document.documentElement.scrollHeight)) });
    engaged = 0;
  };

  /** Counts a pageview of the current URL, once per URL. */
  const pageview = () => {
    const u = pageUrl();
    if (u == url) return ignore('twice', 'pageview');
    // The page left is settled and sent first. The new page starts from nothing: its depth counts
    // from the next input and when it is sent, not now (its app may not have rendered it yet).
    active();
    flush();
    engaged = deep = 0;
    // The first view keeps the document's referrer; SPA views come from the previous page.
    // Props spread in only when given: t.js has no props(), and its minified code then keeps no `p`.
    send('pageview', { r: url || document.referrer, ...(props && { p: props() }) }, (url = u));
  };

  const view = safe(pageview);
  // In-page navigations. A router that counts its own pages (disable: ['spa'], then pageview())
  // gets back/forward too, so that those pageviews carry its props (the route pattern).
  if (!off('spa')) {
    const h = history as unknown as Record<string, (...a: unknown[]) => void>;
    for (const m of ['pushState', 'replaceState']) {
      const orig = h[m]!;
      // An arrow calling the original on `history` itself: no `function` and `this` to carry.
      h[m] = (...a: unknown[]) => (orig.apply(h, a), view());
    }
    // The same URL counted twice is ignored: safe even when a framework counts its routes too.
    listen('popstate hashchange', pageview);
  }
  // Back/forward cache: the page comes back without loading again; it is a new view.
  listen('pageshow', (e) => (e as PageTransitionEvent).persisted && ((url = ''), pageview()));

  if (idle) {
    // Every input counts, unthrottled: browsers fire scroll at most once per frame, and what
    // settle() reads (scroll position, page height) is cheap at that point.
    listen('scroll keydown pointerdown', active);
    // Hidden: active() stops the count (until = 0) and what was counted is sent.
    listen('visibilitychange', () => (active(), document.hidden && flush()));
    // The page is going: what follows (a visibilitychange) must not count more time.
    listen('pagehide', () => (flush(), (until = 0)));
    setInterval(safe(() => Date.now() < until && flush()), idle);
  }

  listen('click auxclick', (e) => {
    if ((e as MouseEvent).button > 1) return;
    const el = e.target as Element;
    const cta = el.closest('[data-cairn-event]');
    // An empty name is no event (a template that left it blank): nothing to send.
    if (cta?.getAttribute('data-cairn-event') && !off('cta')) {
      const p: Props = {};
      for (const k of cta.getAttributeNames()) if (k.startsWith('data-cairn-prop-')) p[k.slice(16)] = cta.getAttribute(k)!;
      track(cta.getAttribute('data-cairn-event')!, p);
    }
    // HTML and SVG links alike (an SVG <a> has no protocol or host: its href is an SVGAnimatedString),
    // resolved as the browser resolves them, against the document's base URL.
    const a = el.closest('a[href]');
    if (!a) return;
    const l = new URL(a.getAttribute('href')!, a.baseURI);
    const p = l.protocol;
    const exts = set.downloads?.replaceAll(' ', '|') || 'pdf|zip|rar|7z|gz|dmg|exe|msi|apk|csv|docx?|xlsx?|pptx?|mp[34]';
    // The event is named after what the link does; `to` is where it goes (for tel: and mailto:,
    // the number or address without ?subject=… and the like).
    const kind =
      p == 'tel:' || p == 'mailto:'
        ? p.slice(0, -1)
        : p[0] == 'h'
          ? l.host == location.host
            ? RegExp(`\\.(${exts})$`, 'i').test(l.pathname) || a.hasAttribute('download')
              ? 'download'
              : ''
            : 'outbound'
          : '';
    if (kind && !off(kind as Feature)) track(kind, { to: p[0] == 'h' ? l.origin + l.pathname : l.pathname });
  });

  off('form') ||
    listen('submit', (e) => {
      // getAttribute: an input named "id", "name" or "action" shadows the form's own properties.
      const attr = (k: string) => (e.target as HTMLFormElement).getAttribute(k);
      track('form', {
        form: attr('id') || attr('name') || undefined!,
        // The button that submitted the form may send it elsewhere (formaction). The page's
        // address as the base: a Location stands for its href.
        action: new URL((e as SubmitEvent).submitter?.getAttribute('formaction') || attr('action') || '', location as unknown as string).pathname,
      });
    });

  view(); // held by send() while the page is prerendered
  return [safe(track), view];
}
