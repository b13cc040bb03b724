/**
 * Journal segments read back from real files (segment-scan.ts): where the complete lines of a
 * segment end, whatever a crash left after them, and however long its lines are.
 */
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../testing/after-each-test.ts';
import { validLength } from './segment-scan.ts';
import { fileWith, line, nuls } from './test-files.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const SEGMENT_BYTES = 64 * KiB;

const tempDir = () => tempFolder('cairn-journal-');

describe('validLength', () => {
  it('counts complete lines up to the NUL padding', async () => {
    const dir = await tempDir();
    const path = await fileWith(dir, 'a', line(1), line(2), nuls(4 * KiB));
    expect(await validLength(path)).toBe(Buffer.byteLength(line(1) + line(2)));
  });

  it('drops a torn last line before the NUL padding', async () => {
    const dir = await tempDir();
    const path = await fileWith(dir, 'a', line(1), '{"i":2,"pa', nuls(4 * KiB));
    expect(await validLength(path)).toBe(Buffer.byteLength(line(1)));
  });

  it('counts a file without padding to its end when its last line is complete', async () => {
    const dir = await tempDir();
    const path = await fileWith(dir, 'a', line(1), line(2));
    expect(await validLength(path)).toBe(Buffer.byteLength(line(1) + line(2)));
  });

  it('drops a torn tail of a file without padding', async () => {
    const dir = await tempDir();
    const path = await fileWith(dir, 'a', line(1), line(2), '{"i":3');
    expect(await validLength(path)).toBe(Buffer.byteLength(line(1) + line(2)));
  });

  it('is 0 for an empty file and for a file of NULs only', async () => {
    const dir = await tempDir();
    expect(await validLength(await fileWith(dir, 'empty'))).toBe(0);
    expect(await validLength(await fileWith(dir, 'zeros', nuls(SEGMENT_BYTES)))).toBe(0);
  });

  it('is 0 when the first line is torn', async () => {
    const dir = await tempDir();
    expect(await validLength(await fileWith(dir, 'a', '{"i":1', nuls(100)))).toBe(0);
  });

  it('stops at the first NUL even when lines follow it (blocks written out of order before a power loss)', async () => {
    const dir = await tempDir();
    const path = await fileWith(dir, 'a', line(1), nuls(10), line(3), nuls(100));
    expect(await validLength(path)).toBe(Buffer.byteLength(line(1)));
  });

  it('handles lines longer than its 1 MiB read buffer', async () => {
    const dir = await tempDir();
    const long = [line(1, Math.round(1.5 * MiB)), line(2, Math.round(1.2 * MiB))];
    const padded = await fileWith(dir, 'padded', ...long, '{"i":3,"pad":"' + 'y'.repeat(MiB), nuls(KiB));
    expect(await validLength(padded)).toBe(Buffer.byteLength(long.join('')));
    const unpadded = await fileWith(dir, 'unpadded', ...long, 'y'.repeat(2 * MiB));
    expect(await validLength(unpadded)).toBe(Buffer.byteLength(long.join('')));
  });

  it('handles padding that starts exactly at the 1 MiB read boundary', async () => {
    const dir = await tempDir();
    const first = line(1, MiB - 200);
    const second = 'z'.repeat(MiB - Buffer.byteLength(first) - 1) + '\n';
    const path = await fileWith(dir, 'a', first, second, nuls(KiB));
    expect(await validLength(path)).toBe(MiB);
  });
});
