/**
 * Journal segments read back, a 1 MiB chunk at a time however large they are: how much of one
 * holds complete lines (after a crash, a segment ends in a torn line or NUL padding), how many
 * lines a range holds, and a range copied out for DuckDB to read (journal.ts).
 */
import { open } from 'node:fs/promises';

/** Length of the complete lines at the start of a segment: up to its last "\n" before any NUL. */
export async function validLength(path: string): Promise<number> {
  return (await scanSegment(path, 0)).length;
}

/** A segment's valid length (see validLength), and how many lines lie between `from` and it. */
export async function scanSegment(path: string, from: number): Promise<{ length: number; rows: number }> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let pos = 0;
    let lastNewline = -1;
    let rows = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      const nul = chunk.indexOf(0);
      const lines = chunk.subarray(0, nul < 0 ? bytesRead : nul);
      const nl = lines.lastIndexOf(0x0a);
      if (nl >= 0) lastNewline = pos + nl;
      for (let i = lines.indexOf(0x0a, Math.max(0, from - pos)); i >= 0; i = lines.indexOf(0x0a, i + 1)) rows++;
      if (nul >= 0) break;
      pos += bytesRead;
    }
    return { length: lastNewline + 1, rows };
  } finally {
    await handle.close();
  }
}

/** Lines that end in bytes [from, to) of a file. */
export async function countLines(path: string, from: number, to: number): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(to - from, 1 << 20));
    let rows = 0;
    for (let pos = from; pos < to; ) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, to - pos), pos);
      if (bytesRead === 0) break;
      for (let i = buf.indexOf(0x0a); i >= 0 && i < bytesRead; i = buf.indexOf(0x0a, i + 1)) rows++;
      pos += bytesRead;
    }
    return rows;
  } finally {
    await handle.close();
  }
}

/** Copies bytes [from, to) of `src` into a new file `dst`. */
export async function copyRange(src: string, dst: string, from: number, to: number): Promise<void> {
  const input = await open(src, 'r');
  const output = await open(dst, 'w');
  try {
    const buf = Buffer.alloc(Math.min(to - from, 1 << 20));
    for (let pos = from; pos < to; ) {
      const { bytesRead } = await input.read(buf, 0, Math.min(buf.length, to - pos), pos);
      if (bytesRead === 0) throw new Error(`${src} ends at ${pos} bytes, ${to} expected`);
      // A write may take fewer bytes than asked (a disk about to be full) without an error: the
      // rest is written again, and the disk's refusal (ENOSPC) is what ends the copy, never a
      // shorter copy that would read as a cut-off line.
      for (let done = 0; done < bytesRead; ) {
        const { bytesWritten } = await output.write(buf, done, bytesRead - done, pos - from + done);
        if (bytesWritten === 0) throw new Error(`${dst}: no byte could be written at ${pos - from + done}`);
        done += bytesWritten;
      }
      pos += bytesRead;
    }
  } finally {
    await Promise.all([input.close(), output.close()]);
  }
}
