/** `cairn integration list|add|revoke`: integration keys for app servers, through the admin app (admin-call.ts), audited there. */
import type { IntegrationKeysAnswer, NewIntegrationKeyAnswer } from '../protocol/index.ts';
import { INTEGRATION_KEY_PREFIX } from '../sites/integration-keys.ts';
import { text, type Command } from './command.ts';
import { printTable } from './print-table.ts';

const day = (t: number) => new Date(t).toISOString().slice(0, 10);

export const integrationCommands: Command[] = [
  {
    name: 'integration list',
    usage: 'cairn integration list',
    summary: ['list the integration keys of app servers (last 4 characters only) and whether revoked'],
    async run({ admin }) {
      const { keys } = await admin.request<IntegrationKeysAnswer>('GET', '/integrations');
      if (keys.length === 0) return console.log('No integration keys. Make one for an app server: cairn integration add --name "Shopify app"');
      printTable(
        ['ID', 'NAME', 'KEY', 'CREATED', 'STATUS'],
        keys.map((k) => [k.id, k.name, `${INTEGRATION_KEY_PREFIX}…${k.last4}`, day(k.createdAt), k.revokedAt === null ? 'active' : `revoked ${day(k.revokedAt)}`]),
      );
    },
  },
  {
    name: 'integration add',
    usage: 'cairn integration add --name <label>',
    summary: ['make an integration key for an app server (Shopify, Webflow): it creates sites and manages those it created; prints it once'],
    options: { name: { type: 'string' } },
    async run({ flags, admin }) {
      const made = await admin.request<NewIntegrationKeyAnswer>('POST', '/integrations', { name: text(flags, 'name') ?? 'Integration' });
      console.log(`Integration key ${made.key.id} made: ${made.key.name}.

Integration key: ${made.secret}

It is a secret for the app server only: it creates sites, and reads and manages the sites it created. It is shown this once; Cairn keeps only a hash of it.`);
    },
  },
  {
    name: 'integration revoke',
    usage: 'cairn integration revoke <id>',
    summary: ['revoke an integration key: it and its view tokens stop working at once (its sites stay)'],
    args: ['integration revoke needs a key id (see cairn integration list): cairn integration revoke <id>'],
    async run({ args: [key], admin }) {
      await admin.request('DELETE', `/integrations/${encodeURIComponent(key!)}`);
      console.log(`Integration key ${key} revoked: it and every view token made with it stop working at once. The sites it created stay, managed by the owner and admins.`);
    },
  },
];
