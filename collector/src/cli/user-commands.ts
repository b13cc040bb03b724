/** `cairn user add|list|password`: dashboard users, through the admin app (admin-call.ts), audited there. */
import type { NewUserAnswer, UsersAnswer } from '../protocol/index.ts';
import { text, type Command } from './command.ts';
import { printTable } from './print-table.ts';
import { UsageError } from './usage-error.ts';

/** The password a script pipes in (`--password-stdin`), without its final line break. */
async function passwordFromStdin(): Promise<string> {
  let input = '';
  for await (const chunk of process.stdin.setEncoding('utf8')) input += chunk as string;
  return input.replace(/\r?\n$/, '');
}

export const userCommands: Command[] = [
  {
    name: 'user add',
    usage: 'cairn user add <email> [--owner | --admin] [--name <name>] [--password-stdin]',
    summary: ['add a dashboard user (a client without --owner or --admin); the', 'password is read from standard input'],
    args: ['user add needs an email: cairn user add you@example.com --owner'],
    options: { owner: { type: 'boolean' }, admin: { type: 'boolean' }, name: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
    async run({ args: [email], flags, admin }) {
      if (flags.owner && flags.admin) throw new UsageError('user add takes one of --owner or --admin');
      const { user } = await admin.request<NewUserAnswer>('POST', '/users', {
        email,
        role: flags.owner ? 'owner' : flags.admin ? 'admin' : 'client',
        name: text(flags, 'name'),
        password: flags['password-stdin'] ? await passwordFromStdin() : undefined,
      });
      console.log(
        `User ${user.id} added: ${user.email} (${user.role}).${user.hasPassword ? '' : ' No password yet: set one with cairn user password, or send an invitation from the dashboard.'}`,
      );
    },
  },
  {
    name: 'user list',
    usage: 'cairn user list',
    summary: ['list the dashboard users'],
    async run({ admin }) {
      const { users } = await admin.request<UsersAnswer>('GET', '/users');
      if (users.length === 0) return console.log('No users yet. Add the owner: cairn user add you@example.com --owner --password-stdin');
      printTable(
        ['ID', 'EMAIL', 'ROLE', 'NAME', 'PASSWORD'],
        users.map((u) => [u.id, u.email, u.role, u.name, u.hasPassword ? 'yes' : 'no']),
      );
    },
  },
  {
    name: 'user password',
    usage: 'cairn user password <email> --password-stdin',
    summary: ["set a user's password (read from standard input) and end its", 'sessions: for a forgotten password where no email can be sent'],
    args: ['user password needs an email: cairn user password you@example.com --password-stdin'],
    options: { 'password-stdin': { type: 'boolean' } },
    async run({ args: [email], flags, admin }) {
      if (!flags['password-stdin']) throw new UsageError('user password reads the new password from standard input: add --password-stdin');
      const { sessionsEnded } = await admin.request<{ sessionsEnded: number }>('POST', '/users/password', { email, password: await passwordFromStdin() });
      console.log(`Password set for ${email!.trim().toLowerCase()}; ${sessionsEnded} session${sessionsEnded === 1 ? '' : 's'} ended.`);
    },
  },
];
