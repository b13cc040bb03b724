/**
 * A tiny line of values (a site's visitors per day) as inline SVG: no chart library on the sites
 * list. The numbers it draws are said in `label` for screen readers.
 *
 * @summary `<cairn-sparkline .values=${[3, 5, 2]} label="Visitors per day…">`
 * @cssproperty --cairn-accent - the line's colour
 */
import { css, html, LitElement, svg } from 'lit';
import { theme } from '../core/styles.ts';

const W = 120;
const H = 32;

/** The polyline's points for values (the highest touching the top, zero on the bottom line). */
export function sparklinePoints(values: number[]): string {
  if (values.length === 0) return '';
  const top = Math.max(1, ...values);
  const step = values.length > 1 ? W / (values.length - 1) : 0;
  return values.map((v, i) => `${(i * step).toFixed(1)},${(H - 1 - (v / top) * (H - 2)).toFixed(1)}`).join(' ');
}

export class CairnSparkline extends LitElement {
  static override properties = { values: { attribute: false }, label: { type: String } };
  static override styles = [
    theme,
    css`
      :host {
        display: block;
        width: 100%;
        height: 40px;
        color: var(--_accent);
      }
      svg {
        display: block;
        width: 100%;
        height: 100%;
        overflow: visible;
      }
    `,
  ];

  declare values: number[];
  declare label: string;

  constructor() {
    super();
    this.values = [];
    this.label = '';
  }

  override render() {
    const points = sparklinePoints(this.values);
    return html`<svg viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label=${this.label}>
      ${points
        ? svg`<polygon points="0,${H} ${points} ${W},${H}" fill="currentColor" opacity="0.12"></polygon>
          <polyline points=${points} fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" stroke-linecap="round" vector-effect="non-scaling-stroke"></polyline>`
        : svg`<line x1="0" y1=${H - 1} x2=${W} y2=${H - 1} stroke="currentColor" stroke-width="1" opacity="0.4" vector-effect="non-scaling-stroke"></line>`}
    </svg>`;
  }
}

if (!customElements.get('cairn-sparkline')) customElements.define('cairn-sparkline', CairnSparkline);
