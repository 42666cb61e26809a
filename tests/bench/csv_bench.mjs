// csv_bench.mjs - a CSV scan through read_files against DuckDB's read_csv on the same file
// (a benchmark: it prints numbers and never asserts).
//
//   LH_BIN=build/lakehoused node tests/bench/csv_bench.mjs [rows]     (default 1,000,000)
//
// DuckDB writes a CSV file (id, user_id, event type, date, revenue, a short string); both
// engines infer its schema and aggregate every column (so every value is parsed), with the
// same thread count; the best of 3 runs is kept and the ratio ours / DuckDB printed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startDaemon } from '../api/harness.mjs';

const rows = Number(process.argv[2] ?? 1_000_000);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-csv-bench-'));
const csv = path.join(tmp, 'events.csv');
const threads = os.cpus().length;

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run(`SET threads = ${threads}`);
await con.run(`COPY (SELECT i AS id, i % 100000 AS user_id, CAST(i % 7 AS INT) AS event_type,
    DATE '2024-01-01' + CAST(i % 365 AS INT) AS d, (i % 1000) / 10.0 AS revenue, 'tag' || (i % 13) AS tag
  FROM range(${rows}) t(i)) TO '${csv}' (FORMAT csv, HEADER true)`);
const bytes = fs.statSync(csv).size;

const d = await startDaemon({ args: ['--no-access-log'] });
const size = { 1: '2X-Small', 2: 'X-Small', 4: 'Small' }[threads] ?? 'Medium';
const wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'bench', cluster_size: size })).json.id;

async function ours(sql) {
  const t0 = process.hrtime.bigint();
  const r = await d.api('POST', '/api/2.0/sql/statements', { statement: sql, warehouse_id: wh, wait_timeout: '50s' });
  if (r.json.status?.state !== 'SUCCEEDED') throw new Error(r.text);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
async function duck(sql) {
  const t0 = process.hrtime.bigint();
  await con.runAndReadAll(sql);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const best = async (f, sql) => Math.min(await f(sql), await f(sql), await f(sql));

const AGG = 'count(*), sum(id), sum(user_id), sum(event_type), max(d), sum(revenue), max(tag)';
const a = await best(ours, `SELECT ${AGG} FROM read_files('${csv}', header => true)`);
const b = await best(duck, `SELECT ${AGG} FROM read_csv('${csv}', header = true)`);
console.log(`CSV scan of ${rows} rows (${(bytes / 1e6).toFixed(1)} MB), ${threads} threads:`);
console.log(`  lakehouse read_files ${a.toFixed(1)} ms (${(bytes / 1e3 / a).toFixed(0)} MB/s)`);
console.log(`  DuckDB read_csv      ${b.toFixed(1)} ms (${(bytes / 1e3 / b).toFixed(0)} MB/s)`);
console.log(`  ratio ours / DuckDB  ${(a / b).toFixed(2)}`);
await d.stop();
fs.rmSync(tmp, { recursive: true, force: true });
