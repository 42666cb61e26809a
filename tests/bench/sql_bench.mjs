// sql_bench.mjs - SQL through lakehoused's Statement Execution API against DuckDB over the
// same data, in one run (a benchmark: it prints numbers and never asserts).
//
//   node tests/bench/sql_bench.mjs [rows]        (default 10,000,000)
//
// 1. DuckDB writes an events table (user_id, event_type, d DATE, revenue DOUBLE) to
//    Parquet; lakehouse-tool imports it as a Delta table, registered as an EXTERNAL table.
//    For the three seed queries (tests/interop/sql_seed_queries.mjs) it also writes
//    seed.events (the same row count: 10k users, a few hot, event types, timestamps over 90
//    days, revenue, pages), seed.users (10k), seed.labels (15k) and seed.orders (rows / 10).
//    (With 100k users over a year, ~9M user-days, the daily features run out of the
//    warehouse's memory: hash aggregation with two DISTINCTs does not spill yet.)
// 2. Each query runs on a 2X-Small.. warehouse sized to the machine's cores, and in DuckDB
//    over the Parquet files with the same thread count; the best of 3 runs is kept. The seed
//    queries run over their tables under the names they use (a second catalog schema).
// Needs build/lakehoused and build/lakehouse-tool ($LH_BUILD_DIR) and @duckdb/node-api.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startDaemon } from '../api/harness.mjs';
import { SEED_QUERIES } from '../interop/sql_seed_queries.mjs';

const rows = Number(process.argv[2] ?? 10_000_000);
const build = process.env.LH_BUILD_DIR ?? 'build';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-sql-bench-'));
const threads = os.cpus().length;

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run(`SET threads = ${threads}`);
await con.run("SET TimeZone = 'UTC'");
await con.run("SET default_null_order = 'nulls_first_on_asc_last_on_desc'");
await con.run('CREATE SCHEMA seed');

const d = await startDaemon({ args: ['--no-access-log'] });
const col = (name, type_text, type_name, position) => ({ name, type_text, type_name, position });
// Writes sql to Parquet, imports it as Delta and registers it as schema.name in both engines.
async function table(schema, name, sql, columns) {
  const pq = path.join(tmp, `${schema}_${name}.parquet`), dir = path.join(tmp, `${schema}_${name}`);
  await con.run(`COPY (${sql}) TO '${pq}' (FORMAT parquet, COMPRESSION zstd)`);
  const ts = columns.filter((c) => c.type_name === 'TIMESTAMP').map((c) => `CAST(${c.name} AS TIMESTAMP) AS ${c.name}`);
  await con.run(`CREATE VIEW ${schema === 'default' ? '' : `${schema}.`}${name} AS SELECT * ${ts.length ? `REPLACE (${ts.join(', ')})` : ''} FROM read_parquet('${pq}')`);
  execFileSync(path.join(build, 'lakehouse-tool'), ['import', pq, dir], { stdio: 'ignore' });
  const r = await d.api('POST', '/api/2.1/unity-catalog/tables', { catalog_name: 'main', schema_name: schema, name,
    table_type: 'EXTERNAL', data_source_format: 'DELTA', storage_location: dir, columns: columns.map((c, i) => ({ ...c, position: i })) });
  if (r.status !== 200) throw new Error(r.text);
}
await table('default', 'events', `SELECT i % 100000 AS user_id, CAST(i % 7 AS INT) AS event_type,
    DATE '2024-01-01' + CAST(i % 365 AS INT) AS d, (i % 1000) / 10.0 AS revenue FROM range(${rows}) t(i)`,
[col('user_id', 'bigint', 'LONG'), col('event_type', 'int', 'INT'), col('d', 'date', 'DATE'), col('revenue', 'double', 'DOUBLE')]);
await d.api('POST', '/api/2.1/unity-catalog/schemas', { catalog_name: 'main', name: 'seed' });
const users = 10000, span_s = 90 * 86400; // ~11 events per user and active day
await table('seed', 'events', `SELECT CASE WHEN i % 10 < 2 THEN i % 3 + 1 ELSE (i * 7919) % ${users} END AS user_id,
    ['view', 'view', 'view', 'click', 'click', 'purchase', 'signup', 'refund'][i % 8 + 1] AS event_type,
    CAST(TIMESTAMP '2024-01-01' + to_seconds(CAST((i * ${span_s}) // ${rows} AS BIGINT)) AS TIMESTAMPTZ) AS event_ts,
    CAST(TIMESTAMP '2024-01-01' + to_seconds(CAST((i * ${span_s}) // ${rows} AS BIGINT)) AS DATE) AS event_date,
    CASE WHEN i % 8 = 5 THEN (i * 37 % 10000) / 100.0 WHEN i % 8 = 7 THEN -CAST(i % 50 AS DOUBLE) ELSE 0.0 END AS revenue,
    'page/' || CAST(i % 40 AS VARCHAR) AS page FROM range(${rows}) t(i)`,
[col('user_id', 'bigint', 'LONG'), col('event_type', 'string', 'STRING'), col('event_ts', 'timestamp', 'TIMESTAMP'),
  col('event_date', 'date', 'DATE'), col('revenue', 'double', 'DOUBLE'), col('page', 'string', 'STRING')]);
