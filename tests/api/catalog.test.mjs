// catalog.test.mjs - api/catalog over HTTP: the Unity Catalog namespace as the SDKs see it
// (catalogs, schemas, tables, volumes, functions, table summaries, the metastore), its
// paging (max_results=0 and page tokens), its error codes, files removed with their
// objects, persistence across a restart; and the Files API over volumes (upload, download
// with Range, HEAD, overwrite, directories with paging, traversal refused, a cut upload
// leaving nothing).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from './harness.mjs';

const UC = '/api/2.1/unity-catalog';
const FS = '/api/2.0/fs';

let d, ext;
before(async () => {
  d = await startDaemon();
  ext = mkdtempSync(join(tmpdir(), 'lh-ext-'));
});
after(async () => {
  rmSync(ext, { recursive: true, force: true });
  const exit = await d.stop();
  assert.equal(exit?.code, 0, `clean exit: ${d.stderr.slice(-2000)}`);
});

const isError = (r, status, code, re) => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error_code, code, r.text);
  assert.equal(typeof r.json?.message, 'string');
  if (re) assert.match(r.json.message, re);
};
const ok = (r, status = 200) => {
  assert.equal(r.status, status, r.text);
  return r.json;
};
const q = (o) => '?' + new URLSearchParams(o).toString();

// A request whose path is sent byte for byte (fetch and URL would normalize '..').
const rawPath = (method, path, headers = {}) => new Promise((res, rej) => {
  const u = new URL(d.url);
  const req = httpRequest({ host: u.hostname, port: u.port, method, path,
    headers: { Authorization: `Bearer ${d.token}`, ...headers } }, (r) => {
    const chunks = [];
    r.on('data', (c) => chunks.push(c));
    r.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      let json;
      try { json = JSON.parse(text); } catch { json = undefined; }
      res({ status: r.statusCode, json, text, headers: r.headers });
    });
  });
  req.on('error', rej);
  req.end();
});

const put = (path, body, query = '') => fetch(`${d.url}${FS}/files${path}${query}`, {
  method: 'PUT', body, headers: { Authorization: `Bearer ${d.token}`, 'Content-Type': 'application/octet-stream' },
});

// Every page of a UC list, the SDK way (max_results=0 unless given; loop while a token).
async function listAll(path, field, params, maxResults = 0) {
  const out = [];
  let token;
  let pages = 0;
  for (;;) {
    const r = ok(await d.api('GET', path + q({ ...params, max_results: maxResults, ...(token ? { page_token: token } : {}) })));
    out.push(...(r[field] ?? []));
    pages++;
    if (!r.next_page_token) return { items: out, pages };
    token = r.next_page_token;
  }
}

test('first start: main and hive_metastore with default and information_schema; the metastore', async () => {
  const cats = ok(await d.api('GET', `${UC}/catalogs`)).catalogs.map((c) => c.name);
  assert.deepEqual(cats, ['hive_metastore', 'main']);
  const main = ok(await d.api('GET', `${UC}/catalogs/main`));
  assert.equal(main.full_name, 'main');
  assert.equal(main.catalog_type, 'MANAGED_CATALOG');
  assert.equal(main.securable_type, 'CATALOG');
  assert.match(main.metastore_id, /^[0-9a-f-]{36}$/);
  for (const c of ['main', 'hive_metastore']) {
    const s = ok(await d.api('GET', `${UC}/schemas${q({ catalog_name: c })}`)).schemas;
    assert.deepEqual(s.map((x) => x.full_name), [`${c}.default`, `${c}.information_schema`]);
    assert.equal(s[0].catalog_name, c);
    assert.match(s[0].schema_id, /^[0-9a-f-]{36}$/);
  }
  const m = ok(await d.api('GET', `${UC}/metastore_summary`));
  assert.equal(m.metastore_id, main.metastore_id);
  assert.equal(typeof m.name, 'string');
  const a = ok(await d.api('GET', `${UC}/current-metastore-assignment`));
  assert.equal(a.metastore_id, main.metastore_id);
  assert.equal(a.default_catalog_name, 'main');
  assert.equal(typeof a.workspace_id, 'number');
});

