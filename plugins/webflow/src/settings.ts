/** The tracker settings an admin sends (JSON or a form), checked: unknown features and odd values are refused in plain words. */
import { HttpError } from './http-error.ts';
import type { TrackerSettings } from './token-store.ts';

/** What `data-disable` may switch off (docs/tracker.md). */
export const FEATURES = ['spa', 'engagement', 'outbound', 'tel', 'mailto', 'download', 'form', 'cta'];

/** The settings in `body`, or undefined when it names none (the site's stored ones then apply). */
export function parseSettings(body: unknown): TrackerSettings | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  if (!['disable', 'exclude', 'respectDnt', 'vitals'].some((k) => k in b)) return undefined;
  const list = typeof b.disable === 'string' ? b.disable.split(/[\s,]+/).filter(Boolean) : Array.isArray(b.disable) ? b.disable : [];
  const unknown = list.filter((f) => typeof f !== 'string' || !FEATURES.includes(f));
  if (unknown.length) throw new HttpError(400, 'bad_settings', `disable names features t.js does not have: ${unknown.join(', ')} (it knows ${FEATURES.join(', ')}).`);
  const exclude = b.exclude === undefined ? '' : b.exclude;
  if (typeof exclude !== 'string' || exclude.length > 1000 || /["<>]/.test(exclude)) throw new HttpError(400, 'bad_settings', 'exclude must be paths separated by spaces (at most 1,000 characters, no quotes or angle brackets).');
  const flag = (v: unknown) => v === true || v === 'true' || v === 'on';
  return {
    ...(list.length ? { disable: [...new Set(list as string[])] } : {}),
    ...(exclude.trim() ? { exclude: exclude.trim() } : {}),
    ...(flag(b.respectDnt) ? { respectDnt: true } : {}),
    ...(flag(b.vitals) ? { vitals: true } : {}),
  };
}
