/**
 * Configuration from flags and environment variables (flags win), validated at start: every bad
 * value is reported at once, each with where it came from and what would be accepted.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import proxyaddr from 'proxy-addr';
import { parseMailFrom, parseSmtpUrl } from './mail/smtp-url.ts';

export interface Config {
  dataDir: string;
  port: number;
  host: string;
  publicUrl: string;
  trustedProxies: string[];
  /** A MaxMind country database, or '' for the CC0 one from npm (enrich/geo.ts). */
  geoDb: string;
  /** Events per minute per client address; 0 turns the limit off. */
  rateLimitIp: number;
  /** Events per minute per site; 0 turns the limit off. */
  rateLimitSite: number;
  commitMaxRows: number;
  loadIntervalMs: number;
  /** MiB of free disk space the embedded store keeps beyond what loading its journal needs; below, events get 503. */
  minFreeMb: number;
  /** The embedded database's memory limit, e.g. "512MB" (beyond it, queries spill to disk). */
  memoryLimit: string;
  /** The embedded database's threads; 0: one per core. */
  threads: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** "duckdb", or a MongoDB connection string. */
  store: string;
  /** Where invitations and password resets are sent through (smtp:// or smtps://), or '' for no mail. */
  smtpUrl: string;
  /** Who Cairn's mail comes from; '' for cairn@ the public URL's host. */
  mailFrom: string;
}

type Parse<T> = (raw: string) => T;

const integer =
  (min: number, max: number): Parse<number> =>
  (raw) => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || n < min || n > max) throw new Error(`must be a whole number from ${min} to ${max}`);
    return n;
  };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Each option: its env var, its flag, how to read it, and its default. */
