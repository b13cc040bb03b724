import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
const inst = await DuckDBInstance.create(process.env.DB ?? '/work/bench-100m/cairn.duckdb', { access_mode: 'READ_ONLY', memory_limit: process.env.MEM ?? '512MB' });
const conn = await inst.connect();
for (const file of process.argv.slice(2)) {
  const sql = readFileSync(file, 'utf8');
  for (let i = 0; i < 3; i++) { const t = performance.now(); const r = await conn.runAndReadAll(sql); console.log(file, 'ms', Math.round(performance.now() - t), r.currentRowCount); }
}
