/** `cairn key list|add|revoke`: a site's keys, through the admin app (admin-call.ts), audited there. */
import type { KeysAnswer, NewKeyAnswer } from '../protocol/index.ts';
import { SITE_KEY_PREFIX } from '../sites/site-keys.ts';
import { needsSite, text, type Command } from './command.ts';
import { printTable } from './print-table.ts';

/** Said under every secret the command line shows (site add, key add). */
export const SECRET_NOTICE = 'The site key is a secret for server-side use only (plugins, exports). It is shown this once; Cairn keeps only a hash of it.';

const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const path = (site: string, key?: string) => `/sites/${encodeURIComponent(site)}/keys${key === undefined ? '' : `/${encodeURIComponent(key)}`}`;

export const keyCommands: Command[] = [
  {
    name: 'key list',
    usage: 'cairn key list <site>',
    summary: ["list a site's keys (last 4 characters only) and whether revoked"],
    args: [needsSite('key list')],
    async run({ args: [site], admin }) {
      const { keys } = await admin.request<KeysAnswer>('GET', path(site!));
      if (keys.length === 0) return console.log(`No keys for ${site}. Make one: cairn key add ${site} --name "WordPress plugin"`);
      printTable(
        ['ID', 'NAME', 'KEY', 'CREATED', 'STATUS'],
        keys.map((k) => [
          k.id,
          k.name,
          // Keys made before their last 4 characters were kept have none to show.
          `${SITE_KEY_PREFIX}…${k.last4 || '????'}`,
          day(k.createdAt),
          k.revokedAt === null ? 'active' : `revoked ${day(k.revokedAt)}`,
        ]),
      );
    },
  },
  {
    name: 'key add',
    usage: 'cairn key add <site> [--name <label>]',
    summary: ['make another site key (one per plugin, say); prints it once'],
    args: [needsSite('key add')],
    options: { name: { type: 'string' } },
    async run({ args: [site], flags, admin }) {
      const made = await admin.request<NewKeyAnswer>('POST', path(site!), { name: text(flags, 'name') ?? 'Site key' });
      console.log(`Key ${made.key.id} added to ${site}: ${made.key.name}.

Site key: ${made.secret}

${SECRET_NOTICE}`);
    },
  },
  {
    name: 'key revoke',
    usage: 'cairn key revoke <site> <id>',
    summary: ['revoke a key: it and its view tokens stop working at once'],
    args: [needsSite('key revoke'), 'key revoke needs a key id (see cairn key list <site>): cairn key revoke <site> <id>'],
    async run({ args: [site, key], admin }) {
      await admin.request('DELETE', path(site!, key));
      console.log(`Key ${key} of ${site} revoked: the key and every view token made with it stop working at once.`);
    },
  },
];
