/** The `t-v.js` script: Web Vitals sent as `vital` events through the `window.cairn` t.js set up. */
import { startVitals } from './vitals.ts';

startVitals((metric, value) => window.cairn?.('vital', { metric, value }));
