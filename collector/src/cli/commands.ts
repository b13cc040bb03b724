/**
 * The command table: every `cairn` command, in the order `cairn help` lists them (as
 * http/routes.ts is for routes). The management commands (site, goal, key, integration, user, gdpr, rollup)
 * each make their requests to the admin app (admin-call.ts), whether or not a collector runs;
 * start, health and seed do what only they can.
 */
import type { Command } from './command.ts';
import { oneOf } from './command.ts';
import { gdprCommands } from './gdpr-commands.ts';
import { goalCommands } from './goal-commands.ts';
import { healthCommand } from './health-command.ts';
import { keyCommands } from './key-commands.ts';
import { integrationCommands } from './integration-commands.ts';
import { rollupCommand } from './rollup-command.ts';
import { seedCommand } from './seed-command.ts';
import { siteCommands } from './site-commands.ts';
import { startCommand } from './start-command.ts';
import { UsageError } from './usage-error.ts';
import { userCommands } from './user-commands.ts';

export const COMMANDS: readonly Command[] = [
  startCommand,
  ...siteCommands,
  ...goalCommands,
  ...keyCommands,
  ...integrationCommands,
  ...userCommands,
  ...gdprCommands,
  healthCommand,
  rollupCommand,
  seedCommand,
];

/** What is said when a group's first word comes without a second. */
const GROUP_NEEDS: Record<string, string> = {
  site: 'site needs a subcommand: add, set, list, delete or restore',
  goal: 'goal needs a command: cairn goal add|list|remove <site>',
  key: 'key needs a command: cairn key list|add|revoke <site>',
  integration: 'integration needs a command: cairn integration list|add|revoke',
  user: 'user needs a command: cairn user add|list|password',
  gdpr: 'gdpr needs a command: cairn gdpr export|delete <site> --prop <key>=<id>',
};

/** The command that `positionals` name, and its arguments; a UsageError for anything else. */
export function findCommand(positionals: string[]): { command: Command; args: string[] } {
  const [first = '', second] = positionals;
  const group = COMMANDS.filter((c) => c.name.startsWith(`${first} `));
  const command = COMMANDS.find((c) => c.name === first) ?? group.find((c) => c.name === `${first} ${second}`);
  if (!command) {
    if (group.length === 0) throw new UsageError(`unknown command "${first}"`);
    if (!second) throw new UsageError(GROUP_NEEDS[first] ?? `${first} needs a command`);
    throw new UsageError(`unknown command "${first} ${second}": use ${first} ${oneOf(group.map((c) => c.name.slice(first.length + 1)))}`);
  }
  const args = positionals.slice(command.name.split(' ').length);
  const needs = command.args ?? [];
  for (const [i, missing] of needs.entries()) if (!args[i]) throw new UsageError(missing);
  if (args.length > needs.length) throw new UsageError(`unexpected argument "${args[needs.length]}"`);
  return { command, args };
}
