/** The embedded store's tables, and the one list of event columns the journal and the loader share. */
import type { StoredEvent } from '../store.ts';

export const SCHEMA_VERSION = 8;

/** Event columns: SQL name, SQL type, and the StoredEvent field that fills it. */
export const EVENT_COLUMNS = [
  ['site', 'VARCHAR NOT NULL', 'site'],
  ['ts', 'TIMESTAMP NOT NULL', 'ts'],
  ['name', 'VARCHAR NOT NULL', 'name'],
  ['visitor', 'UUID NOT NULL', 'visitor'],
  ['session', 'BIGINT NOT NULL', 'session'],
  ['hostname', 'VARCHAR NOT NULL', 'hostname'],
  ['pathname', 'VARCHAR NOT NULL', 'pathname'],
  ['query', 'VARCHAR', 'query'],
  ['referrer', 'VARCHAR', 'referrer'],
  ['referrer_host', 'VARCHAR', 'referrerHost'],
  ['source', 'VARCHAR', 'source'],
  ['medium', 'VARCHAR NOT NULL', 'medium'],
  ['utm_source', 'VARCHAR', 'utmSource'],
  ['utm_medium', 'VARCHAR', 'utmMedium'],
  ['utm_campaign', 'VARCHAR', 'utmCampaign'],
  ['utm_term', 'VARCHAR', 'utmTerm'],
  ['utm_content', 'VARCHAR', 'utmContent'],
  ['country', 'VARCHAR', 'country'],
  ['browser', 'VARCHAR', 'browser'],
  ['browser_version', 'VARCHAR', 'browserVersion'],
  ['os', 'VARCHAR', 'os'],
  ['os_version', 'VARCHAR', 'osVersion'],
  ['device', 'VARCHAR NOT NULL', 'device'],
  ['screen_width', 'USMALLINT', 'screenWidth'],
  ['props', 'VARCHAR', 'props'],
  ['engaged_ms', 'UINTEGER', 'engagedMs'],
  ['scroll_depth', 'UTINYINT', 'scrollDepth'],
  ['client_id', 'VARCHAR', 'clientId'],
] as const satisfies readonly (readonly [string, string, keyof StoredEvent])[];

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS sites (
  id VARCHAR PRIMARY KEY,
  domains VARCHAR[] NOT NULL,
  allow_subdomains BOOLEAN NOT NULL,
  query_keys VARCHAR[] NOT NULL,
  timezone VARCHAR NOT NULL,
  -- Unused since schema 4 ('' for new sites): keys moved to site_keys, and dropping a column
  -- would mean rebuilding the table.
  key_hash VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  retention_months INTEGER NOT NULL DEFAULT 25,
  synthetic BOOLEAN NOT NULL DEFAULT false,
  name VARCHAR,
  deleted_at TIMESTAMP
);
-- Added in schema 2 (databases created by schema 1 get them here), and in schema 4.
ALTER TABLE sites ADD COLUMN IF NOT EXISTS retention_months INTEGER DEFAULT 25;
ALTER TABLE sites ADD COLUMN IF NOT EXISTS synthetic BOOLEAN DEFAULT false;
ALTER TABLE sites ADD COLUMN IF NOT EXISTS name VARCHAR;
ALTER TABLE sites ADD COLUMN IF NOT EXISTS deleted_at TIMESTAMP;
-- The integration key that created the site (it may manage it), or NULL.
ALTER TABLE sites ADD COLUMN IF NOT EXISTS integration VARCHAR;
-- Schema 4: a site's keys (only their hashes), revoked ones kept.
CREATE TABLE IF NOT EXISTS site_keys (
  id VARCHAR PRIMARY KEY, site VARCHAR NOT NULL, name VARCHAR NOT NULL, hash VARCHAR NOT NULL UNIQUE,
  last4 VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, revoked_at TIMESTAMP
);
-- Schema 7: a share link's terms (JSON: sections, password hash, expiry); NULL for a plain key.
ALTER TABLE site_keys ADD COLUMN IF NOT EXISTS share VARCHAR;
CREATE TABLE IF NOT EXISTS users (
  id VARCHAR PRIMARY KEY, email VARCHAR NOT NULL UNIQUE, name VARCHAR NOT NULL, role VARCHAR NOT NULL,
  password_hash VARCHAR, grants VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, password_changed_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS logins (
  id_hash VARCHAR PRIMARY KEY, user_id VARCHAR NOT NULL, csrf VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL, last_seen_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
  id VARCHAR PRIMARY KEY, ts TIMESTAMP NOT NULL, actor VARCHAR, action VARCHAR NOT NULL, target VARCHAR,
  ip_hash VARCHAR, details VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS goals (
  site VARCHAR NOT NULL, id VARCHAR NOT NULL, name VARCHAR NOT NULL, kind VARCHAR NOT NULL,
  match VARCHAR NOT NULL, revenue VARCHAR, created_at TIMESTAMP NOT NULL DEFAULT now(),
  currency VARCHAR,
  PRIMARY KEY (site, id)
);
-- The prop naming a revenue goal's currency (revenue is then summed per currency), or NULL.
-- (migrate.ts checkpoints after these statements: DuckDB cannot replay this ALTER from its WAL.)
ALTER TABLE goals ADD COLUMN IF NOT EXISTS currency VARCHAR;
-- Events dropped at ingest per site, UTC day and reason (schema 7; bots only, as bot_counts, before).
CREATE TABLE IF NOT EXISTS drop_counts (
  site VARCHAR NOT NULL, day DATE NOT NULL, reason VARCHAR NOT NULL, count UBIGINT NOT NULL,
  PRIMARY KEY (site, day, reason)
);
-- Daily rollups (schema 2; scroll sums since 3): the stats of one local day of one site, per dimension value; the
-- dimension '' holds the day's totals. rollup_days says which days are rolled, in which time
-- zone, and whether events arrived for them since (dirty).
CREATE TABLE IF NOT EXISTS rollups (
  site VARCHAR NOT NULL, day DATE NOT NULL, dimension VARCHAR NOT NULL, value VARCHAR NOT NULL,
  visitors UBIGINT NOT NULL, visits UBIGINT NOT NULL, pageviews UBIGINT NOT NULL, events UBIGINT NOT NULL,
  bounces UBIGINT NOT NULL, visit_pageviews UBIGINT NOT NULL, duration UBIGINT NOT NULL,
  scroll_sum UBIGINT NOT NULL, scroll_n UBIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS rollup_days (
  site VARCHAR NOT NULL, day DATE NOT NULL, timezone VARCHAR NOT NULL, rolled_at TIMESTAMP NOT NULL,
  dirty BOOLEAN NOT NULL, PRIMARY KEY (site, day)
);
-- Schema 5 added page_min (unused since schema 6) and page rollups (dropped by schema 6).
ALTER TABLE rollup_days ADD COLUMN IF NOT EXISTS page_min INTEGER;
-- Schema 6: filter rollups, the day's sums per value of a filter dimension (those with at least
-- filter_min visitors that day; filter_min NULL: rolled without them, and rolled again) and value
-- of each breakdown dimension, which answer a filter 'filter is fvalue'. filters lists the
-- dimensions rolled (comma-separated): a day rolled with fewer than the code rolls now is rolled
-- again. Rolled, and made dirty, with their day.
ALTER TABLE rollup_days ADD COLUMN IF NOT EXISTS filter_min INTEGER;
ALTER TABLE rollup_days ADD COLUMN IF NOT EXISTS filters VARCHAR;
-- Also schema 6: prop rollups, rows of the day's rollup under the dimension 'prop:<key>' for the
-- prop keys listed in prop_keys; props_complete: every key of the day is listed (a key not listed
-- then had no events). NULL: rolled without them, and rolled again.
ALTER TABLE rollup_days ADD COLUMN IF NOT EXISTS prop_keys VARCHAR[];
ALTER TABLE rollup_days ADD COLUMN IF NOT EXISTS props_complete BOOLEAN;
CREATE TABLE IF NOT EXISTS filter_rollups (
  site VARCHAR NOT NULL, day DATE NOT NULL, filter VARCHAR NOT NULL, fvalue VARCHAR NOT NULL, dimension VARCHAR NOT NULL, value VARCHAR NOT NULL,
  visitors UBIGINT NOT NULL, visits UBIGINT NOT NULL, pageviews UBIGINT NOT NULL, events UBIGINT NOT NULL,
  bounces UBIGINT NOT NULL, visit_pageviews UBIGINT NOT NULL, duration UBIGINT NOT NULL,
  scroll_sum UBIGINT NOT NULL, scroll_n UBIGINT NOT NULL
);
-- Schema 8: the events of a rolled day joined to their visits (stats-sql.ts's filtered events
-- "e", kept), so that a query the rollups cannot answer (a page containing a word, a prop, two
-- filters, a funnel) reads them instead of rebuilding every visit of its period from raw events.
-- A rolled day D keeps each event of D (in_range) and each later event of a visit that started
-- on D (not in_range: it decides whether the visit counts); s_* are the visit's values. Rolled,
-- made dirty and deleted with their day (rollup_days.visit_events says a day has them).
ALTER TABLE rollup_days ADD COLUMN IF NOT EXISTS visit_events BOOLEAN;
CREATE TABLE IF NOT EXISTS visit_events (
  site VARCHAR NOT NULL, day DATE NOT NULL, ts TIMESTAMP NOT NULL, rid BIGINT NOT NULL, session BIGINT NOT NULL, visitor UUID NOT NULL,
  name VARCHAR NOT NULL, props VARCHAR, pathname VARCHAR NOT NULL, country VARCHAR, device VARCHAR NOT NULL, browser VARCHAR, os VARCHAR,
  scroll_depth UTINYINT, lts TIMESTAMP NOT NULL, active BOOLEAN NOT NULL, in_range BOOLEAN NOT NULL,
  s_start TIMESTAMP, s_pv BIGINT NOT NULL, s_bounce BOOLEAN NOT NULL, s_dur BIGINT NOT NULL,
  s_source VARCHAR, s_referrer VARCHAR, s_utm_source VARCHAR, s_utm_medium VARCHAR, s_utm_campaign VARCHAR, s_utm_term VARCHAR,
  s_utm_content VARCHAR, s_entry_page VARCHAR, s_exit_page VARCHAR
);
CREATE TABLE IF NOT EXISTS events (
  ${EVENT_COLUMNS.map(([name, type]) => `${name} ${type}`).join(',\n  ')}
);
`;
