/** The widgets' events: typed classes, bubbling out of shadow roots. Change events fire only on user action. */
import type { Filter } from '@cairn/collector/protocol';

/** The user changed the filters (clicked a breakdown row, removed a filter chip). */
export class CairnFilterChangeEvent extends Event {
  readonly filters: Filter[];
  constructor(filters: Filter[]) {
    super('cairn-filter-change', { bubbles: true, composed: true });
    this.filters = filters;
  }
}

/** The user picked another period or comparison. */
export class CairnPeriodChangeEvent extends Event {
  readonly period: string;
  readonly compare: string | null;
  readonly from: string | null;
  readonly to: string | null;
  constructor(o: { period: string; compare: string | null; from?: string | null; to?: string | null }) {
    super('cairn-period-change', { bubbles: true, composed: true });
    this.period = o.period;
    this.compare = o.compare;
    this.from = o.from ?? null;
    this.to = o.to ?? null;
  }
}

/**
 * The view token expired or was revoked (or the session ended). The host answers by setting a
 * fresh `token` on the widget (which then reloads), or by calling `event.retry(token)`.
 */
export class CairnTokenExpiredEvent extends Event {
  readonly retry: (token: string) => void;
  constructor(retry: (token: string) => void) {
    super('cairn-token-expired', { bubbles: true, composed: true });
    this.retry = retry;
  }
}

declare global {
  interface HTMLElementEventMap {
    'cairn-filter-change': CairnFilterChangeEvent;
    'cairn-period-change': CairnPeriodChangeEvent;
    'cairn-token-expired': CairnTokenExpiredEvent;
  }
}

/** The dashboard began or stopped showing its "no visits recorded yet" state (the site's data, not a user action). */
export class CairnEmptyEvent extends Event {
  readonly empty: boolean;
  constructor(empty: boolean) {
    super('cairn-empty', { bubbles: true, composed: true });
    this.empty = empty;
  }
}
