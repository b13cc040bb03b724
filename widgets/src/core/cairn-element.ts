/**
 * What every data widget shares: the attributes that say where and what to read (`api`, `site`,
 * `token`, `period`, `date`, `from`, `to`, `compare`, `filters`, `theme`), loading on change
 * (aborting a request that is no longer wanted), and the loading, empty, error and expired
 * states. A parent that already has the answer (the dashboard) hands it over in `data`, and the
 * widget does not fetch.
 */
import { html, LitElement, type PropertyValues, type TemplateResult } from 'lit';
import type { Filter } from '@cairn/collector/protocol';
import { ApiError, CairnApi, type StatsQuery } from './api.ts';
import { CairnTokenExpiredEvent } from './events.ts';

export type LoadState = 'loading' | 'ready' | 'empty' | 'error' | 'expired';

/** `filters` as an attribute: JSON, e.g. `[{"dimension":"page","op":"is","values":["/"]}]`. */
export const filtersConverter = {
  fromAttribute(value: string | null): Filter[] {
    if (!value) return [];
    try {
      const parsed: unknown = JSON.parse(value);
      return Array.isArray(parsed) ? (parsed as Filter[]) : [];
    } catch {
      return [];
    }
  },
  toAttribute: (value: Filter[]) => JSON.stringify(value),
};

/** The attributes that change what is read: a change reloads. */
const QUERY_PROPS = ['api', 'site', 'token', 'period', 'date', 'from', 'to', 'compare', 'filters'] as const;

export abstract class CairnElement<T> extends LitElement {
  static override properties = {
    api: { type: String },
    site: { type: String },
    token: { type: String },
    period: { type: String },
    date: { type: String },
    from: { type: String },
    to: { type: String },
    compare: { type: String },
    filters: { converter: filtersConverter },
    theme: { type: String, reflect: true },
    data: { attribute: false },
    state: { attribute: false },
    error: { attribute: false },
  };

  /** The collector's URL ('' or unset: this page's origin). */
  declare api: string;
  declare site: string;
  /** A view token; without one, the collector's session cookie is used. */
  declare token: string | null;
  declare period: string;
  declare date: string | null;
  declare from: string | null;
  declare to: string | null;
  declare compare: 'previous' | 'year' | null;
  declare filters: Filter[];
  declare theme: 'light' | 'dark' | 'auto';
  /** The answer, when a parent has it already (then nothing is fetched). */
  declare data: T | undefined;
  declare state: LoadState;
  declare error: string | null;

  #abort: AbortController | null = null;
  /** A load was under way when the element left the page. */
  #interrupted = false;

  constructor() {
    super();
    this.api = '';
    this.site = '';
    this.token = null;
    this.period = '30d';
    this.date = null;
    this.from = null;
    this.to = null;
    this.compare = null;
    this.filters = [];
    this.theme = 'light';
    this.data = undefined;
    this.state = 'loading';
    this.error = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved in the page (an editor moving its panels detaches and reattaches them): the request
    // aborted on the way out is made again.
    if (this.#interrupted && this.data === undefined && this.site) void this.reload();
    this.#interrupted = false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#interrupted = this.state === 'loading' && this.#abort !== null && !this.#abort.signal.aborted;
    this.#abort?.abort();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('data') && this.data !== undefined) {
      this.state = this.isEmpty(this.data) ? 'empty' : 'ready';
    } else if (this.data === undefined && this.site && QUERY_PROPS.some((p) => changed.has(p))) {
      void this.reload();
    }
  }

  /** The query the attributes describe. */
  protected query(): StatsQuery {
    return { period: this.period, date: this.date ?? undefined, from: this.from ?? undefined, to: this.to ?? undefined, compare: this.compare, filters: this.filters };
  }

  protected client(): CairnApi {
    return new CairnApi({ api: this.api, site: this.site, token: this.token });
  }

  /** Reads the widget's data again (what changing an attribute does). */
  async reload(): Promise<void> {
    this.#abort?.abort();
    const abort = (this.#abort = new AbortController());
    this.state = 'loading';
    try {
      const data = await this.load(this.client(), this.query(), abort.signal);
      if (abort.signal.aborted) return;
      this.loaded = data;
      this.state = this.isEmpty(data) ? 'empty' : 'ready';
    } catch (err) {
      if (abort.signal.aborted) return;
      this.error = err instanceof Error ? err.message : String(err);
      this.state = err instanceof ApiError && err.expired ? 'expired' : 'error';
      if (this.state === 'expired') {
        this.dispatchEvent(
          new CairnTokenExpiredEvent((token) => {
            this.token = token;
          }),
        );
      }
    }
  }

  /** The answer last fetched (when `data` was not given). */
  protected loaded: T | undefined;

  /** The answer to show: given, or fetched. */
  protected get answer(): T | undefined {
    return this.data ?? this.loaded;
  }

  protected abstract load(api: CairnApi, query: StatsQuery, signal: AbortSignal): Promise<T>;

  protected isEmpty(_data: T): boolean {
    return false;
  }

  /** The loading, empty, error and expired states; `content()` otherwise. */
  protected renderState(content: () => TemplateResult, empty: string | TemplateResult = 'No data for this period yet.'): TemplateResult {
    switch (this.state) {
      case 'loading':
        return html`<div class="state" role="status" aria-live="polite" part="state">Loading…</div>`;
      case 'empty':
        return html`<div class="state" part="state">${empty}</div>`;
      case 'expired':
        return html`<div class="state error" role="alert" part="state">Your access to these statistics has expired. Reload the page to continue.</div>`;
      case 'error':
        return html`<div class="state error" role="alert" part="state">
          Statistics could not be loaded: ${this.error}
          <button type="button" @click=${() => void this.reload()}>Try again</button>
        </div>`;
      default:
        return content();
    }
  }
}

/**
 * A widget with a heading of its own: `heading` overrides its text, and `level` (2 by default)
 * places it in the host page's outline. Its tables and charts point to it by the id `heading`.
 */
export abstract class HeadedElement<T> extends CairnElement<T> {
  static override properties = { ...CairnElement.properties, heading: { type: String }, level: { type: Number } };

  declare heading: string | null;
  declare level: number;

  constructor() {
    super();
    this.heading = null;
    this.level = 2;
  }

  /** The heading: `usual` unless the `heading` attribute overrides it. */
  protected renderHeading(usual: string): TemplateResult {
    return html`<div class="heading" role="heading" aria-level=${this.level} id="heading">${this.heading ?? usual}</div>`;
  }
}
