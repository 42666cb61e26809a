// jobs_runs.test.mjs - the Jobs runs half: runs/submit, runs/get|list|cancel|cancel-all|
// delete|get-output|repair|export, run-now, the engine's states (success, failure, UPSTREAM_FAILED, run_if, condition
// branches, retries, timeouts, cancel, queueing), SQL and notebook tasks, parameters, task
// values, for_each, idempotency, and a kill -9 restart with a run in flight.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from './harness.mjs';

let d, wh;
const J = '/api/2.1/jobs';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const b64 = (s) => Buffer.from(s).toString('base64');
const TERMINAL = ['TERMINATED', 'SKIPPED', 'INTERNAL_ERROR'];
const SLOW = 'SELECT count(*) FROM main.default.big a JOIN main.default.big b ON a.x <> b.x JOIN main.default.big c ON b.x <> c.x';

const submit = async (body) => {
  const r = await d.api('POST', `${J}/runs/submit`, { run_name: 't', ...body });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json.run_id;
};
const get = async (id, q = '') => (await d.api('GET', `${J}/runs/get?run_id=${id}${q}`)).json;
const wait = async (id, ms = 20000) => {
  const until = Date.now() + ms;
  for (;;) {
    const r = await get(id, '&include_history=true');
    if (TERMINAL.includes(r.state?.life_cycle_state)) return r;
    if (Date.now() > until) throw new Error(`run ${id} not done: ${JSON.stringify(r.state)}`);
    await sleep(25);
  }
};
const task = (r, key) => r.tasks.find((t) => t.task_key === key);
const sql = (key, text, extra = {}) => ({ task_key: key, sql_task: { warehouse_id: wh, query: { query_text: text } }, ...extra });
const output = async (id) => (await d.api('GET', `${J}/runs/get-output?run_id=${id}`)).json;
const nb = (...cells) => '-- Databricks notebook source\n' + cells.join('\n\n-- COMMAND ----------\n\n') + '\n';
const importNb = async (path, src) => {
  const r = await d.api('POST', '/api/2.0/workspace/import', { path, format: 'SOURCE', language: 'SQL', content: b64(src), overwrite: true });
  assert.equal(r.status, 200, JSON.stringify(r.json));
};

// Jobs through jobs/create; returns their ids.
const makeJobs = async (list) => {
  const ids = [];
  for (const settings of list) {
    const r = await d.api('POST', `${J}/create`, settings);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    ids.push(r.json.job_id);
  }
  return ids;
};

before(async () => {
  d = await startDaemon();
  wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'sql', cluster_size: '2X-Small' })).json.id;
  const digits = [...Array(100).keys()].map((i) => `(${i})`).join(', ');
  const r = await d.api('POST', '/api/2.0/sql/statements', { warehouse_id: wh, wait_timeout: '50s',
    statement: `CREATE TABLE main.default.big AS SELECT a.col1 * 100 + b.col1 AS x FROM VALUES ${digits} AS a CROSS JOIN VALUES ${digits} AS b` });
  assert.equal(r.json.status.state, 'SUCCEEDED', JSON.stringify(r.json));
  await d.api('POST', '/api/2.0/workspace/mkdirs', { path: '/Shared/jobs' });
});
after(async () => { await d.stop(); });

