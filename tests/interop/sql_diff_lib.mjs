// sql_diff_lib.mjs - the shared half of the differential SQL suite (sql_duckdb_*.test.mjs):
// a generated data set of four tables, a daemon with the tables imported as Delta, DuckDB over
// the same Parquet files, and the comparison of answers.
//
// The data (deterministic, written by DuckDB to Parquet, imported with lakehouse-tool and
// registered as EXTERNAL tables) has NULLs in every column, skew (three hot users own ~30% of
// the events), unicode strings (accents, CJK, emoji, a ZWJ sequence), extreme values
// (INT/BIGINT min and max, -0.0, 1e308, 5e-324, a 3,000-character string), leap days and
// timestamps on both sides of the 2024 DST changes (US and EU) and the new year.
//
// A query is [name, sql, opts]. Answers compare as multisets unless opts.ordered (the whole
// order is fixed) or opts.orderBy (a list of [column index, 'asc'|'desc'] the rows must be
// sorted by, Spark's NULL order: first ascending, last descending - for ORDER BYs with ties).
// DuckDB runs with Spark's NULL order (first ascending, last descending) and in UTC.
// Numbers compare with a relative tolerance (opts.tol, default 1e-9), everything else as text
// once both sides are rendered the way Spark renders results (dates yyyy-MM-dd, timestamps
// yyyy-MM-dd HH:mm:ss[.f] in UTC, arrays as JSON).
// Where Spark and DuckDB differ, opts.duck is the DuckDB spelling of the same question (the
// difference is noted beside the query), or opts.expect(rows) checks our answer against the
// Spark logic written out in JavaScript; opts.error is a pattern for the error Spark raises
// where DuckDB answers (ANSI overflow). opts.skip names an engine bug left open.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startDaemon } from '../api/harness.mjs';

const build = process.env.LH_BUILD_DIR ?? 'build';

// Special rows: the edges every engine gets wrong once.
const UNICODE = ['José', 'Zoë', 'François', 'Åsa', '李雷', '田中太郎', '😀 smile', 'Ωmega', 'naïve café', 'Łukasz',
  'Müller', '👨‍👩‍👧 family', 'ñandú', 'Ünal', '서울', ''];
const sqlList = (xs) => `[${xs.map((s) => `'${s.replaceAll("'", "''")}'`).join(', ')}]`;
const EDGE_TS = ['2024-02-28 23:59:59', '2024-02-29 00:00:00', '2024-02-29 12:34:56.789', '2024-02-29 23:59:59',
  '2024-03-01 00:00:00', '2024-03-10 06:59:59', '2024-03-10 07:00:00', '2024-03-10 07:30:00', '2024-03-31 00:59:59',
  '2024-03-31 01:00:00', '2024-10-27 00:59:59', '2024-10-27 01:00:00', '2024-11-03 05:59:59', '2024-11-03 06:00:00',
  '2024-11-03 06:30:00', '2024-12-31 23:59:59.999', '2025-01-01 00:00:00', '2023-12-31 23:00:00', '2024-06-30 12:00:00',
  '2024-01-01 00:00:00'];

