// read_files_duckdb.test.mjs - read_files and the csv/json/parquet path tables against
// DuckDB's read_csv, read_json and read_parquet on the same files.
//
//   LH_BIN=build/lakehoused node --test tests/interop/read_files_duckdb.test.mjs
//
// DuckDB writes CSV and JSON-lines files (NULLs, quotes, separators and line breaks inside
// values, unicode, dates, timestamps); both engines read them back and the rows must match
// (numbers with a relative tolerance, everything else as text). Inferred column types are
// compared through a common vocabulary (Spark's INT and BIGINT are DuckDB's BIGINT). Parquet
// files of the shared parquet-testing set are read in place. A file uploaded to a Unity
// Catalog volume through the Files API is read as /Volumes/... .
// Known, intended differences (Spark's semantics): a quoted empty CSV field reads as NULL
// (nullValue ""), so the generated data has no empty strings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { startDaemon } from '../api/harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const testdata = path.resolve(root, '../shared/testdata/parquet-testing/data');
let d, wh, con, tmp;

const ROWS = `SELECT i AS id,
    CASE WHEN i % 11 = 0 THEN NULL WHEN i % 7 = 0 THEN 'quote "' || i || '", comma'
         WHEN i % 5 = 0 THEN 'line' || chr(10) || 'break ' || i WHEN i % 3 = 0 THEN 'Zoë ✓ ' || i
         ELSE 'name' || i END AS name,
    CASE WHEN i % 13 = 0 THEN NULL ELSE i * 0.25 END AS score,
    CASE WHEN i % 17 = 0 THEN NULL ELSE DATE '2024-01-01' + CAST(i % 300 AS INT) END AS day,
    CASE WHEN i % 19 = 0 THEN NULL ELSE TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (i * 3607) SECOND END AS ts,
    CASE WHEN i % 23 = 0 THEN NULL ELSE i % 2 = 0 END AS flag,
    CAST(i AS BIGINT) * 1000000007 AS big
  FROM range(3000) t(i)`;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-read-files-'));
  const db = await DuckDBInstance.create(':memory:');
  con = await db.connect();
  await con.run("SET TimeZone = 'UTC'");
  await con.run(`COPY (${ROWS}) TO '${tmp}/rows.csv' (FORMAT csv, HEADER true)`);
  await con.run(`COPY (${ROWS}) TO '${tmp}/rows_nohdr.csv' (FORMAT csv, HEADER false)`);
  await con.run(`COPY (SELECT id, name, score, flag, big, [id, id + 1] AS arr, {'a': id, 'b': name} AS obj FROM (${ROWS}))
    TO '${tmp}/rows.json' (FORMAT json)`);
  fs.mkdirSync(`${tmp}/parts`);
  for (let k = 0; k < 3; k++)
    await con.run(`COPY (SELECT * FROM (${ROWS}) WHERE id % 3 = ${k}) TO '${tmp}/parts/p${k}.csv' (FORMAT csv, HEADER true)`);
  d = await startDaemon({ args: ['--no-access-log'] });
  wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'rf', cluster_size: 'X-Small' })).json.id;
});

after(async () => {
  await d?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function ours(sql) {
  const r = await d.api('POST', '/api/2.0/sql/statements', { statement: sql, warehouse_id: wh, wait_timeout: '50s',
    disposition: 'INLINE', format: 'JSON_ARRAY' });
  assert.equal(r.json.status?.state, 'SUCCEEDED', `${sql}\n${r.text}`);
  let rows = r.json.result?.data_array ?? [];
  for (let c = r.json.result?.next_chunk_index; c; ) {
    const n = await d.api('GET', `/api/2.0/sql/statements/${r.json.statement_id}/result/chunks/${c}`);
    rows = rows.concat(n.json.data_array ?? []);
    c = n.json.next_chunk_index;
  }
  return rows;
}

async function oursError(sql) {
  const r = await d.api('POST', '/api/2.0/sql/statements', { statement: sql, warehouse_id: wh, wait_timeout: '50s' });
  assert.equal(r.json.status?.state, 'FAILED', `${sql}\n${r.text}`);
  const m = /^\[([A-Z_.]+)\]/.exec(r.json.status.error.message ?? '');
  return { ...r.json.status.error, error_class: m?.[1] };
}

async function duck(sql) {
  const reader = await con.runAndReadAll(sql);
  return reader.getRows().map((row) => row.map((v) => (v === null ? null : String(v))));
}

function same(a, b) {
  if (a === null || b === null) return a === b;
  const x = Number(a), y = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y))
    return x === y || Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
  return a === b;
}

