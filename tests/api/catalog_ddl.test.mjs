// catalog_ddl.test.mjs - SQL DDL as Unity Catalog shows it over REST: CREATE FUNCTION rows
// in /api/2.1/unity-catalog/functions (FunctionInfo), functions created over REST called
// from SQL, and CREATE TABLE's comment, properties, constraints and clustering in
// /api/2.1/unity-catalog/tables/{full_name}.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';

let d, wh;
const q = async (statement) =>
  (await d.api('POST', '/api/2.0/sql/statements', { statement, warehouse_id: wh, wait_timeout: '50s' })).json;
const ok = async (statement) => {
  const r = await q(statement);
  assert.equal(r.status.state, 'SUCCEEDED', `${statement}: ${JSON.stringify(r.status)}`);
  return r;
};

before(async () => {
  d = await startDaemon();
  wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'w', cluster_size: '2X-Small' })).json.id;
});
after(async () => { await d.stop(); });

test('CREATE FUNCTION is a FunctionInfo in Unity Catalog', async () => {
  await ok("CREATE FUNCTION main.default.area(x DOUBLE COMMENT 'width', y DOUBLE DEFAULT 1.0) RETURNS DOUBLE COMMENT 'rectangle' RETURN x * y");
  const r = await d.api('GET', '/api/2.1/unity-catalog/functions/main.default.area');
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const f = r.json;
  assert.equal(f.full_name, 'main.default.area');
  assert.equal(f.catalog_name, 'main');
  assert.equal(f.schema_name, 'default');
  assert.equal(f.routine_body, 'SQL');
  assert.equal(f.routine_definition, 'x * y');
  assert.equal(f.data_type, 'DOUBLE');
  assert.equal(f.full_data_type, 'double');
  assert.equal(f.comment, 'rectangle');
  assert.equal(f.is_deterministic, true);
  assert.equal(f.sql_data_access, 'CONTAINS_SQL');
  assert.equal(f.security_type, 'DEFINER');
  assert.equal(f.parameter_style, 'S');
  assert.equal(f.specific_name, 'area');
  assert.ok(f.function_id);
  const ps = f.input_params.parameters;
  assert.deepEqual(ps.map((p) => [p.name, p.type_text, p.type_name, p.position]),
    [['x', 'double', 'DOUBLE', 0], ['y', 'double', 'DOUBLE', 1]]);
  assert.equal(ps[0].comment, 'width');
  assert.equal(ps[1].parameter_default, '1.0');
  const list = await d.api('GET', '/api/2.1/unity-catalog/functions?catalog_name=main&schema_name=default');
  assert.ok(list.json.functions.some((x) => x.name === 'area'));
  // OR REPLACE keeps the identity
  await ok('CREATE OR REPLACE FUNCTION main.default.area(x DOUBLE, y DOUBLE) RETURNS DOUBLE RETURN x * y / 2');
  const f2 = (await d.api('GET', '/api/2.1/unity-catalog/functions/main.default.area')).json;
  assert.equal(f2.function_id, f.function_id);
  assert.equal(f2.routine_definition, 'x * y / 2');
  const r2 = await ok('SELECT area(4, 5)');
  assert.deepEqual(r2.result.data_array, [['10.0']]);
  await ok('DROP FUNCTION area');
  assert.equal((await d.api('GET', '/api/2.1/unity-catalog/functions/main.default.area')).status, 404);
});