test('catalogs: create, get, update, rename, delete (force), errors', async () => {
  const c = ok(await d.api('POST', `${UC}/catalogs`, { name: 'Sales', comment: 'revenue', properties: { team: 'a' } }));
  assert.equal(c.name, 'sales');
  assert.equal(c.comment, 'revenue');
  assert.deepEqual(c.properties, { team: 'a' });
  assert.equal(c.owner, 'admin');
  assert.equal(c.created_by, 'admin');
  assert.equal(typeof c.created_at, 'number');
  isError(await d.api('POST', `${UC}/catalogs`, { name: 'SALES' }), 409, 'CATALOG_ALREADY_EXISTS', /already exists/);
  for (const bad of ['a.b', 'a b', 'a/b', '', 'x'.repeat(256)])
    isError(await d.api('POST', `${UC}/catalogs`, { name: bad }), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('POST', `${UC}/catalogs`, {}), 400, 'INVALID_PARAMETER_VALUE', /name/);
  isError(await d.api('GET', `${UC}/catalogs/nope`), 404, 'CATALOG_DOES_NOT_EXIST', /Catalog 'nope' does not exist/);
  const schemas = ok(await d.api('GET', `${UC}/schemas${q({ catalog_name: 'sales' })}`)).schemas.map((s) => s.name);
  assert.deepEqual(schemas, ['default', 'information_schema']);

  const u = ok(await d.api('PATCH', `${UC}/catalogs/sales`, { comment: 'new', owner: 'bob', properties: { k: 'v' } }));
  assert.equal(u.comment, 'new');
  assert.equal(u.owner, 'bob');
  assert.deepEqual(u.properties, { k: 'v' });
  assert.ok(u.updated_at >= c.updated_at);
  const r = ok(await d.api('PATCH', `${UC}/catalogs/sales`, { new_name: 'Sales2' }));
  assert.equal(r.name, 'sales2');
  isError(await d.api('GET', `${UC}/catalogs/sales`), 404, 'CATALOG_DOES_NOT_EXIST');
  // children follow a rename
  assert.equal(ok(await d.api('GET', `${UC}/schemas/sales2.default`)).full_name, 'sales2.default');
  isError(await d.api('PATCH', `${UC}/catalogs/sales2`, { new_name: 'main' }), 409, 'CATALOG_ALREADY_EXISTS');

  ok(await d.api('POST', `${UC}/schemas`, { catalog_name: 'sales2', name: 's1' }));
  isError(await d.api('DELETE', `${UC}/catalogs/sales2`), 400, 'CATALOG_NOT_EMPTY');
  ok(await d.api('DELETE', `${UC}/catalogs/sales2?force=true`));
  isError(await d.api('GET', `${UC}/schemas/sales2.s1`), 404, 'CATALOG_DOES_NOT_EXIST');
  // a catalog holding only default and information_schema is empty
  ok(await d.api('POST', `${UC}/catalogs`, { name: 'empty' }));
  ok(await d.api('DELETE', `${UC}/catalogs/empty`));
  isError(await d.api('DELETE', `${UC}/catalogs/empty`), 404, 'CATALOG_DOES_NOT_EXIST');
});

test('schemas: create, list, get, update, delete; the reserved information_schema', async () => {
  ok(await d.api('POST', `${UC}/catalogs`, { name: 'sc' }));
  isError(await d.api('POST', `${UC}/schemas`, { catalog_name: 'nope', name: 'x' }), 404, 'CATALOG_DOES_NOT_EXIST');
  const s = ok(await d.api('POST', `${UC}/schemas`, { catalog_name: 'SC', name: 'Raw', comment: 'c', properties: { a: '1' } }));
  assert.equal(s.full_name, 'sc.raw');
  assert.equal(s.catalog_name, 'sc');
  assert.deepEqual(s.properties, { a: '1' });
  isError(await d.api('POST', `${UC}/schemas`, { catalog_name: 'sc', name: 'raw' }), 409, 'SCHEMA_ALREADY_EXISTS');
  isError(await d.api('GET', `${UC}/schemas`), 400, 'INVALID_PARAMETER_VALUE', /catalog_name/);
  isError(await d.api('GET', `${UC}/schemas/sc.nope`), 404, 'SCHEMA_DOES_NOT_EXIST', /Schema 'sc.nope' does not exist/);
  isError(await d.api('GET', `${UC}/schemas/sc`), 400, 'INVALID_PARAMETER_VALUE');
  const g = ok(await d.api('GET', `${UC}/schemas/sc.raw`));
  assert.equal(g.schema_id, s.schema_id);
  const u = ok(await d.api('PATCH', `${UC}/schemas/sc.raw`, { new_name: 'bronze', comment: 'b' }));
  assert.equal(u.full_name, 'sc.bronze');
  assert.equal(u.schema_id, s.schema_id);
  isError(await d.api('DELETE', `${UC}/schemas/sc.information_schema`), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('PATCH', `${UC}/schemas/sc.information_schema`, { new_name: 'x' }), 400, 'INVALID_PARAMETER_VALUE');
  ok(await d.api('POST', `${UC}/volumes`, { catalog_name: 'sc', schema_name: 'bronze', name: 'v', volume_type: 'MANAGED' }));
  isError(await d.api('DELETE', `${UC}/schemas/sc.bronze`), 400, 'SCHEMA_NOT_EMPTY');
  ok(await d.api('DELETE', `${UC}/schemas/sc.bronze?force=true`));
  isError(await d.api('GET', `${UC}/volumes/sc.bronze.v`), 404, 'SCHEMA_DOES_NOT_EXIST');
});

