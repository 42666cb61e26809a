// clusters_catalog.test.mjs - node types and runtime versions (catalogue, select_node_type-
// style filtering, validation with suggestions), true cluster_cores / cluster_memory_mb,
// unknown request fields not stored, clusters/change-owner, clusters/list sort_by, and
// the INFO log line per lifecycle event (clusters, instance pools, tokens).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';

const V = '15.4.x-scala2.12';
const SCIM = '/api/2.0/preview/scim/v2';
let d;
before(async () => { d = await startDaemon(); });
after(async () => { await d.stop(); });

const ok = async (method, path, body, opts) => {
  const r = await d.api(method, path, body, opts);
  assert.equal(r.status, 200, `${method} ${path}: ${r.text}`);
  return r.json;
};
const isError = (r, status, code) => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error_code, code, r.text);
  return r.json.message;
};
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
async function waitState(id, state) {
  for (let i = 0; i < 400; i++) {
    const c = await ok('GET', `/api/2.1/clusters/get?cluster_id=${id}`);
    if (c.state === state) return c;
    await sleep(10);
  }
  throw new Error(`cluster ${id} never reached ${state}`);
}
async function waitLog(re) {
  for (let i = 0; i < 300 && !re.test(d.stderr); i++) await sleep(10);
  assert.match(d.stderr, re);
}

// The selection rule of the Python SDK's ClustersExt.select_node_type, restated.
function selectNodeType(types, s) {
  const disk = (t, k) => t.node_instance_type?.[k] ?? 0;
  const key = (t) => [t.is_deprecated ? 1 : 0, t.num_cores, t.memory_mb, disk(t, 'local_disks'),
    disk(t, 'local_disk_size_gb'), disk(t, 'local_nvme_disks'), disk(t, 'local_nvme_disk_size_gb'), t.num_gpus];
  const cmp = (a, b) => {
    const ka = key(a), kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return a.instance_type_id < b.instance_type_id ? -1 : 1;
  };
  for (const t of [...types].sort(cmp)) {
    const gbs = Math.floor(t.memory_mb / 1024);
    if (s.min_memory_gb !== undefined && gbs < s.min_memory_gb) continue;
    if (s.gb_per_core !== undefined && Math.floor(gbs / t.num_cores) < s.gb_per_core) continue;
    if (s.min_cores !== undefined && t.num_cores < s.min_cores) continue;
    if ((s.min_gpus !== undefined && t.num_gpus < s.min_gpus) || (s.min_gpus === 0 && t.num_gpus > 0)) continue;
    if (s.local_disk && disk(t, 'local_disks') < 1 && disk(t, 'local_nvme_disks') < 1) continue;
    if (s.category !== undefined && t.category.toLowerCase() !== s.category.toLowerCase()) continue;
    if (s.photon_worker_capable && !t.photon_worker_capable) continue;
    if (s.graviton && t.is_graviton !== s.graviton) continue;
    return t.node_type_id;
  }
  throw new Error('cannot determine smallest node type');
}

