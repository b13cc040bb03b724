/** Export writers: CSV quoting and formula guard, NDJSON, and stopping when the client goes away. */
import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { synthesize } from '../seed/synthetic.ts';
import { openDuckDbStore, type DuckDbStore } from '../store/duckdb/duckdb-store.ts';
import { tempDir } from '../testing/harness.ts';
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

describe('export text written by the embedded store', () => {
  let store: DuckDbStore | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  /** What writeRows writes from the store's rows: the definition the store's own text must match. */
  async function fromRows(format: 'csv' | 'ndjson', from: number, to: number): Promise<string> {
    const { out, text } = collect();
    await writeRows(out, format, store!.stats.exportEvents('s', from, to));
    return text();
  }
  async function fromStore(format: 'csv' | 'ndjson', from: number, to: number): Promise<string> {
    let text = '';
    for await (const chunk of store!.stats.exportText!('s', from, to, format)) text += chunk;
    return text;
  }

  it('is the CSV writeRows writes, byte for byte, and the same events as NDJSON, over days and with awkward text', async () => {
    store = await openDuckDbStore({ dataDir: await tempDir('cairn-export-'), loadIntervalMs: 3_600_000 });
    const start = Date.UTC(2026, 4, 1);
    const rows = [...synthesize({ site: 's', start, days: 3, visitorsPerDay: 30, seed: 3 })];
    const odd = ['=SUM(A1)', '+1', '-2', '@me', '\tx', '\rx', 'a,b', 'say "hi"', 'two\nlines', 'back\\slash', 'é 日本 😀', '\u2028', '\u0001\u001f', ''];
    const awkward = odd.map((text, i) => ({ ...rows[i]!, ts: start + 86_400_000 + i * 1000, pathname: `/${text}`, referrer: text, utmTerm: text, props: JSON.stringify({ text }), query: null, scrollDepth: i, engagedMs: null }));
    await store.events.bulkInsert([...rows, ...awkward]);
    const [from, to] = [start - 86_400_000, start + 4 * 86_400_000];
    const csv = await fromStore('csv', from, to);
    expect(csv.split('\n').length).toBeGreaterThan(rows.length);
    expect(csv).toBe(await fromRows('csv', from, to));
    const ndjson = await fromStore('ndjson', from, to);
    const parse = (text: string) => text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parse(ndjson)).toEqual(parse(await fromRows('ndjson', from, to)));
    // In time order, the awkward ones among them.
    const times = parse(ndjson).map((e) => Number(e.ts));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(parse(ndjson).filter((e) => e.referrer !== undefined && odd.includes(String(e.referrer))).length).toBeGreaterThanOrEqual(odd.length - 1);
    // A period without events: nothing, not even a header (as writeRows).
    expect(await fromStore('csv', to, to + 86_400_000)).toBe('');
  });
});
