// dml_duckdb.test.mjs - DML and Delta commands through the Statement Execution API, checked
// against DuckDB reading exactly the Parquet files the Delta log keeps live (a small log
// replay: the adds minus the removes of the latest version, checkpoints not needed here),
// plus Unity Catalog's view after ALTER and two concurrent UPDATEs of the same rows (one
// wins, the other fails with Delta's conflict class and nothing of it is visible).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startDaemon } from '../api/harness.mjs';

let d, wh, con;

// range(lo, hi) as a FROM item in SQL the engine binds (no table-valued functions yet)
const D = '(VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9))';
const range = (lo, hi) => `(SELECT id FROM (SELECT a.x + 10 * b.x + 100 * c.x + 1000 * e.x + 10000 * f.x AS id
  FROM ${D} a(x), ${D} b(x), ${D} c(x), ${D} e(x), ${D} f(x)) WHERE id >= ${lo} AND id < ${hi}) AS r`;

before(async () => {
  con = await (await DuckDBInstance.create(':memory:')).connect();
  d = await startDaemon({ args: ['--no-access-log'] });
  wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'dml', cluster_size: 'X-Small' })).json.id;
});

after(async () => {
  await d?.stop();
});

async function run(sql) {
  const r = await d.api('POST', '/api/2.0/sql/statements', { statement: sql, warehouse_id: wh, wait_timeout: '50s' });
  return r.json;
}

async function ours(sql) {
  const j = await run(sql);
  assert.equal(j.status?.state, 'SUCCEEDED', `${sql}\n${JSON.stringify(j)}`);
  return j.result?.data_array ?? [];
}

