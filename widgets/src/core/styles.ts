/**
 * The look every widget shares, themable by the host page through CSS custom properties
 * (inherited through the shadow roots) and `::part`. `theme="dark"` forces the dark palette,
 * `theme="auto"` follows the system; light is the default.
 */
import { css } from 'lit';

/** The dark palette (a dark widget paints its own background: its light text must not land on a light page). */
const dark = css`
    background: var(--_bg);
    --_bg: var(--cairn-bg, #141821);
    --_surface: var(--cairn-surface, #1d2330);
    --_text: var(--cairn-text, #e8ebf1);
    --_muted: var(--cairn-muted, #a3abbb);
    --_border: var(--cairn-border, #323a4a);
    --_accent: var(--cairn-accent, #6ea0ff);
    --_accent-soft: var(--cairn-accent-soft, #243656);
    --_good: var(--cairn-good, #4cc38a);
    --_bad: var(--cairn-bad, #ff7b72);
`;

export const theme = css`
  :host {
    --_bg: var(--cairn-bg, #ffffff);
    --_surface: var(--cairn-surface, #f6f7f9);
    --_text: var(--cairn-text, #1d2330);
    --_muted: var(--cairn-muted, #5b6475);
    --_border: var(--cairn-border, #dde1e8);
    --_accent: var(--cairn-accent, #2f6fdf);
    --_accent-soft: var(--cairn-accent-soft, #dbe7fb);
    --_good: var(--cairn-good, #137a3a);
    --_bad: var(--cairn-bad, #b42318);
    --_radius: var(--cairn-radius, 8px);
    --_font: var(--cairn-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    display: block;
    color: var(--_text);
    font-family: var(--_font);
    font-size: var(--cairn-font-size, 14px);
    line-height: 1.45;
  }
  :host([theme='dark']) {
    ${dark}
  }
  @media (prefers-color-scheme: dark) {
    :host([theme='auto']) {
      ${dark}
    }
  }
  [hidden] {
    display: none !important;
  }
  .card {
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 16px;
  }
  h2,
  h3,
  .heading {
    font-size: 1em;
    font-weight: 600;
    margin: 0 0 12px;
  }
  .muted {
    color: var(--_muted);
  }
  .state {
    color: var(--_muted);
    padding: 12px 0;
  }
  .state.error {
    color: var(--_bad);
  }
  button {
    font: inherit;
    color: inherit;
  }
  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  /* Read by screen readers, not shown. Wrap a table in a div.sr-only: tables ignore height and overflow. */
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    border: 0;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;

/**
 * Tables of figures: a label column, then right-aligned numbers in tabular digits. Widgets add
 * their own spacing after it.
 */
export const figureTable = css`
  table {
    width: 100%;
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
  }
  th,
  td {
    padding: 2px 0;
    text-align: left;
    font-weight: normal;
  }
  thead th {
    color: var(--_muted);
    font-size: 0.86em;
  }
  thead th + th,
  td {
    text-align: right;
    padding-left: 12px;
  }
`;
