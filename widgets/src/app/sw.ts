/**
 * The dashboard's service worker (`/sw.js`): keeps the app shell (the page, app.js, the manifest,
 * the icons) so that the app starts offline and fast. It never answers `/api/`: statistics,
 * sessions and settings always come from the network and are never stored in a cache (a shared
 * computer must not keep someone's stats after they log out). The cache's name carries the
 * build's version; older caches are deleted when a new worker activates.
 */

// Set by widgets/scripts/build.ts.
declare const __CAIRN_SHELL_VERSION__: string;
declare const __CAIRN_SHELL__: string[];

/** The parts of the service worker scope this file uses (the DOM lib has no worker types). */
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(r: Promise<Response>): void;
}
interface WorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (e: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
}

const scope = self as unknown as WorkerScope;
const PREFIX = 'cairn-shell-';
const CACHE = `${PREFIX}${__CAIRN_SHELL_VERSION__}`;
const SHELL = new Set(__CAIRN_SHELL__);

scope.addEventListener('install', (e) => {
  e.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll([...SHELL]))
      .then(() => scope.skipWaiting()),
  );
});

scope.addEventListener('activate', (e) => {
  e.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => scope.clients.claim()),
  );
});

scope.addEventListener('fetch', (e) => {
  const req = e.request;
  const url = new URL(req.url);
  // Anything not the shell (the API above all) is left to the network: no respondWith, no cache.
  if (req.method !== 'GET' || url.origin !== scope.location.origin || url.pathname.startsWith('/api/')) return;
  if (req.mode === 'navigate') {
    // The page: fresh from the network when it answers, else the cached shell (every app path serves the same page).
    e.respondWith(fetch(req).catch(() => caches.match('/', { cacheName: CACHE }).then((r) => r ?? Response.error())));
  } else if (SHELL.has(url.pathname)) {
    e.respondWith(caches.match(req, { cacheName: CACHE }).then((r) => r ?? fetch(req)));
  }
});
