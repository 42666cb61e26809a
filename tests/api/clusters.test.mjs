// clusters.test.mjs - black-box tests of the clusters area (api/clusters/): clusters,
// cluster policies and instance pools over HTTP against the real lakehoused.
//
// One daemon (LAKEHOUSE_TEST_MINUTE_MS=100, so a "minute" is 0.1 s) serves most tests;
// restart recovery gets its own. Run: LH_BIN=build/lakehoused node --test tests/api/clusters.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { startDaemon } from './harness.mjs';

const MINUTE_MS = 100;
let d;

before(async () => { d = await startDaemon({ env: { LAKEHOUSE_TEST_MINUTE_MS: String(MINUTE_MS) } }); });
after(async () => { await d?.stop(); });

const V = '15.4.x-scala2.12';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function ok(method, path, body) {
  const r = await d.api(method, path, body);
  assert.equal(r.status, 200, `${method} ${path}: ${r.text}`);
  assert.ok(r.json && typeof r.json === 'object', 'every success body is JSON');
  return r.json;
}

async function getCluster(id, ver = '2.1') {
  return ok('GET', `/api/${ver}/clusters/get?cluster_id=${id}`);
}

async function waitState(id, state, timeoutMs = 10000) {
  return d.waitFor(async () => {
    const c = await getCluster(id);
    assert.notEqual(c.state, 'ERROR');
    return c.state === state ? c : null;
  }, timeoutMs, 1);
}

async function createCluster(body, ver = '2.1') {
  const r = await ok('POST', `/api/${ver}/clusters/create`, { spark_version: V, ...body });
  assert.match(r.cluster_id, /^\d{4}-\d{6}-[a-z0-9]{8}$/);
  return r.cluster_id;
}

async function allEvents(id, extra = {}) {
  let body = { cluster_id: id, limit: 2, ...extra };
  const events = [];
  let total;
  for (let i = 0; i < 100; i++) {
    const r = await ok('POST', '/api/2.0/clusters/events', body);
    events.push(...r.events);
    total = r.total_count;
    if (!r.next_page) break;
    body = r.next_page; // the whole next request, as the SDK sends it
  }
  return { events, total };
}

test('create -> RUNNING, get shape on 2.0 and 2.1', async () => {
  const t0 = performance.now();
  const id = await createCluster({ cluster_name: 'shape', num_workers: '2', custom_tags: { team: 'a' },
    spark_conf: { 'spark.x': '1' }, some_unknown_field: { kept: true } });
  const c = await waitState(id, 'RUNNING');
  const ms = performance.now() - t0;
  console.log(`# cold create -> RUNNING over HTTP: ${ms.toFixed(1)} ms`);
  assert.ok(ms < 1000);
  for (const k of ['cluster_id', 'cluster_name', 'spark_version', 'state', 'state_message', 'num_workers',
    'creator_user_name', 'cluster_source', 'default_tags', 'autotermination_minutes', 'start_time',
    'last_activity_time', 'driver', 'executors', 'spark_context_id', 'cluster_memory_mb', 'cluster_cores', 'spec']) {
    assert.ok(k in c, `missing ${k}`);
  }
  assert.equal(c.num_workers, 2);
  assert.equal(c.executors.length, 2);
  assert.equal(c.cluster_source, 'API');
  assert.equal(c.state_message, '');
  assert.equal(c.autotermination_minutes, 0);
  assert.deepEqual(c.default_tags, { Vendor: 'Databricks', Creator: c.creator_user_name, ClusterName: 'shape', ClusterId: id });
  assert.ok(!('some_unknown_field' in c) && !('some_unknown_field' in c.spec), 'unknown fields are not stored');
  assert.deepEqual(c.custom_tags, { team: 'a' });
  const c20 = await getCluster(id, '2.0');
  assert.equal(c20.cluster_id, id);
  // GET with the parameter in a JSON body (Airflow's deferrable path)
  const r = await getWithBody('/api/2.0/clusters/get', { cluster_id: id });
  assert.equal(r.status, 200);
  assert.equal(r.json.cluster_id, id);
  await ok('POST', '/api/2.0/clusters/permanent-delete', { cluster_id: id });
});

