/** The app's own events: typed, bubbling out of the pages' shadow roots to the shell. */
import type { UserView } from '@cairn/collector/protocol';

/** The user logged in (on the login page): the shell shows the app. */
export class CairnLoginEvent extends Event {
  readonly user: UserView;
  constructor(user: UserView) {
    super('cairn-login', { bubbles: true, composed: true });
    this.user = user;
  }
}

declare global {
  interface HTMLElementEventMap {
    'cairn-login': CairnLoginEvent;
  }
}
