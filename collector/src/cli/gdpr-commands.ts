/**
 * `cairn gdpr export|delete <site> --prop <key>=<id>`: what server SDKs sent about one person
 * (events whose prop holds their id), for access (NDJSON on stdout) and erasure requests.
 * Through the admin app (admin-call.ts), audited there.
 */
import type { StoredEvent } from '../store/store.ts';
import { needsSite, text, type Command, type CommandContext } from './command.ts';
import { UsageError } from './usage-error.ts';

/** `user_id=42` → the prop and the value. */
function parsePerson(raw = ''): { prop: string; value: string } | null {
  const at = raw.indexOf('=');
  return at > 0 ? { prop: raw.slice(0, at), value: raw.slice(at + 1) } : null;
}

/** The person's events' path on the admin app, and the words that name them. */
function person(command: string, { args: [site], flags }: CommandContext) {
  const p = parsePerson(text(flags, 'prop'));
  if (!p) throw new UsageError(`${command} needs --prop <key>=<id>, e.g. --prop user_id=42`);
  return {
    path: `/sites/${encodeURIComponent(site!)}/person?prop=${encodeURIComponent(p.prop)}&value=${encodeURIComponent(p.value)}`,
    of: `of ${site} with ${p.prop} = ${p.value}`,
  };
}

const events = (n: number) => `${n} event${n === 1 ? '' : 's'}`;

export const gdprCommands: Command[] = [
  {
    name: 'gdpr export',
    usage: 'cairn gdpr export <site> --prop <key>=<id>',
    summary: ['the events a server SDK sent about one person (NDJSON)'],
    args: [needsSite('gdpr export', ' --prop <key>=<id>')],
    options: { prop: { type: 'string' } },
    async run(ctx) {
      const { path, of } = person('gdpr export', ctx);
      const found = (await ctx.admin.request<{ events: StoredEvent[] }>('GET', path)).events;
      for (const e of found) process.stdout.write(`${JSON.stringify(e)}\n`);
      process.stderr.write(`${events(found.length)} ${of}\n`);
    },
  },
  {
    name: 'gdpr delete',
    usage: 'cairn gdpr delete <site> --prop <key>=<id> --yes',
    summary: ['erase them (their days are rolled up again)'],
    args: [needsSite('gdpr delete', ' --prop <key>=<id>')],
    options: { prop: { type: 'string' }, yes: { type: 'boolean' } },
    async run(ctx) {
      const { path, of } = person('gdpr delete', ctx);
      if (!ctx.flags.yes) throw new UsageError('gdpr delete erases events for good: add --yes to go ahead (see what would go with gdpr export)');
      const { deleted } = await ctx.admin.request<{ deleted: number }>('DELETE', path);
      console.log(`Deleted ${events(deleted)} ${of}; the days they were on are rolled up again.`);
    },
  },
];
