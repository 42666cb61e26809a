// jobs_clusters.test.mjs - job clusters: a task's new_cluster and job_clusters[] referenced by
// job_cluster_key make an ephemeral cluster for the run (cluster_source JOB, named
// job-<job_id>-run-<run_id>), shown as cluster_instance, terminated after the run (also after
// a failure, and after a kill -9 restart).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';

let d;
const J = '/api/2.1/jobs';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const b64 = (s) => Buffer.from(s).toString('base64');
const TERMINAL = ['TERMINATED', 'SKIPPED', 'INTERNAL_ERROR'];
const NC = { spark_version: '15.4.x-scala2.12', node_type_id: 'i3.xlarge', num_workers: 1 };

const get = async (id) => (await d.api('GET', `${J}/runs/get?run_id=${id}`)).json;
const until = async (fn, ms = 20000, what = 'condition') => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
};
const done = (id) => until(async () => { const r = await get(id); return TERMINAL.includes(r.state?.life_cycle_state) && r; }, 20000, `run ${id}`);
const cluster = async (id) => (await d.api('GET', `/api/2.1/clusters/get?cluster_id=${id}`)).json;

before(async () => {
  d = await startDaemon();
  await d.api('POST', '/api/2.0/workspace/mkdirs', { path: '/Shared/cl' });
  for (const [name, text] of [['sleep.py', 'import time\nprint("up", flush=True)\ntime.sleep(1.5)\n'],
    ['fail.py', 'raise SystemExit(3)\n'], ['long.py', 'import time\ntime.sleep(60)\n']]) {
    const r = await d.api('POST', '/api/2.0/workspace/import', { path: `/Shared/cl/${name}`, format: 'AUTO', content: b64(text), overwrite: true });
    assert.equal(r.status, 200, JSON.stringify(r.json));
  }
});
after(async () => { await d.stop(); });

test('a task new_cluster: cluster_instance, cluster_source JOB while it runs, TERMINATED after', async () => {
  const r0 = await d.api('POST', `${J}/runs/submit`, { run_name: 'c', tasks: [{ task_key: 'a', new_cluster: NC, spark_python_task: { python_file: '/Shared/cl/sleep.py' } }] });
  assert.equal(r0.status, 200, JSON.stringify(r0.json));
  const id = r0.json.run_id;
  const running = await until(async () => { const r = await get(id); return r.tasks[0].cluster_instance && r; }, 10000, 'cluster_instance');
  const cid = running.tasks[0].cluster_instance.cluster_id;
  assert.equal(running.cluster_instance.cluster_id, cid);
  const c = await cluster(cid);
  assert.equal(c.cluster_source, 'JOB');
  assert.equal(c.cluster_name, `job-${running.job_id}-run-${id}`);
  assert.ok(['PENDING', 'RUNNING'].includes(c.state), c.state);
  const r = await done(id);
  assert.equal(r.state.result_state, 'SUCCESS', JSON.stringify(r.tasks[0].state));
  await until(async () => (await cluster(cid)).state === 'TERMINATED', 10000, 'TERMINATED');
  const t = await cluster(cid);
  assert.equal(t.termination_reason.code, 'JOB_FINISHED');
});

test('job_clusters shared by two tasks through job_cluster_key: one cluster, terminated after a failure', async () => {
  const j = await d.api('POST', `${J}/create`, { name: 'jc', job_clusters: [{ job_cluster_key: 'k', new_cluster: NC }],
    tasks: [{ task_key: 'a', job_cluster_key: 'k', spark_python_task: { python_file: '/Shared/cl/sleep.py' } },
      { task_key: 'b', depends_on: [{ task_key: 'a' }], job_cluster_key: 'k', spark_python_task: { python_file: '/Shared/cl/fail.py' } }] });
  assert.equal(j.status, 200, JSON.stringify(j.json));
  const id = (await d.api('POST', `${J}/run-now`, { job_id: j.json.job_id })).json.run_id;
  const r = await done(id);
  assert.equal(r.state.result_state, 'FAILED');
  const a = r.tasks.find((t) => t.task_key === 'a'), b = r.tasks.find((t) => t.task_key === 'b');
  assert.ok(a.cluster_instance?.cluster_id);
  assert.equal(a.cluster_instance.cluster_id, b.cluster_instance.cluster_id);
  assert.equal((await cluster(a.cluster_instance.cluster_id)).cluster_name, `job-${j.json.job_id}-run-${id}`);
  await until(async () => (await cluster(a.cluster_instance.cluster_id)).state === 'TERMINATED', 10000, 'TERMINATED');
});

test('a bad new_cluster fails the task clearly; an undefined job_cluster_key too', async () => {
  const r0 = await d.api('POST', `${J}/runs/submit`, { tasks: [{ task_key: 'a', new_cluster: { spark_version: 'nope', num_workers: 1 }, spark_python_task: { python_file: '/Shared/cl/sleep.py' } }] });
  const r = await done(r0.json.run_id);
  assert.equal(r.state.result_state, 'FAILED');
  assert.match(r.tasks[0].state.state_message, /spark_version|nope/);
});

test('after a kill -9 with a job cluster running, the restart terminates it', async () => {
  const r0 = await d.api('POST', `${J}/runs/submit`, { tasks: [{ task_key: 'a', new_cluster: NC, spark_python_task: { python_file: '/Shared/cl/long.py' } }] });
  const id = r0.json.run_id;
  const running = await until(async () => { const r = await get(id); return r.tasks[0].cluster_instance && r; }, 10000, 'cluster_instance');
  const cid = running.tasks[0].cluster_instance.cluster_id;
  await until(async () => (await cluster(cid)).state === 'RUNNING', 10000, 'RUNNING');
  await d.kill9();
  await d.restart();
  const c = await cluster(cid);
  assert.equal(c.state, 'TERMINATED');
  assert.equal(c.cluster_source, 'JOB');
  assert.equal((await get(id)).state.life_cycle_state, 'INTERNAL_ERROR');
});
