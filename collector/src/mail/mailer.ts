/**
 * Sending email (invitations, password resets; reports later) through the SMTP server of
 * CAIRN_SMTP_URL, from CAIRN_MAIL_FROM. One connection per message: Cairn sends few, and nothing
 * stays open between them. Without CAIRN_SMTP_URL, `createMailer` gives a NoMailer, whose sends
 * fail with a message telling the operator what to set.
 */
import { rootCertificates } from 'node:tls';
import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import type { Logger } from 'pino';
import { parseMailFrom, parseSmtpUrl, smtpLabel } from './smtp-url.ts';

export interface MailMessage {
  /** One address, or several separated by commas. */
  to: string;
  subject: string;
  text: string;
  /** An HTML alternative to `text`; whoever builds it escapes what it shows. */
  html?: string;
}

export interface Mailer {
  /** Hands a message to the SMTP server; rejects with a MailError. */
  send(msg: MailMessage): Promise<void>;
  close(): Promise<void>;
}

export type MailErrorCode = 'not_configured' | 'invalid_message' | 'auth_failed' | 'unreachable' | 'tls_failed' | 'rejected' | 'failed';

/** Why a message was not sent, in words for the operator (the password never appears). */
export class MailError extends Error {
  readonly code: MailErrorCode;
  constructor(code: MailErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MailError';
    this.code = code;
  }
}

/** The mailer of an installation without SMTP: every send fails, saying how to set it up. */
export class NoMailer implements Mailer {
  async send(): Promise<void> {
    throw new MailError('not_configured', 'Cairn cannot send email: set CAIRN_SMTP_URL (e.g. smtps://user:password@smtp.example.com:465) and CAIRN_MAIL_FROM, then restart the collector');
  }

  async close(): Promise<void> {}
}

export interface MailerOptions {
  /** Milliseconds to wait for the connection, the greeting and each reply; 15 s by default, as sends happen inside requests. */
  timeoutMs?: number;
  /** A CA certificate (PEM) to trust besides the usual ones: a relay with a private CA, tests. */
  ca?: string;
}

/** A mailer for an SMTP URL and a sender, or a NoMailer when the URL is empty; throws on bad values. */
export function createMailer(url: string | undefined, from: string, log: Logger, options: MailerOptions = {}): Mailer {
  if (!url?.trim()) return new NoMailer();
  const smtp = named('CAIRN_SMTP_URL', () => parseSmtpUrl(url));
  const sender = named('CAIRN_MAIL_FROM', () => parseMailFrom(from));
  const server = smtpLabel(smtp);
  const timeout = options.timeoutMs ?? 15_000;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.auth ?? undefined,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    dnsTimeout: timeout,
    // `ca` alone would replace Node's trusted roots rather than add to them.
    tls: { minVersion: 'TLSv1.2', ...(options.ca ? { ca: [...rootCertificates, options.ca] } : {}) },
    // Messages are built from our own text: nothing in them may read files or fetch URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    async send(msg) {
      const problem = messageProblem(msg);
      if (problem) throw new MailError('invalid_message', problem);
      try {
        const info = await transport.sendMail({ from: sender, to: msg.to, subject: msg.subject, text: msg.text, ...(msg.html === undefined ? {} : { html: msg.html }) });
        if (info.rejected.length > 0) throw new MailError('rejected', `the SMTP server ${server} refused the recipient ${info.rejected.join(', ')}`);
        log.info({ server, messageId: info.messageId }, 'mail sent');
      } catch (err) {
        const error = mailError(err, server);
        // Only the code and our message: nodemailer's error carries the SMTP transcript.
        log.warn({ server, code: error.code, reason: error.message }, 'mail not sent');
        throw error;
      }
    },
    async close() {
      transport.close();
    },
  };
}

function named<T>(variable: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new Error(`${variable} ${(err as Error).message}`, { cause: err });
  }
}

/** Why a message cannot be sent as it is, or null. CR and LF would start a new header. */
function messageProblem(msg: MailMessage): string | null {
  if (/[\r\n]/.test(msg.to) || /[\r\n]/.test(msg.subject)) return 'the recipient and the subject of an email cannot contain line breaks';
  const addresses = addressparser(msg.to, { flatten: true });
  if (addresses.length === 0 || addresses.some((a) => !/^[^\s@]+@[^\s@]+$/.test(a.address))) return `"${msg.to}" is not an email address`;
  if (msg.subject.trim() === '') return 'an email needs a subject';
  return null;
}

/** A MailError for what nodemailer reported, naming the likely fix. */
function mailError(err: unknown, server: string): MailError {
  if (err instanceof MailError) return err;
  const code = (err as { code?: unknown }).code;
  const reason = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'EAUTH':
    case 'ENOAUTH':
      return new MailError('auth_failed', `the SMTP server ${server} refused the login; check the user name and password in CAIRN_SMTP_URL (${reason})`, { cause: err });
    case 'ETLS':
      return new MailError('tls_failed', `TLS with the SMTP server ${server} failed (${reason})`, { cause: err });
    case 'EENVELOPE':
      return new MailError('rejected', `the SMTP server ${server} refused the sender or the recipient (${reason})`, { cause: err });
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'ETIMEDOUT':
    case 'EDNS':
      if (/certificate|self[- ]signed|altname/i.test(reason)) return new MailError('tls_failed', `the SMTP server ${server} presented a certificate that is not trusted (${reason})`, { cause: err });
      return new MailError('unreachable', `could not reach the SMTP server ${server}; check the host and port in CAIRN_SMTP_URL (${reason})`, { cause: err });
    default:
      return new MailError('failed', `sending email through ${server} failed (${reason})`, { cause: err });
  }
}
