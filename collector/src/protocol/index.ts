export * from './event.ts';
export type * from './stats-answers.ts';
export { SECTIONS, type AuditEntry, type Section } from './management.ts';
export type { Dimension, Filter, FilterDimension, Metric, Metrics, Vital } from './query.ts';
export { DIMENSIONS, METRICS, PERIODS } from './query.ts';
