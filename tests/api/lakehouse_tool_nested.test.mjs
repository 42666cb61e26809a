// lakehouse_tool_nested.test.mjs - lakehouse-tool import of Parquet with LIST, MAP and
// STRUCT columns, checked by DuckDB:
//   1. DuckDB writes a file with nested columns (nulls at every level, empty lists, lists
//      of lists, lists of structs, maps, several row groups); the tool imports it; the
//      Delta schema holds the nested types; DuckDB reads the data files the log lists and
//      finds every row and nested value of the source; `cat` prints what DuckDB's to_json
//      prints; append and overwrite keep working.
//   2. parquet-testing files with nested columns (Impala, Spark, Arrow shapes) import and
//      read back the same through DuckDB.
//   3. JSON lines with arrays and objects import as ARRAY and STRUCT columns (read back by
//      DuckDB), and values with no single type are refused naming the column.
//   4. cat of Spark-written golden tables with nested columns prints what DuckDB reads.
//   5. Shapes a Delta schema cannot state (legacy two-level lists, repeated fields outside
//      LIST/MAP, MAP without a value or with an optional key), partitioning by a nested or
//      unknown column, and a file whose schema differs from the table's are refused: exit
//      1, one line on stderr naming the column, and nothing committed.
//   6. --partition-by with nested columns: one file per directory, partition columns in
//      partitionValues only, cat puts them back (Parquet and JSON lines sources).
// The binary is $LH_BUILD_DIR/lakehouse-tool (default build/lakehouse-tool).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUILD = process.env.LH_BUILD_DIR ? resolve(process.env.LH_BUILD_DIR) : join(root, 'build');
const TOOL = join(BUILD, 'lakehouse-tool');
const TESTDATA = process.env.LH_TESTDATA ?? join(root, '..', 'shared', 'testdata');
const PQ = join(TESTDATA, 'parquet-testing', 'data');

const tmp = mkdtempSync(join(tmpdir(), 'lh-tool-nested-'));
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run("SET TimeZone = 'UTC'");
after(() => rmSync(tmp, { recursive: true, force: true }));

