// mlflow_tracking.test.mjs - the MLflow tracking server (api/mlflow) over HTTP: experiments,
// runs, metrics (latest-value rule, NaN/Infinity, history paging and sampling), params,
// tags, batches and their limits, datasets, log-model, logged models, search (filter
// grammar, ordering, stable pages), the /ajax-api alias, GET query parameters, traces and
// unknown paths, a replay of what the MLflow Python client sends, concurrent writers into
// one run, experiment permissions, and a restart.
// Run: LH_BIN=build/lakehoused node --test tests/api/mlflow_tracking.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';

const M = '/api/2.0/mlflow';
const SCIM = '/api/2.0/preview/scim/v2';

let d;
before(async () => { d = await startDaemon(); });
after(async () => { await d.stop(); });

const ok = (r, status = 200) => {
  assert.equal(r.status, status, r.text);
  return r.json;
};
const fails = (r, status, code, message) => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error_code, code, r.text);
  if (message) assert.match(r.json.message, message);
  return r.json;
};
let seq = 0;
const uniq = (p) => `${p}-${process.pid}-${++seq}`;
// a query string; arrays become repeated parameters
const qs = (o) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) for (const x of [].concat(v)) p.append(k, String(x));
  return p.toString();
};
const get = (path, params = {}, o) => d.api('GET', `${M}/${path}?${qs(params)}`, undefined, o);
const post = (path, body, o) => d.api('POST', `${M}/${path}`, body, o);

async function newExperiment(body = {}) {
  return ok(await post('experiments/create', { name: uniq('exp'), ...body })).experiment_id;
}
async function newRun(experimentId, body = {}) {
  return ok(await post('runs/create', { experiment_id: experimentId, start_time: Date.now(), ...body })).run;
}
const getRun = async (id) => ok(await get('runs/get', { run_id: id })).run;
const metricsOf = (run) => Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, m]));
const tagsOf = (list) => Object.fromEntries((list ?? []).map((t) => [t.key, t.value]));
const search = async (body) => ok(await post('runs/search', body));
const searchIds = async (body) => ((await search(body)).runs ?? []).map((r) => r.info.run_id);

// ------------------------------------------------------------------------------------------
// experiments
// ------------------------------------------------------------------------------------------

test('the Default experiment "0" exists on first start', async () => {
  const e = ok(await get('experiments/get', { experiment_id: '0' })).experiment;
  assert.equal(e.experiment_id, '0');
  assert.equal(e.name, 'Default');
  assert.equal(e.artifact_location, 'dbfs:/mlflow/0');
  assert.equal(e.lifecycle_stage, 'active');
  assert.equal(typeof e.creation_time, 'number');
  const byName = ok(await get('experiments/get-by-name', { experiment_name: 'Default' })).experiment;
  assert.deepEqual(byName, e);
});

