/** Reads a request body up to a byte cap, as strict UTF-8. */
import type { IncomingMessage } from 'node:http';
import { HttpError } from '../http/http-error.ts';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Resolves with the body text; rejects with 413 over `maxBytes`, 400 on invalid UTF-8. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) {
    return Promise.reject(new HttpError(413, 'body_too_large', `the body is at most ${maxBytes} bytes`));
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
        reject(new HttpError(413, 'body_too_large', `the body is at most ${maxBytes} bytes`));
      } else chunks.push(chunk);
    });
    // An aborted request emits 'error' (ECONNRESET): nobody is left to answer, the promise just settles.
    req.on('error', reject);
    req.on('end', () => {
      if (failed) return;
      try {
        resolve(decoder.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
      } catch {
        reject(new HttpError(400, 'invalid_utf8', 'the body is not valid UTF-8'));
      }
    });
  });
}
