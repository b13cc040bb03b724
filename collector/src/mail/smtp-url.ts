/**
 * Where Cairn's mail goes, configured by one URL (CAIRN_SMTP_URL): `smtps://user:password@host:465`
 * speaks TLS from the first byte; `smtp://user:password@host:587` upgrades with STARTTLS when the
 * server offers it. And who it comes from (CAIRN_MAIL_FROM). Both are checked when the collector
 * starts, so that a typo shows there and not when someone first asks for a password reset.
 */
import addressparser from 'nodemailer/lib/addressparser';

export interface SmtpSettings {
  /** TLS from the first byte (smtps://); otherwise STARTTLS when the server offers it (smtp://). */
  secure: boolean;
  /** A host name or an IP address (IPv6 without brackets). */
  host: string;
  port: number;
  /** null for a server that takes mail without a login (a relay on the same host). */
  auth: { user: string; pass: string } | null;
}

const EXAMPLE = 'e.g. smtps://user:password@smtp.example.com:465 or smtp://user:password@smtp.example.com:587';
const DEFAULT_PORT = { smtp: 587, smtps: 465 } as const;

/** Reads an SMTP URL; throws an Error that says what is wrong, never repeating the password. */
export function parseSmtpUrl(raw: string): SmtpSettings {
  const fail = (why: string): never => {
    throw new Error(`${why} (${EXAMPLE})`);
  };
  const url = URL.parse(raw.trim()) ?? fail('must be an smtp:// or smtps:// URL with a host; a port, if given, is a number from 1 to 65535');
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') fail(`must start with smtp:// or smtps://, not ${url.protocol}`);
  // smtp: is not a "special" scheme to WHATWG URL, so its host is opaque: check it ourselves.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!/^[a-z0-9.-]+$/i.test(host) && !(url.hostname.startsWith('[') && /^[0-9a-f:.]+$/i.test(host))) fail('must name the SMTP server (smtp://host or smtps://host, with an ASCII host name)');
  if (url.pathname !== '' && url.pathname !== '/') fail('takes no path after the host and port');
  if (url.search || url.hash) fail('takes no query string or fragment');
  const port = url.port === '' ? DEFAULT_PORT[url.protocol === 'smtps:' ? 'smtps' : 'smtp'] : Number(url.port);
  if (port < 1) fail('needs a port from 1 to 65535');
  if (url.username === '' && url.password !== '') fail('has a password but no user name');
  if (url.username !== '' && url.password === '') fail('has a user name but no password (smtp://user:password@host)');
  let auth: SmtpSettings['auth'] = null;
  if (url.username !== '') {
    try {
      auth = { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
    } catch {
      fail('has a malformed %-escape in its user name or password');
    }
  }
  return { secure: url.protocol === 'smtps:', host, port, auth };
}

/** The URL without its password, for logs and messages. */
export const smtpLabel = (s: SmtpSettings) => `${s.secure ? 'smtps' : 'smtp'}://${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`;

/** Reads a sender, `cairn@example.com` or `Cairn <cairn@example.com>`; throws an Error that says what is wrong. */
export function parseMailFrom(raw: string): string {
  const text = raw.trim();
  const parsed = /[\r\n]/.test(text) ? [] : addressparser(text);
  const address = parsed.length === 1 ? parsed[0]?.address : undefined;
  if (!address || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) {
    throw new Error('must be one email address, e.g. cairn@example.com or "Cairn <cairn@example.com>"');
  }
  return text;
}