await table('seed', 'users', `SELECT CAST(i AS BIGINT) AS user_id, DATE '2022-01-01' + CAST((i * 7) % 1000 AS INT) AS signup_date FROM range(${users}) t(i)`,
  [col('user_id', 'bigint', 'LONG'), col('signup_date', 'date', 'DATE')]);
await table('seed', 'labels', `SELECT CAST((i * 3) % ${users + 5000} AS BIGINT) AS user_id, ['churned', 'active', 'at_risk', 'vip', 'réactivé', '休眠'][i % 6 + 1] AS label FROM range(${users * 3 / 2}) t(i)`,
  [col('user_id', 'bigint', 'LONG'), col('label', 'string', 'STRING')]);
await table('seed', 'orders', `SELECT CAST((i * 13) % ${users + 5000} AS BIGINT) AS user_id, ['placed', 'shipped', 'delivered', 'cancelled', 'returned'][(i * 7) % 5 + 1] AS status,
    CAST(((i * 7907) % 1000000) / 100 AS DECIMAL(18, 2)) AS total FROM range(${Math.max(1000, rows / 10)}) t(i)`,
  [col('user_id', 'bigint', 'LONG'), col('status', 'string', 'STRING'), col('total', 'decimal(18,2)', 'DECIMAL')]);

const size = { 1: '2X-Small', 2: 'X-Small', 4: 'Small' }[threads] ?? 'Medium';
const wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'bench', cluster_size: size })).json.id;

const queries = [
  ['count + sum', 'SELECT count(*), sum(revenue) FROM events'],
  ['group by a small key', 'SELECT event_type, count(*), avg(revenue) FROM events GROUP BY event_type ORDER BY 1'],
  ['group by 100k users, top 10', 'SELECT user_id, count(*) AS c, sum(revenue) AS r FROM events GROUP BY user_id ORDER BY r DESC, user_id LIMIT 10'],
  ['filter + daily features', "SELECT count(*) FROM (SELECT user_id, d, sum(revenue) AS r FROM events WHERE d >= DATE '2024-12-01' GROUP BY 1, 2)"],
  ['rolling 7-day window (1% of users)', 'SELECT count(*), sum(s) FROM (SELECT sum(revenue) OVER (PARTITION BY user_id ORDER BY d ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS s FROM events WHERE user_id < 1000)'],
];
// The seed queries, counted (their answers are large): the same work, one row back.
const seed = (q) => `SELECT count(*) FROM (${q})`;
const seedQueries = [
  ['seed: daily user features', ...SEED_QUERIES.daily.map(seed)],
  ['seed: rolling 7/30-day windows', ...SEED_QUERIES.rolling.map(seed)],
  ['seed: churn dashboard', ...SEED_QUERIES.churn],
];

async function ours(sql, schema = 'default') {
  const t0 = performance.now();
  const r = (await d.api('POST', '/api/2.0/sql/statements', { statement: sql, warehouse_id: wh, schema, wait_timeout: '50s' })).json;
  if (r.status.state !== 'SUCCEEDED') throw new Error(`${sql}: ${JSON.stringify(r.status)}`);
  return performance.now() - t0;
}
async function duck(sql) {
  const t0 = performance.now();
  await con.runAndReadAll(sql);
  return performance.now() - t0;
}
const best = async (f, sql) => Math.min(await f(sql), await f(sql), await f(sql));
const line = (name, a, b) => console.log(`  ${name.padEnd(36)} ours ${a.toFixed(0).padStart(7)}   duckdb ${b.toFixed(0).padStart(7)}   ratio ${(a / b).toFixed(2)}`);

// LH_BENCH_ONLY=<regexp>: only the queries whose name matches (e.g. to profile one).
const only = process.env.LH_BENCH_ONLY ? new RegExp(process.env.LH_BENCH_ONLY) : null;
const picked = (list) => list.filter(([name]) => only === null || only.test(name));
if (process.env.LH_BENCH_PID_FILE) fs.writeFileSync(process.env.LH_BENCH_PID_FILE, String(d.proc.pid));
console.log(`\nSQL on ${rows.toLocaleString()} event rows, ${threads} threads (ms, best of 3; ratio = ours / DuckDB)`);
for (const [name, sql] of picked(queries))
  line(name, await best(ours, sql), await best(duck, sql));
await con.run('USE seed');
for (const [name, sql, duckSql] of picked(seedQueries))
  line(name, await best((q) => ours(q, 'seed'), sql), await best(duck, duckSql));
await d.stop();
fs.rmSync(tmp, { recursive: true, force: true });
