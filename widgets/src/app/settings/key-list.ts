/**
 * A list of keys: the list (last 4 characters), making one (its secret shown once), revoking one.
 * A site's keys (`<cairn-site-keys site>`) and the installation's integration keys
 * (`<cairn-integration-keys>`) are this, with their own address and words.
 */
import { html, nothing } from 'lit';
import type { IntegrationKeysAnswer, IntegrationKeyView, KeysAnswer, KeyView, NewIntegrationKeyAnswer, NewKeyAnswer } from '@cairn/collector/protocol';
import { FormPage } from '../form-page.ts';
import { errorOn, formAlert, formError, formatTime, formValues, placeError, textField } from '../form.ts';
import { request } from '../session.ts';
import '../cairn-copy-button.ts';

/** What a kind of key is called and said about, in the list. */
interface KeyWords {
  heading: string;
  intro: string;
  /** The name field's hint. */
  nameHint: string;
  /** Said before a key is revoked. */
  revokeWarning: string;
  /** Said under a new key's secret. */
  copyAdvice: string;
}

type AnyKey = KeyView | IntegrationKeyView;

abstract class CairnKeyList extends FormPage {
  static override properties = {
    ...FormPage.properties,
    keys: { state: true },
    created: { state: true },
    confirming: { state: true },
    listError: { state: true },
  };

  declare keys: AnyKey[] | null;
  /** The key just made, with its secret: shown until dismissed, never again. */
  declare created: NewKeyAnswer | NewIntegrationKeyAnswer | null;
  declare confirming: string | null;
  declare listError: string | null;

  /** The keys' address in the API (GET lists, POST makes, DELETE …/:id revokes); null until known. */
  protected abstract get path(): string | null;
  protected abstract get words(): KeyWords;

  constructor() {
    super();
    this.keys = null;
    this.created = null;
    this.confirming = null;
    this.listError = null;
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed);
    if (changed.has('created') && this.created) this.shadowRoot?.querySelector<HTMLElement>('#secret-h')?.focus();
  }

  get #path(): string {
    return this.path ?? '';
  }

  /** Reads the list again. */
  protected async load(): Promise<void> {
    try {
      this.keys = (await request<KeysAnswer | IntegrationKeysAnswer>('GET', this.#path)).keys;
    } catch (err) {
      this.listError = (err as Error).message;
    }
  }

  async #create(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    this.busy = true;
    this.error = null;
    try {
      this.created = await request<NewKeyAnswer | NewIntegrationKeyAnswer>('POST', this.#path, { name: formValues(form).name ?? '' });
      form.reset();
      await this.load();
    } catch (err) {
      // The name is the one input: the API's key errors are about it.
      this.error = placeError(err, [['name', /name|character/i]]);
    } finally {
      this.busy = false;
    }
  }

  async #revoke(key: AnyKey): Promise<void> {
    try {
      await request('DELETE', `${this.#path}/${encodeURIComponent(key.id)}`);
      this.confirming = null;
      await this.load();
    } catch (err) {
      this.listError = (err as Error).message;
    }
  }

  #row(k: AnyKey) {
    return html`<tr>
      <td>${k.name}</td>
      <td data-label="Key"><code>${k.last4 ? `…${k.last4}` : '—'}</code></td>
      <td data-label="Made">${formatTime(k.createdAt)}</td>
      <td data-label="Status" class="wide">${k.revokedAt ? html`<span class="muted">Revoked ${formatTime(k.revokedAt)}</span>` : 'Active'}</td>
      <td class="wide">
        ${k.revokedAt
          ? nothing
          : this.confirming === k.id
            ? html`<div role="group" aria-label="Revoke ${k.name}?">
                <p>${this.words.revokeWarning}</p>
                <div class="actions">
                  <button type="button" class="danger solid" @click=${() => void this.#revoke(k)}>Revoke</button>
                  <button type="button" @click=${() => (this.confirming = null)}>Keep it</button>
                </div>
              </div>`
            : html`<button type="button" class="danger" aria-label="Revoke the key ${k.name}" @click=${() => (this.confirming = k.id)}>Revoke</button>`}
      </td>
    </tr>`;
  }

  override render() {
    const keys = this.keys;
    const words = this.words;
    return html`<section class="card" aria-labelledby="keys-h">
      <h2 id="keys-h">${words.heading}</h2>
      <p class="muted">${words.intro}</p>
      ${this.listError ? html`<p class="notice bad" role="alert">${this.listError}</p>` : nothing}
      ${this.created
        ? html`<div class="secret">
            <h3 id="secret-h" tabindex="-1">The key “${this.created.key.name}”</h3>
            <p><code>${this.created.secret}</code></p>
            <p>${words.copyAdvice}</p>
            <div class="actions">
              <cairn-copy-button .text=${this.created.secret} label="Copy the key"></cairn-copy-button>
              <button type="button" @click=${() => (this.created = null)}>I copied it</button>
            </div>
          </div>`
        : nothing}
      ${keys === null
        ? html`<p class="muted">Loading…</p>`
        : html`<div class="table-wrap">
            <table class="stacked">
              <thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Made</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
              <tbody>${keys.map((k) => this.#row(k))}</tbody>
            </table>
          </div>`}
      <form class="stack" aria-labelledby="add-key-h" @submit=${(e: SubmitEvent) => void this.#create(e)} novalidate>
        <h3 id="add-key-h">Make a key</h3>
        ${formAlert(formError(this.error, ['name']))}
        ${textField({ name: 'name', label: 'Name', required: true, hint: words.nameHint, error: errorOn(this.error, 'name') })}
        <div><button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Making…' : 'Make the key'}</button></div>
      </form>
    </section>`;
  }
}

/** A site's keys, held by its plugins' servers. */
export class CairnSiteKeys extends CairnKeyList {
  static override properties = { ...CairnKeyList.properties, site: { type: String } };
  declare site: string;

  constructor() {
    super();
    this.site = '';
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('site') && this.site) void this.load();
  }

  protected override get path() {
    return this.site ? `/api/sites/${encodeURIComponent(this.site)}/keys` : null;
  }

  protected override get words(): KeyWords {
    return {
      heading: 'Site keys',
      intro: "A plugin's server holds a key to show the dashboard in its admin. Make one per plugin, so each can be revoked alone.",
      nameHint: 'Where it goes, e.g. WordPress plugin.',
      revokeWarning: 'Plugins using it stop showing stats at once.',
      copyAdvice: "Copy it now into the plugin's settings: it is shown this once (Cairn keeps only its hash).",
    };
  }
}

/** The installation's integration keys, held by app servers (Shopify, Webflow): docs/api/integrations.md. */
export class CairnIntegrationKeys extends CairnKeyList {
  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  protected override get path() {
    return '/api/integrations';
  }

  protected override get words(): KeyWords {
    return {
      heading: 'Integration keys',
      intro: "An app's server (the Shopify or Webflow app) holds one to add sites for the shops or sites it is installed on, and to manage those sites only.",
      nameHint: 'Which app server, e.g. Shopify app.',
      revokeWarning: 'The app stops at once; the sites it added stay, and you manage them.',
      copyAdvice: "Copy it now into the app server's settings: it is shown this once (Cairn keeps only its hash).",
    };
  }
}

if (!customElements.get('cairn-site-keys')) customElements.define('cairn-site-keys', CairnSiteKeys);
if (!customElements.get('cairn-integration-keys')) customElements.define('cairn-integration-keys', CairnIntegrationKeys);
