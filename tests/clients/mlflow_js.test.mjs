// mlflow_js.test.mjs - MLflow clients for JavaScript, unchanged, against the real lakehoused:
// the Databricks JS SDK's experiments.* and modelRegistry.* (@databricks/sdk-experimental
// 0.17.0), and the npm `mlflow` client (2.0.7) for the legacy-shaped calls (experiments/list,
// runs/search with run_view_type, metrics/get-history, artifacts/list).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sdk from '@databricks/sdk-experimental';
import MLflow from 'mlflow';
import { startDaemon } from '../api/harness.mjs';

const { WorkspaceClient } = sdk;
let d, w;
before(async () => {
  d = await startDaemon({ args: ['--no-access-log'] });
  w = new WorkspaceClient({ host: d.url, token: d.token, authType: 'pat' });
});
after(async () => { await d?.stop(); });

const all = async (it) => {
  const out = [];
  for await (const x of it) out.push(x);
  return out;
};

test('JS SDK experiments.*: create, get by name, runs, logging, search, history, permissions', async () => {
  const name = `/Users/admin/sdk-exp-${process.pid}`;
  const { experiment_id: eid } = await w.experiments.createExperiment({ name, tags: [{ key: 'team', value: 'ml' }] });
  assert.match(eid, /^\d+$/);
  const byName = await w.experiments.getByName({ experiment_name: name });
  assert.equal(byName.experiment.experiment_id, eid);
  assert.equal(byName.experiment.artifact_location, `dbfs:/mlflow/${eid}`);
  await assert.rejects(w.experiments.getByName({ experiment_name: `${name}-missing` }),
    (e) => e.errorCode === 'RESOURCE_DOES_NOT_EXIST' || e.statusCode === 404);

  const { run } = await w.experiments.createRun({ experiment_id: eid, run_name: 'sdk-run', start_time: Date.now() });
  const rid = run.info.run_id;
  assert.match(rid, /^[0-9a-f]{32}$/);
  await w.experiments.logParam({ run_id: rid, key: 'lr', value: '0.1' });
  for (let step = 0; step < 3; step++)
    await w.experiments.logMetric({ run_id: rid, key: 'loss', value: 1 - step / 10, timestamp: Date.now(), step });
  await w.experiments.setTag({ run_id: rid, key: 'stage', value: 'dev' });
  await w.experiments.logBatch({ run_id: rid, metrics: [{ key: 'acc', value: 0.75, timestamp: Date.now(), step: 2 }],
    params: [{ key: 'epochs', value: '3' }], tags: [{ key: 'owner', value: 'sdk' }] });
  const got = await w.experiments.getRun({ run_id: rid });
  const metrics = Object.fromEntries(got.run.data.metrics.map((m) => [m.key, m.value]));
  assert.equal(metrics.loss, 0.8);
  assert.equal(metrics.acc, 0.75);

  const found = await all(w.experiments.searchRuns({ experiment_ids: [eid], filter: "params.lr = '0.1' and metrics.acc > 0.5",
    order_by: ['metrics.loss ASC'] }));
  assert.deepEqual(found.map((r) => r.info.run_id), [rid]);
  const history = await all(w.experiments.getHistory({ run_id: rid, metric_key: 'loss' }));
  assert.deepEqual(history.map((m) => m.step), [0, 1, 2]);
  const exps = await all(w.experiments.searchExperiments({ filter: `name = '${name}'` }));
  assert.deepEqual(exps.map((e) => e.experiment_id), [eid]);

  await w.experiments.updateRun({ run_id: rid, status: 'FINISHED', end_time: Date.now() });
  assert.equal((await w.experiments.getRun({ run_id: rid })).run.info.status, 'FINISHED');
  const levels = await w.experiments.getPermissionLevels({ experiment_id: eid });
  assert.deepEqual(levels.permission_levels.map((l) => l.permission_level), ['CAN_READ', 'CAN_EDIT', 'CAN_MANAGE']);
  await w.experiments.deleteRun({ run_id: rid });
  await w.experiments.deleteExperiment({ experiment_id: eid });
  assert.equal((await w.experiments.getExperiment({ experiment_id: eid })).experiment.lifecycle_stage, 'deleted');
});