// events: 20,000 generated rows + one per EDGE_TS; user 1, 2 and 3 are hot.
const EVENTS = `WITH g AS (SELECT i FROM range(20000) t(i))
SELECT CASE WHEN i % 211 = 0 THEN NULL ELSE CAST(i AS BIGINT) END AS event_id,
  CASE WHEN i % 97 = 0 THEN NULL WHEN i % 10 < 3 THEN CAST(i % 3 + 1 AS BIGINT) ELSE CAST((i * 7) % 1000 AS BIGINT) END AS user_id,
  CASE WHEN i % 89 = 0 THEN NULL ELSE ['view', 'view', 'view', 'click', 'click', 'purchase', 'signup', 'refund'][i % 8 + 1] END AS event_type,
  CASE WHEN i % 83 = 0 THEN NULL ELSE CAST(TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i * 1777 + (i % 7) * 0.125) AS TIMESTAMPTZ) END AS event_ts,
  CASE WHEN i % 83 = 0 OR i % 71 = 0 THEN NULL ELSE CAST(TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i * 1777) AS DATE) END AS event_date,
  CASE WHEN i % 79 = 0 THEN NULL WHEN i % 8 = 5 THEN CAST((i * 37) % 10000 AS DOUBLE) / 100 WHEN i % 8 = 7 THEN -CAST(i % 50 AS DOUBLE) ELSE 0.0 END AS revenue,
  CASE WHEN i % 67 = 0 THEN NULL ELSE CAST(i % 5 AS INT) - 1 END AS qty,
  CASE WHEN i % 61 = 0 THEN NULL ELSE CAST(((i * 13) % 100000) / 100 AS DECIMAL(12, 2)) END AS amount,
  CASE WHEN i % 59 = 0 THEN NULL ELSE ${sqlList(UNICODE)}[i % ${UNICODE.length} + 1] || '/' || CAST(i % 40 AS VARCHAR) END AS page
FROM g
UNION ALL
SELECT CAST(100000 + j AS BIGINT), CAST(j % 4 + 1 AS BIGINT), ['view', 'purchase', 'click', NULL][j % 4 + 1],
  CAST(ts AS TIMESTAMPTZ), CAST(CAST(ts AS TIMESTAMP) AS DATE),
  [1.7976931348623157e308, -0.0, 5e-324, -1e308, 0.0, 2.2250738585072014e-308, 1e-300, 123456789.125][j % 8 + 1],
  CAST([2147483647, -2147483648, 0, NULL][j % 4 + 1] AS INT), CAST([9999999999.99, -9999999999.99, 0.01, 0][j % 4 + 1] AS DECIMAL(12, 2)),
  [repeat('long', 750), '😀', 'ß straße', 'İstanbul'][j % 4 + 1]
FROM (SELECT unnest(${sqlList(EDGE_TS)}) AS ts, generate_subscripts(${sqlList(EDGE_TS)}, 1) AS j)`;

// users: 1,000 users (+ one without an id); names in many scripts, one very long.
const USERS = `SELECT CASE WHEN i = 1000 THEN NULL ELSE CAST(i AS BIGINT) END AS user_id,
  CASE WHEN i % 41 = 0 THEN NULL WHEN i = 7 THEN repeat('é', 3000) ELSE ${sqlList(UNICODE)}[i % ${UNICODE.length} + 1] || ' ' || CAST(i AS VARCHAR) END AS name,
  CASE WHEN i % 37 = 0 THEN NULL ELSE ['US', 'DE', 'FR', 'JP', 'BR', 'IN', 'KR', 'ES'][(i * i) % 8 + 1] END AS country,
  CASE WHEN i % 5 = 4 THEN NULL ELSE ['free', 'free', 'pro', 'enterprise'][i % 4 + 1] END AS tier,
  CASE WHEN i % 31 = 0 THEN NULL WHEN i = 29 THEN DATE '2024-02-29' WHEN i = 30 THEN DATE '2020-02-29' ELSE DATE '2023-01-01' + CAST((i * 7) % 700 AS INT) END AS signup_date,
  CASE WHEN i % 43 = 0 THEN NULL WHEN i = 1 THEN CAST(2147483647 AS INT) WHEN i = 2 THEN CAST(-2147483648 AS INT) ELSE CAST(18 + (i * 3) % 60 AS INT) END AS age,
  CASE WHEN i % 47 = 0 THEN NULL WHEN i = 3 THEN -0.0 WHEN i = 4 THEN 1e308 WHEN i = 5 THEN -1e-308 ELSE CAST((i * 7919) % 1000 AS DOUBLE) / 7 END AS score,
  CASE WHEN i % 53 = 0 THEN NULL WHEN i = 1 THEN 9223372036854775807 WHEN i = 2 THEN -9223372036854775808 ELSE CAST(i AS BIGINT) * 1000003 END AS big
FROM range(1001) t(i)`;

