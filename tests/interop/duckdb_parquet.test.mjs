// duckdb_parquet.test.mjs - Parquet interop between our C writer/reader and DuckDB.
//
//   node --test tests/interop/duckdb_parquet.test.mjs
//
// Needs the pq_roundtrip helper (CMake target pq_roundtrip; found via $LH_PQ_ROUNDTRIP,
// $LH_BUILD_DIR/pq_roundtrip as scripts/test sets it, or build*/pq_roundtrip) and the npm
// package @duckdb/node-api.
//   1. our writer -> DuckDB: the all-types sample under ZSTD and SNAPPY; DESCRIBE must show
//      the mapped types, every value must match `pq_roundtrip expect`, and the metadata
//      (codec, dictionary encoding, statistics, bloom filters) must be what we meant.
//   2. our writer -> our reader: the same comparison through the reader API.
//   3. DuckDB -> our reader: files DuckDB writes (ZSTD, SNAPPY, dictionary, V2 pages) must
//      read back with DuckDB's own values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function findHelper() {
  if (process.env.LH_PQ_ROUNDTRIP) return process.env.LH_PQ_ROUNDTRIP;
  if (process.env.LH_BUILD_DIR && fs.existsSync(path.join(process.env.LH_BUILD_DIR, 'pq_roundtrip')))
    return path.join(process.env.LH_BUILD_DIR, 'pq_roundtrip');
  // Otherwise the most recently built build*/pq_roundtrip.
  const found = fs.readdirSync(root).filter((d) => d.startsWith('build'))
    .map((d) => path.join(root, d, 'pq_roundtrip')).filter((p) => fs.existsSync(p))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (found.length > 0) return found[0];
  throw new Error('pq_roundtrip not built (set LH_PQ_ROUNDTRIP)');
}

const helper = findHelper();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-pq-interop-'));
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run("SET TimeZone = 'UTC'");

async function rows(sql) {
  return (await con.runAndReadAll(sql)).getRowObjectsJson();
}

function runHelper(...args) {
  const out = execFileSync(helper, args, { maxBuffer: 1 << 28, encoding: 'utf8' });
  const lines = out.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
  return { schema: lines[0].schema, rows: lines.slice(1) };
}

const deltaToDuck = {
  boolean: 'BOOLEAN', byte: 'TINYINT', short: 'SMALLINT', integer: 'INTEGER', long: 'BIGINT',
  float: 'FLOAT', double: 'DOUBLE', string: 'VARCHAR', binary: 'BLOB', date: 'DATE',
  timestamp: 'TIMESTAMP WITH TIME ZONE', timestamp_ntz: 'TIMESTAMP',
};
function duckType(delta) {
  const m = /^decimal\((\d+),(\d+)\)$/.exec(delta);
  return m ? `DECIMAL(${m[1]},${m[2]})` : deltaToDuck[delta];
}

// A SELECT rendering every column the way pq_roundtrip prints it.
function renderExpr(name, type) {
  const q = `"${name.replaceAll('"', '""')}"`;
  if (type === 'FLOAT' || type === 'DOUBLE') return `${q}`;
  if (type === 'BLOB') return `hex(${q})`;
  if (type.startsWith('TIMESTAMP')) return `CAST(epoch_us(${q}) AS VARCHAR)`;
  return `CAST(${q} AS VARCHAR)`;
}

