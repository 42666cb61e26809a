// nested_duckdb.test.mjs - ARRAY, MAP and STRUCT columns in Delta tables, checked against
// DuckDB reading exactly the same Parquet files:
//   1. Delta's golden tables with nested columns, read through `delta.\`path\``;
//   2. parquet-testing's nested files (three-level and legacy two-level lists, repeated
//      fields without annotation, maps, Impala's nested tables), each made a one-file Delta
//      table whose schema is DuckDB's reading of the file;
//   3. CTAS/INSERT/UPDATE/DELETE/MERGE/OPTIMIZE of nested values through the Statement
//      Execution API: DuckDB reads the live files back with the same values; the Delta stats,
//      the manifest and Unity Catalog's columns describe the nested columns.
// Values are compared after a type-directed canonical form (maps as key-sorted objects,
// numbers as numbers, floats to 6 digits), ours through to_json(named_struct(...)).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startDaemon } from '../api/harness.mjs';

const TESTDATA = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'testdata');
const GOLDEN = path.join(TESTDATA, 'delta-golden');
const PQ = path.join(TESTDATA, 'parquet-testing', 'data');

let d, wh, con, tmp;

before(async () => {
  con = await (await DuckDBInstance.create(':memory:')).connect();
  d = await startDaemon({ args: ['--no-access-log'] });
  wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'nested', cluster_size: 'X-Small' })).json.id;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-nested-'));
});

after(async () => {
  await d?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function run(sql) {
  const r = await d.api('POST', '/api/2.0/sql/statements', { statement: sql, warehouse_id: wh, wait_timeout: '50s' });
  return r.json;
}

async function ours(sql) {
  const j = await run(sql);
  assert.equal(j.status?.state, 'SUCCEEDED', `${sql}\n${JSON.stringify(j)}`);
  return j;
}

// ---- types ------------------------------------------------------------------------------

// Spark's SQL type text as the manifest shows it (ARRAY<INT>, MAP<STRING, BIGINT>,
// STRUCT<a: INT, b: ARRAY<STRING>>) -> {kind, elem | key, value | fields}.
function parseSparkType(text) {
  let i = 0;
  const ws = () => { while (text[i] === ' ') i++; };
  const word = () => { ws(); const m = /^(`[^`]*`|[A-Za-z_0-9]+)/.exec(text.slice(i)); i += m[0].length; return m[0].replace(/`/g, ''); };
  const eat = (c) => { ws(); assert.equal(text[i], c, `${text} at ${i}`); i++; };
  function type() {
    const w = word().toUpperCase();
    if (w === 'ARRAY') { eat('<'); const elem = type(); eat('>'); return { kind: 'array', elem }; }
    if (w === 'MAP') { eat('<'); const key = type(); eat(','); const value = type(); eat('>'); return { kind: 'map', key, value }; }
    if (w === 'STRUCT') {
      eat('<');
      const fields = [];
      for (ws(); text[i] !== '>';) {
        const name = word(); eat(':');
        fields.push({ name, type: type() });
        ws(); if (text[i] === ',') i++; ws();
      }
      eat('>');
      return { kind: 'struct', fields };
    }
    ws(); if (text[i] === '(') { while (text[i] !== ')') i++; i++; }
    return { kind: 'scalar', name: w };
  }
  return type();
}

const NUMERIC = /^(TINYINT|SMALLINT|INT|BIGINT|FLOAT|DOUBLE|DECIMAL)$/;

// One value in canonical form: ours (Spark to_json: maps as objects, null struct fields
// dropped) and DuckDB's (maps as [{key, value}], big integers as strings) meet here.
function canon(t, v) {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'array': return v.map((x) => canon(t.elem, x));
    case 'map': {
      const entries = Array.isArray(v) ? v.map((e) => [e.key, e.value]) : Object.entries(v);
      const out = entries.map(([k, x]) => [JSON.stringify(canon(t.key, k)), canon(t.value, x)]);
      out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      return out;
    }
    case 'struct': return Object.fromEntries(t.fields.map((f) => {
      const k = Object.keys(v).find((n) => n.toLowerCase() === f.name.toLowerCase());
      return [f.name, canon(f.type, k === undefined ? null : v[k])];
    }));
    default:
      if (NUMERIC.test(t.name)) return Number(Number(v).toPrecision(6));
      return v;
  }
}