test('restart, resize, edit, delete, start, permanent-delete', async () => {
  const id = await createCluster({ cluster_name: 'life', num_workers: 1 }, '2.0');
  await waitState(id, 'RUNNING');
  let r = await d.api('POST', '/api/2.1/clusters/start', { cluster_id: id });
  assert.equal(r.status, 400);
  assert.equal(r.json.error_code, 'INVALID_STATE');

  await ok('POST', '/api/2.1/clusters/restart', { cluster_id: id });
  let c = await waitState(id, 'RUNNING');
  assert.ok(c.last_restarted_time > 0);

  await ok('POST', '/api/2.1/clusters/resize', { cluster_id: id, num_workers: '3' });
  c = await waitState(id, 'RUNNING');
  assert.equal(c.num_workers, 3);
  await ok('POST', '/api/2.0/clusters/resize', { cluster_id: id, autoscale: { min_workers: 1, max_workers: 4 } });
  c = await waitState(id, 'RUNNING');
  assert.deepEqual(c.autoscale, { min_workers: 1, max_workers: 4 });

  await ok('POST', '/api/2.1/clusters/edit', { cluster_id: id, spark_version: '14.3.x-scala2.12', cluster_name: 'edited', num_workers: 2 });
  c = await getCluster(id);
  assert.ok(['RESTARTING', 'RUNNING'].includes(c.state));
  c = await waitState(id, 'RUNNING');
  assert.equal(c.cluster_name, 'edited');
  assert.equal(c.spark_version, '14.3.x-scala2.12');
  assert.equal(c.autoscale, undefined, 'edit replaces the whole spec');

  await ok('POST', '/api/2.1/clusters/update', { cluster_id: id, update_mask: 'cluster_name', cluster: { cluster_name: 'updated' } });
  c = await waitState(id, 'RUNNING');
  assert.equal(c.cluster_name, 'updated');
  assert.equal(c.num_workers, 2);

  await ok('POST', '/api/2.1/clusters/delete', { cluster_id: id });
  c = await waitState(id, 'TERMINATED');
  assert.equal(c.termination_reason.code, 'USER_REQUEST');
  assert.equal(c.termination_reason.type, 'SUCCESS');
  assert.ok(c.termination_reason.parameters.username);
  assert.ok(c.terminated_time > 0);
  await ok('POST', '/api/2.1/clusters/delete', { cluster_id: id }); // idempotent
  r = await d.api('POST', '/api/2.1/clusters/resize', { cluster_id: id, num_workers: 1 });
  assert.equal(r.json.error_code, 'INVALID_STATE');

  // edit while TERMINATED stores the spec without starting
  await ok('POST', '/api/2.0/clusters/edit', { cluster_id: id, spark_version: V, num_workers: 1, cluster_name: 'cold-edit' });
  c = await getCluster(id);
  assert.equal(c.state, 'TERMINATED');
  assert.equal(c.cluster_name, 'cold-edit');

  await ok('POST', '/api/2.0/clusters/start', { cluster_id: id });
  c = await waitState(id, 'RUNNING');
  assert.equal(c.termination_reason, undefined);

  const { events } = await allEvents(id, { order: 'ASC' });
  const types = events.map((e) => e.type);
  for (const t of ['CREATING', 'RUNNING', 'DRIVER_HEALTHY', 'RESTARTING', 'RESIZING', 'UPSIZE_COMPLETED', 'EDITED', 'TERMINATING', 'STARTING']) {
    assert.ok(types.includes(t), `event ${t} missing from ${types}`);
  }
  assert.equal(types[0], 'CREATING');

  await ok('POST', '/api/2.1/clusters/permanent-delete', { cluster_id: id });
  r = await d.api('GET', `/api/2.1/clusters/get?cluster_id=${id}`);
  assert.equal(r.status, 404);
  assert.equal(r.json.error_code, 'RESOURCE_DOES_NOT_EXIST');
  r = await d.api('POST', '/api/2.1/clusters/events', { cluster_id: id });
  assert.equal(r.status, 404);
});

