/**
 * `GET /api/audit`: the audit log for the owner and admins, newest first, 20 entries a page,
 * filtered by `actor`, `action` or `target` (accounts/audit.ts records it).
 */
import { Router } from 'express';
import { AUDIT_PAGE } from '../accounts/audit.ts';
import type { Logins } from '../accounts/logins.ts';
import type { Store } from '../store/store.ts';
import { requireLogin } from './auth-routes.ts';
import { HttpError } from './http-error.ts';

export function auditRoutes(deps: { store: Store; logins: Logins }): Router {
  const router = Router();
  router.get('/', requireLogin(deps.logins), async (req, res) => {
    if (res.locals.login!.user.role === 'client') throw new HttpError(403, 'forbidden', 'only the owner and admins read the audit log');
    const page = req.query.page === undefined ? 1 : Number(req.query.page);
    if (!Number.isInteger(page) || page < 1 || page > 100_000) throw new HttpError(400, 'invalid_query', 'page: a whole number from 1', { field: 'page' });
    const filter = (name: 'actor' | 'action' | 'target') => {
      const v = req.query[name];
      if (v === undefined) return {};
      if (typeof v !== 'string' || v.length > 200) throw new HttpError(400, 'invalid_query', `${name}: one value`, { field: name });
      return { [name]: v };
    };
    const { entries, total } = await deps.store.audit.list({ page, perPage: AUDIT_PAGE, ...filter('actor'), ...filter('action'), ...filter('target') });
    res.set('cache-control', 'no-store').json({ entries, total, page, pages: Math.ceil(total / AUDIT_PAGE) });
  });
  return router;
}
