/** The messages between the toolbar app (browser) and the dev server: no Node imports here. */

/** What the toolbar app receives: a token to read the stats with, or why there is none. */
export type TokenAnswer = { ok: true; api: string; site: string; token: string } | { ok: false; message: string };

export const TOKEN_REQUEST = 'cairn:token-request';
export const TOKEN_ANSWER = 'cairn:token';
