/** Reads a request body up to a byte cap, as strict UTF-8. */
import type { IncomingMessage } from 'node:http';
import { CairnError } from '../errors.ts';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The client went away (closed, reset or timed out) before its body was read: nobody is left to
 * answer, and nothing is wrong with the server.
 */
export class ClientGone extends Error {
  constructor(cause?: unknown) {
    super('the client went away before its request body was read', { cause });
    this.name = 'ClientGone';
  }
}

/** Resolves with the body text; rejects with 413 over `maxBytes`, 400 on invalid UTF-8, ClientGone when the request ends early. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) {
    return Promise.reject(new CairnError(413, 'body_too_large', `the body is at most ${maxBytes} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBytes) {
        failed = true;
        reject(new CairnError(413, 'body_too_large', `the body is at most ${maxBytes} bytes`));
      } else chunks.push(chunk);
    });
    // An aborted or timed-out request emits 'error' (ECONNRESET), or at least 'close' without 'end'.
    req.on('error', (err) => reject(new ClientGone(err)));
    req.on('close', () => {
      if (!req.complete) reject(new ClientGone());
    });
    req.on('end', () => {
      if (failed) return;
      try {
        resolve(decoder.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
      } catch {
        reject(new CairnError(400, 'invalid_utf8', 'the body is not valid UTF-8'));
      }
    });
  });
}