test('list: filters and paging', async () => {
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push(await createCluster({ cluster_name: `list-${i}`, num_workers: 0 }));
  for (const id of ids) await waitState(id, 'RUNNING');
  await ok('POST', '/api/2.1/clusters/pin', { cluster_id: ids[0] });
  await ok('POST', '/api/2.1/clusters/delete', { cluster_id: ids[1] });
  await waitState(ids[1], 'TERMINATED');

  let r = await ok('GET', '/api/2.0/clusters/list');
  const mine = r.clusters.filter((c) => ids.includes(c.cluster_id));
  assert.equal(mine.length, 3);
  assert.equal(r.next_page_token, undefined);

  r = await ok('GET', '/api/2.1/clusters/list?filter_by.cluster_states=TERMINATED');
  assert.deepEqual(r.clusters.map((c) => c.cluster_id).filter((x) => ids.includes(x)), [ids[1]]);
  r = await ok('GET', '/api/2.1/clusters/list?filter_by.cluster_states=TERMINATED&filter_by.cluster_states=RUNNING');
  assert.equal(r.clusters.filter((c) => ids.includes(c.cluster_id)).length, 3);
  r = await ok('GET', '/api/2.1/clusters/list?filter_by.is_pinned=True');
  assert.deepEqual(r.clusters.map((c) => c.cluster_id), [ids[0]]);
  r = await ok('GET', '/api/2.1/clusters/list?filter_by.cluster_sources=JOB');
  assert.equal(r.clusters.length, 0);
  r = await d.api('GET', '/api/2.1/clusters/list?filter_by.cluster_states=BOGUS');
  assert.equal(r.status, 400);

  const all = (await ok('GET', '/api/2.1/clusters/list')).clusters.map((c) => c.cluster_id);
  const seen = [];
  let token;
  let pages = 0;
  do {
    const q = `page_size=2${token ? `&page_token=${token}` : ''}`;
    r = await ok('GET', `/api/2.1/clusters/list?${q}`);
    assert.ok(r.clusters.length <= 2);
    if (pages > 0) assert.ok(r.prev_page_token !== undefined);
    seen.push(...r.clusters.map((c) => c.cluster_id));
    token = r.next_page_token;
    pages++;
  } while (token);
  assert.deepEqual(seen, all);
  assert.ok(pages >= 2);

  await ok('POST', '/api/2.1/clusters/unpin', { cluster_id: ids[0] });
  r = await ok('GET', '/api/2.1/clusters/list?filter_by.is_pinned=true');
  assert.equal(r.clusters.length, 0);
  const { events } = await allEvents(ids[0], { event_types: ['PINNED', 'UNPINNED'] });
  assert.deepEqual(events.map((e) => e.type), ['UNPINNED', 'PINNED'], 'newest first by default');
  for (const id of ids) await ok('POST', '/api/2.1/clusters/permanent-delete', { cluster_id: id });
});

test('events: next_page paging, total_count, time window, order', async () => {
  const id = await createCluster({ num_workers: 1 });
  await waitState(id, 'RUNNING');
  for (let i = 0; i < 3; i++) {
    await ok('POST', '/api/2.1/clusters/pin', { cluster_id: id });
    await ok('POST', '/api/2.1/clusters/unpin', { cluster_id: id });
  }
  const first = await ok('POST', '/api/2.1/clusters/events', { cluster_id: id, limit: 2 });
  assert.equal(first.events.length, 2);
  assert.ok(first.next_page);
  const { events, total } = await allEvents(id);
  assert.equal(events.length, total);
  assert.ok(total >= 9);
  const ts = events.map((e) => e.timestamp);
  assert.deepEqual(ts, [...ts].sort((a, b) => b - a));
  const asc = await allEvents(id, { order: 'ASC' });
  assert.deepEqual(asc.events.map((e) => e.type), events.map((e) => e.type).reverse());
  const last = await ok('POST', '/api/2.1/clusters/events', { cluster_id: id, offset: total - 1, limit: 5 });
  assert.equal(last.events.length, 1);
  assert.equal(last.next_page, undefined, 'no next_page on the last page');
  const none = await ok('POST', '/api/2.1/clusters/events', { cluster_id: id, end_time: 1 });
  assert.equal(none.events.length, 0);
  const r = await d.api('POST', '/api/2.1/clusters/events', { cluster_id: id, order: 'SIDEWAYS' });
  assert.equal(r.status, 400);
  await ok('POST', '/api/2.1/clusters/permanent-delete', { cluster_id: id });
});

