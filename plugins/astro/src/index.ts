/**
 * `@cairn/astro`: Cairn in one line of `astro.config.mjs`.
 *
 *   import cairn from '@cairn/astro';
 *   export default defineConfig({ integrations: [cairn({ site: 'SITE_ID', api: 'https://stats.example.com' })] });
 *
 * The tracker is bundled into every page and counts view-transition navigations; a middleware
 * tells the browser each page's route pattern; an optional endpoint proxies events first-party;
 * `astro dev` gets the dashboard in its toolbar.
 */
import type { AstroIntegration } from 'astro';
import type { ClientOptions } from './client.ts';
import { readSiteKey, serveViewTokens } from './dev-token.ts';
import { parseOptions, type CairnOptions } from './options.ts';

export type { CairnOptions } from './options.ts';

const VIRTUAL = 'virtual:@cairn/astro/config';
/** Three stacked stones. */
const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="currentColor"><ellipse cx="12" cy="19" rx="8" ry="3"/><ellipse cx="12" cy="12.5" rx="5.5" ry="2.5"/><ellipse cx="12" cy="7" rx="3.5" ry="2"/></svg>';

/** The Astro integration; options are checked when Astro loads its config. */
export default function cairn(input: CairnOptions): AstroIntegration {
  const parsed = parseOptions(input);
  let siteKey: string | undefined;
  return {
    name: '@cairn/astro',
    hooks: {
      'astro:config:setup': ({ config, command, injectScript, injectRoute, addMiddleware, addDevToolbarApp, updateConfig, logger }) => {
        if (!parsed.ok) {
          // The logger labels its lines with the integration's name; the error stands alone.
          logger.error(parsed.message);
          throw new Error(`[@cairn/astro] ${parsed.message}`);
        }
        const { site, api, route, proxy, devToolbar, ...tracker } = parsed.options;
        const events = `${api}/api/event`;
        const proxied = proxy === true ? { path: '/_c', rewrite: false } : proxy || undefined;
        // The endpoint is served here when an adapter can render it on demand, or by the host's rewrite.
        const served = Boolean(proxied && !proxied.rewrite && config.adapter);
        if (proxied && !proxied.rewrite && !served) {
          logger.warn(
            `proxy needs on-demand rendering (an adapter) and this site has none: events go straight to ${events}. ` +
              `On a static host, rewrite ${proxied.path}/event to ${events} there, forwarding the visitor’s address, and set proxy: { rewrite: true } (docs/astro.md).`,
          );
        }
        if (proxied && served) injectRoute({ pattern: `${proxied.path}/event`, entrypoint: '@cairn/astro/proxy', prerender: false });
        const endpoint = proxied && (proxied.rewrite || served) ? `${config.base.replace(/\/+$/, '')}${proxied.path}/event` : events;
        if (route) addMiddleware({ order: 'pre', entrypoint: '@cairn/astro/middleware' });

        const client: ClientOptions = { ...tracker, site, api: endpoint, route };
        injectScript('page', `import { start } from '@cairn/astro/client'; start(${JSON.stringify(client)});`);
        updateConfig({
          vite: {
            plugins: [
              {
                name: '@cairn/astro:config',
                resolveId: (id: string) => (id === VIRTUAL ? `\0${VIRTUAL}` : undefined),
                load: (id: string) => (id === `\0${VIRTUAL}` ? `export default ${JSON.stringify({ collector: api })};` : undefined),
              },
            ],
            // The proxy imports the virtual module above: it must go through Vite, not Node.
            ssr: { noExternal: ['@cairn/astro'] },
            // Pre-bundled at start: found on the first page view, they would make `astro dev` reload it.
            optimizeDeps: { include: ['@cairn/astro/client', ...(devToolbar ? ['@cairn/astro/toolbar'] : [])] },
          },
        });

        if (devToolbar && command === 'dev') {
          addDevToolbarApp({ id: 'cairn', name: 'Cairn', icon: ICON, entrypoint: '@cairn/astro/toolbar' });
          siteKey = readSiteKey(config.root);
          if (!siteKey) logger.info('set CAIRN_SITE_KEY in .env to see the dashboard in the dev toolbar');
        }
      },
      'astro:server:setup': ({ toolbar }) => {
        if (!parsed.ok || !parsed.options.devToolbar) return;
        serveViewTokens(toolbar, { api: parsed.options.api, site: parsed.options.site, siteKey });
      },
    },
  };
}
