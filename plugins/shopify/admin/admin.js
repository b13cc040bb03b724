/**
 * The embedded admin page (served by src/admin-page.ts): a session token from App Bridge
 * (`shopify.idToken()`), then `/api/view-token` and `/api/embed` from the app server, then the
 * collector's widgets with the view token: the ecommerce view (headline numbers from the goals,
 * the funnel from product view to purchase, top products) above `<cairn-dashboard>`. The view
 * token is renewed a minute before it expires. Plain JavaScript, no build step.
 */
/* global document, window, fetch, URLSearchParams, customElements, setTimeout, clearTimeout */
const app = document.getElementById('app');
const shop = document.body.dataset.shop;

/** The funnel of the web pixel's events (extensions/cairn-pixel): visits are its base. */
const FUNNEL = [
  { kind: 'event', match: 'product_viewed', name: 'Viewed a product' },
  { kind: 'event', match: 'product_added_to_cart', name: 'Added to cart' },
  { kind: 'event', match: 'checkout_started', name: 'Started checkout' },
  { kind: 'event', match: 'checkout_completed', name: 'Completed checkout' },
];
const PERIOD_LABELS = { today: 'Today', '7d': 'Last 7 days', '30d': 'Last 30 days', month: 'This month', '12mo': 'Last 12 months', custom: 'Custom period' };
const RENEW_BEFORE_MS = 60_000;

/** What the page shows and reads: the view token's answer, and the period the dashboard picked. */
const state = { view: null, period: { period: '30d', compare: null, from: null, to: null }, renewTimer: 0 };