// labels: several per user (some users none, some unknown to users), dated.
const LABELS = `SELECT CASE WHEN i % 101 = 0 THEN NULL ELSE CAST((i * 3) % 1100 AS BIGINT) END AS user_id,
  CASE WHEN i % 29 = 0 THEN NULL ELSE ['churned', 'active', 'at_risk', 'vip', 'réactivé', '休眠'][i % 6 + 1] END AS label,
  CASE WHEN i % 23 = 0 THEN NULL ELSE DATE '2024-01-01' + CAST((i * 11) % 400 AS INT) END AS label_date,
  CASE WHEN i % 19 = 0 THEN NULL ELSE CAST(i % 100 AS DOUBLE) / 100 END AS confidence
FROM range(1500) t(i)`;

// orders: purchases with decimals, statuses and items.
const ORDERS = `SELECT CASE WHEN i % 223 = 0 THEN NULL ELSE CAST(i + 1 AS BIGINT) END AS order_id,
  CASE WHEN i % 53 = 0 THEN NULL WHEN i % 5 = 0 THEN CAST(1 AS BIGINT) ELSE CAST((i * 13) % 1050 AS BIGINT) END AS user_id,
  CASE WHEN i % 47 = 0 THEN NULL ELSE CAST(TIMESTAMP '2024-01-15 08:00:00' + to_seconds(i * 5003) AS TIMESTAMPTZ) END AS order_ts,
  CASE WHEN i % 47 = 0 OR i % 43 = 0 THEN NULL ELSE CAST(TIMESTAMP '2024-01-15 08:00:00' + to_seconds(i * 5003) AS DATE) END AS order_date,
  CASE WHEN i % 41 = 0 THEN NULL ELSE ['placed', 'shipped', 'delivered', 'cancelled', 'returned'][(i * 7) % 5 + 1] END AS status,
  CASE WHEN i % 37 = 0 THEN NULL ELSE CAST(((i * 7907) % 1000000) / 100 AS DECIMAL(18, 2)) END AS total,
  CASE WHEN i % 31 = 0 THEN NULL ELSE CAST(i % 9 AS INT) END AS items,
  CASE WHEN i % 29 = 0 THEN NULL ELSE CAST(i % 20 AS DOUBLE) / 40 END AS discount
FROM range(6000) t(i)`;

const col = (name, type_text, position) => ({ name, type_text, type_name: TYPE_NAMES[type_text] ?? type_text.toUpperCase(), position });
const TYPE_NAMES = { bigint: 'LONG', int: 'INT', string: 'STRING', double: 'DOUBLE', date: 'DATE', timestamp: 'TIMESTAMP' };
const DUCK_TYPES = { string: 'VARCHAR', int: 'INTEGER', timestamp: 'TIMESTAMP WITH TIME ZONE' };
const cols = (...xs) => xs.map(([n, t], i) => col(n, t, i));
export const TABLES = {
  events: [EVENTS, cols(['event_id', 'bigint'], ['user_id', 'bigint'], ['event_type', 'string'], ['event_ts', 'timestamp'],
    ['event_date', 'date'], ['revenue', 'double'], ['qty', 'int'], ['amount', 'decimal(12,2)'], ['page', 'string'])],
  users: [USERS, cols(['user_id', 'bigint'], ['name', 'string'], ['country', 'string'], ['tier', 'string'],
    ['signup_date', 'date'], ['age', 'int'], ['score', 'double'], ['big', 'bigint'])],
  labels: [LABELS, cols(['user_id', 'bigint'], ['label', 'string'], ['label_date', 'date'], ['confidence', 'double'])],
  orders: [ORDERS, cols(['order_id', 'bigint'], ['user_id', 'bigint'], ['order_ts', 'timestamp'], ['order_date', 'date'],
    ['status', 'string'], ['total', 'decimal(18,2)'], ['items', 'int'], ['discount', 'double'])],
};

