/**
 * Cairn's Designer Extension: the numbers of the page open in the Webflow Designer, and the whole
 * site's dashboard. Boot: the Webflow site (`webflow.getSiteInfo()`), a view token from the app
 * server for the ID token (`webflow.getIdToken()`), the collector's widgets; then follows the
 * Designer's page (`webflow.subscribe('currentpage')`) and renews the token before it lapses.
 */
import './styles.css';
import { AppError, installCairn, viewAccess, type ViewAccess } from './app-client.ts';
import { placeOf } from './page-path.ts';
import { Panel } from './panel.ts';
import { showFailure, showLoading, showNotAuthorized, showNotConnected, showNotPublished } from './states.ts';
import { loadWidgets } from './widgets.ts';

const RENEW_BEFORE_MS = 60_000;

let panel: Panel | null = null;
let renewTimer: ReturnType<typeof setTimeout> | undefined;
/** Counts page changes: the answer for a page the user has already left is dropped. */
let pageSeq = 0;
let unsubscribe: (() => void) | null = null;

type SiteInfo = Awaited<ReturnType<typeof webflow.getSiteInfo>>;

/** Cairn's script changed after the last publish: the live site does not count yet. */
function publishPending(site: SiteInfo, access: ViewAccess): boolean {
  if (!access.trackerChangedAt) return false;
  const last = Math.max(0, ...site.domains.map((d) => (d.lastPublished ? Date.parse(d.lastPublished) : 0)));
  return last < Date.parse(access.trackerChangedAt);
}

/** A line under the numbers: where visits are counted (or will be, once published). */
function publishedOn(site: SiteInfo, pending: boolean): string | null {
  const live = site.domains.filter((d) => d.lastPublished);
  if (!live.length) return null;
  const hosts = live.map((d) => d.url.replace(/^https?:\/\//, '').replace(/\/$/, '')).join(', ');
  return pending ? `Visits will be counted on ${hosts}.` : `Counting visits on ${hosts}.`;
}

async function followPage(page: Page): Promise<void> {
  const seq = ++pageSeq;
  try {
    const place = await placeOf(page);
    if (seq === pageSeq) panel?.showPage(place);
  } catch (err) {
    if (seq === pageSeq) showFailure(err, () => void start());
  }
}

function schedule(site: SiteInfo, access: ViewAccess, delay?: number): void {
  clearTimeout(renewTimer);
  const left = Date.parse(access.expiresAt) - Date.now() - RENEW_BEFORE_MS;
  renewTimer = setTimeout(() => void renew(site), delay ?? Math.max(10_000, left));
}

async function renew(site: SiteInfo): Promise<ViewAccess | null> {
  try {
    const access = await viewAccess(site.siteId);
    panel?.renew(access);
    schedule(site, access);
    return access;
  } catch {
    // Tried again shortly; a widget whose token lapsed asks for one itself (cairn-token-expired).
    renewTimer = setTimeout(() => void renew(site), 30_000);
    return null;
  }
}

async function start(): Promise<void> {
  clearTimeout(renewTimer);
  unsubscribe?.();
  unsubscribe = null;
  panel = null;
  showLoading();
  let site: SiteInfo;
  try {
    site = await webflow.getSiteInfo();
  } catch (err) {
    return showFailure(err, () => void start());
  }
  let access: ViewAccess;
  try {
    access = await viewAccess(site.siteId);
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_connected') {
      return showNotConnected(site.siteName, async () => {
        try {
          await installCairn(site.siteId);
          webflow.notify({ type: 'Success', message: 'Cairn is installed: publish the site to start counting.' }).catch(() => null);
          await start();
        } catch (e) {
          showFailure(e, () => void start());
        }
      });
    }
    if (err instanceof AppError && err.code === 'not_authorized') return showNotAuthorized(() => void start());
    return showFailure(err, () => void start());
  }
  if (!site.domains.some((d) => d.lastPublished)) return showNotPublished(site.siteName, () => void start());
  try {
    await loadWidgets(access.collectorUrl);
  } catch (err) {
    return showFailure(err, () => void start());
  }
  const pending = publishPending(site, access);
  panel = new Panel(access, publishedOn(site, pending), pending ? `Publish ${site.siteName} to start counting: Cairn’s tracker was added to the site after its last publish.` : null);
  schedule(site, access);
  unsubscribe = webflow.subscribe('currentpage', (page) => void followPage(page));
  await followPage(await webflow.getCurrentPage());
}

document.addEventListener('cairn-token-expired', (e) => {
  const event = e as Event & { retry(token: string): void };
  void webflow.getSiteInfo().then(async (site) => {
    const access = await renew(site);
    if (access) event.retry(access.token);
  });
});

void start();