test('tables: external Delta create over REST only; list paging with max_results=0; get, exists, delete', async () => {
  ok(await d.api('POST', `${UC}/catalogs`, { name: 'tc' }));
  const base = { catalog_name: 'tc', schema_name: 'default', data_source_format: 'DELTA' };
  isError(await d.api('POST', `${UC}/tables`, { ...base, name: 'm', table_type: 'MANAGED', storage_location: ext }), 400, 'INVALID_PARAMETER_VALUE', /external Delta/);
  isError(await d.api('POST', `${UC}/tables`, { ...base, name: 'm', table_type: 'EXTERNAL', storage_location: 's3://b/x' }), 400, 'INVALID_PARAMETER_VALUE');
  const cols = [
    { name: 'id', type_name: 'LONG', type_text: 'bigint', nullable: false },
    { name: 'price', type_text: 'decimal(10,2)', comment: 'usd' },
    { name: 'tags', type_text: 'array<string>' },
    { name: 'attrs', type_text: 'struct<k:string,v:map<string,array<int>>>' },
  ];
  const t = ok(await d.api('POST', `${UC}/tables`, { ...base, name: 'T0', table_type: 'EXTERNAL', storage_location: `file://${ext}/t0`, columns: cols, properties: { p: '1' } }));
  assert.equal(t.full_name, 'tc.default.t0');
  assert.equal(t.table_type, 'EXTERNAL');
  assert.equal(t.data_source_format, 'DELTA');
  assert.equal(t.storage_location, `${ext}/t0`);
  assert.match(t.table_id, /^[0-9a-f-]{36}$/);
  assert.deepEqual(t.columns.map((c) => [c.name, c.type_name, c.position, c.nullable]),
    [['id', 'LONG', 0, false], ['price', 'DECIMAL', 1, true], ['tags', 'ARRAY', 2, true], ['attrs', 'STRUCT', 3, true]]);
  assert.equal(t.columns[1].type_precision, 10);
  assert.equal(t.columns[1].type_scale, 2);
  assert.deepEqual(JSON.parse(t.columns[0].type_json), { name: 'id', type: 'long', nullable: false, metadata: {} });
  assert.deepEqual(JSON.parse(t.columns[1].type_json).metadata, { comment: 'usd' });
  // nested types: Delta's JSON of the type, from the type text
  assert.deepEqual(JSON.parse(t.columns[2].type_json).type, { type: 'array', elementType: 'string', containsNull: true });
  assert.deepEqual(JSON.parse(t.columns[3].type_json).type, { type: 'struct', fields: [
    { name: 'k', type: 'string', nullable: true, metadata: {} },
    { name: 'v', type: { type: 'map', keyType: 'string', valueType: { type: 'array', elementType: 'integer', containsNull: true }, valueContainsNull: true }, nullable: true, metadata: {} }] });
  isError(await d.api('POST', `${UC}/tables`, { ...base, name: 't0', table_type: 'EXTERNAL', storage_location: `${ext}/t0` }), 409, 'TABLE_ALREADY_EXISTS');
  for (let i = 1; i < 7; i++)
    ok(await d.api('POST', `${UC}/tables`, { ...base, name: `t${i}`, table_type: 'EXTERNAL', storage_location: `${ext}/t${i}` }));

  const all = ok(await d.api('GET', `${UC}/tables${q({ catalog_name: 'tc', schema_name: 'default' })}`));
  assert.deepEqual(all.tables.map((x) => x.name), ['t0', 't1', 't2', 't3', 't4', 't5', 't6']);
  assert.equal(all.next_page_token, undefined);
  const zero = await listAll(`${UC}/tables`, 'tables', { catalog_name: 'tc', schema_name: 'default' });
  assert.equal(zero.items.length, 7);
  const paged = await listAll(`${UC}/tables`, 'tables', { catalog_name: 'tc', schema_name: 'default' }, 3);
  assert.deepEqual(paged.items.map((x) => x.name), ['t0', 't1', 't2', 't3', 't4', 't5', 't6']);
  assert.equal(paged.pages, 3);
  const slim = ok(await d.api('GET', `${UC}/tables${q({ catalog_name: 'tc', schema_name: 'default', omit_columns: true, omit_properties: true })}`));
  assert.equal(slim.tables[0].columns, undefined);
  assert.equal(slim.tables[0].properties, undefined);
  isError(await d.api('GET', `${UC}/tables${q({ catalog_name: 'tc', schema_name: 'default', max_results: -1 })}`), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('GET', `${UC}/tables${q({ catalog_name: 'tc', schema_name: 'default', page_token: 'garbage!' })}`), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('GET', `${UC}/tables${q({ catalog_name: 'tc', schema_name: 'nope' })}`), 404, 'SCHEMA_DOES_NOT_EXIST');
  isError(await d.api('GET', `${UC}/tables${q({ catalog_name: 'tc' })}`), 400, 'INVALID_PARAMETER_VALUE', /schema_name/);

  const g = ok(await d.api('GET', `${UC}/tables/TC.default.T0`));
  assert.equal(g.table_id, t.table_id);
  assert.deepEqual(ok(await d.api('GET', `${UC}/tables/tc.default.t0/exists`)), { table_exists: true });
  assert.deepEqual(ok(await d.api('GET', `${UC}/tables/tc.default.zz/exists`)), { table_exists: false });
  isError(await d.api('GET', `${UC}/tables/tc.nope.zz/exists`), 404, 'SCHEMA_DOES_NOT_EXIST');
  isError(await d.api('GET', `${UC}/tables/tc.default.zz`), 404, 'TABLE_DOES_NOT_EXIST', /Table 'tc.default.zz' does not exist/);
  isError(await d.api('GET', `${UC}/tables/tc.default`), 400, 'INVALID_PARAMETER_VALUE');
  assert.equal(ok(await d.api('PATCH', `${UC}/tables/tc.default.t0`, { owner: 'carol' })).owner, 'carol');
  ok(await d.api('DELETE', `${UC}/tables/tc.default.t6`));
  isError(await d.api('DELETE', `${UC}/tables/tc.default.t6`), 404, 'TABLE_DOES_NOT_EXIST');

  // table summaries: LIKE patterns over schemas and names, paged across schemas
  ok(await d.api('POST', `${UC}/schemas`, { catalog_name: 'tc', name: 'a_x' }));
  ok(await d.api('POST', `${UC}/tables`, { catalog_name: 'tc', schema_name: 'a_x', name: 't9', table_type: 'EXTERNAL', data_source_format: 'DELTA', storage_location: `${ext}/t9` }));
  const sum = ok(await d.api('GET', `${UC}/table-summaries${q({ catalog_name: 'tc' })}`));
  assert.deepEqual(sum.tables.map((x) => x.full_name),
    ['tc.a_x.t9', 'tc.default.t0', 'tc.default.t1', 'tc.default.t2', 'tc.default.t3', 'tc.default.t4', 'tc.default.t5']);
  assert.equal(sum.tables[0].table_type, 'EXTERNAL');
  const pat = ok(await d.api('GET', `${UC}/table-summaries${q({ catalog_name: 'tc', schema_name_pattern: 'def%', table_name_pattern: 't_' })}`));
  assert.equal(pat.tables.length, 6);
  const sp = await listAll(`${UC}/table-summaries`, 'tables', { catalog_name: 'tc' }, 2);
  assert.equal(sp.items.length, 7);
  assert.equal(sp.pages, 4);
  isError(await d.api('GET', `${UC}/table-summaries${q({ catalog_name: 'nope' })}`), 404, 'CATALOG_DOES_NOT_EXIST');
});

