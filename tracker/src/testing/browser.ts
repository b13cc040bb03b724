/**
 * Real-browser test helpers for the tracker's Vitest suites (node environment): the
 * distribution's Chromium driven by playwright-core, one local server that plays both the
 * website and the event endpoint, a probe that records storage and fingerprinting API use, and
 * tab hide/show/close that fire the real lifecycle events.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { chromium } from 'playwright-core';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { findChromium } from '../../../scripts/chromium-path.ts';
import { killOnExit } from '../../../scripts/kill-on-exit.ts';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--mute-audio',
  // Every hostname is this machine, so pages get a real-looking origin (the tracker ignores localhost).
  '--host-resolver-rules=MAP * 127.0.0.1',
];

/**
 * Starts a headless Chromium. It is launched by hand and attached with `connectOverCDP({ noDefaults })`
 * rather than `chromium.launch()`: Playwright's focus emulation holds a "visible capturer" on every
 * page it sets up, and such a page can never become hidden; pages of the default context (see
 * `openTab`) are left alone, so `hideTab` can hide them for real.
 */
export async function launchChromium(options: { automationHidden?: boolean } = {}): Promise<Browser> {
  const executable = findChromium();
  if (!executable) {
    throw new Error(
      'No Chromium found (CHROMIUM_PATH, /usr/bin/chromium-headless-shell, /usr/bin/chromium): ' +
        'run `node scripts/ensure-chromium.ts` to install it.',
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'cairn-chromium-'));
  const args = [
    ...FLAGS,
    `--user-data-dir=${profile}`,
    '--remote-debugging-port=0',
    '--remote-debugging-pipe',
    // navigator.webdriver is true under automation; only this Blink switch makes the real property false.
    options.automationHidden ? '--disable-blink-features=AutomationControlled' : '--enable-automation',
    'about:blank',
  ];
  // Own process group: the Debian binaries are shell wrappers, so killing the wrapper alone would orphan Chromium.
  // Fds 3 and 4 are the DevTools pipe, never used but held: Chromium quits when it closes, that is
  // when this process ends however it ends (SIGKILL included), so no test can leave it running.
  const child = spawn(executable, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  (child.stdio[4] as Readable | null)?.resume();
  killOnExit(child, 'Chromium', { group: true });
  const killGroup = (): void => {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const cleanUp = async (): Promise<void> => {
    killGroup();
    await rm(profile, { recursive: true, force: true });
  };

  let browser: Browser;
  try {
    browser = await chromium.connectOverCDP(await devtoolsEndpoint(child, executable), { noDefaults: true, isLocal: true });
  } catch (err) {
    await cleanUp();
    throw err;
  }
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const disconnect = browser.close.bind(browser);
  // A browser reached over CDP only disconnects on close(): make close() end the process too.
  browser.close = async (closeOptions) => {
    try {
      await (await browser.newBrowserCDPSession()).send('Browser.close');
    } catch {
      // The connection drops while Chromium exits, or it is already gone.
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
    clearTimeout(timer);
    await disconnect(closeOptions).catch(() => undefined);
    await cleanUp();
  };
  return browser;
}

/** Reads `DevTools listening on ws://…` from Chromium's stderr, then keeps draining it. */
function devtoolsEndpoint(child: ChildProcess, executable: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail('printed no DevTools endpoint within 30 s'), 30_000);
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new Error(`${executable} ${why}:\n${output.slice(-2_000)}`));
    };
    child.stderr?.on('data', (chunk: Buffer) => {
      if (output.length < 20_000) output += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('error', (err) => fail(`could not start (${err.message})`));
    child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
  });
}

/** Opens a tab in the browser's default context: the only pages `hideTab` can hide. */
export async function openTab(browser: Browser): Promise<Page> {
  const context = browser.contexts()[0];
  if (!context) throw new Error('This browser has no default context: launch it with launchChromium().');
  return context.newPage();
}

/** A recorded `POST /api/event`. */
export interface RecordedRequest {
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  contentType: string;
  headers: IncomingHttpHeaders;
  at: number;
}

/** One local server that is both the website under test and Cairn's event endpoint. */
export interface Site {
  /** `http://example.com:PORT`; any other hostname with the same port reaches the same server. */
  readonly origin: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Every request the browser made, as `req.url` (path and query), in order. */
  readonly hits: string[];
  /** Serves `html` at `path` as text/html; returns its full URL. */
  page(path: string, html: string): string;
  /** Serves any other file (e.g. the built tracker) at `path`; returns its full URL. */
  file(path: string, body: string | Uint8Array, contentType: string): string;
  /** The events received so far, flattened (a body may be one event or an array of them). */
  events<T = Record<string, unknown>>(): T[];
  /** Resolves with the events once at least `n` arrived; rejects listing what did arrive. */
  waitForEvents<T = Record<string, unknown>>(n: number, timeoutMs?: number): Promise<T[]>;
  /** Forgets recorded requests and hits (registered pages and files stay). */
  clear(): void;
  close(): Promise<void>;
}

