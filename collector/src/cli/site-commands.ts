/** `cairn site add|set|list|delete|restore`: requests to the admin app (admin-call.ts), and what they answer, in words. */
import type { NewSiteAnswer, SiteDeletionAnswer, SiteView } from '../protocol/index.ts';
import { checkNewSite, checkSettings, type SiteSettings } from '../sites/new-site.ts';
import { DELETE_GRACE_MS } from '../sites/site-admin.ts';
import { needsSite, text, type Command, type Flags } from './command.ts';
import { SECRET_NOTICE } from './key-commands.ts';
import { printTable } from './print-table.ts';
import { UsageError } from './usage-error.ts';

const GRACE_DAYS = DELETE_GRACE_MS / 86_400_000;
const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const sitePath = (id: string) => `/sites/${encodeURIComponent(id)}`;

/** --retention-months as a number (checked with the other settings). */
function retentionFlag(flags: Flags): number | undefined {
  const raw = flags['retention-months'];
  return typeof raw === 'string' ? Number(raw) : undefined;
}

export const siteCommands: Command[] = [
  {
    name: 'site add',
    usage: 'cairn site add <domain>',
    summary: ['register a site; prints its id, tracker tag and secret key'],
    args: ['site add needs a domain: cairn site add example.com'],
    options: {
      'no-subdomains': { type: 'boolean', help: 'only the domain itself (and www.) may send events' },
      timezone: { type: 'string', value: '<IANA zone>', help: "the site's reporting time zone (default UTC)" },
      'query-keys': { type: 'string', value: '<a,b>', help: 'query parameters to keep besides utm_*, ref and source' },
      'retention-months': { type: 'string', value: '<n>', help: 'how long raw events are kept (default 25; rollups stay)' },
    },
    async run({ args: [domain], flags, config, admin }) {
      const input = {
        domain: domain!,
        allowSubdomains: flags['no-subdomains'] !== true,
        timezone: text(flags, 'timezone'),
        queryKeys: text(flags, 'query-keys')?.split(',').map((s) => s.trim()).filter(Boolean),
        retentionMonths: retentionFlag(flags),
      };
      // Refuse a bad domain or zone before anything is opened on disk (and a number that is not
      // one before JSON makes it null).
      checkNewSite(input);
      const result = await admin.request<NewSiteAnswer>('POST', '/sites', input);
      if (flags['public-url'] !== undefined && !result.tag.includes(`src="${config.publicUrl}/t.js"`)) {
        console.warn("cairn: the tag uses the running collector's public URL (CAIRN_PUBLIC_URL of the server), not --public-url");
      }
      console.log(`Site ${result.site.id} added for ${result.site.domains.join(', ')}${result.site.allowSubdomains ? ' (and its subdomains)' : ''}.

Paste this tag into the <head> of every page (the plugins do it for you):

  ${result.tag}

Site id:  ${result.site.id}
Site key: ${result.secret}

${SECRET_NOTICE}`);
    },
  },
  {
    name: 'site set',
    usage: 'cairn site set <site> [--timezone <zone>] [--retention-months <n>]',
    summary: ["change a site's reporting time zone or retention"],
    args: [needsSite('site set', ' --retention-months 13')],
    options: { timezone: { type: 'string' }, 'retention-months': { type: 'string' } },
    async run({ args: [id], flags, admin }) {
      const changes: SiteSettings = {
        ...(typeof flags.timezone === 'string' ? { timezone: flags.timezone } : {}),
        ...(flags['retention-months'] !== undefined ? { retentionMonths: retentionFlag(flags) } : {}),
      };
      if (Object.keys(changes).length === 0) throw new UsageError('site set needs --timezone <zone> and/or --retention-months <n>');
      checkSettings(changes);
      await admin.request('PATCH', sitePath(id!), changes);
      const said = [changes.timezone && `time zone ${changes.timezone}`, changes.retentionMonths && `raw events kept ${changes.retentionMonths} months`].filter(Boolean);
      console.log(`Site ${id}: ${said.join(', ')}.${changes.timezone ? ' Its days are rolled up again in the new time zone.' : ''}`);
    },
  },
  {
    name: 'site list',
    usage: 'cairn site list',
    summary: ['list the sites (and the deleted ones awaiting their purge)'],
    async run({ admin }) {
      const { sites, deleted } = await admin.request<{ sites: SiteView[]; deleted: SiteView[] }>('GET', '/sites');
      if (!sites.length && !deleted.length) return console.log('No sites yet. Add one with: cairn site add example.com');
      if (sites.length) {
        printTable(
          ['ID', 'DOMAINS', 'TIME ZONE', 'RAW EVENTS KEPT', 'ADDED'],
          sites.map((s) => [
            s.id + (s.synthetic ? ' (synthetic)' : ''),
            s.domains.join(', ') + (s.allowSubdomains ? ' (+subdomains)' : ''),
            s.timezone,
            `${s.retentionMonths ?? 25} months`,
            day(s.createdAt),
          ]),
        );
      } else console.log('No live sites.');
      // One line per purge day: a site deleted by mistake is noticed here, while it can be restored.
      const byPurgeDay = Map.groupBy(deleted, (s) => day((s.deletedAt ?? 0) + DELETE_GRACE_MS));
      for (const [purge, gone] of [...byPurgeDay].sort(([a], [b]) => a.localeCompare(b))) {
        console.log(`\nDeleted (purged after ${purge} unless restored): ${gone.map((s) => `${s.id} (${s.domains.join(', ')})`).join(', ')}`);
      }
    },
  },
  {
    name: 'site delete',
    usage: 'cairn site delete <site> --yes',
    summary: ['stop counting a site now; its data is purged after 7 days'],
    args: [needsSite('site delete')],
    options: { yes: { type: 'boolean' } },
    async run({ args: [id], flags, admin }) {
      if (flags.yes !== true) {
        throw new UsageError(
          `site delete stops ${id} counting at once and purges all its data ${GRACE_DAYS} days later (until then, cairn site restore ${id} brings it back): add --yes to go ahead`,
        );
      }
      const done = await admin.request<SiteDeletionAnswer>('DELETE', sitePath(id!), { confirm: id });
      const at = new Date(done.purgeAfter).toISOString().slice(0, 16).replace('T', ' ');
      console.log(`Site ${id} deleted: it counts nothing from now on. All its data is purged after ${at} UTC unless you restore it first: cairn site restore ${id}`);
    },
  },
  {
    name: 'site restore',
    usage: 'cairn site restore <site>',
    summary: ['bring a deleted site back before its purge'],
    args: [needsSite('site restore')],
    async run({ args: [id], admin }) {
      await admin.request('POST', `${sitePath(id!)}/restore`);
      console.log(`Site ${id} restored: it counts events again (those sent while it was deleted were refused).`);
    },
  },
];