function compare(what, got, want) {
  assert.equal(got.length, want.length, `${what}: ${got.length} rows, DuckDB has ${want.length}`);
  for (let i = 0; i < got.length; i++) {
    const ok = got[i].length === want[i].length && got[i].every((v, j) => same(v, want[i][j]));
    assert.ok(ok, `${what}\nrow ${i}: ours ${JSON.stringify(got[i])}, DuckDB ${JSON.stringify(want[i])}`);
  }
}

// The same columns as text in both dialects (dates and timestamps in ISO form).
const OURS_COLS = "id, name, score, CAST(day AS STRING), date_format(ts, 'yyyy-MM-dd HH:mm:ss'), CAST(flag AS STRING), big";
const DUCK_COLS = "id, name, score, CAST(day AS VARCHAR), strftime(ts, '%Y-%m-%d %H:%M:%S'), CAST(flag AS VARCHAR), big";

test('CSV with a header: values, NULLs, quotes, line breaks, unicode', async () => {
  const got = await ours(`SELECT ${OURS_COLS} FROM read_files('${tmp}/rows.csv', header => true) ORDER BY id`);
  const want = await duck(`SELECT ${DUCK_COLS} FROM read_csv('${tmp}/rows.csv', header = true) ORDER BY id`);
  compare('rows.csv', got, want);
});

test('CSV type inference agrees with DuckDB', async () => {
  const norm = { int: 'BIGINT', bigint: 'BIGINT', double: 'DOUBLE', string: 'VARCHAR', date: 'DATE',
    timestamp: 'TIMESTAMP', boolean: 'BOOLEAN' };
  const got = (await ours(`SELECT typeof(id), typeof(name), typeof(score), typeof(day), typeof(ts), typeof(flag), typeof(big)
    FROM read_files('${tmp}/rows.csv', header => true) LIMIT 1`))[0].map((t) => norm[t] ?? t);
  const want = (await duck(`SELECT typeof(id), typeof(name), typeof(score), typeof(day), typeof(ts), typeof(flag), typeof(big)
    FROM read_csv('${tmp}/rows.csv', header = true) LIMIT 1`))[0];
  assert.deepEqual(got, want);
});

test('csv.`path` without a header: _c0.._cN as STRING, like all_varchar', async () => {
  const got = await ours(`SELECT _c0, _c1, _c2, _c3 FROM csv.\`${tmp}/rows_nohdr.csv\` ORDER BY CAST(_c0 AS INT)`);
  const want = await duck(`SELECT column0, column1, column2, column3 FROM read_csv('${tmp}/rows_nohdr.csv', header = false,
    all_varchar = true) ORDER BY CAST(column0 AS INT)`);
  compare('rows_nohdr.csv', got, want);
  const t = await ours(`SELECT typeof(_c0), typeof(_c2) FROM csv.\`${tmp}/rows_nohdr.csv\` LIMIT 1`);
  assert.deepEqual(t, [['string', 'string']]);
});

test('a directory and a glob of CSV files', async () => {
  const want = await duck(`SELECT ${DUCK_COLS} FROM read_csv('${tmp}/parts/*.csv', header = true) ORDER BY id`);
  compare('parts/', await ours(`SELECT ${OURS_COLS} FROM read_files('${tmp}/parts', header => true) ORDER BY id`), want);
  compare('parts/p*.csv', await ours(`SELECT ${OURS_COLS} FROM read_files('${tmp}/parts/p*.csv', format => 'csv',
    header => true) ORDER BY id`), want);
});

test('JSON lines: inferred scalars, arrays and structs', async () => {
  const got = await ours(`SELECT id, name, score, CAST(flag AS STRING), big, size(arr), arr[1], obj.a, obj.b
    FROM read_files('${tmp}/rows.json') ORDER BY id`);
  const want = await duck(`SELECT id, name, score, CAST(flag AS VARCHAR), big, len(arr), arr[2], obj.a, obj.b
    FROM read_json('${tmp}/rows.json', format = 'newline_delimited') ORDER BY id`);
  compare('rows.json', got, want);
  const t = await ours(`SELECT typeof(id), typeof(arr), typeof(obj) FROM json.\`${tmp}/rows.json\` LIMIT 1`);
  assert.deepEqual(t, [['bigint', 'array<bigint>', 'struct<a:bigint,b:string>']]);
});

