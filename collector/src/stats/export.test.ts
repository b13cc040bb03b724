/** Export writers: CSV quoting and formula guard, NDJSON, and stopping when the client goes away. */
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeRows } from './export.ts';

async function* chunksOf(...chunks: Record<string, unknown>[][]) {
  yield* chunks;
}

const collect = () => {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { out, text: () => text };
};

describe('writeRows', () => {
  it('writes CSV with a header, quotes what needs it and defuses spreadsheet formulas', async () => {
    const { out, text } = collect();
    const n = await writeRows(out, 'csv', chunksOf([{ page: '/a,b', n: 1, note: 'say "hi"' }], [{ page: '=HYPERLINK("x")', n: null, note: '-1' }]));
    expect(n).toBe(2);
    expect(text()).toBe('page,n,note\n"/a,b",1,"say ""hi"""\n"\'=HYPERLINK(""x"")",,\'-1\n');
  });

  it('writes one JSON object per line', async () => {
    const { out, text } = collect();
    await writeRows(out, 'ndjson', chunksOf([{ a: 1 }, { a: '=x' }]));
    expect(text()).toBe('{"a":1}\n{"a":"=x"}\n');
  });

  it('stops reading, and lets the source close, when the client goes away mid-export', async () => {
    const out = new PassThrough({ highWaterMark: 16 });
    let produced = 0;
    let closed = false;
    async function* endless() {
      try {
        for (;;) {
          produced++;
          yield [{ line: 'x'.repeat(100) }];
        }
      } finally {
        closed = true;
      }
    }
    const writing = writeRows(out, 'ndjson', endless());
    await new Promise((r) => setTimeout(r, 20));
    out.destroy();
    expect(await writing).toBe(1);
    expect(produced).toBe(1);
    expect(closed).toBe(true);
  });
});
