/**
 * @cairn/widgets: importing this module defines every `cairn-*` element. `widgets.js` (the same,
 * bundled) is what a plain `<script src="https://COLLECTOR/widgets.js">` loads.
 */
export { ApiError, CairnApi, type ApiOptions, type StatsQuery } from './core/api.ts';
export { CairnFilterChangeEvent, CairnPeriodChangeEvent, CairnTokenExpiredEvent } from './core/events.ts';
export { CairnElement, type LoadState } from './core/cairn-element.ts';
export { CairnMetric } from './metric/cairn-metric.ts';
export { CairnBreakdown } from './breakdown/cairn-breakdown.ts';
export { CairnTimeSeries } from './timeseries/cairn-timeseries.ts';
export { CairnRealtime } from './realtime/cairn-realtime.ts';
export { CairnGoals } from './goals/cairn-goals.ts';
export { CairnFunnel, type FunnelStep } from './funnel/cairn-funnel.ts';
export { CairnPageStats } from './page-stats/cairn-page-stats.ts';
export { CairnDashboard } from './dashboard/cairn-dashboard.ts';