test('a submit run succeeds: Run shape, state and status together, task values, get-output', async () => {
  const id = await submit({ tasks: [sql('a', "SELECT 1 AS one, 'x' AS s"), sql('b', 'SELECT {{tasks.a.values.one}} + 1 AS two', { depends_on: [{ task_key: 'a' }] })] });
  const r = await wait(id);
  assert.equal(r.run_id, id);
  assert.equal(r.run_type, 'SUBMIT_RUN');
  assert.equal(typeof r.job_id, 'number');
  assert.equal(r.number_in_job, id);
  assert.deepEqual(r.state, { life_cycle_state: 'TERMINATED', result_state: 'SUCCESS', state_message: '', user_cancelled_or_timedout: false });
  assert.equal(r.status.state, 'TERMINATED');
  assert.deepEqual(r.status.termination_details, { code: 'SUCCESS', type: 'SUCCESS', message: '' });
  assert.match(r.run_page_url, new RegExp(`/#job/${r.job_id}/run/${id}$`));
  assert.ok(r.start_time > 0 && r.end_time >= r.start_time);
  assert.equal(r.creator_user_name, 'admin');
  assert.equal(r.repair_history.length, 1);
  assert.equal(r.repair_history[0].type, 'ORIGINAL');
  const a = task(r, 'a'), b = task(r, 'b');
  assert.ok(a.run_id !== b.run_id && a.run_id !== id);
  assert.equal(b.state.result_state, 'SUCCESS');
  const o = await output(b.run_id);
  assert.deepEqual(o.sql_output.query_output.data_array, [['2']]);
  assert.equal(o.metadata.run_id, b.run_id);
  const multi = await d.api('GET', `${J}/runs/get-output?run_id=${id}`);
  assert.equal(multi.status, 400);
  assert.match(multi.json.message, /Retrieving the output of runs with multiple tasks is not supported/);
  // runs/get without include_history leaves repair_history out; run_id in a JSON body works (Airflow)
  assert.equal((await get(id)).repair_history, undefined);
  const viaBody = await d.raw('GET', `${J}/runs/get`, { run_id: String(id) });
  assert.equal(viaBody.status, 200);
  assert.equal(viaBody.json.run_id, id);
});

test('failure, UPSTREAM_FAILED, run_if variants, condition branches', async () => {
  const id = await submit({ tasks: [
    sql('bad', 'SELECT nope'),
    sql('after_bad', 'SELECT 1', { depends_on: [{ task_key: 'bad' }] }),
    sql('all_done', 'SELECT 1', { depends_on: [{ task_key: 'bad' }], run_if: 'ALL_DONE' }),
    sql('one_failed', 'SELECT 1', { depends_on: [{ task_key: 'bad' }], run_if: 'AT_LEAST_ONE_FAILED' }),
    sql('none_failed', 'SELECT 1', { depends_on: [{ task_key: 'bad' }], run_if: 'NONE_FAILED' }),
    { task_key: 'cond', condition_task: { op: 'GREATER_THAN', left: '10', right: '9' } },
    sql('yes', 'SELECT 1', { depends_on: [{ task_key: 'cond', outcome: 'true' }] }),
    sql('no', 'SELECT 1', { depends_on: [{ task_key: 'cond', outcome: 'false' }] }),
    sql('after_no', 'SELECT 1', { depends_on: [{ task_key: 'no' }] }),
  ] });
  const r = await wait(id);
  assert.equal(r.state.result_state, 'FAILED');
  assert.match(r.state.state_message, /nope/);
  const rs = (k) => task(r, k).state.result_state;
  assert.equal(rs('bad'), 'FAILED');
  assert.equal(rs('after_bad'), 'UPSTREAM_FAILED');
  assert.equal(rs('all_done'), 'SUCCESS');
  assert.equal(rs('one_failed'), 'SUCCESS');
  assert.equal(rs('none_failed'), 'UPSTREAM_FAILED');
  assert.equal(rs('cond'), 'SUCCESS');
  assert.equal(task(r, 'cond').condition_task.outcome, 'true');
  assert.equal(rs('yes'), 'SUCCESS');
  assert.equal(rs('no'), 'EXCLUDED');
  assert.equal(rs('after_no'), 'EXCLUDED');
  const o = await output(task(r, 'bad').run_id);
  assert.match(o.error, /nope/);
  // a string comparison, and a numeric one that a string compare would get wrong
  const c = await wait(await submit({ tasks: [{ task_key: 'c', condition_task: { op: 'LESS_THAN', left: '9', right: '10' } }] }));
  assert.equal(task(c, 'c').condition_task.outcome, 'true');
});

test('retries: each attempt a new task run id with attempt_number; the failed attempts keep their rows', async () => {
  const id = await submit({ tasks: [sql('r', 'SELECT nope', { max_retries: 2, min_retry_interval_millis: 150 })] });
  const r = await wait(id);
  const t = task(r, 'r');
  assert.equal(t.attempt_number, 2);
  assert.equal(t.state.result_state, 'FAILED');
  assert.equal(r.state.result_state, 'FAILED');
  assert.ok(t.start_time - r.start_time >= 250, 'two waits of 150 ms');
  const first = await get(t.run_id - 2);
  assert.equal(first.attempt_number, 0);
  assert.equal(first.state.result_state, 'FAILED');
});

