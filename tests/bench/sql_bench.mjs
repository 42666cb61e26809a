// sql_bench.mjs - SQL through lakehoused's Statement Execution API against DuckDB over the
// same data, in one run (a benchmark: it prints numbers and never asserts).
//
//   node tests/bench/sql_bench.mjs [rows]        (default 10,000,000)
//
// 1. DuckDB writes an events table (user_id, event_type, d DATE, revenue DOUBLE) to
//    Parquet; lakehouse-tool imports it as a Delta table, registered as an EXTERNAL table.
// 2. Each query runs on a 2X-Small.. warehouse sized to the machine's cores, and in DuckDB
//    over the Parquet file with the same thread count; the best of 3 runs is kept.
// Needs build/lakehoused and build/lakehouse-tool ($LH_BUILD_DIR) and @duckdb/node-api.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startDaemon } from '../api/harness.mjs';

const rows = Number(process.argv[2] ?? 10_000_000);
const build = process.env.LH_BUILD_DIR ?? 'build';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-sql-bench-'));
const pq = path.join(tmp, 'events.parquet'), delta = path.join(tmp, 'events');
const threads = os.cpus().length;

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run(`SET threads = ${threads}`);
await con.run(`COPY (SELECT i % 100000 AS user_id, CAST(i % 7 AS INT) AS event_type,
    DATE '2024-01-01' + CAST(i % 365 AS INT) AS d, (i % 1000) / 10.0 AS revenue
  FROM range(${rows}) t(i)) TO '${pq}' (FORMAT parquet, COMPRESSION zstd)`);
await con.run(`CREATE VIEW events AS SELECT * FROM read_parquet('${pq}')`);
execFileSync(path.join(build, 'lakehouse-tool'), ['import', pq, delta], { stdio: 'ignore' });

const d = await startDaemon({ args: ['--no-access-log'] });
const cols = [['user_id', 'bigint', 'LONG'], ['event_type', 'int', 'INT'], ['d', 'date', 'DATE'],
  ['revenue', 'double', 'DOUBLE']].map(([name, type_text, type_name], position) => ({ name, type_text, type_name, position }));
await d.api('POST', '/api/2.1/unity-catalog/tables', { catalog_name: 'main', schema_name: 'default', name: 'events',
  table_type: 'EXTERNAL', data_source_format: 'DELTA', storage_location: delta, columns: cols });
const size = { 1: '2X-Small', 2: 'X-Small', 4: 'Small' }[threads] ?? 'Medium';
const wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'bench', cluster_size: size })).json.id;

const queries = [
  ['count + sum', 'SELECT count(*), sum(revenue) FROM events'],
  ['group by a small key', 'SELECT event_type, count(*), avg(revenue) FROM events GROUP BY event_type ORDER BY 1'],
  ['group by 100k users, top 10', 'SELECT user_id, count(*) AS c, sum(revenue) AS r FROM events GROUP BY user_id ORDER BY r DESC, user_id LIMIT 10'],
  ['filter + daily features', "SELECT count(*) FROM (SELECT user_id, d, sum(revenue) AS r FROM events WHERE d >= DATE '2024-12-01' GROUP BY 1, 2)"],
  ['rolling 7-day window (1% of users)', 'SELECT count(*), sum(s) FROM (SELECT sum(revenue) OVER (PARTITION BY user_id ORDER BY d ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS s FROM events WHERE user_id < 1000)'],
];

async function ours(sql) {
  const t0 = performance.now();
  const r = (await d.api('POST', '/api/2.0/sql/statements', { statement: sql, warehouse_id: wh, wait_timeout: '50s' })).json;
  if (r.status.state !== 'SUCCEEDED') throw new Error(`${sql}: ${JSON.stringify(r.status)}`);
  return performance.now() - t0;
}
async function duck(sql) {
  const t0 = performance.now();
  await con.runAndReadAll(sql);
  return performance.now() - t0;
}
const best = async (f, sql) => Math.min(await f(sql), await f(sql), await f(sql));

console.log(`\nSQL on ${rows.toLocaleString()} event rows, ${threads} threads (ms, best of 3; ratio = ours / DuckDB)`);
for (const [name, sql] of queries) {
  const a = await best(ours, sql), b = await best(duck, sql);
  console.log(`  ${name.padEnd(36)} ours ${a.toFixed(0).padStart(7)}   duckdb ${b.toFixed(0).padStart(7)}   ratio ${(a / b).toFixed(2)}`);
}
await d.stop();
fs.rmSync(tmp, { recursive: true, force: true });
