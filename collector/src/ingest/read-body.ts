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
    let done = false;
    const fail = (err: unknown) => {
      if (done) return;
      done = true;
      req.removeListener('data', onData);
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        fail(new HttpError(413, 'body_too_large', `the body is at most ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('error', fail);
    req.on('aborted', () => fail(new HttpError(400, 'aborted', 'the request was aborted')));
    req.on('end', () => {
      if (done) return;
      done = true;
      try {
        resolve(decoder.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
      } catch {
        reject(new HttpError(400, 'invalid_utf8', 'the body is not valid UTF-8'));
      }
    });
  });
}
