/** The shell's layout: the header bar with the navigation, and the page's column. */
import { css } from 'lit';

export const shellStyles = css`
  :host {
    display: block;
    min-height: 100vh;
    background: var(--_surface);
    font-size: 15px;
  }
  a {
    color: var(--_accent);
  }
  .skip {
    position: absolute;
    left: 8px;
    top: -48px;
    z-index: 10;
    font: inherit;
    color: var(--_accent);
    background: var(--_bg);
    border: 1px solid var(--_border);
    padding: 8px 12px;
    border-radius: 6px;
    cursor: pointer;
  }
  .skip:focus {
    top: 8px;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 4px 20px;
    padding: 10px max(16px, calc((100% - 1120px) / 2));
    background: var(--_bg);
    border-bottom: 1px solid var(--_border);
  }
  .brand {
    display: inline-flex;
    align-items: center;
    gap: 8px;
    color: var(--_text);
    font-weight: 700;
    font-size: 1.1rem;
    text-decoration: none;
    padding: 4px 0;
  }
  nav {
    flex: 1;
    min-width: 0;
  }
  nav ul {
    display: flex;
    flex-wrap: wrap;
    gap: 2px 4px;
    list-style: none;
    margin: 0;
    padding: 0;
  }
  nav a {
    display: block;
    padding: 8px 10px;
    border-radius: 6px;
    color: var(--_muted);
    text-decoration: none;
    font-weight: 550;
  }
  nav a:hover {
    color: var(--_text);
    background: var(--_surface);
  }
  nav a[aria-current='page'] {
    color: var(--_text);
    background: var(--_accent-soft);
  }
  .logout {
    font: inherit;
    color: var(--_muted);
    background: none;
    border: 1px solid var(--_border);
    border-radius: 6px;
    padding: 6px 12px;
    cursor: pointer;
  }
  .logout:hover {
    color: var(--_text);
  }
  main {
    box-sizing: border-box;
    max-width: 1152px;
    margin: 0 auto;
    padding: 28px 16px 48px;
  }
  main:focus {
    outline: none;
  }
  .plain h1 {
    font-size: 1.5rem;
    margin: 0 0 16px;
  }
  /* The shell's own page when Cairn cannot be reached: its button looks like the app's. */
  .plain button {
    font: inherit;
    font-weight: 550;
    line-height: 1.2;
    color: var(--cairn-on-accent, #fff);
    background: var(--_accent);
    border: 1px solid var(--_accent);
    border-radius: 6px;
    padding: 8px 14px;
    cursor: pointer;
  }
  .plain button:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .loading {
    color: var(--_muted);
  }
  @media (max-width: 640px) {
    header {
      gap: 0 8px;
      padding: 8px 12px;
    }
    nav {
      order: 3;
      flex-basis: 100%;
    }
    nav ul {
      gap: 2px;
    }
    nav a {
      padding: 6px 7px;
      font-size: 14px;
    }
    .logout {
      margin-left: auto;
    }
    main {
      padding: 20px 12px 40px;
    }
  }
  /* The four links fit one row of a phone. */
  @media (max-width: 400px) {
    .more {
      display: none;
    }
  }
`;
