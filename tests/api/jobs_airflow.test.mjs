// jobs_airflow.test.mjs - the request sequences of Airflow's Databricks operators
// (providers/databricks hooks/databricks.py, operators/databricks.py; reference section 3)
// against the runs half: numbers sent as strings (Airflow normalises its JSON), runs/get
// with run_id in a JSON body on GET, polling until a terminal life_cycle_state with the
// run-level states Airflow accepts, get-output on the failed tasks, repair with
// repair_history and latest_repair_id, cancel, cancel-all and delete, and the job_name
// lookup through jobs/list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';

let d, wh;
const J = '/api/2.1/jobs';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Airflow's RunState: these run-level states only; terminal = the last three
const AIRFLOW_STATES = ['PENDING', 'RUNNING', 'TERMINATING', 'QUEUED', 'TERMINATED', 'SKIPPED', 'INTERNAL_ERROR'];
const TERMINAL = ['TERMINATED', 'SKIPPED', 'INTERNAL_ERROR'];

// GET with a JSON body, as Airflow's hook sends runs/get and runs/get-output
const getBody = async (path, body) => {
  const r = await d.raw('GET', `${J}/${path}`, body);
  return r;
};
// DatabricksHook.get_run_state + the operator's polling loop
const poll = async (runId) => {
  for (let i = 0; i < 800; i++) {
    const r = await getBody('runs/get', { run_id: String(runId) });
    assert.equal(r.status, 200, r.text);
    const st = r.json.state;
    assert.ok(AIRFLOW_STATES.includes(st.life_cycle_state), `run-level ${st.life_cycle_state}`);
    assert.equal(typeof st.state_message, 'string');
    assert.ok(r.json.run_page_url);
    assert.ok(r.json.job_id !== undefined);
    if (TERMINAL.includes(st.life_cycle_state)) return r.json;
    await sleep(25);
  }
  throw new Error('not terminal');
};
const sqlTask = (key, text, extra = {}) => ({ task_key: key, sql_task: { warehouse_id: wh, query: { query_text: text } }, ...extra });

before(async () => {
  d = await startDaemon();
  wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'sql', cluster_size: '2X-Small' })).json.id;
});
after(async () => { await d.stop(); });

