/**
 * The Web Vitals chunk (`t-v.js`), loaded only when a site sets `data-vitals`: reports LCP, INP,
 * CLS, FCP and TTFB once each is final, as `vital` events ({ metric, value }), through the
 * already loaded tracker.
 */
import { onCLS, onFCP, onINP, onLCP, onTTFB, type Metric } from 'web-vitals';

/** Starts the measurements; `report` receives each final value (CLS unitless, the rest in ms). */
export function startVitals(report: (metric: string, value: number) => void): void {
  const send = (m: Metric) => report(m.name, m.name == 'CLS' ? Math.round(m.value * 1000) / 1000 : Math.round(m.value));
  onLCP(send);
  onINP(send);
  onCLS(send);
  onFCP(send);
  onTTFB(send);
}
