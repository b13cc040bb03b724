/**
 * `@cairn/next`: the client components. `<Analytics />` for the App Router (`@cairn/next/pages`
 * has the Pages Router's), `<Dashboard />`, and `track()` for custom events in the browser.
 */
export { Analytics, type AnalyticsProps } from './analytics.tsx';
export { Dashboard, type DashboardProps } from './dashboard.tsx';
export { track } from '@cairn/tracker';
