// ddl_duckdb.test.mjs - generated, DEFAULT and IDENTITY columns and CLUSTER BY through the
// Statement Execution API: DuckDB reads the Parquet files the Delta log keeps live and sees the
// computed values; the log carries Delta's column metadata (delta.generationExpression,
// CURRENT_DEFAULT, delta.identity.*), the table features and the delta.clustering domain;
// DESCRIBE DETAIL shows clusteringColumns; SHOW CREATE TABLE answers one createtab_stmt row.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startDaemon } from '../api/harness.mjs';

let d, wh, con;

before(async () => {
  con = await (await DuckDBInstance.create(':memory:')).connect();
  d = await startDaemon({ args: ['--no-access-log'] });
  wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'ddl', cluster_size: 'X-Small' })).json.id;
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
  return j;
}

async function root(table) {
  const r = await d.api('GET', `/api/2.1/unity-catalog/tables/main.default.${table}`);
  assert.equal(r.status, 200, r.text);
  return r.json.storage_location;
}

// Replay _delta_log/*.json: live files, the last metaData, protocol and domains.
function replay(dir) {
  const log = path.join(dir, '_delta_log');
  const live = new Set();
  const st = { live, metaData: null, protocol: null, domains: {} };
  for (const f of fs.readdirSync(log).filter((n) => /^\d{20}\.json$/.test(n)).sort()) {
    for (const line of fs.readFileSync(path.join(log, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const a = JSON.parse(line);
      if (a.add) live.add(decodeURIComponent(a.add.path));
      if (a.remove) live.delete(decodeURIComponent(a.remove.path));
      if (a.metaData) st.metaData = a.metaData;
      if (a.protocol) st.protocol = a.protocol;
      if (a.domainMetadata) st.domains[a.domainMetadata.domain] = a.domainMetadata;
    }
  }
  return st;
}

async function duckRows(dir, cols) {
  const rows = [];
  for (const file of replay(dir).live) {
    const r = await con.runAndReadAll(`SELECT ${cols.join(', ')} FROM read_parquet('${path.join(dir, file)}')`);
    for (const row of r.getRows()) rows.push(row.map((v) => (v === null ? null : String(v))));
  }
  return rows.map((r) => JSON.stringify(r)).sort();
}

function fieldMeta(st, name) {
  return JSON.parse(st.metaData.schemaString).fields.find((f) => f.name === name).metadata;
}

test('generated and IDENTITY columns: DuckDB reads the computed values; the log has the metadata', async () => {
  await ours(`CREATE TABLE gi (id BIGINT GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 5),
    a INT, b INT GENERATED ALWAYS AS (a * 3), s STRING DEFAULT 'dflt')
    TBLPROPERTIES ('delta.feature.allowColumnDefaults' = 'supported')`);
  await ours(`INSERT INTO gi (a) VALUES (1), (2)`);
  await ours(`INSERT INTO gi (a, s) SELECT 3, 'given'`);
  await ours(`UPDATE gi SET a = 20 WHERE a = 2`);
  const dir = await root('gi');
  assert.deepEqual(await duckRows(dir, ['id', 'a', 'b', 's']), [
    '["10","1","3","dflt"]',
    '["15","20","60","dflt"]',
    '["20","3","9","given"]',
  ]);
  const st = replay(dir);
  assert.equal(st.protocol.minWriterVersion, 7);
  for (const f of ['generatedColumns', 'identityColumns', 'allowColumnDefaults'])
    assert.ok(st.protocol.writerFeatures.includes(f), `${f} in ${st.protocol.writerFeatures}`);
  assert.equal(fieldMeta(st, 'b')['delta.generationExpression'], 'a * 3');
  assert.equal(fieldMeta(st, 's').CURRENT_DEFAULT, "'dflt'");
  const id = fieldMeta(st, 'id');
  assert.equal(id['delta.identity.start'], 10);
  assert.equal(id['delta.identity.step'], 5);
  assert.equal(id['delta.identity.highWaterMark'], 20);
  assert.equal(id['delta.identity.allowExplicitInsert'], false);
  assert.equal(st.metaData.configuration['delta.feature.allowColumnDefaults'], undefined);

  const bad = await run(`INSERT INTO gi (id, a) VALUES (1, 1)`);
  assert.equal(bad.status.state, 'FAILED');
  assert.match(bad.status.error.message, /DELTA_IDENTITY_COLUMNS_EXPLICIT_INSERT_NOT_SUPPORTED/);
  const mismatch = await run(`INSERT INTO gi (a, b) VALUES (1, 4)`);
  assert.equal(mismatch.status.state, 'FAILED');
  assert.match(mismatch.status.error.message, /DELTA_VIOLATE_CONSTRAINT_WITH_VALUES/);
});

test('CLUSTER BY: the delta.clustering domain, DESCRIBE DETAIL, SHOW CREATE TABLE', async () => {
  await ours(`CREATE TABLE cl (id BIGINT, d STRING) CLUSTER BY (d)`);
  await ours(`INSERT INTO cl VALUES (1, 'x')`);
  const dir = await root('cl');
  let st = replay(dir);
  assert.deepEqual(JSON.parse(st.domains['delta.clustering'].configuration).clusteringColumns, [['d']]);
  assert.ok(st.protocol.writerFeatures.includes('clustering'));
  assert.ok(st.protocol.writerFeatures.includes('domainMetadata'));
  let j = await ours(`DESCRIBE DETAIL cl`);
  const cols = j.manifest.schema.columns.map((c) => c.name);
  assert.equal(j.result.data_array[0][cols.indexOf('clusteringColumns')], '["d"]');
  await ours(`ALTER TABLE cl CLUSTER BY (id, d)`);
  st = replay(dir);
  assert.deepEqual(JSON.parse(st.domains['delta.clustering'].configuration).clusteringColumns, [['id'], ['d']]);
  j = await ours(`SHOW CREATE TABLE cl`);
  assert.deepEqual(j.manifest.schema.columns.map((c) => c.name), ['createtab_stmt']);
  const text = j.result.data_array[0][0];
  assert.match(text, /^CREATE TABLE main\.default\.cl \(\n  id BIGINT,\n  d STRING\)\nUSING delta\nCLUSTER BY \(id, d\)\nTBLPROPERTIES \(\n/);
  assert.ok(text.endsWith(")\n"));
  assert.deepEqual(await duckRows(dir, ['id', 'd']), ['["1","x"]']);
  const both = await run(`CREATE TABLE cp (id BIGINT, d STRING) PARTITIONED BY (d) CLUSTER BY (id)`);
  assert.match(both.status.error.message, /DELTA_CLUSTER_BY_WITH_PARTITIONED_BY/);
});

test('concurrent INSERTs into an IDENTITY table never repeat a value', async () => {
  await ours(`CREATE TABLE ci (id BIGINT GENERATED ALWAYS AS IDENTITY, v INT)`);
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, k) => run(`INSERT INTO ci (v) VALUES (${k}), (${k + 100})`)),
  );
  let ok = 0;
  for (const r of results) {
    if (r.status.state === 'SUCCEEDED') ok++;
    else assert.match(r.status.error.message, /DELTA_(METADATA_CHANGED|CONCURRENT_)/, JSON.stringify(r));
  }
  assert.ok(ok >= 1);
  const ids = (await duckRows(await root('ci'), ['id'])).map((r) => JSON.parse(r)[0]);
  assert.equal(ids.length, 2 * ok);
  assert.equal(new Set(ids).size, ids.length, `duplicate identity values: ${ids}`);
  const st = replay(await root('ci'));
  const hwm = fieldMeta(st, 'id')['delta.identity.highWaterMark'];
  assert.equal(hwm, Math.max(...ids.map(Number)));
});