test('volumes: managed and external; read, update, delete removes managed files', async () => {
  ok(await d.api('POST', `${UC}/catalogs`, { name: 'vc' }));
  const v = ok(await d.api('POST', `${UC}/volumes`, { catalog_name: 'vc', schema_name: 'default', name: 'Raw', volume_type: 'MANAGED', comment: 'c' }));
  assert.equal(v.full_name, 'vc.default.raw');
  assert.equal(v.volume_type, 'MANAGED');
  assert.equal(v.storage_location, join(d.dataDir, 'volumes', 'vc', 'default', 'raw'));
  assert.ok(existsSync(v.storage_location));
  assert.match(v.volume_id, /^[0-9a-f-]{36}$/);
  isError(await d.api('POST', `${UC}/volumes`, { catalog_name: 'vc', schema_name: 'default', name: 'raw', volume_type: 'MANAGED' }), 409, 'RESOURCE_ALREADY_EXISTS');
  isError(await d.api('POST', `${UC}/volumes`, { catalog_name: 'vc', schema_name: 'default', name: 'x', volume_type: 'EXTERNAL' }), 400, 'INVALID_PARAMETER_VALUE', /storage_location/);
  isError(await d.api('POST', `${UC}/volumes`, { catalog_name: 'vc', schema_name: 'default', name: 'x', volume_type: 'OTHER' }), 400, 'INVALID_PARAMETER_VALUE');
  const e = ok(await d.api('POST', `${UC}/volumes`, { catalog_name: 'vc', schema_name: 'default', name: 'ext', volume_type: 'EXTERNAL', storage_location: `${ext}/vol` }));
  assert.equal(e.storage_location, `${ext}/vol`);
  const list = ok(await d.api('GET', `${UC}/volumes${q({ catalog_name: 'vc', schema_name: 'default' })}`));
  assert.deepEqual(list.volumes.map((x) => x.name), ['ext', 'raw']);
  assert.equal(ok(await d.api('GET', `${UC}/volumes/vc.default.raw`)).comment, 'c');
  const u = ok(await d.api('PATCH', `${UC}/volumes/vc.default.raw`, { new_name: 'landing', comment: 'd' }));
  assert.equal(u.full_name, 'vc.default.landing');
  assert.equal(u.storage_location, v.storage_location);
  assert.equal(u.volume_id, v.volume_id);
  ok(await d.api('DELETE', `${UC}/volumes/vc.default.landing`));
  assert.ok(!existsSync(v.storage_location));
  ok(await d.api('DELETE', `${UC}/volumes/vc.default.ext`));
  assert.ok(existsSync(`${ext}/vol`), 'an external volume keeps its files');
  isError(await d.api('GET', `${UC}/volumes/vc.default.ext`), 404, 'RESOURCE_DOES_NOT_EXIST');
});

