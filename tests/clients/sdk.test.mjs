// sdk.test.mjs - the official Databricks JS SDK (@databricks/sdk-experimental 0.17.0),
// unchanged, against the real lakehoused: clusters create().wait() until RUNNING, get,
// list, edit, delete().wait() until TERMINATED; tokens; currentUser.me; service principals,
// their OBO tokens and object permissions (get, set, permission levels); Unity Catalog
// catalogs, schemas, tables and volumes; SQL warehouses create().wait(), stop().wait().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sdk from '@databricks/sdk-experimental';
const { WorkspaceClient, Time, TimeUnits } = sdk;
import { startDaemon } from '../api/harness.mjs';

let d, w;
before(async () => {
  d = await startDaemon();
  w = new WorkspaceClient({ host: d.url, token: d.token, authType: 'pat' });
});
after(async () => { await d.stop(); });

test('currentUser.me returns the admin', async () => {
  const me = await w.currentUser.me();
  assert.equal(me.userName, 'admin');
  assert.ok(me.id);
  assert.ok((me.groups ?? []).some((g) => g.display === 'admins'));
});

test('clusters: create().wait() until RUNNING, get, list, edit, delete().wait()', async () => {
  const waiter = await w.clusters.create({
    cluster_name: 'sdk-cluster', spark_version: '15.4.x-scala2.12',
    node_type_id: 'lakehouse.small', num_workers: 2, autotermination_minutes: 60,
  });
  const running = await waiter.wait({ timeout: new Time(20, TimeUnits.seconds) });
  assert.equal(running.state, 'RUNNING');
  assert.equal(running.num_workers, 2);
  const id = running.cluster_id;

  const got = await w.clusters.get({ cluster_id: id });
  assert.equal(got.cluster_name, 'sdk-cluster');
  assert.equal(typeof got.state_message, 'string');

  const ids = [];
  for await (const c of w.clusters.list({})) ids.push(c.cluster_id);
  assert.ok(ids.includes(id));

  const edited = await w.clusters.edit({
    cluster_id: id, cluster_name: 'sdk-cluster-2', spark_version: '15.4.x-scala2.12',
    node_type_id: 'lakehouse.small', num_workers: 3,
  });
  const afterEdit = await edited.wait({ timeout: new Time(20, TimeUnits.seconds) });
  assert.equal(afterEdit.state, 'RUNNING');
  assert.equal(afterEdit.cluster_name, 'sdk-cluster-2');
  assert.equal(afterEdit.num_workers, 3);

  const del = await w.clusters.delete({ cluster_id: id });
  const terminated = await del.wait({ timeout: new Time(20, TimeUnits.seconds) });
  assert.equal(terminated.state, 'TERMINATED');
  assert.equal(terminated.termination_reason?.code, 'USER_REQUEST');

  const events = [];
  for await (const e of w.clusters.events({ cluster_id: id })) events.push(e.type);
  assert.ok(events.includes('CREATING'));
  assert.ok(events.includes('TERMINATING'));
});

test('clusters.get of an unknown id is a NotFound error', async () => {
  await assert.rejects(w.clusters.get({ cluster_id: 'nope' }), (e) => {
    assert.equal(e.errorCode ?? e.error_code, 'RESOURCE_DOES_NOT_EXIST');
    return true;
  });
});

test('tokens: create, list, use, delete', async () => {
  const created = await w.tokens.create({ comment: 'sdk', lifetime_seconds: 600 });
  assert.match(created.token_value, /^dapi[0-9a-f]{32}$/);
  const list = [];
  for await (const t of w.tokens.list()) list.push(t);
  assert.ok(list.some((t) => t.token_id === created.token_info.token_id && t.comment === 'sdk'));

  const w2 = new WorkspaceClient({ host: d.url, token: created.token_value, authType: 'pat' });
  assert.equal((await w2.currentUser.me()).userName, 'admin');

  await w.tokens.delete({ token_id: created.token_info.token_id });
  const r = await d.api('GET', '/api/2.0/preview/scim/v2/Me', undefined, { token: created.token_value });
  assert.equal(r.status, 401);
});

