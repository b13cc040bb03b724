// tsconfig.build.json loads no ambient types (the browser entries must not lean on Node's); this
// server-only module of @cairn/tracker/integration asks for them.
/// <reference types="node" />
/**
 * An app server's environment, checked once at start (re-exported by `@cairn/tracker/integration`):
 * each check answers the value and notes what is wrong in plain words, and `done()` throws one
 * `AppEnvError` naming every problem, so an operator fixes them all in one go.
 */
import { resolve } from 'node:path';

/** The settings every Cairn app server has, read by `AppEnvChecker.appServer()`. */
export interface AppServerEnv {
  /** The app server's public https URL (no trailing slash). */
  appUrl: string;
  /** The Cairn collector's URL (no trailing slash). */
  collector: string;
  /** `cairn_ik_…`: the integration key that creates and manages the sites the app makes. */
  integrationKey: string;
  /** Where the app's records are stored (an absolute path). */
  dataDir: string;
  /** 32 bytes: encrypts the secrets the app keeps at rest (`sealSecret`). */
  encryptionKey: Buffer;
  port: number;
}

/** Every problem with the environment; the message is `[<app>] cannot start:` and one line each. */
export class AppEnvError extends Error {
  readonly problems: string[];
  constructor(app: string, problems: string[]) {
    super(`[${app}] cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AppEnvError';
    this.problems = problems;
  }
}

export interface AppEnvChecker {
  /** The variable, trimmed; '' (and a problem) when it is not set. */
  need(name: string): string;
  /**
   * A required http(s) URL without its trailing slashes. `https` requires https, and its `why`
   * (e.g. "Shopify loads the app over https") is said in the problem.
   */
  url(name: string, options?: { https?: boolean; why?: string }): string;
  /** A required integration key (`cairn_ik_…`); the problem says how to make one named `appName`. */
  integrationKey(name: string, appName: string): string;
  /** A required 32-byte key, as 64 hex characters or base64; empty when missing or wrong. */
  encryptionKey(name: string): Buffer;
  /** A port number (0–65535), `fallback` when the variable is not set. */
  port(name?: string, fallback?: number): number;
  /**
   * The shared settings, from `CAIRN_<PLATFORM>_APP_URL` (https: `why` says why), `CAIRN_COLLECTOR`,
   * `CAIRN_INTEGRATION_KEY` (its problem names `appName`), `CAIRN_<PLATFORM>_DATA_DIR`,
   * `CAIRN_<PLATFORM>_ENCRYPTION_KEY` and `PORT` (3000 by default), checked in that order.
   */
  appServer(options: { platform: string; appName: string; why: string }): AppServerEnv;
  /** Notes a problem found by the app's own checks. */
  problem(message: string): void;
  /** Throws, if any check failed, `toError(problems)`: by default an `AppEnvError` for the app. */
  done(toError?: (problems: string[]) => Error): void;
}

/** A checker reading `env` (usually `process.env`) for `app`, the name its errors begin with (`@cairn/shopify`). */
export function checkAppEnv(env: Record<string, string | undefined>, app: string): AppEnvChecker {
  const problems: string[] = [];
  const checker: AppEnvChecker = {
    need(name) {
      const value = env[name]?.trim() ?? '';
      if (!value) problems.push(`${name} is not set`);
      return value;
    },
    url(name, { https = false, why } = {}) {
      const value = checker.need(name);
      if (!value) return '';
      try {
        const parsed = new URL(value);
        if (https && parsed.protocol !== 'https:') problems.push(`${name} must be an https:// URL${why ? ` (${why})` : ''}, got ${value}`);
        else if (!['http:', 'https:'].includes(parsed.protocol)) problems.push(`${name} must be an http(s):// URL, got ${value}`);
      } catch {
        problems.push(`${name} is not a URL: ${value}`);
      }
      return value.replace(/\/+$/, '');
    },
    integrationKey(name, appName) {
      const value = checker.need(name);
      if (value && !value.startsWith('cairn_ik_')) {
        problems.push(`${name} must be an integration key (cairn_ik_…): make one with \`npm run cairn -- integration add --name "${appName}"\``);
      }
      return value;
    },
    encryptionKey(name) {
      const text = checker.need(name);
      if (!text) return Buffer.alloc(0);
      const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
      if (key.length === 32) return key;
      problems.push(`${name} must be 32 bytes, as 64 hex characters or base64: make one with \`openssl rand -base64 32\``);
      return Buffer.alloc(0);
    },
    port(name = 'PORT', fallback = 3000) {
      const text = env[name]?.trim() || String(fallback);
      const port = Number(text);
      if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`${name} must be a port number (0–65535), got ${text}`);
      return port;
    },
    appServer({ platform, appName, why }) {
      const appUrl = checker.url(`CAIRN_${platform}_APP_URL`, { https: true, why });
      const collector = checker.url('CAIRN_COLLECTOR');
      const integrationKey = checker.integrationKey('CAIRN_INTEGRATION_KEY', appName);
      const dataDir = checker.need(`CAIRN_${platform}_DATA_DIR`);
      const encryptionKey = checker.encryptionKey(`CAIRN_${platform}_ENCRYPTION_KEY`);
      return { appUrl, collector, integrationKey, dataDir: dataDir && resolve(dataDir), encryptionKey, port: checker.port() };
    },
    problem(message) {
      problems.push(message);
    },
    done(toError = (found) => new AppEnvError(app, found)) {
      if (problems.length) throw toError([...problems]);
    },
  };
  return checker;
}
