// warehouses.test.mjs - api/sql warehouses over HTTP: create with defaults and validation,
// every state (STARTING, RUNNING, STOPPING, STOPPED, DELETING, DELETED) through start, stop,
// edit and delete; the legacy /sql/endpoints list with odbc_params and jdbc_url; paging;
// auto_stop_mins enforced with a short test minute; object permissions (CAN_VIEW, CAN_USE,
// CAN_MANAGE, the creator IS_OWNER); restart recovery (RUNNING comes back RUNNING, STOPPED stays STOPPED); metrics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';

const W = '/api/2.0/sql/warehouses';
const MINUTE_MS = 30;

let d;
before(async () => { d = await startDaemon({ env: { LAKEHOUSE_TEST_MINUTE_MS: String(MINUTE_MS) } }); });
after(async () => {
  const exit = await d.stop();
  assert.equal(exit?.code, 0, `clean exit: ${d.stderr.slice(-2000)}`);
});

const isError = (r, status, code, re) => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error_code, code, r.text);
  if (re) assert.match(r.json.message, re);
};
const ok = (r, status = 200) => {
  assert.equal(r.status, status, r.text);
  return r.json;
};
let seq = 0;
const uniq = (p) => `${p}-${++seq}`;
const get = async (id, o) => ok(await d.api('GET', `${W}/${id}`, undefined, o));
const waitState = (id, state) => d.waitFor(async () => (await get(id)).state === state && true, 10000, 10);
const create = async (body) => ok(await d.api('POST', W, { name: uniq('wh'), cluster_size: '2X-Small', auto_stop_mins: 0, ...body })).id;

test('create: defaults, the full GetWarehouseResponse shape, RUNNING', async () => {
  const r = ok(await d.api('POST', W, { name: 'analytics', cluster_size: 'Small' }));
  assert.match(r.id, /^[0-9a-f]{16}$/);
  await waitState(r.id, 'RUNNING');
  const w = await get(r.id);
  assert.equal(w.id, r.id);
  assert.equal(w.name, 'analytics');
  assert.equal(w.cluster_size, 'Small');
  assert.equal(w.auto_stop_mins, 120);
  assert.equal(w.min_num_clusters, 1);
  assert.equal(w.max_num_clusters, 1);
  assert.equal(w.num_clusters, 1);
  assert.equal(w.num_active_sessions, 0);
  assert.equal(w.enable_photon, true);
  assert.equal(w.enable_serverless_compute, false);
  assert.equal(w.warehouse_type, 'CLASSIC');
  assert.equal(w.spot_instance_policy, 'COST_OPTIMIZED');
  assert.deepEqual(w.channel, { name: 'CHANNEL_NAME_CURRENT' });
  assert.equal(w.creator_name, 'admin');
  assert.equal(w.health.status, 'HEALTHY');
  const u = new URL(d.url);
  assert.deepEqual(w.odbc_params, { hostname: u.hostname, path: `/sql/1.0/warehouses/${r.id}`, protocol: 'http', port: Number(u.port) });
  assert.equal(w.jdbc_url, `jdbc:databricks://${u.hostname}:${u.port}/default;transportMode=http;ssl=0;AuthMech=3;httpPath=/sql/1.0/warehouses/${r.id};`);

  const full = await create({ cluster_size: 'Medium', min_num_clusters: 2, max_num_clusters: 4, enable_serverless_compute: true,
    warehouse_type: 'PRO', spot_instance_policy: 'RELIABILITY_OPTIMIZED', channel: { name: 'CHANNEL_NAME_PREVIEW' },
    tags: { custom_tags: [{ key: 'team', value: 'bi' }] }, enable_photon: false, auto_stop_mins: 10 });
  const f = await get(full);
  assert.equal(f.warehouse_type, 'PRO');
  assert.equal(f.enable_serverless_compute, true);
  assert.equal(f.enable_photon, false);
  assert.equal(f.max_num_clusters, 4);
  assert.deepEqual(f.tags, { custom_tags: [{ key: 'team', value: 'bi' }] });
  assert.deepEqual(f.channel, { name: 'CHANNEL_NAME_PREVIEW' });
  assert.equal(f.spot_instance_policy, 'RELIABILITY_OPTIMIZED');
  ok(await d.api('DELETE', `${W}/${full}`));
});