test('catalogues: spark-versions, list-node-types, list-zones', async () => {
  for (const ver of ['2.0', '2.1']) {
    const v = await ok('GET', `/api/${ver}/clusters/spark-versions`);
    assert.ok(v.versions.some((x) => x.key === V));
    assert.ok(v.versions.some((x) => x.key.startsWith('lakehouse')));
    for (const x of v.versions) assert.ok(x.key && x.name);
    const n = await ok('GET', `/api/${ver}/clusters/list-node-types`);
    assert.ok(n.node_types.length >= 2);
    for (const t of n.node_types) {
      for (const k of ['node_type_id', 'memory_mb', 'num_cores', 'description', 'instance_type_id', 'category']) assert.ok(k in t, k);
    }
  }
  const z = await ok('GET', '/api/2.0/clusters/list-zones');
  assert.ok(Array.isArray(z.zones));
});

test('policies: CRUD, every rule type, defaults, violations name the attribute', async () => {
  const definition = JSON.stringify({
    spark_version: { type: 'fixed', value: V, hidden: true },
    num_workers: { type: 'range', minValue: 0, maxValue: 4, defaultValue: 1 },
    node_type_id: { type: 'allowlist', values: ['lakehouse.small', 'lakehouse.medium'], defaultValue: 'lakehouse.small' },
    runtime_engine: { type: 'blocklist', values: ['PHOTON'], isOptional: true },
    cluster_name: { type: 'regex', value: 'team-[a-z]+' },
    instance_pool_id: { type: 'forbidden' },
    'spark_conf.spark.databricks.io.cache.enabled': { type: 'fixed', value: 'true' },
    'custom_tags.team': { type: 'unlimited', defaultValue: 'data' },
    autotermination_minutes: { type: 'unlimited', defaultValue: 30 },
  });
  const { policy_id: pid } = await ok('POST', '/api/2.0/policies/clusters/create', { name: 'p-all', definition, description: 'd' });
  let p = await ok('GET', `/api/2.0/policies/clusters/get?policy_id=${pid}`);
  assert.equal(p.definition, definition);
  assert.equal(p.name, 'p-all');
  assert.ok(p.created_at_timestamp > 0);
  const list = await ok('GET', '/api/2.0/policies/clusters/list');
  assert.ok(list.policies.some((x) => x.policy_id === pid));
  const fam = await ok('GET', '/api/2.0/policy-families');
  assert.ok(Array.isArray(fam.policy_families));

  // defaults and fixed values fill the spec (spark_version too)
  const { cluster_id: id } = await ok('POST', '/api/2.1/clusters/create', { policy_id: pid, cluster_name: 'team-abc' });
  const c = await waitState(id, 'RUNNING');
  assert.equal(c.spark_version, V);
  assert.equal(c.num_workers, 1);
  assert.equal(c.node_type_id, 'lakehouse.small');
  assert.equal(c.spark_conf['spark.databricks.io.cache.enabled'], 'true');
  assert.equal(c.custom_tags.team, 'data');
  assert.equal(c.autotermination_minutes, 30);

  const bad = [
    [{ spark_version: '13.3.x-scala2.12' }, 'spark_version'],
    [{ num_workers: 9 }, 'num_workers'],
    [{ node_type_id: 'lakehouse.machine' }, 'node_type_id'],
    [{ runtime_engine: 'PHOTON' }, 'runtime_engine'],
    [{ cluster_name: 'Team-A' }, 'cluster_name'],
    [{ cluster_name: undefined }, 'cluster_name'],
    [{ instance_pool_id: 'x' }, 'instance_pool_id'],
    [{ spark_conf: { 'spark.databricks.io.cache.enabled': 'false' } }, 'spark_conf.spark.databricks.io.cache.enabled'],
  ];
  const before = (await ok('GET', '/api/2.1/clusters/list')).clusters.length;
  for (const [over, attr] of bad) {
    const body = { policy_id: pid, cluster_name: 'team-x', ...over };
    const r = await d.api('POST', '/api/2.1/clusters/create', body);
    assert.equal(r.status, 400, JSON.stringify(over));
    assert.equal(r.json.error_code, 'INVALID_PARAMETER_VALUE');
    assert.ok(r.json.message.includes(`Validation failed for ${attr}`), r.json.message);
  }
  assert.equal((await ok('GET', '/api/2.1/clusters/list')).clusters.length, before, 'rejected creates leave nothing');

  // edit is checked too
  let r = await d.api('POST', '/api/2.1/clusters/edit', { cluster_id: id, policy_id: pid, cluster_name: 'nope' });
  assert.equal(r.status, 400);
  assert.match(r.json.message, /cluster_name/);
  r = await d.api('POST', '/api/2.1/clusters/resize', { cluster_id: id, num_workers: 10 });
  assert.equal(r.status, 400);
  assert.match(r.json.message, /num_workers/);
  assert.equal((await getCluster(id)).state, 'RUNNING');

  // policy edit / invalid definitions / duplicate names / delete
  await ok('POST', '/api/2.0/policies/clusters/edit', { policy_id: pid, name: 'p-all2', definition: '{}' });
  p = await ok('GET', `/api/2.0/policies/clusters/get?policy_id=${pid}`);
  assert.equal(p.name, 'p-all2');
  // an edit keeps the fields it leaves out (the SDK sends only what the caller set)
  await ok('POST', '/api/2.0/policies/clusters/edit', { policy_id: pid, description: 'kept name' });
  p = await ok('GET', `/api/2.0/policies/clusters/get?policy_id=${pid}`);
  assert.equal(p.name, 'p-all2');
  assert.equal(p.description, 'kept name');
  assert.equal(p.definition, '{}');
  for (const def of ['{', '[]', '{"a":{"type":"weird"}}', '{"a":{"type":"regex","value":"("}}']) {
    r = await d.api('POST', '/api/2.0/policies/clusters/create', { name: `bad-${def}`, definition: def });
    assert.equal(r.status, 400, def);
  }
  r = await d.api('POST', '/api/2.0/policies/clusters/create', { name: 'p-all2', definition: '{}' });
  assert.equal(r.status, 409);
  await ok('POST', '/api/2.1/clusters/permanent-delete', { cluster_id: id });
  await ok('POST', '/api/2.0/policies/clusters/delete', { policy_id: pid });
  r = await d.api('GET', `/api/2.0/policies/clusters/get?policy_id=${pid}`);
  assert.equal(r.status, 404);
  r = await d.api('POST', '/api/2.1/clusters/create', { spark_version: V, policy_id: pid });
  assert.equal(r.status, 400);
});

