/** A page (or a section of one) with a form: its error and busy state, and focus on the field in error. */
import { AppPage } from './app-page.ts';
import { focusInvalid } from './form.ts';

export abstract class FormPage extends AppPage {
  static override properties = { ...AppPage.properties, error: { state: true }, busy: { state: true } };

  /** What went wrong with the last submission (see form.ts: placeError, formError), or null. */
  declare error: unknown;
  /** A submission is under way. */
  declare busy: boolean;

  constructor() {
    super();
    this.error = null;
    this.busy = false;
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('error') && this.error) focusInvalid(this.shadowRoot);
  }
}
