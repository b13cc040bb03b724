/** The OAuth `state`: random, and kept in a cookie signed with the app's secret, so only this browser can finish the install. */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const STATE_COOKIE = 'cairn_shopify_state';

/** A new state and the signed cookie value that carries it (with the shop it is for). */
export function newState(secret: string, shop: string): { state: string; cookie: string } {
  const state = randomBytes(16).toString('base64url');
  const payload = `${state}.${shop}`;
  return { state, cookie: `${payload}.${sign(secret, payload)}` };
}

/** Whether `cookie` was signed here and carries `state` for `shop`. */
export function checkState(secret: string, cookie: string | undefined, state: unknown, shop: string): boolean {
  if (!cookie || typeof state !== 'string' || !state) return false;
  const cut = cookie.lastIndexOf('.');
  const payload = cookie.slice(0, cut);
  const given = Buffer.from(cookie.slice(cut + 1));
  const expected = Buffer.from(sign(secret, payload));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  return payload === `${state}.${shop}`;
}

/** The value of cookie `name` in a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(`oauth-state:${payload}`).digest('base64url');
}
