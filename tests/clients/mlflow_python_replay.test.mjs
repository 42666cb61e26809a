// mlflow_python_replay.test.mjs - what the MLflow Python client (2.x and 3.x) sends, request by
// request as its sources do it (mlflow/store/tracking/rest_store.py, model_registry/rest_store.py,
// store/artifact/http_artifact_repo.py, dbfs_artifact_repo.py, utils/rest_utils.py), replayed
// against lakehoused: the client itself cannot be installed here.
//
// Two deployments, as users run them:
//   - tracking URI http://host with the server proxying artifacts (--mlflow-artifacts-proxy):
//     artifacts travel through /api/2.0/mlflow-artifacts/artifacts/...;
//   - tracking URI `databricks` (DBFS artifact locations): the SDK's config probe
//     /.well-known/databricks-config, artifacts through raw /dbfs/<path> POST/GET and the
//     /api/2.0/dbfs/list|get-status API, and the registry's model-versions/list-artifacts and
//     get-signed-download-uri (fetched WITHOUT the bearer token).
// Each walks set_experiment, start_run, log_param, log_metric over steps, set_tag,
// log_artifact, log_table, an MLflow 3 log_model, search_runs, register_model (runs:/ and
// models:/ sources), transition_model_version_stage(archive_existing_versions=True),
// set_registered_model_alias, and load_model by models:/name/Production and by @alias.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startDaemon } from '../api/harness.mjs';

const UA = { 'User-Agent': 'mlflow-python-client/3.1.0' };
const daemons = [];
after(async () => { for (const d of daemons) await d.stop(); });

const ok = (r, what = '') => {
  assert.ok(r.status >= 200 && r.status < 300, `${what} ${r.status} ${r.text}`);
  return r.json;
};
const sha = (b) => createHash('sha256').update(b).digest('hex');

