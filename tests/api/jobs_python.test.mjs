// jobs_python.test.mjs - Python tasks really executed by the run engine (python3 on PATH):
// spark_python_task from the workspace and dbfs:/, parameters, a traceback failure, a
// script calling back into the API with DATABRICKS_TOKEN (revoked when the task ends),
// cancel of a sleeping script within 1 s, timeout_seconds, Python notebooks (widgets,
// dbutils.notebook.exit, task values used by a downstream SQL task), python_wheel_task.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';

let d, wh;
const J = '/api/2.1/jobs';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const b64 = (s) => Buffer.from(s).toString('base64');
const TERMINAL = ['TERMINATED', 'SKIPPED', 'INTERNAL_ERROR'];

const submit = async (body) => {
  const r = await d.api('POST', `${J}/runs/submit`, { run_name: 'py', ...body });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json.run_id;
};
const get = async (id) => (await d.api('GET', `${J}/runs/get?run_id=${id}`)).json;
const wait = async (id, ms = 20000) => {
  const until = Date.now() + ms;
  for (;;) {
    const r = await get(id);
    if (TERMINAL.includes(r.state?.life_cycle_state)) return r;
    if (Date.now() > until) throw new Error(`run ${id} not done: ${JSON.stringify(r.state)}`);
    await sleep(25);
  }
};
const output = async (id) => (await d.api('GET', `${J}/runs/get-output?run_id=${id}`)).json;
const put = async (path, text, extra = {}) => {
  const r = await d.api('POST', '/api/2.0/workspace/import', { path, format: 'AUTO', content: b64(text), overwrite: true, ...extra });
  assert.equal(r.status, 200, JSON.stringify(r.json));
};
const pyTask = (key, file, parameters, extra = {}) => ({ task_key: key, spark_python_task: { python_file: file, ...(parameters ? { parameters } : {}) }, ...extra });

before(async () => {
  d = await startDaemon();
  wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'sql', cluster_size: '2X-Small' })).json.id;
  await d.api('POST', '/api/2.0/workspace/mkdirs', { path: '/Shared/py' });
});
after(async () => { await d.stop(); });

test('spark_python_task: a workspace file runs with its parameters; logs in get-output', async () => {
  await put('/Shared/py/hello.py', 'import sys\nprint("hello", *sys.argv[1:])\nprint("err line", file=sys.stderr)\n');
  const id = await submit({ tasks: [pyTask('a', '/Workspace/Shared/py/hello.py', ['x', 'y z'])] });
  const r = await wait(id);
  assert.equal(r.state.result_state, 'SUCCESS', JSON.stringify(r.state));
  const out = await output(r.tasks[0].run_id);
  assert.match(out.logs, /hello x y z/);
  assert.match(out.logs, /err line/);
  assert.equal(out.logs_truncated, false);
  assert.equal(out.metadata.state.result_state, 'SUCCESS');
});

test('spark_python_task: a dbfs:/ file; references in parameters are substituted', async () => {
  const r0 = await d.api('POST', '/api/2.0/dbfs/put', { path: '/py/echo.py', contents: b64('import sys\nprint("argv=" + ",".join(sys.argv[1:]))\n'), overwrite: true });
  assert.equal(r0.status, 200, JSON.stringify(r0.json));
  const id = await submit({ tasks: [pyTask('a', 'dbfs:/py/echo.py', ['--run={{job.run_id}}', 'k'])] });
  const r = await wait(id);
  assert.equal(r.state.result_state, 'SUCCESS', JSON.stringify(r.state));
  const out = await output(r.tasks[0].run_id);
  assert.match(out.logs, new RegExp(`argv=--run=${id},k`));
});

test('spark_python_task: a traceback fails the task, its last lines are the error', async () => {
  await put('/Shared/py/boom.py', 'print("before")\ndef f():\n    raise ValueError("kaboom 42")\nf()\n');
  const id = await submit({ tasks: [pyTask('a', '/Shared/py/boom.py')] });
  const r = await wait(id);
  assert.equal(r.state.result_state, 'FAILED');
  assert.match(r.tasks[0].state.state_message, /ValueError: kaboom 42/);
  const out = await output(r.tasks[0].run_id);
  assert.match(out.error, /exited with code 1/);
  assert.match(out.error, /Traceback/);
  assert.match(out.logs, /before/);
});

test('spark_python_task: a missing file fails clearly', async () => {
  const id = await submit({ tasks: [pyTask('a', '/Shared/py/nope.py')] });
  const r = await wait(id);
  assert.equal(r.state.result_state, 'FAILED');
  assert.match(r.tasks[0].state.state_message, /does not exist/);
});

test('DATABRICKS_HOST and DATABRICKS_TOKEN call back into the API; the token dies with the task', async () => {
  await put('/Shared/py/callback.py', [
    'import os, json, urllib.request',
    'host, tok = os.environ["DATABRICKS_HOST"], os.environ["DATABRICKS_TOKEN"]',
    'req = urllib.request.Request(host + "/api/2.0/preview/scim/v2/Me", headers={"Authorization": "Bearer " + tok})',
    'me = json.load(urllib.request.urlopen(req))',
    'print("ME=" + me["userName"])',
    'print("TOKEN=" + tok)',
  ].join('\n') + '\n');
  const id = await submit({ tasks: [pyTask('a', '/Shared/py/callback.py')] });
  const r = await wait(id);
  assert.equal(r.state.result_state, 'SUCCESS', JSON.stringify(r.state));
  const out = await output(r.tasks[0].run_id);
  assert.match(out.logs, /ME=admin/);
  const tok = /TOKEN=(dapi[0-9a-f]+)/.exec(out.logs)[1];
  assert.notEqual(tok, d.token);
  const after = await d.api('GET', '/api/2.0/preview/scim/v2/Me', undefined, { token: tok });
  assert.equal(after.status, 401);
});

