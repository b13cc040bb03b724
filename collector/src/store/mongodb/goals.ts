/**
 * Goals of a site on MongoDB: the Store's operations, running the documents queries.ts builds
 * through `op` (mongodb-store.ts).
 */
import { StoreError, type GoalStore } from '../store.ts';
import type { Op } from './executor.ts';
import { C, goalDoc, goalOf } from './queries.ts';

/** The goals of the Store; `now` dates new ones, which lists keep in that order. */
export const goalStore = (op: Op, now: () => number): GoalStore => ({
  list: (site) => op('goals.list', async (x) => (await x.find(C.goals, { '_id.site': site }, { sort: { createdAt: 1, '_id.id': 1 } })).map(goalOf)),
  create: (site, goal) =>
    op('goals.create', async (x) => {
      const { duplicates } = await x.insertMany(C.goals, [goalDoc(site, goal, now())]);
      if (duplicates > 0) throw new StoreError('goals.create', { message: `a goal "${goal.id}" already exists` });
    }),
  remove: (site, id) => op('goals.remove', async (x) => (await x.deleteMany(C.goals, { _id: { site, id } })) > 0),
});
