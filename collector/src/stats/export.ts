/** CSV and NDJSON for exports, written with backpressure so a large export never fills memory. */
import type { Writable } from 'node:stream';

export type ExportFormat = 'csv' | 'ndjson';

/** A CSV field: quoted when needed; a leading = + - @ is neutralised (spreadsheet formula injection). */
function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'string' ? v : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Resolves true once `out` can take more, false if it closed first (the client went away). */
const drained = (out: Writable) =>
  new Promise<boolean>((resolve) => {
    const done = (ok: boolean) => () => {
      out.off('drain', onDrain).off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    out.on('drain', onDrain).on('close', onClose);
  });

/** Writes text chunks (export lines a store wrote) to `out`, then ends it; stops reading them when `out` closes early. */
export async function writeText(out: Writable, chunks: AsyncIterable<string>): Promise<void> {
  for await (const text of chunks) {
    if (out.destroyed) return;
    if (!out.write(text) && !(await drained(out))) return;
  }
  out.end();
}

/**
 * Writes rows of objects (columns from the first row) to `out`, then ends it. Stops reading
 * `chunks` (which closes their source) when `out` closes early; returns the rows written.
 */
export async function writeRows(out: Writable, format: ExportFormat, chunks: AsyncIterable<readonly object[]>): Promise<number> {
  let columns: string[] | null = null;
  let n = 0;
  for await (const rows of chunks) {
    if (out.destroyed) return n;
    let text = '';
    for (const row of rows) {
      if (format === 'ndjson') text += JSON.stringify(row) + '\n';
      else {
        if (!columns) {
          columns = Object.keys(row);
          text += columns.join(',') + '\n';
        }
        text += columns.map((c) => csvField((row as Record<string, unknown>)[c])).join(',') + '\n';
      }
      n++;
    }
    if (!out.write(text) && !(await drained(out))) return n;
  }
  out.end();
  return n;
}
