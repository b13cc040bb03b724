/**
 * The sites a client may see and, for each, its sections, as checkboxes. The form around it
 * reads `value` on submit.
 *
 * @summary `<cairn-grants-field .sites=${sites} .value=${grants} error="…">`
 */
import { css, html, nothing } from 'lit';
import type { Grant, Section, SiteView } from '@cairn/collector/protocol';
import { AppPage } from '../app-page.ts';
import { ALL_SECTIONS } from '../../core/sections.ts';
import { SECTION_LABELS } from '../types.ts';

export class CairnGrantsField extends AppPage {
  static override properties = { ...AppPage.properties, sites: { attribute: false }, value: { attribute: false }, error: { type: String } };
  static override styles = [
    ...AppPage.styles,
    css`
      .grant + .grant {
        margin-top: 10px;
        padding-top: 10px;
        border-top: 1px solid var(--_border);
      }
      .sections {
        display: flex;
        flex-wrap: wrap;
        gap: 6px 16px;
        border: 0;
        padding: 6px 0 0 26px;
      }
      .domain {
        margin-left: 6px;
      }
    `,
  ];

  declare sites: SiteView[];
  declare value: Grant[];
  declare error: string | null;

  constructor() {
    super();
    this.sites = [];
    this.value = [];
    this.error = null;
  }

  #toggleSite(site: string, on: boolean): void {
    // A site is granted with its traffic first: the least a client needs to see anything.
    this.value = on ? [...this.value, { site, sections: ['traffic'] }] : this.value.filter((g) => g.site !== site);
  }

  #toggleSection(site: string, section: Section, on: boolean): void {
    this.value = this.value.map((g) =>
      g.site !== site ? g : { site, sections: on ? [...g.sections, section] : g.sections.filter((s) => s !== section) },
    );
  }

  override render() {
    return html`<fieldset aria-describedby=${this.error ? 'grants-error' : nothing}>
      <legend>Sites and sections this client sees</legend>
      ${this.sites.length === 0 ? html`<p class="muted">No site yet.</p>` : nothing}
      ${this.sites.map((site) => {
        const grant = this.value.find((g) => g.site === site.id);
        return html`<div class="grant">
          <label class="check">
            <input type="checkbox" .checked=${!!grant} @change=${(e: Event) => this.#toggleSite(site.id, (e.target as HTMLInputElement).checked)} />
            ${site.name}${site.domains[0] && site.domains[0] !== site.name ? html`<span class="muted domain">${site.domains[0]}</span>` : nothing}
          </label>
          ${grant
            ? html`<fieldset class="sections">
                <legend class="sr-only">Sections of ${site.name}</legend>
                ${ALL_SECTIONS.map(
                  (s) => html`<label class="check">
                    <input type="checkbox" .checked=${grant.sections.includes(s)} @change=${(e: Event) => this.#toggleSection(site.id, s, (e.target as HTMLInputElement).checked)} />${SECTION_LABELS[s]}
                  </label>`,
                )}
              </fieldset>`
            : nothing}
        </div>`;
      })}
      ${this.error ? html`<p class="field-error" id="grants-error">${this.error}</p>` : nothing}
    </fieldset>`;
  }
}

if (!customElements.get('cairn-grants-field')) customElements.define('cairn-grants-field', CairnGrantsField);
