import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { createMailer, MailError, NoMailer, type Mailer } from './mailer.ts';

// A self-signed certificate for localhost and 127.0.0.1, valid until 2126, made for these tests only.
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgtrVnkW3Me7WeRbaO
P+JKLFskSapyK2KbpL6muTqBnaKhRANCAAQxZM8ZvL2LVK/SYWxLV7nTuRLHHX/j
SQ9yVpWEkHhib0ne3aFONzbCC9Yusz6Ks5do9jNz1t2fzgVioZ3Xa1Ck
-----END PRIVATE KEY-----`;
const CERT = `-----BEGIN CERTIFICATE-----
MIIBmjCCAUGgAwIBAgIUXAV1yNwjB7JTpO/jM+PIHFHU1WAwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNDAwNDQ0M1oYDzIxMjYxMDMx
MDA0NDQzWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQxZM8ZvL2LVK/SYWxLV7nTuRLHHX/jSQ9yVpWEkHhib0ne3aFONzbC
C9Yusz6Ks5do9jNz1t2fzgVioZ3Xa1Cko28wbTAdBgNVHQ4EFgQUC21wTpEWicq2
eXCoXR4oaeNd5+0wHwYDVR0jBBgwFoAUC21wTpEWicq2eXCoXR4oaeNd5+0wDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDRwAwRAIgNUZbX7yH+WGyAsEEBUhHyFbAVt9emUhbyjX8Uuk0zEQCIDLL
AN7MNLGM86fpzSU64FAHpkKreXfCngAGc8g99F4b
-----END CERTIFICATE-----`;

const USER = 'cairn@example.com';
// Characters that must be %-escaped in the URL, to check they are decoded.
const PASS = 'p@ss:w/rd 1';
const credentials = `${encodeURIComponent(USER)}:${encodeURIComponent(PASS)}`;
const FROM = 'Cairn <cairn@example.com>';

interface Received {
  from: string;
  to: string[];
  raw: string;
  secure: boolean;
  user: unknown;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A real SMTP server on 127.0.0.1 that asks for USER/PASS and keeps what it receives. */
async function smtpServer(options: SMTPServerOptions = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: false,
    disableReverseLookup: true,
    logger: false,
    onAuth(auth, _session, done) {
      if (auth.username === USER && auth.password === PASS) done(null, { user: auth.username });
      else done(new Error('Invalid username or password'));
    },
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const { mailFrom, rcptTo } = session.envelope;
        received.push({ from: mailFrom ? mailFrom.address : '', to: rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'), secure: session.secure, user: session.user });
        done();
      });
    },
    ...options,
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as AddressInfo).port, received };
}

/** A mailer whose log lines are kept, closed after the test. */
function mailer(url: string, options: { ca?: string } = {}) {
  const lines: string[] = [];
  const log = createLogger('info', new Writable({ write: (chunk: Buffer, _enc, next) => (lines.push(chunk.toString()), next()) }));
  const m = createMailer(url, FROM, log, { timeoutMs: 2_000, ...options });
  cleanups.push(() => m.close());
  return { mailer: m, lines };
}

/** The error a send rejects with. */
async function failure(m: Mailer, msg = { to: 'ada@example.com', subject: 'Hello', text: 'Hi' }): Promise<MailError> {
  const err = await m.send(msg).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(MailError);
  return err as MailError;
}

/** The body of a message's part of this content type, quoted-printable decoded. */
function part(raw: string, type: string): string {
  const [head = '', ...body] = raw.split(`Content-Type: ${type}`)[1]?.split('\r\n\r\n') ?? [];
  const text = body.join('\r\n\r\n').split('\r\n----')[0]!;
  return /quoted-printable/.test(head) ? text.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text;
}

const message = {
  to: 'Ada Lovelace <ada@example.com>',
  subject: 'Set your Cairn password',
  text: 'Open https://stats.example.com/reset#token=abc to choose a password.',
  html: '<p>Open <a href="https://stats.example.com/reset#token=abc">this link</a>.</p>',
};

describe('createMailer', () => {
  it('delivers a message with its sender, recipient, subject and body after logging in', async () => {
    const { port, received } = await smtpServer({ hideSTARTTLS: true, allowInsecureAuth: true });
    const { mailer: m, lines } = mailer(`smtp://${credentials}@127.0.0.1:${port}`);
    await m.send(message);
    expect(received).toHaveLength(1);
    const [mail] = received;
    expect(mail).toMatchObject({ from: 'cairn@example.com', to: ['ada@example.com'], user: USER, secure: false });
    expect(mail!.raw).toMatch(/^From: Cairn <cairn@example\.com>$/m);
    expect(mail!.raw).toMatch(/^To: Ada Lovelace <ada@example\.com>$/m);
    expect(mail!.raw).toMatch(/^Subject: Set your Cairn password$/m);
    expect(mail!.raw).toMatch(/^Content-Type: multipart\/alternative/m);
    expect(part(mail!.raw, 'text/plain')).toBe(message.text);
    expect(part(mail!.raw, 'text/html')).toBe(message.html);
    expect(lines.join('')).toContain('"msg":"mail sent"');
  });

  it('upgrades smtp:// with STARTTLS when the server offers it, and logs in only then', async () => {
    // Without allowInsecureAuth the server refuses a login in the clear: delivery proves the upgrade.
    const { port, received } = await smtpServer({ key: KEY, cert: CERT });
    await mailer(`smtp://${credentials}@localhost:${port}`, { ca: CERT }).mailer.send(message);
    expect(received.map((r) => r.secure)).toEqual([true]);
  });

  it('refuses a STARTTLS certificate it does not trust instead of going on in the clear', async () => {
    const { port, received } = await smtpServer({ key: KEY, cert: CERT, allowInsecureAuth: true });
    const err = await failure(mailer(`smtp://${credentials}@localhost:${port}`).mailer);
    expect(err.code).toBe('tls_failed');
    expect(err.message).toMatch(/certificate/);
    expect(received).toEqual([]);
  });

  it('speaks TLS from the first byte with smtps://', async () => {
    const { port, received } = await smtpServer({ secure: true, key: KEY, cert: CERT });
    await mailer(`smtps://${credentials}@localhost:${port}`, { ca: CERT }).mailer.send(message);
    expect(received.map((r) => r.secure)).toEqual([true]);
  });

  it('rejects wrong credentials with a readable error that names the setting, never the password', async () => {
    const { port, received } = await smtpServer({ hideSTARTTLS: true, allowInsecureAuth: true });
    const { mailer: m, lines } = mailer(`smtp://${encodeURIComponent(USER)}:not-the-password@127.0.0.1:${port}`);
    const err = await failure(m);
    expect(err.code).toBe('auth_failed');
    expect(err.message).toMatch(new RegExp(`^the SMTP server smtp://127\\.0\\.0\\.1:${port} refused the login; check the user name and password in CAIRN_SMTP_URL \\(.*535`));
    expect(err.message).not.toContain('not-the-password');
    expect(lines.join('')).toContain('"code":"auth_failed"');
    expect(lines.join('')).not.toContain('not-the-password');
    expect(received).toEqual([]);
  });

  it('fails soon, saying so, when nothing listens at the address', { timeout: 10_000 }, async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const err = await failure(mailer(`smtp://${credentials}@127.0.0.1:${port}`).mailer);
    expect(err.code).toBe('unreachable');
    expect(err.message).toMatch(new RegExp(`^could not reach the SMTP server smtp://127\\.0\\.0\\.1:${port}; check the host and port in CAIRN_SMTP_URL \\(.*ECONNREFUSED`));
  });

  it('refuses line breaks in the recipient or the subject before connecting', async () => {
    const { port, received } = await smtpServer({ hideSTARTTLS: true, allowInsecureAuth: true });
    const m = mailer(`smtp://${credentials}@127.0.0.1:${port}`).mailer;
    for (const bad of [
      { to: 'ada@example.com\r\nBcc: eve@example.com', subject: 'Hello', text: 'Hi' },
      { to: 'ada@example.com', subject: 'Hello\nBcc: eve@example.com', text: 'Hi' },
      { to: 'not an address', subject: 'Hello', text: 'Hi' },
    ]) {
      const err = await failure(m, bad);
      expect(err.code, JSON.stringify(bad)).toBe('invalid_message');
    }
    expect(received).toEqual([]);
  });

  it('without an SMTP URL, fails every send with what the operator should set', async () => {
    const m = createMailer('', FROM, createLogger('silent'));
    expect(m).toBeInstanceOf(NoMailer);
    const err = await failure(m);
    expect(err.code).toBe('not_configured');
    expect(err.message).toMatch(/set CAIRN_SMTP_URL .* and CAIRN_MAIL_FROM/);
  });

  it('refuses bad settings up front, naming the variable', () => {
    expect(() => createMailer('http://mail.example.com', FROM, createLogger('silent'))).toThrow(/^CAIRN_SMTP_URL must start with smtp:\/\/ or smtps:\/\//);
    expect(() => createMailer('smtp://mail.example.com', 'nobody', createLogger('silent'))).toThrow(/^CAIRN_MAIL_FROM must be one email address/);
  });
});
