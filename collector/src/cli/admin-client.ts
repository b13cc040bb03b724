/** Talks to a running collector through its admin socket; null when no collector answers there. */
import { request } from 'node:http';

export interface AdminResponse {
  status: number;
  body: unknown;
}

/** The error a refused admin request stands for: the collector's own message, or its status. */
export const adminFailure = (r: AdminResponse) => new Error((r.body as { error?: { message?: string } })?.error?.message ?? `the collector answered ${r.status}`);

export function adminRequest(socketPath: string, method: string, path: string, body?: unknown): Promise<AdminResponse | null> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      { socketPath, method, path, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null });
          } catch {
            reject(new Error(`the collector answered ${res.statusCode} with a body that is not JSON`));
          }
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      // No socket file, or a file left by a process that is gone: nobody is running.
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') resolve(null);
      else reject(err);
    });
    req.end(payload);
  });
}
