/** `GET /sites`: the authorized Webflow sites, Cairn's state on each, and the buttons that change it. Plain HTML, no script. */
import type { Webflow } from 'webflow-api';
import { needsPublish } from './install.ts';
import { FEATURES } from './settings.ts';
import type { SiteRecord } from './token-store.ts';

const NOTICES: Record<string, string> = {
  installed: 'Cairn is on the site.',
  'installed-publish': 'Cairn is staged on the site. Publish the site in Webflow for visits to be counted: the app never publishes for you.',
  removed: 'Cairn was not on the site.',
  'removed-publish': 'Cairn is taken off the site. Publish the site in Webflow for the change to go live.',
};

export function sitesPage(input: { sites: Webflow.Site[]; records: (SiteRecord | undefined)[]; collector: string; notice?: string }): string {
  const rows = input.sites.map((site, i) => siteRow(site, input.records[i])).join('\n');
  const text = input.notice ? NOTICES[input.notice] : undefined;
  const notice = text ? `<p class="notice" role="status">${esc(text)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cairn for Webflow</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 48rem; padding: 0 1rem; color: #1f2328; }
  li { border: 1px solid #d0d7de; border-radius: 6px; padding: 1rem; margin: 0 0 1rem; list-style: none; }
  ul { padding: 0; } .notice { background: #fff8c5; padding: .75rem 1rem; border-radius: 6px; }
  .publish { color: #9a6700; } fieldset { border: 0; padding: 0; margin: .5rem 0; } button { font: inherit; padding: .3rem .8rem; }
</style>
</head>
<body>
<h1>Cairn for Webflow</h1>
<p>Counting into <a href="${esc(input.collector)}">${esc(input.collector)}</a>. Installing adds Cairn's tracker to the site's custom code; Webflow shows it on the live site once you publish.</p>
${notice}
<ul>
${rows || '<li>This authorization covers no site. Authorize the app again and pick a site.</li>'}
</ul>
</body>
</html>`;
}

function siteRow(site: Webflow.Site, record: SiteRecord | undefined): string {
  const installed = Boolean(record?.applied);
  const publish = needsPublish(record?.changedAt, site.lastPublished, record?.publishedAt);
  const settings = record?.settings ?? {};
  const action = `/sites/${encodeURIComponent(site.id)}`;
  const state = installed
    ? `Installed (script ${esc(record!.applied!.version)}, Cairn site <code>${esc(record!.cairnSiteId ?? '')}</code>).`
    : record?.uninstalledAt ? 'Removed; its Cairn site and history are kept.' : 'Not installed.';
  const boxes = FEATURES.map((f) => `<label><input type="checkbox" name="disable" value="${f}"${settings.disable?.includes(f) ? ' checked' : ''}> ${f}</label>`).join(' ');
  return `<li>
  <h2>${esc(site.displayName ?? site.shortName ?? site.id)}</h2>
  <p>${state}${publish ? ' <strong class="publish">Publish the site in Webflow for this to go live.</strong>' : ''}</p>
  <form method="post" action="${action}/install">
    <fieldset><legend>Switch off</legend>${boxes}</fieldset>
    <label>Paths not counted <input name="exclude" value="${esc(settings.exclude ?? '')}" placeholder="/drafts/*"></label>
    <label><input type="checkbox" name="respectDnt"${settings.respectDnt ? ' checked' : ''}> Respect Do Not Track</label>
    <label><input type="checkbox" name="vitals"${settings.vitals ? ' checked' : ''}> Web Vitals</label>
    <p><button>${installed ? 'Update on this site' : 'Install on this site'}</button></p>
  </form>
  ${installed ? `<form method="post" action="${action}/uninstall"><button>Remove from this site</button></form>` : ''}
</li>`;
}

const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
