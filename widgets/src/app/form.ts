/**
 * Form helpers the pages share: a labelled text field with its hint and its error beside it (the
 * API's `error.field`), an error for the whole form, and focus on the first field in error.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { ApiError } from '../core/api.ts';

export interface FieldOptions {
  /** The input's id and name; also the API field its errors name. */
  name: string;
  label: string;
  type?: string;
  value?: string;
  hint?: string;
  autocomplete?: string;
  required?: boolean;
  /** The error shown under the field (a message), or null. */
  error?: string | null;
  inputmode?: string;
  min?: number | string;
  max?: number;
}

/** A label, an input, its hint and its error, wired for screen readers. */
export function textField(o: FieldOptions): TemplateResult {
  const described = [o.hint ? `${o.name}-hint` : '', o.error ? `${o.name}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field">
    <label for=${o.name}>${o.label}${o.required ? nothing : html` <span class="muted">(optional)</span>`}</label>
    <input
      id=${o.name}
      name=${o.name}
      type=${o.type ?? 'text'}
      .value=${o.value ?? ''}
      autocomplete=${ifDefined(o.autocomplete)}
      inputmode=${ifDefined(o.inputmode)}
      min=${ifDefined(o.min)}
      max=${ifDefined(o.max)}
      ?required=${o.required ?? false}
      aria-invalid=${o.error ? 'true' : 'false'}
      aria-describedby=${ifDefined(described || undefined)}
    />
    ${o.hint ? html`<p class="hint" id="${o.name}-hint">${o.hint}</p>` : nothing}
    ${fieldError(o.name, o.error)}
  </div>`;
}

/** The error under a field (with the id its input's aria-describedby names). */
export const fieldError = (name: string, error: string | null | undefined) =>
  error ? html`<p class="field-error" id="${name}-error">${error}</p>` : nothing;

/** The message of `err` when it is about `field` (or a part of it: `grants.0.site` is about `grants`). */
export function errorOn(err: unknown, field: string): string | null {
  if (!(err instanceof ApiError) || !err.field) return null;
  return err.field === field || err.field.startsWith(`${field}.`) ? err.message : null;
}

/** The message of `err` when no field of `fields` shows it. */
export function formError(err: unknown, fields: string[] = []): string | null {
  if (!err) return null;
  if (err instanceof ApiError && fields.some((f) => errorOn(err, f))) return null;
  return err instanceof Error ? err.message : String(err);
}

/** The form-wide error, announced. */
export const formAlert = (message: string | null) => (message ? html`<p class="notice bad" role="alert">${message}</p>` : nothing);

/** The form's fields by name, as strings. */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Moves focus to the first field marked invalid in `root` (after an error rendered). */
export function focusInvalid(root: ShadowRoot | null): void {
  root?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}

/** A new password and its confirmation (`password`, `confirm`), with their errors. */
export function newPasswordFields(err: unknown, name = 'password'): TemplateResult {
  return html`${textField({ name, label: 'New password', type: 'password', autocomplete: 'new-password', required: true, hint: 'At least 10 characters.', error: errorOn(err, name) })}
  ${textField({ name: 'confirm', label: 'New password, again', type: 'password', autocomplete: 'new-password', required: true, error: errorOn(err, 'confirm') })}`;
}

/** An ApiError on `confirm` when the two passwords differ, else null (checked before sending). */
export function mismatch(values: Record<string, string>, name = 'password'): ApiError | null {
  return values[name] === values.confirm ? null : new ApiError(400, 'mismatch', 'The two passwords differ.', 'confirm');
}

/** The token of a link's fragment (`/reset#token=…`): browsers never send it to a server. */
export const linkToken = () => new URLSearchParams(location.hash.slice(1)).get('token');

/** Every IANA time zone the browser knows, UTC first. */
export function timeZones(): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...all.filter((z) => z !== 'UTC')];
}

/** A labelled select of time zones. */
export function timeZoneField(name: string, value: string, error: string | null, hint?: string): TemplateResult {
  const zones = timeZones();
  if (!zones.includes(value)) zones.push(value);
  return html`<div class="field">
    <label for=${name}>Time zone</label>
    <select id=${name} name=${name} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${ifDefined([hint ? `${name}-hint` : '', error ? `${name}-error` : ''].filter(Boolean).join(' ') || undefined)}>
      ${zones.map((z) => html`<option value=${z} ?selected=${z === value}>${z.replaceAll('_', ' ')}</option>`)}
    </select>
    ${hint ? html`<p class="hint" id="${name}-hint">${hint}</p>` : nothing}
    ${fieldError(name, error)}
  </div>`;
}

/** A date and time as people read them here. */
export const formatTime = (ms: number) => new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * Some API errors name no field (site settings, goals, the first owner) but their message says
 * which input is wrong: the error, with the field of the first rule its message matches. Shown
 * under that field, a message's leading `field: ` (the API's name for it) goes.
 */
export function placeError(err: unknown, rules: [field: string, pattern: RegExp][]): unknown {
  if (!(err instanceof ApiError) || err.field) return err;
  const hit = rules.find(([, re]) => re.test(err.message));
  if (!hit) return err;
  const message = err.message.toLowerCase().startsWith(`${hit[0].toLowerCase()}: `) ? err.message.slice(hit[0].length + 2) : err.message;
  return new ApiError(err.status, err.code, message.charAt(0).toUpperCase() + message.slice(1), hit[0]);
}