test('cancel stops a long SQL query within a second; pending tasks never start', async () => {
  const id = await submit({ tasks: [sql('slow', SLOW), sql('next', 'SELECT 1', { depends_on: [{ task_key: 'slow' }] })] });
  for (let i = 0; i < 100 && task(await get(id), 'slow').state.life_cycle_state !== 'RUNNING'; i++) await sleep(20);
  await sleep(200);
  const t0 = Date.now();
  assert.equal((await d.api('POST', `${J}/runs/cancel`, { run_id: id })).status, 200);
  const r = await wait(id, 5000);
  assert.ok(Date.now() - t0 < 1500, `cancel took ${Date.now() - t0} ms`);
  assert.equal(r.state.result_state, 'CANCELED');
  assert.equal(r.state.user_cancelled_or_timedout, true);
  assert.equal(task(r, 'slow').state.result_state, 'CANCELED');
  assert.ok(['CANCELED', 'UPSTREAM_CANCELED'].includes(task(r, 'next').state.result_state));
  assert.equal(task(r, 'next').run_id, undefined);
});

test('timeouts: a task timeout_seconds ends TIMEDOUT; a run timeout_seconds too', async () => {
  const id = await submit({ tasks: [sql('slow', SLOW, { timeout_seconds: 1 })] });
  const r = await wait(id, 10000);
  assert.equal(task(r, 'slow').state.result_state, 'TIMEDOUT');
  assert.equal(r.state.result_state, 'FAILED');
  const id2 = await submit({ timeout_seconds: 1, tasks: [sql('slow', SLOW)] });
  const r2 = await wait(id2, 10000);
  assert.equal(r2.state.result_state, 'TIMEDOUT');
});

test('notebook tasks: cells share one session (USE, temp views), %md skipped, widgets and :name, get-output', async () => {
  await importNb('/Shared/jobs/nb1', nb(
    '-- MAGIC %md\n-- MAGIC # A title',
    'USE main.default',
    "CREATE OR REPLACE TEMP VIEW v AS SELECT x FROM big WHERE x < ${limit}",
    'SELECT count(*) AS n, :tag AS tag, \'{{job.run_id}}\' AS rid FROM v'));
  const id = await submit({ tasks: [{ task_key: 'n', notebook_task: { notebook_path: '/Shared/jobs/nb1', warehouse_id: wh, base_parameters: { limit: '10', tag: 'T{{task.name}}' } } }] });
  const r = await wait(id);
  assert.equal(r.state.result_state, 'SUCCESS', JSON.stringify(r.state));
  const o = await output(task(r, 'n').run_id);
  assert.equal(o.notebook_output.truncated, false);
  assert.equal(o.notebook_output.result, `n|tag|rid\n10|Tn|${id}`);
  // one row, one column: the value itself; a single-task run's own id works for get-output
  await importNb('/Shared/jobs/nb2', nb('SELECT 42 AS answer'));
  const id2 = await submit({ tasks: [{ task_key: 'n', notebook_task: { notebook_path: '/Shared/jobs/nb2', warehouse_id: wh } }] });
  await wait(id2);
  assert.equal((await output(id2)).notebook_output.result, '42');
  // a large result: 1000 rows kept (truncated), stored in a file under DATA_DIR/jobs/runs/<run_id>/
  await importNb('/Shared/jobs/nb3', nb("SELECT x, x * 2 AS y, 'some padding text' AS z FROM main.default.big"));
  const id3 = await submit({ tasks: [{ task_key: 'n', notebook_task: { notebook_path: '/Shared/jobs/nb3', warehouse_id: wh } }] });
  const r3 = await wait(id3);
  const o3 = await output(id3);
  assert.equal(o3.notebook_output.truncated, true);
  assert.equal(o3.notebook_output.result.split('\n').length, 1001);
  assert.ok(existsSync(join(d.dataDir, 'jobs', 'runs', String(id3), `${task(r3, 'n').run_id}.json`)));
  assert.equal((await d.api('POST', `${J}/runs/delete`, { run_id: id3 })).status, 200);
  assert.ok(!existsSync(join(d.dataDir, 'jobs', 'runs', String(id3))));
  // export gives the notebook's source
  const ex = (await d.api('GET', `${J}/runs/export?run_id=${id2}`)).json;
  assert.equal(ex.views.length, 1);
  assert.equal(ex.views[0].type, 'NOTEBOOK');
  assert.match(ex.views[0].content, /SELECT 42 AS answer/);
});

