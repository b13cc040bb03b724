/**
 * Who may read a site's stats: until accounts exist, whoever holds the site's key
 * (`Authorization: Bearer cairn_sk_…`). The one place reads are authorised, so that the accounts
 * work can replace it (sessions, view tokens) without touching the routes.
 */
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { hashSiteKey } from '../sites/new-site.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { Site } from '../store/store.ts';
import { HttpError } from './http-error.ts';

/** The key a request presents: the Authorization header, or `key=` where headers cannot be set (WebSocket). */
export function presentedKey(req: { headers: Record<string, string | string[] | undefined>; url?: string }): string | null {
  const header = req.headers.authorization;
  if (typeof header === 'string' && /^Bearer\s+/i.test(header)) return header.replace(/^Bearer\s+/i, '').trim();
  const key = new URL(req.url ?? '/', 'http://x').searchParams.get('key');
  return key || null;
}

/** The site a key opens, or an HttpError (401 without a key; 403, alike for a wrong key and an unknown site). */
export function siteFor(sites: SiteDirectory, id: string, key: string | null): Site {
  if (!key) throw new HttpError(401, 'unauthorized', 'send the site key: Authorization: Bearer cairn_sk_…', { headers: { 'www-authenticate': 'Bearer' } });
  const site = sites.get(id);
  const given = Buffer.from(hashSiteKey(key), 'hex');
  const expected = Buffer.from(site?.keyHash ?? '0'.repeat(64), 'hex');
  if (!site || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpError(403, 'forbidden', 'this key does not open this site');
  }
  return site;
}

declare module 'express-serve-static-core' {
  interface Locals {
    site: Site;
  }
}

/** Express middleware: puts the authorised site in `res.locals.site`. */
export function requireSiteKey(sites: SiteDirectory) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.site = siteFor(sites, String(req.params.site), presentedKey(req));
    next();
  };
}
