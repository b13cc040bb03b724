/**
 * Values the app hands a browser and must get back unchanged: the OAuth `state` (bound to the
 * browser that started the authorization) and the admin's session (bound to one authorization).
 * Each is `payload.expiry.signature`, HMAC-SHA256 with the app's client secret and a purpose, so a
 * state can never pass for a session.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const STATE_COOKIE = 'cairn_webflow_state';
export const SESSION_COOKIE = 'cairn_webflow_session';

/** Signs `payload` for `purpose` until `expiresAt` (ms). */
export function signValue(secret: string, purpose: string, payload: string, expiresAt: number): string {
  const body = `${payload}.${expiresAt}`;
  return `${body}.${mac(secret, purpose, body)}`;
}

/** The payload of a value signed here for `purpose` and not expired at `now`, else undefined. */
export function readSigned(secret: string, purpose: string, value: string | undefined, now: number): string | undefined {
  if (!value) return undefined;
  const cut = value.lastIndexOf('.');
  if (cut < 0) return undefined;
  const body = value.slice(0, cut);
  const given = Buffer.from(value.slice(cut + 1));
  const expected = Buffer.from(mac(secret, purpose, body));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const dot = body.lastIndexOf('.');
  const expiresAt = Number(body.slice(dot + 1));
  if (!Number.isFinite(expiresAt) || now > expiresAt) return undefined;
  return body.slice(0, dot);
}

/** A new random OAuth state. */
export const newState = (): string => randomBytes(16).toString('base64url');

/** The value of cookie `name` in a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

function mac(secret: string, purpose: string, body: string): string {
  return createHmac('sha256', secret).update(`${purpose}:${body}`).digest('base64url');
}
