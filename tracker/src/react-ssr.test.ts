/**
 * @cairn/tracker/react on the server: importing the built package and `renderToString` of
 * <CairnProvider> with a component that uses useCairn() read no browser global (each one a trap
 * that records who touched it), and give the app's HTML, nothing more.
 */
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { expect, it } from 'vitest';

const BROWSER_GLOBALS = ['window', 'document', 'navigator', 'location', 'history', 'localStorage', 'sessionStorage'];

/** Replaces each browser global with a getter and setter that record the access and its stack. */
function trapBrowserGlobals(): { touched: string[]; restore(): void } {
  const touched: string[] = [];
  // Node 24 has navigator (and, behind a flag, localStorage) of its own: trapped and put back too.
  const saved = BROWSER_GLOBALS.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const);
  for (const name of BROWSER_GLOBALS) {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get: () => void touched.push(`${name} read at ${new Error().stack}`),
      set: () => void touched.push(`${name} written at ${new Error().stack}`),
    });
  }
  return {
    touched,
    restore() {
      for (const [name, d] of saved) {
        if (d) Object.defineProperty(globalThis, name, d);
        else delete (globalThis as Record<string, unknown>)[name];
      }
    },
  };
}

it('imports and renders on the server without touching a browser global', async () => {
  const traps = trapBrowserGlobals();
  let html: string;
  try {
    // The built entry, as users get it: importing it (and index.js with it) runs nothing browser-only.
    const { CairnProvider, useCairn } = await import('@cairn/tracker/react');
    function Signup() {
      const { track, pageview } = useCairn();
      return createElement('button', { type: 'button', onClick: () => (track('signup', { plan: 'pro' }), pageview()) }, 'Sign up');
    }
    const options = { site: 'SITE_ID', api: 'https://stats.example.com/api/event', disable: ['spa' as const], props: () => ({ route: '/' }) };
    html = renderToString(createElement(CairnProvider, options, createElement('main', null, createElement(Signup))));
  } finally {
    traps.restore();
  }
  expect(traps.touched).toEqual([]);
  expect(html).toBe('<main><button type="button">Sign up</button></main>');
});

it('gives the same functions on every render, and they do nothing on the server', async () => {
  const { CairnProvider, useCairn } = await import('@cairn/tracker/react');
  const seen: ReturnType<typeof useCairn>[] = [];
  function Probe() {
    seen.push(useCairn());
    return null;
  }
  const app = () => createElement(CairnProvider, { site: 'SITE_ID', api: 'https://stats.example.com/api/event' }, createElement(Probe));
  renderToString(app());
  renderToString(app());
  expect(seen).toHaveLength(2);
  expect(seen[1]).toBe(seen[0]);
  // No window here: a call made on the server (say, in a loader) is dropped, never thrown.
  expect('window' in globalThis).toBe(false);
  expect(() => (seen[0]!.track('signup', { plan: 'pro' }), seen[0]!.pageview())).not.toThrow();
});