test('create: validation and unique names', async () => {
  const bad = [
    [{ cluster_size: 'Small' }, /name/],
    [{ name: 'x' }, /cluster_size/],
    [{ name: 'x', cluster_size: 'Huge' }, /cluster_size/],
    [{ name: 'x', cluster_size: 'Small', auto_stop_mins: 5 }, /auto_stop_mins/],
    [{ name: 'x', cluster_size: 'Small', min_num_clusters: 3, max_num_clusters: 2 }, /max_num_clusters/],
    [{ name: 'x', cluster_size: 'Small', max_num_clusters: 41 }, /max_num_clusters/],
    [{ name: 'x', cluster_size: 'Small', min_num_clusters: 0 }, /min_num_clusters/],
    [{ name: 'x', cluster_size: 'Small', enable_serverless_compute: true, warehouse_type: 'CLASSIC' }, /PRO/],
    [{ name: 'x', cluster_size: 'Small', warehouse_type: 'BIG' }, /warehouse_type/],
    [{ name: 'x', cluster_size: 'Small', spot_instance_policy: 'CHEAP' }, /spot_instance_policy/],
    [{ name: 'x'.repeat(100), cluster_size: 'Small' }, /name/],
    [{ name: 'x', cluster_size: 'Small', tags: { custom_tags: Array.from({ length: 45 }, (_, i) => ({ key: `k${i}`, value: 'v' })) } }, /tags/],
  ];
  for (const [body, re] of bad) isError(await d.api('POST', W, body), 400, 'INVALID_PARAMETER_VALUE', re);
  const name = uniq('dup');
  const id = await create({ name });
  isError(await d.api('POST', W, { name, cluster_size: 'Small' }), 409, 'RESOURCE_ALREADY_EXISTS');
  ok(await d.api('DELETE', `${W}/${id}`));
  await waitState(id, 'DELETED');
  ok(await d.api('POST', W, { name, cluster_size: 'Small', auto_stop_mins: 0 })); // a deleted name is free again
  isError(await d.api('GET', `${W}/0123456789abcdef`), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('POST', `${W}/0123456789abcdef/start`), 404, 'RESOURCE_DOES_NOT_EXIST');
});

test('stop, start, edit, delete: every state', async () => {
  const id = await create({ cluster_size: 'X-Small' });
  await waitState(id, 'RUNNING');
  const stop = ok(await d.api('POST', `${W}/${id}/stop`));
  assert.deepEqual(stop, {});
  assert.ok(['STOPPING', 'STOPPED'].includes((await get(id)).state));
  await waitState(id, 'STOPPED');
  assert.equal((await get(id)).num_clusters, 0);
  ok(await d.api('POST', `${W}/${id}/stop`)); // idempotent
  ok(await d.api('POST', `${W}/${id}/start`));
  assert.ok(['STARTING', 'RUNNING'].includes((await get(id)).state));
  await waitState(id, 'RUNNING');
  ok(await d.api('POST', `${W}/${id}/start`)); // idempotent

  const edited = ok(await d.api('POST', `${W}/${id}/edit`, { cluster_size: 'Large', name: 'renamed-wh', max_num_clusters: 3 }));
  assert.deepEqual(edited, {});
  const e = await get(id);
  assert.equal(e.cluster_size, 'Large');
  assert.equal(e.name, 'renamed-wh');
  assert.equal(e.max_num_clusters, 3);
  assert.equal(e.state, 'RUNNING');
  assert.equal(e.auto_stop_mins, 0, 'fields not given are kept');
  isError(await d.api('POST', `${W}/${id}/edit`, { cluster_size: 'Tiny' }), 400, 'INVALID_PARAMETER_VALUE');

  ok(await d.api('DELETE', `${W}/${id}`));
  assert.ok(['DELETING', 'DELETED'].includes((await get(id)).state));
  await waitState(id, 'DELETED');
  const list = ok(await d.api('GET', W)).warehouses.map((w) => w.id);
  assert.ok(!list.includes(id), 'deleted warehouses are not listed');
  isError(await d.api('POST', `${W}/${id}/start`), 404, 'RESOURCE_DOES_NOT_EXIST');
});

