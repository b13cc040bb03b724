/** The per-row local time shortcut agrees with DuckDB's own time zone conversion, DST changes included. */
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { offsetsOf } from '../zone-offsets.ts';
import { localSql } from './stats-sql.ts';

const FROM = Date.UTC(2025, 11, 20);
const TO = Date.UTC(2026, 11, 20);

describe('localSql', () => {
  it.for(['Australia/Lord_Howe', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Pacific/Chatham', 'UTC'])(
    'reads %s wall-clock time like timezone(), around every change of offset',
    async (tz) => {
      const { changes } = offsetsOf(tz, FROM, TO);
      expect(changes.length).toBe(tz === 'UTC' || tz === 'Asia/Kolkata' ? 0 : 2);
      const instants = [FROM, TO - 1, ...changes.flatMap((c) => [c.at - 1, c.at, c.at + 1, c.at + 1_800_000])];
      for (let i = 0; i < 500; i++) instants.push(FROM + Math.floor(((TO - FROM) * i) / 500) + i * 7919);
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      await conn.run(`SET TimeZone = 'UTC'`);
      await conn.run(`CREATE TABLE t AS SELECT epoch_ms(unnest([${instants.join(', ')}]::BIGINT[])) AS ts`);
      const rows = (
        await conn.runAndReadAll(
          `SELECT epoch_ms(ts)::DOUBLE AS at, strftime(${localSql(tz, FROM, TO, 'ts')}, '%Y-%m-%d %H:%M:%S.%g') AS fast,
             strftime(timezone('${tz}', ts::TIMESTAMPTZ), '%Y-%m-%d %H:%M:%S.%g') AS slow FROM t`,
        )
      ).getRowObjectsJS();
      conn.closeSync();
      db.closeSync();
      expect(rows.filter((r) => r.fast !== r.slow)).toEqual([]);
      expect(rows).toHaveLength(instants.length);
    },
  );
});