test('list-node-types: our types and the copied cloud ids with their published shapes and every filter field', async () => {
  const { node_types: types } = await ok('GET', '/api/2.1/clusters/list-node-types');
  const by = Object.fromEntries(types.map((t) => [t.node_type_id, t]));
  for (const id of ['lakehouse.small', 'lakehouse.machine', 'i3.xlarge', 'i3.2xlarge', 'g4dn.xlarge', 'm5d.large',
    'r5d.xlarge', 'c5d.2xlarge', 'i3en.large', 'm6gd.xlarge', 'r6gd.large', 'g5.xlarge', 'p3.2xlarge',
    'Standard_DS3_v2', 'Standard_DS4_v2', 'Standard_DS5_v2', 'Standard_E4ds_v4', 'Standard_E8ds_v4',
    'Standard_E16ds_v4', 'Standard_F4s', 'Standard_L8s_v2', 'Standard_NC6s_v3', 'n2-standard-4',
    'n2-standard-8', 'n2-standard-16', 'n2-highmem-4', 'n2-highmem-8', 'n2-highmem-16', 'n1-standard-4']) {
    assert.ok(by[id], `missing ${id}`);
  }
  assert.equal(new Set(types.map((t) => t.node_type_id)).size, types.length);
  for (const t of types) {
    for (const k of ['node_type_id', 'instance_type_id', 'description', 'category', 'num_cores', 'memory_mb', 'num_gpus',
      'is_deprecated', 'is_hidden', 'photon_worker_capable', 'photon_driver_capable', 'support_port_forwarding',
      'is_io_cache_enabled', 'is_graviton', 'node_instance_type']) assert.ok(k in t, `${t.node_type_id}: missing ${k}`);
    for (const k of ['instance_type_id', 'local_disks', 'local_disk_size_gb', 'local_nvme_disks', 'local_nvme_disk_size_gb'])
      assert.ok(k in t.node_instance_type, `${t.node_type_id}: node_instance_type.${k}`);
    assert.equal(t.support_port_forwarding, false); // nothing forwards ports here
  }
  // published shapes
  assert.deepEqual([by['i3.xlarge'].num_cores, by['i3.xlarge'].memory_mb, by['i3.xlarge'].num_gpus], [4, 31232, 0]);
  assert.deepEqual([by['i3.2xlarge'].num_cores, by['i3.2xlarge'].memory_mb], [8, 62464]);
  assert.deepEqual([by['g4dn.xlarge'].num_cores, by['g4dn.xlarge'].memory_mb, by['g4dn.xlarge'].num_gpus], [4, 16384, 1]);
  assert.deepEqual([by['Standard_DS3_v2'].num_cores, by['Standard_DS3_v2'].memory_mb], [4, 14336]);
  assert.deepEqual([by['Standard_NC6s_v3'].num_cores, by['Standard_NC6s_v3'].num_gpus], [6, 1]);
  assert.deepEqual([by['n2-highmem-8'].num_cores, by['n2-highmem-8'].memory_mb], [8, 65536]);
  assert.equal(by['i3.xlarge'].node_instance_type.local_nvme_disks, 1);
  assert.equal(by['i3.xlarge'].node_instance_type.local_nvme_disk_size_gb, 950);
  assert.equal(by['m6gd.xlarge'].is_graviton, true);

  // select_node_type as the SDKs do it
  assert.equal(selectNodeType(types, { local_disk: true, min_cores: 8, min_memory_gb: 60, category: 'Storage Optimized' }), 'i3.2xlarge');
  assert.equal(selectNodeType(types, { min_gpus: 1, local_disk: true }), 'g4dn.xlarge');
  assert.equal(selectNodeType(types, { min_gpus: 4, category: 'GPU Accelerated' }), 'Standard_NC24s_v3');
  const sel = by[selectNodeType(types, { local_disk: true, min_memory_gb: 16, gb_per_core: 4, photon_worker_capable: true })];
  assert.ok(sel.memory_mb >= 16 * 1024 && sel.photon_worker_capable && sel.num_gpus >= 0);
  assert.ok(sel.node_instance_type.local_disks + sel.node_instance_type.local_nvme_disks >= 1);
});

test('spark-versions: current runtimes with ML, GPU and Photon variants, as the SDK selects them', async () => {
  const { versions } = await ok('GET', '/api/2.1/clusters/spark-versions');
  const keys = versions.map((v) => v.key);
  for (const k of ['16.4.x-scala2.12', '15.4.x-scala2.12', '15.4.x-cpu-ml-scala2.12', '15.4.x-gpu-ml-scala2.12',
    '15.4.x-photon-scala2.12', '14.3.x-scala2.12', '13.3.x-scala2.12', '13.3.x-gpu-ml-scala2.12']) assert.ok(keys.includes(k), k);
  const name = (k) => versions.find((v) => v.key === k).name;
  assert.match(name('15.4.x-scala2.12'), /^15\.4 LTS \(includes Apache Spark 3\.5\.0, Scala 2\.12\)$/);
  assert.match(name('15.4.x-gpu-ml-scala2.12'), /LTS ML .*GPU/);
  // the Python SDK's rule: non-ML, non-GPU, non-Photon LTS on Scala 2.12, newest first
  const lts = versions.filter((v) => v.key.includes('-scala2.12') && !/-ml-|-gpu-|-photon-|-hls-|-aarch64-/.test(v.key)
    && v.name.includes('LTS') && !v.name.includes('Beta')).map((v) => v.key);
  lts.sort((a, b) => parseFloat(b) - parseFloat(a));
  assert.equal(lts[0], '16.4.x-scala2.12');
  assert.ok(versions.some((v) => v.key.includes('-ml-') && v.name.includes('Apache Spark 3.4.1')));
});

