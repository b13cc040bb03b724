/**
 * The ingest journal on real files: what survives on disk, what is handed to the loader, and what
 * a failing disk leaves behind. Segments are 64 KiB so that rotation happens within a few appends.
 */
import { readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { afterThisTest, tempFolder } from '../../testing/after-each-test.ts';
import { withOneFreeThread } from '../../testing/one-free-thread.ts';
import { Journal, type Mark } from './journal.ts';
import { validLength } from './segment-scan.ts';
import { fileWith, line, nuls } from './test-files.ts';

const KiB = 1024;
const SEGMENT_BYTES = 64 * KiB;

const tempDir = () => tempFolder('cairn-journal-');

async function openJournal(dir: string, mark: Mark = { seq: 0, offset: 0 }): Promise<Journal> {
  const journal = await Journal.open(dir, mark, { segmentBytes: SEGMENT_BYTES });
  afterThisTest(() => journal.close());
  return journal;
}

const segmentName = (seq: number) => `${String(seq).padStart(20, '0')}.ndjson`;

/** The bytes the loader would take now, in order. */
async function allLoadable(journal: Journal): Promise<string> {
  let out = '';
  for (const r of await journal.loadable()) out += (await readFile(r.path)).subarray(r.from, r.to).toString('utf8');
  return out;
}

/** The loader's part: take every range and report it loaded. */
async function loadAll(journal: Journal): Promise<string> {
  let out = '';
  for (const r of await journal.loadable()) {
    out += (await readFile(r.path)).subarray(r.from, r.to).toString('utf8');
    await journal.loaded(r);
  }
  return out;
}

const seqs = async (journal: Journal) => (await journal.loadable()).map((r) => r.seq);

describe('Journal.open', () => {
  it('deletes segments before the mark and returns the rest cut to their complete lines', async () => {
    const dir = await tempDir();
    await fileWith(dir, segmentName(1), line(1), nuls(100));
    await fileWith(dir, segmentName(2), line(2), nuls(100));
    await fileWith(dir, segmentName(3), line(3), line(4), '{"i":5', nuls(100));
    await fileWith(dir, segmentName(5), line(6));
    const journal = await openJournal(dir, { seq: 3, offset: 0 });
    expect((await journal.loadable()).map((r) => [r.seq, r.from, r.to])).toEqual([
      [3, 0, Buffer.byteLength(line(3) + line(4))],
      [5, 0, Buffer.byteLength(line(6))],
    ]);
    expect(await allLoadable(journal)).toBe(line(3) + line(4) + line(6));
    const names = await readdir(dir);
    expect(names).not.toContain(segmentName(1));
    expect(names).not.toContain(segmentName(2));
  });

  it('resumes the marked segment at the marked offset', async () => {
    const dir = await tempDir();
    await fileWith(dir, segmentName(3), line(3), line(4), nuls(100));
    const journal = await openJournal(dir, { seq: 3, offset: Buffer.byteLength(line(3)) });
    expect(await allLoadable(journal)).toBe(line(4));
  });

  it('removes work files and a spare of the wrong size, and keeps a complete spare', async () => {
    const dir = await tempDir();
    await fileWith(dir, 'spare.ndjson', line(1), 'half-zeroed');
    await fileWith(dir, 'spare-123-456.tmp', 'junk');
    await fileWith(dir, 'load-4-0.tmp', line(4));
    const journal = await openJournal(dir);
    expect(await journal.loadable()).toEqual([]);
    expect(await journal.spareSettled()).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['spare.ndjson']);
    const spare = await readFile(journal.sparePath);
    expect(spare.length).toBe(SEGMENT_BYTES);
    expect(spare.every((b) => b === 0)).toBe(true);
    const inode = (await stat(journal.sparePath)).ino;
    await journal.close();
    const again = await openJournal(dir);
    expect(await again.spareSettled()).toBe(true);
    expect((await stat(again.sparePath)).ino).toBe(inode);
  });

  it('numbers new segments after the highest existing one', async () => {
    const dir = await tempDir();
    await fileWith(dir, segmentName(3), line(3));
    await fileWith(dir, segmentName(9), line(9));
    const journal = await openJournal(dir, { seq: 4, offset: 0 });
    await journal.append(line(10), 1);
    expect(await seqs(journal)).toEqual([9, 10]);
    expect(await allLoadable(journal)).toBe(line(9) + line(10));
  });

  it('acknowledges an empty append at once, before and after other writes', async () => {
    const journal = await openJournal(await tempDir());
    await journal.append('', 0);
    await journal.append(line(1), 1);
    await journal.append('', 0);
    expect(await allLoadable(journal)).toBe(line(1));
  });

  it('numbers new segments after the mark when the folder is empty', async () => {
    const dir = await tempDir();
    const journal = await openJournal(dir, { seq: 7, offset: 0 });
    await journal.append(line(1), 1);
    expect(await seqs(journal)).toEqual([8]);
  });
});

