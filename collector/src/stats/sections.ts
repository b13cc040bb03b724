/**
 * Which sections of a site (protocol/management.ts: traffic, sources, goals, realtime, export)
 * reading its stats needs, for the routes and the realtime feed to ask the authoriser: a
 * dimension that tells where visitors come from needs "sources", and so does filtering on one.
 */
import type { Section } from '../protocol/management.ts';
import type { RealtimeAnswer } from '../protocol/stats-answers.ts';

/** Dimensions that tell where visitors come from: reading them needs the "sources" section. */
const SOURCE_DIMENSIONS = new Set(['source', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content']);

/** The section a dimension (a breakdown, a filter) reads. */
export const sectionOf = (dimension: string): Section => (SOURCE_DIMENSIONS.has(dimension) ? 'sources' : 'traffic');

/**
 * The sections the filters of a request read (`filters` as the query string carries it, JSON).
 * A malformed filter adds nothing: the route refuses it.
 */
export function filterSections(filters: unknown): Section[] {
  try {
    const list: unknown = typeof filters === 'string' ? JSON.parse(filters) : [];
    return Array.isArray(list) ? list.map((f) => sectionOf(String((f as { dimension?: unknown })?.dimension))) : [];
  } catch {
    return [];
  }
}

/** A realtime answer for someone not granted the site's sources: its latest events without their source. */
export const withoutSources = (a: RealtimeAnswer): RealtimeAnswer => ({ ...a, recent: a.recent.map((e) => ({ ...e, source: null })) });