// The columns a comparison can cover: no binary or timestamps (formatted differently).
const comparable = (c) => !/BINARY|TIMESTAMP|INTERVAL/.test(c.type_text);

// Our rows of `from` (a table or delta.`path`) for cols, canonical, sorted.
async function ourRows(from, cols) {
  const args = cols.map((c) => `'${c.name}', \`${c.name}\``).join(', ');
  const j = await ours(`SELECT to_json(named_struct(${args})) FROM ${from}`);
  return (j.result?.data_array ?? []).map(([text]) => {
    const o = JSON.parse(text);
    return JSON.stringify(cols.map((c) => canon(c.type, o[c.name] ?? null)));
  }).sort();
}

// DuckDB's rows of Parquet files for cols, canonical, sorted.
async function duckRows(files, cols) {
  const rows = [];
  const sel = cols.map((c) => `"${c.name}"`).join(', ');
  for (const f of files) {
    const r = await con.runAndReadAll(`SELECT ${sel} FROM read_parquet('${f}')`);
    for (const row of r.getRowsJson()) rows.push(JSON.stringify(cols.map((c, i) => canon(c.type, row[i]))));
  }
  return rows.sort();
}

// The columns of `from` as our manifest describes them.
async function columnsOf(from) {
  const j = await ours(`SELECT * FROM ${from} LIMIT 0`);
  return j.manifest.schema.columns.map((c) => ({ ...c, type: parseSparkType(c.type_text) }));
}