test('failing setups fail the run, never the daemon: missing notebook, unknown warehouse, unknown reference, pipelines', async () => {
  const r1 = await wait(await submit({ tasks: [{ task_key: 'n', notebook_task: { notebook_path: '/Shared/nope', warehouse_id: wh } }] }));
  assert.equal(r1.state.result_state, 'FAILED');
  assert.equal(r1.status.termination_details.code, 'RESOURCE_NOT_FOUND');
  const r2 = await wait(await submit({ tasks: [{ task_key: 's', sql_task: { warehouse_id: 'nope', query: { query_text: 'SELECT 1' } } }] }));
  assert.equal(r2.status.termination_details.code, 'RESOURCE_NOT_FOUND');
  const r3 = await wait(await submit({ tasks: [sql('s', 'SELECT {{job.nope}}')] }));
  assert.match(task(r3, 's').state.state_message, /unknown reference \{\{job.nope\}\}/);
  const r4 = await wait(await submit({ tasks: [{ task_key: 'p', pipeline_task: { pipeline_id: 'x' } }] }));
  assert.match(task(r4, 'p').state.state_message, /Pipelines are not available yet/);
  const r5 = await wait(await submit({ tasks: [{ task_key: 'q', sql_task: { warehouse_id: wh, query: { query_id: 'abc' } } }] }));
  assert.match(task(r5, 'q').state.state_message, /saved queries/);
  assert.equal((await d.api('GET', '/healthz')).status, 200);
});

test('for_each: one nested run per input, at most `concurrency` at once, stats', async () => {
  const id = await submit({ tasks: [
    sql('list', "SELECT '[1,2,3,4]' AS items"),
    { task_key: 'each', depends_on: [{ task_key: 'list' }], for_each_task: { inputs: '{{tasks.list.values.items}}', concurrency: 2,
      task: sql('each_inner', 'SELECT {{input}} * 10 AS v') } },
  ] });
  const r = await wait(id);
  assert.equal(r.state.result_state, 'SUCCESS', JSON.stringify(r.state));
  const e = task(r, 'each');
  assert.deepEqual(e.for_each_task.stats.task_run_stats.total_iterations, 4);
  assert.deepEqual(e.for_each_task.stats.task_run_stats.succeeded_iterations, 4);
  const detail = await get(e.run_id);
  assert.equal(detail.iterations.length, 4);
  const outs = await Promise.all(detail.iterations.map((it) => output(it.run_id)));
  assert.deepEqual(outs.map((o) => o.sql_output.query_output.data_array[0][0]), ['10', '20', '30', '40']);
  const bad = await wait(await submit({ tasks: [{ task_key: 'e', for_each_task: { inputs: 'not json', task: sql('i', 'SELECT 1') } }] }));
  assert.equal(bad.state.result_state, 'FAILED');
});

