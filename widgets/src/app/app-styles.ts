/**
 * The app's look. `palette` sets the widgets' `--cairn-*` custom properties on the app shell,
 * light or dark as the system prefers, so every page and widget inside inherits one palette
 * whatever its own `theme`. `page` is what every page shares: headings, cards, forms, tables.
 */
import { css } from 'lit';

export const palette = css`
  :host {
    color-scheme: light;
    --cairn-bg: #ffffff;
    --cairn-surface: #f4f5f8;
    --cairn-text: #1d2330;
    --cairn-muted: #596274;
    --cairn-border: #d9dde5;
    --cairn-accent: #275fc4;
    --cairn-accent-soft: #dbe7fb;
    --cairn-good: #137a3a;
    --cairn-bad: #b42318;
    --cairn-on-accent: #ffffff;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      color-scheme: dark;
      --cairn-bg: #181c25;
      --cairn-surface: #11141b;
      --cairn-text: #e8ebf1;
      --cairn-muted: #a3abbb;
      --cairn-border: #323a4a;
      --cairn-accent: #7aa7ff;
      --cairn-accent-soft: #243656;
      --cairn-good: #4cc38a;
      --cairn-bad: #ff8a80;
      --cairn-on-accent: #0b1020;
    }
  }
`;

export const page = css`
  :host {
    --_on-accent: var(--cairn-on-accent, #fff);
    display: block;
  }
  h1 {
    font-size: 1.5rem;
    line-height: 1.25;
    margin: 0 0 20px;
    overflow-wrap: anywhere;
  }
  h1:focus {
    outline: none;
  }
  h2 {
    font-size: 1.07rem;
  }
  a {
    color: var(--_accent);
  }
  p {
    margin: 0 0 12px;
  }
  .card {
    margin-bottom: 16px;
    padding: 20px;
  }
  .stack > * + * {
    margin-top: 14px;
  }
  .stack > p:last-child,
  .card > p:last-child {
    margin-bottom: 0;
  }
  label,
  .label {
    display: block;
    font-weight: 550;
    margin-bottom: 4px;
  }
  .hint {
    color: var(--_muted);
    font-size: 0.9em;
    margin: 4px 0 0;
  }
  input:not([type='checkbox'], [type='radio']),
  select,
  textarea {
    box-sizing: border-box;
    width: 100%;
    max-width: 28rem;
    font: inherit;
    color: var(--_text);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 6px;
    padding: 8px 10px;
  }
  textarea {
    min-height: 5.5em;
    resize: vertical;
  }
  input[aria-invalid='true'],
  select[aria-invalid='true'],
  textarea[aria-invalid='true'] {
    border-color: var(--_bad);
  }
  input[type='checkbox'] {
    width: 1.05em;
    height: 1.05em;
    margin: 0 8px 0 0;
    accent-color: var(--_accent);
    vertical-align: -2px;
  }
  .check {
    display: flex;
    align-items: center;
    font-weight: normal;
  }
  fieldset {
    border: 1px solid var(--_border);
    border-radius: 6px;
    padding: 10px 14px 12px;
    margin: 0;
    min-width: 0;
  }
  legend {
    font-weight: 550;
    padding: 0 4px;
  }
  .error,
  .field-error {
    color: var(--_bad);
  }
  .field-error {
    font-size: 0.92em;
    margin: 4px 0 0;
  }
  .notice {
    border-left: 3px solid var(--_good);
    background: var(--_surface);
    padding: 10px 12px;
    border-radius: 4px;
    margin: 0 0 16px;
  }
  .notice.bad {
    border-left-color: var(--_bad);
  }
  button,
  .button {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    font: inherit;
    font-weight: 550;
    line-height: 1.2;
    color: var(--_text);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 6px;
    padding: 8px 14px;
    cursor: pointer;
    text-decoration: none;
  }
  button:hover:not(:disabled),
  .button:hover {
    border-color: var(--_muted);
  }
  button:disabled {
    opacity: 0.6;
    cursor: not-allowed;
  }
  button.primary {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_on-accent);
  }
  button.danger {
    color: var(--_bad);
    border-color: currentColor;
  }
  button.danger.solid {
    background: var(--_bad);
    border-color: var(--_bad);
    color: var(--_bg);
  }
  button.link {
    border: 0;
    background: none;
    padding: 0;
    color: var(--_accent);
    text-decoration: underline;
    font-weight: normal;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  .table-wrap {
    overflow-x: auto;
    container-type: inline-size;
  }
  /* A table marked .stacked, in a narrow card (a phone): each row becomes a block, each cell under
     its column's name (data-label), so that no button ends up past the card's edge. */
  @container (max-width: 34rem) {
    table.stacked thead {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
    }
    table.stacked tr {
      display: grid;
      grid-template-columns: 1fr 1fr;
      column-gap: 12px;
      padding: 8px 0;
      border-bottom: 1px solid var(--_border);
    }
    table.stacked td {
      border-bottom: 0;
      padding: 2px 0;
      overflow-wrap: anywhere;
    }
    table.stacked td:first-child,
    table.stacked td.wide {
      grid-column: 1 / -1;
    }
    table.stacked td[data-label]::before {
      content: attr(data-label) / '';
      display: block;
      color: var(--_muted);
      font-size: 0.8em;
    }
    table.stacked td:first-child {
      font-weight: 550;
    }
  }
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th,
  td {
    text-align: left;
    padding: 8px 10px 8px 0;
    border-bottom: 1px solid var(--_border);
    vertical-align: top;
  }
  thead th {
    color: var(--_muted);
    font-weight: 550;
    font-size: 0.9em;
  }
  code,
  pre {
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 0.9em;
  }
  pre {
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: 6px;
    padding: 10px 12px;
    margin: 0 0 8px;
    white-space: pre-wrap;
    word-break: break-all;
  }
  dl {
    margin: 0;
  }
  dt {
    font-weight: 550;
    margin-top: 12px;
  }
  dd {
    display: flex;
    flex-wrap: wrap;
    gap: 6px 10px;
    align-items: center;
    margin: 4px 0 0;
    overflow-wrap: anywhere;
  }
  h3 {
    margin-top: 20px;
  }
  .secret {
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: 6px;
    padding: 12px;
    margin: 12px 0;
  }
  .secret code {
    word-break: break-all;
  }
`;