test('JS SDK modelRegistry.*: models, versions, stages, tags, transition requests, comments, webhooks', async () => {
  const name = `sdk-model-${process.pid}`;
  const { registered_model: m } = await w.modelRegistry.createModel({ name, description: 'from the SDK' });
  assert.equal(m.name, name);
  const eid = (await w.experiments.createExperiment({ name: `sdk-reg-${process.pid}` })).experiment_id;
  const rid = (await w.experiments.createRun({ experiment_id: eid })).run.info.run_id;
  const source = `dbfs:/sdk-models/${process.pid}`;
  await w.dbfs.put({ path: `/sdk-models/${process.pid}/MLmodel`, contents: Buffer.from('flavors: {}\n').toString('base64'), overwrite: true });
  const ready = async (version) => { // as MLflow clients do: poll until READY
    for (let i = 0; i < 200; i++) {
      const { model_version: v } = await w.modelRegistry.getModelVersion({ name, version });
      if (v.status !== 'PENDING_REGISTRATION') return v.status;
      await new Promise((r) => setTimeout(r, 20));
    }
    return 'PENDING_REGISTRATION';
  };
  const { model_version: v1 } = await w.modelRegistry.createModelVersion({ name, source, run_id: rid });
  assert.equal(v1.version, '1');
  assert.equal(await ready('1'), 'READY');
  const { model_version: v2 } = await w.modelRegistry.createModelVersion({ name, source, run_id: rid });
  assert.equal(v2.version, '2');
  assert.equal(await ready('2'), 'READY');

  const t = await w.modelRegistry.transitionStage({ name, version: '1', stage: 'Production', archive_existing_versions: true,
    comment: 'ship it' });
  assert.equal(t.model_version_databricks.current_stage, 'Production');
  await w.modelRegistry.transitionStage({ name, version: '2', stage: 'Production', archive_existing_versions: true });
  const latest = await all(w.modelRegistry.getLatestVersions({ name, stages: ['Production', 'Archived'] }));
  assert.deepEqual(latest.map((v) => [v.version, v.current_stage]).sort(), [['1', 'Archived'], ['2', 'Production']]);

  await w.modelRegistry.setModelTag({ name, key: 'task', value: 'churn' });
  await w.modelRegistry.setModelVersionTag({ name, version: '2', key: 'validated', value: 'yes' });
  const dbx = await w.modelRegistry.getModel({ name });
  assert.equal(dbx.registered_model_databricks.name, name);
  const uri = await w.modelRegistry.getModelVersionDownloadUri({ name, version: '2' });
  assert.match(uri.artifact_uri, /^dbfs:\/mlflow-registry\//);

  const req = await w.modelRegistry.createTransitionRequest({ name, version: '1', stage: 'Staging', comment: 'please' });
  assert.equal(req.request.to_stage, 'Staging');
  const reqs = await all(w.modelRegistry.listTransitionRequests({ name, version: '1' }));
  assert.equal(reqs.length, 1);
  const { comment } = await w.modelRegistry.createComment({ name, version: '1', comment: 'looks good' });
  assert.equal(comment.comment, 'looks good');

  const { webhook } = await w.modelRegistry.createWebhook({ model_name: name, events: ['MODEL_VERSION_CREATED'],
    http_url_spec: { url: 'http://127.0.0.1:9/hook' }, status: 'TEST_MODE' });
  assert.ok(webhook.id);
  const hooks = await all(w.modelRegistry.listWebhooks({ model_name: name }));
  assert.deepEqual(hooks.map((h) => h.id), [webhook.id]);
  await w.modelRegistry.deleteWebhook({ id: webhook.id });

  const models = await all(w.modelRegistry.listModels({}));
  assert.ok(models.some((x) => x.name === name));
  const versions = await all(w.modelRegistry.searchModelVersions({ filter: `name='${name}'` }));
  assert.deepEqual(versions.map((v) => v.version).sort(), ['1', '2']);
  await w.modelRegistry.deleteModel({ name });
  await assert.rejects(w.modelRegistry.getModel({ name }), (e) => e.errorCode === 'RESOURCE_DOES_NOT_EXIST' || e.statusCode === 404);
});

test('the npm mlflow client: legacy experiments/list, runs, metrics history, artifacts/list', async () => {
  const client = new MLflow({ endpoint: d.url, headers: { Authorization: `Bearer ${d.token}` } });
  const { Experiments, Runs, Metrics, Artifacts } = client;
  const { experiment_id: eid } = await Experiments.create({ name: `npm-mlflow-${process.pid}` });
  const { experiments } = await Experiments.list();
  assert.ok(experiments.some((e) => e.experiment_id === eid));
  assert.ok(experiments.some((e) => e.experiment_id === '0' && e.name === 'Default'));
  const { run } = await Runs.create({ experiment_id: eid, start_time: Date.now() });
  const rid = run.info.run_id;
  assert.equal(run.info.run_uuid, rid);
  await Runs.logParameter({ run_id: rid, key: 'k', value: 'v' });
  for (let step = 0; step < 4; step++) await Runs.logMetric({ run_id: rid, key: 'auc', value: 0.5 + step / 10, timestamp: Date.now(), step });
  await Runs.setTag({ run_id: rid, key: 'via', value: 'npm' });
  const { runs } = await Runs.search({ experiment_ids: [eid], run_view_type: 'ACTIVE_ONLY' });
  assert.deepEqual(runs.map((r) => r.info.run_id), [rid]);
  const { metrics } = await Metrics.getHistory({ run_id: rid, metric_key: 'auc' });
  assert.equal(metrics.length, 4);
  assert.equal(metrics[3].value, 0.8);
  const listed = await Artifacts.list({ run_id: rid });
  assert.equal(listed.root_uri, run.info.artifact_uri);
  await Runs.update({ run_id: rid, status: 'FINISHED', end_time: Date.now() });
  const got = await Runs.get({ run_id: rid });
  assert.equal(got.run.info.status, 'FINISHED');
});
