/** `cairn goal add|list|remove`: a site's goals, through the admin app (admin-call.ts), audited there. */
import type { Goal, GoalsListAnswer } from '../protocol/index.ts';
import { needsSite, text, type Command } from './command.ts';
import { UsageError } from './usage-error.ts';

const goalsPath = (site: string) => `/sites/${encodeURIComponent(site)}/goals`;

export const goalCommands: Command[] = [
  {
    name: 'goal add',
    usage: 'cairn goal add <site> --page <pattern> | --event <name> [--name <label>] [--revenue <prop> [--currency <prop>]]',
    summary: ['add a goal (page patterns use * for any characters)'],
    args: [needsSite('goal add')],
    options: { page: { type: 'string' }, event: { type: 'string' }, name: { type: 'string' }, revenue: { type: 'string' }, currency: { type: 'string' } },
    async run({ args: [site], flags, admin }) {
      const page = text(flags, 'page');
      const event = text(flags, 'event');
      if (!page === !event) throw new UsageError('goal add needs one of --page <pattern> or --event <name>');
      const goal = await admin.request<Goal>('POST', goalsPath(site!), {
        kind: page ? 'page' : 'event',
        match: page ?? event,
        name: text(flags, 'name'),
        revenue: text(flags, 'revenue'),
        currency: text(flags, 'currency'),
      });
      console.log(`Goal ${goal.id} added to ${site}: ${goal.name}${goal.revenue ? ` (revenue from prop "${goal.revenue}"${goal.currency ? `, per currency of prop "${goal.currency}"` : ''})` : ''}.`);
    },
  },
  {
    name: 'goal list',
    usage: 'cairn goal list <site>',
    summary: ["list a site's goals"],
    args: [needsSite('goal list')],
    async run({ args: [site], admin }) {
      const { goals } = await admin.request<GoalsListAnswer>('GET', goalsPath(site!));
      if (goals.length === 0) return console.log(`No goals for ${site}. Add one: cairn goal add ${site} --page /thanks  (or --event signup)`);
      for (const g of goals) console.log(`${g.id}  ${g.kind.padEnd(5)}  ${g.match}  ${g.name}${g.revenue ? `  revenue: ${g.revenue}` : ''}${g.currency ? `  currency: ${g.currency}` : ''}`);
    },
  },
  {
    name: 'goal remove',
    usage: 'cairn goal remove <site> <id>',
    summary: ['remove a goal'],
    args: [needsSite('goal remove'), 'goal remove needs a goal id: cairn goal remove <site> <id>'],
    async run({ args: [site, id], admin }) {
      await admin.request('DELETE', `${goalsPath(site!)}/${encodeURIComponent(id!)}`);
      console.log(`Goal ${id} removed from ${site}.`);
    },
  },
];
