/**
 * Dashboard users, their login sessions and the audit log on MongoDB: the Store's operations,
 * running the documents queries.ts builds through `op` (mongodb-store.ts).
 */
import { StoreError, type AuditStore, type LoginStore, type UserStore } from '../store.ts';
import type { Doc, Op } from './executor.ts';
import { auditDoc, auditOf, auditPipeline, C, expiredLogins, loginDoc, loginOf, userDoc, userOf, userUpdate } from './queries.ts';

/** The users of the Store; emails are unique by index. */
export const userStore = (op: Op): UserStore => ({
  create: (u) =>
    op('users.create', async (x) => {
      const { duplicates } = await x.insertMany(C.users, [userDoc(u)]);
      if (duplicates > 0) throw new StoreError('users.create', { message: `a user "${u.id}" or with the email ${u.email} already exists` });
    }),
  list: () => op('users.list', async (x) => (await x.find(C.users, {}, { sort: { createdAt: 1, _id: 1 } })).map(userOf)),
  get: (id) => op('users.get', async (x) => (await x.find(C.users, { _id: id })).map(userOf)[0] ?? null),
  byEmail: (email) => op('users.byEmail', async (x) => (await x.find(C.users, { email })).map(userOf)[0] ?? null),
  update: (id, changes) =>
    op('users.update', async (x) => {
      const update = userUpdate(changes);
      if (Object.keys(update.$set as Doc).length === 0) return (await x.find(C.users, { _id: id })).length > 0;
      return (await x.updateOne(C.users, { _id: id }, update)).matched > 0;
    }),
  remove: (id) => op('users.remove', async (x) => (await x.deleteMany(C.users, { _id: id })) > 0),
});

/** The login sessions of the Store, by the hash of their token. */
export const loginStore = (op: Op): LoginStore => ({
  create: (l) =>
    op('logins.create', async (x) => {
      if ((await x.insertMany(C.logins, [loginDoc(l)])).duplicates > 0) throw new StoreError('logins.create', { message: 'a session with this id exists' });
    }),
  get: (idHash) => op('logins.get', async (x) => (await x.find(C.logins, { _id: idHash })).map(loginOf)[0] ?? null),
  touch: (idHash, at) =>
    op('logins.touch', async (x) => {
      await x.updateOne(C.logins, { _id: idHash }, { $set: { lastSeenAt: new Date(at) } });
    }),
  remove: (idHash) => op('logins.remove', async (x) => (await x.deleteMany(C.logins, { _id: idHash })) > 0),
  removeForUser: (user) => op('logins.removeForUser', (x) => x.deleteMany(C.logins, { user })),
  removeExpired: (createdBefore, seenBefore) => op('logins.removeExpired', (x) => x.deleteMany(C.logins, expiredLogins(createdBefore, seenBefore))),
});

/** The audit log of the Store. */
export const auditStore = (op: Op): AuditStore => ({
  add: (a) =>
    op('audit.add', async (x) => {
      await x.insertMany(C.audit, [auditDoc(a)]);
    }),
  list: (q) =>
    op('audit.list', async (x) => {
      const [doc] = (await x.aggregate(C.audit, auditPipeline(q))) as { entries: Doc[]; total: { n: number }[] }[];
      return { entries: (doc?.entries ?? []).map(auditOf), total: doc?.total[0]?.n ?? 0 };
    }),
  deleteBefore: (ts) => op('audit.deleteBefore', (x) => x.deleteMany(C.audit, { ts: { $lt: new Date(ts) } })),
});