test('spark_version and node types are validated with close matches', async () => {
  let m = isError(await d.api('POST', '/api/2.1/clusters/create', { spark_version: V, node_type_id: 'i3.xlarg' }), 400, 'INVALID_PARAMETER_VALUE');
  assert.match(m, /^Node type i3\.xlarg is not supported\. Did you mean i3\.xlarge(, [^ ,]+)? or [^ ]+\?$/);
  m = isError(await d.api('POST', '/api/2.1/clusters/create', { spark_version: '15.4.x-scala2.1', node_type_id: 'i3.xlarge' }), 400, 'INVALID_PARAMETER_VALUE');
  assert.match(m, /^Invalid spark version 15\.4\.x-scala2\.1\. Did you mean 15\.4\.x-scala2\.12/);
  m = isError(await d.api('POST', '/api/2.1/clusters/create', { spark_version: V, node_type_id: 'i3.xlarge', driver_node_type_id: 'Standard_DS3_v3' }), 400, 'INVALID_PARAMETER_VALUE');
  assert.match(m, /^Driver node type Standard_DS3_v3 is not supported\. Did you mean Standard_DS3_v2/);
  m = isError(await d.api('POST', '/api/2.1/clusters/create', { spark_version: V, node_type_id: 'qqqqqqqqqqqqqqqqqqqqqqqqqqqq' }), 400, 'INVALID_PARAMETER_VALUE');
  assert.match(m, /is not supported\. See clusters\/list-node-types/);
  m = isError(await d.api('POST', '/api/2.0/instance-pools/create', { instance_pool_name: 'p', node_type_id: 'lakehouse.smal' }), 400, 'INVALID_PARAMETER_VALUE');
  assert.match(m, /Did you mean lakehouse\.small/);
  // edit validates too, and nothing was created by the refusals
  const id = (await ok('POST', '/api/2.1/clusters/create', { cluster_name: 'v', spark_version: V, node_type_id: 'i3.xlarge', num_workers: 1 })).cluster_id;
  await waitState(id, 'RUNNING');
  isError(await d.api('POST', '/api/2.1/clusters/edit', { cluster_id: id, spark_version: '99.9.x', node_type_id: 'i3.xlarge' }), 400, 'INVALID_PARAMETER_VALUE');
  assert.equal((await ok('GET', '/api/2.1/clusters/list')).clusters.length, 1);
  await ok('POST', '/api/2.1/clusters/permanent-delete', { cluster_id: id });
});

test('copied node types run; cluster_cores and cluster_memory_mb are what this machine gives; no jdbc_port', async () => {
  const { node_types: types } = await ok('GET', '/api/2.1/clusters/list-node-types');
  const machine = types.find((t) => t.node_type_id === 'lakehouse.machine');
  const ncpu = machine.num_cores, mem = machine.memory_mb;
  for (const [node, workers] of [['i3.xlarge', 2], ['i3.2xlarge', 0], ['g4dn.xlarge', 1], ['Standard_DS3_v2', 3], ['n2-standard-4', 64]]) {
    const id = (await ok('POST', '/api/2.1/clusters/create', { spark_version: V, node_type_id: node, num_workers: workers })).cluster_id;
    const c = await waitState(id, 'RUNNING');
    const threads = Math.min(Math.max(workers, 1), ncpu);
    assert.equal(c.num_workers, workers);
    assert.equal(c.cluster_cores, threads, node);
    assert.equal(c.cluster_memory_mb, Math.floor(mem * threads / ncpu), node);
    assert.ok(!('jdbc_port' in c));
    await ok('POST', '/api/2.1/clusters/permanent-delete', { cluster_id: id });
  }
});