test('policies: max_clusters_per_user counts active clusters', async () => {
  const { policy_id: pid } = await ok('POST', '/api/2.0/policies/clusters/create',
    { name: 'p-max', definition: '{}', max_clusters_per_user: '2' });
  assert.equal((await ok('GET', `/api/2.0/policies/clusters/get?policy_id=${pid}`)).max_clusters_per_user, 2);
  const a = await createCluster({ policy_id: pid });
  const b = await createCluster({ policy_id: pid });
  let r = await d.api('POST', '/api/2.1/clusters/create', { spark_version: V, policy_id: pid });
  assert.equal(r.status, 400);
  assert.match(r.json.message, /max_clusters_per_user/);
  await ok('POST', '/api/2.1/clusters/delete', { cluster_id: a });
  await waitState(a, 'TERMINATED');
  const c = await createCluster({ policy_id: pid });
  r = await d.api('POST', '/api/2.1/clusters/start', { cluster_id: a });
  assert.equal(r.status, 400, 'starting a third one is refused too');
  const listed = await ok('GET', `/api/2.1/clusters/list?filter_by.policy_id=${pid}`);
  assert.equal(listed.clusters.length, 3);
  for (const id of [a, b, c]) await ok('POST', '/api/2.1/clusters/permanent-delete', { cluster_id: id });
});

