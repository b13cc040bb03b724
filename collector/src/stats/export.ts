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

/** Writes rows of objects (columns from the first row) to `out`, then ends it. */
export async function writeRows(out: Writable, format: ExportFormat, chunks: AsyncIterable<readonly Record<string, unknown>[]>): Promise<number> {
  let columns: string[] | null = null;
  let n = 0;
  for await (const rows of chunks) {
    let text = '';
    for (const row of rows) {
      if (format === 'ndjson') text += JSON.stringify(row) + '\n';
      else {
        if (!columns) {
          columns = Object.keys(row);
          text += columns.join(',') + '\n';
        }
        text += columns.map((c) => csvField(row[c])).join(',') + '\n';
      }
      n++;
    }
    if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
  }
  out.end();
  return n;
}
