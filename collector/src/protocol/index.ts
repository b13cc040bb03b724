export * from './event.ts';
export type * from './stats-answers.ts';
export type * from './management-answers.ts';
export { DROP_REASONS, DROP_REASON_TEXT, type DropReason, type FilteredAnswer } from './dropped.ts';
export type { ErrorEnvelope } from './errors.ts';
export { SECTIONS, type AuditEntry, type Grant, type IntegrationKeyView, type Invitation, type KeyView, type Role, type Section, type ShareView, type SiteSetup, type SiteView, type UserView } from './management.ts';
export type { Dimension, Filter, FilterDimension, Goal, GoalInput, Metric, Metrics, Vital } from './query.ts';
export { DIMENSIONS, METRICS, PERIODS } from './query.ts';
export { FORWARDED_HEADERS, type ForwardedHeader } from './forwarding.ts';
