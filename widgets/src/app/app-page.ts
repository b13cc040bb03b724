/** What every page of the app shares: the logged-in user, the styles, and a focusable h1. */
import { LitElement } from 'lit';
import type { UserView } from '@cairn/collector/protocol';
import { theme } from '../core/styles.ts';
import { page } from './app-styles.ts';

export abstract class AppPage extends LitElement {
  static override properties = { user: { attribute: false } };
  static override styles = [theme, page];

  /** Who is logged in (null on the public pages). */
  declare user: UserView | null;

  constructor() {
    super();
    this.user = null;
  }

  /** Moves focus to the page's heading (after the app went to this page). */
  async focusHeading(): Promise<void> {
    await this.updateComplete;
    this.shadowRoot?.querySelector<HTMLElement>('h1')?.focus();
  }

  /** Names the browser tab after what the page shows. */
  protected setTitle(what: string): void {
    document.title = `${what} · Cairn`;
  }
}