/** Starts the website + event endpoint on 127.0.0.1 with a free port. */
export async function startSite(): Promise<Site> {
  const routes = new Map<string, { body: string | Uint8Array; contentType: string }>();
  const requests: RecordedRequest[] = [];
  const hits: string[] = [];
  const waiters = new Set<() => void>();

  const events = <T>(): T[] => requests.flatMap((r) => (Array.isArray(r.body) ? r.body : [r.body]) as T[]);

  const onEvent = (req: IncomingMessage, res: ServerResponse, text: string): void => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? 'content-type');
      res.setHeader('Access-Control-Max-Age', '600');
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST, OPTIONS' }).end();
      return;
    }
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Kept as text so a test can show what was sent.
    }
    requests.push({ body, contentType: req.headers['content-type'] ?? '', headers: req.headers, at: Date.now() });
    res.writeHead(202).end();
    for (const wake of waiters) wake();
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      hits.push(url);
      const path = new URL(url, 'http://x').pathname;
      if (path === '/api/event') return onEvent(req, res, Buffer.concat(chunks).toString('utf8'));
      const route = routes.get(path);
      if (!route || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      // no-store: a test that re-registers a file must get the new body on the next load.
      res.writeHead(200, { 'Content-Type': route.contentType, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : route.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('The site server has no port.');
  const origin = `http://example.com:${address.port}`;

  return {
    origin,
    port: address.port,
    requests,
    hits,
    page(path, html) {
      routes.set(path, { body: html, contentType: 'text/html; charset=utf-8' });
      return origin + path;
    },
    file(path, body, contentType) {
      routes.set(path, { body, contentType });
      return origin + path;
    },
    events,
    waitForEvents<T>(n: number, timeoutMs = 5_000) {
      return new Promise<T[]>((resolve, reject) => {
        const check = (): boolean => {
          if (events().length < n) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(events<T>());
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const got = events();
          reject(
            new Error(
              `Expected at least ${n} event(s) within ${timeoutMs} ms, got ${got.length}: ${JSON.stringify(got, null, 1)}\n` +
                `Requests seen: ${hits.join(' ') || 'none'}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    clear() {
      requests.length = 0;
      hits.length = 0;
    },
    async close() {
      // Chromium keeps connections alive; without this close() waits for them.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/**
 * Init script for `page.addInitScript(storageProbe)`. Records each use of client-side storage and
 * of common fingerprinting surfaces in `window.__storageTouches`, then passes the call through so
 * pages keep working. Entries: `document.cookie:get`, `document.cookie:set`, `localStorage`,
 * `sessionStorage` (property access) and `localStorage.getItem` etc. (Storage methods),
 * `indexedDB`, `caches`, `cookieStore`, `navigator.storage`, `canvas.toDataURL`, `canvas.toBlob`,
 * `canvas.getImageData`, `AudioContext`, `OfflineAudioContext` (construction),
 * `navigator.plugins`, `navigator.mimeTypes`, `document.fonts`.
 * It is a string because it runs in the page, where this file's types (no DOM lib) do not apply.
 */
export const storageProbe = `(() => {
  const touches = [];
  Object.defineProperty(window, '__storageTouches', { value: touches, configurable: true });
  const ownerOf = (target, prop) => {
    for (let o = target; o; o = Object.getPrototypeOf(o)) if (Object.getOwnPropertyDescriptor(o, prop)) return o;
    return null;
  };
  const wrapAccessor = (target, prop, label) => {
    const owner = ownerOf(target, prop);
    const d = owner && Object.getOwnPropertyDescriptor(owner, prop);
    if (!d || !d.get || !d.configurable) return null;
    Object.defineProperty(owner, prop, {
      ...d,
      get() { touches.push(label + (d.set ? ':get' : '')); return d.get.call(this); },
      set: d.set && function (v) { touches.push(label + ':set'); d.set.call(this, v); },
    });
    return d.get;
  };
  const wrapMethod = (proto, name, label) => {
    const d = proto && Object.getOwnPropertyDescriptor(proto, name);
    if (!d || typeof d.value !== 'function') return;
    const orig = d.value;
    Object.defineProperty(proto, name, { ...d, value: { [name](...args) {
      touches.push(typeof label === 'function' ? label(this) : label);
      return orig.apply(this, args);
    } }[name] });
  };
  const wrapConstructor = (name) => {
    const orig = window[name];
    if (typeof orig !== 'function') return;
    window[name] = new Proxy(orig, { construct(target, args, newTarget) {
      touches.push(name);
      return Reflect.construct(target, args, newTarget);
    } });
  };
  wrapAccessor(Document.prototype, 'cookie', 'document.cookie');
  const localGet = wrapAccessor(window, 'localStorage', 'localStorage');
  wrapAccessor(window, 'sessionStorage', 'sessionStorage');
  const which = (storage) => {
    try { return localGet && storage === localGet.call(window) ? 'localStorage' : 'sessionStorage'; }
    catch { return 'Storage'; }
  };
  for (const m of ['getItem', 'setItem', 'removeItem', 'clear', 'key']) {
    wrapMethod(window.Storage && Storage.prototype, m, (s) => which(s) + '.' + m);
  }
  wrapAccessor(window, 'indexedDB', 'indexedDB');
  wrapAccessor(window, 'caches', 'caches');
  wrapAccessor(window, 'cookieStore', 'cookieStore');
  wrapAccessor(Navigator.prototype, 'storage', 'navigator.storage');
  wrapMethod(window.HTMLCanvasElement && HTMLCanvasElement.prototype, 'toDataURL', 'canvas.toDataURL');
  wrapMethod(window.HTMLCanvasElement && HTMLCanvasElement.prototype, 'toBlob', 'canvas.toBlob');
  wrapMethod(window.CanvasRenderingContext2D && CanvasRenderingContext2D.prototype, 'getImageData', 'canvas.getImageData');
  wrapConstructor('AudioContext');
  wrapConstructor('OfflineAudioContext');
  wrapAccessor(Navigator.prototype, 'plugins', 'navigator.plugins');
  wrapAccessor(Navigator.prototype, 'mimeTypes', 'navigator.mimeTypes');
  wrapAccessor(Document.prototype, 'fonts', 'document.fonts');
})();`;

/** What the storage probe recorded, across all frames of the page (main frame first). */
export async function storageTouches(page: Page): Promise<string[]> {
  const perFrame = await Promise.all(
    page.frames().map((frame) => frame.evaluate<string[]>('[...(window.__storageTouches ?? [])]').catch(() => [])),
  );
  return perFrame.flat();
}

const sessions = new WeakMap<Page, Promise<CDPSession>>();

function sessionFor(page: Page): Promise<CDPSession> {
  let session = sessions.get(page);
  if (!session) {
    session = page.context().newCDPSession(page);
    sessions.set(page, session);
  }
  return session;
}

async function waitForVisibility(page: Page, state: 'hidden' | 'visible', hint: string): Promise<void> {
  const deadline = Date.now() + 1_500;
  while ((await page.evaluate<string>('document.visibilityState')) !== state) {
    if (Date.now() > deadline) throw new Error(`document.visibilityState did not become '${state}'. ${hint}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Hides the tab as a switch to another tab does: `visibilitychange` fires with
 * document.visibilityState 'hidden' (no `pagehide`: a real tab switch fires none), timers get
 * throttled, and the page stays alive for `showTab`. Only for pages opened with `openTab`.
 */
export async function hideTab(page: Page): Promise<void> {
  const session = await sessionFor(page);
  // Drops the visible capturer showTab() may hold; a no-op otherwise.
  await session.send('Emulation.setFocusEmulationEnabled', { enabled: false });
  // 'frozen' is the one CDP call that marks the page hidden (WebContents::WasHidden), then freezes
  // it; 'active' unfreezes at once and leaves it hidden, like a background tab.
  await session.send('Page.setWebLifecycleState', { state: 'frozen' });
  await session.send('Page.setWebLifecycleState', { state: 'active' });
  await waitForVisibility(
    page,
    'hidden',
    'hideTab() only works on pages opened with openTab(browser) in a browser from launchChromium(): ' +
      "Playwright's focus emulation keeps pages of browser.newPage()/newContext() visible.",
  );
}

/** Brings a tab hidden by `hideTab` back: `visibilitychange` fires with 'visible'. */
export async function showTab(page: Page): Promise<void> {
  const session = await sessionFor(page);
  // Focus emulation takes a visible capturer, which makes the WebContents visible again.
  await session.send('Emulation.setFocusEmulationEnabled', { enabled: true });
  await waitForVisibility(page, 'visible', 'showTab() expects a tab hidden with hideTab().');
}

/**
 * Closes the tab as a person does: `visibilitychange` ('hidden') and `pagehide` fire, and beacons
 * sent from them are delivered. Works on any page.
 */
export async function closeTab(page: Page): Promise<void> {
  // Target.closeTarget runs the unload steps (pagehide, then visibilitychange) before the tab goes.
  await page.close();
}
