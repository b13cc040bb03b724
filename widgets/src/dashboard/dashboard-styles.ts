/** The dashboard's layout: a grid that folds to one column on narrow screens (375 px phones). */
import { css } from 'lit';

export const dashboardStyles = css`
  .header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 12px 20px;
    margin-bottom: 12px;
  }
  .field select {
    font: inherit;
    color: var(--_text);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 6px;
    padding: 6px 10px;
  }
  .check {
    display: inline-flex;
    align-items: center;
    gap: 6px;
  }
  .live {
    margin-left: auto;
  }
  /* On a phone the live count gets a line of its own, aligned with the rest. */
  @media (max-width: 560px) {
    .live {
      margin-left: 0;
      flex-basis: 100%;
    }
  }
  .filters {
    list-style: none;
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    padding: 0;
    margin: 0 0 12px;
  }
  .filters li {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    background: var(--_accent-soft);
    border-radius: 999px;
    padding: 2px 4px 2px 12px;
  }
  .filters button {
    border: 0;
    background: none;
    cursor: pointer;
    border-radius: 999px;
    padding: 2px 8px;
  }
  .filters .clear {
    text-decoration: underline;
  }
  .metrics {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
    gap: 12px;
    margin-bottom: 12px;
  }
  .metric {
    text-align: left;
    cursor: pointer;
    background: var(--_bg);
  }
  .metric[aria-pressed='true'] {
    border-color: var(--_accent);
    box-shadow: inset 0 -3px 0 var(--_accent);
  }
  .chart {
    margin-bottom: 12px;
  }
  .breakdowns {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 320px), 1fr));
    gap: 12px;
    margin-bottom: 12px;
  }
  .empty button {
    font: inherit;
    color: var(--_text);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 6px;
    padding: 6px 12px;
    cursor: pointer;
  }
  .empty pre {
    white-space: pre-wrap;
    word-break: break-all;
    background: var(--_surface);
    border-radius: 6px;
    padding: 12px;
  }
`;