// Starts a daemon and DuckDB over the four tables. Returns { ours, duck, close }.
export async function setup() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-sql-diff-'));
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  await con.run("SET TimeZone = 'UTC'");
  // Spark's NULL order: first ascending, last descending (DuckDB's default is last both ways)
  await con.run("SET default_null_order = 'nulls_first_on_asc_last_on_desc'");
  const d = await startDaemon({ args: ['--no-access-log'] });
  for (const [name, [sql, columns]] of Object.entries(TABLES)) {
    const pq = path.join(tmp, `${name}.parquet`), delta = path.join(tmp, name);
    const types = (await con.runAndReadAll(`SELECT * FROM (${sql}) LIMIT 0`)).columnTypes().map(String);
    assert.deepEqual(types, columns.map((c) => DUCK_TYPES[c.type_text] ?? c.type_text.toUpperCase().replace(',', ',')), name);
    await con.run(`COPY (${sql}) TO '${pq}' (FORMAT parquet)`);
    // Spark's TIMESTAMP in a UTC session is DuckDB's TIMESTAMP (wall clock in UTC).
    const ts = columns.filter((c) => c.type_text === 'timestamp').map((c) => `CAST(${c.name} AS TIMESTAMP) AS ${c.name}`);
    await con.run(`CREATE VIEW ${name} AS SELECT * ${ts.length ? `REPLACE (${ts.join(', ')})` : ''} FROM read_parquet('${pq}')`);
    execFileSync(path.join(build, 'lakehouse-tool'), ['import', pq, delta], { stdio: 'ignore' });
    const r = await d.api('POST', '/api/2.1/unity-catalog/tables', { catalog_name: 'main', schema_name: 'default',
      name, table_type: 'EXTERNAL', data_source_format: 'DELTA', storage_location: delta, columns });
    assert.equal(r.status, 200, r.text);
  }
  const wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'diff', cluster_size: 'X-Small' })).json.id;

  async function ours(sql) {
    const r = await d.api('POST', '/api/2.0/sql/statements', { statement: sql, warehouse_id: wh, wait_timeout: '50s' });
    assert.equal(r.json.status?.state, 'SUCCEEDED', `${sql}\n${r.text}`);
    assert.ok(!r.json.result?.next_chunk_index, 'small answers come in one chunk');
    return r.json.result?.data_array ?? [];
  }
  // The error message of a statement that must fail.
  async function oursError(sql) {
    const r = await d.api('POST', '/api/2.0/sql/statements', { statement: sql, warehouse_id: wh, wait_timeout: '50s' });
    assert.equal(r.json.status?.state, 'FAILED', `${sql} must fail\n${r.text}`);
    return r.json.status.error?.message ?? '';
  }
  async function duck(sql) {
    const reader = await con.runAndReadAll(sql);
    const types = reader.columnTypes().map(String);
    return reader.getRows().map((row) => row.map((v, i) => render(v, types[i])));
  }
  async function close() {
    await d.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { ours, oursError, duck, close };
}