test('service principals and permissions through the SDK; an SP client is denied, then granted', async () => {
  const sp = await w.servicePrincipalsV2.create({ displayName: 'sdk-bot', active: true });
  assert.ok(sp.id && sp.applicationId);
  assert.equal((await w.servicePrincipalsV2.get({ id: sp.id })).displayName, 'sdk-bot');
  // this SDK sends no body on PATCH (api-client.js attaches one to POST/PUT only): raw HTTP
  await d.raw('PATCH', `/api/2.0/preview/scim/v2/ServicePrincipals/${sp.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'add', path: 'entitlements', value: [{ value: 'allow-cluster-create' }] }] });
  assert.deepEqual((await w.servicePrincipalsV2.get({ id: sp.id })).entitlements, [{ value: 'allow-cluster-create' }]);
  const obo = await w.tokenManagement.createOboToken({ application_id: sp.applicationId, comment: 'sdk' });
  const ws = new WorkspaceClient({ host: d.url, token: obo.token_value, authType: 'pat' });

  const { cluster_id: id } = await (await w.clusters.create({ spark_version: '15.4.x-scala2.12', num_workers: 0 }))
    .wait({ timeout: new Time(20, TimeUnits.seconds) });
  await assert.rejects(ws.clusters.get({ cluster_id: id }), (e) => (e.errorCode ?? e.error_code) === 'PERMISSION_DENIED');
  const levels = await w.permissions.getPermissionLevels({ request_object_type: 'clusters', request_object_id: id });
  assert.deepEqual(levels.permission_levels.map((l) => l.permission_level), ['CAN_ATTACH_TO', 'CAN_RESTART', 'CAN_MANAGE']);
  const set = await w.permissions.set({ request_object_type: 'clusters', request_object_id: id,
    access_control_list: [{ service_principal_name: sp.applicationId, permission_level: 'CAN_ATTACH_TO' }] });
  assert.equal(set.object_type, 'cluster');
  assert.equal((await ws.clusters.get({ cluster_id: id })).cluster_id, id);
  const perms = await w.clusters.getPermissions({ cluster_id: id });
  assert.ok(perms.access_control_list.some((e) => e.service_principal_name === sp.applicationId));
  assert.ok(perms.access_control_list.some((e) => e.user_name === 'admin'
    && e.all_permissions.some((p) => p.permission_level === 'CAN_MANAGE' && !p.inherited)));
  await w.permissions.set({ request_object_type: 'clusters', request_object_id: id, access_control_list: [] });
  await assert.rejects(ws.clusters.get({ cluster_id: id }), (e) => (e.errorCode ?? e.error_code) === 'PERMISSION_DENIED');
  await w.servicePrincipalsV2.delete({ id: sp.id });
  await w.clusters.permanentDelete({ cluster_id: id });
});

test('selectNodeType / selectSparkVersion pick listed ids, and clusters built from them run', async () => {
  const node = await w.clusters.selectNodeType({ localDisk: true, minCores: 8, minMemoryGb: 60, category: 'Storage Optimized' });
  assert.equal(node, 'i3.2xlarge');
  assert.equal(await w.clusters.selectNodeType({ minGpus: 1, localDisk: true }), 'g4dn.xlarge');
  const lts = await w.clusters.selectSparkVersion({ longTermSupport: true, ml: false, gpu: false, photon: false });
  assert.equal(lts, '16.4.x-scala2.12');
  assert.equal(await w.clusters.selectSparkVersion({ longTermSupport: true, ml: true, gpu: true, sparkVersion: '3.5.0' }),
    '15.4.x-gpu-ml-scala2.12');
  const running = await (await w.clusters.create({ cluster_name: 'picked', spark_version: lts, node_type_id: node, num_workers: 1 }))
    .wait({ timeout: new Time(20, TimeUnits.seconds) });
  assert.equal(running.state, 'RUNNING');
  await assert.rejects(w.clusters.create({ spark_version: lts, node_type_id: 'i3.xlarg' }),
    (e) => (e.errorCode ?? e.error_code) === 'INVALID_PARAMETER_VALUE' && /Did you mean i3\.xlarge/.test(e.message));
  await w.clusters.permanentDelete({ cluster_id: running.cluster_id });
});

test('clusters.list sort_by and changeOwner through the SDK', async () => {
  const ids = [];
  for (const name of ['sdkl-b', 'sdkl-a', 'sdkl-c']) {
    ids.push((await (await w.clusters.create({ cluster_name: name, spark_version: '15.4.x-scala2.12', num_workers: 0 }))
      .wait({ timeout: new Time(20, TimeUnits.seconds) })).cluster_id);
  }
  const names = [];
  for await (const c of w.clusters.list({ sort_by: { field: 'CLUSTER_NAME', direction: 'DESC' }, page_size: 1 })) names.push(c.cluster_name);
  assert.deepEqual(names.filter((n) => n.startsWith('sdkl-')), ['sdkl-c', 'sdkl-b', 'sdkl-a']);
  const u = await w.usersV2.create({ userName: 'new-owner@example.com' });
  await (await w.clusters.delete({ cluster_id: ids[0] })).wait({ timeout: new Time(20, TimeUnits.seconds) });
  await w.clusters.changeOwner({ cluster_id: ids[0], owner_username: u.userName });
  assert.equal((await w.clusters.get({ cluster_id: ids[0] })).creator_user_name, u.userName);
  for (const id of ids) await w.clusters.permanentDelete({ cluster_id: id });
});

test('SCIM errors (SCIM shape) still raise the SDK error with code and status; deletes answer 204', async () => {
  await assert.rejects(w.usersV2.get({ id: '987654' }), (e) => {
    assert.equal(e.errorCode ?? e.error_code, 'RESOURCE_DOES_NOT_EXIST');
    assert.equal(e.statusCode, 404);
    assert.match(e.message, /987654/);
    return true;
  });
  const g = await w.groupsV2.create({ displayName: 'sdk-temp' });
  await w.groupsV2.delete({ id: g.id });
  await assert.rejects(w.groupsV2.get({ id: g.id }), (e) => e.statusCode === 404);
});

test('Unity Catalog: catalogs, schemas, tables, volumes through the SDK (max_results=0 paging)', async () => {
  const cat = await w.catalogs.create({ name: 'sdk_cat', comment: 'from the sdk' });
  assert.equal(cat.full_name, 'sdk_cat');
  const cats = [];
  for await (const c of w.catalogs.list({})) cats.push(c.name);
  assert.ok(cats.includes('sdk_cat') && cats.includes('main'));
  assert.equal((await w.catalogs.get({ name: 'sdk_cat' })).comment, 'from the sdk');

  const s = await w.schemas.create({ catalog_name: 'sdk_cat', name: 'bronze' });
  assert.equal(s.full_name, 'sdk_cat.bronze');
  const schemas = [];
  for await (const x of w.schemas.list({ catalog_name: 'sdk_cat' })) schemas.push(x.name);
  assert.deepEqual(schemas, ['bronze', 'default', 'information_schema']);
  // (SDK 0.17.0 sends PATCH requests with an empty body, so updates go through plain REST)
  await d.api('PATCH', '/api/2.1/unity-catalog/schemas/sdk_cat.bronze', { comment: 'raw' });
  assert.equal((await w.schemas.get({ full_name: 'sdk_cat.bronze' })).comment, 'raw');

  await d.api('POST', '/api/2.1/unity-catalog/tables', { catalog_name: 'sdk_cat', schema_name: 'bronze', name: 'events',
    table_type: 'EXTERNAL', data_source_format: 'DELTA', storage_location: `${d.dataDir}/ext/events`,
    columns: [{ name: 'id', type_text: 'bigint', type_name: 'LONG' }] });
  const tables = [];
  for await (const t of w.tables.list({ catalog_name: 'sdk_cat', schema_name: 'bronze' })) tables.push(t);
  assert.deepEqual(tables.map((t) => t.full_name), ['sdk_cat.bronze.events']);
  assert.equal(tables[0].columns[0].type_name, 'LONG');
  assert.equal((await w.tables.get({ full_name: 'sdk_cat.bronze.events' })).table_type, 'EXTERNAL');

  const v = await w.volumes.create({ catalog_name: 'sdk_cat', schema_name: 'bronze', name: 'landing', volume_type: 'MANAGED' });
  assert.equal(v.full_name, 'sdk_cat.bronze.landing');
  const vols = [];
  for await (const x of w.volumes.list({ catalog_name: 'sdk_cat', schema_name: 'bronze' })) vols.push(x.name);
  assert.deepEqual(vols, ['landing']);
  assert.equal((await w.volumes.read({ name: 'sdk_cat.bronze.landing' })).volume_type, 'MANAGED');
  await w.volumes.delete({ name: 'sdk_cat.bronze.landing' });

  await assert.rejects(w.catalogs.delete({ name: 'sdk_cat' }), (e) => {
    assert.equal(e.errorCode ?? e.error_code, 'CATALOG_NOT_EMPTY');
    return true;
  });
  await w.catalogs.delete({ name: 'sdk_cat', force: true });
  await assert.rejects(w.catalogs.get({ name: 'sdk_cat' }), (e) => {
    assert.equal(e.errorCode ?? e.error_code, 'CATALOG_DOES_NOT_EXIST');
    return true;
  });
});

test('SQL warehouses: create().wait() until RUNNING, list, stop().wait(), start, delete', async () => {
  const waiter = await w.warehouses.create({ name: 'sdk-wh', cluster_size: '2X-Small', auto_stop_mins: 0, max_num_clusters: 2 });
  const running = await waiter.wait({ timeout: new Time(20, TimeUnits.seconds) });
  assert.equal(running.state, 'RUNNING');
  assert.equal(running.odbc_params.path, `/sql/1.0/warehouses/${running.id}`);
  const ids = [];
  for await (const x of w.warehouses.list({})) ids.push(x.id);
  assert.ok(ids.includes(running.id));
  const stopped = await (await w.warehouses.stop({ id: running.id })).wait({ timeout: new Time(20, TimeUnits.seconds) });
  assert.equal(stopped.state, 'STOPPED');
  const again = await (await w.warehouses.start({ id: running.id })).wait({ timeout: new Time(20, TimeUnits.seconds) });
  assert.equal(again.state, 'RUNNING');
  await w.warehouses.delete({ id: running.id });
});
