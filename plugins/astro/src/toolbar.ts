/**
 * The dev toolbar app (`astro dev` only): this page's numbers (`<cairn-page-stats>`) above the
 * whole site's dashboard (`<cairn-dashboard>`), read with a view token the dev server mints.
 */
import { defineToolbarApp } from 'astro/toolbar';
import '@cairn/widgets';
import { TOKEN_ANSWER, TOKEN_REQUEST, type TokenAnswer } from './toolbar-messages.ts';

const STYLE = `
  astro-dev-toolbar-window { width: min(960px, 92vw); max-height: 80vh; overflow: auto; }
  h2 { margin: 0 0 12px; font-size: 16px; }
  p.problem { color: #ff9e9e; max-width: 60ch; }
  cairn-page-stats { display: block; max-width: 420px; margin-bottom: 24px; }
`;

export default defineToolbarApp({
  init(canvas, app, server) {
    const style = document.createElement('style');
    style.textContent = STYLE;
    const win = document.createElement('astro-dev-toolbar-window');
    canvas.append(style, win);
    let last: TokenAnswer | undefined;

    const render = () => {
      if (!last) return void (win.innerHTML = '<h2>Cairn</h2><p>Asking the dev server for a view token…</p>');
      if (!last.ok) {
        win.innerHTML = '<h2>Cairn</h2><p class="problem"></p>';
        win.querySelector('p')!.textContent = last.message;
        return;
      }
      const attrs = { api: last.api, site: last.site, token: last.token, period: '30d', theme: 'dark' };
      const page = document.createElement('cairn-page-stats');
      const site = document.createElement('cairn-dashboard');
      for (const el of [page, site]) for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      page.setAttribute('path', location.pathname);
      page.setAttribute('heading', 'This page');
      win.replaceChildren(Object.assign(document.createElement('h2'), { textContent: 'Cairn' }), page, site);
    };

    server.on<TokenAnswer>(TOKEN_ANSWER, (answer) => {
      last = answer;
      render();
    });
    // A token each time the app opens (the server reuses one while it lasts), and a new one when
    // the collector says it expired (or its key was revoked: then the server says so in words).
    const ask = (fresh: boolean) => server.send(TOKEN_REQUEST, { fresh });
    app.onToggled(({ state }) => state && (render(), ask(false)));
    win.addEventListener('cairn-token-expired', () => ask(true));
  },
});
