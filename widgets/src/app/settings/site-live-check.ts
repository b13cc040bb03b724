/**
 * The live installation check: while it is shown (up to 5 minutes at a time), every event the
 * collector receives for the site appears within seconds, stored or dropped and why
 * (`GET /api/sites/:id/live-check`), so a site owner sees at once whether the tracker works.
 */
import { css, html, nothing } from 'lit';
import type { LiveCheckAnswer, LiveCheckEntry } from '@cairn/collector/protocol';
import { AppPage } from '../app-page.ts';
import { request } from '../session.ts';

/** How often the check asks for new events, and for how long after it was opened. */
const POLL_MS = 1_000;
const CHECK_MS = 5 * 60_000;

export class CairnLiveCheck extends AppPage {
  static override properties = {
    ...AppPage.properties,
    site: { type: String },
    entries: { state: true },
    error: { state: true },
  };

  static override styles = [
    ...AppPage.styles,
    css`
      ol {
        list-style: none;
        margin: 12px 0 0;
        padding: 0;
        display: grid;
        gap: 6px;
      }
      li {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 2px 10px;
        padding: 8px 10px;
        border-radius: 8px;
        background: var(--cairn-surface-2, rgba(127, 127, 127, 0.08));
      }
      .outcome {
        font-weight: 600;
      }
      .stored .outcome {
        color: var(--cairn-good, #15803d);
      }
      .dropped .outcome {
        color: var(--cairn-bad, #b91c1c);
      }
      .what {
        overflow-wrap: anywhere;
      }
      .detail,
      time {
        grid-column: 2;
      }
      time {
        grid-column: 1;
        grid-row: 2;
      }
    `,
  ];

  declare site: string;
  declare entries: LiveCheckEntry[];
  declare error: string | null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #startedAt = 0;
  /** Bumped by each start and stop: an answer for an earlier run is dropped. */
  #run = 0;

  constructor() {
    super();
    this.site = '';
    this.entries = [];
    this.error = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Put back in the page: listen again (the first start is willUpdate's, once `site` is set).
    if (this.site && this.hasUpdated) this.#start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stop();
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('site') && this.site && this.isConnected) {
      this.entries = [];
      this.#start();
    }
  }

  #start(): void {
    this.#stop();
    this.#running = true;
    this.#startedAt = Date.now();
    void this.#poll(this.#run);
  }

  #stop(): void {
    this.#running = false;
    this.#run++;
    clearTimeout(this.#timer);
  }

  async #poll(run: number): Promise<void> {
    if (run !== this.#run) return;
    try {
      const after = this.entries.at(-1)?.seq ?? 0;
      const a = await request<LiveCheckAnswer>('GET', `/api/sites/${encodeURIComponent(this.site)}/live-check?after=${after}`);
      if (run !== this.#run) return;
      this.error = null;
      if (a.entries.length > 0) this.entries = [...this.entries, ...a.entries].slice(-50);
    } catch (err) {
      if (run !== this.#run) return;
      this.error = (err as Error).message;
    }
    // Each request extends the collector's window: stop asking 5 minutes after it was opened.
    if (this.#running && Date.now() < this.#startedAt + CHECK_MS) this.#timer = setTimeout(() => void this.#poll(run), POLL_MS);
    else {
      this.#running = false;
      this.requestUpdate();
    }
  }

  #entry(e: LiveCheckEntry) {
    const stored = e.outcome === 'stored';
    const where = e.host || e.page ? `${e.host ?? ''}${e.page ?? ''}` : 'an unreadable event';
    const seen = [e.browser, e.device, e.country].filter(Boolean).join(' · ');
    return html`<li class=${stored ? 'stored' : 'dropped'}>
      <span class="outcome">${stored ? '✓' : '✕'} ${stored ? 'Stored' : `Dropped: ${e.label}`}</span>
      <span class="what">${e.name ?? 'event'} on ${where}${seen ? html` <span class="muted">(${seen})</span>` : nothing}</span>
      <time datetime=${new Date(e.at).toISOString()} class="muted">${new Date(e.at).toLocaleTimeString()}</time>
      ${e.detail ? html`<span class="detail muted">${e.detail}</span>` : nothing}
    </li>`;
  }

  override render() {
    const listening = this.#running;
    return html`<section class="card" aria-labelledby="live-h">
      <h2 id="live-h">Installation check</h2>
      ${listening
        ? html`<p role="status">
            Listening for this site's events until ${new Date(this.#startedAt + CHECK_MS).toLocaleTimeString()}. Open a page
            of the site in another tab: each event shows here within seconds, stored or dropped and why.
          </p>`
        : html`<p role="status">Stopped listening. <button type="button" class="link" @click=${() => this.#start()}>Check again</button></p>`}
      ${this.error ? html`<p class="notice bad" role="alert">${this.error}</p>` : nothing}
      ${this.entries.length > 0
        ? html`<div role="log" aria-label="Events received, newest first"><ol>${[...this.entries].reverse().map((e) => this.#entry(e))}</ol></div>`
        : listening
          ? html`<p class="muted">No event yet.</p>`
          : nothing}
    </section>`;
  }
}

if (!customElements.get('cairn-live-check')) customElements.define('cairn-live-check', CairnLiveCheck);
