// jobs_js.test.mjs - the Databricks JS SDK's Jobs client, unchanged, against the real
// lakehoused (@databricks/sdk-experimental 0.17.0): jobs.create, runNow().wait() (the SDK
// polls runs/get until TERMINATED or SKIPPED), getRunOutput on a task run, submit().wait(),
// jobs.list by name, jobs.delete. The job runs a SQL notebook from the workspace (cells
// share one session: USE and a temporary view carry over) and a SQL task on a warehouse.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sdk from '@databricks/sdk-experimental';
import { startDaemon } from '../api/harness.mjs';

const { WorkspaceClient } = sdk;
let d, w, wh;
const b64 = (s) => Buffer.from(s).toString('base64');
const NB = [
  '-- Databricks notebook source',
  'CREATE SCHEMA IF NOT EXISTS main.jobs_js',
  '-- COMMAND ----------',
  '-- MAGIC %md',
  '-- MAGIC # a markdown cell, skipped',
  '-- COMMAND ----------',
  'USE main.jobs_js',
  '-- COMMAND ----------',
  'CREATE OR REPLACE TEMPORARY VIEW v AS SELECT id FROM range(10)',
  '-- COMMAND ----------',
  "SELECT sum(id) + ${bonus} AS total FROM v",
  '',
].join('\n');

before(async () => {
  d = await startDaemon({ args: ['--no-access-log'] });
  w = new WorkspaceClient({ host: d.url, token: d.token, authType: 'pat' });
  wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'jobs-js', cluster_size: '2X-Small' })).json.id;
  await w.workspace.mkdirs({ path: '/Users/admin/jobs' });
  await w.workspace.import({ path: '/Users/admin/jobs/daily', format: 'SOURCE', language: 'SQL', content: b64(NB) });
});
after(async () => { await d?.stop(); });

test('JS SDK: jobs.create, runNow().wait(), getRunOutput, list by name, delete', async () => {
  const name = `js-sdk-job-${process.pid}`;
  const { job_id } = await w.jobs.create({
    name,
    tasks: [
      { task_key: 'nb', notebook_task: { notebook_path: '/Users/admin/jobs/daily', base_parameters: { bonus: '1' }, warehouse_id: wh } },
      { task_key: 'sql', depends_on: [{ task_key: 'nb' }], sql_task: { warehouse_id: wh, query: { query_text: 'SELECT 42 AS answer' } } },
    ],
  });
  assert.ok(Number.isInteger(job_id));
  const waiter = await w.jobs.runNow({ job_id, notebook_params: { bonus: '100' } });
  assert.ok(waiter.run_id > 0);
  const run = await waiter.wait({ timeout: new sdk.Time(60, sdk.TimeUnits.seconds) });
  assert.equal(run.state.life_cycle_state, 'TERMINATED');
  assert.equal(run.state.result_state, 'SUCCESS', JSON.stringify(run.state));
  assert.equal(run.job_id, job_id);
  assert.match(run.run_page_url, new RegExp(`/#job/${job_id}/run/${run.run_id}$`));
  assert.equal(run.tasks.length, 2);
  const nb = run.tasks.find((t) => t.task_key === 'nb');
  const out = await w.jobs.getRunOutput({ run_id: nb.run_id });
  assert.equal(out.notebook_output.result, '145'); // sum(0..9) + 100
  assert.equal(out.notebook_output.truncated, false);

  const listed = [];
  for await (const j of w.jobs.list({ name })) listed.push(j);
  assert.deepEqual(listed.map((j) => j.job_id), [job_id]);
  await w.jobs.delete({ job_id });
  await assert.rejects(w.jobs.get({ job_id }), (e) => e.statusCode === 400 || e.statusCode === 404);
});

test('JS SDK: submit().wait() of a one-off SQL run, and a failed task\'s output', async () => {
  const ok = await (await w.jobs.submit({
    run_name: 'js-submit',
    tasks: [{ task_key: 'q', sql_task: { warehouse_id: wh, query: { query_text: 'SELECT 1 AS one' } } }],
  })).wait({ timeout: new sdk.Time(60, sdk.TimeUnits.seconds) });
  assert.equal(ok.state.result_state, 'SUCCESS');
  assert.equal(ok.run_type, 'SUBMIT_RUN');

  const bad = await (await w.jobs.submit({
    run_name: 'js-submit-bad',
    tasks: [{ task_key: 'q', sql_task: { warehouse_id: wh, query: { query_text: 'SELECT * FROM no_such_table_anywhere' } } }],
  })).wait({ timeout: new sdk.Time(60, sdk.TimeUnits.seconds) });
  assert.equal(bad.state.life_cycle_state, 'TERMINATED');
  assert.equal(bad.state.result_state, 'FAILED');
  const out = await w.jobs.getRunOutput({ run_id: bad.tasks[0].run_id });
  assert.match(out.error, /TABLE_OR_VIEW_NOT_FOUND/);
});
