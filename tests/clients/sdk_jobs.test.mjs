// sdk_jobs.test.mjs - the Databricks JS SDK's jobs.* (@databricks/sdk-experimental), unchanged,
// against the real lakehoused: create, get, list (the SDK follows next_page_token across
// pages), update, reset, delete, and the job permissions calls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sdk from '@databricks/sdk-experimental';
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
const nb = (key, extra = {}) => ({ task_key: key, notebook_task: { notebook_path: `/Users/admin/${key}` }, ...extra });

test('JS SDK jobs.create, get, list across pages, update, reset, delete', async () => {
  const name = `sdk-job-${process.pid}`;
  const ids = [];
  for (let i = 0; i < 5; i++) {
    const { job_id } = await w.jobs.create({ name, tasks: [nb('a'), nb('b', { depends_on: [{ task_key: 'a' }] })],
      schedule: { quartz_cron_expression: '0 0 3 * * ?', timezone_id: 'Europe/Amsterdam', pause_status: 'PAUSED' },
      max_concurrent_runs: 2, tags: { team: 'data' } });
    assert.equal(typeof job_id, 'number');
    ids.push(job_id);
  }
  const job = await w.jobs.get({ job_id: ids[0] });
  assert.equal(job.job_id, ids[0]);
  assert.equal(job.settings.name, name);
  assert.deepEqual(job.settings.tasks.map((t) => t.task_key), ['a', 'b']);
  assert.equal(job.settings.schedule.pause_status, 'PAUSED');
  assert.equal(job.creator_user_name, 'admin');

  const listed = await all(w.jobs.list({ name, limit: 2 }));
  assert.deepEqual(listed.map((j) => j.job_id), ids);
  assert.equal(listed[0].settings.tasks, undefined);
  const expanded = await all(w.jobs.list({ name, limit: 3, expand_tasks: true }));
  assert.equal(expanded.length, 5);
  assert.equal(expanded[4].settings.tasks.length, 2);

  await w.jobs.update({ job_id: ids[0], new_settings: { description: 'via sdk', tasks: [nb('c')] },
    fields_to_remove: ['tags'] });
  let s = (await w.jobs.get({ job_id: ids[0] })).settings;
  assert.equal(s.description, 'via sdk');
  assert.equal(s.tags, undefined);
  assert.deepEqual(s.tasks.map((t) => t.task_key), ['a', 'b', 'c']);
  await w.jobs.reset({ job_id: ids[0], new_settings: { name: `${name}-reset`, tasks: [nb('z')] } });
  s = (await w.jobs.get({ job_id: ids[0] })).settings;
  assert.equal(s.name, `${name}-reset`);
  assert.deepEqual(s.tasks.map((t) => t.task_key), ['z']);

  const perms = await w.jobs.getPermissions({ job_id: String(ids[1]) });
  assert.equal(perms.object_id, `/jobs/${ids[1]}`);

  for (const id of ids) await w.jobs.delete({ job_id: id });
  await assert.rejects(w.jobs.get({ job_id: ids[0] }),
    (e) => e.errorCode === 'INVALID_PARAMETER_VALUE' && /does not exist/.test(e.message));
  assert.deepEqual(await all(w.jobs.list({ name })), []);
});

test('JS SDK jobs.create with an invalid cron reports the field', async () => {
  await assert.rejects(w.jobs.create({ name: 'bad-cron', schedule: { quartz_cron_expression: '0 0 25 * * ?', timezone_id: 'UTC' } }),
    (e) => e.errorCode === 'INVALID_PARAMETER_VALUE' && /quartz_cron_expression/.test(e.message));
});