test('experiments: create, get, get-by-name, duplicates, rename, tags, delete and restore', async () => {
  const name = uniq('exp');
  const id = ok(await post('experiments/create', { name, tags: [{ key: 'team', value: 'ml' }] })).experiment_id;
  assert.match(id, /^[0-9]+$/);
  const e = ok(await get('experiments/get', { experiment_id: id })).experiment;
  assert.equal(e.name, name);
  assert.equal(e.artifact_location, `dbfs:/mlflow/${id}`);
  assert.deepEqual(e.tags, [{ key: 'team', value: 'ml' }]);
  assert.deepEqual(ok(await get('experiments/get-by-name', { experiment_name: name })).experiment, e);

  fails(await post('experiments/create', { name }), 400, 'RESOURCE_ALREADY_EXISTS', /already exists/);
  fails(await post('experiments/create', {}), 400, 'INVALID_PARAMETER_VALUE', /name/);
  fails(await post('experiments/create', { name: 'x'.repeat(501) }), 400, 'INVALID_PARAMETER_VALUE', /500/);
  fails(await get('experiments/get', { experiment_id: '987654321' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  fails(await get('experiments/get', { experiment_id: 'abc' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  fails(await get('experiments/get-by-name', { experiment_name: uniq('missing') }), 404, 'RESOURCE_DOES_NOT_EXIST');

  // a given artifact_location is kept
  const loc = ok(await post('experiments/create', { name: uniq('loc'), artifact_location: 'dbfs:/custom/place' })).experiment_id;
  assert.equal(ok(await get('experiments/get', { experiment_id: loc })).experiment.artifact_location, 'dbfs:/custom/place');
  fails(await post('experiments/create', { name: uniq('bad'), artifact_location: 'runs:/abc/x' }), 400, 'INVALID_PARAMETER_VALUE');

  // rename
  const renamed = uniq('renamed');
  ok(await post('experiments/update', { experiment_id: id, new_name: renamed }));
  assert.equal(ok(await get('experiments/get', { experiment_id: id })).experiment.name, renamed);
  fails(await post('experiments/update', { experiment_id: id, new_name: 'Default' }), 400, 'RESOURCE_ALREADY_EXISTS');

  // tags
  ok(await post('experiments/set-experiment-tag', { experiment_id: id, key: 'stage', value: 'dev' }));
  ok(await post('experiments/set-experiment-tag', { experiment_id: id, key: 'stage', value: 'prod' }));
  assert.deepEqual(tagsOf(ok(await get('experiments/get', { experiment_id: id })).experiment.tags), { team: 'ml', stage: 'prod' });
  ok(await post('experiments/delete-experiment-tag', { experiment_id: id, key: 'team' }));
  fails(await post('experiments/delete-experiment-tag', { experiment_id: id, key: 'team' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  fails(await post('experiments/set-experiment-tag', { experiment_id: id, key: 'a/../b', value: 'x' }), 400, 'INVALID_PARAMETER_VALUE');

  // delete marks the experiment and its runs deleted; restore brings both back
  const run = await newRun(id);
  ok(await post('experiments/delete', { experiment_id: id }));
  const gone = ok(await get('experiments/get', { experiment_id: id })).experiment;
  assert.equal(gone.lifecycle_stage, 'deleted');
  assert.equal((await getRun(run.info.run_id)).info.lifecycle_stage, 'deleted');
  fails(await post('experiments/delete', { experiment_id: id }), 404, 'RESOURCE_DOES_NOT_EXIST');
  fails(await post('runs/create', { experiment_id: id }), 400, 'INVALID_PARAMETER_VALUE', /must be in the 'active' state/);
  fails(await post('experiments/update', { experiment_id: id, new_name: uniq('x') }), 400, 'INVALID_STATE');
  fails(await post('experiments/set-experiment-tag', { experiment_id: id, key: 'k', value: 'v' }), 400, 'INVALID_PARAMETER_VALUE', /active/);
  fails(await post('experiments/create', { name: renamed }), 400, 'RESOURCE_ALREADY_EXISTS');
  ok(await post('experiments/restore', { experiment_id: id }));
  assert.equal(ok(await get('experiments/get', { experiment_id: id })).experiment.lifecycle_stage, 'active');
  assert.equal((await getRun(run.info.run_id)).info.lifecycle_stage, 'active');
  fails(await post('experiments/restore', { experiment_id: id }), 404, 'RESOURCE_DOES_NOT_EXIST');
});

test('experiments/search: filter, order_by, view_type, pages (POST and GET), legacy list', async () => {
  const prefix = uniq('srch');
  const ids = [];
  for (let i = 0; i < 5; i++) {
    ids.push(ok(await post('experiments/create', { name: `${prefix}-${i}`, tags: [{ key: 'idx', value: String(i) }] })).experiment_id);
    await new Promise((r) => setTimeout(r, 3)); // distinct creation times
  }
  const names = async (body) => (ok(await post('experiments/search', body)).experiments ?? []).map((e) => e.name);
  assert.deepEqual(await names({ filter: `name LIKE '${prefix}-%'`, order_by: ['name DESC'] }),
    [4, 3, 2, 1, 0].map((i) => `${prefix}-${i}`));
  assert.deepEqual(await names({ filter: `name LIKE '${prefix}-%' AND tags.idx = '3'` }), [`${prefix}-3`]);
  assert.deepEqual(await names({ filter: `name ILIKE '${prefix.toUpperCase()}-%' and tags.\`idx\` != '0'`, order_by: ['name'] }),
    [1, 2, 3, 4].map((i) => `${prefix}-${i}`));
  // default order: newest first
  assert.deepEqual(await names({ filter: `name LIKE '${prefix}-%'` }), [4, 3, 2, 1, 0].map((i) => `${prefix}-${i}`));
  const first = ok(await get('experiments/get', { experiment_id: ids[0] })).experiment;
  assert.ok((await names({ filter: `name LIKE '${prefix}-%' AND attributes.creation_time >= ${first.creation_time}` })).length === 5);
  assert.deepEqual(await names({ filter: `name LIKE '${prefix}-%' AND creation_time < ${first.creation_time}` }), []);

  // pages of 2 walk everything exactly once, in order
  const seen = [];
  let token;
  for (let pages = 0; pages < 10; pages++) {
    const r = ok(await post('experiments/search', { filter: `name LIKE '${prefix}-%'`, order_by: ['name ASC'], max_results: 2, page_token: token }));
    seen.push(...r.experiments.map((e) => e.name));
    token = r.next_page_token;
    if (!token) break;
  }
  assert.deepEqual(seen, [0, 1, 2, 3, 4].map((i) => `${prefix}-${i}`));

  // GET with query parameters, order_by repeated
  const g = ok(await get('experiments/search', { filter: `name LIKE '${prefix}-%'`, order_by: ['last_update_time DESC', 'name ASC'], max_results: 3 }));
  assert.equal(g.experiments.length, 3);
  assert.ok(g.next_page_token);
  // a token from another ordering is refused
  fails(await post('experiments/search', { filter: `name LIKE '${prefix}-%'`, order_by: ['name ASC'], page_token: g.next_page_token }),
    400, 'INVALID_PARAMETER_VALUE', /page_token/);
  fails(await post('experiments/search', { page_token: 'garbage!!' }), 400, 'INVALID_PARAMETER_VALUE', /page_token/);

  // view types
  ok(await post('experiments/delete', { experiment_id: ids[1] }));
  assert.deepEqual(await names({ filter: `name LIKE '${prefix}-%'`, order_by: ['name'] }), [0, 2, 3, 4].map((i) => `${prefix}-${i}`));
  assert.deepEqual(await names({ filter: `name LIKE '${prefix}-%'`, view_type: 'DELETED_ONLY' }), [`${prefix}-1`]);
  assert.equal((await names({ filter: `name LIKE '${prefix}-%'`, view_type: 'ALL' })).length, 5);
  assert.equal((ok(await get('experiments/search', { filter: `name LIKE '${prefix}-%'`, view_type: 'ALL' })).experiments).length, 5);

  // bad filters and orders name the problem
  fails(await post('experiments/search', { filter: 'name > 3' }), 400, 'INVALID_PARAMETER_VALUE', /comparator/);
  fails(await post('experiments/search', { filter: "metrics.x > 1" }), 400, 'INVALID_PARAMETER_VALUE', /entity type/);
  fails(await post('experiments/search', { order_by: ['tags.x'] }), 400, 'INVALID_PARAMETER_VALUE');
  fails(await post('experiments/search', { max_results: 50001 }), 400, 'INVALID_PARAMETER_VALUE', /max_results/);

  // legacy list
  const list = ok(await get('experiments/list')).experiments;
  assert.ok(list.some((e) => e.experiment_id === '0'));
  assert.ok(!list.some((e) => e.experiment_id === ids[1]));
  assert.ok(ok(await get('experiments/list', { view_type: 'ALL' })).experiments.some((e) => e.experiment_id === ids[1]));
});

test('the /ajax-api/2.0/mlflow alias serves the same handlers', async () => {
  const name = uniq('ajax');
  const r = ok(await d.api('POST', '/ajax-api/2.0/mlflow/experiments/create', { name }));
  const e = ok(await d.api('GET', `/ajax-api/2.0/mlflow/experiments/get?experiment_id=${r.experiment_id}`)).experiment;
  assert.equal(e.name, name);
  const run = ok(await d.api('POST', '/ajax-api/2.0/mlflow/runs/create', { experiment_id: r.experiment_id })).run;
  ok(await d.api('POST', '/ajax-api/2.0/mlflow/runs/log-metric', { run_id: run.info.run_id, key: 'm', value: 1, timestamp: 1 }));
  assert.equal(metricsOf(await getRun(run.info.run_id)).m.value, 1);
  fails(await d.api('GET', '/ajax-api/2.0/mlflow/runs/unknown'), 404, 'ENDPOINT_NOT_FOUND');
});

// ------------------------------------------------------------------------------------------
// runs
// ------------------------------------------------------------------------------------------

test('runs: ids, names and the mlflow.runName tag, update, tags, delete and restore', async () => {
  const exp = await newExperiment();
  const run = await newRun(exp, { run_name: 'first', user_id: 'alice', tags: [{ key: 'k', value: 'v' }] });
  const id = run.info.run_id;
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.equal(run.info.run_uuid, id);
  assert.equal(run.info.run_name, 'first');
  assert.equal(run.info.user_id, 'alice');
  assert.equal(run.info.status, 'RUNNING');
  assert.equal(run.info.experiment_id, exp);
  assert.equal(run.info.lifecycle_stage, 'active');
  assert.equal(run.info.artifact_uri, `dbfs:/mlflow/${exp}/${id}/artifacts`);
  assert.equal(run.info.end_time, undefined);
  assert.deepEqual(tagsOf(run.data.tags), { k: 'v', 'mlflow.runName': 'first' });
  assert.deepEqual(await getRun(id), run);

  // the tag names the run; the two must agree; neither gives a generated name
  assert.equal((await newRun(exp, { tags: [{ key: 'mlflow.runName', value: 'by-tag' }] })).info.run_name, 'by-tag');
  fails(await post('runs/create', { experiment_id: exp, run_name: 'a', tags: [{ key: 'mlflow.runName', value: 'b' }] }),
    400, 'INVALID_PARAMETER_VALUE', /different values/);
  const gen = await newRun(exp);
  assert.match(gen.info.run_name, /^[a-z]+-[a-z]+-\d{1,3}$/);
  assert.equal(tagsOf(gen.data.tags)['mlflow.runName'], gen.info.run_name);
  fails(await post('runs/create', { experiment_id: '987654321' }), 404, 'RESOURCE_DOES_NOT_EXIST');

  // update by the legacy run_uuid: status, end_time, name (the tag follows)
  const upd = ok(await post('runs/update', { run_uuid: id, status: 'FINISHED', end_time: 1234, run_name: 'renamed' })).run_info;
  assert.equal(upd.status, 'FINISHED');
  assert.equal(upd.end_time, 1234);
  assert.equal(upd.run_name, 'renamed');
  assert.equal(tagsOf((await getRun(id)).data.tags)['mlflow.runName'], 'renamed');
  fails(await post('runs/update', { run_id: id, status: 'BOGUS' }), 400, 'INVALID_PARAMETER_VALUE', /status/);
  // set-tag on mlflow.runName renames
  ok(await post('runs/set-tag', { run_id: id, key: 'mlflow.runName', value: 'via-tag' }));
  assert.equal((await getRun(id)).info.run_name, 'via-tag');
  ok(await post('runs/set-tag', { run_uuid: id, key: 'note', value: 'x' }));
  ok(await post('runs/delete-tag', { run_id: id, key: 'note' }));
  fails(await post('runs/delete-tag', { run_id: id, key: 'note' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  fails(await get('runs/get', { run_id: '0'.repeat(32) }), 404, 'RESOURCE_DOES_NOT_EXIST', /not found/);
  fails(await get('runs/get', {}), 400, 'INVALID_PARAMETER_VALUE', /run_id/);

  // a deleted run is readable but cannot be logged to
  ok(await post('runs/delete', { run_id: id }));
  assert.equal((await getRun(id)).info.lifecycle_stage, 'deleted');
  for (const [path, body] of [
    ['runs/log-metric', { key: 'm', value: 1, timestamp: 1 }],
    ['runs/log-parameter', { key: 'p', value: '1' }],
    ['runs/set-tag', { key: 't', value: '1' }],
    ['runs/log-batch', { metrics: [{ key: 'm', value: 1, timestamp: 1 }] }],
    ['runs/update', { status: 'FAILED' }],
  ]) {
    fails(await post(path, { run_id: id, ...body }), 400, 'INVALID_PARAMETER_VALUE', new RegExp(`${id} must be in the 'active' state`));
  }
  assert.deepEqual(await searchIds({ experiment_ids: [exp], run_view_type: 'DELETED_ONLY' }), [id]);
  assert.ok(!(await searchIds({ experiment_ids: [exp] })).includes(id));
  assert.equal((await searchIds({ experiment_ids: [exp], run_view_type: 'ALL' })).length, 3);
  ok(await post('runs/restore', { run_id: id }));
  ok(await post('runs/log-metric', { run_id: id, key: 'm', value: 1, timestamp: 1 }));
  fails(await post('runs/delete', { run_id: 'f'.repeat(32) }), 404, 'RESOURCE_DOES_NOT_EXIST');
});

test('metrics: the latest value per key follows MLflow (step, then timestamp, then value)', async () => {
  const run = await newRun(await newExperiment());
  const id = run.info.run_id;
  const log = (key, value, timestamp, step) => post('runs/log-metric', { run_id: id, key, value, timestamp, step });
  ok(await log('a', 5, 100, 2));
  ok(await log('a', 9, 999, 1)); // newer timestamp, smaller step: not the latest
  ok(await log('b', 1, 10, 0));
  ok(await log('b', 2, 20, 0)); // same step, newer timestamp wins
  ok(await log('b', 0, 5, 0));
  ok(await log('c', 3, 10, 0));
  ok(await log('c', 7, 10, 0)); // same step and timestamp: the larger value wins
  ok(await log('c', 4, 10, 0));
  ok(await log('d', 1, 10)); // step defaults to 0
  const m = metricsOf(await getRun(id));
  assert.deepEqual([m.a.value, m.a.step, m.a.timestamp], [5, 2, 100]);
  assert.deepEqual([m.b.value, m.b.timestamp], [2, 20]);
  assert.equal(m.c.value, 7);
  assert.equal(m.d.step, 0);
  // the same rule inside one batch
  ok(await post('runs/log-batch', { run_id: id, metrics: [
    { key: 'e', value: 1, timestamp: 1, step: 5 }, { key: 'e', value: 2, timestamp: 9, step: 4 }, { key: 'e', value: 3, timestamp: 1, step: 5 }] }));
  assert.equal(metricsOf(await getRun(id)).e.value, 3);
  // a repeated (key, timestamp, step, value) is kept once
  ok(await log('a', 5, 100, 2));
  assert.equal(ok(await get('metrics/get-history', { run_id: id, metric_key: 'a' })).metrics.length, 2);
});

test('metrics: NaN and ±Infinity round-trip as "NaN", "Infinity", "-Infinity"', async () => {
  const run = await newRun(await newExperiment());
  const id = run.info.run_id;
  ok(await post('runs/log-metric', { run_id: id, key: 'nan', value: 'NaN', timestamp: 1 }));
  ok(await post('runs/log-metric', { run_id: id, key: 'inf', value: 'Infinity', timestamp: 1 }));
  ok(await post('runs/log-batch', { run_id: id, metrics: [{ key: 'ninf', value: '-Infinity', timestamp: 1 }, { key: 'num', value: '2.5', timestamp: 1 }] }));
  const m = metricsOf(await getRun(id));
  assert.equal(m.nan.value, 'NaN');
  assert.equal(m.inf.value, 'Infinity');
  assert.equal(m.ninf.value, '-Infinity');
  assert.equal(m.num.value, 2.5);
  assert.deepEqual(ok(await get('metrics/get-history', { run_id: id, metric_key: 'inf' })).metrics,
    [{ key: 'inf', value: 'Infinity', timestamp: 1, step: 0 }]);
  assert.equal(ok(await get('metrics/get-history', { run_id: id, metric_key: 'nan' })).metrics[0].value, 'NaN');
  fails(await post('runs/log-metric', { run_id: id, key: 'x', value: 'abc', timestamp: 1 }), 400, 'INVALID_PARAMETER_VALUE', /double/);
  fails(await post('runs/log-metric', { run_id: id, key: 'x', value: 1 }), 400, 'INVALID_PARAMETER_VALUE', /timestamp/);
  fails(await post('runs/log-metric', { run_id: id, key: 'x', value: 1, timestamp: -5 }), 400, 'INVALID_PARAMETER_VALUE', /nonnegative/);
  // NaN matches only != in a search; Infinity compares as a number
  const exp = run.info.experiment_id;
  assert.deepEqual(await searchIds({ experiment_ids: [exp], filter: 'metrics.nan != 0' }), [id]);
  assert.deepEqual(await searchIds({ experiment_ids: [exp], filter: 'metrics.nan = 0' }), []);
  assert.deepEqual(await searchIds({ experiment_ids: [exp], filter: 'metrics.inf > 1e300' }), [id]);
});

test('metrics/get-history pages; get-history-bulk-interval samples steps as MLflow does', async () => {
  const exp = await newExperiment();
  const r1 = (await newRun(exp)).info.run_id;
  const r2 = (await newRun(exp)).info.run_id;
  const metrics = [];
  for (let s = 0; s < 100; s++) metrics.push({ key: 'loss', value: 100 - s, timestamp: 1000 + s, step: s });
  ok(await post('runs/log-batch', { run_id: r1, metrics }));
  ok(await post('runs/log-batch', { run_id: r2, metrics: metrics.slice(0, 50).map((m) => ({ ...m, step: m.step * 3 })) }));

  const all = ok(await get('metrics/get-history', { run_id: r1, metric_key: 'loss' }));
  assert.equal(all.metrics.length, 100);
  assert.equal(all.next_page_token, undefined);
  assert.deepEqual(all.metrics.map((m) => m.step), [...Array(100).keys()]);
  const paged = [];
  let token;
  for (let i = 0; i < 20; i++) {
    const r = ok(await get('metrics/get-history', { run_uuid: r1, metric_key: 'loss', max_results: 7, ...(token ? { page_token: token } : {}) }));
    paged.push(...r.metrics);
    token = r.next_page_token;
    if (!token) break;
  }
  assert.deepEqual(paged, all.metrics);
  assert.deepEqual(ok(await get('metrics/get-history', { run_id: r1, metric_key: 'nope' })).metrics, undefined);

  // bulk interval: at most max_results sampled steps (plus each run's ends), per run
  const b = ok(await get('metrics/get-history-bulk-interval', { run_ids: [r1, r2], metric_key: 'loss', max_results: 10 }));
  const byRun = (rid) => b.metrics.filter((m) => m.run_id === rid).map((m) => m.step);
  const s1 = byRun(r1), s2 = byRun(r2);
  assert.ok(s1.length > 0 && s1.length <= 14, JSON.stringify(s1));
  assert.equal(s1[0], 0);
  assert.ok(s1.includes(99));
  assert.ok(s2.includes(0) && s2.includes(147), JSON.stringify(s2));
  assert.deepEqual(s1, [...s1].sort((x, y) => x - y));
  assert.equal(b.metrics[0].key, 'loss');
  // few steps in range: every one of them
  const narrow = ok(await get('metrics/get-history-bulk-interval', { run_ids: r1, metric_key: 'loss', start_step: 10, end_step: 14 }));
  assert.deepEqual(narrow.metrics.map((m) => m.step), [10, 11, 12, 13, 14]);
  fails(await get('metrics/get-history-bulk-interval', { run_ids: r1, metric_key: 'loss', start_step: 5 }), 400, 'INVALID_PARAMETER_VALUE', /both/);
  fails(await get('metrics/get-history-bulk-interval', { run_ids: r1, metric_key: 'loss', start_step: 5, end_step: 1 }), 400, 'INVALID_PARAMETER_VALUE');
  fails(await get('metrics/get-history-bulk-interval', { run_ids: r1, metric_key: 'loss', max_results: 2501 }), 400, 'INVALID_PARAMETER_VALUE', /2500/);
  fails(await get('metrics/get-history-bulk-interval', { metric_key: 'loss' }), 400, 'INVALID_PARAMETER_VALUE', /run_ids/);
});

test('params are write-once; log-batch limits and validation match MLflow', async () => {
  const run = await newRun(await newExperiment());
  const id = run.info.run_id;
  ok(await post('runs/log-parameter', { run_id: id, key: 'lr', value: '0.1' }));
  ok(await post('runs/log-parameter', { run_id: id, key: 'lr', value: '0.1' })); // same value: fine
  fails(await post('runs/log-parameter', { run_id: id, key: 'lr', value: '0.2' }), 400, 'INVALID_PARAMETER_VALUE', /Changing param values is not allowed/);
  fails(await post('runs/log-batch', { run_id: id, params: [{ key: 'lr', value: '0.3' }] }), 400, 'INVALID_PARAMETER_VALUE', /Changing param values/);

  const ms = (n) => Array.from({ length: n }, (_, i) => ({ key: `m${i % 7}`, value: i, timestamp: i, step: i }));
  const kvs = (n, p) => Array.from({ length: n }, (_, i) => ({ key: `${p}${i}`, value: 'v' }));
  fails(await post('runs/log-batch', { run_id: id, metrics: ms(1001) }), 400, 'INVALID_PARAMETER_VALUE', /at most 1000 metrics/);
  fails(await post('runs/log-batch', { run_id: id, params: kvs(101, 'p') }), 400, 'INVALID_PARAMETER_VALUE', /at most 100 params/);
  fails(await post('runs/log-batch', { run_id: id, tags: kvs(101, 't') }), 400, 'INVALID_PARAMETER_VALUE', /at most 100 tags/);
  fails(await post('runs/log-batch', { run_id: id, metrics: ms(950), params: kvs(30, 'p'), tags: kvs(30, 't') }),
    400, 'INVALID_PARAMETER_VALUE', /at most 1000 metrics, params, and tags/);
  ok(await post('runs/log-batch', { run_id: id, metrics: ms(1000) }));
  ok(await post('runs/log-batch', { run_id: id, metrics: ms(900), params: kvs(50, 'p'), tags: kvs(50, 't') }));

  fails(await post('runs/log-batch', { run_id: id, metrics: [{ key: 'k'.repeat(251), value: 1, timestamp: 1 }] }), 400, 'INVALID_PARAMETER_VALUE', /250/);
  ok(await post('runs/log-batch', { run_id: id, metrics: [{ key: 'k'.repeat(250), value: 1, timestamp: 1 }] }));
  fails(await post('runs/log-batch', { run_id: id, params: [{ key: 'big', value: 'x'.repeat(6001) }] }), 400, 'INVALID_PARAMETER_VALUE', /6000/);
  ok(await post('runs/log-batch', { run_id: id, params: [{ key: 'big', value: 'x'.repeat(6000) }] }));
  fails(await post('runs/log-batch', { run_id: id, tags: [{ key: 'big', value: 'x'.repeat(8001) }] }), 400, 'INVALID_PARAMETER_VALUE', /8000/);
  ok(await post('runs/log-batch', { run_id: id, tags: [{ key: 'big', value: 'x'.repeat(8000) }] }));
  for (const bad of ['a/../b', '/abs', 'trail/', 'semi;colon', '..', '']) {
    const r = await post('runs/log-batch', { run_id: id, metrics: [{ key: bad, value: 1, timestamp: 1 }] });
    fails(r, 400, 'INVALID_PARAMETER_VALUE');
  }
  ok(await post('runs/log-batch', { run_id: id, metrics: [{ key: 'a/b c:d-e.f_g', value: 1, timestamp: 1 }] }));
  fails(await post('runs/log-batch', { run_id: id, params: [{ key: 'dup', value: '1' }, { key: 'dup', value: '2' }] }), 400, 'INVALID_PARAMETER_VALUE', /Duplicate parameter keys/);
  fails(await post('runs/log-batch', { run_id: id, metrics: [{ key: 'x', timestamp: 1 }] }), 400, 'INVALID_PARAMETER_VALUE', /metrics\[0\]\.value/);
  fails(await post('runs/log-batch', { metrics: [] }), 400, 'INVALID_PARAMETER_VALUE', /run_id/);

  // a batch is all or nothing: the param conflict keeps its metrics out
  fails(await post('runs/log-batch', { run_id: id, metrics: [{ key: 'atomic', value: 1, timestamp: 1 }], params: [{ key: 'lr', value: '9' }] }), 400, 'INVALID_PARAMETER_VALUE');
  assert.equal(metricsOf(await getRun(id)).atomic, undefined);
  // duplicated tags in one batch: the last wins
  ok(await post('runs/log-batch', { run_id: id, tags: [{ key: 'tt', value: '1' }, { key: 'tt', value: '2' }] }));
  assert.equal(tagsOf((await getRun(id)).data.tags).tt, '2');
});

test('log-model keeps the mlflow.log-model.history tag as MLflow does', async () => {
  const run = await newRun(await newExperiment());
  const id = run.info.run_id;
  const model = (path) => JSON.stringify({
    artifact_path: path, run_id: id, utc_time_created: '2024-01-01 00:00:00.000000', model_uuid: `uuid-${path}`,
    flavors: { python_function: { loader_module: 'mlflow.sklearn', config: { secret: 1 } }, sklearn: { sklearn_version: '1.3' } },
    signature: { inputs: '[]' },
  });
  ok(await post('runs/log-model', { run_id: id, model_json: model('model') }));
  ok(await post('runs/log-model', { run_id: id, model_json: model('model2') }));
  const history = JSON.parse(tagsOf((await getRun(id)).data.tags)['mlflow.log-model.history']);
  assert.equal(history.length, 2);
  assert.deepEqual(history[0], {
    run_id: id, utc_time_created: '2024-01-01 00:00:00.000000', artifact_path: 'model', model_uuid: 'uuid-model',
    flavors: { python_function: { loader_module: 'mlflow.sklearn' }, sklearn: { sklearn_version: '1.3' } },
  });
  assert.equal(history[1].artifact_path, 'model2');
  fails(await post('runs/log-model', { run_id: id, model_json: '{"artifact_path": "x"}' }), 400, 'INVALID_PARAMETER_VALUE', /missing mandatory fields/);
  fails(await post('runs/log-model', { run_id: id, model_json: 'not json' }), 400, 'INVALID_PARAMETER_VALUE', /not a valid JSON/);
});

test('log-inputs (datasets with tags, models) and runs/outputs show in get and search', async () => {
  const exp = await newExperiment();
  const a = (await newRun(exp)).info.run_id;
  const b = (await newRun(exp)).info.run_id;
  const ds = (name, digest) => ({ name, digest, source_type: 'local', source: '{"uri": "/data"}', schema: '{"cols": []}', profile: '{"rows": 3}' });
  ok(await post('runs/log-inputs', { run_id: a, datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: ds('iris', 'd1') }],
    models: [{ model_id: 'm-00000000000000000000000000000001' }] }));
  ok(await post('runs/log-inputs', { run_id: b, datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'eval' }], dataset: ds('wine', 'd2') }] }));
  // logging the same dataset again changes nothing (tags included)
  ok(await post('runs/log-inputs', { run_id: a, datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'other' }], dataset: ds('iris', 'd1') }] }));
  const run = await getRun(a);
  assert.equal(run.inputs.dataset_inputs.length, 1);
  assert.deepEqual(run.inputs.dataset_inputs[0], { tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: ds('iris', 'd1') });
  assert.deepEqual(run.inputs.model_inputs, [{ model_id: 'm-00000000000000000000000000000001' }]);
  ok(await post('runs/outputs', { run_id: a, models: [{ model_id: 'm-00000000000000000000000000000002', step: 7 }] }));
  assert.deepEqual((await getRun(a)).outputs.model_outputs, [{ model_id: 'm-00000000000000000000000000000002', step: 7 }]);
  fails(await post('runs/outputs', { run_id: a, models: [{ model_id: 'm-x' }] }), 400, 'INVALID_PARAMETER_VALUE', /step/);
  fails(await post('runs/log-inputs', { run_id: a, datasets: [{ dataset: { name: 'x' } }] }), 400, 'INVALID_PARAMETER_VALUE', /digest/);

  assert.deepEqual(await searchIds({ experiment_ids: [exp], filter: "dataset.name = 'iris'" }), [a]);
  assert.deepEqual(await searchIds({ experiment_ids: [exp], filter: "datasets.digest IN ('d2', 'zz')" }), [b]);
  assert.deepEqual(await searchIds({ experiment_ids: [exp], filter: "dataset.context = 'training'" }), [a]);
  assert.deepEqual((await searchIds({ experiment_ids: [exp], filter: "dataset.name LIKE '%i%'", order_by: ['attributes.run_id'] })), [a, b].sort());
  const found = (await search({ experiment_ids: [exp], filter: "dataset.name = 'iris'" })).runs[0];
  assert.equal(found.inputs.dataset_inputs[0].dataset.name, 'iris');
});

// ------------------------------------------------------------------------------------------
// search
// ------------------------------------------------------------------------------------------

test('runs/search: the filter grammar, as SQL over params, tags, metrics and attributes', async () => {
  const exp = await newExperiment();
  const runs = [];
  for (let i = 0; i < 6; i++) {
    const r = await newRun(exp, { run_name: `r${i}`, start_time: 1000 + i, tags: [{ key: 'group name', value: i % 2 ? 'odd' : 'even' }] });
    const id = r.info.run_id;
    runs.push(id);
    const metrics = [{ key: 'rmse', value: i / 10, timestamp: 1 }, { key: 'train.loss', value: 10 - i, timestamp: 1 }];
    if (i !== 5) metrics.push({ key: 'only-some', value: i, timestamp: 1 });
    ok(await post('runs/log-batch', { run_id: id, metrics, params: [{ key: 'model', value: i < 3 ? 'LinearRegression' : 'Forest' }] }));
  }
  ok(await post('runs/update', { run_id: runs[2], status: 'FINISHED', end_time: 5000 }));
  const ids = (filter, order_by) => searchIds({ experiment_ids: [exp], filter, order_by });
  const idx = (list) => list.map((id) => runs.indexOf(id));

  assert.deepEqual(idx(await ids('metrics.rmse > 0.25', ['metrics.rmse'])), [3, 4, 5]);
  assert.deepEqual(idx(await ids('metrics.rmse >= 0.2 AND metrics.rmse <= 0.3', ['metrics.rmse'])), [2, 3]);
  assert.deepEqual(idx(await ids('metrics.`train.loss` < 7', ['metrics.rmse DESC'])), [5, 4]);
  assert.deepEqual(idx(await ids('metrics.train.loss = 10')), [0]);
  assert.deepEqual(idx(await ids('metrics."only-some" != 1', ['metrics.rmse'])), [0, 2, 3, 4]);
  assert.deepEqual(idx(await ids("params.model = 'Forest'", ['attributes.start_time'])), [3, 4, 5]);
  assert.deepEqual(idx(await ids("params.model LIKE 'Lin%'", ['start_time ASC'])), [0, 1, 2]);
  assert.deepEqual(idx(await ids("params.model LIKE 'lin%'")), []);
  assert.deepEqual(idx(await ids("params.model ILIKE 'lin%'", ['start_time ASC'])), [0, 1, 2]);
  assert.deepEqual(idx(await ids("params.model != 'Forest' and params.model != 'x'", ['start_time'])), [0, 1, 2]);
  assert.deepEqual(idx(await ids("tags.`group name` = 'odd'", ['run_name'])), [1, 3, 5]);
  assert.deepEqual(idx(await ids('tags."group name" = "even" AND metrics.rmse < 0.3', ['run_name DESC'])), [2, 0]);
  assert.deepEqual(idx(await ids("attributes.status = 'FINISHED'")), [2]);
  assert.deepEqual(idx(await ids('attributes.end_time > 4000')), [2]);
  assert.deepEqual(idx(await ids("attributes.run_name = 'r4'")), [4]);
  assert.deepEqual(idx(await ids("`Run name` LIKE 'r%' and run_name != 'r0'", ['run_name'])), [1, 2, 3, 4, 5]);
  assert.deepEqual(idx(await ids('attributes.start_time >= 1004', ['start_time'])), [4, 5]);
  assert.deepEqual(idx(await ids('created < 1002', ['start_time'])), [0, 1]);
  assert.deepEqual(idx(await ids(`attributes.run_id IN ('${runs[1]}', '${runs[4]}')`, ['start_time'])), [1, 4]);
  assert.deepEqual(idx(await ids(`run_id NOT IN ('${runs[1]}')`, ['start_time'])), [0, 2, 3, 4, 5]);
  assert.deepEqual(idx(await ids(`attributes.run_id = '${runs[3]}'`)), [3]);
  assert.deepEqual(idx(await ids("attributes.lifecycle_stage = 'active'", ['start_time'])), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(idx(await ids(`attributes.artifact_uri LIKE '%${runs[0]}%'`)), [0]);
  assert.deepEqual(idx(await ids("tags.nope = 'x'")), []);

  // errors are 400 INVALID_PARAMETER_VALUE naming what is wrong and where
  for (const [filter, re] of [
    ['metrics.rmse > ', /expected numeric value|Expected numeric value type/i],
    ["metrics.rmse = 'x'", /Expected numeric value type for metric/],
    ['params.model = 3', /Expected a quoted string value for param/],
    ["params.model > 'a'", /Invalid comparator '>'/],
    ["metrics.rmse LIKE '1'", /Invalid comparator 'LIKE'/],
    ["attributes.status IN ('a')", /Only the 'run_id' attribute supports/],
    ["attributes.bogus = 'x'", /Invalid attribute key 'bogus'/],
    ["foo.bar = 'x'", /Invalid entity type 'foo'/],
    ["params.a = 'x' OR params.b = 'y'", /OR/],
    ["params.a = 'x' params.b = 'y'", /expected AND/],
    ["params.a = 'unterminated", /unterminated string/],
    ['run_id IN ()', /empty list/],
  ]) {
    const r = await post('runs/search', { experiment_ids: [exp], filter });
    fails(r, 400, 'INVALID_PARAMETER_VALUE', re);
    assert.match(r.json.message, /position \d+/, filter);
  }
  fails(await post('runs/search', { experiment_ids: [exp], order_by: ['metrics.rmse SIDEWAYS'] }), 400, 'INVALID_PARAMETER_VALUE', /ASC or DESC/);
  fails(await post('runs/search', { experiment_ids: [exp], order_by: ['dataset.name'] }), 400, 'INVALID_PARAMETER_VALUE');
  fails(await post('runs/search', { experiment_ids: [exp], order_by: ['metrics.a', 'metrics.a DESC'] }), 400, 'INVALID_PARAMETER_VALUE', /duplicate/);
  fails(await post('runs/search', { experiment_ids: [exp], max_results: 50001 }), 400, 'INVALID_PARAMETER_VALUE', /50000/);
  // the largest search the limits allow: 64 clauses of every kind and 10 order keys, paged
  const kinds = ['metrics.rmse >= 0', "params.model != 'x'", "tags.`group name` LIKE '%'", 'attributes.start_time > 0',
    `run_id NOT IN ('${'0'.repeat(32)}')`, "run_name ILIKE 'r%'"];
  const big = Array.from({ length: 64 }, (_, i) => kinds[i % kinds.length]).join(' AND ');
  const orderBy = ['metrics.rmse DESC', 'params.model', 'tags.`group name` DESC', 'metrics.`train.loss`', 'attributes.end_time',
    'run_name DESC', 'status', 'user_id', 'artifact_uri', 'metrics.nope'];
  const first = await search({ experiment_ids: [exp], filter: big, order_by: orderBy, max_results: 2 });
  const second = await search({ experiment_ids: [exp], filter: big, order_by: orderBy, max_results: 2, page_token: first.next_page_token });
  assert.equal(first.runs.length + second.runs.length, 4);
  fails(await post('runs/search', { experiment_ids: [exp], order_by: [...orderBy, 'metrics.x'] }), 400, 'INVALID_PARAMETER_VALUE', /at most 10/);
  ok(await post('runs/search', { experiment_ids: [exp], max_results: 50000 }));
  // no experiments (or unknown ones): no runs
  assert.deepEqual(await searchIds({ experiment_ids: ['987654321'] }), []);
});

test('runs/search: ordering (several keys, missing values last) and stable pages', async () => {
  const exp = await newExperiment();
  const runs = [];
  for (let i = 0; i < 9; i++) {
    const r = await newRun(exp, { start_time: 5000 + (i % 3), run_name: `n${i}` });
    runs.push(r.info.run_id);
    const metrics = i === 8 ? [] : [{ key: 'score', value: i % 4, timestamp: 1 }];
    if (i === 7) metrics[0].value = 'NaN';
    ok(await post('runs/log-batch', { run_id: r.info.run_id, metrics, params: [{ key: 'p', value: `v${8 - i}` }] }));
  }
  const ordered = async (order_by) => (await searchIds({ experiment_ids: [exp], order_by })).map((id) => runs.indexOf(id));
  // default: start_time DESC, then run_id
  const def = await ordered();
  const expected = [...runs.keys()].sort((a, b) => ((5000 + (b % 3)) - (5000 + (a % 3))) || (runs[a] < runs[b] ? -1 : 1));
  assert.deepEqual(def, expected);
  // metric ASC: values, then NaN, then missing; DESC keeps NaN and missing last
  const asc = await ordered(['metrics.score ASC', 'params.p']);
  assert.deepEqual(asc.slice(-2), [7, 8]);
  assert.deepEqual(asc.slice(0, 7).map((i) => i % 4), [0, 0, 1, 1, 2, 2, 3]);
  assert.deepEqual(asc.slice(0, 2), [4, 0]); // ties broken by params.p ascending (v4 < v8)
  const desc = await ordered(['metrics.score DESC', 'params.p DESC']);
  assert.deepEqual(desc.slice(-2), [7, 8]);
  assert.deepEqual(desc.slice(0, 3), [3, 2, 6]); // score 3, then score 2 by p DESC (v6 > v2)
  assert.deepEqual(await ordered(['params.p']), [8, 7, 6, 5, 4, 3, 2, 1, 0]);
  assert.deepEqual(await ordered(['attributes.run_name DESC']), [8, 7, 6, 5, 4, 3, 2, 1, 0]);

  // pages of 2 under a multi-key order give the same sequence as one page
  for (const order_by of [undefined, ['metrics.score DESC', 'params.p'], ['params.p DESC'], ['attributes.start_time ASC']]) {
    const whole = await searchIds({ experiment_ids: [exp], order_by });
    const pages = [];
    let token;
    for (let i = 0; i < 20; i++) {
      const r = await search({ experiment_ids: [exp], order_by, max_results: 2, page_token: token });
      pages.push(...(r.runs ?? []).map((x) => x.info.run_id));
      token = r.next_page_token;
      if (!token) break;
    }
    assert.deepEqual(pages, whole, JSON.stringify(order_by));
  }
  // a page stays put when runs are added before it: the token is a position, not an offset
  const p1 = await search({ experiment_ids: [exp], order_by: ['params.p'], max_results: 3 });
  const newcomer = await newRun(exp);
  ok(await post('runs/log-parameter', { run_id: newcomer.info.run_id, key: 'p', value: 'v0-early' }));
  const p2 = await search({ experiment_ids: [exp], order_by: ['params.p'], max_results: 3, page_token: p1.next_page_token });
  assert.deepEqual(p2.runs.map((r) => runs.indexOf(r.info.run_id)), [5, 4, 3]);
  fails(await post('runs/search', { experiment_ids: [exp], order_by: ['params.p DESC'], page_token: p1.next_page_token }), 400, 'INVALID_PARAMETER_VALUE', /page_token/);
});

// ------------------------------------------------------------------------------------------
// artifacts, logged models, traces, unknown paths
// ------------------------------------------------------------------------------------------

test('artifacts/list: the run artifact root (the listing comes from the workspace area)', async () => {
  const run = await newRun(await newExperiment());
  const r = ok(await get('artifacts/list', { run_id: run.info.run_id, path: 'model' }));
  assert.equal(r.root_uri, run.info.artifact_uri);
  assert.ok(r.files === undefined || Array.isArray(r.files));
  fails(await get('artifacts/list', { run_id: 'a'.repeat(32) }), 404, 'RESOURCE_DOES_NOT_EXIST');
});

test('logged models: create, get, finalize, tags, params, search, delete', async () => {
  const exp = await newExperiment();
  const run = await newRun(exp);
  const LM = `${M}/logged-models`;
  const created = ok(await d.api('POST', LM, { experiment_id: exp, name: 'clf', model_type: 'Classifier', source_run_id: run.info.run_id,
    params: [{ key: 'alpha', value: '0.5' }], tags: [{ key: 'owner', value: 'me' }] })).model;
  const id = created.info.model_id;
  assert.match(id, /^m-[0-9a-f]{32}$/);
  assert.equal(created.info.status, 'LOGGED_MODEL_PENDING');
  assert.equal(created.info.experiment_id, exp);
  assert.equal(created.info.artifact_uri, `dbfs:/mlflow/${exp}/models/${id}/artifacts`);
  assert.equal(created.info.source_run_id, run.info.run_id);
  assert.deepEqual(created.info.tags, [{ key: 'owner', value: 'me' }]);
  assert.deepEqual(created.data.params, [{ key: 'alpha', value: '0.5' }]);
  assert.deepEqual(ok(await d.api('GET', `${LM}/${id}`)).model, created);

  const ready = ok(await d.raw('PATCH', `${LM}/${id}`, { model_id: id, status: 'LOGGED_MODEL_READY' })).model;
  assert.equal(ready.info.status, 'LOGGED_MODEL_READY');
  fails(await d.raw('PATCH', `${LM}/${id}`, { status: 'NOPE' }), 400, 'INVALID_PARAMETER_VALUE');
  const tagged = ok(await d.raw('PATCH', `${LM}/${id}/tags`, { tags: [{ key: 'stage', value: 'qa' }, { key: 'owner', value: 'you' }] })).model;
  assert.deepEqual(tagsOf(tagged.info.tags), { owner: 'you', stage: 'qa' });
  ok(await d.api('DELETE', `${LM}/${id}/tags/stage`));
  fails(await d.api('DELETE', `${LM}/${id}/tags/stage`), 404, 'RESOURCE_DOES_NOT_EXIST');
  ok(await d.api('POST', `${LM}/${id}/params`, { params: [{ key: 'beta', value: '2' }] }));
  fails(await d.api('POST', `${LM}/${id}/params`, { params: [{ key: 'beta', value: '3' }] }), 400, 'INVALID_PARAMETER_VALUE');
  // a metric logged with the model's id shows in its data
  ok(await post('runs/log-metric', { run_id: run.info.run_id, key: 'acc', value: 0.9, timestamp: 5, step: 1, model_id: id, dataset_name: 'test', dataset_digest: 'dg' }));
  const withMetric = ok(await d.api('GET', `${LM}/${id}`)).model;
  assert.deepEqual(withMetric.data.metrics.map((m) => [m.key, m.value, m.run_id, m.dataset_name, m.model_id]), [['acc', 0.9, run.info.run_id, 'test', id]]);
  assert.deepEqual(tagsOf(withMetric.data.params), { alpha: '0.5', beta: '2' });

  const other = ok(await d.api('POST', LM, { experiment_id: exp, params: [{ key: 'alpha', value: '0.1' }] })).model;
  assert.match(other.info.name, /^[a-z]+-[a-z]+-\d+$/);
  const ids = async (body) => (ok(await d.api('POST', `${LM}/search`, { experiment_ids: [exp], ...body })).models ?? []).map((m) => m.info.model_id);
  assert.deepEqual(await ids({}), [other.info.model_id, id]); // newest first
  assert.deepEqual(await ids({ filter: "params.alpha = '0.5'" }), [id]);
  assert.deepEqual(await ids({ filter: "name = 'clf' AND tags.owner = 'you'" }), [id]);
  assert.deepEqual(await ids({ filter: 'metrics.acc > 0.5' }), [id]);
  assert.deepEqual(await ids({ filter: 'metrics.acc > 0.5', datasets: [{ dataset_name: 'other' }] }), []);
  assert.deepEqual(await ids({ filter: "status = 'LOGGED_MODEL_READY'" }), [id]);
  assert.deepEqual(await ids({ order_by: [{ field_name: 'params.alpha', ascending: true }] }), [other.info.model_id, id]);
  const byNameDesc = [[other.info.name, other.info.model_id], ['clf', id]].sort((x, y) => (x[0] < y[0] ? 1 : -1)).map((x) => x[1]);
  assert.deepEqual(await ids({ order_by: [{ field_name: 'name', ascending: false }] }), byNameDesc);
  const p1 = ok(await d.api('POST', `${LM}/search`, { experiment_ids: [exp], max_results: 1 }));
  assert.equal(p1.models.length, 1);
  const p2 = ok(await d.api('POST', `${LM}/search`, { experiment_ids: [exp], max_results: 1, page_token: p1.next_page_token }));
  assert.deepEqual([p1.models[0].info.model_id, p2.models[0].info.model_id], [other.info.model_id, id]);
  fails(await d.api('POST', `${LM}/search`, { experiment_ids: [exp], filter: 'dataset.name = "x"' }), 400, 'INVALID_PARAMETER_VALUE');
  // the largest search the limits allow: 64 clauses, 100 datasets, 10 order keys
  const many = Array.from({ length: 64 }, (_, i) => `metrics.m${i} > -1`).join(' AND ');
  const datasets = Array.from({ length: 100 }, (_, i) => ({ dataset_name: `d${i}`, dataset_digest: `g${i}` }));
  const orders = Array.from({ length: 10 }, (_, i) => ({ field_name: `metrics.m${i}`, ascending: i % 2 === 0, dataset_name: 'd1', dataset_digest: 'g1' }));
  ok(await d.api('POST', `${LM}/search`, { experiment_ids: [exp], filter: many, datasets, order_by: orders }));
  fails(await d.api('POST', `${LM}/search`, { experiment_ids: [exp], datasets: [...datasets, { dataset_name: 'x' }] }), 400, 'INVALID_PARAMETER_VALUE', /100 datasets/);
  fails(await d.api('POST', `${LM}/search`, { experiment_ids: [exp], filter: `${many} AND metrics.z > 1` }), 400, 'INVALID_PARAMETER_VALUE', /64 clauses/);

  ok(await d.api('DELETE', `${LM}/${id}`));
  fails(await d.api('GET', `${LM}/${id}`), 404, 'RESOURCE_DOES_NOT_EXIST');
  assert.deepEqual(await ids({}), [other.info.model_id]);
  fails(await d.api('POST', LM, { experiment_id: '987654321' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  fails(await d.api('POST', LM, {}), 400, 'INVALID_PARAMETER_VALUE', /experiment_id/);
});

test('traces answer 404 ENDPOINT_NOT_FOUND; unknown paths 404, wrong methods 405', async () => {
  for (const [method, path] of [
    ['POST', '/api/2.0/mlflow/traces'],
    ['GET', '/api/2.0/mlflow/traces?experiment_ids=0'],
    ['GET', '/api/2.0/mlflow/traces/tr-123/info'],
    ['POST', '/api/3.0/mlflow/traces'],
    ['POST', '/api/3.0/mlflow/traces/search'],
    ['GET', '/ajax-api/3.0/mlflow/traces/tr-1'],
    ['GET', '/api/2.0/mlflow/runs/no-such-thing'],
    ['POST', '/api/2.0/mlflow/experiments/frobnicate'],
  ]) {
    fails(await d.api(method, path, method === 'POST' ? {} : undefined), 404, 'ENDPOINT_NOT_FOUND');
  }
  const r = await d.api('GET', `${M}/runs/create`);
  fails(r, 405, 'METHOD_NOT_ALLOWED');
  assert.equal(r.headers.get('allow'), 'POST');
  const s = await d.api('DELETE', `${M}/experiments/search`);
  fails(s, 405, 'METHOD_NOT_ALLOWED');
  assert.equal(s.headers.get('allow'), 'POST, GET');
  // still behind authentication
  fails(await d.api('POST', `${M}/experiments/create`, { name: 'x' }, { token: null }), 401, 'UNAUTHENTICATED');
});

// ------------------------------------------------------------------------------------------
// real clients, concurrency, permissions, restart
// ------------------------------------------------------------------------------------------

test('replay of the MLflow Python client: set_experiment, start_run, log, search, end_run', async () => {
  // the exact requests mlflow (2.x/3.x, tracking URI http://...) sends, headers included
  const h = { 'User-Agent': 'mlflow-python-client/2.20.0', 'Content-Type': 'application/json' };
  const call = (method, path, body) => d.raw(method, path, body, { headers: h });
  const name = uniq('py-client');
  // mlflow.set_experiment(name): get-by-name -> 404 -> create -> get
  const miss = await call('GET', `${M}/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
  fails(miss, 404, 'RESOURCE_DOES_NOT_EXIST');
  const { experiment_id: eid } = ok(await call('POST', `${M}/experiments/create`, JSON.stringify({ name })));
  assert.equal(ok(await call('GET', `${M}/experiments/get?experiment_id=${eid}`)).experiment.name, name);
  // mlflow.start_run()
  const t0 = Date.now();
  const run = ok(await call('POST', `${M}/runs/create`, JSON.stringify({
    experiment_id: eid, user_id: 'alice', start_time: t0,
    tags: [{ key: 'mlflow.user', value: 'alice' }, { key: 'mlflow.source.name', value: 'train.py' },
      { key: 'mlflow.source.type', value: 'LOCAL' }, { key: 'mlflow.runName', value: 'py-run' }],
    run_name: 'py-run',
  }))).run;
  const rid = run.info.run_id;
  assert.equal(run.info.run_name, 'py-run');
  // mlflow.log_param / log_metric over steps / set_tag
  ok(await call('POST', `${M}/runs/log-parameter`, JSON.stringify({ run_id: rid, run_uuid: rid, key: 'lr', value: '0.01' })));
  for (let step = 0; step < 5; step++) {
    ok(await call('POST', `${M}/runs/log-metric`, JSON.stringify({ run_id: rid, run_uuid: rid, key: 'loss', value: 1 / (step + 1), timestamp: t0 + step, step })));
  }
  ok(await call('POST', `${M}/runs/set-tag`, JSON.stringify({ run_id: rid, run_uuid: rid, key: 'phase', value: 'train' })));
  // mlflow.log_metrics / log_params / set_tags -> log-batch
  ok(await call('POST', `${M}/runs/log-batch`, JSON.stringify({ run_id: rid,
    metrics: [{ key: 'acc', value: 0.9, timestamp: t0 + 10, step: 4 }, { key: 'f1', value: 0.8, timestamp: t0 + 10, step: 4 }],
    params: [{ key: 'epochs', value: '5' }], tags: [{ key: 'release', value: 'yes' }] })));
  // mlflow.search_runs(filter_string=..., order_by=[...])
  const found = ok(await call('POST', `${M}/runs/search`, JSON.stringify({ experiment_ids: [eid],
    filter: "metrics.loss < 0.5 and params.lr = '0.01' and tags.phase = 'train'", run_view_type: 'ACTIVE_ONLY', max_results: 10000,
    order_by: ['metrics.acc DESC', 'attributes.start_time DESC'] })));
  assert.deepEqual(found.runs.map((r) => r.info.run_id), [rid]);
  // mlflow.end_run()
  const info = ok(await call('POST', `${M}/runs/update`, JSON.stringify({ run_id: rid, run_uuid: rid, status: 'FINISHED', end_time: t0 + 100 }))).run_info;
  assert.equal(info.status, 'FINISHED');
  const final = await getRun(rid);
  assert.equal(final.info.end_time, t0 + 100);
  assert.equal(metricsOf(final).loss.value, 0.2);
  assert.equal(metricsOf(final).loss.step, 4);
  assert.deepEqual(tagsOf(final.data.params), { lr: '0.01', epochs: '5' });
  assert.equal(tagsOf(final.data.tags)['mlflow.source.type'], 'LOCAL');
  assert.deepEqual(ok(await get('metrics/get-history', { run_id: rid, metric_key: 'loss' })).metrics.map((m) => m.step), [0, 1, 2, 3, 4]);
  // the client's GET with repeated query parameters
  const hist = ok(await call('GET', `${M}/metrics/get-history-bulk-interval?run_ids=${rid}&run_ids=${rid}&metric_key=loss&max_results=3`));
  assert.ok(hist.metrics.every((m) => m.run_id === rid));
});

test('8 concurrent writers into one run lose nothing', async () => {
  const run = await newRun(await newExperiment());
  const id = run.info.run_id;
  const writers = 8, batches = 20, per = 50;
  await Promise.all(Array.from({ length: writers }, async (_, w) => {
    for (let b = 0; b < batches; b++) {
      const metrics = Array.from({ length: per }, (_, i) => {
        const step = (w * batches + b) * per + i;
        return { key: 'shared', value: step, timestamp: 1000 + step, step };
      });
      metrics.push({ key: `writer-${w}`, value: b, timestamp: b, step: b });
      ok(await post('runs/log-batch', { run_id: id, metrics, params: [{ key: `w${w}-b${b}`, value: String(b) }] }));
      ok(await post('runs/log-metric', { run_id: id, key: 'single', value: w * batches + b, timestamp: w * batches + b, step: w * batches + b }));
    }
  }));
  const shared = ok(await get('metrics/get-history', { run_id: id, metric_key: 'shared' })).metrics;
  assert.equal(shared.length, writers * batches * per);
  assert.deepEqual(shared.map((m) => m.step), [...Array(writers * batches * per).keys()]);
  assert.equal(ok(await get('metrics/get-history', { run_id: id, metric_key: 'single' })).metrics.length, writers * batches);
  const final = await getRun(id);
  const m = metricsOf(final);
  assert.equal(m.shared.value, writers * batches * per - 1);
  assert.equal(m.single.value, writers * batches - 1);
  for (let w = 0; w < writers; w++) assert.equal(m[`writer-${w}`].value, batches - 1);
  assert.equal(final.data.params.length, writers * batches);
});

test('permissions: owners, CAN_READ / CAN_EDIT / CAN_MANAGE, visibility, the Default experiment', async () => {
  const u = ok(await d.api('POST', `${SCIM}/Users`, { userName: `${uniq('u')}@example.com` }), 201);
  const t = ok(await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: u.id }));
  const as = { token: t.token_value };
  const uget = (path, params) => get(path, params, as);
  const upost = (path, body) => post(path, body, as);

  const priv = await newExperiment();
  const run = await newRun(priv);
  fails(await uget('experiments/get', { experiment_id: priv }), 403, 'PERMISSION_DENIED', /CAN_READ/);
  fails(await uget('runs/get', { run_id: run.info.run_id }), 403, 'PERMISSION_DENIED');
  fails(await upost('runs/search', { experiment_ids: [priv] }), 403, 'PERMISSION_DENIED');
  const name = ok(await get('experiments/get', { experiment_id: priv })).experiment.name;
  fails(await uget('experiments/get-by-name', { experiment_name: name }), 403, 'PERMISSION_DENIED');
  const visible = async () => (ok(await upost('experiments/search', { max_results: 1000 })).experiments ?? []).map((e) => e.experiment_id);
  assert.ok(!(await visible()).includes(priv));

  // grant CAN_READ: reads work, writes do not
  ok(await d.api('PATCH', `/api/2.0/permissions/experiments/${priv}`, { access_control_list: [{ user_name: u.userName, permission_level: 'CAN_READ' }] }));
  assert.equal(ok(await uget('experiments/get', { experiment_id: priv })).experiment.experiment_id, priv);
  assert.equal(ok(await uget('runs/get', { run_id: run.info.run_id })).run.info.run_id, run.info.run_id);
  assert.deepEqual((ok(await upost('runs/search', { experiment_ids: [priv] })).runs).map((r) => r.info.run_id), [run.info.run_id]);
  assert.ok((await visible()).includes(priv));
  ok(await uget('metrics/get-history', { run_id: run.info.run_id, metric_key: 'x' }));
  fails(await upost('runs/log-metric', { run_id: run.info.run_id, key: 'x', value: 1, timestamp: 1 }), 403, 'PERMISSION_DENIED', /CAN_EDIT/);
  fails(await upost('runs/create', { experiment_id: priv }), 403, 'PERMISSION_DENIED');
  fails(await upost('experiments/delete', { experiment_id: priv }), 403, 'PERMISSION_DENIED', /CAN_MANAGE/);
  fails(await d.api('GET', `/api/2.0/permissions/experiments/${priv}`, undefined, as), 403, 'PERMISSION_DENIED');
  // CAN_EDIT: logging works, deleting the experiment does not
  ok(await d.api('PATCH', `/api/2.0/permissions/experiments/${priv}`, { access_control_list: [{ user_name: u.userName, permission_level: 'CAN_EDIT' }] }));
  ok(await upost('runs/log-metric', { run_id: run.info.run_id, key: 'x', value: 1, timestamp: 1 }));
  ok(await upost('runs/create', { experiment_id: priv }));
  fails(await upost('experiments/update', { experiment_id: priv, new_name: uniq('n') }), 403, 'PERMISSION_DENIED', /CAN_MANAGE/);

  // every user may create experiments, and owns them (CAN_MANAGE)
  const mine = ok(await upost('experiments/create', { name: uniq('mine') })).experiment_id;
  const acl = ok(await d.api('GET', `/api/2.0/permissions/experiments/${mine}`, undefined, as));
  assert.equal(acl.object_id, `/experiments/${mine}`);
  assert.equal(acl.object_type, 'mlflowExperiment');
  assert.deepEqual(acl.access_control_list.find((e) => e.user_name === u.userName).all_permissions,
    [{ permission_level: 'CAN_MANAGE', inherited: false }]);
  ok(await upost('experiments/update', { experiment_id: mine, new_name: uniq('renamed') }));
  // the Default experiment: readable and editable by every user through the `users` group
  const dr = ok(await upost('runs/create', { experiment_id: '0' })).run;
  ok(await upost('runs/log-metric', { run_id: dr.info.run_id, key: 'x', value: 1, timestamp: 1 }));
  assert.ok((await visible()).includes('0'));
  fails(await upost('experiments/delete', { experiment_id: '0' }), 403, 'PERMISSION_DENIED');
  fails(await d.api('GET', '/api/2.0/permissions/experiments/987654321'), 404, 'RESOURCE_DOES_NOT_EXIST');
  // logged models follow their experiment
  const other = await newExperiment();
  const lm = ok(await d.api('POST', `${M}/logged-models`, { experiment_id: other })).model.info.model_id;
  fails(await d.api('GET', `${M}/logged-models/${lm}`, undefined, as), 403, 'PERMISSION_DENIED');
  fails(await d.api('POST', `${M}/logged-models`, { experiment_id: other }, as), 403, 'PERMISSION_DENIED');
});

test('restart keeps experiments, runs, metrics, params, tags, models; --mlflow-artifacts-proxy', async () => {
  const d2 = await startDaemon({ args: ['--mlflow-artifacts-proxy'] });
  try {
    const api = (method, path, body) => d2.api(method, `${M}/${path}`, body);
    assert.equal(ok(await api('GET', 'experiments/get?experiment_id=0')).experiment.artifact_location, 'mlflow-artifacts:/0');
    const { experiment_id: eid } = ok(await api('POST', 'experiments/create', { name: 'persist', tags: [{ key: 'a', value: 'b' }] }));
    const e = ok(await api('GET', `experiments/get?experiment_id=${eid}`)).experiment;
    assert.equal(e.artifact_location, `mlflow-artifacts:/${eid}`);
    const run = ok(await api('POST', 'runs/create', { experiment_id: eid, run_name: 'kept' })).run;
    assert.equal(run.info.artifact_uri, `mlflow-artifacts:/${eid}/${run.info.run_id}/artifacts`);
    ok(await api('POST', 'runs/log-batch', { run_id: run.info.run_id, metrics: [{ key: 'm', value: 'NaN', timestamp: 1 }, { key: 'm', value: 3, timestamp: 2, step: 1 }],
      params: [{ key: 'p', value: '1' }], tags: [{ key: 't', value: 'x' }] }));
    const lm = ok(await api('POST', 'logged-models', { experiment_id: eid, name: 'kept-model' })).model;
    const before = ok(await api('GET', `runs/get?run_id=${run.info.run_id}`)).run;
    const page = ok(await api('POST', 'experiments/search', { max_results: 1, order_by: ['name ASC'] }));
    await d2.kill9();
    await d2.restart();
    assert.deepEqual(ok(await api('GET', `runs/get?run_id=${run.info.run_id}`)).run, before);
    assert.deepEqual(ok(await api('GET', `experiments/get?experiment_id=${eid}`)).experiment, e);
    assert.deepEqual(ok(await api('GET', `logged-models/${lm.info.model_id}`)).model, lm);
    assert.equal(ok(await api('GET', `metrics/get-history?run_id=${run.info.run_id}&metric_key=m`)).metrics.length, 2);
    // page tokens survive restarts
    const next = ok(await api('POST', 'experiments/search', { max_results: 1, order_by: ['name ASC'], page_token: page.next_page_token }));
    assert.equal(next.experiments[0].name, 'persist');
    // the next experiment id continues
    const again = ok(await api('POST', 'experiments/create', { name: 'after-restart' })).experiment_id;
    assert.equal(Number(again), Number(eid) + 1);
  } finally {
    await d2.stop();
  }
});
