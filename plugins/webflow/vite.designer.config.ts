/**
 * Builds the Designer Extension (designer/) into designer/dist, the `publicDir` of webflow.json that
 * `webflow extension bundle` zips for Webflow to serve. `VITE_CAIRN_APP_URL` (the app server's
 * public https URL) is fixed into the bundle: `VITE_CAIRN_APP_URL=https://… npm run designer:build -w @cairn/webflow`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, loadEnv } from 'vite';

const ROOT = fileURLToPath(new URL('./designer', import.meta.url));

/** The app server's URL from the environment (or designer/.env), checked: fails the build in plain words. */
export function appUrl(env: Record<string, string | undefined>): string {
  const value = env.VITE_CAIRN_APP_URL?.trim().replace(/\/+$/, '') ?? '';
  if (!value) throw new Error('[@cairn/webflow] VITE_CAIRN_APP_URL is not set: the Designer Extension needs the app server’s URL, e.g. VITE_CAIRN_APP_URL=https://cairn-webflow.example.com');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`[@cairn/webflow] VITE_CAIRN_APP_URL is not a URL: ${value}`);
  }
  // Webflow serves the extension over https: the browser blocks plain http calls from it, localhost aside.
  if (url.protocol !== 'https:' && !['localhost', '127.0.0.1'].includes(url.hostname)) {
    throw new Error(`[@cairn/webflow] VITE_CAIRN_APP_URL must be an https:// URL (the extension is served over https), got ${value}`);
  }
  return value;
}

export default defineConfig(({ mode }) => {
  const env = { ...loadEnv(mode, ROOT, 'VITE_'), ...process.env };
  return {
    root: ROOT,
    // Relative URLs: Webflow serves the bundle from its own origin (https://<app id>.webflow-ext.com).
    base: './',
    envDir: ROOT,
    logLevel: 'warn',
    define: { 'import.meta.env.VITE_CAIRN_APP_URL': JSON.stringify(appUrl(env)) },
    build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  };
});