test('list, paging, and the legacy /sql/endpoints with odbc_params', async () => {
  const ids = [await create({}), await create({}), await create({})];
  const all = ok(await d.api('GET', W)).warehouses;
  for (const id of ids) assert.ok(all.some((w) => w.id === id));
  const seen = [];
  let token;
  do {
    const r = ok(await d.api('GET', `${W}?page_size=1${token ? `&page_token=${token}` : ''}`));
    assert.ok(r.warehouses.length <= 1);
    seen.push(...r.warehouses.map((w) => w.id));
    token = r.next_page_token;
  } while (token);
  assert.deepEqual(seen, all.map((w) => w.id).sort());
  const ep = ok(await d.api('GET', '/api/2.0/sql/endpoints')).endpoints;
  const one = ep.find((w) => w.id === ids[0]);
  assert.equal(one.odbc_params.path, `/sql/1.0/warehouses/${ids[0]}`);
  assert.match(one.jdbc_url, /httpPath=\/sql\/1\.0\/warehouses\//);
  assert.equal(ok(await d.api('GET', `/api/2.0/sql/endpoints/${ids[1]}`)).id, ids[1]);
  isError(await d.api('GET', `${W}?page_size=-1`), 400, 'INVALID_PARAMETER_VALUE');
});

test('auto_stop_mins stops an idle warehouse; 0 never does', async () => {
  const auto = await create({ auto_stop_mins: 10 });
  const never = await create({ auto_stop_mins: 0 });
  await waitState(auto, 'RUNNING');
  await waitState(never, 'RUNNING');
  const t0 = Date.now();
  await waitState(auto, 'STOPPED');
  assert.ok(Date.now() - t0 >= 5 * MINUTE_MS, 'not before its idle time');
  assert.equal((await get(never)).state, 'RUNNING');
});

test('object permissions: allow-cluster-create to create, CAN_VIEW to see, CAN_USE to start and stop, CAN_MANAGE to edit and delete', async () => {
  const u = ok(await d.api('POST', '/api/2.0/preview/scim/v2/Users', { userName: 'wh-user' }), 201);
  const plain = ok(await d.api('POST', '/api/2.0/preview/scim/v2/Users', { userName: 'wh-plain' }), 201);
  const pt = ok(await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: plain.id, comment: 'wh' }));
  // creating a warehouse needs allow-cluster-create, as on Databricks
  isError(await d.api('POST', W, { name: uniq('nope'), cluster_size: 'Small' }, { token: pt.token_value }), 403, 'PERMISSION_DENIED');
  ok(await d.api('PATCH', `/api/2.0/preview/scim/v2/Users/${u.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'add', path: 'entitlements', value: [{ value: 'allow-cluster-create' }] }] }));
  const t = ok(await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: u.id, comment: 'wh' }));
  const as = { token: t.token_value };
  const admins = await create({});
  isError(await d.api('GET', `${W}/${admins}`, undefined, as), 403, 'PERMISSION_DENIED');
  isError(await d.api('POST', `${W}/${admins}/stop`, undefined, as), 403, 'PERMISSION_DENIED');
  assert.ok(!ok(await d.api('GET', W, undefined, as)).warehouses.some((w) => w.id === admins));
  ok(await d.api('PATCH', `/api/2.0/permissions/warehouses/${admins}`,
    { access_control_list: [{ user_name: 'wh-user', permission_level: 'CAN_USE' }] }));
  assert.equal((await get(admins, as)).id, admins);
  assert.ok(ok(await d.api('GET', W, undefined, as)).warehouses.some((w) => w.id === admins));
  ok(await d.api('POST', `${W}/${admins}/stop`, undefined, as));
  ok(await d.api('POST', `${W}/${admins}/start`, undefined, as));
  isError(await d.api('POST', `${W}/${admins}/edit`, { name: 'mine' }, as), 403, 'PERMISSION_DENIED');
  isError(await d.api('DELETE', `${W}/${admins}`, undefined, as), 403, 'PERMISSION_DENIED');

  const theirs = ok(await d.api('POST', W, { name: uniq('theirs'), cluster_size: '2X-Small' }, as)).id;
  assert.equal((await get(theirs)).creator_name, 'wh-user');
  const acl = ok(await d.api('GET', `/api/2.0/permissions/warehouses/${theirs}`));
  assert.equal(acl.object_type, 'warehouses');
  assert.ok(acl.access_control_list.some((e) => e.user_name === 'wh-user' &&
    e.all_permissions.some((p) => p.permission_level === 'IS_OWNER')));
  ok(await d.api('POST', `${W}/${theirs}/edit`, { auto_stop_mins: 0 }, as));
  ok(await d.api('DELETE', `${W}/${theirs}`, undefined, as));
  isError(await d.api('GET', '/api/2.0/permissions/warehouses/0123456789abcdef'), 404, 'RESOURCE_DOES_NOT_EXIST');
});

test('restart: RUNNING comes back RUNNING, STOPPED stays STOPPED; metrics count states', async () => {
  const running = await create({});
  const stopped = await create({});
  await waitState(running, 'RUNNING');
  await waitState(stopped, 'RUNNING');
  ok(await d.api('POST', `${W}/${stopped}/stop`));
  await waitState(stopped, 'STOPPED');
  await d.stop({ keep: true });
  await d.restart();
  await waitState(running, 'RUNNING');
  assert.equal((await get(stopped)).state, 'STOPPED');
  const m = await d.api('GET', '/metrics');
  assert.match(m.text, /lakehouse_sql_warehouses\{state="RUNNING"\} [1-9]/);
  assert.match(m.text, /lakehouse_sql_warehouses\{state="STOPPED"\} [1-9]/);
});