async function duckRows(file) {
  const desc = await rows(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
  const list = desc.map((d) => `${renderExpr(d.column_name, d.column_type)} AS "${d.column_name}"`);
  return { desc, rows: await rows(`SELECT ${list.join(', ')} FROM read_parquet('${file}')`) };
}

function floatOf(v) {
  if (v === null) return null;
  if (typeof v === 'number') return v;
  const s = String(v).toLowerCase();
  if (s === 'nan') return NaN;
  if (s === 'inf' || s === 'infinity') return Infinity;
  if (s === '-inf' || s === '-infinity') return -Infinity;
  return Number(s);
}

function sameValue(a, b, type) {
  if (a === null || b === null) return a === b;
  if (type === 'FLOAT' || type === 'DOUBLE') {
    const x = floatOf(a), y = floatOf(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
    return type === 'FLOAT' ? Math.fround(x) === Math.fround(y) : x === y;
  }
  return String(a) === String(b);
}

function compareRows(actual, expected, types, what) {
  assert.equal(actual.length, expected.length, `${what}: row count`);
  for (let r = 0; r < expected.length; r++) {
    for (const [name, type] of types) {
      const a = actual[r][name], e = expected[r][name];
      if (!sameValue(a, e, type))
        assert.fail(`${what}: row ${r} column ${name}: got ${JSON.stringify(a)}, want ${JSON.stringify(e)}`);
    }
  }
}

const expected = runHelper('expect');
const sampleTypes = expected.schema.map(([n, t]) => [n, duckType(t)]);

for (const codec of ['zstd', 'snappy']) {
  test(`our ${codec} file reads in DuckDB with the same schema and values`, async () => {
    const file = path.join(tmp, `ours-${codec}.parquet`);
    execFileSync(helper, ['write', file, codec]);
    const got = await duckRows(file);
    assert.deepEqual(got.desc.map((d) => [d.column_name, d.column_type]), sampleTypes);
    compareRows(got.rows, expected.rows, sampleTypes, `duckdb(${codec})`);
  });

  test(`our ${codec} file has the metadata we meant`, async () => {
    const file = path.join(tmp, `ours-${codec}.parquet`);
    const meta = await rows(`SELECT row_group_id, path_in_schema, compression, encodings,
        stats_min_value, stats_max_value, stats_null_count, num_values,
        dictionary_page_offset, bloom_filter_offset
      FROM parquet_metadata('${file}') ORDER BY row_group_id, column_id`);
    assert.equal(new Set(meta.map((m) => m.row_group_id)).size, 3);
    for (const m of meta) {
      assert.equal(m.compression, codec.toUpperCase());
      assert.equal(m.num_values, Number(m.row_group_id) === 2 ? '1000' : '2000');
    }
    const sdict = meta.filter((m) => m.path_in_schema === 's_dict');
    for (const m of sdict) {
      assert.match(m.encodings, /RLE_DICTIONARY/);
      assert.notEqual(m.dictionary_page_offset, null);
      assert.notEqual(m.bloom_filter_offset, null);
      assert.equal(m.stats_min_value, 'alpha');
      assert.equal(m.stats_max_value, 'gamma');
    }
    const i32 = meta.find((m) => m.path_in_schema === 'i32' && Number(m.row_group_id) === 0);
    assert.equal(i32.stats_min_value, '-250000000');
    assert.equal(i32.stats_null_count, '181');
    const probe = await rows(`SELECT bloom_filter_excludes AS x FROM
        parquet_bloom_probe('${file}', 's_dict', 'no-such-word')`);
    assert.ok(probe.every((p) => p.x === true), 'bloom filter excludes an absent value');
    const hit = await rows(`SELECT bloom_filter_excludes AS x FROM
        parquet_bloom_probe('${file}', 's_dict', 'delta')`);
    assert.ok(hit.every((p) => p.x === false), 'bloom filter keeps a present value');
    // Statistics must be usable: a filter outside every row group's range reads nothing.
    const none = await rows(`SELECT count(*) AS n FROM '${file}' WHERE id > 100000`);
    assert.equal(none[0].n, '0');
  });

  test(`our ${codec} file reads back through our reader`, () => {
    const file = path.join(tmp, `ours-${codec}.parquet`);
    const got = runHelper('read', file);
    assert.deepEqual(got.schema, expected.schema);
    compareRows(got.rows, expected.rows, sampleTypes, `reader(${codec})`);
  });
}

test('our nested (checkpoint-shaped) file reads in DuckDB', async () => {
  const file = path.join(tmp, 'nested.parquet');
  const copies = 500;
  execFileSync(helper, ['nested', file, String(copies)]);
  const desc = await rows(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
  assert.deepEqual(desc.map((d) => [d.column_name, d.column_type]), [
    ['add', 'STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT)'],
    ['metaData', 'STRUCT(partitionColumns VARCHAR[])'],
  ]);
  const got = await rows(`SELECT to_json("add") AS a, to_json(metaData) AS m FROM read_parquet('${file}')`);
  assert.equal(got.length, 8 * copies);
  for (let r = 0; r < got.length; r++) {
    const c = Math.floor(r / 4) % copies;
    const want = [
      [{ path: 'a', partitionValues: { x: '1', y: null }, size: 10 + c }, null],
      [null, { partitionColumns: ['x', 'y'] }],
      [{ path: 'b', partitionValues: {}, size: null }, null],
      [{ path: null, partitionValues: null, size: 5 + c }, { partitionColumns: null }],
    ][r % 4];
    const a = got[r].a === null ? null : JSON.parse(got[r].a);
    const m = got[r].m === null ? null : JSON.parse(got[r].m);
    assert.deepEqual([a, m], want, `record ${r}`);
  }
});

const duckTable = `SELECT
    CASE WHEN i % 7 = 0 THEN NULL ELSE i % 3 = 0 END AS b,
    CAST(i % 100 - 50 AS TINYINT) AS i8,
    CAST(i * 7 % 30000 AS SMALLINT) AS i16,
    CASE WHEN i % 5 = 0 THEN NULL ELSE CAST(i * 1001 AS INTEGER) END AS i32,
    CAST(i AS BIGINT) * -123456789 AS i64,
    CAST(i % 64 AS FLOAT) / 4 AS f32,
    CASE WHEN i % 11 = 0 THEN NULL ELSE i / 8.0 - 100 END::DOUBLE AS f64,
    ['red', 'green', 'blue', NULL][i % 4 + 1] AS s_dict,
    'row-' || i AS s_uniq,
    CASE WHEN i % 3 = 0 THEN NULL ELSE ('\\x0' || (i % 10))::BLOB END AS bin,
    DATE '1990-01-01' + CAST(i % 20000 AS INTEGER) AS d,
    TIMESTAMP '2020-01-01' + to_microseconds(i * 1000003) AS ts_ntz,
    TIMESTAMPTZ '2021-06-01 00:00:00+00' + to_microseconds(i * 77) AS ts,
    CAST(i * 3.25 AS DECIMAL(9,2)) AS dec9,
    CAST(i * -12345.6789 AS DECIMAL(18,4)) AS dec18,
    CAST(i AS DECIMAL(38,10)) * 1234567890123.4567890123 AS dec38
  FROM range(10000) t(i)`;

const duckFormats = {
  zstd: 'COMPRESSION zstd',
  snappy: 'COMPRESSION snappy',
  dictionary: 'COMPRESSION zstd, ROW_GROUP_SIZE 2048',
  v2: 'COMPRESSION zstd, PARQUET_VERSION V2',
};

for (const [name, opts] of Object.entries(duckFormats)) {
  test(`DuckDB ${name} file reads through our reader`, async (t) => {
    const file = path.join(tmp, `duck-${name}.parquet`);
    try {
      await con.run(`COPY (${duckTable}) TO '${file}' (FORMAT parquet, ${opts})`);
    } catch (e) {
      if (name === 'v2') return t.skip(`DuckDB cannot write V2 pages: ${e.message}`);
      throw e;
    }
    const want = await duckRows(file);
    const types = want.desc.map((d) => [d.column_name, d.column_type]);
    const got = runHelper('read', file);
    assert.deepEqual(got.schema.map(([n, ty]) => [n, duckType(ty)]), types);
    compareRows(got.rows, want.rows, types, `reader(duck ${name})`);
  });
}

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
