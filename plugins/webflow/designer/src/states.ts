/**
 * The panel's whole-panel messages: loading, a site not connected to Cairn (with the install),
 * Cairn not authorised for the site, a site never published, and failures (with "Try again").
 */
import { APP_URL, AppError } from './app-client.ts';
import { h } from './dom.ts';

const app = () => document.getElementById('app')!;

/** Replaces the panel with a message; `role` status for waiting, alert for problems. */
export function showState(title: string, text: string | Node, actions: Node[] = [], role: 'status' | 'alert' = 'alert'): void {
  app().setAttribute('aria-busy', String(role === 'status'));
  app().replaceChildren(h('section', { class: `state ${role}`, role }, h('h1', {}, title), h('p', {}, text), actions.length ? h('div', { class: 'actions' }, ...actions) : null));
}

export const button = (label: string, onclick: () => void, primary = true): HTMLElement =>
  h('button', { type: 'button', class: primary ? 'primary' : 'secondary', onclick }, label);

export function showLoading(text = 'Reading this site’s numbers…'): void {
  showState('Cairn', text, [], 'status');
}

/** Authorised, but no Cairn site yet: one click creates it and adds the tracker. */
export function showNotConnected(siteName: string, install: () => Promise<void>): void {
  const go = button('Install Cairn on this site', async () => {
    go.setAttribute('disabled', '');
    go.textContent = 'Installing…';
    await install();
  });
  showState(
    'Cairn is not set up on this site',
    `Install it to count visits to ${siteName}: Cairn creates the site in your collector and adds its tracker to the site’s custom code. Nothing is counted until the site is published again.`,
    [go],
  );
}

/** The app has no authorisation for this Webflow site: the install (OAuth) opens in a new tab. */
export function showNotAuthorized(retry: () => void): void {
  showState('Cairn is not authorized for this site', 'The app has no access to this site: it was never authorized here, or its access was revoked. Authorize it, then try again.', [
    button('Authorize Cairn', () => void window.open(`${APP_URL}/auth`, '_blank', 'noopener')),
    button('Try again', retry, false),
  ]);
}

/** Connected, but Webflow has never published the site: there is nothing to count yet. */
export function showNotPublished(siteName: string, retry: () => void): void {
  showState(
    'This site is not published yet',
    `Cairn counts visits on the published site. Publish ${siteName} (Publish, top right), and its first visits show here within a minute.`,
    [button('Check again', retry, false)],
    'status',
  );
}

export function showFailure(err: unknown, retry: () => void): void {
  const e = err instanceof AppError ? err : new AppError(0, 'error', (err as Error)?.message ?? String(err));
  const again = button('Try again', retry);
  if (e.code === 'bad_id_token') return showState('Webflow’s sign-in could not be checked', `${e.message} Close and reopen Cairn if this keeps happening.`, [again]);
  if (e.code === 'app_unreachable') return showState('The Cairn app server could not be reached', `${e.message} Check that it is running and answers over https.`, [again]);
  if (e.code === 'widgets_unreachable' || e.code.startsWith('collector_')) {
    return showState('Your Cairn collector could not be reached', `${e.message} Check that it is running and reachable from this browser.`, [again]);
  }
  showState('Cairn could not load', e.message, [again]);
}
