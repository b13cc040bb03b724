/**
 * A real SMTP server on 127.0.0.1 for end-to-end tests (a relay without login or TLS, as on the
 * same host), keeping every message it receives.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  to: string[];
  /** The message as received, headers and body (quoted-printable lines joined). */
  raw: string;
}

export interface Mailbox {
  /** The CAIRN_SMTP_URL that reaches it. */
  url: string;
  messages: Mail[];
  /** The first message to `to` received after `since` messages, waiting up to 5 s for it. */
  next(to: string, since?: number): Promise<Mail>;
  close(): Promise<void>;
}

export async function startMailbox(): Promise<Mailbox> {
  const messages: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        // Undo quoted-printable soft line breaks, so that links can be read whole.
        const raw = Buffer.concat(chunks).toString('utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=');
        messages.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        done();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async next(to, since = 0) {
      for (let waited = 0; waited < 5000; waited += 20) {
        const found = messages.slice(since).find((m) => m.to.includes(to));
        if (found) return found;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no mail to ${to} within 5 s (${messages.length} received)`);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