// The live data files of a table's latest version: replay _delta_log/*.json in order.
function liveFiles(root) {
  const log = path.join(root, '_delta_log');
  const live = new Set();
  for (const f of fs.readdirSync(log).filter((n) => /^\d{20}\.json$/.test(n)).sort()) {
    for (const line of fs.readFileSync(path.join(log, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const a = JSON.parse(line);
      if (a.add) live.add(decodeURIComponent(a.add.path));
      if (a.remove) live.delete(decodeURIComponent(a.remove.path));
    }
  }
  return [...live].map((p) => path.join(root, p));
}

// ---- 1. Delta golden tables ---------------------------------------------------------------

test('Delta golden tables with nested columns read as DuckDB reads their files', async () => {
  const tables = ['data-reader-array-primitives', 'data-reader-array-complex-objects', 'data-reader-map',
    'data-reader-nested-struct', 'parquet-all-types', 'parquet-all-types-legacy-format'];
  for (const name of tables) {
    const from = `delta.\`${path.join(GOLDEN, name)}\``;
    const cols = (await columnsOf(from)).filter(comparable);
    assert.ok(cols.some((c) => c.type.kind !== 'scalar'), `${name} has nested columns`);
    const mine = await ourRows(from, cols);
    const theirs = await duckRows(liveFiles(path.join(GOLDEN, name)), cols);
    assert.ok(mine.length > 0, name);
    assert.deepEqual(mine, theirs, `${name}: our rows differ from DuckDB's`);
  }
});

// ---- 2. parquet-testing's nested files ----------------------------------------------------

// DuckDB's type (VARCHAR[][], MAP(K, V), STRUCT(a T, ...)) -> Delta's JSON type.
function duckToDelta(text) {
  let i = 0;
  const ws = () => { while (text[i] === ' ') i++; };
  const scalars = { BOOLEAN: 'boolean', TINYINT: 'byte', SMALLINT: 'short', INTEGER: 'integer', BIGINT: 'long',
    FLOAT: 'float', DOUBLE: 'double', VARCHAR: 'string', BLOB: 'binary', DATE: 'date', UBIGINT: 'decimal(20,0)',
    TIMESTAMP: 'timestamp' };
  function name() {
    ws();
    if (text[i] === '"') { const j = text.indexOf('"', i + 1); const n = text.slice(i + 1, j); i = j + 1; return n; }
    const m = /^[A-Za-z_0-9]+/.exec(text.slice(i)); i += m[0].length; return m[0];
  }
  function type() {
    let t;
    const w = name();
    if (w === 'MAP') {
      i++; const keyType = type(); ws(); i++; const valueType = type(); ws(); i++;
      t = { type: 'map', keyType, valueType, valueContainsNull: true };
    } else if (w === 'STRUCT') {
      i++;
      const fields = [];
      for (;;) {
        const n = name(); const ft = type();
        fields.push({ name: n, type: ft, nullable: true, metadata: {} });
        ws(); if (text[i++] === ')') break;
      }
      t = { type: 'struct', fields };
    } else if (w === 'DECIMAL') {
      const j = text.indexOf(')', i); t = `decimal${text.slice(i, j + 1).replace(/ /g, '')}`; i = j + 1;
    } else {
      assert.ok(w in scalars, `DuckDB type ${w}`);
      t = scalars[w];
    }
    while (text.startsWith('[]', i)) { i += 2; t = { type: 'array', elementType: t, containsNull: true }; }
    return t;
  }
  return type();
}

// A one-file Delta table over a copy of a Parquet file, its schema DuckDB's reading of it.
async function deltaOver(file) {
  const root = path.join(tmp, path.basename(file, '.parquet'));
  fs.mkdirSync(path.join(root, '_delta_log'), { recursive: true });
  fs.copyFileSync(file, path.join(root, 'part-0.parquet'));
  const desc = (await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRows();
  const fields = desc.map(([n, t]) => ({ name: n, type: duckToDelta(t), nullable: true, metadata: {} }));
  const log = [
    { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
    { metaData: { id: '00000000-0000-4000-8000-000000000001', format: { provider: 'parquet', options: {} },
      schemaString: JSON.stringify({ type: 'struct', fields }), partitionColumns: [], configuration: {} } },
    { add: { path: 'part-0.parquet', partitionValues: {}, size: fs.statSync(file).size, modificationTime: 0, dataChange: true } },
  ];
  fs.writeFileSync(path.join(root, '_delta_log', '00000000000000000000.json'), log.map((a) => JSON.stringify(a)).join('\n') + '\n');
  return root;
}

test('parquet-testing nested files (LIST, legacy lists, repeated fields, MAP, Impala) read as DuckDB reads them', async () => {
  const files = ['list_columns', 'null_list', 'nested_lists.snappy', 'nested_maps.snappy', 'old_list_structure',
    'repeated_no_annotation', 'repeated_primitive_no_list', 'incorrect_map_schema', 'nested_structs.rust',
    'nullable.impala', 'nonnullable.impala', 'nulls.snappy', 'datapage_v2.snappy'];
  for (const name of files) {
    const file = path.join(PQ, `${name}.parquet`);
    const from = `delta.\`${await deltaOver(file)}\``;
    const cols = (await columnsOf(from)).filter(comparable);
    const mine = await ourRows(from, cols);
    const theirs = await duckRows([file], cols);
    assert.ok(mine.length > 0, name);
    assert.deepEqual(mine, theirs, `${name}: our rows differ from DuckDB's`);
  }
});

test('a MAP without a value column is refused cleanly; the file\'s other columns read', async () => {
  // DuckDB refuses the whole file; its .md gives the rows of the columns that are well formed
  const root = path.join(tmp, 'map_no_value');
  fs.mkdirSync(path.join(root, '_delta_log'), { recursive: true });
  fs.copyFileSync(path.join(PQ, 'map_no_value.parquet'), path.join(root, 'part-0.parquet'));
  const map = { type: 'map', keyType: 'integer', valueType: 'integer', valueContainsNull: true };
  const fields = [{ name: 'my_map', type: map, nullable: false, metadata: {} },
    { name: 'my_map_no_v', type: map, nullable: false, metadata: {} },
    { name: 'my_list', type: { type: 'array', elementType: 'integer', containsNull: false }, nullable: false, metadata: {} }];
  const log = [{ protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
    { metaData: { id: '00000000-0000-4000-8000-000000000002', format: { provider: 'parquet', options: {} },
      schemaString: JSON.stringify({ type: 'struct', fields }), partitionColumns: [], configuration: {} } },
    { add: { path: 'part-0.parquet', partitionValues: {}, size: 1, modificationTime: 0, dataChange: true } }];
  fs.writeFileSync(path.join(root, '_delta_log', '00000000000000000000.json'), log.map((a) => JSON.stringify(a)).join('\n') + '\n');
  const ok = await ours(`SELECT my_map, my_list FROM delta.\`${root}\``);
  assert.deepEqual(ok.result.data_array, [['{1:null,2:null,3:null}', '[1,2,3]'], ['{4:null,5:null,6:null}', '[4,5,6]'],
    ['{7:null,8:null,9:null}', '[7,8,9]']]);
  const j = await run(`SELECT my_map_no_v FROM delta.\`${root}\``);
  assert.equal(j.status.state, 'FAILED', JSON.stringify(j));
  assert.match(j.status.error.message, /my_map_no_v/);
});

// ---- 3. our writes ------------------------------------------------------------------------

const NESTED_COLS = ['id', 'a', 'aa', 'm', 's', 'ms', 'arr_s', 'dec'];

async function sameAsDuck(table) {
  const uc = (await d.api('GET', `/api/2.1/unity-catalog/tables/main.default.${table}`)).json;
  const cols = (await columnsOf(table)).filter((c) => NESTED_COLS.includes(c.name));
  const mine = await ourRows(table, cols);
  assert.deepEqual(await duckRows(liveFiles(uc.storage_location), cols), mine, `${table}: DuckDB differs from SELECT`);
  return mine.length;
}

test('CTAS, INSERT, UPDATE, DELETE, MERGE and OPTIMIZE of nested values: DuckDB reads what SELECT sees', async () => {
  await ours(`CREATE TABLE w AS SELECT * FROM VALUES
    (1, array(1, NULL, 3), array(array('a', NULL), NULL, array()), map('x', 1L, 'y', NULL),
     named_struct('x', 1, 'y', 'one', 'z', array(1.5D, NULL)), map(1, named_struct('p', 'q')),
     array(named_struct('k', 'k1', 'v', map('a', 1)), NULL, named_struct('k', NULL, 'v', NULL)),
     array(CAST(1.25 AS DECIMAL(20, 2)), NULL)),
    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (3, array(), array(), map(), named_struct('x', NULL, 'y', NULL, 'z', NULL), map(2, NULL),
     array(), array()),
    (4, array(NULL), array(array(NULL)), map('k', NULL), named_struct('x', 4, 'y', NULL, 'z', array()),
     map(3, named_struct('p', NULL)), array(named_struct('k', 'k4', 'v', map())), array(CAST(-7.5 AS DECIMAL(20, 2))))
    AS t(id, a, aa, m, s, ms, arr_s, dec)`);
  assert.equal(await sameAsDuck('w'), 4);
  await ours(`INSERT INTO w VALUES (5, array(5), array(array('e')), map('five', 5L), named_struct('x', 5, 'y', 'v', 'z', array(5.0D)),
    map(5, named_struct('p', 'five')), array(named_struct('k', 'k5', 'v', map('b', 2, 'c', NULL))), array(CAST(5 AS DECIMAL(20, 2))))`);
  assert.equal(await sameAsDuck('w'), 5);
  await ours(`INSERT INTO w SELECT id + 10, a, aa, m, s, ms, arr_s, dec FROM w`); // nested values read back and rewritten
  assert.equal(await sameAsDuck('w'), 10);
  await ours(`UPDATE w SET a = concat(a, array(99)), s = named_struct('x', s.x + 1, 'y', upper(s.y), 'z', s.z) WHERE id % 2 = 1`);
  assert.equal(await sameAsDuck('w'), 10);
  await ours('DELETE FROM w WHERE size(a) = 0 OR s.x = 5');
  const left = await sameAsDuck('w');
  await ours(`CREATE TABLE src AS SELECT id, array(id) AS a FROM w WHERE id > 10`);
  await ours(`MERGE INTO w USING src ON w.id = src.id WHEN MATCHED THEN UPDATE SET a = src.a
    WHEN NOT MATCHED THEN INSERT (id, a) VALUES (src.id, src.a)`);
  assert.equal(await sameAsDuck('w'), left);
  await ours('OPTIMIZE w');
  assert.equal(await sameAsDuck('w'), left);
  const back = await ours('SELECT a, m, s.x, ms[1].p, arr_s[0].v FROM w WHERE id = 1');
  assert.deepEqual(back.result.data_array, [['[1,null,3,99]', '{"x":1,"y":null}', '2', 'q', '{"a":1}']]);
});

test('stats, the manifest and Unity Catalog describe nested columns as Delta and Databricks do', async () => {
  await ours(`CREATE TABLE st (id INT, a ARRAY<INT>, s STRUCT<x: INT, t: STRUCT<u: STRING>, l: ARRAY<INT>>, m MAP<STRING, INT>)`);
  await ours(`INSERT INTO st VALUES (1, array(1), named_struct('x', 1, 't', named_struct('u', 'b'), 'l', array(1)), map('k', 1)),
    (2, NULL, named_struct('x', NULL, 't', NULL, 'l', NULL), NULL), (3, array(), NULL, map())`);
  const uc = (await d.api('GET', '/api/2.1/unity-catalog/tables/main.default.st')).json;
  const adds = fs.readdirSync(path.join(uc.storage_location, '_delta_log')).filter((n) => n.endsWith('.json')).sort()
    .flatMap((f) => fs.readFileSync(path.join(uc.storage_location, '_delta_log', f), 'utf8').split('\n'))
    .filter((l) => l.includes('"add"')).map((l) => JSON.parse(l).add);
  assert.equal(adds.length, 1);
  // as Delta: struct leaves nested, arrays and maps only counted as NULL values
  assert.deepEqual(JSON.parse(adds[0].stats), {
    numRecords: 3,
    minValues: { id: 1, s: { x: 1, t: { u: 'b' } } },
    maxValues: { id: 3, s: { x: 1, t: { u: 'b' } } },
    nullCount: { id: 0, a: 1, s: { x: 2, t: { u: 2 }, l: 2 }, m: 1 },
  });
  const byName = Object.fromEntries(uc.columns.map((c) => [c.name, c]));
  assert.equal(byName.a.type_text, 'array<int>');
  assert.equal(byName.a.type_name, 'ARRAY');
  assert.equal(byName.m.type_name, 'MAP');
  assert.equal(byName.s.type_name, 'STRUCT');
  assert.equal(byName.s.type_text, 'struct<x:int,t:struct<u:string>,l:array<int>>');
  assert.deepEqual(JSON.parse(byName.m.type_json), { name: 'm', type: { type: 'map', keyType: 'string', valueType: 'integer', valueContainsNull: true }, nullable: true, metadata: {} });
  assert.deepEqual(JSON.parse(byName.s.type_json).type.fields.map((f) => f.name), ['x', 't', 'l']);
  const schema = JSON.parse(fs.readFileSync(path.join(uc.storage_location, '_delta_log', '00000000000000000000.json'), 'utf8')
    .split('\n').find((l) => l.includes('metaData'))).metaData.schemaString;
  assert.deepEqual(JSON.parse(byName.s.type_json).type, JSON.parse(schema).fields[2].type);
  const j = await ours('SELECT * FROM st LIMIT 0');
  assert.deepEqual(j.manifest.schema.columns.map((c) => [c.type_name, c.type_text]), [
    ['INT', 'INT'], ['ARRAY', 'ARRAY<INT>'], ['STRUCT', 'STRUCT<x: INT, t: STRUCT<u: STRING>, l: ARRAY<INT>>'], ['MAP', 'MAP<STRING, INT>']]);
  await ours("ALTER TABLE st ADD COLUMNS (extra ARRAY<STRUCT<q: DATE>> COMMENT 'added')");
  const uc2 = (await d.api('GET', '/api/2.1/unity-catalog/tables/main.default.st')).json;
  const extra = uc2.columns.find((c) => c.name === 'extra');
  assert.equal(extra.type_text, 'array<struct<q:date>>');
  assert.equal(extra.comment, 'added');
  assert.deepEqual(JSON.parse(extra.type_json).type, { type: 'array', elementType: { type: 'struct', fields: [{ name: 'q', type: 'date', nullable: true, metadata: {} }] }, containsNull: true });
  assert.equal(uc2.columns.find((c) => c.name === 's').type_text, 'struct<x:int,t:struct<u:string>,l:array<int>>');
  const r = await ours('SELECT id, extra FROM st ORDER BY id');
  assert.deepEqual(r.result.data_array, [['1', null], ['2', null], ['3', null]]);
});
