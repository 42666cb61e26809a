// jobs_defs.test.mjs - job definitions over HTTP: jobs/create|get|list|update|reset|delete
// on /api/2.0, 2.1 and 2.2, validation errors, permissions, the cron scheduler (fires,
// pause, no replay after a restart) and file-arrival triggers.
// Run: LH_BIN=build/lakehoused LH_BUILD_DIR=build node --test tests/api/jobs_defs.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from './harness.mjs';

const SCIM = '/api/2.0/preview/scim/v2';
const J = '/api/2.1/jobs';

let d;
before(async () => { d = await startDaemon(); });
after(async () => { await d.stop(); });

const ok = (r, status = 200) => {
  assert.equal(r.status, status, r.text);
  return r.json;
};
const bad = (r, re, code = 'INVALID_PARAMETER_VALUE', status = 400) => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error_code, code, r.text);
  if (re) assert.match(r.json.message, re);
};
let seq = 0;
const uniq = (p) => `${p}-${process.pid}-${++seq}`;
const nb = (key, extra = {}) => ({ task_key: key, notebook_task: { notebook_path: `/Users/x/${key}` }, ...extra });
const create = async (body, path = J) => ok(await d.api('POST', `${path}/create`, body)).job_id;
const get = async (id) => ok(await d.api('GET', `${J}/get?job_id=${id}`));

async function userWithToken() {
  const u = ok(await d.api('POST', `${SCIM}/Users`, { userName: `${uniq('u')}@example.com` }), 201);
  const t = ok(await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: u.id }));
  const as = (method, path, body) => d.api(method, path, body, { token: t.token_value });
  return { user: u, name: u.userName, as };
}