test('functions: create, list, get, update owner, delete', async () => {
  const fi = { name: 'Double_It', catalog_name: 'main', schema_name: 'default', data_type: 'INT', full_data_type: 'int',
    input_params: { parameters: [{ name: 'x', type_text: 'int', type_name: 'INT', position: 0 }] },
    routine_body: 'SQL', routine_definition: 'x * 2', parameter_style: 'S', is_deterministic: true,
    sql_data_access: 'CONTAINS_SQL', is_null_call: false, security_type: 'DEFINER', specific_name: 'double_it' };
  const f = ok(await d.api('POST', `${UC}/functions`, { function_info: fi }));
  assert.equal(f.full_name, 'main.default.double_it');
  assert.equal(f.routine_definition, 'x * 2');
  assert.match(f.function_id, /^[0-9a-f-]{36}$/);
  isError(await d.api('POST', `${UC}/functions`, { function_info: fi }), 409, 'RESOURCE_ALREADY_EXISTS');
  const l = ok(await d.api('GET', `${UC}/functions${q({ catalog_name: 'main', schema_name: 'default', max_results: 0 })}`));
  assert.deepEqual(l.functions.map((x) => x.name), ['double_it']);
  assert.deepEqual(ok(await d.api('GET', `${UC}/functions/main.default.double_it`)).input_params, fi.input_params);
  assert.equal(ok(await d.api('PATCH', `${UC}/functions/main.default.double_it`, { owner: 'dan' })).owner, 'dan');
  ok(await d.api('DELETE', `${UC}/functions/main.default.double_it?force=true`));
  isError(await d.api('GET', `${UC}/functions/main.default.double_it`), 404, 'RESOURCE_DOES_NOT_EXIST');
});

