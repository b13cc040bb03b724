/**
 * `GET /api/audit`: the audit log for the owner and admins, newest first, 20 entries a page,
 * filtered by `actor`, `action` or `target` (accounts/audit.ts records it).
 */
import { AUDIT_PAGE } from '../accounts/audit.ts';
import type { Store } from '../store/store.ts';
import { CairnError } from '../errors.ts';
import type { AuditAnswer } from '../protocol/index.ts';
import type { Route } from './routes.ts';

export function auditRoutes(deps: { store: Store }): Route[] {
  return [
    {
      method: 'get',
      path: '/api/audit',
      summary: 'the audit log, 20 entries a page',
      access: { kind: 'session', roles: ['owner', 'admin'] },
      handler: async (req, res) => {
        const page = req.query.page === undefined ? 1 : Number(req.query.page);
        if (!Number.isInteger(page) || page < 1 || page > 100_000) throw new CairnError(400, 'invalid_query', 'page: a whole number from 1', { field: 'page' });
        const filter = (name: 'actor' | 'action' | 'target') => {
          const v = req.query[name];
          if (v === undefined) return {};
          if (typeof v !== 'string' || v.length > 200) throw new CairnError(400, 'invalid_query', `${name}: one value`, { field: name });
          return { [name]: v };
        };
        const { entries, total } = await deps.store.audit.list({ page, perPage: AUDIT_PAGE, ...filter('actor'), ...filter('action'), ...filter('target') });
        res.set('cache-control', 'no-store').json({ entries, total, page, pages: Math.ceil(total / AUDIT_PAGE) } satisfies AuditAnswer);
      },
    },
  ];
}