test('a SQL function created over REST is callable from SQL', async () => {
  const r = await d.api('POST', '/api/2.1/unity-catalog/functions', { function_info: {
    name: 'mask_pii', catalog_name: 'main', schema_name: 'default',
    input_params: { parameters: [{ name: 's', type_text: 'string', type_name: 'STRING', position: 0 }] },
    data_type: 'STRING', full_data_type: 'string', routine_body: 'SQL',
    routine_definition: "CASE WHEN length(s) > 2 THEN concat(substr(s, 1, 2), '***') ELSE s END",
    parameter_style: 'S', is_deterministic: true, sql_data_access: 'CONTAINS_SQL',
    is_null_call: false, security_type: 'DEFINER', specific_name: 'mask_pii' } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const s = await ok("SELECT mask_pii('secret'), mask_pii('ab')");
  assert.deepEqual(s.result.data_array, [['se***', 'ab']]);
  const show = await ok('SHOW USER FUNCTIONS');
  assert.ok(show.result.data_array.some(([n]) => n === 'main.default.mask_pii'));
  const desc = await ok('DESCRIBE FUNCTION mask_pii');
  assert.deepEqual(desc.result.data_array.map(([l]) => l),
    ['Function:    main.default.mask_pii', 'Type:        SCALAR', 'Input:       s STRING', 'Returns:     STRING']);
});

test('CREATE TABLE: comment, TBLPROPERTIES, PRIMARY/FOREIGN KEY in the TableInfo; DESCRIBE EXTENDED', async () => {
  await ok('CREATE TABLE main.default.parent (id BIGINT NOT NULL, CONSTRAINT parent_pk PRIMARY KEY (id))');
  await ok("CREATE TABLE main.default.child (id BIGINT COMMENT 'key', pid BIGINT, CONSTRAINT child_pk PRIMARY KEY (id), CONSTRAINT child_parent FOREIGN KEY (pid) REFERENCES parent (id)) COMMENT 'kids' TBLPROPERTIES ('owner.team' = 'data')");
  const t = (await d.api('GET', '/api/2.1/unity-catalog/tables/main.default.child')).json;
  assert.equal(t.comment, 'kids');
  assert.deepEqual(t.properties, { 'owner.team': 'data' });
  assert.equal(t.columns[0].comment, 'key');
  assert.deepEqual(t.table_constraints, [
    { primary_key_constraint: { name: 'child_pk', child_columns: ['id'] } },
    { foreign_key_constraint: { name: 'child_parent', child_columns: ['pid'], parent_table: 'main.default.parent', parent_columns: ['id'] } },
  ]);
  const detail = await ok('DESCRIBE DETAIL child');
  assert.match(detail.result.data_array[0][11], /"owner.team":"data"/);
  const r = await ok('DESCRIBE TABLE EXTENDED child');
  const rows = r.result.data_array;
  assert.deepEqual(rows[0], ['id', 'bigint', 'key']);
  const info = Object.fromEntries(rows.slice(rows.findIndex((x) => x[0] === '# Detailed Table Information') + 1).map((x) => [x[0], x[1]]));
  assert.equal(info.Catalog, 'main');
  assert.equal(info.Table, 'child');
  assert.equal(info.Type, 'MANAGED');
  assert.equal(info.Comment, 'kids');
  assert.equal(info.Provider, 'delta');
  assert.equal(info['Table Properties'], '[owner.team=data]');
  assert.match(info.Location, /^file:\//);
});

test('REPAIR TABLE reads the catalog row again from a Delta log another engine changed', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  await ok('CREATE TABLE main.default.repaired (a INT) COMMENT \'before\'');
  const t = (await d.api('GET', '/api/2.1/unity-catalog/tables/main.default.repaired')).json;
  const dir = path.join(t.storage_location.replace(/^file:/, ''), '_delta_log');
  const v0 = fs.readFileSync(path.join(dir, '00000000000000000000.json'), 'utf8');
  const md = v0.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((a) => a.metaData).metaData;
  const schema = JSON.parse(md.schemaString);
  schema.fields.push({ name: 'b', type: 'string', nullable: true, metadata: { comment: 'added elsewhere' } });
  md.schemaString = JSON.stringify(schema);
  md.description = 'after';
  // what another engine commits: the next version, written once (put-if-absent)
  fs.writeFileSync(path.join(dir, '00000000000000000001.json'),
    JSON.stringify({ commitInfo: { timestamp: Date.now(), operation: 'ADD COLUMNS' } }) + '\n' +
    JSON.stringify({ metaData: md }) + '\n', { flag: 'wx' });
  const before = (await d.api('GET', '/api/2.1/unity-catalog/tables/main.default.repaired')).json;
  assert.deepEqual(before.columns.map((c) => c.name), ['a']);
  await ok('MSCK REPAIR TABLE main.default.repaired SYNC METADATA');
  const after = (await d.api('GET', '/api/2.1/unity-catalog/tables/main.default.repaired')).json;
  assert.deepEqual(after.columns.map((c) => [c.name, c.type_text, c.comment]),
    [['a', 'int', undefined], ['b', 'string', 'added elsewhere']]);
  assert.equal(after.comment, 'after');
  const cols = await ok("SELECT column_name FROM main.information_schema.columns WHERE table_name = 'repaired' ORDER BY ordinal_position");
  assert.deepEqual(cols.result.data_array, [['a'], ['b']]);
  const r = await q('REPAIR TABLE main.default.no_such_table');
  assert.equal(r.status.state, 'FAILED');
  assert.match(r.status.error.message, /^\[TABLE_OR_VIEW_NOT_FOUND\] /);
});

test('COPY INTO loads new files only, recording each in the Delta log as a txn action', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-copy-'));
  try {
    fs.writeFileSync(path.join(src, 'a.json'), '{"id": 1, "v": "x"}\n{"id": 2, "v": "y"}\n');
    await ok('CREATE TABLE main.default.landed (id BIGINT, v STRING)');
    const copy = `COPY INTO main.default.landed FROM '${src}' FILEFORMAT = JSON`;
    const r1 = await ok(copy);
    assert.deepEqual(r1.manifest.schema.columns.map((c) => c.name), ['num_affected_rows', 'num_inserted_rows']);
    assert.deepEqual(r1.result.data_array, [['2', '2']]);
    fs.writeFileSync(path.join(src, 'b.json'), '{"id": 3, "v": "z"}\n');
    assert.deepEqual((await ok(copy)).result.data_array, [['1', '1']]);
    assert.deepEqual((await ok(copy)).result.data_array, [['0', '0']]);
    const rows = await ok('SELECT id, v FROM main.default.landed ORDER BY id');
    assert.deepEqual(rows.result.data_array, [['1', 'x'], ['2', 'y'], ['3', 'z']]);
    const t = (await d.api('GET', '/api/2.1/unity-catalog/tables/main.default.landed')).json;
    const log = path.join(t.storage_location.replace(/^file:/, ''), '_delta_log');
    const txns = fs.readdirSync(log).filter((f) => f.endsWith('.json')).flatMap((f) =>
      fs.readFileSync(path.join(log, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)))
      .filter((a) => a.txn).map((a) => a.txn.appId).sort();
    assert.deepEqual(txns, [`lakehouse.copy_into:${src}/a.json`, `lakehouse.copy_into:${src}/b.json`]);
  } finally {
    fs.rmSync(src, { recursive: true, force: true });
  }
});