describe('Journal appends', () => {
  it('resolves an append once its bytes are in the segment file', async () => {
    const dir = await tempDir();
    const journal = await openJournal(dir);
    await journal.append(line(1), 1);
    expect((await readFile(join(dir, segmentName(1)))).subarray(0, Buffer.byteLength(line(1))).toString()).toBe(line(1));
    expect(await validLength(join(dir, segmentName(1)))).toBe(Buffer.byteLength(line(1)));
  });

  it('resolves every append made in the same tick, with the lines in call order', async () => {
    const dir = await tempDir();
    const journal = await openJournal(dir);
    await journal.spareSettled();
    const lines = Array.from({ length: 200 }, (_, i) => line(i));
    await Promise.all(lines.map((l) => journal.append(l, 1)));
    expect(journal.openRows).toBe(200);
    expect(await seqs(journal)).toEqual([1]);
    expect(await allLoadable(journal)).toBe(lines.join(''));
  });

  it('seals a full segment: a preallocated segment never grows past segmentBytes', async () => {
    const dir = await tempDir();
    const journal = await openJournal(dir);
    await journal.spareSettled();
    const lines = Array.from({ length: 200 }, (_, i) => line(i, 900));
    for (let i = 0; i < lines.length; i += 10) {
      await Promise.all(lines.slice(i, i + 10).map((l) => journal.append(l, 1)));
      await journal.spareSettled();
    }
    const ranges = await journal.loadable();
    expect(ranges.length).toBeGreaterThanOrEqual(3);
    for (const r of ranges) expect((await stat(r.path)).size).toBe(SEGMENT_BYTES);
    expect(ranges.slice(0, -1).every((r) => r.sealed)).toBe(true);
    expect(await allLoadable(journal)).toBe(lines.join(''));
  });

  it('rolls an append larger than the room left over to a new segment', async () => {
    const dir = await tempDir();
    const journal = await openJournal(dir);
    await journal.spareSettled();
    const small = line(1);
    const big = line(2, SEGMENT_BYTES - 20);
    await journal.append(small, 1);
    await journal.append(big, 1);
    const [first, second] = await journal.loadable();
    expect([first?.seq, first?.to, first?.sealed]).toEqual([1, Buffer.byteLength(small), true]);
    expect([second?.seq, second?.to, second?.sealed]).toEqual([2, Buffer.byteLength(big), false]);
    const firstBytes = await readFile(first!.path);
    expect(firstBytes.length).toBe(SEGMENT_BYTES);
    expect(firstBytes.subarray(Buffer.byteLength(small)).every((b) => b === 0)).toBe(true);
  });

  it('rotate() waits for pending syncs and hands over everything appended', async () => {
    const dir = await tempDir();
    const journal = await openJournal(dir);
    let acknowledged = 0;
    for (let i = 0; i < 20; i++) void journal.append(line(i), 1).then(() => acknowledged++);
    await journal.rotate();
    expect(acknowledged).toBe(20);
    expect(journal.openRows).toBe(0);
    expect(await allLoadable(journal)).toBe(Array.from({ length: 20 }, (_, i) => line(i)).join(''));
  });

  // A full segment whose last fdatasync ends after the next segment's must still come first.
  it('lists a segment sealed on size before the next one, even when the next one syncs first', async () => {
    const dir = await tempDir();
    const journal = await openJournal(dir);
    await journal.spareSettled();
    await withOneFreeThread(async () => {
      // Three appends to segment 1: two fdatasyncs start, the third append needs a second round.
      const acks = [journal.append(line(1), 1), journal.append(line(2), 1), journal.append(line(3), 1)];
      acks.push(journal.append(line(4, SEGMENT_BYTES - 20), 1));
      const listed = await seqs(journal);
      await Promise.all(acks);
      expect(listed).toEqual([1, 2]);
    });
  });
});

