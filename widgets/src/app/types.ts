/**
 * What the app adds to the management API's types (which it imports from
 * `@cairn/collector/protocol`): the names it shows for sections, and who counts as an admin.
 */
import type { Section, UserView } from '@cairn/collector/protocol';

/** Each section as a person reads it (a section missing here, or unknown to the protocol, fails the typecheck). */
export const SECTION_LABELS: Record<Section, string> = {
  traffic: 'Traffic',
  sources: 'Sources',
  goals: 'Goals',
  realtime: 'Realtime',
  export: 'Export',
};

export const isAdmin = (u: UserView | null) => u?.role === 'owner' || u?.role === 'admin';