test('repair reruns failed tasks and their dependants with new task run ids; latest_repair_id', async () => {
  const id = await submit({ tasks: [
    sql('ok', 'SELECT 1'),
    sql('flaky', 'SELECT v FROM main.default.flag', { depends_on: [{ task_key: 'ok' }] }),
    sql('after', 'SELECT 2', { depends_on: [{ task_key: 'flaky' }] }),
  ] });
  const r = await wait(id);
  assert.equal(r.state.result_state, 'FAILED');
  const okId = task(r, 'ok').run_id, flakyId = task(r, 'flaky').run_id;
  const cr = await d.api('POST', '/api/2.0/sql/statements', { warehouse_id: wh, statement: 'CREATE TABLE main.default.flag AS SELECT 1 AS v', wait_timeout: '30s' });
  assert.equal(cr.json.status.state, 'SUCCEEDED', JSON.stringify(cr.json));
  const bad = await d.api('POST', `${J}/runs/repair`, { run_id: id, rerun_all_failed_tasks: true, latest_repair_id: 12345 });
  assert.equal(bad.status, 400);
  const rep = await d.api('POST', `${J}/runs/repair`, { run_id: id, rerun_all_failed_tasks: true });
  assert.equal(rep.status, 200, JSON.stringify(rep.json));
  const r2 = await wait(id);
  assert.equal(r2.state.result_state, 'SUCCESS', JSON.stringify(r2.tasks.map((t) => t.state)));
  assert.equal(task(r2, 'ok').run_id, okId);
  assert.notEqual(task(r2, 'flaky').run_id, flakyId);
  assert.equal(task(r2, 'after').state.result_state, 'SUCCESS');
  assert.equal(r2.repair_history.length, 2);
  assert.equal(r2.repair_history[1].type, 'REPAIR');
  assert.equal(r2.repair_history[1].id, rep.json.repair_id);
  assert.equal(r2.repair_history[0].state.result_state, 'FAILED');
  // a second repair needs the latest id
  const again = await d.api('POST', `${J}/runs/repair`, { run_id: id, rerun_tasks: ['after'] });
  assert.equal(again.status, 400);
  const ok = await d.api('POST', `${J}/runs/repair`, { run_id: id, rerun_tasks: ['after'], latest_repair_id: rep.json.repair_id });
  assert.equal(ok.status, 200);
  assert.equal((await wait(id)).repair_history.length, 3);
});

test('runs/list: filters, paging, 400s; runs/delete only terminal runs', async () => {
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push(await submit({ tasks: [sql('a', 'SELECT 1')] }));
  for (const id of ids) await wait(id);
  const l = (await d.api('GET', `${J}/runs/list?limit=2&run_type=SUBMIT_RUN`)).json;
  assert.equal(l.runs.length, 2);
  assert.equal(l.has_more, true);
  assert.ok(l.next_page_token);
  assert.equal(l.runs[0].tasks, undefined);
  assert.ok(l.runs[0].run_id > l.runs[1].run_id);
  const l2 = (await d.api('GET', `${J}/runs/list?limit=2&run_type=SUBMIT_RUN&expand_tasks=true&page_token=${l.next_page_token}`)).json;
  assert.ok(l2.runs[0].run_id < l.runs[1].run_id);
  assert.ok(Array.isArray(l2.runs[0].tasks));
  assert.equal((await d.api('GET', `${J}/runs/list?active_only=true&completed_only=true`)).status, 400);
  assert.equal((await d.api('GET', `${J}/runs/list?limit=26`)).status, 400);
  const done = (await d.api('GET', `${J}/runs/list?completed_only=true&limit=25`)).json.runs;
  assert.ok(done.every((r) => TERMINAL.includes(r.state.life_cycle_state)));
  const active = (await d.api('GET', `${J}/runs/list?active_only=true`)).json.runs ?? [];
  assert.ok(active.every((r) => !TERMINAL.includes(r.state.life_cycle_state)));
  // delete
  const slow = await submit({ tasks: [sql('slow', SLOW)] });
  assert.equal((await d.api('POST', `${J}/runs/delete`, { run_id: slow })).status, 400);
  await d.api('POST', `${J}/runs/cancel`, { run_id: slow });
  await wait(slow);
  assert.equal((await d.api('POST', `${J}/runs/delete`, { run_id: ids[0] })).status, 200);
  const gone = await d.api('GET', `${J}/runs/get?run_id=${ids[0]}`);
  assert.equal(gone.status, 400);
  assert.equal(gone.json.error_code, 'INVALID_PARAMETER_VALUE');
  assert.equal(gone.json.message, `Run ${ids[0]} does not exist.`);
});

test('idempotency: the same token gives the same run, also after a restart', async () => {
  const body = { idempotency_token: 'tok-1', tasks: [sql('a', 'SELECT 1')] };
  const a = await submit(body);
  const b = await submit(body);
  assert.equal(a, b);
  await wait(a);
  await d.stop({ keep: true });
  await d.restart();
  assert.equal(await submit(body), a);
});