/** An error of the app server, with its code (`not_installed`, `collector_unreachable`…). */
class AppError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function appApi(path) {
  // A fresh token each call: App Bridge caches it and renews it before its minute is up.
  const token = await window.shopify.idToken();
  let res;
  try {
    res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw new AppError(0, 'app_unreachable', 'The Cairn app server could not be reached.');
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new AppError(res.status, body?.error?.code ?? 'error', body?.error?.message ?? `The app server answered ${res.status}.`);
  return body;
}

async function collectorApi(endpoint, params = {}) {
  const { collectorUrl, siteId, token } = state.view;
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v != null));
  let res;
  try {
    res = await fetch(`${collectorUrl}/api/stats/${encodeURIComponent(siteId)}/${endpoint}?${q}`, { headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw new AppError(0, 'collector_unreachable', `The Cairn collector at ${collectorUrl} could not be reached.`);
  }
  if (!res.ok) throw new AppError(res.status, 'collector_refused', `The Cairn collector answered ${res.status}.`);
  return res.json();
}

/** Builds an element: `h('p', { class: 'x' }, 'text', child)`. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name.startsWith('.')) el[name.slice(1)] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  el.append(...children.flat().filter((c) => c != null && c !== false));
  return el;
}

/** A whole-page message: loading, not installed, unreachable. */
function showState(title, text, action, role = 'alert') {
  app.setAttribute('aria-busy', String(role === 'status'));
  app.replaceChildren(h('section', { class: 'card state-card', role }, h('h1', {}, title), h('p', {}, text), action ?? null));
}

const topLevel = (url) => window.open(url, '_top');

function showNotInstalled(installUrl) {
  showState('Cairn is not installed on this shop', 'Install it again to see your analytics: it takes a few seconds, and your history is kept.', h('button', { class: 'primary', type: 'button', onclick: () => topLevel(installUrl) }, 'Install Cairn'));
}

function showFailure(err) {
  if (err.code === 'not_installed') return showNotInstalled(`/auth?shop=${encodeURIComponent(shop)}`);
  const retry = h('button', { class: 'primary', type: 'button', onclick: () => start() }, 'Try again');
  if (err.code === 'collector_unreachable' || err.code === 'collector_refused' || err.code === 'widgets_unreachable') {
    return showState('Your Cairn collector could not be reached', `${err.message} Check that the collector is running and reachable over https from this browser.`, retry);
  }
  showState('Analytics could not be loaded', err.message, retry);
}

let widgetAttempts = 0;

/** Loads the collector's widgets bundle once. */
function loadWidgets(collectorUrl) {
  if (customElements.get('cairn-dashboard')) return Promise.resolve();
  // The browser remembers a module that failed to load: a retry needs another URL.
  const attempt = widgetAttempts++ ? `?attempt=${widgetAttempts}` : '';
  return new Promise((resolve, reject) => {
    const script = h('script', { type: 'module', src: `${collectorUrl}/widgets.js${attempt}` });
    script.addEventListener('error', () => reject(new AppError(0, 'widgets_unreachable', `The widgets could not be loaded from ${collectorUrl}/widgets.js.`)));
    script.addEventListener('load', () => customElements.whenDefined('cairn-dashboard').then(resolve));
    document.head.append(script);
  });
}

/** Money per currency, never added across currencies. */
function revenueOf(goal) {
  if (!goal) return [];
  if (Array.isArray(goal.revenues)) return goal.revenues;
  if (typeof goal.revenue === 'number') return [{ currency: goal.currency ?? null, amount: goal.revenue }];
  return [];
}

function money({ currency, amount }) {
  if (!currency) return new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(amount);
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

const count = (n) => new Intl.NumberFormat().format(n);

/** The headline numbers, from the goals the install created (Purchase, Add to cart). */
async function renderKpis(box) {
  box.replaceChildren(h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  let answer;
  try {
    answer = await collectorApi('goals', { ...state.period });
  } catch (err) {
    box.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Sales figures could not be loaded: ${err.message}`));
    return;
  }
  const goal = (event) => answer.goals.find((g) => g.kind === 'event' && g.match === event);
  const purchase = goal('checkout_completed');
  const cart = goal('product_added_to_cart');
  const revenue = revenueOf(purchase);
  const kpi = (label, value, note) => h('div', { class: 'kpi' }, h('div', { class: 'kpi-label' }, label), h('div', { class: 'kpi-value' }, value), note ? h('div', { class: 'kpi-note' }, note) : null);
  box.replaceChildren(
    kpi('Revenue', revenue.length ? h('span', { class: 'amounts' }, ...revenue.map((r) => h('span', {}, money(r)))) : purchase ? money({ currency: null, amount: 0 }) : '—', revenue.length > 1 ? 'Each currency apart, not converted' : null),
    kpi('Orders', purchase ? count(purchase.completions) : '—'),
    kpi('Conversion rate', purchase ? `${purchase.conversion_rate}%` : '—', purchase ? `${count(purchase.visitors)} of ${count(answer.visitors)} visitors bought` : null),
    kpi('Added to cart', cart ? count(cart.visitors) : '—', cart ? `${cart.conversion_rate}% of visitors` : null),
  );
  if (!purchase) box.append(h('p', { class: 'muted note' }, 'The “Purchase” goal is missing from this shop’s Cairn site: reinstall the app to create it.'));
}

/** The widgets' shared attributes. */
function widget(tag, attrs) {
  const { collectorUrl, siteId, token } = state.view;
  return h(tag, { api: collectorUrl, site: siteId, '.token': token, theme: 'light', level: 3, ...attrs });
}

function render(embed) {
  const { period } = state.period;
  const kpis = h('div', { class: 'kpis' });
  const byEvent = (name) => JSON.stringify([{ dimension: 'event', op: 'is', values: [name] }]);
  const ecommerce = [
    widget('cairn-funnel', { heading: 'From product view to purchase', steps: JSON.stringify(FUNNEL), period }),
    widget('cairn-breakdown', { heading: 'Top products by orders', dimension: 'prop:product', metric: 'events', 'metric-label': 'Orders', filters: byEvent('product_purchased'), limit: 5, period }),
    widget('cairn-breakdown', { heading: 'Most viewed products', dimension: 'prop:product', metric: 'visitors', filters: byEvent('product_viewed'), limit: 5, period }),
  ];
  const dashboard = widget('cairn-dashboard', { period, level: 3 });
  const subtitle = h('p', { class: 'muted' }, PERIOD_LABELS[period] ?? period);

  app.setAttribute('aria-busy', 'false');
  app.replaceChildren(
    h('header', { class: 'page-header' }, h('h1', {}, 'Analytics'), subtitle),
    embed && embed.enabled !== true
      ? h(
          'div',
          { class: 'banner', role: 'status' },
          h('div', {}, h('strong', {}, 'Cairn is not counting your storefront’s visits yet.'), ' Turn on the Cairn app embed in your theme, then save the theme.'),
          h('button', { class: 'primary', type: 'button', onclick: () => topLevel(embed.enableUrl) }, 'Turn on in theme editor'),
        )
      : null,
    h('section', { class: 'card', 'aria-labelledby': 'sales' }, h('h2', { id: 'sales' }, 'Sales'), kpis),
    h('div', { class: 'grid' }, h('section', { class: 'card' }, ecommerce[0]), h('div', { class: 'stack' }, h('section', { class: 'card' }, ecommerce[1]), h('section', { class: 'card' }, ecommerce[2]))),
    h('section', { class: 'traffic', 'aria-labelledby': 'traffic' }, h('h2', { id: 'traffic' }, 'Traffic'), dashboard),
  );
  void renderKpis(kpis);

  // The dashboard's period applies to the whole page.
  dashboard.addEventListener('cairn-period-change', (e) => {
    state.period = { period: e.period, compare: e.compare, from: e.from, to: e.to };
    subtitle.textContent = PERIOD_LABELS[e.period] ?? e.period;
    for (const w of ecommerce) Object.assign(w, { period: e.period, from: e.from, to: e.to });
    void renderKpis(kpis);
  });
  // A top product chosen: the dashboard shows the visits that viewed or bought it.
  for (const w of ecommerce.slice(1)) {
    w.addEventListener('cairn-filter-change', (e) => {
      dashboard.filters = e.filters;
      dashboard.scrollIntoView({ behavior: 'smooth', block: 'start' });
    });
  }
}

/** Gets a new view token and hands it to every widget. */
async function renew() {
  try {
    state.view = await appApi('/api/view-token');
  } catch {
    // Tried again shortly; a widget whose token lapsed asks for one itself (cairn-token-expired).
    schedule(30_000);
    return;
  }
  for (const el of app.querySelectorAll('cairn-funnel, cairn-breakdown, cairn-dashboard')) /** @type {Element & { token: string }} */ (el).token = state.view.token;
  schedule();
}

function schedule(delay) {
  clearTimeout(state.renewTimer);
  const left = Date.parse(state.view.expiresAt) - Date.now() - RENEW_BEFORE_MS;
  state.renewTimer = setTimeout(renew, delay ?? Math.max(10_000, left));
}

app.addEventListener('cairn-token-expired', async (/** @type {Event & { retry(token: string): void }} */ e) => {
  try {
    state.view = await appApi('/api/view-token');
    e.retry(state.view.token);
    schedule();
  } catch (err) {
    showFailure(err);
  }
});

async function start() {
  if (document.body.dataset.installUrl) return showNotInstalled(document.body.dataset.installUrl);
  if (typeof window.shopify?.idToken !== 'function') {
    return showState('Open Cairn from your Shopify admin', 'This page works inside Shopify admin only: go to Apps → Cairn in your shop’s admin.');
  }
  showState('Loading your shop’s analytics…', 'One moment.', null, 'status');
  try {
    const [view, embed] = await Promise.all([appApi('/api/view-token'), appApi('/api/embed').catch(() => null)]);
    state.view = view;
    await loadWidgets(view.collectorUrl);
    render(embed);
    schedule();
  } catch (err) {
    showFailure(err);
  }
}

void start();
