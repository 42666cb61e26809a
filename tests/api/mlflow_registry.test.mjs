// mlflow_registry.test.mjs - the MLflow model registry over HTTP: registered models,
// versions, stages, aliases, search, the Databricks variants (transition requests,
// comments), registry webhooks (HMAC, retries, restart), signed download URLs and
// permissions, and versions made from runs with their artifacts copied (tracking and DBFS).
// Run: LH_BIN=build/lakehoused node --test tests/api/mlflow_registry.test.mjs
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { startDaemon } from './harness.mjs';

const SCIM = '/api/2.0/preview/scim/v2';
const M = '/api/2.0/mlflow';

let d;
before(async () => { d = await startDaemon(); });
after(async () => { await d.stop(); });

let seq = 0;
const uniq = (p) => `${p}-${process.pid}-${++seq}`;
const qs = (params) => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    for (const x of Array.isArray(v) ? v : [v]) u.append(k, String(x));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
};
// GET and DELETE carry their message as query parameters, as MLflow and the SDK send it.
const call = (daemon, method, path, params, opts) => (method === 'GET' || method === 'DELETE'
  ? daemon.api(method, `${M}/${path}${qs(params)}`, undefined, opts)
  : daemon.api(method, `${M}/${path}`, params ?? {}, opts));
const api = (method, path, params, opts) => call(d, method, path, params, opts);
const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.json; };
const err = (r, status, code, re) => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error_code, code, r.text);
  if (re) assert.match(r.json.message, re);
};
const createModel = async (extra = {}, daemon = d) =>
  ok(await call(daemon, 'POST', 'registered-models/create', { name: uniq('model'), ...extra })).registered_model;
const createVersion = async (name, extra = {}, daemon = d) =>
  ok(await call(daemon, 'POST', 'model-versions/create', { name, source: `dbfs:/nowhere/${uniq('src')}`, ...extra, })).model_version;
const getVersion = async (name, version) => ok(await api('GET', 'model-versions/get', { name, version })).model_version;
const transition = (name, version, stage, archive = false) =>
  api('POST', 'model-versions/transition-stage', { name, version, stage, archive_existing_versions: archive });