export const OPTIONS = {
  dataDir: { env: 'CAIRN_DATA_DIR', flag: 'data-dir', parse: (raw: string) => resolve(raw), fallback: './data' },
  port: { env: 'CAIRN_PORT', flag: 'port', parse: integer(0, 65535), fallback: '8800' },
  host: {
    env: 'CAIRN_HOST',
    flag: 'host',
    parse: (raw: string) => {
      const host = raw.trim();
      if (!host) throw new Error('must be an address or host name to listen on, e.g. 127.0.0.1 or 0.0.0.0 (all interfaces)');
      return host;
    },
    fallback: '0.0.0.0',
  },
  publicUrl: {
    env: 'CAIRN_PUBLIC_URL',
    flag: 'public-url',
    parse: (raw: string) => {
      const url = URL.parse(raw.trim());
      if (!url || !/^https?:$/.test(url.protocol) || !/^https?:\/\//i.test(raw.trim()) || url.search || url.hash || url.username) {
        throw new Error('must be the http(s) URL where browsers reach this collector, without query or fragment, e.g. https://stats.example.com');
      }
      return (url.origin + url.pathname).replace(/\/+$/, '');
    },
    fallback: '',
  },
  trustedProxies: {
    env: 'CAIRN_TRUSTED_PROXIES',
    flag: 'trusted-proxies',
    parse: (raw: string) => {
      const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
      try {
        proxyaddr.compile(list);
      } catch (err) {
        throw new Error(`must be addresses, CIDR ranges or loopback/linklocal/uniquelocal: ${(err as Error).message}`, { cause: err });
      }
      return list;
    },
    fallback: '',
  },
  geoDb: {
    env: 'CAIRN_GEOIP_DB',
    flag: 'geoip-db',
    parse: (raw: string) => {
      if (raw.trim() === '') return '';
      const file = resolve(raw);
      if (!existsSync(file)) throw new Error(`no such file: ${file}`);
      return file;
    },
    fallback: '',
  },
  rateLimitIp: { env: 'CAIRN_RATE_LIMIT_IP', flag: 'rate-limit-ip', parse: integer(0, 1e9), fallback: '600' },
  rateLimitSite: { env: 'CAIRN_RATE_LIMIT_SITE', flag: 'rate-limit-site', parse: integer(0, 1e12), fallback: '120000' },
  commitMaxRows: { env: 'CAIRN_COMMIT_MAX_ROWS', flag: 'commit-max-rows', parse: integer(1, 100_000), fallback: '1000' },
  loadIntervalMs: { env: 'CAIRN_LOAD_INTERVAL_MS', flag: 'load-interval-ms', parse: integer(50, 600_000), fallback: '5000' },
  minFreeMb: { env: 'CAIRN_MIN_FREE_MB', flag: 'min-free-mb', parse: integer(0, 1_000_000), fallback: '256' },
  memoryLimit: {
    env: 'CAIRN_MEMORY_LIMIT',
    flag: 'memory-limit',
    parse: (raw: string) => {
      const m = /^\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$/i.exec(raw);
      const bytes = m ? Number(m[1]) * 1024 ** ('kmgt'.indexOf(m[2]![0]!.toLowerCase()) + 1) : 0;
      if (!m || bytes < 64 * 2 ** 20) throw new Error('must be a size of at least 64MB, e.g. 512MB or 2GB');
      return `${m[1]}${m[2]!.toUpperCase().replace('I', 'i')}`;
    },
    fallback: '512MB',
  },
  threads: { env: 'CAIRN_THREADS', flag: 'threads', parse: integer(0, 256), fallback: '0' },
  logLevel: {
    env: 'CAIRN_LOG_LEVEL',
    flag: 'log-level',
    parse: (raw: string) => {
      const level = raw.trim().toLowerCase();
      if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`must be one of ${LOG_LEVELS.join(', ')}`);
      return level as Config['logLevel'];
    },
    fallback: 'info',
  },
  store: {
    env: 'CAIRN_STORE',
    flag: 'store',
    parse: (raw: string) => {
      if (raw === 'duckdb') return raw;
      if (/^mongodb(\+srv)?:\/\/[^/?]+/.test(raw)) return raw;
      throw new Error('must be "duckdb" (the embedded store) or a MongoDB connection string (mongodb://host/db or mongodb+srv://…)');
    },
    fallback: 'duckdb',
  },
  smtpUrl: {
    env: 'CAIRN_SMTP_URL',
    flag: 'smtp-url',
    parse: (raw: string) => {
      if (raw.trim() !== '') parseSmtpUrl(raw);
      return raw.trim();
    },
    fallback: '',
  },
  mailFrom: {
    env: 'CAIRN_MAIL_FROM',
    flag: 'mail-from',
    parse: (raw: string) => (raw.trim() === '' ? '' : parseMailFrom(raw)),
    fallback: '',
  },
} as const;

export type OptionName = keyof typeof OPTIONS;

/** Reads every option; throws ConfigError listing every bad value. */
export function loadConfig(flags: Partial<Record<string, string>>, env: NodeJS.ProcessEnv = process.env): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, opt] of Object.entries(OPTIONS)) {
    const fromFlag = flags[opt.flag];
    const fromEnv = env[opt.env];
    const raw = fromFlag ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : opt.fallback);
    const where = fromFlag !== undefined ? `--${opt.flag}` : fromEnv ? opt.env : `default of ${opt.env}`;
    try {
      out[name] = raw === '' && name === 'publicUrl' ? '' : opt.parse(raw);
    } catch (err) {
      // An SMTP URL may carry a password: it is never repeated in a message.
      const shown = name === 'smtpUrl' ? raw.replace(/\/\/[^@/]*@/, '//…@') : raw;
      problems.push(`${where}=${JSON.stringify(shown)}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const config = out as unknown as Config;
  if (!config.publicUrl) config.publicUrl = `http://localhost:${config.port}`;
  if (!config.mailFrom) config.mailFrom = `Cairn <cairn@${new URL(config.publicUrl).hostname}>`;
  return config;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
