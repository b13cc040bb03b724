/** The collector's widgets bundle (`<collector>/widgets.js`), loaded once into the extension. */
import { AppError } from './app-client.ts';
import { h } from './dom.ts';

let attempts = 0;

/** Resolves once `<cairn-page-stats>` and `<cairn-dashboard>` are defined. */
export function loadWidgets(collectorUrl: string): Promise<void> {
  if (customElements.get('cairn-dashboard') && customElements.get('cairn-page-stats')) return Promise.resolve();
  // The browser remembers a module that failed to load: a retry needs another URL.
  const attempt = attempts++ ? `?attempt=${attempts}` : '';
  return new Promise((resolve, reject) => {
    const script = h('script', { type: 'module', src: `${collectorUrl}/widgets.js${attempt}` });
    script.addEventListener('error', () => reject(new AppError(0, 'widgets_unreachable', `The widgets could not be loaded from ${collectorUrl}/widgets.js.`)));
    script.addEventListener('load', () => void Promise.all(['cairn-dashboard', 'cairn-page-stats', 'cairn-breakdown'].map((t) => customElements.whenDefined(t))).then(() => resolve()));
    document.head.append(script);
  });
}