test('unknown request fields are not stored: clusters, pools, policies', async () => {
  const id = (await ok('POST', '/api/2.1/clusters/create', { spark_version: V, node_type_id: 'lakehouse.small',
    num_workers: 0, junk: 1, nested: { a: 1 }, cluster_name: 'j', custom_tags: { keep: 'me' } })).cluster_id;
  let c = await waitState(id, 'RUNNING');
  assert.ok(!('junk' in c) && !('nested' in c) && !('junk' in c.spec));
  assert.deepEqual(c.custom_tags, { keep: 'me' });
  await ok('POST', '/api/2.1/clusters/edit', { cluster_id: id, spark_version: V, node_type_id: 'lakehouse.small', more_junk: true });
  c = await waitState(id, 'RUNNING');
  assert.ok(!('more_junk' in c) && !('more_junk' in c.spec));
  const pool = (await ok('POST', '/api/2.0/instance-pools/create', { instance_pool_name: 'jp', node_type_id: 'lakehouse.small', junk: 'x' })).instance_pool_id;
  const p = await ok('GET', `/api/2.0/instance-pools/get?instance_pool_id=${pool}`);
  assert.ok(!('junk' in p));
  assert.equal(p.instance_pool_name, 'jp');
  const pol = (await ok('POST', '/api/2.0/policies/clusters/create', { name: 'jpol', definition: '{}', junk: 1 })).policy_id;
  assert.ok(!('junk' in await ok('GET', `/api/2.0/policies/clusters/get?policy_id=${pol}`)));
  await ok('POST', '/api/2.1/clusters/permanent-delete', { cluster_id: id });
  await ok('POST', '/api/2.0/instance-pools/delete', { instance_pool_id: pool });
});

