/**
 * The visitors on the site right now (with an event in the last 5 minutes), and optionally the
 * pages they are on: pushed over the realtime WebSocket every 2 seconds, or read over HTTP every
 * 10 seconds where the WebSocket cannot connect (a proxy that does not pass WebSockets on) or was
 * closed. Without a token, the WebSocket carries the collector's session cookie, as requests do.
 * The number is not a live region: screen readers read it when they come to it, not every 2 s.
 *
 * @summary `<cairn-realtime api="https://stats.example.com" site="…" token="…" pages="5">`
 * @attr pages - how many of the pages visitors are on to list, most visitors first (0: none, the default)
 * @attr heading - overrides the heading ("Right now")
 * @attr level - the heading's level in the host page's outline (2)
 * @event cairn-token-expired - the token no longer holds (the collector closed the connection, or refused it): set a fresh `token`
 * @csspart count - the sentence with the number
 * @csspart value - the number
 * @csspart dot - the dot, pulsing while numbers are pushed live
 * @csspart pages - the table of pages
 * @cssproperty --cairn-good - the dot's colour
 */
import { css, html, type PropertyValues } from 'lit';
import type { RealtimeAnswer } from '@cairn/collector/protocol';
import { ApiError, type CairnApi } from '../core/api.ts';
import { HeadedElement } from '../core/cairn-element.ts';
import { formatNumber } from '../core/format.ts';
import { figureTable, theme } from '../core/styles.ts';

/** How often the numbers are read over HTTP when the WebSocket is not there. */
const POLL_MS = 10_000;

export class CairnRealtime extends HeadedElement<RealtimeAnswer> {
  static override properties = { ...HeadedElement.properties, pages: { type: Number }, live: { state: true } };
  static override styles = [
    theme,
    figureTable,
    css`
      .count {
        display: flex;
        align-items: baseline;
        gap: 8px;
        margin: 0;
      }
      .value {
        font-size: 1.8em;
        font-weight: 650;
        font-variant-numeric: tabular-nums;
        line-height: 1.2;
      }
      .dot {
        align-self: center;
        flex: none;
        width: 10px;
        height: 10px;
        border-radius: 50%;
        background: var(--_good);
      }
      .dot.live {
        animation: pulse 2s ease-out infinite;
      }
      @keyframes pulse {
        0% {
          box-shadow: 0 0 0 0 color-mix(in srgb, var(--_good) 60%, transparent);
        }
        100% {
          box-shadow: 0 0 0 10px transparent;
        }
      }
      @media (prefers-reduced-motion: reduce) {
        .dot.live {
          animation: none;
        }
      }
      table {
        margin-top: 12px;
      }
      tbody th {
        overflow-wrap: anywhere;
      }
    `,
  ];

  #socket: WebSocket | null = null;
  #poll: ReturnType<typeof setInterval> | null = null;
  #polling: AbortController | null = null;

  /** Numbers are being pushed over the WebSocket (else read every 10 s, or not at all). */
  declare protected live: boolean;

  declare pages: number;

  constructor() {
    super();
    this.live = false;
    this.pages = 0;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved in the page: the first connection is made by willUpdate.
    if (this.hasUpdated) this.#connect();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#close();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('api') || changed.has('site') || changed.has('token') || changed.has('data')) this.#connect();
  }

  protected override load(api: CairnApi, _query: unknown, signal: AbortSignal) {
    return api.stats<RealtimeAnswer>('realtime', {}, signal);
  }

  #connect(): void {
    this.#close();
    if (!this.site || this.data !== undefined || !this.isConnected) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.client().realtimeUrl());
    } catch {
      // Not a URL a WebSocket can open (the base reload says what is wrong with it, if anything).
      return this.#startPolling(false);
    }
    this.#socket = ws;
    let opened = false;
    ws.addEventListener('open', () => (opened = true));
    ws.addEventListener('message', (e: MessageEvent<string>) => {
      if (this.#socket !== ws) return;
      let message: RealtimeAnswer & { type?: string };
      try {
        message = JSON.parse(e.data) as RealtimeAnswer & { type?: string };
      } catch {
        return;
      }
      if (message.type !== 'realtime') return;
      const { type: _type, ...answer } = message;
      this.#show(answer);
      this.live = true;
    });
    ws.addEventListener('close', () => {
      if (this.#socket !== ws) return;
      this.#socket = null;
      this.live = false;
      // Over HTTP from now on: at once if the numbers shown came from the socket (the first load
      // covers a refused one). A connection closed as no longer authorised (4401) gets its 401
      // there, and the expired state with it.
      this.#startPolling(opened);
    });
  }

  #show(answer: RealtimeAnswer): void {
    this.loaded = answer;
    this.state = 'ready';
    this.requestUpdate();
  }

  #startPolling(now: boolean): void {
    if (this.#poll !== null) return;
    this.#poll = setInterval(() => void this.#pollOnce(), POLL_MS);
    if (now) void this.#pollOnce();
  }

  async #pollOnce(): Promise<void> {
    if (this.state === 'expired') return this.#stopPolling();
    this.#polling?.abort();
    const abort = (this.#polling = new AbortController());
    try {
      this.#show(await this.load(this.client(), {}, abort.signal));
    } catch (err) {
      if (abort.signal.aborted) return;
      // Expired: reload() says so and tells the host. Anything else passes quietly (the last
      // numbers, or the first load's error, stay on screen) rather than alerting every 10 s.
      if (err instanceof ApiError && err.expired) void this.reload();
    }
  }

  #stopPolling(): void {
    if (this.#poll !== null) clearInterval(this.#poll);
    this.#poll = null;
    this.#polling?.abort();
    this.#polling = null;
  }

  #close(): void {
    this.#stopPolling();
    const ws = this.#socket;
    this.#socket = null;
    this.live = false;
    ws?.close(1000);
  }

  override render() {
    return html`${this.renderHeading('Right now')}
      ${this.renderState(() => {
        const a = this.answer!;
        const pages = a.pages.slice(0, Math.max(0, this.pages));
        return html`<p class="count" part="count">
            <span class="dot ${this.live ? 'live' : ''}" part="dot" aria-hidden="true"></span>
            <span class="value" part="value">${formatNumber(a.visitors, true)}</span>
            <span>${a.visitors === 1 ? 'visitor' : 'visitors'} in the last 5 minutes</span>
          </p>
          ${pages.length > 0
            ? html`<table part="pages" aria-label="Pages visitors are on">
                <thead>
                  <tr>
                    <th scope="col">Page</th>
                    <th scope="col">Visitors</th>
                  </tr>
                </thead>
                <tbody>
                  ${pages.map((p) => html`<tr><th scope="row">${p.page}</th><td>${formatNumber(p.visitors, true)}</td></tr>`)}
                </tbody>
              </table>`
            : null}`;
      })}`;
  }
}

if (!customElements.get('cairn-realtime')) customElements.define('cairn-realtime', CairnRealtime);

declare global {
  interface HTMLElementTagNameMap {
    'cairn-realtime': CairnRealtime;
  }
}
