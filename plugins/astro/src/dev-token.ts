/**
 * The dev toolbar's credentials, on the dev server's side: the site key (from the environment
 * or the project's .env files) is exchanged for a short-lived view token, which is all the
 * browser ever gets. Messages go over the toolbar's own channel (Vite's HMR socket), so no
 * HTTP route is added to the site.
 */
import { readFileSync } from 'node:fs';
import { TOKEN_ANSWER, TOKEN_REQUEST, type TokenAnswer } from './toolbar-messages.ts';

/** A token is handed out only while it has at least this long to live. */
const MARGIN_MS = 5 * 60_000;

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

/** Answers the toolbar app's token requests; tokens are reused until five minutes before they expire. */
export function serveViewTokens(toolbar: Channel, opts: { api: string; site: string; siteKey: string | undefined }): void {
  let cached: { token: string; expires: number } | undefined;
  const answer = async (): Promise<TokenAnswer> => {
    const { api, site, siteKey } = opts;
    if (!siteKey) return { ok: false, message: 'Set CAIRN_SITE_KEY in .env (a site key from the collector: your site › Keys) to see the stats here. It stays on the dev server; the browser gets a view token.' };
    if (!cached || cached.expires - Date.now() < MARGIN_MS) {
      const res = await fetch(`${api}/api/tokens/view`, {
        method: 'POST',
        headers: { authorization: `Bearer ${siteKey}`, 'content-type': 'application/json' },
        body: '{}',
      }).catch(() => null);
      if (!res) return { ok: false, message: `The collector at ${api} could not be reached. Is it running, and is api right?` };
      if (res.status !== 201) return { ok: false, message: explain(res.status, api) };
      const body = (await res.json()) as { token: string; site: string; expiresAt: string };
      if (body.site !== site) return { ok: false, message: `CAIRN_SITE_KEY belongs to site "${body.site}", but the integration’s site is "${site}". Use a key of the same site.` };
      cached = { token: body.token, expires: Date.parse(body.expiresAt) };
    }
    return { ok: true, api, site, token: cached.token };
  };
  toolbar.on<{ fresh?: boolean }>(TOKEN_REQUEST, ({ fresh }) => {
    if (fresh) cached = undefined;
    void answer()
      .catch((): TokenAnswer => ({ ok: false, message: `The collector at ${opts.api} sent an answer that is not a view token.` }))
      .then((a) => toolbar.send(TOKEN_ANSWER, a));
  });
}

function explain(status: number, api: string): string {
  if (status === 401) return 'The collector refused CAIRN_SITE_KEY: it is wrong or was revoked. Create a new key for this site on the collector.';
  if (status === 403) return 'The collector says this site was deleted.';
  if (status === 404) return `${api} answers, but not like a Cairn collector (no /api/tokens/view). Check api.`;
  return `The collector answered ${status} to the token request.`;
}