test('DatabricksSubmitRunOperator: submit with string numbers, poll runs/get (JSON body), success', async () => {
  const sub = await d.api('POST', `${J}/runs/submit`, {
    run_name: 'airflow', timeout_seconds: '600',
    tasks: [sqlTask('a', 'SELECT 1', { max_retries: '0', min_retry_interval_millis: '100', timeout_seconds: '300' }),
            sqlTask('b', 'SELECT 2', { depends_on: [{ task_key: 'a' }] })],
  });
  assert.equal(sub.status, 200);
  const run = await poll(sub.json.run_id);
  assert.equal(run.state.result_state, 'SUCCESS');
  assert.match(run.run_page_url, /\/#job\/\d+\/run\/\d+$/);
});

test('the operator\'s classic shape: new_cluster + notebook_task (a SQL notebook) runs on a job cluster', async () => {
  const src = '-- Databricks notebook source\nSELECT 6 * 7 AS answer\n';
  const imp = await d.api('POST', '/api/2.0/workspace/import', { path: '/Shared/af_nb', format: 'SOURCE', language: 'SQL', content: Buffer.from(src).toString('base64'), overwrite: true });
  assert.equal(imp.status, 200, imp.text);
  const sub = await d.api('POST', `${J}/runs/submit`, {
    run_name: 'airflow-nb',
    tasks: [{ task_key: 'nb', new_cluster: { spark_version: '15.4.x-scala2.12', node_type_id: 'i3.xlarge', num_workers: '1' },
      notebook_task: { notebook_path: '/Shared/af_nb', base_parameters: { ds: '2024-01-01' } } }],
  });
  assert.equal(sub.status, 200, sub.text);
  const run = await poll(sub.json.run_id);
  assert.equal(run.state.result_state, 'SUCCESS', JSON.stringify(run.state));
  const o = await getBody('runs/get-output', { run_id: String(run.tasks[0].run_id) });
  assert.equal(o.json.notebook_output.result, '42');
});

test('failure path: get-output on each FAILED task gives error; repair with repair_history; cancel', async () => {
  const sub = await d.api('POST', `${J}/runs/submit`, {
    run_name: 'airflow-fail',
    tasks: [sqlTask('ok', 'SELECT 1'), sqlTask('bad', 'SELECT boom FROM range(1)'), sqlTask('later', 'SELECT 3', { depends_on: [{ task_key: 'bad' }] })],
  });
  const runId = sub.json.run_id;
  const run = await poll(runId);
  assert.equal(run.state.life_cycle_state, 'TERMINATED');
  assert.equal(run.state.result_state, 'FAILED');
  const failed = run.tasks.filter((t) => t.state.result_state === 'FAILED');
  assert.equal(failed.length, 1);
  for (const t of failed) {
    const o = await getBody('runs/get-output', { run_id: String(t.run_id) });
    assert.equal(o.status, 200);
    assert.match(o.json.error, /boom/);
  }
  // repair_run=True: include_history, then repair with latest_repair_id only when repaired before
  let h = (await getBody('runs/get', { run_id: String(runId), include_history: 'true' })).json.repair_history;
  assert.equal(h.length, 1);
  const rep = await d.api('POST', `${J}/runs/repair`, { run_id: String(runId), rerun_all_failed_tasks: true });
  assert.equal(rep.status, 200, rep.text);
  await poll(runId);
  h = (await getBody('runs/get', { run_id: String(runId), include_history: 'true' })).json.repair_history;
  assert.equal(h.length, 2);
  const rep2 = await d.api('POST', `${J}/runs/repair`, { run_id: String(runId), rerun_all_failed_tasks: true, latest_repair_id: String(h.at(-1).id) });
  assert.equal(rep2.status, 200, rep2.text);
  assert.equal((await poll(runId)).repair_history, undefined);
  // on_kill: runs/cancel {run_id}; then runs/delete
  const slow = await d.api('POST', `${J}/runs/submit`, { run_name: 'slow', tasks: [sqlTask('s', 'SELECT count(*) FROM range(100000000) a CROSS JOIN range(100000) b')] });
  await sleep(200);
  assert.equal((await d.api('POST', `${J}/runs/cancel`, { run_id: String(slow.json.run_id) })).status, 200);
  const c = await poll(slow.json.run_id);
  assert.equal(c.state.result_state, 'CANCELED');
  assert.equal((await d.api('POST', `${J}/runs/delete`, { run_id: String(slow.json.run_id) })).status, 200);
  const gone = await getBody('runs/get', { run_id: String(slow.json.run_id) });
  assert.equal(gone.status, 400);
  assert.equal(gone.json.error_code, 'INVALID_PARAMETER_VALUE');
});

test('DatabricksRunNowOperator with job_name: jobs/list lookup, run-now, cancel-all', async () => {
  const created = await d.api('POST', `${J}/create`, { name: 'af-job', tasks: [sqlTask('a', 'SELECT 1')] });
  assert.equal(created.status, 200);
  const list = await d.api('GET', `${J}/list?limit=25&expand_tasks=False&include_user_names=False&page_token=&name=af-job`);
  const matches = list.json.jobs.filter((j) => j.settings.name === 'af-job');
  assert.equal(matches.length, 1);
  const rn = await d.api('POST', `${J}/run-now`, { job_id: String(matches[0].job_id), notebook_params: { a: '1' } });
  assert.equal(rn.status, 200);
  assert.equal((await poll(rn.json.run_id)).state.result_state, 'SUCCESS');
  assert.equal((await d.api('POST', `${J}/runs/cancel-all`, { job_id: String(matches[0].job_id) })).status, 200);
});