test('bad requests: 400 naming the problem', async () => {
  const r1 = await d.api('POST', `${J}/runs/submit`, { run_name: 'x' });
  assert.equal(r1.status, 400);
  const r2 = await d.api('POST', `${J}/runs/submit`, { tasks: [{ task_key: 'a', condition_task: {} }, { task_key: 'a', condition_task: {} }] });
  assert.equal(r2.status, 400);
  assert.equal((await d.api('GET', `${J}/runs/get`)).status, 400);
  assert.equal((await d.api('GET', `${J}/runs/get?run_id=abc`)).status, 400);
  assert.equal((await d.api('POST', `${J}/runs/cancel-all`, {})).status, 400);
  assert.equal((await d.api('POST', `${J}/runs/repair`, { run_id: 999999 })).status, 400);
});

test('run-now: parameters, only[], queueing and skipping at max_concurrent_runs, run_job_task, cancel-all', async () => {
  const ids = await makeJobs([
    { name: 'p', max_concurrent_runs: 1, parameters: [{ name: 'x', default: '1' }],
      tasks: [sql('a', "SELECT {{job.parameters.x}} AS x, :x AS y, '{{job.name}}' AS n, '{{job.id}}' AS j"), sql('b', 'SELECT 2', { depends_on: [{ task_key: 'a' }] })] },
    { name: 's', max_concurrent_runs: 1, tasks: [sql('s', SLOW, { timeout_seconds: 3 })] },
  ]);
  const [job, slow] = ids;
  const unknown = await d.api('POST', `${J}/run-now`, { job_id: 987654 });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.json.error_code, 'INVALID_PARAMETER_VALUE');
  assert.equal(unknown.json.message, 'Job 987654 does not exist.');
  const rn = (await d.api('POST', `${J}/run-now`, { job_id: String(job), job_parameters: { x: '5' }, only: ['a'] })).json;
  assert.equal(rn.number_in_job, rn.run_id);
  const r = await wait(rn.run_id);
  assert.equal(r.state.result_state, 'SUCCESS', JSON.stringify(r.state));
  assert.equal(r.run_type, 'JOB_RUN');
  assert.equal(r.job_id, job);
  assert.equal(r.trigger, 'ONE_TIME');
  assert.deepEqual(r.job_parameters, [{ name: 'x', default: '1', value: '5' }]);
  assert.deepEqual(r.overriding_parameters, { job_parameters: { x: '5' } });
  assert.equal(r.tasks.length, 1);
  assert.deepEqual((await output(task(r, 'a').run_id)).sql_output.query_output.data_array, [['5', '5', 'p', String(job)]]);
  const byJob = (await d.api('GET', `${J}/runs/list?job_id=${job}`)).json.runs;
  assert.deepEqual(byJob.map((x) => x.run_id), [rn.run_id]);
  // idempotent run-now
  const t1 = (await d.api('POST', `${J}/run-now`, { job_id: job, idempotency_token: 'rn-1' })).json.run_id;
  assert.equal((await d.api('POST', `${J}/run-now`, { job_id: job, idempotency_token: 'rn-1' })).json.run_id, t1);
  await wait(t1);
  // concurrency: max 1 and no queue skips the second run; with a queue it waits its turn
  const r1 = (await d.api('POST', `${J}/run-now`, { job_id: slow })).json.run_id;
  const r2 = (await d.api('POST', `${J}/run-now`, { job_id: slow })).json.run_id;
  const s2 = await wait(r2);
  assert.equal(s2.state.life_cycle_state, 'SKIPPED');
  assert.equal(s2.state.result_state, 'MAXIMUM_CONCURRENT_RUNS_REACHED');
  assert.equal(s2.status.termination_details.code, 'MAX_CONCURRENT_RUNS_EXCEEDED');
  const r3 = (await d.api('POST', `${J}/run-now`, { job_id: slow, queue: { enabled: true } })).json.run_id;
  const q3 = await get(r3);
  assert.equal(q3.state.life_cycle_state, 'QUEUED');
  assert.equal(q3.status.state, 'QUEUED');
  assert.equal(q3.status.queue_details.code, 'MAX_CONCURRENT_RUNS_REACHED');
  await wait(r1, 10000);
  const d3 = await wait(r3, 10000);
  assert.ok(d3.queue_duration > 0);
  assert.equal(task(d3, 's').state.result_state, 'TIMEDOUT');
  // cancel-all: every active run of the job ends CANCELED
  const c1 = (await d.api('POST', `${J}/run-now`, { job_id: slow })).json.run_id;
  const c2 = (await d.api('POST', `${J}/run-now`, { job_id: slow, queue: { enabled: true } })).json.run_id;
  assert.equal((await d.api('POST', `${J}/runs/cancel-all`, { job_id: String(slow) })).status, 200);
  assert.equal((await wait(c1)).state.result_state, 'CANCELED');
  assert.equal((await wait(c2)).state.result_state, 'CANCELED');
  // run_job_task: the parent waits for a run of the other job
  const [parent] = await makeJobs([{ name: 'parent', tasks: [{ task_key: 'child', run_job_task: { job_id: job, job_parameters: { x: '7' } } }] }]);
  const pr = await wait((await d.api('POST', `${J}/run-now`, { job_id: parent })).json.run_id);
  assert.equal(pr.state.result_state, 'SUCCESS', JSON.stringify(pr));
  const childId = task(pr, 'child').run_job_output?.run_id ?? (await output(task(pr, 'child').run_id)).run_job_output.run_id;
  const child = await get(childId);
  assert.equal(child.trigger, 'RUN_JOB_TASK');
  assert.equal(child.job_parameters[0].value, '7');
});