const PARQUET = ['alltypes_plain.parquet', 'alltypes_plain.snappy.parquet', 'alltypes_dictionary.parquet',
  'datapage_v2.snappy.parquet', 'delta_binary_packed.parquet', 'binary.parquet'];

test('Parquet files of parquet-testing read in place', async (t) => {
  for (const f of PARQUET) {
    const file = path.join(testdata, f);
    if (!fs.existsSync(file)) { t.diagnostic(`missing ${file}`); continue; }
    const cols = await duck(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${file}'))`);
    const flat = cols.filter(([, ty]) => !/STRUCT|\[\]|MAP|TIMESTAMP/.test(ty)).map(([n]) => n);
    const ty = (c) => cols.find(([n]) => n === c)[1];
    if (cols.some(([, ty]) => /STRUCT|\[\]|MAP/.test(ty))) {
      const e = await oursError(`SELECT * FROM parquet.\`${file}\``);
      assert.equal(e.error_class, 'UNSUPPORTED_FEATURE.NOT_YET', f);
      continue;
    }
    const q = flat.map((c) => (ty(c) === 'BLOB' ? `hex(\`${c}\`)` : `\`${c}\``)).join(', ');
    const got = await ours(`SELECT ${q} FROM parquet.\`${file}\``);
    const dq = flat.map((c) => (ty(c) === 'FLOAT' ? `CAST("${c}" AS VARCHAR)` : ty(c) === 'BLOB' ? `hex("${c}")` : `"${c}"`));
    const want = await duck(`SELECT ${dq.join(', ')} FROM read_parquet('${file}')`);
    compare(f, got, want);
  }
});

test('a CSV file in a Unity Catalog volume', async () => {
  const UC = '/api/2.1/unity-catalog';
  let r = await d.api('POST', `${UC}/volumes`, { catalog_name: 'main', schema_name: 'default', name: 'landing',
    volume_type: 'MANAGED' });
  assert.equal(r.status, 200, r.text);
  const body = fs.readFileSync(`${tmp}/rows.csv`);
  const put = await fetch(`${d.url}/api/2.0/fs/files/Volumes/main/default/landing/in/rows.csv`,
    { method: 'PUT', headers: { Authorization: `Bearer ${d.token}` }, body });
  assert.ok(put.status === 200 || put.status === 204, String(put.status));
  const want = await duck(`SELECT ${DUCK_COLS} FROM read_csv('${tmp}/rows.csv', header = true) ORDER BY id`);
  compare('volume', await ours(`SELECT ${OURS_COLS} FROM read_files('/Volumes/main/default/landing/in', format => 'csv',
    header => true) ORDER BY id`), want);
  const cnt = await ours("SELECT count(*) FROM csv.`dbfs:/Volumes/main/default/landing/in/rows.csv`");
  assert.deepEqual(cnt, [[String(want.length + 1)]]); /* the header is a row without header => true */
  const e = await oursError("SELECT * FROM read_files('/Volumes/main/default/nope/x.csv')");
  assert.equal(e.error_class, 'PATH_NOT_FOUND');
});

test('errors: a missing path, a bad option, FAILFAST', async () => {
  assert.equal((await oursError(`SELECT * FROM read_files('${tmp}/missing.csv')`)).error_class, 'PATH_NOT_FOUND');
  assert.equal((await oursError(`SELECT * FROM read_files('${tmp}/rows.csv', nosuch => 1)`)).error_class,
    'UNRECOGNIZED_PARAMETER_NAME');
  fs.writeFileSync(`${tmp}/bad.csv`, 'a\n1\nx\n');
  const e = await oursError(`SELECT * FROM read_files('${tmp}/bad.csv', header => true, schemaHints => 'a INT', mode => 'FAILFAST')`);
  assert.equal(e.error_class, 'MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION');
  const dm = await ours(`SELECT a FROM read_files('${tmp}/bad.csv', header => true, schemaHints => 'a INT', mode => 'DROPMALFORMED')`);
  assert.deepEqual(dm, [['1']]);
});
