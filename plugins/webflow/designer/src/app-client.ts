/**
 * The Cairn app server, as the extension reaches it: every call carries a fresh Webflow ID token
 * (`webflow.getIdToken()`, valid 15 minutes) and the Webflow site's id; the server resolves the
 * token with Webflow before it answers (src/designer-routes.ts).
 */

/** The app server's URL, fixed at build time (`VITE_CAIRN_APP_URL`, see vite.designer.config.ts). */
export const APP_URL: string = import.meta.env.VITE_CAIRN_APP_URL;

/** What `POST /designer/view-token` answers. */
export interface ViewAccess {
  token: string;
  expiresAt: string;
  /** The Cairn site's id (not Webflow's). */
  siteId: string;
  collectorUrl: string;
  /** When the app last changed Cairn's script on the site (it is live once the site is published after). */
  trackerChangedAt: string | null;
}

/** An error of the app server, with its code (`not_authorized`, `not_connected`, `bad_id_token`…). */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function post<T>(path: string, siteId: string): Promise<T> {
  const idToken = await webflow.getIdToken();
  let res: Response;
  try {
    res = await fetch(`${APP_URL}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ siteId, idToken }) });
  } catch {
    throw new AppError(0, 'app_unreachable', `The Cairn app server at ${APP_URL} could not be reached.`);
  }
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (!res.ok) throw new AppError(res.status, body?.error?.code ?? 'error', body?.error?.message ?? `The Cairn app server answered ${res.status}.`);
  return body as T;
}

/** A view token for the site's Cairn site. */
export const viewAccess = (siteId: string): Promise<ViewAccess> => post('/designer/view-token', siteId);

/** Creates the site's Cairn site and installs the tracker on it (`installCairn` on the server). */
export const installCairn = (siteId: string): Promise<unknown> => post('/designer/install', siteId);