test('registered models: create, get, update, rename, tags, delete and their errors', async () => {
  const name = uniq('m');
  const t0 = Date.now();
  const rm = ok(await api('POST', 'registered-models/create', { name, description: 'first', tags: [{ key: 'team', value: 'ml' }] })).registered_model;
  assert.equal(rm.name, name);
  assert.equal(rm.description, 'first');
  assert.equal(rm.user_id, 'admin');
  assert.ok(rm.creation_timestamp >= t0 - 5 && rm.creation_timestamp <= Date.now() + 5);
  assert.equal(rm.last_updated_timestamp, rm.creation_timestamp);
  assert.deepEqual(rm.tags, [{ key: 'team', value: 'ml' }]);
  assert.deepEqual(rm.latest_versions, []);
  err(await api('POST', 'registered-models/create', { name }), 409, 'RESOURCE_ALREADY_EXISTS', /already exists/);
  err(await api('POST', 'registered-models/create', {}), 400, 'INVALID_PARAMETER_VALUE', /name/);
  err(await api('GET', 'registered-models/get', { name: uniq('nope') }), 404, 'RESOURCE_DOES_NOT_EXIST', /not found/);
  assert.deepEqual(ok(await api('GET', 'registered-models/get', { name })).registered_model, rm);
  // the ajax-api alias serves the same handlers
  assert.equal(ok(await d.api('GET', `/ajax-api/2.0/mlflow/registered-models/get?name=${name}`)).registered_model.name, name);

  const up = ok(await api('PATCH', 'registered-models/update', { name, description: 'second' })).registered_model;
  assert.equal(up.description, 'second');
  assert.ok(up.last_updated_timestamp >= rm.last_updated_timestamp);
  ok(await api('POST', 'registered-models/set-tag', { name, key: 'stage', value: 'beta' }));
  ok(await api('POST', 'registered-models/set-tag', { name, key: 'team', value: 'ai' }));
  ok(await api('DELETE', 'registered-models/delete-tag', { name, key: 'stage' }));
  ok(await api('DELETE', 'registered-models/delete-tag', { name, key: 'never-set' }));
  assert.deepEqual(ok(await api('GET', 'registered-models/get', { name })).registered_model.tags, [{ key: 'team', value: 'ai' }]);
  err(await api('POST', 'registered-models/set-tag', { name: uniq('nope'), key: 'k', value: 'v' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  err(await api('POST', 'registered-models/set-tag', { name, key: 'k' }), 400, 'INVALID_PARAMETER_VALUE');

  const other = await createModel();
  err(await api('POST', 'registered-models/rename', { name, new_name: other.name }), 409, 'RESOURCE_ALREADY_EXISTS');
  const newName = uniq('renamed');
  await createVersion(name);
  const rn = ok(await api('POST', 'registered-models/rename', { name, new_name: newName })).registered_model;
  assert.equal(rn.name, newName);
  err(await api('GET', 'registered-models/get', { name }), 404, 'RESOURCE_DOES_NOT_EXIST');
  assert.equal((await getVersion(newName, '1')).name, newName);

  ok(await api('DELETE', 'registered-models/delete', { name: newName }));
  err(await api('GET', 'registered-models/get', { name: newName }), 404, 'RESOURCE_DOES_NOT_EXIST');
  err(await api('GET', 'model-versions/get', { name: newName, version: '1' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  err(await api('DELETE', 'registered-models/delete', { name: newName }), 404, 'RESOURCE_DOES_NOT_EXIST');
  // a body on DELETE works too (MLflow's client sends JSON)
  const third = await createModel();
  ok(await d.raw('DELETE', `${M}/registered-models/delete`, { name: third.name }));
  err(await api('GET', 'registered-models/get', { name: third.name }), 404, 'RESOURCE_DOES_NOT_EXIST');
});

test('search registered models: filters, order_by, paging and bad input', async () => {
  const p = uniq('srch').replace(/-/g, '_');
  const names = [`${p}_alpha`, `${p}_Beta`, `${p}_gamma`];
  for (const [i, name] of names.entries()) {
    await createModel({ name, tags: [{ key: 'idx', value: String(i) }, { key: 'kind', value: i % 2 ? 'odd' : 'even' }] });
    await new Promise((r) => setTimeout(r, 3));
  }
  const search = async (params) => ok(await api('GET', 'registered-models/search', params));
  const namesOf = (r) => (r.registered_models ?? []).map((m) => m.name);
  assert.deepEqual(namesOf(await search({ filter: `name LIKE '${p}%'` })), [`${p}_Beta`, `${p}_alpha`, `${p}_gamma`]);
  assert.deepEqual(namesOf(await search({ filter: `name = '${p}_gamma'` })), [`${p}_gamma`]);
  assert.deepEqual(namesOf(await search({ filter: `name LIKE '${p}_b%'` })), []); // LIKE is case-sensitive
  assert.deepEqual(namesOf(await search({ filter: `name ILIKE '${p}_b%'` })), [`${p}_Beta`]);
  assert.deepEqual(namesOf(await search({ filter: `name LIKE '${p}%' AND tags.kind = 'even'` })), [`${p}_alpha`, `${p}_gamma`]);
  assert.deepEqual(namesOf(await search({ filter: `name like '${p}%' and tags.\`idx\` != '0'` })), [`${p}_Beta`, `${p}_gamma`]);
  assert.deepEqual(namesOf(await search({ filter: `name LIKE '${p}%'`, order_by: ['name DESC'] })), [`${p}_gamma`, `${p}_alpha`, `${p}_Beta`]);
  assert.deepEqual(namesOf(await search({ filter: `name LIKE '${p}%'`, order_by: ['last_updated_timestamp DESC'] })), [...names].reverse());
  assert.deepEqual(namesOf(await search({ filter: `name LIKE '${p}%'`, order_by: ['timestamp ASC'] })), names);
  // paging: two pages, then none
  const p1 = await search({ filter: `name LIKE '${p}%'`, max_results: 2 });
  assert.equal(p1.registered_models.length, 2);
  assert.ok(p1.next_page_token);
  const p2 = await search({ filter: `name LIKE '${p}%'`, max_results: 2, page_token: p1.next_page_token });
  assert.deepEqual(namesOf(p2), [`${p}_gamma`]);
  assert.equal(p2.next_page_token, undefined);
  // legacy list
  assert.ok(ok(await api('GET', 'registered-models/list', { max_results: 1000 })).registered_models.length >= 3);
  // errors
  err(await api('GET', 'registered-models/search', { filter: 'name LIKE' }), 400, 'INVALID_PARAMETER_VALUE');
  err(await api('GET', 'registered-models/search', { filter: "bogus = 'x'" }), 400, 'INVALID_PARAMETER_VALUE', /bogus/);
  err(await api('GET', 'registered-models/search', { filter: "name = 'a' OR name = 'b'" }), 400, 'INVALID_PARAMETER_VALUE');
  err(await api('GET', 'registered-models/search', { filter: "name = 'unterminated" }), 400, 'INVALID_PARAMETER_VALUE');
  err(await api('GET', 'registered-models/search', { filter: "run_id = 'x'" }), 400, 'INVALID_PARAMETER_VALUE');
  err(await api('GET', 'registered-models/search', { max_results: 1001 }), 400, 'INVALID_PARAMETER_VALUE', /1000/);
  err(await api('GET', 'registered-models/search', { page_token: 'garbage!' }), 400, 'INVALID_PARAMETER_VALUE', /page token/);
  err(await api('GET', 'registered-models/search', { order_by: ['size DESC'] }), 400, 'INVALID_PARAMETER_VALUE');
});

test('registry search: tracking\'s grammar as SQL (tags, GLOB characters, quoted numbers, positions)', async () => {
  const p = uniq('gram').replace(/-/g, '_');
  const tagged = await createModel({ name: `${p}_[a]*?`, tags: [{ key: 'k', value: 'v' }] });
  const plain = await createModel({ name: `${p}_plain` });
  const names = async (filter, extra = {}) => (ok(await api('GET', 'registered-models/search', { filter, ...extra })).registered_models ?? []).map((m) => m.name);
  // a tag clause holds only where the tag exists, != included
  assert.deepEqual(await names(`name LIKE '${p}%' AND tags.k != 'zzz'`), [tagged.name]);
  assert.deepEqual(await names(`name LIKE '${p}%' AND tag.k = 'v'`), [tagged.name]);
  // LIKE's pattern keeps GLOB's own wildcards literal
  assert.deepEqual(await names(`name LIKE '${p}_[a]*?'`), [tagged.name]);
  assert.deepEqual(await names(`name LIKE '${p}_[b]%'`), []);
  assert.deepEqual(await names(`name ILIKE '${p.toUpperCase()}_PLAIN'`), [plain.name]);
  assert.deepEqual(await names(`name LIKE '${p}%'`, { order_by: ['name DESC'], max_results: 1 }), [plain.name]);
  err(await api('GET', 'registered-models/search', { filter: "name = 'a' AND bogus = 'x'" }), 400, 'INVALID_PARAMETER_VALUE', /bogus.*position 15/);
  err(await api('GET', 'registered-models/search', { filter: "name IN ('a')" }), 400, 'INVALID_PARAMETER_VALUE', /Invalid comparator 'IN'/);
  err(await api('GET', 'registered-models/search', { filter: "metrics.a > 1" }), 400, 'INVALID_PARAMETER_VALUE', /entity type/);
  err(await api('GET', 'registered-models/search', { order_by: ['tags.k'] }), 400, 'INVALID_PARAMETER_VALUE', /order_by entity/);
  err(await api('GET', 'registered-models/search', { order_by: ['timestamp', 'last_updated_timestamp DESC'] }), 400, 'INVALID_PARAMETER_VALUE', /duplicate/);

  const run = 'b'.repeat(32);
  await createVersion(tagged.name, { run_id: run, tags: [{ key: 't', value: 'x' }] });
  await createVersion(tagged.name);
  const vs = async (filter, extra = {}) => (ok(await api('GET', 'model-versions/search', { filter, ...extra })).model_versions ?? []).map((v) => v.version);
  assert.deepEqual(await vs(`name = '${tagged.name}' AND version_number = '2'`), ['2']);
  assert.deepEqual(await vs(`name = '${tagged.name}' AND version_number <= 2.5`, { order_by: ['version_number ASC'] }), ['1', '2']);
  assert.deepEqual(await vs(`name = '${tagged.name}' AND tags.t != 'y'`), ['1']);
  assert.deepEqual(await vs(`name = '${tagged.name}' AND run_id IN ('${run}', '${run.toUpperCase()}')`), ['1']);
  assert.deepEqual(await vs(`name = '${tagged.name}' AND run_id != 'x'`), ['1']); // a NULL run_id never matches
  err(await api('GET', 'model-versions/search', { filter: "run_id NOT IN ('x')" }), 400, 'INVALID_PARAMETER_VALUE', /NOT IN/);
  err(await api('GET', 'model-versions/search', { filter: "source_path IN ('x')" }), 400, 'INVALID_PARAMETER_VALUE', /Only the 'run_id'/);
  err(await api('GET', 'model-versions/search', { filter: "version_number = 'one'" }), 400, 'INVALID_PARAMETER_VALUE', /numeric/);
  err(await api('GET', 'model-versions/search', { order_by: ['run_id'] }), 400, 'INVALID_PARAMETER_VALUE', /run_id/);
  err(await api('GET', 'model-versions/search', { max_results: 200001 }), 400, 'INVALID_PARAMETER_VALUE', /200000/);
});

test('model versions: numbering, get, update, tags, delete, search and errors', async () => {
  const { name } = await createModel();
  const v1 = await createVersion(name, { run_id: 'a'.repeat(32), description: 'd1', tags: [{ key: 'k', value: 'v' }], run_link: 'http://x/run' });
  assert.equal(v1.version, '1');
  assert.equal(v1.name, name);
  assert.equal(v1.current_stage, 'None');
  assert.equal(v1.run_id, 'a'.repeat(32));
  assert.equal(v1.run_link, 'http://x/run');
  assert.equal(v1.description, 'd1');
  assert.equal(v1.user_id, 'admin');
  assert.deepEqual(v1.tags, [{ key: 'k', value: 'v' }]);
  assert.ok(['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY'].includes(v1.status));
  const v2 = await createVersion(name);
  assert.equal(v2.version, '2');
  ok(await api('DELETE', 'model-versions/delete', { name, version: '2' }));
  err(await api('GET', 'model-versions/get', { name, version: '2' }), 404, 'RESOURCE_DOES_NOT_EXIST', /version=2/);
  assert.equal((await createVersion(name)).version, '3'); // never reused
  err(await api('DELETE', 'model-versions/delete', { name, version: '2' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  err(await api('GET', 'model-versions/get', { name, version: 'abc' }), 400, 'INVALID_PARAMETER_VALUE');
  err(await api('GET', 'model-versions/get', { name: uniq('nope'), version: '1' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  err(await api('POST', 'model-versions/create', { name: uniq('nope'), source: 'dbfs:/x' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  err(await api('POST', 'model-versions/create', { name }), 400, 'INVALID_PARAMETER_VALUE', /source/);
  err(await api('POST', 'model-versions/create', { name, source: '/etc/passwd' }), 400, 'INVALID_PARAMETER_VALUE', /source/);

  const up = ok(await api('PATCH', 'model-versions/update', { name, version: '1', description: 'new' })).model_version;
  assert.equal(up.description, 'new');
  ok(await api('POST', 'model-versions/set-tag', { name, version: '1', key: 'k2', value: 'v2' }));
  ok(await api('DELETE', 'model-versions/delete-tag', { name, version: '1', key: 'k' }));
  assert.deepEqual((await getVersion(name, 1)).tags, [{ key: 'k2', value: 'v2' }]);
  err(await api('POST', 'model-versions/set-tag', { name, version: '9', key: 'k', value: 'v' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  const uri = ok(await api('GET', 'model-versions/get-download-uri', { name, version: '1' })).artifact_uri;
  assert.ok(typeof uri === 'string' && uri.length > 0);

  const vs = async (params) => (ok(await api('GET', 'model-versions/search', params)).model_versions ?? []).map((v) => `${v.name}/${v.version}`);
  assert.deepEqual(await vs({ filter: `name='${name}'` }), [`${name}/3`, `${name}/1`]);
  assert.deepEqual(await vs({ filter: `name='${name}'`, order_by: ['version_number ASC'] }), [`${name}/1`, `${name}/3`]);
  assert.deepEqual(await vs({ filter: `run_id='${'a'.repeat(32)}' AND name = '${name}'` }), [`${name}/1`]);
  assert.deepEqual(await vs({ filter: `name='${name}' AND tags.k2 = 'v2'` }), [`${name}/1`]);
  assert.deepEqual(await vs({ filter: `name='${name}' AND version_number > 1` }), [`${name}/3`]);
  assert.deepEqual(await vs({ filter: `name='${name}' AND source_path LIKE 'dbfs:/nowhere/%'` }), [`${name}/3`, `${name}/1`]);
  assert.deepEqual(await vs({ filter: `run_id IN ('${'a'.repeat(32)}', 'zzz') AND name = '${name}'` }), [`${name}/1`]);
  const pg = ok(await api('GET', 'model-versions/search', { filter: `name='${name}'`, max_results: 1 }));
  assert.equal(pg.model_versions.length, 1);
  const pg2 = ok(await api('GET', 'model-versions/search', { filter: `name='${name}'`, max_results: 1, page_token: pg.next_page_token }));
  assert.equal(pg2.model_versions[0].version, '1');
  err(await api('GET', 'model-versions/search', { filter: "version_number LIKE '1'" }), 400, 'INVALID_PARAMETER_VALUE');
});

test('stages: transitions, archive_existing_versions, latest versions, bad stage', async () => {
  const { name } = await createModel();
  for (let i = 0; i < 4; i++) await createVersion(name);
  err(await transition(name, '1', 'Prod'), 400, 'INVALID_PARAMETER_VALUE', /Invalid Model Version stage/);
  err(await transition(name, '1', 'None', true), 400, 'INVALID_PARAMETER_VALUE', /Active stage/);
  err(await transition(name, '9', 'Staging'), 404, 'RESOURCE_DOES_NOT_EXIST');
  const a = ok(await transition(name, '1', 'production')).model_version;
  assert.equal(a.current_stage, 'Production'); // canonical spelling
  ok(await transition(name, '2', 'Production'));
  ok(await transition(name, '3', 'STAGING'));
  const stageOf = async (v) => (await getVersion(name, v)).current_stage;
  assert.equal(await stageOf(1), 'Production');
  assert.equal(await stageOf(2), 'Production');
  // archive_existing_versions: the other Production versions become Archived
  const r = ok(await transition(name, '4', 'Production', true)).model_version;
  assert.equal(r.current_stage, 'Production');
  assert.deepEqual([await stageOf(1), await stageOf(2), await stageOf(3), await stageOf(4)], ['Archived', 'Archived', 'Staging', 'Production']);
  const latest = ok(await api('POST', 'registered-models/get-latest-versions', { name })).model_versions;
  assert.deepEqual(latest.map((v) => [v.current_stage, v.version]), [['Staging', '3'], ['Production', '4'], ['Archived', '2']]);
  const prodOnly = ok(await api('GET', 'registered-models/get-latest-versions', { name, stages: ['production'] })).model_versions;
  assert.deepEqual(prodOnly.map((v) => v.version), ['4']);
  await createVersion(name); // 5 in None
  const none = ok(await api('POST', 'registered-models/get-latest-versions', { name, stages: ['None', 'Staging'] })).model_versions;
  assert.deepEqual(none.map((v) => [v.current_stage, v.version]), [['None', '5'], ['Staging', '3']]);
  err(await api('POST', 'registered-models/get-latest-versions', { name, stages: ['Bogus'] }), 400, 'INVALID_PARAMETER_VALUE');
  err(await api('POST', 'registered-models/get-latest-versions', { name: uniq('nope') }), 404, 'RESOURCE_DOES_NOT_EXIST');
  const rm = ok(await api('GET', 'registered-models/get', { name })).registered_model;
  assert.deepEqual(rm.latest_versions.map((v) => v.version), ['5', '3', '4', '2']);
});

test('aliases: set, get by alias, listed on the model and version, delete', async () => {
  const { name } = await createModel();
  await createVersion(name);
  await createVersion(name);
  ok(await api('POST', 'registered-models/alias', { name, alias: 'champion', version: '1' }));
  ok(await api('POST', 'registered-models/alias', { name, alias: 'challenger', version: '2' }));
  let mv = ok(await api('GET', 'registered-models/alias', { name, alias: 'champion' })).model_version;
  assert.equal(mv.version, '1');
  assert.deepEqual(mv.aliases, ['champion']);
  ok(await api('POST', 'registered-models/alias', { name, alias: 'champion', version: '2' })); // moves
  mv = ok(await api('GET', 'registered-models/alias', { name, alias: 'champion' })).model_version;
  assert.equal(mv.version, '2');
  assert.deepEqual(mv.aliases, ['challenger', 'champion']);
  const rm = ok(await api('GET', 'registered-models/get', { name })).registered_model;
  assert.deepEqual(rm.aliases, [{ alias: 'challenger', version: '2' }, { alias: 'champion', version: '2' }]);
  err(await api('POST', 'registered-models/alias', { name, alias: 'latest', version: '1' }), 400, 'INVALID_PARAMETER_VALUE', /reserved/);
  err(await api('POST', 'registered-models/alias', { name, alias: 'v3', version: '1' }), 400, 'INVALID_PARAMETER_VALUE');
  err(await api('POST', 'registered-models/alias', { name, alias: 'x', version: '7' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  err(await api('GET', 'registered-models/alias', { name, alias: 'nope' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  ok(await api('DELETE', 'registered-models/alias', { name, alias: 'champion' }));
  err(await api('GET', 'registered-models/alias', { name, alias: 'champion' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  // deleting a version drops its aliases
  ok(await api('DELETE', 'model-versions/delete', { name, version: '2' }));
  assert.deepEqual(ok(await api('GET', 'registered-models/get', { name })).registered_model.aliases, []);
});

test('MLflow client replay: register_model, transition with archive, alias, latest versions', async () => {
  // MlflowClient.create_registered_model -> RESOURCE_ALREADY_EXISTS is tolerated by register_model
  const name = uniq('client');
  ok(await d.api('POST', `${M}/registered-models/create`, { name }));
  err(await d.api('POST', `${M}/registered-models/create`, { name }), 409, 'RESOURCE_ALREADY_EXISTS');
  const mv = ok(await d.api('POST', `${M}/model-versions/create`, { name, source: 'mlflow-artifacts:/0/abc/artifacts/model', run_id: 'b'.repeat(32) })).model_version;
  assert.equal(mv.version, '1');
  // the client polls get-model-version until the status leaves PENDING_REGISTRATION
  const final = await d.waitFor(async () => {
    const v = (await d.api('GET', `${M}/model-versions/get?name=${name}&version=1`)).json.model_version;
    return v.status !== 'PENDING_REGISTRATION' && v;
  });
  assert.ok(['READY', 'FAILED_REGISTRATION'].includes(final.status));
  if (final.status === 'FAILED_REGISTRATION') assert.match(final.status_message, /mlflow-artifacts:\/0\/abc/);
  ok(await d.api('POST', `${M}/model-versions/create`, { name, source: 'mlflow-artifacts:/0/abc/artifacts/model' }));
  ok(await d.api('POST', `${M}/model-versions/transition-stage`, { name, version: '1', stage: 'Production', archive_existing_versions: true }));
  const t = ok(await d.api('POST', `${M}/model-versions/transition-stage`, { name, version: '2', stage: 'Production', archive_existing_versions: true })).model_version;
  assert.equal(t.current_stage, 'Production');
  assert.equal((await getVersion(name, 1)).current_stage, 'Archived');
  ok(await d.api('POST', `${M}/registered-models/alias`, { name, alias: 'prod', version: '2' }));
  assert.equal(ok(await d.api('GET', `${M}/registered-models/alias?name=${name}&alias=prod`)).model_version.version, '2');
  const latest = ok(await d.api('POST', `${M}/registered-models/get-latest-versions`, { name, stages: ['Production'] })).model_versions;
  assert.deepEqual(latest.map((v) => v.version), ['2']);
});

test('20 concurrent transitions to Production with archive_existing_versions leave one', async () => {
  const { name } = await createModel();
  for (let i = 0; i < 20; i++) await createVersion(name);
  const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => transition(name, String(i + 1), 'Production', true)));
  for (const r of rs) ok(r);
  const all = ok(await api('GET', 'model-versions/search', { filter: `name='${name}'` })).model_versions;
  assert.equal(all.length, 20);
  assert.equal(all.filter((v) => v.current_stage === 'Production').length, 1);
  assert.equal(all.filter((v) => v.current_stage === 'Archived').length, 19);
});

test('Databricks variants: model get, transition with comment, transition requests, comments', async () => {
  const { name } = await createModel({ description: 'dbx' });
  await createVersion(name);
  await createVersion(name);
  const g = ok(await api('GET', 'databricks/registered-models/get', { name })).registered_model_databricks;
  assert.match(g.id, /^[0-9a-f]{32}$/);
  assert.equal(g.permission_level, 'CAN_MANAGE');
  assert.equal(g.description, 'dbx');
  err(await api('GET', 'databricks/registered-models/get', { name: uniq('nope') }), 404, 'RESOURCE_DOES_NOT_EXIST');
  const t = ok(await api('POST', 'databricks/model-versions/transition-stage', { name, version: '1', stage: 'Staging', archive_existing_versions: false, comment: 'ship it' }));
  assert.equal(t.model_version_databricks.current_stage, 'Staging');
  assert.equal(t.model_version_databricks.permission_level, 'CAN_MANAGE');

  // transition requests
  const req = ok(await api('POST', 'transition-requests/create', { name, version: '2', stage: 'Production', comment: 'please' })).request;
  assert.equal(req.to_stage, 'Production');
  assert.equal(req.user_id, 'admin');
  assert.equal(req.comment, 'please');
  assert.ok(req.available_actions.includes('APPROVE_TRANSITION_REQUEST'));
  let list = ok(await api('GET', 'transition-requests/list', { name, version: '2' })).requests;
  assert.equal(list.length, 1);
  assert.equal(list[0].activity_type, 'REQUESTED_TRANSITION');
  assert.equal(list[0].from_stage, 'None');
  const ap = ok(await api('POST', 'transition-requests/approve', { name, version: '2', stage: 'Production', archive_existing_versions: true, comment: 'ok' })).activity;
  assert.equal(ap.activity_type, 'APPROVED_REQUEST');
  assert.equal(ap.to_stage, 'Production');
  assert.equal((await getVersion(name, 2)).current_stage, 'Production');
  assert.deepEqual(ok(await api('GET', 'transition-requests/list', { name, version: '2' })).requests ?? [], []);
  err(await api('POST', 'transition-requests/approve', { name, version: '2', stage: 'Production', archive_existing_versions: false }), 404, 'RESOURCE_DOES_NOT_EXIST');
  ok(await api('POST', 'transition-requests/create', { name, version: '1', stage: 'Archived' }));
  const rj = ok(await api('POST', 'transition-requests/reject', { name, version: '1', stage: 'Archived', comment: 'no' })).activity;
  assert.equal(rj.activity_type, 'REJECTED_REQUEST');
  assert.equal((await getVersion(name, 1)).current_stage, 'Staging');
  ok(await api('POST', 'transition-requests/create', { name, version: '1', stage: 'Production' }));
  const dl = ok(await api('DELETE', 'transition-requests/delete', { name, version: '1', stage: 'Production', creator: 'admin' })).activity;
  assert.equal(dl.activity_type, 'CANCELLED_REQUEST');
  list = ok(await api('GET', 'transition-requests/list', { name, version: '1' })).requests ?? [];
  assert.equal(list.length, 0);
  err(await api('POST', 'transition-requests/create', { name, version: '1', stage: 'bogus' }), 400, 'INVALID_PARAMETER_VALUE');

  // comments
  const c = ok(await api('POST', 'comments/create', { name, version: '1', comment: 'looks good' })).comment;
  assert.match(c.id, /^[0-9a-f]{32}$/);
  assert.equal(c.comment, 'looks good');
  assert.equal(c.user_id, 'admin');
  assert.deepEqual(c.available_actions, ['EDIT_COMMENT', 'DELETE_COMMENT']);
  const cu = ok(await api('PATCH', 'comments/update', { id: c.id, comment: 'even better' })).comment;
  assert.equal(cu.comment, 'even better');
  assert.equal(cu.creation_timestamp, c.creation_timestamp);
  ok(await api('DELETE', 'comments/delete', { id: c.id }));
  err(await api('PATCH', 'comments/update', { id: c.id, comment: 'x' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  err(await api('POST', 'comments/create', { name, version: '1' }), 400, 'INVALID_PARAMETER_VALUE');
});

// ---- webhooks ----

async function hookServer(plan = () => 200) {
  const got = [];
  const srv = createServer((rq, rs) => {
    const chunks = [];
    rq.on('data', (c) => chunks.push(c));
    rq.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      got.push({ body, json: JSON.parse(body), headers: rq.headers });
      const status = plan(got.length);
      rs.writeHead(status, { 'Content-Type': 'text/plain' });
      rs.end(status === 200 ? 'thanks' : 'nope');
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return { got, url: `http://127.0.0.1:${srv.address().port}/hook`, close: () => new Promise((r) => srv.close(r)) };
}

const hmac = (secret, body) => createHmac('sha256', secret).update(body).digest('hex');

test('webhooks: CRUD, deliveries with HMAC, retry after a 500, test endpoint', async () => {
  const failFirst = await hookServer((n) => (n === 1 ? 500 : 200));
  try {
    const { name } = await createModel();
    const secret = 's3cr3t';
    const w = ok(await api('POST', 'registry-webhooks/create', {
      model_name: name, events: ['MODEL_VERSION_CREATED', 'MODEL_VERSION_TRANSITIONED_TO_PRODUCTION'],
      description: 'd', http_url_spec: { url: failFirst.url, secret, authorization: 'Bearer abc' },
    })).webhook;
    assert.match(w.id, /^[0-9a-f]{32}$/);
    assert.equal(w.status, 'ACTIVE');
    assert.equal(w.model_name, name);
    assert.deepEqual(w.http_url_spec, { url: failFirst.url, enable_ssl_verification: true });
    assert.equal(w.http_url_spec.secret, undefined);
    await createVersion(name);
    // first POST answered 500, the retry (after ~1 s) succeeds
    await d.waitFor(() => failFirst.got.length >= 2, 10000, 20);
    const [first, second] = failFirst.got;
    assert.equal(first.body, second.body);
    assert.equal(second.json.event, 'MODEL_VERSION_CREATED');
    assert.equal(second.json.webhook_id, w.id);
    assert.equal(second.json.model_name, name);
    assert.equal(second.json.version, '1');
    assert.equal(second.headers['x-databricks-signature'], hmac(secret, second.body));
    assert.equal(second.headers.authorization, 'Bearer abc');
    ok(await transition(name, '1', 'Production'));
    await d.waitFor(() => failFirst.got.length >= 3, 10000, 20);
    assert.equal(failFirst.got[2].json.event, 'MODEL_VERSION_TRANSITIONED_TO_PRODUCTION');
    assert.equal(failFirst.got[2].json.to_stage, 'Production');
    assert.equal(failFirst.got[2].json.from_stage, 'None');

    // list, update, test, delete
    const listed = ok(await api('GET', 'registry-webhooks/list', { model_name: name })).webhooks;
    assert.deepEqual(listed.map((x) => x.id), [w.id]);
    assert.deepEqual(ok(await api('GET', 'registry-webhooks/list', { model_name: name, events: ['COMMENT_CREATED'] })).webhooks ?? [], []);
    const up = ok(await api('PATCH', 'registry-webhooks/update', { id: w.id, status: 'DISABLED', description: 'off' })).webhook;
    assert.equal(up.status, 'DISABLED');
    assert.equal(up.description, 'off');
    const before = failFirst.got.length;
    await createVersion(name); // disabled: not delivered
    const tr = ok(await api('POST', 'registry-webhooks/test', { id: w.id, event: 'MODEL_VERSION_CREATED' }));
    assert.equal(tr.webhook.status_code, 200);
    assert.equal(tr.webhook.body, 'thanks');
    assert.equal(tr.status_code, 200);
    assert.equal(failFirst.got.length, before + 1);
    const tb = failFirst.got.at(-1);
    assert.equal(tb.json.event, 'MODEL_VERSION_CREATED');
    assert.equal(tb.headers['x-databricks-signature'], hmac(secret, tb.body));
    err(await api('POST', 'registry-webhooks/test', { id: 'f'.repeat(32) }), 404, 'RESOURCE_DOES_NOT_EXIST');
    ok(await api('DELETE', 'registry-webhooks/delete', { id: w.id }));
    err(await api('DELETE', 'registry-webhooks/delete', { id: w.id }), 404, 'RESOURCE_DOES_NOT_EXIST');
    // validation
    err(await api('POST', 'registry-webhooks/create', { events: ['NOPE'], http_url_spec: { url: failFirst.url } }), 400, 'INVALID_PARAMETER_VALUE');
    err(await api('POST', 'registry-webhooks/create', { events: ['MODEL_VERSION_CREATED'] }), 400, 'INVALID_PARAMETER_VALUE');
    err(await api('POST', 'registry-webhooks/create', { events: ['MODEL_VERSION_CREATED'], http_url_spec: { url: 'file:///etc/passwd' } }), 400, 'INVALID_PARAMETER_VALUE');
    err(await api('POST', 'registry-webhooks/create', { model_name: name, events: ['REGISTERED_MODEL_CREATED'], http_url_spec: { url: failFirst.url } }), 400, 'INVALID_PARAMETER_VALUE');
    err(await api('POST', 'registry-webhooks/create', { model_name: uniq('nope'), events: ['MODEL_VERSION_CREATED'], http_url_spec: { url: failFirst.url } }), 404, 'RESOURCE_DOES_NOT_EXIST');
    err(await api('POST', 'registry-webhooks/create', { events: ['MODEL_VERSION_CREATED'], job_spec: { job_id: '1', access_token: 'x' }, http_url_spec: { url: failFirst.url } }), 400, 'INVALID_PARAMETER_VALUE');
    err(await api('POST', 'registry-webhooks/create', { events: ['MODEL_VERSION_CREATED'], job_spec: { job_id: 'abc', access_token: 'x' } }), 400, 'INVALID_PARAMETER_VALUE');
    err(await api('POST', 'registry-webhooks/create', { events: ['MODEL_VERSION_CREATED'], job_spec: { job_id: '1' } }), 400, 'INVALID_PARAMETER_VALUE');
    err(await api('POST', 'registry-webhooks/create', { events: ['MODEL_VERSION_CREATED'], job_spec: { job_id: '1', access_token: 'x', workspace_url: 'ftp://x' } }), 400, 'INVALID_PARAMETER_VALUE');
  } finally {
    await failFirst.close();
  }
});

// A job webhook runs the job through run-now with the payload as the notebook parameter
// event_message (what Databricks' job webhooks pass: dbutils.widgets.get("event_message")).
test('webhooks: a job_spec webhook runs its job with the event as event_message', async () => {
  const job = await d.api('POST', '/api/2.1/jobs/create', { name: uniq('hookjob'),
    tasks: [{ task_key: 'c', condition_task: { op: 'EQUAL_TO', left: '1', right: '1' } }] });
  assert.equal(job.status, 200, job.text);
  const jobId = job.json.job_id;
  const runsOf = async () => (await d.api('GET', `/api/2.1/jobs/runs/list?job_id=${jobId}`)).json.runs ?? [];
  const { name } = await createModel();
  const w = ok(await api('POST', 'registry-webhooks/create', { model_name: name, events: ['MODEL_VERSION_CREATED'],
    job_spec: { job_id: String(jobId), access_token: d.token } })).webhook;
  assert.deepEqual(w.job_spec, { job_id: String(jobId) }); // the token is never shown
  assert.equal(w.http_url_spec, undefined);
  await createVersion(name);
  const runs = await d.waitFor(async () => { const r = await runsOf(); return r.length > 0 && r; }, 10000, 50);
  const run = (await d.api('GET', `/api/2.1/jobs/runs/get?run_id=${runs[0].run_id}`)).json;
  const msg = JSON.parse(run.overriding_parameters.notebook_params.event_message);
  assert.equal(msg.event, 'MODEL_VERSION_CREATED');
  assert.equal(msg.model_name, name);
  assert.equal(msg.webhook_id, w.id);
  // the test endpoint runs it too, and answers with run-now's answer
  const tr = ok(await api('POST', 'registry-webhooks/test', { id: w.id }));
  assert.equal(tr.status_code, 200);
  assert.ok(JSON.parse(tr.body).run_id > 0);
  await d.waitFor(async () => (await runsOf()).length >= 2, 10000, 50);
  // listed with its job_spec; an update back to an http_url_spec drops it
  const listed = ok(await api('GET', 'registry-webhooks/list', { model_name: name })).webhooks;
  assert.deepEqual(listed[0].job_spec, { job_id: String(jobId) });
  const s = await hookServer();
  try {
    const up = ok(await api('PATCH', 'registry-webhooks/update', { id: w.id, http_url_spec: { url: s.url } })).webhook;
    assert.equal(up.job_spec, undefined);
    assert.equal(up.http_url_spec.url, s.url);
    await createVersion(name);
    await d.waitFor(() => s.got.length >= 1, 10000, 20);
    assert.equal(s.got[0].json.event, 'MODEL_VERSION_CREATED');
    assert.equal(s.got[0].headers.authorization, undefined); // the job's token went with the job_spec
  } finally {
    await s.close();
  }
  // a job webhook with a token that does not authenticate: run-now refuses, nothing runs
  const bad = ok(await api('POST', 'registry-webhooks/create', { model_name: name, events: ['COMMENT_CREATED'],
    job_spec: { job_id: String(jobId), access_token: 'not-a-token' } })).webhook;
  const tb = ok(await api('POST', 'registry-webhooks/test', { id: bad.id }));
  assert.equal(tb.status_code, 401);
  ok(await api('DELETE', 'registry-webhooks/delete', { id: w.id }));
  ok(await api('DELETE', 'registry-webhooks/delete', { id: bad.id }));
});

test('webhooks: a registry-wide webhook sees REGISTERED_MODEL_CREATED; TEST_MODE is not triggered', async () => {
  const s = await hookServer();
  try {
    const w = ok(await api('POST', 'registry-webhooks/create', { events: ['REGISTERED_MODEL_CREATED', 'COMMENT_CREATED'], http_url_spec: { url: s.url } })).webhook;
    const tm = ok(await api('POST', 'registry-webhooks/create', { events: ['REGISTERED_MODEL_CREATED'], status: 'TEST_MODE', http_url_spec: { url: s.url } })).webhook;
    const { name } = await createModel();
    await d.waitFor(() => s.got.some((g) => g.json.model_name === name), 10000, 20);
    await createVersion(name);
    ok(await api('POST', 'comments/create', { name, version: '1', comment: 'hi' }));
    await d.waitFor(() => s.got.some((g) => g.json.event === 'COMMENT_CREATED' && g.json.model_name === name), 10000, 20);
    assert.ok(s.got.filter((g) => g.json.model_name === name).every((g) => g.json.webhook_id === w.id));
    assert.equal(s.got[0].headers['x-databricks-signature'], undefined); // no secret, no signature
    ok(await api('DELETE', 'registry-webhooks/delete', { id: w.id }));
    ok(await api('DELETE', 'registry-webhooks/delete', { id: tm.id }));
  } finally {
    await s.close();
  }
});

test('webhooks: pending deliveries survive kill -9 and are sent after the restart', async () => {
  const d2 = await startDaemon();
  let s;
  try {
    // a URL on which nothing listens yet: the first attempt fails, the delivery stays queued
    s = await hookServer();
    const url = s.url;
    await s.close();
    const { name } = await createModel({}, d2);
    ok(await call(d2, 'POST', 'registry-webhooks/create', { model_name: name, events: ['MODEL_VERSION_CREATED'], http_url_spec: { url, secret: 'k' } }));
    await createVersion(name, {}, d2);
    await new Promise((r) => setTimeout(r, 150));
    await d2.kill9();
    // now listen on that same port and restart the daemon
    const port = Number(new URL(url).port);
    const got = [];
    const srv = createServer((rq, rs) => {
      const chunks = [];
      rq.on('data', (c) => chunks.push(c));
      rq.on('end', () => { got.push({ body: Buffer.concat(chunks).toString(), headers: rq.headers }); rs.end('ok'); });
    });
    await new Promise((r) => srv.listen(port, '127.0.0.1', r));
    try {
      await d2.restart();
      await d2.waitFor(() => got.length >= 1, 15000, 20);
      assert.equal(JSON.parse(got[0].body).model_name, name);
      assert.equal(got[0].headers['x-databricks-signature'], hmac('k', got[0].body));
    } finally {
      await new Promise((r) => srv.close(r));
    }
  } finally {
    await d2.stop();
  }
});

test('signed download route: works without a token only with a valid signature', async () => {
  const bad = await d.api('GET', `${M}/model-versions/signed-download?model_id=${'a'.repeat(32)}&version=1&path=MLmodel&expires=${Date.now() + 60000}&signature=${'0'.repeat(64)}`, undefined, { token: null });
  err(bad, 403, 'PERMISSION_DENIED', /signature/);
  err(await d.api('GET', `${M}/model-versions/signed-download?path=x`, undefined, { token: null }), 403, 'PERMISSION_DENIED');
  // other registry routes still need the token
  assert.equal((await d.api('GET', `${M}/registered-models/search`, undefined, { token: null })).status, 401);
  const { name } = await createModel();
  await createVersion(name);
  // no stored artifacts (the source does not exist): no signed URL
  const r = await api('GET', 'model-versions/get-signed-download-uri', { name, version: '1', path: 'MLmodel' });
  assert.equal(r.status, 400, r.text);
});

test('permissions: a second user gets 403 until granted, levels gate each operation', async () => {
  const u = ok(await d.api('POST', `${SCIM}/Users`, { userName: `${uniq('u')}@example.com` }), 201);
  const tok = ok(await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: u.id })).token_value;
  const as = (method, path, params) => api(method, path, params, { token: tok });
  const { name } = await createModel();
  await createVersion(name);
  const id = ok(await api('GET', 'databricks/registered-models/get', { name })).registered_model_databricks.id;
  const grant = async (level) => ok(await d.api('PATCH', `/api/2.0/permissions/registered-models/${id}`, { access_control_list: [{ user_name: u.userName, permission_level: level }] }));
  const denied = (r) => err(r, 403, 'PERMISSION_DENIED');

  denied(await as('GET', 'registered-models/get', { name }));
  denied(await as('GET', 'model-versions/get', { name, version: '1' }));
  assert.ok(!(ok(await as('GET', 'registered-models/search', {})).registered_models ?? []).some((m) => m.name === name));
  assert.ok(!(ok(await as('GET', 'model-versions/search', { filter: `name='${name}'` })).model_versions ?? []).length);
  denied(await d.api('GET', `/api/2.0/permissions/registered-models/${id}`, undefined, { token: tok }));
  assert.equal((await d.api('GET', `/api/2.0/permissions/registered-models/${'0'.repeat(32)}`)).status, 404);
  const p = ok(await d.api('GET', `/api/2.0/permissions/registered-models/${id}`));
  assert.equal(p.object_type, 'registered-model');
  assert.equal(p.object_id, `/registered-models/${id}`);

  await grant('CAN_READ');
  ok(await as('GET', 'registered-models/get', { name }));
  assert.ok(ok(await as('GET', 'registered-models/search', {})).registered_models.some((m) => m.name === name));
  assert.equal(ok(await as('GET', 'databricks/registered-models/get', { name })).registered_model_databricks.permission_level, 'CAN_READ');
  denied(await as('PATCH', 'registered-models/update', { name, description: 'x' }));
  denied(await as('POST', 'model-versions/create', { name, source: 'dbfs:/x' }));
  denied(await as('POST', 'transition-requests/create', { name, version: '1', stage: 'Staging' }));

  await grant('CAN_EDIT');
  ok(await as('PATCH', 'registered-models/update', { name, description: 'x' }));
  assert.equal((ok(await as('POST', 'model-versions/create', { name, source: 'dbfs:/x' }))).model_version.user_id, u.userName);
  denied(await as('POST', 'model-versions/transition-stage', { name, version: '1', stage: 'Staging', archive_existing_versions: false }));
  ok(await as('POST', 'transition-requests/create', { name, version: '1', stage: 'Staging' })); // request instead
  denied(await as('POST', 'transition-requests/approve', { name, version: '1', stage: 'Staging', archive_existing_versions: false }));
  denied(await as('DELETE', 'registered-models/delete', { name }));

  await grant('CAN_MANAGE_STAGING_VERSIONS');
  ok(await as('POST', 'transition-requests/approve', { name, version: '1', stage: 'Staging', archive_existing_versions: false }));
  denied(await as('POST', 'model-versions/transition-stage', { name, version: '1', stage: 'Production', archive_existing_versions: false }));
  await grant('CAN_MANAGE_PRODUCTION_VERSIONS');
  ok(await as('POST', 'model-versions/transition-stage', { name, version: '1', stage: 'Production', archive_existing_versions: false }));
  denied(await as('POST', 'registered-models/rename', { name, new_name: uniq('r') }));
  denied(await as('POST', 'registry-webhooks/create', { events: ['REGISTERED_MODEL_CREATED'], http_url_spec: { url: 'http://127.0.0.1:1/x' } }));
  await grant('CAN_MANAGE');
  ok(await as('DELETE', 'registered-models/delete', { name }));
  // the creator owns what they create
  const mine = ok(await as('POST', 'registered-models/create', { name: uniq('mine') })).registered_model;
  assert.equal(mine.user_id, u.userName);
  ok(await as('DELETE', 'registered-models/delete', { name: mine.name }));
});

// ---- with MLflow tracking (runs) and DBFS artifact storage ----

async function runWithModel(daemon) {
  const exp = ok(await call(daemon, 'POST', 'experiments/create', { name: `/Shared/${uniq('exp')}` })).experiment_id;
  const run = ok(await call(daemon, 'POST', 'runs/create', { experiment_id: exp })).run.info;
  const files = { 'model/MLmodel': 'flavors: {}\n', 'model/data/weights.bin': 'x'.repeat(1000) };
  for (const [path, text] of Object.entries(files)) {
    const uri = `${run.artifact_uri.replace(/\/$/, '')}/${path}`;
    if (uri.startsWith('dbfs:/')) {
      ok(await daemon.api('POST', '/api/2.0/dbfs/put', { path: uri.slice(5), contents: Buffer.from(text).toString('base64'), overwrite: true }));
    } else {
      const rel = uri.replace(/^mlflow-artifacts:\//, '');
      const r = await fetch(`${daemon.url}/api/2.0/mlflow-artifacts/artifacts/${rel}`, { method: 'PUT', headers: { Authorization: `Bearer ${daemon.token}` }, body: text });
      assert.equal(r.status, 200, await r.text());
    }
  }
  return { run, files };
}

describe('runs, artifact copies, signed downloads', () => {
  test('register a run\'s model: READY after the copy, list-artifacts, signed download, delete', async () => {
    const { run, files } = await runWithModel(d);
    const { name } = await createModel();
    const mv = await createVersion(name, { source: `runs:/${run.run_id}/model`, run_id: run.run_id });
    const ready = await d.waitFor(async () => { const v = await getVersion(name, mv.version); return v.status === 'READY' && v; });
    assert.equal(ready.source, `runs:/${run.run_id}/model`);
    const uri = ok(await api('GET', 'model-versions/get-download-uri', { name, version: mv.version })).artifact_uri;
    assert.match(uri, /^dbfs:\/mlflow-registry\/[0-9a-f]{32}\/1$/);
    const ls = ok(await api('GET', 'model-versions/list-artifacts', { name, version: mv.version })).files;
    assert.deepEqual(ls.map((f) => f.path).sort(), ['MLmodel', 'data']);
    const s = ok(await api('GET', 'model-versions/get-signed-download-uri', { name, version: mv.version, path: 'data/weights.bin' }));
    assert.deepEqual(s.headers, []);
    const got = await fetch(s.signed_uri); // no token
    assert.equal(got.status, 200);
    assert.equal(await got.text(), files['model/data/weights.bin']);
    const tampered = s.signed_uri.replace('path=data%2Fweights.bin', 'path=MLmodel').replace('path=data/weights.bin', 'path=MLmodel');
    assert.equal((await fetch(tampered)).status, 403);
    ok(await api('DELETE', 'registered-models/delete', { name }));
    await d.waitFor(async () => (await d.api('GET', `/api/2.0/dbfs/get-status?path=${encodeURIComponent(uri.slice(5))}`)).status === 404);
  });

  test('signed URLs expire', async () => {
    const d3 = await startDaemon({ env: { LAKEHOUSE_TEST_MINUTE_MS: '20' } }); // 15 "minutes" = 300 ms
    try {
      const { run } = await runWithModel(d3);
      const { name } = await createModel({}, d3);
      await createVersion(name, { source: `runs:/${run.run_id}/model` }, d3);
      await d3.waitFor(async () => (await call(d3, 'GET', 'model-versions/get', { name, version: '1' })).json.model_version.status === 'READY');
      const s = ok(await call(d3, 'GET', 'model-versions/get-signed-download-uri', { name, version: '1', path: 'MLmodel' }));
      await new Promise((r) => setTimeout(r, 400));
      assert.equal((await fetch(s.signed_uri)).status, 403);
    } finally {
      await d3.stop();
    }
  });

  test('an unknown run fails the registration with a status message', async () => {
    const { name } = await createModel();
    await createVersion(name, { source: `runs:/${'c'.repeat(32)}/model` });
    const v = await d.waitFor(async () => { const x = await getVersion(name, 1); return x.status !== 'PENDING_REGISTRATION' && x; });
    assert.equal(v.status, 'FAILED_REGISTRATION');
    assert.match(v.status_message, /c{32}/);
  });
});