describe('Journal loading', () => {
  it('moves the start of the open segment as its ranges are loaded', async () => {
    const dir = await tempDir();
    const journal = await openJournal(dir);
    await journal.append(line(1), 1);
    expect(await loadAll(journal)).toBe(line(1));
    expect(await journal.loadable()).toEqual([]);
    await journal.append(line(2), 1);
    const [r] = await journal.loadable();
    expect([r?.seq, r?.from, r?.to]).toEqual([1, Buffer.byteLength(line(1)), Buffer.byteLength(line(1) + line(2))]);
    expect(await loadAll(journal)).toBe(line(2));
  });

  it('deletes a sealed segment once it is loaded to its end, and keeps the open one', async () => {
    const dir = await tempDir();
    const journal = await openJournal(dir);
    await journal.spareSettled();
    await journal.append(line(1), 1);
    await journal.append(line(2, SEGMENT_BYTES - 20), 1);
    await loadAll(journal);
    const names = (await readdir(dir)).filter((n) => n.endsWith('.ndjson') && n !== 'spare.ndjson');
    expect(names).toEqual([segmentName(2)]);
  });

  it('finishes loading a segment that was sealed while one of its ranges was being loaded', async () => {
    const dir = await tempDir();
    const journal = await openJournal(dir);
    await journal.append(line(1), 1);
    const [first] = await journal.loadable();
    await journal.append(line(2), 1);
    await journal.rotate();
    await journal.loaded(first!);
    expect(await allLoadable(journal)).toBe(line(2));
  });

  it('never hands over bytes that follow the first NUL of a recovered segment', async () => {
    const dir = await tempDir();
    // Pages written back out of order before a power loss: a line after the first NUL.
    await fileWith(dir, segmentName(1), line(1), nuls(10), line(99), nuls(SEGMENT_BYTES - 200));
    const journal = await openJournal(dir, { seq: 1, offset: 0 });
    expect(await loadAll(journal)).toBe(line(1));
    const fresh = line(2, 10);
    await journal.append(fresh, 1);
    await journal.close();
    const reopened = await openJournal(dir, { seq: 2, offset: 0 });
    expect(await allLoadable(reopened)).toBe(fresh);
  });
});

