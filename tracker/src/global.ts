/** The `window.cairn` function a page calls for custom events. */
import type { Props } from './tracker.ts';

export interface CairnFunction {
  (event: string, props?: Props): void;
  /** Calls made before t.js loaded, kept by the snippet `window.cairn=window.cairn||function(){(cairn.q=cairn.q||[]).push(arguments)}`. */
  q?: ArrayLike<unknown>[];
  /** Set on the `window.cairn` of a running t.js: a second copy of t.js on the page stays idle. */
  t?: 1;
}

declare global {
  interface Window {
    /** Cairn analytics: `cairn('signup', { plan: 'pro' })` sends a custom event (flat props, ≤ 1 KB). */
    cairn: CairnFunction;
  }
}