// The client's JSON calls: POST with a JSON body, GET with the message as query parameters
// (repeated fields repeated), the bearer token when it has one.
function client(d) {
  const q = (params) => Object.entries(params).flatMap(([k, v]) => (Array.isArray(v) ? v : [v])
    .map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`)).join('&');
  return {
    get: (path, params = {}) => d.api('GET', `/api/2.0/mlflow/${path}?${q(params)}`, undefined, { headers: UA }),
    post: (path, body) => d.api('POST', `/api/2.0/mlflow/${path}`, body, { headers: UA }),
    patch: (path, body) => d.raw('PATCH', `/api/2.0/mlflow/${path}`, body, { headers: UA }),
    // bytes to/from an URL path (artifact repos); token=null sends none
    put: async (path, bytes, token) => {
      const h = { ...UA, 'Content-Type': 'application/octet-stream' };
      if (token !== null) h.Authorization = `Bearer ${token ?? d.token}`;
      const r = await fetch(d.url + path, { method: path.startsWith('/dbfs/') ? 'POST' : 'PUT', headers: h, body: bytes });
      return { status: r.status, text: await r.text() };
    },
    fetch: async (url, token) => {
      const h = { ...UA };
      if (token !== null) h.Authorization = `Bearer ${token ?? d.token}`;
      const r = await fetch(url.startsWith('http') ? url : d.url + url, { headers: h });
      return { status: r.status, bytes: Buffer.from(await r.arrayBuffer()) };
    },
  };
}

// mlflow.set_experiment(name): get-by-name; RESOURCE_DOES_NOT_EXIST -> create.
async function setExperiment(c, name) {
  const miss = await c.get('experiments/get-by-name', { experiment_name: name });
  if (miss.status === 200) return miss.json.experiment;
  assert.equal(miss.status, 404, miss.text);
  assert.equal(miss.json.error_code, 'RESOURCE_DOES_NOT_EXIST');
  const { experiment_id } = ok(await c.post('experiments/create', { name }));
  return ok(await c.get('experiments/get', { experiment_id })).experiment;
}

// An artifact repository for one root URI, as the client picks it by scheme.
function repo(d, c, root) {
  const m = /^mlflow-artifacts:\/(.*)$/.exec(root) ?? /^dbfs:(\/.*)$/.exec(root);
  assert.ok(m, root);
  const proxy = root.startsWith('mlflow-artifacts:');
  const rel = m[1].replace(/^\/+/, '');
  return {
    async upload(path, bytes) { // HttpArtifactRepository.log_artifact / DbfsRestArtifactRepository
      const url = proxy ? `/api/2.0/mlflow-artifacts/artifacts/${rel}/${path}` : `/dbfs/${rel}/${path}?overwrite=true`;
      const r = await c.put(url, bytes);
      assert.ok(r.status === 200 || r.status === 201, `upload ${url}: ${r.status} ${r.text}`);
    },
    async list(path = '') { // list_artifacts: [{path, is_dir, file_size}] relative to the repo root
      if (proxy) {
        const r = ok(await d.api('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${rel}/${path}`.replace(/\/$/, ''))}`));
        return (r.files ?? []).map((f) => ({ ...f, path: path ? `${path}/${f.path}` : f.path }));
      }
      const r = await d.api('GET', `/api/2.0/dbfs/list?path=${encodeURIComponent(`/${rel}/${path}`.replace(/\/$/, ''))}`);
      if (r.status === 404) return [];
      return (ok(r).files ?? []).map((f) => ({ path: f.path.slice(rel.length + 2), is_dir: f.is_dir, file_size: f.file_size }));
    },
    async download(path) {
      const url = proxy ? `/api/2.0/mlflow-artifacts/artifacts/${rel}/${path}` : `/dbfs/${rel}/${path}`;
      const r = await c.fetch(url);
      assert.equal(r.status, 200, url);
      return r.bytes;
    },
    async downloadAll(path = '') { // download_artifacts of a directory: walk the listing
      const out = {};
      for (const f of await this.list(path)) {
        if (f.is_dir) Object.assign(out, await this.downloadAll(f.path));
        else out[f.path] = await this.download(f.path);
      }
      return out;
    },
  };
}

async function waitReady(c, name, version) { // the client polls until READY
  for (let i = 0; i < 300; i++) {
    const v = ok(await c.get('model-versions/get', { name, version })).model_version;
    if (v.status !== 'PENDING_REGISTRATION') return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('model version stayed PENDING_REGISTRATION');
}

async function session(d, label) {
  const c = client(d);
  const exp = await setExperiment(c, `/Users/admin/${label}-${process.pid}`);
  const eid = exp.experiment_id;
  const t0 = Date.now();
  // mlflow.start_run(run_name=...)
  const run = ok(await c.post('runs/create', { experiment_id: eid, user_id: 'admin', start_time: t0, run_name: 'train',
    tags: [{ key: 'mlflow.user', value: 'admin' }, { key: 'mlflow.source.name', value: 'train.py' },
      { key: 'mlflow.source.type', value: 'LOCAL' }, { key: 'mlflow.runName', value: 'train' }] })).run;
  const rid = run.info.run_id;
  assert.equal(run.info.artifact_uri, `${exp.artifact_location}/${rid}/artifacts`);
  // log_param, log_metric over steps, set_tag
  ok(await c.post('runs/log-parameter', { run_id: rid, run_uuid: rid, key: 'alpha', value: '0.5' }));
  for (let step = 0; step < 5; step++)
    ok(await c.post('runs/log-metric', { run_id: rid, run_uuid: rid, key: 'rmse', value: 1 / (step + 1), timestamp: t0 + step, step }));
  ok(await c.post('runs/set-tag', { run_id: rid, run_uuid: rid, key: 'team', value: 'growth' }));

  // log_artifact("report.txt") and a binary file under a directory
  const runRepo = repo(d, c, run.info.artifact_uri);
  const report = Buffer.from('rmse fell from 1.0 to 0.2\n');
  const blob = Buffer.alloc(300000);
  for (let i = 0; i < blob.length; i++) blob[i] = (i * 131 + 7) & 255;
  await runRepo.upload('report.txt', report);
  await runRepo.upload('data/blob.bin', blob);
  // log_table(data, "table.json"): the JSON artifact plus the mlflow.loggedArtifacts tag
  const table = Buffer.from(JSON.stringify({ columns: ['a', 'b'], data: [[1, 'x'], [2, 'y']] }));
  await runRepo.upload('table.json', table);
  ok(await c.post('runs/set-tag', { run_id: rid, run_uuid: rid, key: 'mlflow.loggedArtifacts',
    value: JSON.stringify([{ path: 'table.json', type: 'table' }]) }));
  // the tracking API's artifacts/list sees the same tree
  const listed = ok(await c.get('artifacts/list', { run_id: rid }));
  assert.equal(listed.root_uri, run.info.artifact_uri);
  assert.deepEqual(listed.files.map((f) => [f.path, f.is_dir]).sort(), [['data', true], ['report.txt', false], ['table.json', false]]);
  assert.deepEqual(ok(await c.get('artifacts/list', { run_id: rid, path: 'data' })).files,
    [{ path: 'data/blob.bin', is_dir: false, file_size: blob.length }]);
  assert.equal(sha(await runRepo.download('data/blob.bin')), sha(blob));

  // MLflow 3 log_model(name="model"): create the logged model, upload its files under its own
  // artifact location, finalize, and link it to the run as an output
  const lm = ok(await c.post('logged-models', { experiment_id: eid, name: 'model', source_run_id: rid,
    params: [{ key: 'alpha', value: '0.5' }], tags: [{ key: 'mlflow.source.run_id', value: rid }] })).model;
  const mid = lm.info.model_id;
  assert.equal(lm.info.artifact_uri, `${exp.artifact_location}/models/${mid}/artifacts`);
  const mlmodel = Buffer.from(`artifact_path: model\nflavors:\n  python_function:\n    loader_module: m\nmodel_id: ${mid}\n`);
  const weights = Buffer.from([...Array(4096).keys()].map((i) => i % 251));
  const modelRepo = repo(d, c, lm.info.artifact_uri);
  await modelRepo.upload('MLmodel', mlmodel);
  await modelRepo.upload('model.pkl', weights);
  const ready = ok(await c.patch(`logged-models/${mid}`, { model_id: mid, status: 'LOGGED_MODEL_READY' })).model;
  assert.equal(ready.info.status, 'LOGGED_MODEL_READY');
  ok(await c.post('runs/outputs', { run_id: rid, models: [{ model_id: mid, step: 4 }] }));
  // ... and the 2.x form of the same model, logged as run artifacts under model/
  await runRepo.upload('model/MLmodel', mlmodel);
  await runRepo.upload('model/model.pkl', weights);
  ok(await c.post('runs/log-model', { run_id: rid, model_json: JSON.stringify({ artifact_path: 'model', run_id: rid,
    utc_time_created: '2026-12-05 00:00:00.000000', flavors: { python_function: { loader_module: 'm' } } }) }));

  // mlflow.search_runs(filter_string=..., order_by=[...])
  const found = ok(await c.post('runs/search', { experiment_ids: [eid], filter: "metrics.rmse < 0.5 and params.alpha = '0.5'",
    run_view_type: 'ACTIVE_ONLY', max_results: 100, order_by: ['metrics.rmse ASC', 'attributes.start_time DESC'] }));
  assert.deepEqual(found.runs.map((r) => r.info.run_id), [rid]);
  // mlflow.end_run()
  ok(await c.post('runs/update', { run_id: rid, run_uuid: rid, status: 'FINISHED', end_time: t0 + 1000 }));

  // mlflow.register_model("runs:/<rid>/model", name): create (ALREADY_EXISTS is fine), then
  // a version per call, polled until READY; then the MLflow 3 form, models:/<model id>
  const name = `${label}-model-${process.pid}`;
  const created = await c.post('registered-models/create', { name });
  assert.ok(created.status === 200 || created.json?.error_code === 'RESOURCE_ALREADY_EXISTS', created.text);
  ok(await c.post('model-versions/create', { name, source: `runs:/${rid}/model`, run_id: rid }));
  const v1 = await waitReady(c, name, '1');
  assert.equal(v1.status, 'READY', v1.status_message);
  ok(await c.post('model-versions/create', { name, source: `runs:/${rid}/model`, run_id: rid }));
  assert.equal((await waitReady(c, name, '2')).status, 'READY');
  ok(await c.post('model-versions/create', { name, source: `models:/${mid}`, run_id: rid, model_id: mid }));
  assert.equal((await waitReady(c, name, '3')).status, 'READY');

  // transition_model_version_stage(name, v, "Production", archive_existing_versions=True)
  ok(await c.post('model-versions/transition-stage', { name, version: '1', stage: 'Production', archive_existing_versions: true }));
  ok(await c.post('model-versions/transition-stage', { name, version: '2', stage: 'Production', archive_existing_versions: true }));
  const prod = ok(await c.get('registered-models/get-latest-versions', { name, stages: ['Production'] })).model_versions;
  assert.deepEqual(prod.map((v) => v.version), ['2']);
  assert.equal(ok(await c.get('model-versions/get', { name, version: '1' })).model_version.current_stage, 'Archived');
  // set_registered_model_alias(name, "champion", "2")
  ok(await c.post('registered-models/alias', { name, alias: 'champion', version: '2' }));

  // load_model("models:/name/Production") and ("models:/name@champion"): the version, its
  // download URI, then every file through the artifact repository of that URI
  const byAlias = ok(await c.get('registered-models/alias', { name, alias: 'champion' })).model_version;
  assert.equal(byAlias.version, prod[0].version);
  for (const v of [prod[0], byAlias]) {
    const { artifact_uri } = ok(await c.get('model-versions/get-download-uri', { name, version: v.version }));
    assert.ok(!artifact_uri.includes(`/${rid}/`), 'the registry serves its own copy, not the run\'s');
    const files = await repo(d, c, artifact_uri).downloadAll();
    assert.deepEqual(Object.keys(files).sort(), ['MLmodel', 'model.pkl']);
    assert.equal(sha(files['model.pkl']), sha(weights));
    assert.equal(files.MLmodel.toString(), mlmodel.toString());
  }
  // the copy outlives the run's own artifacts
  ok(await c.post('runs/delete', { run_id: rid }));
  return { c, d, name, rid, mid, weights, mlmodel };
}

test('tracking URI http://host with proxied artifacts (--mlflow-artifacts-proxy)', async () => {
  const d = await startDaemon({ args: ['--no-access-log', '--mlflow-artifacts-proxy'] });
  daemons.push(d);
  const s = await session(d, 'proxy');
  const { artifact_uri } = ok(await s.c.get('model-versions/get-download-uri', { name: s.name, version: '2' }));
  assert.match(artifact_uri, /^mlflow-artifacts:\/mlflow-registry\//);
});

test('tracking URI `databricks`: DBFS artifacts, config probe, signed downloads without a token', async () => {
  const d = await startDaemon({ args: ['--no-access-log'] });
  daemons.push(d);
  // the SDK's configuration probe before calls (no token needed)
  const probe = await fetch(`${d.url}/.well-known/databricks-config`);
  assert.equal(probe.status, 200);
  const s = await session(d, 'dbx');
  const { c, name, weights } = s;
  const { artifact_uri } = ok(await c.get('model-versions/get-download-uri', { name, version: '2' }));
  assert.match(artifact_uri, /^dbfs:\/mlflow-registry\//);
  // DatabricksModelsArtifactRepository: list-artifacts, then a signed URI per file, fetched
  // without the bearer token
  const files = ok(await c.get('model-versions/list-artifacts', { name, version: '2' })).files;
  assert.deepEqual(files.map((f) => f.path).sort(), ['MLmodel', 'model.pkl']);
  const signed = ok(await c.get('model-versions/get-signed-download-uri', { name, version: '2', path: 'model.pkl' }));
  const got = await c.fetch(signed.signed_uri, null);
  assert.equal(got.status, 200);
  assert.equal(sha(got.bytes), sha(weights));
  const tampered = await c.fetch(signed.signed_uri.replace(/signature=([0-9a-f])/, (m, x) => `signature=${x === '0' ? '1' : '0'}`), null);
  assert.equal(tampered.status, 403);
  // the Databricks variant of transition-stage (with comment), as the Databricks SDK sends it
  const t = ok(await c.post('databricks/model-versions/transition-stage', { name, version: '3', stage: 'Staging',
    archive_existing_versions: false, comment: 'to staging' }));
  assert.equal(t.model_version_databricks.current_stage, 'Staging');
});