// A DuckDB value as Spark's result text (see the header).
function render(v, type) {
  if (v === null) return null;
  if (type.startsWith('TIMESTAMP')) return sparkTs(String(v));
  if (type.endsWith('[]') || type.startsWith('STRUCT') || type.startsWith('MAP')) return JSON.stringify(plain(v));
  if (type === 'DOUBLE' || type === 'FLOAT') return Object.is(v, -0) ? '-0.0' : String(v);
  return String(v);
}
function plain(v) {
  if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? Number(v) : v;
  if (Array.isArray(v.items)) return v.items.map(plain);
  if (Array.isArray(v.entries)) return Object.fromEntries(v.entries.map((e) => [String(e.key), plain(e.value)]));
  if (v.entries && typeof v.entries === 'object') return Object.fromEntries(Object.entries(v.entries).map(([k, x]) => [k, plain(x)]));
  return String(v);
}
// "2024-03-10 07:00:00.500+00" -> "2024-03-10 07:00:00.5" (Spark's text of a timestamp).
function sparkTs(s) {
  const m = /^(-?\d{4,}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)?/.exec(s);
  if (!m) return s;
  return `${m[1]} ${m[2]}${(m[3] ?? '').replace(/0+$/, '').replace(/^\.$/, '')}`;
}

// Arrays of numbers compare element-wise as numbers: Spark prints ARRAY<DOUBLE> as [4.0],
// DuckDB's list of a whole double as [4].
function numArray(s) {
  if (typeof s !== 'string' || !s.startsWith('[')) return null;
  try {
    const v = JSON.parse(s);
    return Array.isArray(v) && v.every((x) => x === null || typeof x === 'number') ? v : null;
  } catch {
    return null;
  }
}

function same(a, b, tol) {
  if (a === null || b === null) return a === b;
  const p = numArray(a), q = numArray(b);
  if (p && q && p.length === q.length)
    return p.every((x, i) => same(x === null ? null : String(x), q[i] === null ? null : String(q[i]), tol));
  const x = Number(a), y = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y))
    return x === y || Math.abs(x - y) <= tol * Math.max(Math.abs(x), Math.abs(y)) || Math.abs(x - y) < 1e-300;
  return a === b;
}
const isNum = (v) => v !== null && v.trim() !== '' && Number.isFinite(Number(v));
const key = (row) => JSON.stringify(row.map((v) => (isNum(v) ? Number(Number(v).toPrecision(6)) : v)));
const sortRows = (rows) => rows.map((r) => [key(r), r]).sort((p, q) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0)).map((x) => x[1]);

// Spark's order of two values of one column (NULLs first ascending).
function cmp(a, b) {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (isNum(a) && isNum(b)) return Math.sign(Number(a) - Number(b));
  return a < b ? -1 : 1;
}

export function compare(sql, got, want, opts = {}) {
  const tol = opts.tol ?? 1e-9;
  assert.equal(got.length, want.length, `${sql}: ${got.length} rows, DuckDB has ${want.length}`);
  if (opts.orderBy) {
    for (let i = 1; i < got.length; i++) {
      for (const [c, dir] of opts.orderBy) {
        const o = cmp(got[i - 1][c], got[i][c]) * (dir === 'desc' ? -1 : 1);
        assert.ok(o <= 0, `${sql}\nrows ${i - 1} and ${i} out of order: ${JSON.stringify(got[i - 1])} ${JSON.stringify(got[i])}`);
        if (o < 0) break;
      }
    }
  }
  if (!opts.ordered) {
    got = sortRows(got);
    want = sortRows(want);
  }
  for (let i = 0; i < got.length; i++) {
    const ok = got[i].length === want[i].length && got[i].every((v, j) => same(v, want[i][j], tol));
    assert.ok(ok, `${sql}\nrow ${i}: ours ${JSON.stringify(got[i])}, DuckDB ${JSON.stringify(want[i])}`);
  }
}

// Registers one node:test per query, over one daemon and DuckDB shared by the file.
export function suite(queries) {
  let env;
  before(async () => { env = await setup(); });
  after(async () => { await env?.close(); });
  for (const [name, sql, opts = {}] of queries) {
    test(`differential: ${name}`, { skip: opts.skip }, async () => {
      if (opts.error) return assert.match(await env.oursError(sql), new RegExp(opts.error));
      const got = await env.ours(sql);
      if (opts.expect) return opts.expect(got, env);
      compare(sql, got, await env.duck(opts.duck ?? sql), opts);
    });
  }
}