async function metric(name) {
  const m = await (await fetch(`${d.url}/metrics`)).text();
  const line = m.split('\n').find((l) => l.startsWith(name + ' '));
  return line ? Number(line.split(' ')[1]) : NaN;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('create, get and delete on every API version; string job ids', async () => {
  for (const v of ['2.0', '2.1', '2.2']) {
    const name = uniq('job');
    const id = await create({ name, tasks: [nb('a'), nb('b', { depends_on: [{ task_key: 'a' }] })] },
      `/api/${v}/jobs`);
    assert.equal(typeof id, 'number');
    const j = ok(await d.api('GET', `/api/${v}/jobs/get?job_id=${id}`));
    assert.equal(j.job_id, id);
    assert.equal(j.settings.name, name);
    assert.equal(j.settings.tasks.length, 2);
    assert.equal(j.creator_user_name, 'admin');
    assert.equal(j.run_as_user_name, 'admin');
    assert.equal(j.run_as_owner, true);
    assert.ok(j.created_time > Date.now() - 60000);
    assert.equal(j.settings.max_concurrent_runs, 1);
    ok(await d.api('POST', `/api/${v}/jobs/delete`, { job_id: String(id) }));
    bad(await d.api('GET', `/api/${v}/jobs/get?job_id=${id}`), new RegExp(`Job ${id} does not exist\\.`));
  }
  const id = await create({ name: uniq('s'), tasks: [nb('a')] });
  assert.equal(ok(await d.api('GET', `${J}/get?job_id=${id}`)).job_id, id);
  bad(await d.api('POST', `${J}/delete`, { job_id: 99999999 }), /Job 99999999 does not exist\./);
  bad(await d.api('POST', `${J}/update`, { job_id: '99999998', new_settings: {} }), /does not exist/);
  bad(await d.api('GET', `${J}/get`), /job_id/);
});

test('a single-task API 2.0 body becomes one task', async () => {
  const id = await create({ name: 'legacy_one', existing_cluster_id: 'c1', notebook_task: { notebook_path: '/n' } },
    '/api/2.0/jobs');
  const j = await get(id);
  assert.equal(j.settings.tasks.length, 1);
  assert.equal(j.settings.tasks[0].task_key, 'legacy_one');
  assert.equal(j.settings.tasks[0].existing_cluster_id, 'c1');
  assert.equal(j.settings.notebook_task, undefined);
  const id2 = await create({ name: 'has spaces', spark_python_task: { python_file: 'dbfs:/x.py' } });
  assert.equal((await get(id2)).settings.tasks[0].task_key, 'task');
});

test('validation errors name the field', async () => {
  const c = (body) => d.api('POST', `${J}/create`, { name: uniq('bad'), ...body });
  bad(await c({ tasks: [nb('a', { depends_on: [{ task_key: 'b' }] }), nb('b', { depends_on: [{ task_key: 'c' }] }),
    nb('c', { depends_on: [{ task_key: 'a' }] })] }), /cycle: a -> b -> c -> a/);
  bad(await c({ tasks: [nb('a', { depends_on: [{ task_key: 'zz' }] })] }),
    /settings\.tasks\[0\]\.depends_on\[0\]\.task_key: task 'zz' does not exist/);
  bad(await c({ tasks: [{ task_key: 'a', notebook_task: { notebook_path: '/x' }, spark_python_task: { python_file: 'x' } }] }),
    /exactly one task type/);
  bad(await c({ tasks: [{ task_key: 'a' }] }), /needs one task type/);
  bad(await c({ tasks: [nb('a'), nb('a')] }), /used by more than one task/);
  bad(await c({ tasks: [nb('a b')] }), /task_key/);
  bad(await c({ tasks: [nb('a', { run_if: 'SOMETIMES' })] }), /run_if/);
  bad(await c({ tasks: [{ task_key: 'a', condition_task: { op: 'LIKE', left: '1', right: '2' } }] }), /op/);
  bad(await c({ tasks: [{ task_key: 'a', notebook_task: {} }] }), /notebook_task\.notebook_path is required/);
  bad(await c({ tasks: [{ task_key: 'f', for_each_task: { inputs: '[1]', task: { task_key: 'g',
    for_each_task: { inputs: '[1]', task: nb('h') } } } }] }), /cannot nest/);
  ok(await c({ tasks: [{ task_key: 'f', for_each_task: { inputs: '[1,2]', task: nb('g') } }] }));
  bad(await c({ tasks: [nb('a')], schedule: { quartz_cron_expression: '0 0 25 * * ?', timezone_id: 'UTC' } }),
    /settings\.schedule\.quartz_cron_expression: .*hours/);
  bad(await c({ tasks: [nb('a')], schedule: { quartz_cron_expression: '0 0 * * * ?', timezone_id: 'Mars/Base' } }),
    /timezone_id/);
  bad(await c({ schedule: { quartz_cron_expression: '0 0 * * * ?', timezone_id: 'UTC', pause_status: 'MAYBE' } }),
    /pause_status/);
  bad(await c({ max_concurrent_runs: 1001 }), /max_concurrent_runs/);
  bad(await c({ timeout_seconds: -1 }), /timeout_seconds/);
  bad(await c({ parameters: [{ name: 'p', default: '1' }, { name: 'p', default: '2' }] }), /more than once/);
  bad(await c({ job_clusters: [{ job_cluster_key: 'k', new_cluster: {} }, { job_cluster_key: 'k', new_cluster: {} }] }),
    /more than once/);
  bad(await c({ tasks: [nb('a', { job_cluster_key: 'nope' })] }), /job cluster 'nope' does not exist/);
  ok(await c({ job_clusters: [{ job_cluster_key: 'k', new_cluster: { num_workers: 1 } }], tasks: [nb('a', { job_cluster_key: 'k' })] }));
  bad(await c({ tasks: Array.from({ length: 1001 }, (_, i) => nb(`t${i}`)) }), /at most 1000 tasks/);
  bad(await c({ trigger: { file_arrival: { url: 'dbfs:/a/../b' } } }), /'\.\.'/);
  bad(await c({ trigger: { file_arrival: { url: 's3://bucket/x' } } }), /dbfs/);
  bad(await c({ trigger: { periodic: { interval: 1, unit: 'MINUTES' } } }), /unit/);
  bad(await c({ run_as: { group_name: 'admins' } }), /group/);
});

test('list: pagination, limit bounds, name filter, expand_tasks', async () => {
  const name = uniq('page');
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push(await create({ name, tasks: [nb('a')] }));
  bad(await d.api('GET', `${J}/list?limit=0`), /limit/);
  bad(await d.api('GET', `${J}/list?limit=101`), /limit/);
  const seen = [];
  let token = '';
  let pages = 0;
  for (;;) {
    const r = ok(await d.api('GET', `${J}/list?limit=2&name=${name}&page_token=${token}`));
    assert.equal(typeof r.has_more, 'boolean');
    for (const j of r.jobs) {
      assert.equal(j.settings.name, name);
      assert.equal(j.settings.tasks, undefined);
      seen.push(j.job_id);
    }
    pages++;
    if (!r.has_more) { assert.equal(r.next_page_token, undefined); break; }
    token = r.next_page_token;
  }
  assert.deepEqual(seen, ids);
  assert.equal(pages, 3);
  const e = ok(await d.api('GET', `${J}/list?name=${name}&expand_tasks=true&limit=1`));
  assert.equal(e.jobs[0].settings.tasks.length, 1);
  assert.equal(e.has_more, true);
  const off = ok(await d.api('GET', `${J}/list?name=${name}&offset=3`));
  assert.deepEqual(off.jobs.map((j) => j.job_id), ids.slice(3));
  const none = ok(await d.api('GET', `${J}/list?name=${uniq('none')}`));
  assert.deepEqual(none.jobs, []);
  assert.equal(none.has_more, false);
  bad(await d.api('GET', `${J}/list?page_token=garbage!`), /page_token/);
  // Airflow's DatabricksRunNowOperator lookup by name, parameters as it sends them
  const af = ok(await d.api('GET', `/api/2.1/jobs/list?limit=25&expand_tasks=False&include_user_names=False&page_token=&name=${name}`));
  assert.equal(af.jobs.length, 5);
  assert.equal(af.has_more, false);
  assert.ok(af.jobs.every((j) => j.settings.name === name));
});

test('update merges by key, fields_to_remove, reset replaces', async () => {
  const id = await create({ name: uniq('u'), description: 'd', tags: { a: '1' },
    job_clusters: [{ job_cluster_key: 'k', new_cluster: { num_workers: 1 } }],
    tasks: [nb('a'), nb('b', { depends_on: [{ task_key: 'a' }] })] });
  ok(await d.api('POST', `${J}/update`, { job_id: id, new_settings: { tags: { b: '2' },
    tasks: [{ task_key: 'b', spark_python_task: { python_file: 'x.py' } }, nb('c')] } }));
  let s = (await get(id)).settings;
  assert.deepEqual(s.tags, { b: '2' });
  assert.equal(s.description, 'd');
  assert.deepEqual(s.tasks.map((t) => t.task_key), ['a', 'b', 'c']);
  assert.equal(s.tasks[1].spark_python_task.python_file, 'x.py');
  assert.equal(s.tasks[1].depends_on, undefined);
  ok(await d.api('POST', `${J}/update`, { job_id: String(id), fields_to_remove: ['description', 'tasks/c', 'job_clusters/k'] }));
  s = (await get(id)).settings;
  assert.equal(s.description, undefined);
  assert.deepEqual(s.tasks.map((t) => t.task_key), ['a', 'b']);
  assert.deepEqual(s.job_clusters, []);
  // the merged result is validated: removing a task another depends on
  ok(await d.api('POST', `${J}/update`, { job_id: id, new_settings: { tasks: [nb('b', { depends_on: [{ task_key: 'a' }] })] } }));
  bad(await d.api('POST', `${J}/update`, { job_id: id, fields_to_remove: ['tasks/a'] }), /task 'a' does not exist/);
  bad(await d.api('POST', `${J}/update`, { job_id: id, fields_to_remove: ['tasks/zz'] }), /does not exist/);
  bad(await d.api('POST', `${J}/update`, { job_id: id, fields_to_remove: ['tags/a'] }), /can be removed/);
  ok(await d.api('POST', `${J}/reset`, { job_id: id, new_settings: { name: 'reset-name', tasks: [nb('z')] } }));
  s = (await get(id)).settings;
  assert.equal(s.name, 'reset-name');
  assert.equal(s.tags, undefined);
  assert.deepEqual(s.tasks.map((t) => t.task_key), ['z']);
  bad(await d.api('POST', `${J}/reset`, { job_id: id }), /new_settings/);
  bad(await d.api('POST', `${J}/reset`, { job_id: id, new_settings: { tasks: [{ task_key: 'x' }] } }),
    /new_settings\.tasks\[0\]/);
});

test('permissions: owner, CAN_VIEW, CAN_MANAGE, list filtering, the permissions API', async () => {
  const u = await userWithToken();
  const v = await userWithToken();
  const mine = ok(await u.as('POST', `${J}/create`, { name: uniq('mine'), tasks: [nb('a')] })).job_id;
  const adminJob = await create({ name: uniq('admin'), tasks: [nb('a')],
    access_control_list: [{ user_name: v.name, permission_level: 'CAN_VIEW' }] });
  // u sees only its own job
  const lu = ok(await u.as('GET', `${J}/list?limit=100`));
  assert.deepEqual(lu.jobs.map((j) => j.job_id), [mine]);
  assert.equal(ok(await u.as('GET', `${J}/get?job_id=${mine}`)).creator_user_name, u.name);
  bad(await u.as('GET', `${J}/get?job_id=${adminJob}`), /CAN_VIEW/, 'PERMISSION_DENIED', 403);
  // v can view (from the create ACL) but not manage
  assert.equal(ok(await v.as('GET', `${J}/get?job_id=${adminJob}`)).job_id, adminJob);
  bad(await v.as('POST', `${J}/update`, { job_id: adminJob, new_settings: { name: 'x' } }), /CAN_MANAGE/,
    'PERMISSION_DENIED', 403);
  bad(await v.as('POST', `${J}/delete`, { job_id: adminJob }), /CAN_MANAGE/, 'PERMISSION_DENIED', 403);
  // the permissions API
  const p = ok(await d.api('GET', `/api/2.0/permissions/jobs/${mine}`));
  assert.equal(p.object_id, `/jobs/${mine}`);
  assert.equal(p.object_type, 'job');
  assert.ok(p.access_control_list.some((a) => a.user_name === u.name &&
    a.all_permissions.some((x) => x.permission_level === 'IS_OWNER')));
  ok(await d.api('PATCH', `/api/2.0/permissions/jobs/${adminJob}`,
    { access_control_list: [{ user_name: v.name, permission_level: 'CAN_MANAGE' }] }));
  ok(await v.as('POST', `${J}/update`, { job_id: adminJob, new_settings: { description: 'by v' } }));
  ok(await d.api('PUT', `/api/2.0/permissions/jobs/${adminJob}`, { access_control_list: [] }));
  bad(await v.as('GET', `${J}/get?job_id=${adminJob}`), null, 'PERMISSION_DENIED', 403);
  assert.equal((await d.api('GET', '/api/2.0/permissions/jobs/99999997')).status, 404);
  // an ACL naming nobody leaves no job behind
  const name = uniq('ghost');
  bad(await d.api('POST', `${J}/create`, { name, tasks: [nb('a')],
    access_control_list: [{ user_name: 'nobody@example.com', permission_level: 'CAN_VIEW' }] }));
  assert.deepEqual(ok(await d.api('GET', `${J}/list?name=${name}`)).jobs, []);
  // run_as: only an admin or the principal itself
  bad(await u.as('POST', `${J}/create`, { name: uniq('ra'), run_as: { user_name: v.name } }), /run_as/,
    'PERMISSION_DENIED', 403);
  const self = ok(await u.as('POST', `${J}/create`, { name: uniq('ra'), run_as: { user_name: u.name } })).job_id;
  assert.equal(ok(await u.as('GET', `${J}/get?job_id=${self}`)).run_as_user_name, u.name);
  const other = await create({ name: uniq('ra'), run_as: { user_name: v.name } });
  const g = await get(other);
  assert.equal(g.run_as_user_name, v.name);
  assert.equal(g.run_as_owner, false);
  // a manager who is not v may still reset the job keeping its run_as
  ok(await d.api('PATCH', `/api/2.0/permissions/jobs/${other}`,
    { access_control_list: [{ user_name: u.name, permission_level: 'CAN_MANAGE' }] }));
  ok(await u.as('POST', `${J}/reset`, { job_id: other, new_settings: { ...g.settings, description: 'kept' } }));
  assert.equal((await get(other)).run_as_user_name, v.name);
  bad(await d.api('POST', `${J}/create`, { name: uniq('ra'), run_as: { service_principal_name: 'no-such-sp' } }),
    /does not exist/);
  // a service principal: an admin may name one that exists; a user may not
  const sp = ok(await d.api('POST', `${SCIM}/ServicePrincipals`, { displayName: uniq('sp') }), 201);
  const spJob = await create({ name: uniq('ra'), run_as: { service_principal_name: sp.applicationId } });
  assert.equal((await get(spJob)).run_as_user_name, sp.applicationId);
  bad(await u.as('POST', `${J}/create`, { name: uniq('ra'), run_as: { service_principal_name: sp.applicationId } }),
    /run_as/, 'PERMISSION_DENIED', 403);
  bad(await u.as('POST', `${J}/update`, { job_id: self, new_settings: { run_as: { user_name: v.name } } }), /run_as/,
    'PERMISSION_DENIED', 403);
  // delete forgets the ACL
  ok(await u.as('POST', `${J}/delete`, { job_id: mine }));
  assert.equal((await d.api('GET', `/api/2.0/permissions/jobs/${mine}`)).status, 404);
});

test('scheduler: a every-second cron fires, pausing stops it, bad cron is 400', async () => {
  bad(await d.api('POST', `${J}/create`, { name: uniq('c'), schedule: { quartz_cron_expression: 'nope', timezone_id: 'UTC' } }),
    /quartz_cron_expression/);
  const f0 = await metric('lakehouse_jobs_scheduler_fires_total');
  const id = await create({ name: uniq('cron'), tasks: [nb('a')],
    schedule: { quartz_cron_expression: '* * * * * ?', timezone_id: 'UTC' } });
  assert.equal((await get(id)).settings.schedule.pause_status, 'UNPAUSED');
  assert.ok(await metric('lakehouse_jobs_scheduled') >= 1);
  await d.waitFor(async () => (await metric('lakehouse_jobs_scheduler_fires_total')) > f0, 5000, 50);
  const fa = await metric('lakehouse_jobs_scheduler_fires_total');
  await sleep(3000);
  const f1 = await metric('lakehouse_jobs_scheduler_fires_total');
  assert.ok(f1 - fa >= 2 && f1 - fa <= 4, `fires ${f1 - fa} in 3 s`);
  assert.ok(await metric('lakehouse_jobs_scheduler_late_ms_max') < 1000);
  // many re-plans (each leaves a stale heap entry behind) keep it firing once a second
  for (let i = 0; i < 150; i++)
    ok(await d.api('POST', `${J}/update`, { job_id: id, new_settings: { description: `edit ${i}` } }));
  const fb = await metric('lakehouse_jobs_scheduler_fires_total');
  await sleep(2100);
  const fc = await metric('lakehouse_jobs_scheduler_fires_total');
  assert.ok(fc - fb >= 1 && fc - fb <= 3, `fires ${fc - fb} after the edits`);
  const sched = await metric('lakehouse_jobs_scheduled');
  ok(await d.api('POST', `${J}/update`, { job_id: id, new_settings: {
    schedule: { quartz_cron_expression: '* * * * * ?', timezone_id: 'UTC', pause_status: 'PAUSED' } } }));
  await d.waitFor(async () => (await metric('lakehouse_jobs_scheduled')) === sched - 1, 2000, 20);
  await sleep(300);
  const f2 = await metric('lakehouse_jobs_scheduler_fires_total');
  await sleep(2000);
  assert.equal(await metric('lakehouse_jobs_scheduler_fires_total'), f2);
  ok(await d.api('POST', `${J}/delete`, { job_id: id }));
});

test('scheduler: after a stall the due tick fires once, the missed ones are skipped', async () => {
  const id = await create({ name: uniq('stall'), tasks: [nb('a')],
    schedule: { quartz_cron_expression: '* * * * * ?', timezone_id: 'UTC' } });
  const f0 = await metric('lakehouse_jobs_scheduler_fires_total');
  await d.waitFor(async () => (await metric('lakehouse_jobs_scheduler_fires_total')) > f0, 5000, 50);
  const s0 = await metric('lakehouse_jobs_scheduler_skipped_total');
  const f1 = await metric('lakehouse_jobs_scheduler_fires_total');
  d.proc.kill('SIGSTOP');
  await sleep(3500);
  d.proc.kill('SIGCONT');
  await sleep(300);
  const f2 = await metric('lakehouse_jobs_scheduler_fires_total');
  assert.ok(f2 - f1 >= 1 && f2 - f1 <= 2, `fires after the stall ${f2 - f1}`);
  assert.ok(await metric('lakehouse_jobs_scheduler_skipped_total') - s0 >= 1);
  ok(await d.api('POST', `${J}/delete`, { job_id: id }));
});

test('scheduler: a restart after a crash does not replay missed ticks', async () => {
  const r = await startDaemon();
  try {
    const id = ok(await r.api('POST', `${J}/create`, { name: 'every2s', tasks: [nb('a')],
      schedule: { quartz_cron_expression: '*/2 * * * * ?', timezone_id: 'Europe/Paris' } })).job_id;
    await sleep(2500);
    await r.kill9(); // a crash: the job and its last fired tick are committed
    await sleep(4000); // two ticks missed while down
    await r.restart();
    const m = async () => {
      const t = await (await fetch(`${r.url}/metrics`)).text();
      return Number(t.split('\n').find((l) => l.startsWith('lakehouse_jobs_scheduler_fires_total ')).split(' ')[1]);
    };
    assert.equal(await m(), 0);
    const t = await (await fetch(`${r.url}/metrics`)).text();
    assert.match(t, /lakehouse_jobs_scheduled 1/);
    await sleep(2300);
    const n = await m();
    assert.ok(n >= 1 && n <= 2, `fires after restart ${n}`);
    assert.equal(ok(await r.api('GET', `${J}/get?job_id=${id}`)).job_id, id);
  } finally {
    await r.stop();
  }
});

test('file arrival: a new file fires once; old files and a restart do not', async () => {
  const r = await startDaemon();
  try {
    const dir = join(r.dataDir, 'dbfs', 'landing', uniq('in'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'old.csv'), 'x');
    const url = `dbfs:/${dir.slice(join(r.dataDir, 'dbfs').length + 1)}`;
    ok(await r.api('POST', `${J}/create`, { name: 'fa', tasks: [nb('a')], trigger: { file_arrival: { url } } }));
    const fires = async () => {
      const t = await (await fetch(`${r.url}/metrics`)).text();
      return Number(t.split('\n').find((l) => l.startsWith('lakehouse_jobs_file_arrival_fires_total ')).split(' ')[1]);
    };
    await sleep(1500);
    assert.equal(await fires(), 0);
    writeFileSync(join(dir, 'new.csv'), 'y');
    await r.waitFor(async () => (await fires()) === 1, 5000, 100);
    await sleep(1500);
    assert.equal(await fires(), 1);
    await r.stop({ keep: true });
    await r.restart();
    await sleep(2000);
    assert.equal(await fires(), 0);
    writeFileSync(join(dir, 'newer.csv'), 'z');
    await r.waitFor(async () => (await fires()) === 1, 5000, 100);
    // wait_after_last_change_seconds: files still arriving hold the trigger back
    const dir2 = join(r.dataDir, 'volumes', 'c', 's', 'v', 'landing');
    mkdirSync(dir2, { recursive: true });
    ok(await r.api('POST', `${J}/create`, { name: 'fa2', tasks: [nb('a')],
      trigger: { file_arrival: { url: '/Volumes/c/s/v/landing', wait_after_last_change_seconds: 2 } } }));
    await sleep(1500);
    for (let i = 0; i < 3; i++) { writeFileSync(join(dir2, `part-${i}`), 'x'); await sleep(1000); }
    assert.equal(await fires(), 1);
    await r.waitFor(async () => (await fires()) === 2, 6000, 100);
    // a paused trigger does not fire
    const paused = ok(await r.api('POST', `${J}/create`, { name: 'fa3', tasks: [nb('a')],
      trigger: { pause_status: 'PAUSED', file_arrival: { url: '/Volumes/c/s/v/other' } } })).job_id;
    mkdirSync(join(r.dataDir, 'volumes', 'c', 's', 'v', 'other'), { recursive: true });
    await sleep(1500);
    writeFileSync(join(r.dataDir, 'volumes', 'c', 's', 'v', 'other', 'late'), 'x');
    await sleep(2500);
    assert.equal(await fires(), 2);
    assert.equal(ok(await r.api('GET', `${J}/get?job_id=${paused}`)).settings.trigger.pause_status, 'PAUSED');
  } finally {
    await r.stop();
  }
});