function tool(...args) {
  const r = spawnSync(TOOL, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function ok(...args) {
  const r = tool(...args);
  assert.equal(r.code, 0, `lakehouse-tool ${args.join(' ')} failed: ${r.err}`);
  return r.out;
}

const lines = (s) => s.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
const q = (p) => `'${p.replaceAll("'", "''")}'`;

async function rows(sql) {
  return (await con.runAndReadAll(sql)).getRowObjectsJson();
}

// The data files the table's log lists now (replaying adds and removes).
function liveFiles(table) {
  const log = join(table, '_delta_log');
  const live = new Set();
  for (const f of readdirSync(log).filter((n) => /^\d{20}\.json$/.test(n)).sort()) {
    for (const l of lines(readFileSync(join(log, f), 'utf8'))) {
      if (l.add) live.add(decodeURIComponent(l.add.path));
      if (l.remove) live.delete(decodeURIComponent(l.remove.path));
    }
  }
  return [...live].map((p) => join(table, p));
}

const fileList = (files) => `[${files.map(q).join(',')}]`;

// Every row of the source and of the table's data files, as DuckDB reads them.
async function sameRows(src, table, orderBy) {
  const files = liveFiles(table);
  assert.ok(files.length > 0, 'the table has data files');
  const want = await rows(`SELECT * FROM read_parquet(${q(src)}) ORDER BY ${orderBy}`);
  const got = await rows(`SELECT * FROM read_parquet(${fileList(files)}) ORDER BY ${orderBy}`);
  assert.equal(got.length, want.length);
  assert.deepEqual(got, want);
  const types = async (f) => (await rows(`DESCRIBE SELECT * FROM read_parquet(${f})`))
    .map((r) => [r.column_name, r.column_type]);
  assert.deepEqual(await types(fileList(files)), await types(q(src)));
  return want.length;
}

const SRC = join(tmp, 'nested.parquet');
await con.run(`COPY (
  SELECT i AS id,
    CASE WHEN i % 7 = 0 THEN NULL WHEN i % 5 = 0 THEN [] ELSE [i, NULL, i * 2] END AS l,
    CASE WHEN i % 11 = 0 THEN NULL ELSE MAP{'a': i, 'b': NULL} END AS m,
    CASE WHEN i % 13 = 0 THEN NULL
         ELSE {'x': i, 'y': 'b' || i, 'z': [{'q': i, 'r': [i % 3 = 0]}], 'w': NULL::VARCHAR} END AS s,
    CASE WHEN i % 2 = 0 THEN [] ELSE [[1, 2], NULL, [], [3]] END AS ll,
    [DATE '2024-01-01' + (i % 30)::INTEGER] AS dates,
    MAP{i: [i::DOUBLE / 4]} AS mi,
    'str' || i AS t
  FROM range(3000) r(i)) TO ${q(SRC)} (FORMAT parquet, ROW_GROUP_SIZE 1000)`);

test('import keeps LIST, MAP and STRUCT columns: schema, data files, cat', async () => {
  const t = join(tmp, 't1');
  const res = JSON.parse(ok('import', SRC, t));
  assert.deepEqual(res, { version: 0, numOutputRows: 3000, numFiles: 1, numRemovedFiles: 0 });

  const fields = JSON.parse(ok('schema', t)).fields;
  assert.deepEqual(fields.map((f) => f.name), ['id', 'l', 'm', 's', 'll', 'dates', 'mi', 't']);
  const type = (n) => fields.find((f) => f.name === n).type;
  assert.deepEqual(type('l'), { type: 'array', elementType: 'long', containsNull: true });
  assert.deepEqual(type('m'),
    { type: 'map', keyType: 'string', valueType: 'long', valueContainsNull: true });
  assert.equal(type('s').type, 'struct');
  assert.deepEqual(type('s').fields.map((f) => [f.name, f.nullable]),
    [['x', true], ['y', true], ['z', true], ['w', true]]);
  assert.deepEqual(type('s').fields[2].type, {
    type: 'array', containsNull: true,
    elementType: {
      type: 'struct', fields: [
        { name: 'q', type: 'long', nullable: true, metadata: {} },
        { name: 'r', type: { type: 'array', elementType: 'boolean', containsNull: true },
          nullable: true, metadata: {} },
      ],
    },
  });
  assert.deepEqual(type('ll'), {
    type: 'array', containsNull: true,
    elementType: { type: 'array', elementType: 'integer', containsNull: true },
  });
  assert.deepEqual(type('mi').valueType, { type: 'array', elementType: 'double', containsNull: true });
  // The file's own schema is the same as the table's.
  assert.deepEqual(JSON.parse(ok('schema', SRC)).fields, fields);

  // DuckDB reads the data files the log lists: every row and nested value.
  assert.equal(await sameRows(SRC, t, 'id'), 3000);

  // cat prints what DuckDB's to_json prints.
  const want = (await rows(`SELECT to_json(x)::VARCHAR AS j FROM read_parquet(${q(SRC)}) x ORDER BY id`))
    .map((r) => JSON.parse(r.j));
  const got = lines(ok('cat', t)).sort((a, b) => a.id - b.id);
  assert.equal(got.length, 3000);
  assert.deepEqual(got, want);
  assert.deepEqual(lines(ok('cat', SRC)), lines(ok('cat', t)));
  const some = lines(ok('cat', t, '--columns', 'S,id', '--limit', '2'));
  assert.deepEqual(some, [{ s: want[0].s, id: 0 }, { s: want[1].s, id: 1 }]);
  assert.deepEqual(Object.keys(some[0]), ['s', 'id']);
  assert.equal(want[0].l, null);
  assert.deepEqual(want[1].ll, [[1, 2], null, [], [3]]);
  assert.deepEqual(want[5].l, []);
});

test('nested tables take appends and overwrites of the same schema', async () => {
  const t = join(tmp, 't2');
  ok('import', SRC, t);
  assert.equal(JSON.parse(ok('import', SRC, t, '--mode', 'append')).version, 1);
  assert.equal(lines(ok('cat', t)).length, 6000);
  const [{ n }] = await rows(`SELECT count(*)::INTEGER AS n FROM read_parquet(${fileList(liveFiles(t))})`);
  assert.equal(n, 6000);
  const ow = JSON.parse(ok('import', SRC, t, '--mode', 'overwrite'));
  assert.deepEqual(ow, { version: 2, numOutputRows: 3000, numFiles: 1, numRemovedFiles: 2 });
  assert.equal(await sameRows(SRC, t, 'id'), 3000);
  assert.equal(lines(ok('cat', t, '--version', '1')).length, 6000);
  const h = lines(ok('history', t));
  assert.deepEqual(h.map((c) => c.operationParameters.mode), ['Overwrite', 'Append', 'Append']);
  assert.equal(h[0].operationMetrics.numOutputRows, '3000');
  // OPTIMIZE rewrites nested columns through the engine's reader and writer: the compacted
  // file holds the same rows as both appended ones.
  ok('import', SRC, t, '--mode', 'append');
  assert.equal(liveFiles(t).length, 2);
  ok('optimize', t);
  const files = liveFiles(t);
  assert.equal(files.length, 1);
  const want = await rows(`SELECT * FROM (SELECT * FROM read_parquet(${q(SRC)}) UNION ALL
    SELECT * FROM read_parquet(${q(SRC)})) ORDER BY id, t`);
  const got = await rows(`SELECT * FROM read_parquet(${fileList(files)}) ORDER BY id, t`);
  assert.equal(got.length, 6000);
  assert.deepEqual(got, want);
  assert.equal(lines(ok('cat', t)).length, 6000);
});

test('parquet-testing files with nested columns import and read back the same', async () => {
  const cases = [
    ['nested_lists.snappy.parquet', 'b, to_json(a)::VARCHAR'],
    ['nested_maps.snappy.parquet', 'b, c, to_json(a)::VARCHAR'],
    ['nullable.impala.parquet', 'id'],
    ['nonnullable.impala.parquet', 'ID'],
    ['list_columns.parquet', 'to_json(int64_list)::VARCHAR'],
    ['null_list.parquet', 'to_json(emptylist)::VARCHAR'],
  ];
  for (const [name, order] of cases) {
    const t = join(tmp, `c-${name}`);
    const res = JSON.parse(ok('import', join(PQ, name), t));
    const n = await sameRows(join(PQ, name), t, order);
    assert.equal(res.numOutputRows, n, name);
    assert.equal(lines(ok('cat', t)).length, n, name);
  }
});

test('shapes Delta cannot state are refused naming the column; nothing is committed', () => {
  const cases = [
    ['old_list_structure.parquet', /column 'a': a legacy two-level LIST encoding/],
    ['repeated_no_annotation.parquet', /column 'phoneNumbers\.phone': a repeated field outside/],
    ['repeated_primitive_no_list.parquet', /column 'Int32_list': a repeated field outside/],
    ['map_no_value.parquet', /column 'my_map_no_v': a MAP whose repeated group 'key_value' has 1/],
    ['incorrect_map_schema.parquet', /column 'my_map': a MAP whose key is not REQUIRED/],
  ];
  for (const [name, re] of cases) {
    const t = join(tmp, `bad-${name}`);
    const r = tool('import', join(PQ, name), t);
    assert.equal(r.code, 1, `${name}: ${r.err}`);
    assert.match(r.err, re, name);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.equal(r.out, '');
    assert.ok(!existsSync(join(t, '_delta_log')) || readdirSync(join(t, '_delta_log')).length === 0,
      `${name}: nothing committed`);
    // schema and cat of the file refuse the same way rather than hide the column
    assert.equal(tool('schema', join(PQ, name)).code, 1, name);
    assert.equal(tool('cat', join(PQ, name)).code, 1, name);
  }

  const t = join(tmp, 'refusals');
  for (const [col, re] of [['l', /partition column 'l' is nested/], ['nope', /'nope' is not in/]]) {
    const p = tool('import', SRC, t, '--partition-by', col);
    assert.equal(p.code, 1);
    assert.match(p.err, re);
  }
  ok('import', SRC, t);
  const p = tool('import', SRC, t, '--partition-by', 'id');
  assert.equal(p.code, 1);
  assert.match(p.err, /partition columns do not match/);
  const other = tool('import', join(PQ, 'list_columns.parquet'), t);
  assert.equal(other.code, 1);
  assert.match(other.err, /differ from the table's schema/);
  assert.equal(lines(ok('history', t)).length, 1);
});

test('JSON lines with arrays and objects become ARRAY and STRUCT columns', async () => {
  const src = join(tmp, 'in.jsonl');
  const input = [
    { id: 1, tags: ['a', 'b'], addr: { city: 'NY', zip: 10001, geo: [1.5, 2.5] }, d: '2024-01-01' },
    { id: 2, tags: [], addr: { city: null, extra: true }, d: '2024-01-02', x: null },
    { id: 3, tags: null, nested: [[1, 2], [], null, [3]], objs: [{ k: 1 }, null, { k: 2, v: 's' }] },
    { id: 4, tags: ['c', null] },
  ];
  writeFileSync(src, input.map((o) => JSON.stringify(o)).join('\n') + '\n');
  const t = join(tmp, 'json');
  assert.equal(JSON.parse(ok('import', src, t)).numOutputRows, 4);
  const fields = JSON.parse(ok('schema', t)).fields;
  const type = (n) => fields.find((f) => f.name === n).type;
  assert.deepEqual(fields.map((f) => f.name), ['id', 'tags', 'addr', 'd', 'x', 'nested', 'objs']);
  assert.equal(type('id'), 'long');
  assert.equal(type('d'), 'date');
  assert.equal(type('x'), 'string');
  assert.deepEqual(type('tags'), { type: 'array', elementType: 'string', containsNull: true });
  assert.deepEqual(type('addr').fields.map((f) => [f.name, f.type]), [
    ['city', 'string'], ['zip', 'long'],
    ['geo', { type: 'array', elementType: 'double', containsNull: true }], ['extra', 'boolean'],
  ]);
  assert.deepEqual(type('nested').elementType, { type: 'array', elementType: 'long', containsNull: true });
  assert.equal(type('objs').elementType.type, 'struct');

  // What the tool prints and what DuckDB reads from the data file agree with the input.
  const full = (o) => ({
    id: o.id, tags: o.tags ?? null,
    addr: o.addr ? { city: o.addr.city ?? null, zip: o.addr.zip ?? null, geo: o.addr.geo ?? null,
      extra: o.addr.extra ?? null } : null,
    d: o.d ?? null, x: null, nested: o.nested ?? null,
    objs: o.objs ? o.objs.map((e) => (e ? { k: e.k, v: e.v ?? null } : null)) : null,
  });
  const want = input.map(full);
  assert.deepEqual(lines(ok('cat', t)), want);
  const duck = (await rows(`SELECT to_json(tbl)::VARCHAR AS j FROM read_parquet(${fileList(liveFiles(t))}) tbl ORDER BY id`))
    .map((r) => JSON.parse(r.j));
  assert.deepEqual(duck, want);

  // The same shape appends; a different one is refused.
  assert.equal(JSON.parse(ok('import', src, t, '--mode', 'append')).version, 1);
  assert.equal(lines(ok('cat', t)).length, 8);
});

test('JSON lines whose values have no single type are refused naming the column', () => {
  const cases = [
    ['{"a": [1]}\n{"a": 2}\n', /column 'a': its JSON values mix array and scalar values/],
    ['{"a": {"b": [{"c": 1}, {"c": [1]}]}}\n', /column 'a\.b\[\]\.c': its JSON values mix scalar and array/],
    ['{"a": {}}\n{"a": null}\n', /column 'a': only empty JSON objects/],
  ];
  cases.forEach(([text, re], i) => {
    const src = join(tmp, `bad${i}.jsonl`);
    writeFileSync(src, text);
    const t = join(tmp, `badjson${i}`);
    const r = tool('import', src, t);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').length, 1);
    assert.ok(!existsSync(join(t, '_delta_log')) || readdirSync(join(t, '_delta_log')).length === 0);
  });
});

test('nested imports partition by top-level primitive columns', async () => {
  const src = join(tmp, 'part.parquet');
  await con.run(`COPY (SELECT i AS id, i % 3 AS g,
      CASE WHEN i % 4 = 0 THEN NULL ELSE 'k/' || (i % 2) END AS k,
      [i, NULL] AS l, {'a': i, 'b': [i % 5]} AS s
    FROM range(100) r(i)) TO ${q(src)} (FORMAT parquet)`);
  const t = join(tmp, 'parted');
  const res = JSON.parse(ok('import', src, t, '--partition-by', 'g,K'));
  assert.equal(res.numOutputRows, 100);
  assert.equal(res.numFiles, 9); // 3 values of g x ('k/0', 'k/1', null)
  assert.ok(existsSync(join(t, 'g=0', 'k=k%2F1')));
  assert.ok(existsSync(join(t, 'g=2', 'k=__HIVE_DEFAULT_PARTITION__')));
  const commit = lines(readFileSync(join(t, '_delta_log', '00000000000000000000.json'), 'utf8'));
  assert.deepEqual(commit.find((a) => a.metaData).metaData.partitionColumns, ['g', 'k']);
  const fields = JSON.parse(ok('schema', t)).fields.map((f) => f.name);
  assert.deepEqual(fields, ['id', 'g', 'k', 'l', 's']);
  // Each data file holds its rows without the partition columns; partitionValues hold them.
  const want = new Map((await rows(`SELECT to_json(tbl)::VARCHAR AS j FROM read_parquet(${q(src)}) tbl`))
    .map((r) => JSON.parse(r.j)).map((r) => [r.id, r]));
  let seen = 0;
  for (const add of commit.filter((a) => a.add).map((a) => a.add)) {
    const file = join(t, decodeURIComponent(add.path));
    const got = (await rows(`SELECT to_json(tbl)::VARCHAR AS j FROM read_parquet(${q(file)}, hive_partitioning = false) tbl`))
      .map((r) => JSON.parse(r.j));
    for (const r of got) {
      const w = want.get(r.id);
      assert.deepEqual(Object.keys(r), ['id', 'l', 's']);
      assert.deepEqual([r.l, r.s], [w.l, w.s]);
      assert.equal(add.partitionValues.g, String(w.g));
      assert.equal(add.partitionValues.k, w.k);
      seen++;
    }
  }
  assert.equal(seen, 100);
  // cat puts the partition values back
  const cat = lines(ok('cat', t)).sort((a, b) => a.id - b.id);
  assert.deepEqual(cat, [...want.values()].sort((a, b) => a.id - b.id));
  // appends use the table's partitioning
  assert.equal(JSON.parse(ok('import', src, t)).numFiles, 9);
  assert.equal(lines(ok('cat', t)).length, 200);

  // JSON lines too
  const js = join(tmp, 'part.jsonl');
  writeFileSync(js, '{"p": 1, "a": [1]}\n{"p": 2, "a": [2, 3]}\n{"p": 1, "a": null}\n');
  const tj = join(tmp, 'jsonpart');
  assert.equal(JSON.parse(ok('import', js, tj, '--partition-by', 'p')).numFiles, 2);
  assert.deepEqual(lines(ok('cat', tj)).sort((a, b) => a.p - b.p || (a.a ? 1 : -1)),
    [{ p: 1, a: null }, { p: 1, a: [1] }, { p: 2, a: [2, 3] }]);
});

test('cat of Spark-written Delta tables with nested columns matches DuckDB', async () => {
  // (map d has double keys and e decimal values, which cat prints in its own formats)
  const golden = join(TESTDATA, 'delta-golden');
  for (const [name, key, cols] of [
    ['data-reader-nested-struct', 'b', null], ['data-reader-map', 'i', 'i,a,b,c,f'],
    ['data-reader-array-complex-objects', 'i', null],
  ]) {
    const t = join(golden, name);
    const got = lines(cols ? ok('cat', t, '--columns', cols) : ok('cat', t))
      .sort((a, b) => a[key] - b[key]);
    const sel = cols ? `SELECT ${cols} FROM read_parquet(${fileList(liveFiles(t))})`
      : `SELECT * FROM read_parquet(${fileList(liveFiles(t))})`;
    const want = (await rows(`SELECT to_json(tbl)::VARCHAR AS j FROM (${sel}) tbl ORDER BY ${key}`))
      .map((r) => JSON.parse(r.j));
    assert.ok(got.length > 0, name);
    assert.deepEqual(got, want, name);
  }
});
