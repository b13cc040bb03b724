/** Goals of a site: a page pattern to visit or a custom event to send, optionally with revenue. */
import { CairnError } from '../errors.ts';
import { randomBytes } from 'node:crypto';
import { goalSchema, type Goal, type GoalInput } from '../protocol/query.ts';

/** Validates a goal and gives it an id and, when it has none, a name; throws a CairnError (400) for a person. */
export function newGoal(input: GoalInput): Goal {
  const parsed = goalSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CairnError(400, 'invalid_goal', `${issue.path.join('.') || 'goal'}: ${issue.message}`);
  }
  const g = parsed.data;
  if (g.currency && !g.revenue) throw new CairnError(400, 'invalid_goal', 'currency: names the prop holding each event\'s currency, and needs revenue, the prop holding its amount');
  if (g.kind === 'page' && !g.match.startsWith('/')) throw new CairnError(400, 'invalid_goal', 'match: a page goal is a path pattern starting with /, e.g. /thanks or /order/*/done');
  // Prefixed: a bare base64url id may start with "-", which a command line takes for a flag.
  return { ...g, id: `g_${randomBytes(6).toString('base64url')}`, name: g.name ?? (g.kind === 'page' ? `Visit ${g.match}` : g.match) };
}
