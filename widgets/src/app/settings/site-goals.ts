/** A site's goals: the list, adding one (a page visited or a custom event), removing one. */
import { css, html, nothing } from 'lit';
import type { Goal, GoalsListAnswer } from '@cairn/collector/protocol';
import { FormPage } from '../form-page.ts';
import { errorOn, formAlert, formError, formValues, placeError, textField } from '../form.ts';
import { request } from '../session.ts';

const FIELDS = ['kind', 'match', 'name', 'revenue', 'currency'];
const RULES: [string, RegExp][] = FIELDS.map((f) => [f, new RegExp(`^${f}:`, 'i')]);

export class CairnSiteGoals extends FormPage {
  static override properties = {
    ...FormPage.properties,
    site: { type: String },
    goals: { state: true },
    kind: { state: true },
    confirming: { state: true },
    listError: { state: true },
  };
  static override styles = [
    ...FormPage.styles,
    css`
      form {
        margin-top: 20px;
      }
      select {
        max-width: 16rem;
      }
    `,
  ];

  declare site: string;
  declare goals: Goal[] | null;
  declare kind: 'page' | 'event';
  declare confirming: string | null;
  declare listError: string | null;

  constructor() {
    super();
    this.site = '';
    this.goals = null;
    this.kind = 'page';
    this.confirming = null;
    this.listError = null;
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('site') && this.site) void this.#load();
  }

  get #path() {
    return `/api/sites/${encodeURIComponent(this.site)}/goals`;
  }

  async #load(): Promise<void> {
    try {
      this.goals = (await request<GoalsListAnswer>('GET', this.#path)).goals;
    } catch (err) {
      this.listError = (err as Error).message;
    }
  }

  async #add(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const v = formValues(form);
    this.busy = true;
    this.error = null;
    try {
      await request('POST', this.#path, { kind: v.kind, match: v.match, ...(v.name ? { name: v.name } : {}), ...(v.revenue ? { revenue: v.revenue } : {}), ...(v.currency ? { currency: v.currency } : {}) });
      form.reset();
      this.kind = 'page';
      await this.#load();
    } catch (err) {
      this.error = placeError(err, RULES);
    } finally {
      this.busy = false;
    }
  }

  async #remove(goal: Goal): Promise<void> {
    try {
      await request('DELETE', `${this.#path}/${encodeURIComponent(goal.id)}`);
      this.confirming = null;
      await this.#load();
    } catch (err) {
      this.listError = (err as Error).message;
    }
  }

  #row(g: Goal) {
    return html`<tr>
      <td>${g.name}</td>
      <td data-label="Kind">${g.kind === 'page' ? 'Page visited' : 'Custom event'}</td>
      <td data-label="Matches"><code>${g.match}</code>${g.revenue ? html`<br /><span class="muted">revenue: ${g.revenue}${g.currency ? `, currency: ${g.currency}` : ''}</span>` : nothing}</td>
      <td class="wide">
        ${this.confirming === g.id
          ? html`<div class="actions" role="group" aria-label="Remove ${g.name}?">
              <button type="button" class="danger" @click=${() => void this.#remove(g)}>Remove</button>
              <button type="button" @click=${() => (this.confirming = null)}>Keep</button>
            </div>`
          : html`<button type="button" aria-label="Remove the goal ${g.name}" @click=${() => (this.confirming = g.id)}>Remove</button>`}
      </td>
    </tr>`;
  }

  override render() {
    const goals = this.goals;
    return html`<section class="card" aria-labelledby="goals-h">
      <h2 id="goals-h">Goals</h2>
      ${this.listError ? html`<p class="notice bad" role="alert">${this.listError}</p>` : nothing}
      ${goals === null
        ? html`<p class="muted">Loading…</p>`
        : goals.length === 0
          ? html`<p class="muted">No goal yet. A goal counts the visitors who reach a page or send an event.</p>`
          : html`<div class="table-wrap">
              <table class="stacked">
                <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Matches</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
                <tbody>${goals.map((g) => this.#row(g))}</tbody>
              </table>
            </div>`}
      <form class="stack" aria-labelledby="add-goal-h" @submit=${(e: SubmitEvent) => void this.#add(e)} novalidate>
        <h3 id="add-goal-h">Add a goal</h3>
        ${formAlert(formError(this.error, FIELDS))}
        <div class="field">
          <label for="kind">Kind</label>
          <select id="kind" name="kind" @change=${(e: Event) => (this.kind = (e.target as HTMLSelectElement).value as 'page' | 'event')}>
            <option value="page" ?selected=${this.kind === 'page'}>Page visited</option>
            <option value="event" ?selected=${this.kind === 'event'}>Custom event</option>
          </select>
        </div>
        ${this.kind === 'page'
          ? textField({ name: 'match', label: 'Page path', required: true, hint: 'Starts with /; * stands for any characters: /thanks, /order/*/done.', error: errorOn(this.error, 'match') })
          : textField({ name: 'match', label: 'Event name', required: true, hint: 'As the site sends it, e.g. signup.', error: errorOn(this.error, 'match') })}
        ${textField({ name: 'name', label: 'Name', hint: 'What the dashboard calls it.', error: errorOn(this.error, 'name') })}
        ${textField({ name: 'revenue', label: 'Revenue property', hint: 'A numeric property of the event to sum, e.g. amount.', error: errorOn(this.error, 'revenue') })}
        ${textField({ name: 'currency', label: 'Currency property', hint: 'If the events say their currency (EUR, USD…) in a property, e.g. currency: revenue is then summed per currency, never across.', error: errorOn(this.error, 'currency') })}
        <div><button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Adding…' : 'Add the goal'}</button></div>
      </form>
    </section>`;
  }
}

if (!customElements.get('cairn-site-goals')) customElements.define('cairn-site-goals', CairnSiteGoals);