test('clusters/change-owner: admins only, terminated clusters, the ACL and creator follow', async () => {
  const u = (await d.api('POST', `${SCIM}/Users`, { userName: 'owner@example.com' })).json;
  const tok = (await ok('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: u.id })).token_value;
  const id = (await ok('POST', '/api/2.1/clusters/create', { cluster_name: 'owned', spark_version: V, node_type_id: 'lakehouse.small' })).cluster_id;
  await waitState(id, 'RUNNING');
  isError(await d.api('GET', `/api/2.1/clusters/get?cluster_id=${id}`, undefined, { token: tok }), 403, 'PERMISSION_DENIED');
  isError(await d.api('POST', '/api/2.1/clusters/change-owner', { cluster_id: id, owner_username: u.userName }), 400, 'INVALID_STATE');
  await ok('POST', '/api/2.1/clusters/delete', { cluster_id: id });
  await waitState(id, 'TERMINATED');
  isError(await d.api('POST', '/api/2.1/clusters/change-owner', { cluster_id: id, owner_username: u.userName }, { token: tok }), 403, 'PERMISSION_DENIED');
  isError(await d.api('POST', '/api/2.1/clusters/change-owner', { cluster_id: '0101-000000-nothere0', owner_username: u.userName }), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('POST', '/api/2.1/clusters/change-owner', { cluster_id: id, owner_username: 'nobody@example.com' }), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('POST', '/api/2.1/clusters/change-owner', { cluster_id: id }), 400, 'INVALID_PARAMETER_VALUE');
  await ok('POST', '/api/2.0/clusters/change-owner', { cluster_id: id, owner_username: u.userName });
  const c = await ok('GET', `/api/2.1/clusters/get?cluster_id=${id}`, undefined, { token: tok });
  assert.equal(c.creator_user_name, u.userName);
  const acl = await ok('GET', `/api/2.0/permissions/clusters/${id}`);
  const mine = acl.access_control_list.find((e) => e.user_name === u.userName);
  assert.deepEqual(mine.all_permissions, [{ permission_level: 'CAN_MANAGE', inherited: false }]);
  assert.ok(!acl.access_control_list.some((e) => e.user_name === 'admin'));
  await ok('POST', '/api/2.1/clusters/start', { cluster_id: id }, { token: tok });
  await ok('POST', '/api/2.1/clusters/delete', { cluster_id: id }, { token: tok });
  await waitState(id, 'TERMINATED');
  await ok('POST', '/api/2.1/clusters/permanent-delete', { cluster_id: id });
});

test('clusters/list sort_by: CLUSTER_NAME and DEFAULT, both directions, across pages', async () => {
  const names = ['delta', 'Alpha', 'charlie', 'bravo', 'echo', 'bravo'];
  const ids = [];
  for (const n of names) {
    ids.push((await ok('POST', '/api/2.1/clusters/create', { cluster_name: n, spark_version: V, node_type_id: 'lakehouse.small' })).cluster_id);
    await sleep(3); // distinct created_at
  }
  const walk = async (sort) => {
    const seen = [];
    let token = '';
    for (let i = 0; i < 10; i++) {
      const q = new URLSearchParams({ page_size: '2', ...sort, ...(token ? { page_token: token } : {}) });
      const r = await ok('GET', `/api/2.1/clusters/list?${q}`);
      seen.push(...r.clusters);
      if (!r.next_page_token) return seen;
      token = r.next_page_token;
    }
    throw new Error('too many pages');
  };
  const byName = (dir) => [...names.map((n, i) => ({ n, id: ids[i] }))].sort((a, b) =>
    (a.n < b.n ? -1 : a.n > b.n ? 1 : 0) * (dir === 'ASC' ? 1 : -1) || (a.id < b.id ? -1 : 1)).map((x) => x.id);
  let got = await walk({ 'sort_by.field': 'CLUSTER_NAME', 'sort_by.direction': 'ASC' });
  assert.deepEqual(got.map((c) => c.cluster_id), byName('ASC'));
  got = await walk({ 'sort_by.field': 'CLUSTER_NAME', 'sort_by.direction': 'DESC' });
  assert.deepEqual(got.map((c) => c.cluster_id), byName('DESC'));
  got = await walk({ 'sort_by.field': 'DEFAULT', 'sort_by.direction': 'ASC' });
  assert.deepEqual(got.map((c) => c.cluster_id), ids);
  got = await walk({});
  assert.deepEqual(got.map((c) => c.cluster_id), [...ids].reverse());
  // a JSON body works as the SDKs send it; bad values are 400
  const r = await d.raw('GET', '/api/2.1/clusters/list', { sort_by: { field: 'CLUSTER_NAME', direction: 'ASC' } });
  assert.deepEqual(r.json.clusters.map((c) => c.cluster_id), byName('ASC'));
  isError(await d.api('GET', '/api/2.1/clusters/list?sort_by.field=SIZE'), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('GET', '/api/2.1/clusters/list?sort_by.direction=UP'), 400, 'INVALID_PARAMETER_VALUE');
  for (const id of ids) await ok('POST', '/api/2.1/clusters/permanent-delete', { cluster_id: id });
});

test('one INFO log line per lifecycle event: clusters, instance pools, tokens (never a token value)', async () => {
  const pool = (await ok('POST', '/api/2.0/instance-pools/create', { instance_pool_name: 'logpool', node_type_id: 'lakehouse.small', min_idle_instances: 1 })).instance_pool_id;
  await waitLog(new RegExp(`instance pool ${pool} \\(logpool\\) CREATED`));
  await waitLog(new RegExp(`instance pool ${pool} TOPPED UP \\(\\+1 idle`));
  const id = (await ok('POST', '/api/2.1/clusters/create', { cluster_name: 'etl', spark_version: V, node_type_id: 'lakehouse.small', num_workers: 2 })).cluster_id;
  await waitState(id, 'RUNNING');
  await waitLog(new RegExp(`cluster ${id} \\(etl\\) CREATED \\(${V.replace(/\./g, '\\.')}, lakehouse\\.small, 2 workers\\) by admin`));
  await waitLog(new RegExp(`cluster ${id} \\(etl\\) RUNNING \\(2 workers`));
  await ok('POST', '/api/2.1/clusters/resize', { cluster_id: id, num_workers: 1 });
  await waitState(id, 'RUNNING');
  await waitLog(new RegExp(`cluster ${id} \\(etl\\) RESIZED \\(1 workers`));
  await ok('POST', '/api/2.1/clusters/restart', { cluster_id: id });
  await waitLog(new RegExp(`cluster ${id} \\(etl\\) RESTARTED`));
  await waitState(id, 'RUNNING');
  await ok('POST', '/api/2.1/clusters/delete', { cluster_id: id });
  await waitState(id, 'TERMINATED');
  await waitLog(new RegExp(`cluster ${id} \\(etl\\) TERMINATED \\(USER_REQUEST\\)`));
  await ok('POST', '/api/2.1/clusters/permanent-delete', { cluster_id: id });
  await waitLog(new RegExp(`cluster ${id} \\(etl\\) DELETED permanently by admin`));
  const t = await ok('POST', '/api/2.0/token/create', { comment: 'log', lifetime_seconds: 600 });
  await waitLog(new RegExp(`token ${t.token_info.token_id} CREATED for user \\d+ by admin \\(lifetime 600s\\)`));
  await ok('POST', '/api/2.0/token/delete', { token_id: t.token_info.token_id });
  await waitLog(new RegExp(`token ${t.token_info.token_id} REVOKED by admin`));
  assert.ok(!d.stderr.includes(t.token_value), 'token values are never logged');
  assert.ok(!d.stderr.includes(d.token), 'the admin token is never logged');
  await ok('POST', '/api/2.0/instance-pools/delete', { instance_pool_id: pool });
});
