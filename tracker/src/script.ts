/**
 * The `t.js` entry: configured by the `data-*` attributes of its own <script> tag (no inline
 * script needed, so a strict CSP works); it replays the calls queued before it loaded.
 *
 *   <script defer src="https://COLLECTOR/t.js" data-site="SITE_ID" data-api="https://COLLECTOR/api/event"></script>
 */
import type { CairnFunction } from './global.ts';
import { start } from './tracker.ts';

const s = document.currentScript as HTMLScriptElement;
const { dataset } = s;
// A second copy of t.js on the page (a theme and a plugin, GTM and a hard-coded tag) would count
// everything twice: the first one to run is the tracker, and marks its `window.cairn` as such.
if (window.cairn?.t) dataset.debug != null && console.warn('cairn: ignored', 't.js', 'twice');
else {
  const [track] = start(dataset);
  // Calls queued by the snippet, before `window.cairn` is this script's (spread takes their `arguments` as they are).
  window.cairn?.q?.map((args) => track(...(args as Parameters<typeof track>)));
  (window.cairn = track as CairnFunction).t = 1;

  if (dataset.vitals != null) {
    // Only sites that ask for Web Vitals download them: t-v.js next to t.js, or `data-vitals="URL"`
    // (a proxy that renames t.js names the chunk there too).
    const v = document.createElement('script');
    v.src = dataset.vitals || s.src.replace('t.js', 't-v.js');
    document.head.append(v);
  }
}