// GET with a JSON body (fetch refuses that; Airflow's async hook sends it).
function getWithBody(path, body) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(d.url + path, {
      method: 'GET',
      headers: { Authorization: `Bearer ${d.token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
    }, (res) => {
      let text = '';
      res.on('data', (b) => { text += b; });
      res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function threadCount(pid) {
  return readdirSync(`/proc/${pid}/task`).length;
}

test('instance pools: stats, warm start adopts idle workers without new threads', async () => {
  const n = 2;
  const { instance_pool_id: pool } = await ok('POST', '/api/2.0/instance-pools/create', {
    instance_pool_name: 'warm', node_type_id: 'lakehouse.small', min_idle_instances: n, max_capacity: n,
  });
  let p = await d.waitFor(async () => {
    const g = await ok('GET', `/api/2.0/instance-pools/get?instance_pool_id=${pool}`);
    return g.stats.idle_count === n ? g : null;
  });
  assert.equal(p.state, 'ACTIVE');
  assert.deepEqual(p.stats, { used_count: 0, idle_count: n, pending_used_count: 0, pending_idle_count: 0 });
  assert.ok((await ok('GET', '/api/2.0/instance-pools/list')).instance_pools.some((x) => x.instance_pool_id === pool));

  // cold reference
  let t0 = performance.now();
  const cold = await createCluster({ num_workers: 1 });
  await waitState(cold, 'RUNNING');
  const coldMs = performance.now() - t0;

  // warm: with a cluster needing <= n threads, no thread may be created
  const threadsBefore = threadCount(d.proc.pid);
  t0 = performance.now();
  const warm = await createCluster({ num_workers: 1, instance_pool_id: pool });
  await waitState(warm, 'RUNNING');
  const warmMs = performance.now() - t0;
  console.log(`# create -> RUNNING over HTTP: cold ${coldMs.toFixed(1)} ms, warm ${warmMs.toFixed(1)} ms`);
  p = await ok('GET', `/api/2.0/instance-pools/get?instance_pool_id=${pool}`);
  assert.equal(p.stats.used_count, 1);
  assert.equal(p.stats.idle_count, n - 1, 'the cluster adopted an idle instance');
  assert.equal(threadCount(d.proc.pid), threadsBefore, 'warm start created no threads');

  // a second cluster fits (n = 2), a third cannot: TERMINATED with the Databricks reason
  const second = await createCluster({ num_workers: 1, instance_pool_id: pool });
  await waitState(second, 'RUNNING');
  const third = await createCluster({ num_workers: 1, instance_pool_id: pool });
  const t = await waitState(third, 'TERMINATED');
  assert.equal(t.termination_reason.code, 'INSTANCE_POOL_MAX_CAPACITY_REACHED');

  // termination hands the workers back
  for (const id of [warm, second]) await ok('POST', '/api/2.1/clusters/delete', { cluster_id: id });
  for (const id of [warm, second]) await waitState(id, 'TERMINATED');
  p = await ok('GET', `/api/2.0/instance-pools/get?instance_pool_id=${pool}`);
  assert.deepEqual([p.stats.used_count, p.stats.idle_count], [0, n]);

  const metrics = await (await fetch(`${d.url}/metrics`)).text();
  assert.match(metrics, new RegExp(`lakehouse_instance_pool_idle\\{instance_pool_id="${pool}"\\} ${n}`));

  await ok('POST', '/api/2.0/instance-pools/edit', { instance_pool_id: pool, instance_pool_name: 'warm2', node_type_id: 'lakehouse.small', min_idle_instances: 1, max_capacity: n });
  p = await ok('GET', `/api/2.0/instance-pools/get?instance_pool_id=${pool}`);
  assert.equal(p.instance_pool_name, 'warm2');
  await ok('POST', '/api/2.0/instance-pools/delete', { instance_pool_id: pool });
  p = await ok('GET', `/api/2.0/instance-pools/get?instance_pool_id=${pool}`);
  assert.equal(p.state, 'DELETED');
  assert.ok(!(await ok('GET', '/api/2.0/instance-pools/list')).instance_pools.some((x) => x.instance_pool_id === pool));
  let r = await d.api('POST', '/api/2.1/clusters/create', { spark_version: V, instance_pool_id: pool });
  assert.equal(r.status, 400);
  r = await d.api('POST', '/api/2.0/instance-pools/create', { instance_pool_name: 'x', node_type_id: 'lakehouse.small', min_idle_instances: 3, max_capacity: 2 });
  assert.equal(r.status, 400);
  r = await d.api('POST', '/api/2.0/instance-pools/create', { node_type_id: 'lakehouse.small' });
  assert.equal(r.status, 400);
  for (const id of [cold, warm, second, third]) await ok('POST', '/api/2.1/clusters/permanent-delete', { cluster_id: id });
});

test('instance pools: surplus idle instances stop after idle_instance_autotermination_minutes', async () => {
  const { instance_pool_id: pool } = await ok('POST', '/api/2.0/instance-pools/create', {
    instance_pool_name: 'trim', node_type_id: 'lakehouse.small', min_idle_instances: 0,
    idle_instance_autotermination_minutes: 3,
  });
  const id = await createCluster({ num_workers: 1, instance_pool_id: pool });
  await waitState(id, 'RUNNING');
  await ok('POST', '/api/2.1/clusters/delete', { cluster_id: id });
  await waitState(id, 'TERMINATED');
  const idle = async () => (await ok('GET', `/api/2.0/instance-pools/get?instance_pool_id=${pool}`)).stats.idle_count;
  assert.equal(await idle(), 1, 'returned instance kept idle for a while');
  const t0 = Date.now();
  await d.waitFor(async () => (await idle()) === 0, 10000, 20);
  assert.ok(Date.now() - t0 >= 2 * MINUTE_MS, 'not trimmed before the timeout');
  assert.match(d.stderr, new RegExp(`INFO instance pool ${pool} TRIMMED \\(-1 idle, 0 idle\\)`));
  await ok('POST', '/api/2.1/clusters/permanent-delete', { cluster_id: id });
});

test('autotermination after autotermination_minutes of inactivity', async () => {
  const id = await createCluster({ num_workers: 1, autotermination_minutes: 3 });
  await waitState(id, 'RUNNING');
  const t0 = Date.now();
  const c = await waitState(id, 'TERMINATED', 10000);
  assert.ok(Date.now() - t0 >= 2 * MINUTE_MS);
  assert.deepEqual(c.termination_reason, { code: 'INACTIVITY', type: 'SUCCESS', parameters: { inactivity_duration_min: '3' } });
  assert.match(d.stderr, new RegExp(`INFO cluster ${id} \\(\\) TERMINATED \\(INACTIVITY\\)`));
  const never = await createCluster({ num_workers: 1, autotermination_minutes: 0 });
  await waitState(never, 'RUNNING');
  await sleep(5 * MINUTE_MS);
  assert.equal((await getCluster(never)).state, 'RUNNING');
  for (const x of [id, never]) await ok('POST', '/api/2.1/clusters/permanent-delete', { cluster_id: x });
});

test('bad input changes nothing', async () => {
  const before = await ok('GET', '/api/2.1/clusters/list');
  const cases = [
    ['POST', '/api/2.1/clusters/create', '{"spark_version": ', 400],
    ['POST', '/api/2.1/clusters/create', {}, 400],
    ['POST', '/api/2.1/clusters/create', { spark_version: 7 }, 400],
    ['POST', '/api/2.1/clusters/create', { spark_version: '' }, 400],
    ['POST', '/api/2.1/clusters/create', { spark_version: V, num_workers: 'two' }, 400],
    ['POST', '/api/2.1/clusters/create', { spark_version: V, num_workers: -1 }, 400],
    ['POST', '/api/2.1/clusters/create', { spark_version: V, num_workers: 100000 }, 400],
    ['POST', '/api/2.1/clusters/create', { spark_version: V, autoscale: { min_workers: 5, max_workers: 2 } }, 400],
    ['POST', '/api/2.1/clusters/create', { spark_version: V, autoscale: 3 }, 400],
    ['POST', '/api/2.1/clusters/create', { spark_version: V, spark_conf: 'x' }, 400],
    ['POST', '/api/2.1/clusters/create', { spark_version: V, custom_tags: { a: { b: 1 } } }, 400],
    ['POST', '/api/2.1/clusters/create', { spark_version: V, autotermination_minutes: 'soon' }, 400],
    ['POST', '/api/2.1/clusters/create', { spark_version: V, data_security_mode: 'OPEN' }, 400],
    ['POST', '/api/2.1/clusters/create', { spark_version: V, policy_id: 'nope' }, 400],
    ['POST', '/api/2.1/clusters/create', [1, 2], 400],
    ['GET', '/api/2.1/clusters/get?cluster_id=0000-000000-nothere0', undefined, 404],
    ['GET', '/api/2.1/clusters/get', undefined, 400],
    ['POST', '/api/2.1/clusters/start', { cluster_id: 'nope' }, 404],
    ['POST', '/api/2.1/clusters/restart', { cluster_id: 'nope' }, 404],
    ['POST', '/api/2.1/clusters/delete', { cluster_id: 'nope' }, 404],
    ['POST', '/api/2.1/clusters/permanent-delete', { cluster_id: 'nope' }, 404],
    ['POST', '/api/2.1/clusters/pin', { cluster_id: 'nope' }, 404],
    ['POST', '/api/2.1/clusters/resize', { cluster_id: 'nope', num_workers: 1 }, 404],
    ['POST', '/api/2.1/clusters/edit', { cluster_id: 'nope', spark_version: V }, 404],
    ['GET', '/api/2.1/clusters/create', undefined, 405],
    ['POST', '/api/2.1/clusters/get', { cluster_id: 'x' }, 405],
    ['GET', '/api/2.1/clusters/list?page_size=0', undefined, 400],
    ['GET', '/api/2.1/clusters/list?page_token=abc', undefined, 400],
    ['GET', '/api/2.0/instance-pools/get?instance_pool_id=nope', undefined, 404],
  ];
  for (const [m, p, body, status] of cases) {
    const r = await d.api(m, p, body);
    assert.equal(r.status, status, `${m} ${p} ${JSON.stringify(body)}: ${r.text}`);
    assert.ok(r.json?.error_code && typeof r.json.message === 'string');
  }
  const id = await createCluster({ num_workers: 1 });
  await waitState(id, 'RUNNING');
  const r = await d.api('POST', '/api/2.1/clusters/resize', { cluster_id: id });
  assert.equal(r.status, 400);
  assert.equal((await getCluster(id)).num_workers, 1);
  await ok('POST', '/api/2.1/clusters/permanent-delete', { cluster_id: id });
  const afterList = await ok('GET', '/api/2.1/clusters/list');
  assert.deepEqual(afterList.clusters.map((c) => c.cluster_id), before.clusters.map((c) => c.cluster_id));
});

test('metrics: one gauge per state', async () => {
  const text = await (await fetch(`${d.url}/metrics`)).text();
  for (const s of ['PENDING', 'RUNNING', 'RESTARTING', 'RESIZING', 'TERMINATING', 'TERMINATED', 'ERROR']) {
    assert.match(text, new RegExp(`lakehouse_clusters\\{state="${s}"\\} \\d+`));
  }
});

test('restart recovery: running clusters come back RUNNING with a fresh pool', async () => {
  const r = await startDaemon();
  try {
    const c1 = (await r.api('POST', '/api/2.1/clusters/create', { spark_version: V, num_workers: 1 })).json.cluster_id;
    const c2 = (await r.api('POST', '/api/2.1/clusters/create', { spark_version: V, num_workers: 1 })).json.cluster_id;
    await r.waitFor(async () => (await r.api('GET', `/api/2.1/clusters/get?cluster_id=${c1}`)).json.state === 'RUNNING');
    await r.waitFor(async () => (await r.api('GET', `/api/2.1/clusters/get?cluster_id=${c2}`)).json.state === 'RUNNING');
    await r.api('POST', '/api/2.1/clusters/delete', { cluster_id: c2 });
    await r.waitFor(async () => (await r.api('GET', `/api/2.1/clusters/get?cluster_id=${c2}`)).json.state === 'TERMINATED');
    await r.kill9();
    await r.restart();
    const g1 = (await r.api('GET', `/api/2.1/clusters/get?cluster_id=${c1}`)).json;
    assert.equal(g1.state, 'RUNNING');
    const g2 = (await r.api('GET', `/api/2.1/clusters/get?cluster_id=${c2}`)).json;
    assert.equal(g2.state, 'TERMINATED');
    const ev = (await r.api('POST', '/api/2.1/clusters/events', { cluster_id: c1, event_types: ['RUNNING'] })).json;
    assert.equal(ev.events[0].details.reason.parameters.message, 'daemon restart');
    assert.equal(ev.events[0].details.reason.code, 'UNKNOWN');
    // a clean stop and start resumes too
    await r.stop({ keep: true });
    await r.restart();
    assert.equal((await r.api('GET', `/api/2.1/clusters/get?cluster_id=${c1}`)).json.state, 'RUNNING');
  } finally {
    await r.stop();
  }
});
