/**
 * Which sections of a site the widgets' credentials may read, so that a dashboard asks only for
 * what it will be given: a view token carries them in its (readable, signed) payload; a session
 * learns them from `GET /api/sites/:site`. Reading them here decides nothing: the collector does.
 */
import type { SECTIONS, Section, SiteAnswer } from '@cairn/collector/protocol';
import type { CairnApi } from './api.ts';

/**
 * The protocol's SECTIONS, written out because the widgets import only types from the collector;
 * typed as that list, so that a section added, removed or moved there fails the typecheck here.
 */
export const ALL_SECTIONS: typeof SECTIONS = ['traffic', 'sources', 'goals', 'realtime', 'export'];

/** The sections a view token names, or null when it is not one (a session, or a site key). */
export function tokenSections(token: string | null): Section[] | null {
  if (!token?.startsWith('cairn_vt_')) return null;
  try {
    const body = token.slice('cairn_vt_'.length).split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/');
    const payload = JSON.parse(atob(body)) as { sections?: unknown };
    return Array.isArray(payload.sections) ? (payload.sections.filter((s) => (ALL_SECTIONS as readonly unknown[]).includes(s)) as Section[]) : null;
  } catch {
    return null;
  }
}

/** The sections the widgets may read: from the token, or asked of the collector for a session. */
export async function sectionsOf(api: CairnApi, site: string, token: string | null, signal?: AbortSignal): Promise<Section[]> {
  const fromToken = tokenSections(token);
  if (fromToken) return fromToken;
  if (token) return [...ALL_SECTIONS]; // a site key opens every section of its site
  const answer = await api.get<Pick<SiteAnswer, 'sections'>>(`/api/sites/${encodeURIComponent(site)}`, signal);
  return answer.sections;
}