describe('Journal ranges handed to DuckDB', () => {
  /** What DuckDB's reader takes from a file: its non-empty lines. */
  const linesOf = async (path: string) => (await readFile(path, 'utf8')).split('\n').filter((l) => l.length > 0);

  it('loads a sealed segment where it lies: no copy, its NUL tail cut, its loaded start blanked', async () => {
    const dir = await tempDir();
    const journal = await openJournal(dir);
    await journal.spareSettled();
    await journal.append(line(1), 1);
    await loadAll(journal); // the open segment loaded up to line 1
    await journal.append(line(2), 1);
    await journal.rotate();
    const [range] = await journal.loadable();
    expect(range).toMatchObject({ seq: 1, sealed: true, from: Buffer.byteLength(line(1)) });
    // The spare made after the first append is renamed into place in the background.
    await journal.spareSettled();
    const before = await readdir(dir);
    const file = await journal.readable(range!);
    expect(file.path).toBe(range!.path);
    // Nothing written beside it: a load on a full disk needs no room of its own.
    expect(await readdir(dir)).toEqual(before);
    expect((await stat(file.path)).size).toBe(range!.to);
    expect(await linesOf(file.path)).toEqual([line(2).trim()]);
    await file.release();
    expect(await readdir(dir)).toEqual(before);
  });

  it('copies only the range of the open segment, and deletes the copy once released', async () => {
    const dir = await tempDir();
    const journal = await openJournal(dir);
    await journal.append(line(1), 1);
    await loadAll(journal);
    await journal.append(line(2) + line(3), 2);
    const [range] = await journal.loadable();
    expect(range?.sealed).toBe(false);
    const file = await journal.readable(range!);
    expect(file.path).not.toBe(range!.path);
    expect(await readFile(file.path, 'utf8')).toBe(line(2) + line(3));
    await file.release();
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    // The open segment itself is untouched and still takes appends.
    await journal.append(line(4), 1);
    expect(await allLoadable(journal)).toBe(line(2) + line(3) + line(4));
  });

  it('reads a blanked segment again after a restart from the same mark', async () => {
    const dir = await tempDir();
    const journal = await openJournal(dir);
    await journal.append(line(1), 1);
    await loadAll(journal);
    await journal.append(line(2), 1);
    await journal.rotate();
    const [range] = await journal.loadable();
    await journal.readable(range!);
    await journal.close();
    // A crash before the load committed: the mark still says "after line 1".
    const reopened = await openJournal(dir, { seq: 1, offset: Buffer.byteLength(line(1)) });
    expect(reopened.rowsAtOpen).toBe(1);
    expect(await allLoadable(reopened)).toBe(line(2));
  });

  it('counts the bytes waiting to be loaded, sealed and open', async () => {
    const dir = await tempDir();
    const journal = await openJournal(dir);
    expect(journal.pendingBytes).toBe(0);
    await journal.append(line(1), 1);
    await journal.rotate();
    await journal.append(line(2), 1);
    expect(journal.pendingBytes).toBe(Buffer.byteLength(line(1) + line(2)));
    await loadAll(journal);
    expect(journal.pendingBytes).toBe(0);
  });

  it('catches up with a mark a reopened database read back, and says how many events that skipped', async () => {
    const dir = await tempDir();
    const journal = await openJournal(dir);
    await journal.append(line(1) + line(2), 2);
    await journal.rotate();
    await journal.append(line(3) + line(4), 2);
    // The database committed everything up to line 3 although the load reported a failure.
    const skipped = await journal.advanceTo({ seq: 2, offset: Buffer.byteLength(line(3)) });
    expect(skipped).toBe(3);
    expect(await allLoadable(journal)).toBe(line(4));
    expect(await journal.advanceTo({ seq: 2, offset: Buffer.byteLength(line(3)) })).toBe(0);
  });
});

describe('Journal on a failing disk', () => {
  /** Makes the ready spare a link to /dev/full, where every write fails with ENOSPC. */
  async function breakSpare(journal: Journal): Promise<void> {
    expect(await journal.spareSettled()).toBe(true);
    await rm(journal.sparePath);
    await symlink('/dev/full', journal.sparePath);
  }

  it('rejects an append that cannot be written and puts the next one in a new segment', async () => {
    const dir = await tempDir();
    const journal = await openJournal(dir);
    await journal.append(line(1), 1);
    await breakSpare(journal);
    await journal.rotate();
    await expect(journal.append(line(2), 1)).rejects.toMatchObject({ code: 'ENOSPC' });
    await journal.append(line(3), 1);
    // Segment 2 was the broken spare: it is dropped, and the next append opens segment 3.
    expect(await seqs(journal)).toEqual([1, 3]);
    expect(await allLoadable(journal)).toBe(line(1) + line(3));
  });

  it('leaves nothing of a failed append to load after a restart', async () => {
    const dir = await tempDir();
    const journal = await openJournal(dir);
    await journal.append(line(1), 1);
    await breakSpare(journal);
    await journal.rotate();
    await expect(journal.append(line(2), 1)).rejects.toThrow();
    await journal.append(line(3), 1);
    await journal.close();
    const reopened = await openJournal(dir);
    expect(await allLoadable(reopened)).toBe(line(1) + line(3));
    for (const name of await readdir(dir)) {
      if (name.endsWith('.ndjson')) expect(await readFile(join(dir, name), 'utf8')).not.toContain('"i":2');
    }
  });
});