test('kill -9 with a run in flight: the run ends INTERNAL_ERROR after the restart', async () => {
  const id = await submit({ tasks: [sql('slow', SLOW)] });
  for (let i = 0; i < 100 && task(await get(id), 'slow').state.life_cycle_state !== 'RUNNING'; i++) await sleep(20);
  await d.kill9();
  await d.restart();
  const r = await get(id);
  assert.equal(r.state.life_cycle_state, 'INTERNAL_ERROR');
  assert.equal(r.state.state_message, 'The run was interrupted by a restart of the server');
  assert.equal(task(r, 'slow').state.life_cycle_state, 'INTERNAL_ERROR');
  // and the engine still works
  assert.equal((await wait(await submit({ tasks: [sql('a', 'SELECT 1')] }))).state.result_state, 'SUCCESS');
});

test('permissions: a submit run is its creator\'s and the admins\'', async () => {
  const mk = async (name) => {
    const u = (await d.api('POST', '/api/2.0/preview/scim/v2/Users', { userName: `${name}-${Date.now()}@example.com` })).json;
    const t = (await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: u.id })).json;
    return (method, path, body) => d.api(method, path, body, { token: t.token_value });
  };
  const alice = await mk('alice'), bob = await mk('bob');
  const sub = await alice('POST', `${J}/runs/submit`, { run_name: 'mine', tasks: [{ task_key: 'c', condition_task: { op: 'EQUAL_TO', left: 'a', right: 'a' } }] });
  assert.equal(sub.status, 200, sub.text);
  const id = sub.json.run_id;
  await wait(id);
  assert.equal((await alice('GET', `${J}/runs/get?run_id=${id}`)).json.state.result_state, 'SUCCESS');
  assert.equal((await bob('GET', `${J}/runs/get?run_id=${id}`)).status, 403);
  assert.equal((await bob('POST', `${J}/runs/cancel`, { run_id: id })).status, 403);
  assert.equal((await bob('GET', `${J}/runs/get-output?run_id=${id}`)).status, 403);
  const bobs = (await bob('GET', `${J}/runs/list`)).json.runs ?? [];
  assert.ok(!bobs.some((r) => r.run_id === id));
  const alices = (await alice('GET', `${J}/runs/list`)).json.runs;
  assert.deepEqual(alices.map((r) => r.run_id), [id]);
  assert.equal((await d.api('GET', `${J}/runs/get?run_id=${id}`)).status, 200); // admin
  assert.equal((await bob('POST', `${J}/runs/cancel-all`, { all_queued_runs: true })).status, 403);
});