test('cancel stops a sleeping script within 1 s; timeout_seconds ends one as TIMEDOUT', async () => {
  await put('/Shared/py/sleep.py', 'import time\nprint("sleeping", flush=True)\ntime.sleep(60)\n');
  const id = await submit({ tasks: [pyTask('a', '/Shared/py/sleep.py')] });
  for (let i = 0; i < 200; i++) {
    const o = await output((await get(id)).tasks[0].run_id ?? 0);
    if ((await get(id)).tasks[0].state.life_cycle_state === 'RUNNING' && /sleeping/.test(o.logs ?? '')) break;
    await sleep(25);
  }
  const t0 = Date.now();
  assert.equal((await d.api('POST', `${J}/runs/cancel`, { run_id: id })).status, 200);
  const r = await wait(id, 5000);
  assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
  assert.equal(r.state.result_state, 'CANCELED');
  const id2 = await submit({ tasks: [pyTask('a', '/Shared/py/sleep.py', null, { timeout_seconds: 1 })] });
  const r2 = await wait(id2, 6000);
  assert.equal(r2.tasks[0].state.result_state, 'TIMEDOUT');
});

test('a Python notebook: widgets, dbutils.notebook.exit, a task value read by a downstream SQL task', async () => {
  const src = [
    '# Databricks notebook source',
    'x = dbutils.widgets.get("x")\nprint("x is", x)',
    'dbutils.jobs.taskValues.set("answer", int(x) * 2)',
    'dbutils.notebook.exit("done " + x)',
  ].join('\n\n# COMMAND ----------\n\n') + '\n';
  await put('/Shared/py/nb', src, { format: 'SOURCE', language: 'PYTHON' });
  const id = await submit({ tasks: [
    { task_key: 'nb', notebook_task: { notebook_path: '/Shared/py/nb', base_parameters: { x: '21' } } },
    { task_key: 'q', depends_on: [{ task_key: 'nb' }], sql_task: { warehouse_id: wh, query: { query_text: 'SELECT {{tasks.nb.values.answer}} + 0 AS v' } } },
  ] });
  const r = await wait(id);
  assert.equal(r.state.result_state, 'SUCCESS', JSON.stringify(r.tasks.map((t) => t.state)));
  const out = await output(r.tasks.find((t) => t.task_key === 'nb').run_id);
  assert.equal(out.notebook_output.result, 'done 21');
  assert.match(out.logs, /x is 21/);
  const q = await output(r.tasks.find((t) => t.task_key === 'q').run_id);
  assert.deepEqual(q.sql_output.query_output.data_array, [['42']]);
});

test('python_wheel_task: an installed module function with parameters as sys.argv', async () => {
  // json.tool ships with every python3: its main() reads sys.argv
  const r0 = await d.api('POST', '/api/2.0/dbfs/put', { path: '/py/in.json', contents: b64('{"a": 1}'), overwrite: true });
  assert.equal(r0.status, 200);
  const id = await submit({ tasks: [{ task_key: 'w', python_wheel_task: { package_name: 'json.tool', entry_point: 'main', parameters: ['--compact', `${d.dataDir}/dbfs/py/in.json`] } }] });
  const r = await wait(id);
  assert.equal(r.state.result_state, 'SUCCESS', JSON.stringify(r.tasks[0].state));
  const out = await output(r.tasks[0].run_id);
  assert.match(out.logs, /\{"a":1\}/);
});

test('a task token left by a kill -9 is revoked when the daemon comes back', async () => {
  const { readFileSync, existsSync } = await import('node:fs');
  await put('/Shared/py/hold.py', 'import os, time\nprint("TOKEN=" + os.environ["DATABRICKS_TOKEN"], flush=True)\ntime.sleep(10)\n');
  const id = await submit({ tasks: [pyTask('a', '/Shared/py/hold.py')] });
  let log = '', path = '';
  for (let i = 0; i < 400 && !/TOKEN=dapi/.test(log); i++) {
    const t = (await get(id)).tasks[0];
    path = `${d.dataDir}/jobs/runs/${id}/${t.run_id}.log`;
    if (t.run_id && existsSync(path)) log = readFileSync(path, 'utf8');
    await sleep(25);
  }
  const tok = /TOKEN=(dapi[0-9a-f]+)/.exec(log)[1];
  assert.equal((await d.api('GET', '/api/2.0/preview/scim/v2/Me', undefined, { token: tok })).status, 200);
  await d.kill9();
  await d.restart();
  assert.equal((await d.api('GET', '/api/2.0/preview/scim/v2/Me', undefined, { token: tok })).status, 401);
  assert.equal((await get(id)).state.life_cycle_state, 'INTERNAL_ERROR');
});

test('a Python notebook with a %sql cell fails clearly instead of skipping the cell', async () => {
  const src = '# Databricks notebook source\nprint(1)\n\n# COMMAND ----------\n\n# MAGIC %sql\n# MAGIC SELECT 1\n';
  await put('/Shared/py/mixed', src, { format: 'SOURCE', language: 'PYTHON' });
  const id = await submit({ tasks: [{ task_key: 'm', notebook_task: { notebook_path: '/Shared/py/mixed' } }] });
  const r = await wait(id);
  assert.equal(r.state.result_state, 'FAILED');
  assert.match(r.tasks[0].state.state_message, /cell 2 .*%sql cells in Python notebooks are not supported/);
});