test('Files API: upload, download with Range, HEAD, overwrite, delete', async () => {
  ok(await d.api('POST', `${UC}/volumes`, { catalog_name: 'main', schema_name: 'default', name: 'files', volume_type: 'MANAGED' }));
  const p = '/Volumes/main/default/files/dir%20a/hello.txt';
  const body = Buffer.from('0123456789abcdef');
  let r = await put(p, body);
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), {});
  r = await fetch(`${d.url}${FS}/files${p}`, { headers: { Authorization: `Bearer ${d.token}` } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-length'), '16');
  assert.equal(r.headers.get('content-type'), 'application/octet-stream');
  assert.ok(!Number.isNaN(Date.parse(r.headers.get('last-modified'))));
  assert.deepEqual(Buffer.from(await r.arrayBuffer()), body);
  r = await fetch(`${d.url}${FS}/files${p}`, { headers: { Authorization: `Bearer ${d.token}`, Range: 'bytes=4-7' } });
  assert.equal(r.status, 206);
  assert.equal(r.headers.get('content-range'), 'bytes 4-7/16');
  assert.equal(await r.text(), '4567');
  r = await fetch(`${d.url}${FS}/files${p}`, { method: 'HEAD', headers: { Authorization: `Bearer ${d.token}` } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-length'), '16');
  assert.ok(r.headers.get('last-modified'));
  assert.equal(await r.text(), '');

  r = await put(p, 'other', '?overwrite=false');
  assert.equal(r.status, 409);
  assert.equal((await r.json()).error_code, 'ALREADY_EXISTS');
  r = await put(p, 'new content', '?overwrite=true');
  assert.equal(r.status, 200);
  r = await fetch(`${d.url}${FS}/files${p}`, { headers: { Authorization: `Bearer ${d.token}` } });
  assert.equal(await r.text(), 'new content');
  assert.ok(existsSync(join(d.dataDir, 'volumes', 'main', 'default', 'files', 'dir a', 'hello.txt')));

  isError(await d.api('GET', `${FS}/files/Volumes/main/default/files/missing.txt`), 404, 'NOT_FOUND');
  isError(await d.api('GET', `${FS}/files/Volumes/main/default/nope/x.txt`), 404, 'NOT_FOUND');
  isError(await d.api('DELETE', `${FS}/files/Volumes/main/default/files/dir%20a`), 400, 'INVALID_PARAMETER_VALUE');
  ok(await d.api('DELETE', `${FS}/files${p}`));
  isError(await d.api('DELETE', `${FS}/files${p}`), 404, 'NOT_FOUND');
  assert.equal((await d.api('HEAD', `${FS}/files${p}`)).status, 404);
});

test('Files API: traversal and malformed paths are refused; other fs paths stay 501', async () => {
  for (const path of [
    `${FS}/files/Volumes/main/default/files/../../../../etc/passwd`,
    `${FS}/files/Volumes/main/default/files/%2e%2e/%2e%2e/x`,
    `${FS}/files/Volumes/main/default/files/a%2f..%2f..%2fx`,
    `${FS}/files/Volumes/main/default/files/./x`,
    `${FS}/directories/Volumes/main/default/files/../..`,
    `${FS}/files/Volumes/main/default/files//x`,
  ]) {
    const r = await rawPath('GET', path);
    assert.equal(r.status, 400, `${path}: ${r.text}`);
    assert.equal(r.json?.error_code, 'INVALID_PARAMETER_VALUE');
  }
  const r = await rawPath('PUT', `${FS}/files/Volumes/main/default/files/..%2fescape`, { 'Content-Length': '0' });
  assert.equal(r.status, 400);
  assert.ok(!existsSync(join(d.dataDir, 'volumes', 'main', 'default', 'escape')));
  isError(await d.api('GET', `${FS}/files/Volumes/main`), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('GET', `${FS}/files/dbfs/tmp/x`), 501, 'NOT_IMPLEMENTED');
});

test('Files API: directories: mkdir -p, list with paging, HEAD, delete empty only', async () => {
  const root = '/Volumes/main/default/files';
  ok(await d.api('PUT', `${FS}/directories${root}/d1/d2/d3`));
  ok(await d.api('PUT', `${FS}/directories${root}/d1/d2/d3`));
  for (const n of ['b.txt', 'a.txt', 'c.txt']) assert.equal((await put(`${root}/d1/${n}`, n)).status, 200);
  const l = ok(await d.api('GET', `${FS}/directories${root}/d1`));
  assert.deepEqual(l.contents.map((e) => [e.name, e.is_directory]),
    [['a.txt', false], ['b.txt', false], ['c.txt', false], ['d2', true]]);
  assert.equal(l.contents[0].path, `${root}/d1/a.txt`);
  assert.equal(l.contents[0].file_size, 5);
  assert.equal(typeof l.contents[0].last_modified, 'number');
  assert.equal(l.contents[3].file_size, undefined);
  const names = [];
  let token;
  let pages = 0;
  do {
    const r = ok(await d.api('GET', `${FS}/directories${root}/d1${q({ page_size: 3, ...(token ? { page_token: token } : {}) })}`));
    names.push(...r.contents.map((e) => e.name));
    token = r.next_page_token;
    pages++;
  } while (token);
  assert.deepEqual(names, ['a.txt', 'b.txt', 'c.txt', 'd2']);
  assert.equal(pages, 2);
  let r = await fetch(`${d.url}${FS}/directories${root}/d1`, { method: 'HEAD', headers: { Authorization: `Bearer ${d.token}` } });
  assert.equal(r.status, 200);
  r = await fetch(`${d.url}${FS}/directories${root}/none`, { method: 'HEAD', headers: { Authorization: `Bearer ${d.token}` } });
  assert.equal(r.status, 404);
  isError(await d.api('GET', `${FS}/directories${root}/d1/a.txt`), 404, 'NOT_FOUND');
  isError(await d.api('PUT', `${FS}/directories${root}/d1/a.txt`), 409, 'ALREADY_EXISTS');
  isError(await d.api('DELETE', `${FS}/directories${root}/d1`), 409, 'DIRECTORY_NOT_EMPTY');
  ok(await d.api('DELETE', `${FS}/directories${root}/d1/d2/d3`));
  isError(await d.api('DELETE', `${FS}/directories${root}/d1/d2/d3`), 404, 'NOT_FOUND');
  isError(await d.api('DELETE', `${FS}/directories${root}`), 400, 'INVALID_PARAMETER_VALUE');
  const rootList = ok(await d.api('GET', `${FS}/directories${root}`));
  assert.ok(rootList.contents.some((e) => e.name === 'd1'));
});

test('Files API: a cut upload leaves nothing behind', async () => {
  const dir = join(d.dataDir, 'volumes', 'main', 'default', 'files', 'cut');
  ok(await d.api('PUT', `${FS}/directories/Volumes/main/default/files/cut`));
  const u = new URL(d.url);
  await new Promise((res) => {
    const s = connect(Number(u.port), u.hostname, () => {
      s.write(`PUT ${FS}/files/Volumes/main/default/files/cut/big.bin HTTP/1.1\r\nHost: x\r\n` +
        `Authorization: Bearer ${d.token}\r\nContent-Length: 1000000\r\n\r\n`);
      s.write(Buffer.alloc(300000, 7), () => setTimeout(() => { s.destroy(); res(); }, 100));
    });
    s.on('error', () => res());
  });
  await d.waitFor(async () => readdirSync(dir).length === 0, 5000, 20);
  assert.deepEqual(readdirSync(dir), []);
  const l = ok(await d.api('GET', `${FS}/directories/Volumes/main/default/files/cut`));
  assert.deepEqual(l.contents, []);
  isError(await d.api('GET', `${FS}/files/Volumes/main/default/files/cut/big.bin`), 404, 'NOT_FOUND');
});

test('objects persist across a restart; a forced catalog delete removes its volume files', async () => {
  ok(await d.api('POST', `${UC}/catalogs`, { name: 'keep' }));
  ok(await d.api('POST', `${UC}/volumes`, { catalog_name: 'keep', schema_name: 'default', name: 'v', volume_type: 'MANAGED' }));
  assert.equal((await put('/Volumes/keep/default/v/f.txt', 'x')).status, 200);
  await d.stop({ keep: true });
  await d.restart();
  assert.equal(ok(await d.api('GET', `${UC}/volumes/keep.default.v`)).name, 'v');
  const cats = ok(await d.api('GET', `${UC}/catalogs`)).catalogs.map((c) => c.name);
  assert.ok(cats.includes('keep') && cats.includes('main'));
  const r = await fetch(`${d.url}${FS}/files/Volumes/keep/default/v/f.txt`, { headers: { Authorization: `Bearer ${d.token}` } });
  assert.equal(await r.text(), 'x');
  isError(await d.api('DELETE', `${UC}/catalogs/keep`), 400, 'CATALOG_NOT_EMPTY');
  ok(await d.api('DELETE', `${UC}/catalogs/keep?force=true`));
  assert.ok(!existsSync(join(d.dataDir, 'volumes', 'keep')));
});

test('two objects never share storage: a managed path freed by a rename is not reused', async () => {
  ok(await d.api('POST', `${UC}/catalogs`, { name: 'ren' }));
  ok(await d.api('POST', `${UC}/volumes`, { catalog_name: 'ren', schema_name: 'default', name: 'v', volume_type: 'MANAGED' }));
  ok(await d.api('PATCH', `${UC}/catalogs/ren`, { new_name: 'ren2' }));
  ok(await d.api('POST', `${UC}/catalogs`, { name: 'ren' }));
  isError(await d.api('POST', `${UC}/volumes`, { catalog_name: 'ren', schema_name: 'default', name: 'v', volume_type: 'MANAGED' }),
    409, 'RESOURCE_ALREADY_EXISTS', /in use by ren2\.default\.v/);
  isError(await d.api('POST', `${UC}/volumes`, { catalog_name: 'ren', schema_name: 'default', name: 'w', volume_type: 'EXTERNAL',
    storage_location: join(d.dataDir, 'volumes', 'ren', 'default', 'v') }), 409, 'RESOURCE_ALREADY_EXISTS');
  // a file where a directory is needed
  assert.equal((await put('/Volumes/ren2/default/v/f', 'x')).status, 200);
  const r = await put('/Volumes/ren2/default/v/f/g', 'y');
  assert.equal(r.status, 409);
  ok(await d.api('DELETE', `${UC}/catalogs/ren2?force=true`));
  ok(await d.api('DELETE', `${UC}/catalogs/ren?force=true`));
});

test('ownership: users read metadata; admins create catalogs; owners (of an object or a parent) change it and reach its files', async () => {
  const u = ok(await d.api('POST', '/api/2.0/preview/scim/v2/Users', { userName: 'uc-user' }), 201);
  const t = ok(await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: u.id, comment: 'uc' }));
  const as = { token: t.token_value };
  ok(await d.api('POST', `${UC}/catalogs`, { name: 'owned' }));
  ok(await d.api('POST', `${UC}/volumes`, { catalog_name: 'owned', schema_name: 'default', name: 'v', volume_type: 'MANAGED' }));
  assert.ok(ok(await d.api('GET', `${UC}/catalogs`, undefined, as)).catalogs.some((c) => c.name === 'owned'));
  ok(await d.api('GET', `${UC}/volumes/owned.default.v`, undefined, as));
  isError(await d.api('POST', `${UC}/catalogs`, { name: 'mine' }, as), 403, 'PERMISSION_DENIED');
  isError(await d.api('POST', `${UC}/schemas`, { catalog_name: 'owned', name: 's' }, as), 403, 'PERMISSION_DENIED');
  isError(await d.api('PATCH', `${UC}/catalogs/owned`, { comment: 'x' }, as), 403, 'PERMISSION_DENIED');
  isError(await d.api('DELETE', `${UC}/volumes/owned.default.v`, undefined, as), 403, 'PERMISSION_DENIED');
  isError(await d.api('GET', `${FS}/directories/Volumes/owned/default/v`, undefined, as), 403, 'PERMISSION_DENIED');
  isError(await d.api('DELETE', `${UC}/volumes/owned.default.nope`, undefined, as), 404, 'RESOURCE_DOES_NOT_EXIST');
  // the admin hands the catalog over: everything under it is the user's to change
  ok(await d.api('PATCH', `${UC}/catalogs/owned`, { owner: 'uc-user' }));
  const s = ok(await d.api('POST', `${UC}/schemas`, { catalog_name: 'owned', name: 's' }, as));
  assert.equal(s.owner, 'uc-user');
  ok(await d.api('GET', `${FS}/directories/Volumes/owned/default/v`, undefined, as));
  const r = await fetch(`${d.url}${FS}/files/Volumes/owned/default/v/u.txt`, { method: 'PUT', body: 'hi',
    headers: { Authorization: `Bearer ${t.token_value}` } });
  assert.equal(r.status, 200);
  ok(await d.api('DELETE', `${UC}/catalogs/owned?force=true`, undefined, as));
});
