/** `cairn goal add|list|remove`: a site's goals, through the running collector or the files. */
import type { AuditLog } from '../accounts/audit.ts';
import type { Goal, GoalInput } from '../protocol/query.ts';
import { newGoal } from '../sites/goals.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { Store } from '../store/store.ts';
import { adminFailure, adminRequest } from './admin-client.ts';

type WithStore = <T>(job: (sites: SiteDirectory, store: Store, audit: AuditLog) => Promise<T>) => Promise<T>;

const known = (sites: SiteDirectory, site: string) => {
  if (!sites.get(site)) throw new Error(`no site "${site}" (see cairn site list)`);
};

export async function goalAdd(socket: string, withStore: WithStore, site: string, input: GoalInput): Promise<void> {
  const remote = await adminRequest(socket, 'POST', `/sites/${encodeURIComponent(site)}/goals`, input);
  let goal: Goal;
  if (remote) {
    if (remote.status !== 201) throw adminFailure(remote);
    goal = remote.body as Goal;
  } else {
    goal = newGoal(input);
    await withStore(async (sites, store, audit) => {
      known(sites, site);
      await store.goals.create(site, goal);
      await audit.record({ actor: 'cli', action: 'goal.create', target: `${site}/${goal.id}`, details: { kind: goal.kind, match: goal.match } });
    });
  }
  console.log(`Goal ${goal.id} added to ${site}: ${goal.name}${goal.revenue ? ` (revenue from prop "${goal.revenue}")` : ''}.`);
}

export async function goalList(socket: string, withStore: WithStore, site: string): Promise<void> {
  const remote = await adminRequest(socket, 'GET', `/sites/${encodeURIComponent(site)}/goals`);
  if (remote && remote.status !== 200) throw adminFailure(remote);
  const goals = remote
    ? (remote.body as { goals: Goal[] }).goals
    : await withStore(async (sites, store) => {
        known(sites, site);
        return store.goals.list(site);
      });
  if (goals.length === 0) return console.log(`No goals for ${site}. Add one: cairn goal add ${site} --page /thanks  (or --event signup)`);
  for (const g of goals) console.log(`${g.id}  ${g.kind.padEnd(5)}  ${g.match}  ${g.name}${g.revenue ? `  revenue: ${g.revenue}` : ''}`);
}

export async function goalRemove(socket: string, withStore: WithStore, site: string, id: string): Promise<void> {
  const remote = await adminRequest(socket, 'DELETE', `/sites/${encodeURIComponent(site)}/goals/${encodeURIComponent(id)}`);
  if (remote) {
    if (remote.status !== 204) throw adminFailure(remote);
  } else {
    const removed = await withStore(async (sites, store, audit) => {
      known(sites, site);
      const gone = await store.goals.remove(site, id);
      if (gone) await audit.record({ actor: 'cli', action: 'goal.remove', target: `${site}/${id}` });
      return gone;
    });
    if (!removed) throw new Error(`site ${site} has no goal ${id}`);
  }
  console.log(`Goal ${id} removed from ${site}.`);
}
