/**
 * The collector's dashboard app (`/app/app.js`, the one script of the page at `/`): defines
 * `<cairn-app>` and registers the service worker that keeps the app shell for offline starts.
 */
import './cairn-app.ts';

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((err: unknown) => console.warn('Cairn: the service worker could not be registered', err));
}