async function location(table) {
  const r = await d.api('GET', `/api/2.1/unity-catalog/tables/main.default.${table}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

// The live data files of the latest version: replay _delta_log/*.json in order.
function liveFiles(root) {
  const log = path.join(root, '_delta_log');
  const live = new Map();
  for (const f of fs.readdirSync(log).filter((n) => /^\d{20}\.json$/.test(n)).sort()) {
    for (const line of fs.readFileSync(path.join(log, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const a = JSON.parse(line);
      if (a.add) live.set(decodeURIComponent(a.add.path), a.add.partitionValues ?? {});
      if (a.remove) live.delete(decodeURIComponent(a.remove.path));
    }
  }
  return live;
}

// DuckDB over those files (partition values come from the log, as Delta readers do).
async function duckRows(table, cols) {
  const root = (await location(table)).storage_location;
  const rows = [];
  for (const [file, parts] of liveFiles(root)) {
    const sel = cols.map((c) => (c in parts ? (parts[c] === null ? 'NULL' : `'${parts[c]}'`) : c)).join(', ');
    const reader = await con.runAndReadAll(`SELECT ${sel} FROM read_parquet('${path.join(root, file)}')`);
    for (const r of reader.getRows()) rows.push(r.map((v) => (v === null ? null : String(v))));
  }
  return rows.map((r) => JSON.stringify(r)).sort();
}

async function sameRows(table, cols) {
  const mine = (await ours(`SELECT ${cols.join(', ')} FROM ${table}`)).map((r) => JSON.stringify(r)).sort();
  assert.deepEqual(await duckRows(table, cols), mine, `${table}: DuckDB over the live files differs from SELECT`);
  return mine.length;
}

test('CTAS, INSERT, UPDATE, DELETE, MERGE, OPTIMIZE, RESTORE: DuckDB sees what SELECT sees', async () => {
  const cols = ['id', 'grp', 'v'];
  await ours(`CREATE TABLE t AS SELECT CAST(id AS BIGINT) AS id, CAST(id % 3 AS STRING) AS grp, CAST(id * 10 AS BIGINT) AS v
    FROM ${range(0, 50)}`);
  assert.equal(await sameRows('t', cols), 50);
  await ours('INSERT INTO t VALUES (100, \'x\', NULL), (101, NULL, 5)');
  assert.equal(await sameRows('t', cols), 52);
  assert.deepEqual(await ours("UPDATE t SET v = v + 1, grp = 'u' WHERE id % 5 = 0"), [['11']]);
  assert.equal(await sameRows('t', cols), 52);
  assert.deepEqual(await ours('DELETE FROM t WHERE v > 400 OR grp IS NULL'), [['11']]);
  assert.equal(await sameRows('t', cols), 41);
  await ours(`CREATE TABLE s AS SELECT CAST(id AS BIGINT) AS id, 'm' AS grp, CAST(-id AS BIGINT) AS v FROM ${range(35, 60)}`);
  const m = await ours(`MERGE INTO t USING s ON t.id = s.id
    WHEN MATCHED AND s.id % 2 = 0 THEN DELETE WHEN MATCHED THEN UPDATE SET *
    WHEN NOT MATCHED THEN INSERT * WHEN NOT MATCHED BY SOURCE AND t.id = 100 THEN UPDATE SET v = 0`);
  assert.equal(m.length, 1);
  const [aff, upd, del, ins] = m[0].map(Number);
  assert.equal(aff, upd + del + ins);
  assert.ok(upd > 0 && del > 0 && ins > 0, JSON.stringify(m));
  const n = await sameRows('t', cols);
  await ours('OPTIMIZE t');
  assert.equal(await sameRows('t', cols), n);
  const hist = await ours('DESCRIBE HISTORY t');
  const ops = hist.map((r) => r[4]).filter((op) => op !== 'OPTIMIZE'); // nothing to compact: no commit
  // (CTAS commits CREATE TABLE, then the WRITE of its rows)
  assert.deepEqual(ops, ['MERGE', 'DELETE', 'UPDATE', 'WRITE', 'WRITE', 'CREATE TABLE']);
  const restored = await ours('RESTORE TABLE t TO VERSION AS OF 2');
  assert.equal(restored[0].length, 6);
  assert.equal(await sameRows('t', cols), 52);
  const detail = await ours('DESCRIBE DETAIL t');
  assert.equal(detail[0][0], 'delta');
  assert.equal(detail[0][2], 'main.default.t');
});

test('ALTER TABLE is visible in the Delta log and in Unity Catalog', async () => {
  await ours('CREATE TABLE a (id INT, name STRING)');
  await ours("INSERT INTO a VALUES (1, 'x')");
  await ours("ALTER TABLE a ADD COLUMNS (score DOUBLE COMMENT 'pts')");
  await ours("ALTER TABLE a ALTER COLUMN name COMMENT 'the name'");
  await ours("ALTER TABLE a SET TBLPROPERTIES ('team' = 'data')");
  await ours('ALTER TABLE a ADD CONSTRAINT pos CHECK (id > 0)');
  await ours("COMMENT ON TABLE a IS 'table a'");
  const uc = await location('a');
  assert.deepEqual(uc.columns.map((c) => c.name), ['id', 'name', 'score']);
  assert.equal(uc.columns.find((c) => c.name === 'score').comment, 'pts');
  assert.equal(uc.columns.find((c) => c.name === 'name').comment, 'the name');
  assert.equal(uc.properties.team, 'data');
  assert.equal(uc.properties['delta.constraints.pos'], 'id > 0');
  assert.equal(uc.comment, 'table a');
  const bad = await run('INSERT INTO a VALUES (-1, \'y\', 1.0)');
  assert.equal(bad.status.state, 'FAILED');
  assert.match(bad.status.error.message, /DELTA_VIOLATE_CONSTRAINT_WITH_VALUES/);
  assert.deepEqual(await ours('SELECT id, name, score FROM a'), [['1', 'x', null]]);
  assert.equal(await sameRows('a', ['id', 'name']), 1);
});

test('two concurrent UPDATEs of the same rows: one wins, the other fails with a Delta conflict', async () => {
  await ours(`CREATE TABLE c AS SELECT CAST(id AS BIGINT) AS id, CAST(0 AS BIGINT) AS v FROM ${range(0, 20000)}`);
  const [x, y] = await Promise.all([run('UPDATE c SET v = 1 WHERE id < 15000'), run('UPDATE c SET v = 2 WHERE id >= 5000')]);
  const states = [x.status.state, y.status.state].sort();
  const rows = await ours('SELECT v, count(*) FROM c GROUP BY v ORDER BY v');
  if (states[0] === 'FAILED') {
    const failed = x.status.state === 'FAILED' ? x : y;
    assert.match(failed.status.error.message, /DELTA_CONCURRENT_/);
    const winner = failed === x ? 2 : 1;
    // nothing of the loser is visible
    assert.deepEqual(rows, winner === 1 ? [['0', '5000'], ['1', '15000']] : [['0', '5000'], ['2', '15000']]);
  } else {
    // the two ran one after the other (no overlap): both applied in some order
    assert.deepEqual(states, ['SUCCEEDED', 'SUCCEEDED']);
    assert.equal(rows.reduce((s, r) => s + Number(r[1]), 0), 20000);
  }
  assert.equal(await sameRows('c', ['id', 'v']), 20000);
});
