/**
 * The dev toolbar's credentials, on the dev server's side: the site key (from the environment
 * or the project's .env files) is exchanged for a short-lived view token, which is all the
 * browser ever gets. Messages go over the toolbar's own channel (Vite's HMR socket), so no
 * HTTP route is added to the site.
 */
import { readFileSync } from 'node:fs';
import { createClient, ViewTokenError } from '@cairn/tracker/server';
import { TOKEN_ANSWER, TOKEN_REQUEST, type TokenAnswer } from './toolbar-messages.ts';

/** `CAIRN_SITE_KEY=…` in a .env file (util.parseEnv is newer than the Node versions Astro 5 runs on). */
const ENV_LINE = /^\s*(?:export\s+)?CAIRN_SITE_KEY\s*=\s*(["']?)(.*?)\1\s*$/m;

/** CAIRN_SITE_KEY from the environment, else from .env files the way Vite orders them. */
export function readSiteKey(root: URL, mode = 'development'): string | undefined {
  // A literal name, never process.env[name]: bundlers replace only these.
  let key = process.env.CAIRN_SITE_KEY;
  if (key) return key;
  for (const file of ['.env', '.env.local', `.env.${mode}`, `.env.${mode}.local`]) {
    try {
      key = ENV_LINE.exec(readFileSync(new URL(file, root), 'utf8'))?.[2] ?? key;
    } catch {
      // No such file.
    }
  }
  return key || undefined;
}

interface Channel {
  on<T>(event: string, callback: (data: T) => void): void;
  send<T>(event: string, payload: T): void;
}

/**
 * Answers the toolbar app's token requests with `viewToken()` of `@cairn/tracker/server`: a token
 * is reused until five minutes before it expires; a fresh one is minted when the app asks (its
 * token was refused).
 */
export function serveViewTokens(toolbar: Channel, opts: { api: string; site: string; siteKey: string | undefined }): void {
  const { api, site, siteKey } = opts;
  const newClient = () => (siteKey ? createClient({ collector: api, site, key: siteKey }) : undefined);
  let client = newClient();
  const answer = async (): Promise<TokenAnswer> => {
    if (!client) return { ok: false, message: 'Set CAIRN_SITE_KEY in .env (a site key from the collector: your site › Keys) to see the stats here. It stays on the dev server; the browser gets a view token.' };
    try {
      return { ok: true, api, site, token: (await client.viewToken()).token };
    } catch (err) {
      return { ok: false, message: explain(err, api, site) };
    }
  };
  toolbar.on<{ fresh?: boolean }>(TOKEN_REQUEST, ({ fresh }) => {
    if (fresh) client = newClient();
    void answer().then((a) => toolbar.send(TOKEN_ANSWER, a));
  });
}

/** The SDK's reason, in the words of this integration's settings (never with the key in them). */
function explain(err: unknown, api: string, site: string): string {
  const e = err instanceof ViewTokenError ? err : null;
  switch (e?.reason) {
    case 'unreachable':
      return `The collector at ${api} could not be reached. Is it running, and is api right?`;
    case 'refused':
      return 'The collector refused CAIRN_SITE_KEY: it is wrong or was revoked. Create a new key for this site on the collector.';
    case 'deleted':
      return 'The collector says this site was deleted.';
    case 'not_cairn':
      return `${api} answers, but not like a Cairn collector (no /api/tokens/view). Check api.`;
    case 'other_site':
      return `CAIRN_SITE_KEY belongs to site "${e.site}", but the integration’s site is "${site}". Use a key of the same site.`;
    default:
      return e?.status ? `The collector answered ${e.status} to the token request.` : `The collector at ${api} sent an answer that is not a view token.`;
  }
}
