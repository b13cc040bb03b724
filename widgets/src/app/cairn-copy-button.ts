/**
 * A button that copies a text (a tracker tag, a key shown once) to the clipboard and says so.
 *
 * @summary `<cairn-copy-button .text=${tag} label="Copy the tag"></cairn-copy-button>`
 */
import { css, html, LitElement } from 'lit';
import { theme } from '../core/styles.ts';
import { page } from './app-styles.ts';

export class CairnCopyButton extends LitElement {
  static override properties = { text: { type: String }, label: { type: String }, copied: { state: true } };
  static override styles = [
    theme,
    page,
    css`
      :host {
        display: inline-flex;
        align-items: center;
        gap: 8px;
      }
      button {
        padding: 6px 12px;
      }
      .status {
        color: var(--_good);
        font-size: 0.92em;
      }
    `,
  ];

  declare text: string;
  declare label: string;
  declare copied: boolean | null;

  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.text = '';
    this.label = 'Copy';
    this.copied = null;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#timer);
  }

  async #copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.text);
      this.copied = true;
    } catch {
      // No clipboard permission (an http page that is not localhost): the text stays selectable beside the button.
      this.copied = false;
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => (this.copied = null), 4000);
  }

  override render() {
    return html`<button type="button" @click=${() => void this.#copy()}>${this.label}</button>
      <span class="status" role="status">${this.copied === true ? 'Copied' : this.copied === false ? 'Copying is not allowed here: select the text and copy it' : ''}</span>`;
  }
}

if (!customElements.get('cairn-copy-button')) customElements.define('cairn-copy-button', CairnCopyButton);
