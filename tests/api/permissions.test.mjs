// permissions.test.mjs - authorization over HTTP: entitlements enforced on clusters, pools
// and policies; object ACLs through /api/2.0/permissions (grant and revoke take effect at
// once, group grants are inherited); service principals (SCIM and their tokens).
// Run: LH_BIN=build/lakehoused node --test tests/api/permissions.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';

const SCIM = '/api/2.0/preview/scim/v2';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const V = '15.4.x-scala2.12';

let d;
before(async () => { d = await startDaemon(); });
after(async () => { await d.stop(); });

const ok = (r, status = 200) => {
  assert.equal(r.status, status, r.text);
  return r.json;
};
const denied = (r, what) => {
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json?.error_code, 'PERMISSION_DENIED', r.text);
  if (what) assert.match(r.json.message, what);
};
let seq = 0;
const uniq = (p) => `${p}-${process.pid}-${++seq}`;
const patch = (ops) => ({ schemas: [PATCH_SCHEMA], Operations: ops });

async function userWithToken(extra = {}) {
  const u = ok(await d.api('POST', `${SCIM}/Users`, { userName: `${uniq('u')}@example.com`, ...extra }), 201);
  const t = ok(await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: u.id }));
  const as = (method, path, body) => d.api(method, path, body, { token: t.token_value });
  return { user: u, token: t.token_value, as };
}
const createCluster = async (body = {}) =>
  ok(await d.api('POST', '/api/2.1/clusters/create', { spark_version: V, cluster_name: uniq('c'), num_workers: 0, ...body })).cluster_id;
const perms = (id, body, method = 'PATCH') => d.api(method, `/api/2.0/permissions/clusters/${id}`, body);

test('no entitlements: create, pool, policy writes and the admin cluster are all 403', async () => {
  // a registered model with a version, an alias, a comment and a webhook, all the admin's
  const model = uniq('walk-model');
  ok(await d.api('POST', '/api/2.0/mlflow/registered-models/create', { name: model }));
  ok(await d.api('POST', '/api/2.0/mlflow/model-versions/create', { name: model, source: 'dbfs:/walk-src' }));
  ok(await d.api('POST', '/api/2.0/mlflow/registered-models/alias', { name: model, alias: 'champ', version: '1' }));
  const commentId = ok(await d.api('POST', '/api/2.0/mlflow/comments/create', { name: model, version: '1', comment: 'c' })).comment.id;
  const hookId = ok(await d.api('POST', '/api/2.0/mlflow/registry-webhooks/create', { model_name: model,
    events: ['MODEL_VERSION_CREATED'], http_url_spec: { url: 'http://127.0.0.1:9/' } })).webhook.id;
  const u = await userWithToken();
  const cid = await createCluster();
  const { policy_id: pid } = ok(await d.api('POST', '/api/2.0/policies/clusters/create', { name: uniq('p'), definition: '{}' }));
  denied(await u.as('POST', '/api/2.1/clusters/create', { spark_version: V, num_workers: 0 }), /allow-cluster-create/);
  denied(await u.as('POST', '/api/2.0/instance-pools/create', { instance_pool_name: 'x', node_type_id: 'lakehouse.small' }), /allow-instance-pool-create/);
  denied(await u.as('POST', '/api/2.0/policies/clusters/create', { name: uniq('p'), definition: '{}' }));
  denied(await u.as('POST', '/api/2.0/policies/clusters/edit', { policy_id: pid, name: 'stolen' }));
  denied(await u.as('POST', '/api/2.0/policies/clusters/delete', { policy_id: pid }));
  denied(await u.as('POST', '/api/2.1/clusters/resize', { cluster_id: cid, num_workers: 3 }), /CAN_MANAGE/);
  denied(await u.as('POST', '/api/2.1/clusters/delete', { cluster_id: cid }), /CAN_RESTART/);
  denied(await u.as('POST', '/api/2.1/clusters/permanent-delete', { cluster_id: cid }), new RegExp(`CAN_MANAGE.*${cid}`));
  denied(await u.as('GET', `/api/2.1/clusters/get?cluster_id=${cid}`), /CAN_ATTACH_TO/);
  assert.ok(!(ok(await u.as('GET', '/api/2.1/clusters/list')).clusters ?? []).some((c) => c.cluster_id === cid));
  assert.ok(!(ok(await u.as('GET', '/api/2.0/policies/clusters/list')).policies ?? []).some((p) => p.policy_id === pid));
  denied(await u.as('GET', `/api/2.0/permissions/clusters/${cid}`));
  // nothing changed
  const c = ok(await d.api('GET', `/api/2.1/clusters/get?cluster_id=${cid}`));
  assert.equal(c.num_workers, 0);
});

test('entitlements from a group and on the user let them create; creators own what they make', async () => {
  const u = await userWithToken({ entitlements: [{ value: 'allow-cluster-create' }] });
  const cid = ok(await u.as('POST', '/api/2.1/clusters/create', { spark_version: V, num_workers: 0 })).cluster_id;
  ok(await u.as('GET', `/api/2.1/clusters/get?cluster_id=${cid}`));
  const p = ok(await u.as('GET', `/api/2.0/permissions/clusters/${cid}`));
  assert.equal(p.object_id, `/clusters/${cid}`);
  assert.equal(p.object_type, 'cluster');
  const mine = p.access_control_list.find((e) => e.user_name === u.user.userName);
  assert.deepEqual(mine.all_permissions, [{ permission_level: 'CAN_MANAGE', inherited: false }]);
  const admins = p.access_control_list.find((e) => e.group_name === 'admins');
  assert.deepEqual(admins.all_permissions, [{ permission_level: 'CAN_MANAGE', inherited: true, inherited_from_object: ['/clusters/'] }]);
  ok(await u.as('POST', '/api/2.1/clusters/resize', { cluster_id: cid, num_workers: 1 }));
  assert.ok(ok(await u.as('GET', '/api/2.1/clusters/list')).clusters.some((c) => c.cluster_id === cid));

  // pool entitlement through a group
  const v = await userWithToken();
  const g = ok(await d.api('POST', `${SCIM}/Groups`, { displayName: uniq('pool-makers'), entitlements: [{ value: 'allow-instance-pool-create' }] }), 201);
  denied(await v.as('POST', '/api/2.0/instance-pools/create', { instance_pool_name: 'p', node_type_id: 'lakehouse.small' }));
  ok(await d.api('PATCH', `${SCIM}/Groups/${g.id}`, patch([{ op: 'add', path: 'members', value: [{ value: v.user.id }] }])));
  const pool = ok(await v.as('POST', '/api/2.0/instance-pools/create', { instance_pool_name: 'p', node_type_id: 'lakehouse.small' })).instance_pool_id;
  ok(await v.as('GET', `/api/2.0/instance-pools/get?instance_pool_id=${pool}`));
  const pp = ok(await v.as('GET', `/api/2.0/permissions/instance-pools/${pool}`));
  assert.equal(pp.object_type, 'instance-pool');
  denied(await u.as('GET', `/api/2.0/instance-pools/get?instance_pool_id=${pool}`));
  assert.ok(!ok(await u.as('GET', '/api/2.0/instance-pools/list')).instance_pools.some((x) => x.instance_pool_id === pool));
  // a cluster from someone else's pool needs CAN_ATTACH_TO on the pool
  const onPool = { spark_version: V, num_workers: 0, instance_pool_id: pool };
  denied(await u.as('POST', '/api/2.1/clusters/create', onPool), new RegExp(`CAN_ATTACH_TO.*${pool}`));
  ok(await v.as('PATCH', `/api/2.0/permissions/instance-pools/${pool}`,
    { access_control_list: [{ user_name: u.user.userName, permission_level: 'CAN_ATTACH_TO' }] }));
  ok(await u.as('POST', '/api/2.1/clusters/create', onPool));
  denied(await u.as('POST', '/api/2.0/instance-pools/edit', { instance_pool_id: pool, instance_pool_name: 'q', node_type_id: 'lakehouse.small' }), /CAN_MANAGE/);
  ok(await v.as('POST', '/api/2.0/instance-pools/delete', { instance_pool_id: pool }));
});

test('grant CAN_MANAGE works at once, revoke denies at once; levels are ordered', async () => {
  // a registered model with a version, an alias, a comment and a webhook, all the admin's
  const model = uniq('walk-model');
  ok(await d.api('POST', '/api/2.0/mlflow/registered-models/create', { name: model }));
  ok(await d.api('POST', '/api/2.0/mlflow/model-versions/create', { name: model, source: 'dbfs:/walk-src' }));
  ok(await d.api('POST', '/api/2.0/mlflow/registered-models/alias', { name: model, alias: 'champ', version: '1' }));
  const commentId = ok(await d.api('POST', '/api/2.0/mlflow/comments/create', { name: model, version: '1', comment: 'c' })).comment.id;
  const hookId = ok(await d.api('POST', '/api/2.0/mlflow/registry-webhooks/create', { model_name: model,
    events: ['MODEL_VERSION_CREATED'], http_url_spec: { url: 'http://127.0.0.1:9/' } })).webhook.id;
  const u = await userWithToken();
  const cid = await createCluster();
  const name = u.user.userName;
  ok(await perms(cid, { access_control_list: [{ user_name: name, permission_level: 'CAN_ATTACH_TO' }] }));
  ok(await u.as('GET', `/api/2.1/clusters/get?cluster_id=${cid}`));
  assert.ok(ok(await u.as('GET', '/api/2.1/clusters/list')).clusters.some((c) => c.cluster_id === cid));
  denied(await u.as('POST', '/api/2.1/clusters/restart', { cluster_id: cid }), /CAN_RESTART/);
  denied(await u.as('GET', `/api/2.0/permissions/clusters/${cid}`));

  ok(await perms(cid, { access_control_list: [{ user_name: name, permission_level: 'CAN_MANAGE' }] }));
  ok(await u.as('POST', '/api/2.1/clusters/resize', { cluster_id: cid, num_workers: 1 }));
  // paging walks only what the caller may see
  const page = ok(await u.as('GET', '/api/2.1/clusters/list?page_size=1'));
  assert.deepEqual(page.clusters.map((c) => c.cluster_id), [cid]);
  assert.equal(page.next_page_token, undefined);
  const p = ok(await u.as('GET', `/api/2.0/permissions/clusters/${cid}`));
  assert.deepEqual(p.access_control_list.find((e) => e.user_name === name).all_permissions,
    [{ permission_level: 'CAN_MANAGE', inherited: false }]);

  // set (PUT) replaces the direct grants: the user is gone, the owner (admin) stays
  const after = ok(await perms(cid, { access_control_list: [] }, 'PUT'));
  assert.ok(!after.access_control_list.some((e) => e.user_name === name));
  assert.ok(after.access_control_list.some((e) => e.user_name === 'admin'));
  denied(await u.as('POST', '/api/2.1/clusters/resize', { cluster_id: cid, num_workers: 2 }));
  denied(await u.as('GET', `/api/2.1/clusters/get?cluster_id=${cid}`));

  const lv = ok(await d.api('GET', `/api/2.0/permissions/clusters/${cid}/permissionLevels`));
  assert.deepEqual(lv.permission_levels.map((x) => x.permission_level), ['CAN_ATTACH_TO', 'CAN_RESTART', 'CAN_MANAGE']);
});

test('group grants are inherited and show where they come from', async () => {
  // a registered model with a version, an alias, a comment and a webhook, all the admin's
  const model = uniq('walk-model');
  ok(await d.api('POST', '/api/2.0/mlflow/registered-models/create', { name: model }));
  ok(await d.api('POST', '/api/2.0/mlflow/model-versions/create', { name: model, source: 'dbfs:/walk-src' }));
  ok(await d.api('POST', '/api/2.0/mlflow/registered-models/alias', { name: model, alias: 'champ', version: '1' }));
  const commentId = ok(await d.api('POST', '/api/2.0/mlflow/comments/create', { name: model, version: '1', comment: 'c' })).comment.id;
  const hookId = ok(await d.api('POST', '/api/2.0/mlflow/registry-webhooks/create', { model_name: model,
    events: ['MODEL_VERSION_CREATED'], http_url_spec: { url: 'http://127.0.0.1:9/' } })).webhook.id;
  const u = await userWithToken();
  const cid = await createCluster();
  const inner = ok(await d.api('POST', `${SCIM}/Groups`, { displayName: uniq('inner'), members: [{ value: u.user.id }] }), 201);
  const outer = ok(await d.api('POST', `${SCIM}/Groups`, { displayName: uniq('outer'), members: [{ value: inner.id }] }), 201);
  denied(await u.as('POST', '/api/2.1/clusters/restart', { cluster_id: cid }));
  const p = ok(await perms(cid, { access_control_list: [{ group_name: outer.displayName, permission_level: 'CAN_RESTART' }] }));
  assert.deepEqual(p.access_control_list.find((e) => e.group_name === outer.displayName).all_permissions,
    [{ permission_level: 'CAN_RESTART', inherited: false }]);
  const mine = p.access_control_list.find((e) => e.user_name === u.user.userName);
  assert.deepEqual(mine.all_permissions, [{ permission_level: 'CAN_RESTART', inherited: true, inherited_from_object: [`/groups/${outer.displayName}`] }]);
  await d.waitFor(async () => ok(await d.api('GET', `/api/2.1/clusters/get?cluster_id=${cid}`)).state === 'RUNNING');
  ok(await u.as('POST', '/api/2.1/clusters/restart', { cluster_id: cid }));
  denied(await u.as('POST', '/api/2.1/clusters/resize', { cluster_id: cid, num_workers: 1 }));
  // leaving the group takes the right away at once
  ok(await d.api('PATCH', `${SCIM}/Groups/${inner.id}`, patch([{ op: 'remove', path: 'members', value: [{ value: u.user.id }] }])));
  denied(await u.as('GET', `/api/2.1/clusters/get?cluster_id=${cid}`));
  // the built-in users group holds everyone, with workspace and SQL access; it stays
  ok(await perms(cid, { access_control_list: [{ group_name: 'users', permission_level: 'CAN_ATTACH_TO' }] }));
  ok(await u.as('GET', `/api/2.1/clusters/get?cluster_id=${cid}`));
  const users = ok(await d.api('GET', `${SCIM}/Groups?filter=${encodeURIComponent('displayName eq "users"')}`)).Resources[0];
  assert.deepEqual(users.entitlements.map((e) => e.value).sort(), ['databricks-sql-access', 'workspace-access']);
  assert.equal((await d.api('DELETE', `${SCIM}/Groups/${users.id}`)).status, 400);
  assert.equal((await d.api('PATCH', `${SCIM}/Groups/${users.id}`, patch([{ op: 'replace', path: 'displayName', value: 'all' }]))).status, 400);
});

test('CAN_USE on a policy lets a user without allow-cluster-create create clusters under it', async () => {
  // a registered model with a version, an alias, a comment and a webhook, all the admin's
  const model = uniq('walk-model');
  ok(await d.api('POST', '/api/2.0/mlflow/registered-models/create', { name: model }));
  ok(await d.api('POST', '/api/2.0/mlflow/model-versions/create', { name: model, source: 'dbfs:/walk-src' }));
  ok(await d.api('POST', '/api/2.0/mlflow/registered-models/alias', { name: model, alias: 'champ', version: '1' }));
  const commentId = ok(await d.api('POST', '/api/2.0/mlflow/comments/create', { name: model, version: '1', comment: 'c' })).comment.id;
  const hookId = ok(await d.api('POST', '/api/2.0/mlflow/registry-webhooks/create', { model_name: model,
    events: ['MODEL_VERSION_CREATED'], http_url_spec: { url: 'http://127.0.0.1:9/' } })).webhook.id;
  const u = await userWithToken();
  const { policy_id: pid } = ok(await d.api('POST', '/api/2.0/policies/clusters/create', {
    name: uniq('p'), definition: JSON.stringify({ num_workers: { type: 'range', maxValue: 2 } }) }));
  denied(await u.as('POST', '/api/2.1/clusters/create', { spark_version: V, num_workers: 0, policy_id: pid }), /CAN_USE/);
  denied(await u.as('GET', `/api/2.0/policies/clusters/get?policy_id=${pid}`));
  denied(await u.as('PATCH', `/api/2.0/permissions/cluster-policies/${pid}`, { access_control_list: [] }));
  const p = ok(await d.api('PATCH', `/api/2.0/permissions/cluster-policies/${pid}`,
    { access_control_list: [{ user_name: u.user.userName, permission_level: 'CAN_USE' }] }));
  assert.equal(p.object_type, 'cluster-policy');
  ok(await u.as('GET', `/api/2.0/policies/clusters/get?policy_id=${pid}`));
  assert.ok(ok(await u.as('GET', '/api/2.0/policies/clusters/list')).policies.some((x) => x.policy_id === pid));
  const cid = ok(await u.as('POST', '/api/2.1/clusters/create', { spark_version: V, num_workers: 1, policy_id: pid })).cluster_id;
  // the policy still applies, and leaving it needs the entitlement
  assert.equal((await u.as('POST', '/api/2.1/clusters/create', { spark_version: V, num_workers: 5, policy_id: pid })).status, 400);
  await d.waitFor(async () => ok(await u.as('GET', `/api/2.1/clusters/get?cluster_id=${cid}`)).state === 'RUNNING');
  denied(await u.as('POST', '/api/2.1/clusters/edit', { cluster_id: cid, spark_version: V, num_workers: 1 }), /allow-cluster-create/);
  ok(await u.as('POST', '/api/2.1/clusters/edit', { cluster_id: cid, spark_version: V, num_workers: 2, policy_id: pid }));
  denied(await u.as('POST', '/api/2.0/policies/clusters/edit', { policy_id: pid, name: 'mine' }));
});

test('permissions API: validation, unknown objects and types, areas not built', async () => {
  const cid = await createCluster();
  const bad = async (body) => {
    const r = await perms(cid, body);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error_code, 'INVALID_PARAMETER_VALUE');
  };
  await bad({ access_control_list: [{ user_name: 'admin', permission_level: 'CAN_USE' }] });
  await bad({ access_control_list: [{ user_name: 'admin', group_name: 'x', permission_level: 'CAN_MANAGE' }] });
  await bad({ access_control_list: [{ permission_level: 'CAN_MANAGE' }] });
  await bad({ access_control_list: [{ user_name: 'nobody@example.com', permission_level: 'CAN_MANAGE' }] });
  await bad({ access_control_list: [{ group_name: 'admins', permission_level: 'CAN_MANAGE' }] });
  await bad({ access_control_list: 'x' });
  assert.equal((await d.api('GET', '/api/2.0/permissions/clusters/0000-000000-nope')).status, 404);
  assert.equal((await d.api('GET', '/api/2.0/permissions/bogus/1')).status, 400);
  const r = await d.api('GET', '/api/2.0/permissions/serving-endpoints/1');
  assert.equal(r.status, 501);
  assert.match(r.json.message, /Model serving/);
  // permanent delete forgets the ACL
  ok(await d.api('POST', '/api/2.1/clusters/permanent-delete', { cluster_id: cid }));
  assert.equal((await d.api('GET', `/api/2.0/permissions/clusters/${cid}`)).status, 404);
});

test('service principals: SCIM CRUD, filter, tokens that authenticate and are authorized like users', async () => {
  const sp = ok(await d.api('POST', `${SCIM}/ServicePrincipals`, { displayName: 'ci-bot', entitlements: [{ value: 'allow-cluster-create' }] }), 201);
  assert.match(sp.applicationId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(sp.displayName, 'ci-bot');
  assert.equal(sp.active, true);
  assert.deepEqual(sp.schemas, ['urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal']);
  const fixed = ok(await d.api('POST', `${SCIM}/ServicePrincipals`, { applicationId: 'app-fixed-1', displayName: 'other' }), 201);
  assert.equal(fixed.applicationId, 'app-fixed-1');
  assert.equal((await d.api('POST', `${SCIM}/ServicePrincipals`, { applicationId: 'app-fixed-1' })).status, 409);

  const all = ok(await d.api('GET', `${SCIM}/ServicePrincipals`));
  assert.equal(all.totalResults, 2);
  const f = ok(await d.api('GET', `${SCIM}/ServicePrincipals?filter=${encodeURIComponent(`applicationId eq "${sp.applicationId}"`)}`));
  assert.deepEqual(f.Resources.map((x) => x.id), [sp.id]);
  const page = ok(await d.api('GET', `${SCIM}/ServicePrincipals?startIndex=2&count=1`));
  assert.deepEqual(page.Resources.map((x) => x.id), [fixed.id]);
  assert.ok(!ok(await d.api('GET', `${SCIM}/Users?count=1000`)).Resources.some((x) => x.id === sp.id), 'Users does not list SPs');
  assert.equal((await d.api('GET', `${SCIM}/Users/${sp.id}`)).status, 404);
  assert.equal(ok(await d.api('GET', `${SCIM}/ServicePrincipals/${sp.id}`)).applicationId, sp.applicationId);

  let p = ok(await d.api('PATCH', `${SCIM}/ServicePrincipals/${fixed.id}`, patch([
    { op: 'replace', path: 'displayName', value: 'renamed' },
    { op: 'add', path: 'entitlements', value: [{ value: 'databricks-sql-access' }] },
    { op: 'replace', path: 'active', value: false }])));
  assert.equal(p.displayName, 'renamed');
  assert.equal(p.active, false);
  assert.deepEqual(p.entitlements, [{ value: 'databricks-sql-access' }]);
  assert.equal((await d.api('PATCH', `${SCIM}/ServicePrincipals/${fixed.id}`, patch([{ op: 'replace', path: 'applicationId', value: 'x' }]))).status, 400);
  p = ok(await d.api('PUT', `${SCIM}/ServicePrincipals/${fixed.id}`, { applicationId: 'app-fixed-1', displayName: 'put' }));
  assert.equal(p.displayName, 'put');
  assert.equal(p.active, true);
  const del = await d.api('DELETE', `${SCIM}/ServicePrincipals/${fixed.id}`);
  assert.equal(del.status, 204);
  assert.equal(del.text, '');
  assert.equal((await d.api('GET', `${SCIM}/ServicePrincipals/${fixed.id}`)).status, 404);

  // a token on its behalf: it authenticates as itself and is authorized like a user
  const t = ok(await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: sp.applicationId, comment: 'ci' }));
  const as = (method, path, body) => d.api(method, path, body, { token: t.token_value });
  const me = ok(await as('GET', `${SCIM}/Me`));
  assert.equal(me.id, sp.id);
  denied(await as('POST', '/api/2.0/instance-pools/create', { instance_pool_name: 'x', node_type_id: 'lakehouse.small' }));
  denied(await as('POST', '/api/2.0/policies/clusters/create', { name: uniq('p') }));
  const admin = await createCluster();
  denied(await as('GET', `/api/2.1/clusters/get?cluster_id=${admin}`));
  ok(await d.api('PATCH', `/api/2.0/permissions/clusters/${admin}`,
    { access_control_list: [{ service_principal_name: sp.applicationId, permission_level: 'CAN_ATTACH_TO' }] }));
  ok(await as('GET', `/api/2.1/clusters/get?cluster_id=${admin}`));
  const cid = ok(await as('POST', '/api/2.1/clusters/create', { spark_version: V, num_workers: 0 })).cluster_id;
  const acl = ok(await as('GET', `/api/2.0/permissions/clusters/${cid}`)).access_control_list;
  assert.deepEqual(acl.find((e) => e.service_principal_name === sp.applicationId).all_permissions,
    [{ permission_level: 'CAN_MANAGE', inherited: false }]);
  // admins group membership makes an SP an admin
  const admins = ok(await d.api('GET', `${SCIM}/Groups?filter=${encodeURIComponent('displayName eq "admins"')}`)).Resources[0];
  ok(await d.api('PATCH', `${SCIM}/ServicePrincipals/${sp.id}`, patch([{ op: 'add', path: 'groups', value: [{ value: admins.id }] }])));
  const ref = ok(await d.api('GET', `${SCIM}/Groups/${admins.id}`)).members.find((m) => m.value === sp.id);
  assert.equal(ref.$ref, `ServicePrincipals/${sp.id}`);
  ok(await as('POST', '/api/2.0/policies/clusters/create', { name: uniq('p') }));
  // deactivated or deleted: the token stops working
  ok(await d.api('PATCH', `${SCIM}/ServicePrincipals/${sp.id}`, patch([{ op: 'remove', path: 'groups', value: [{ value: admins.id }] }])));
  ok(await d.api('DELETE', `${SCIM}/ServicePrincipals/${sp.id}`), 204);
  assert.equal((await as('GET', `${SCIM}/Me`)).status, 401);
  // a registered model with a version, an alias, a comment and a webhook, all the admin's
  const model = uniq('walk-model');
  ok(await d.api('POST', '/api/2.0/mlflow/registered-models/create', { name: model }));
  ok(await d.api('POST', '/api/2.0/mlflow/model-versions/create', { name: model, source: 'dbfs:/walk-src' }));
  ok(await d.api('POST', '/api/2.0/mlflow/registered-models/alias', { name: model, alias: 'champ', version: '1' }));
  const commentId = ok(await d.api('POST', '/api/2.0/mlflow/comments/create', { name: model, version: '1', comment: 'c' })).comment.id;
  const hookId = ok(await d.api('POST', '/api/2.0/mlflow/registry-webhooks/create', { model_name: model,
    events: ['MODEL_VERSION_CREATED'], http_url_spec: { url: 'http://127.0.0.1:9/' } })).webhook.id;
  const u = await userWithToken();
  denied(await u.as('POST', `${SCIM}/ServicePrincipals`, { displayName: 'x' }));
  denied(await u.as('DELETE', `${SCIM}/ServicePrincipals/${fixed.id}`));
});

// The no-rights walk: every route the daemon serves (`lakehoused --routes`), called by a
// user with no entitlements and no grants, against objects the admin made. Everything
// Databricks denies must be 403; the routes below legitimately serve a plain user.
const PLAIN_USER_MAY = new Set([
  'GET /healthz', 'GET /metrics', 'GET /.well-known/databricks-config', // no auth at all
  'GET /openapi.yaml', 'GET /openapi.json',
  'POST /api/2.0/token/create', 'GET /api/2.0/token/list', 'POST /api/2.0/token/delete', // own tokens
  'GET /api/2.0/preview/scim/v2/Me',
  'GET /api/2.0/notification-destinations', 'GET /api/2.0/notification-destinations/{}', // read by anyone; writes are admins'
  'GET /api/2.0/preview/scim/v2/Users', 'GET /api/2.0/preview/scim/v2/Users/{}', // workspace directory
  'GET /api/2.0/preview/scim/v2/Groups', 'GET /api/2.0/preview/scim/v2/Groups/{}',
  'GET /api/2.0/preview/scim/v2/ServicePrincipals', 'GET /api/2.0/preview/scim/v2/ServicePrincipals/{}',
  'GET /api/{v}/clusters/list', // only the clusters the caller can attach to (checked below)
  'GET /api/{v}/clusters/spark-versions', 'GET /api/{v}/clusters/list-node-types', 'GET /api/{v}/clusters/list-zones',
  'GET /api/2.0/policies/clusters/list', // only usable policies (checked below)
  'GET /api/2.0/policy-families',
  'GET /api/2.0/instance-pools/list', // only pools the caller can attach to (checked below)
  'POST /api/2.0/secrets/scopes/create', 'GET /api/2.0/secrets/scopes/list', // any user has scopes
  // Unity Catalog metadata is readable by every user (privileges come with UC grants)
  ...['catalogs', 'catalogs/{}', 'schemas', 'schemas/{}', 'tables', 'tables/{}', 'tables/{}/exists',
    'table-summaries', 'volumes', 'volumes/{}', 'functions', 'functions/{}', 'metastore_summary',
    'current-metastore-assignment'].map((p) => `GET /api/2.1/unity-catalog/${p}`),
  'GET /api/2.0/sql/warehouses', 'GET /api/2.0/sql/endpoints', // only warehouses the caller can view
  'GET /api/2.0/sql/history/queries', // only the caller's own statements
  'POST /api/{v}/jobs/create', 'GET /api/{v}/jobs/list', // any user creates jobs; lists viewable ones
  'POST /api/{v}/jobs/runs/submit', // one-off runs (runs/list is walked with the admin's job_id: denied)
  // MLflow: every user may create experiments; searches and lists show only readable ones
  'POST /{}/2.0/mlflow/experiments/create', 'POST /{}/2.0/mlflow/experiments/search',
  'GET /{}/2.0/mlflow/experiments/search', 'GET /{}/2.0/mlflow/experiments/list',
  // the model registry: any user creates models (a taken name is 409) and sees readable ones
  'POST /{}/2.0/mlflow/registered-models/create', 'GET /{}/2.0/mlflow/registered-models/search',
  'GET /{}/2.0/mlflow/registered-models/list', 'GET /{}/2.0/mlflow/model-versions/search',
  'GET /{}/2.0/mlflow/registry-webhooks/list',
  // the Workspace API: every user has a home folder and /Shared (checks per object and folder
  // in workspace.test.mjs; this walk sends no path, so these answer 400)
  ...['list', 'get-status', 'export'].map((p) => `GET /api/2.0/workspace/${p}`),
  ...['mkdirs', 'delete', 'import'].map((p) => `POST /api/2.0/workspace/${p}`),
  // DBFS and the artifact proxy are workspace-wide (the workspace-access entitlement)
  ...['list', 'get-status', 'read'].map((p) => `GET /api/2.0/dbfs/${p}`),
  ...['add-block', 'close', 'create', 'delete', 'mkdirs', 'move', 'put'].map((p) => `POST /api/2.0/dbfs/${p}`),
  'GET /dbfs/{}', 'POST /dbfs/{}', 'PUT /dbfs/{}', 'HEAD /dbfs/{}',
  'GET /{}/2.0/mlflow-artifacts/artifacts', 'GET /{}/2.0/mlflow-artifacts/artifacts/{}',
  'PUT /{}/2.0/mlflow-artifacts/artifacts/{}', 'DELETE /{}/2.0/mlflow-artifacts/artifacts/{}',
  'PUT /api/2.0/mlflow-artifacts/mpu/parts/{}/{}', // no token: the upload id is the credential
  ...['create', 'complete', 'abort'].flatMap((p) => [`POST /{}/2.0/mlflow-artifacts/mpu/${p}`,
    `POST /{}/2.0/mlflow-artifacts/mpu/${p}/{}`]),
]);

test('no-rights walk over every route: 403 wherever Databricks denies', async () => {
  const { execFileSync } = await import('node:child_process');
  const { BIN } = await import('./harness.mjs');
  const cid = await createCluster();
  const { policy_id: pid } = ok(await d.api('POST', '/api/2.0/policies/clusters/create', { name: uniq('walk'), definition: '{}' }));
  const pool = ok(await d.api('POST', '/api/2.0/instance-pools/create', { instance_pool_name: 'walk', node_type_id: 'lakehouse.small' })).instance_pool_id;
  const sp = ok(await d.api('POST', `${SCIM}/ServicePrincipals`, { displayName: 'walk' }), 201);
  const adminId = ok(await d.api('GET', `${SCIM}/Me`)).id;
  const adminsGroup = ok(await d.api('GET', `${SCIM}/Groups?filter=${encodeURIComponent('displayName eq "admins"')}`)).Resources[0].id;
  const tokenId = ok(await d.api('GET', '/api/2.0/token/list')).token_infos[0].token_id;
  const scope = uniq('walk-scope');
  ok(await d.api('POST', '/api/2.0/secrets/scopes/create', { scope }));
  ok(await d.api('POST', '/api/2.0/secrets/put', { scope, key: 'k', string_value: 'v' }));
  ok(await d.api('POST', '/api/2.1/unity-catalog/catalogs', { name: 'walkcat' }));
  ok(await d.api('POST', '/api/2.1/unity-catalog/schemas', { catalog_name: 'walkcat', name: 's' }));
  ok(await d.api('POST', '/api/2.1/unity-catalog/volumes', { catalog_name: 'walkcat', schema_name: 's', name: 'v', volume_type: 'MANAGED' }));
  ok(await d.api('POST', '/api/2.1/unity-catalog/functions', { function_info: { catalog_name: 'walkcat', schema_name: 's', name: 'f' } }));
  ok(await d.api('POST', '/api/2.1/unity-catalog/tables', { catalog_name: 'walkcat', schema_name: 's', name: 't', table_type: 'EXTERNAL',
    data_source_format: 'DELTA', storage_location: `${d.dataDir}/walk-ext` }));
  const wh = ok(await d.api('POST', '/api/2.0/sql/warehouses', { name: uniq('walk'), cluster_size: '2X-Small' })).id;
  const stmt = ok(await d.api('POST', '/api/2.0/sql/statements', { statement: 'SELECT 1', warehouse_id: wh, wait_timeout: '30s' })).statement_id;
  const sid = ok(await d.api('POST', '/api/2.0/sql/sessions', { warehouse_id: wh })).session_id;
  const expName = uniq('walk-exp');
  const exp = ok(await d.api('POST', '/api/2.0/mlflow/experiments/create', { name: expName })).experiment_id;
  const runId = ok(await d.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: exp })).run.info.run_id;
  const modelId = ok(await d.api('POST', '/api/2.0/mlflow/logged-models', { experiment_id: exp })).model.info.model_id;
  // a registered model with a version, an alias, a comment and a webhook, all the admin's
  const model = uniq('walk-model');
  ok(await d.api('POST', '/api/2.0/mlflow/registered-models/create', { name: model }));
  ok(await d.api('POST', '/api/2.0/mlflow/model-versions/create', { name: model, source: 'dbfs:/walk-src' }));
  ok(await d.api('POST', '/api/2.0/mlflow/registered-models/alias', { name: model, alias: 'champ', version: '1' }));
  const commentId = ok(await d.api('POST', '/api/2.0/mlflow/comments/create', { name: model, version: '1', comment: 'c' })).comment.id;
  const hookId = ok(await d.api('POST', '/api/2.0/mlflow/registry-webhooks/create', { model_name: model,
    events: ['MODEL_VERSION_CREATED'], http_url_spec: { url: 'http://127.0.0.1:9/' } })).webhook.id;
  const jobId = ok(await d.api('POST', '/api/2.1/jobs/create', { name: uniq('walk-job') })).job_id;
  const jobRunId = ok(await d.api('POST', '/api/2.1/jobs/runs/submit', {
    run_name: 'walk', tasks: [{ task_key: 'c', condition_task: { op: 'EQUAL_TO', left: '1', right: '1' } }],
  })).run_id;
  const u = await userWithToken();

  const body = {
    experiment_id: exp, experiment_ids: [exp], run_id: runId, run_ids: [runId], value: '1', timestamp: 1, status: 3,
    model_json: JSON.stringify({ artifact_path: 'm', flavors: {}, utc_time_created: 'now', run_id: runId }),
    catalog_name: 'walkcat', schema_name: 's', function_info: { catalog_name: 'walkcat', schema_name: 's', name: 'g' },
    cluster_id: cid, policy_id: pid, instance_pool_id: pool, token_id: tokenId, application_id: adminId,
    spark_version: V, num_workers: 1, update_mask: 'num_workers', cluster: { num_workers: 1 },
    name: uniq('walk-p'), definition: '{}', instance_pool_name: 'x', node_type_id: 'lakehouse.small',
    userName: `${uniq('w')}@example.com`, displayName: uniq('w'), schemas: [PATCH_SCHEMA],
    Operations: [{ op: 'replace', path: 'displayName', value: 'pwned' }],
    access_control_list: [{ user_name: u.user.userName, permission_level: 'CAN_MANAGE' }],
    scope, key: 'k', string_value: 'pwned', principal: u.user.userName, permission: 'MANAGE',
    statement: 'SELECT 1', warehouse_id: wh,
    // the registry: the admin's model and version (name is also a policy's name: admin-only)
    version: '1', alias: 'champ', stage: 'Staging', new_name: uniq('walk-renamed'), source: 'dbfs:/walk-src',
    comment: 'x', events: ['MODEL_VERSION_CREATED'], tags: [], model_name: model,
    http_url_spec: { url: 'http://127.0.0.1:9/' },
    job_id: jobId, new_settings: { name: 'pwned' },
  };
  body.name = model;
  body.model_name = model;
  const bodyFor = (path) => (path.includes('/comments/') ? { ...body, id: commentId }
    : path.includes('/registry-webhooks/') ? { ...body, id: hookId, status: 'ACTIVE' } : body);
  const query = `?cluster_id=${cid}&policy_id=${pid}&instance_pool_id=${pool}&scope=${scope}&key=k&principal=${encodeURIComponent(u.user.userName)}`
    + `&experiment_id=${exp}&experiment_name=${expName}&run_id=${runId}&run_ids=${runId}&metric_key=m&job_id=${jobId}`;
  const lines = execFileSync(BIN, ['--routes']).toString().trim().split('\n');
  let walked = 0;
  for (const line of lines) {
    const [method, pattern] = line.split(' ');
    if (method === '*') continue; // areas not built: 501 for everyone
    const key = `${method} ${pattern.replace('{2.0|2.1|2.2}', '{v}').replace('{2.0|2.1}', '{v}').replace(/\{(?!v\})[^}]+\}/g, '{}')}`;
    const targets = [];
    const versions = pattern.includes('{2.0|2.1|2.2}') ? ['2.0', '2.1', '2.2'] : pattern.includes('{2.0|2.1}') ? ['2.0', '2.1']
      : pattern.includes('{api|ajax-api}') ? ['api', 'ajax-api'] : [''];
    for (const v of versions) {
      let p = pattern.replace('{2.0|2.1|2.2}', v).replace('{2.0|2.1}', v).replace('{api|ajax-api}', v);
      p = p.replace('{model_id}', modelId).replace('{tag_key}', 'k');
      if (p.includes('{object_type}')) {
        for (const [t, id] of [['clusters', cid], ['cluster-policies', pid], ['instance-pools', pool]])
          targets.push(p.replace('{object_type}', t).replace('{object_id}', id));
        continue;
      }
      p = p.replace('{token_id}', tokenId);
      if (p.startsWith('/api/2.1/unity-catalog/') && /\{(name|full_name)\}/.test(p)) {
        const leaf = /\/(tables|volumes|functions)\//.exec(p);
        p = p.replace(/\{(name|full_name)\}/, p.includes('/catalogs/') ? 'walkcat' : p.includes('/schemas/') ? 'walkcat.s'
          : `walkcat.s.${leaf[1] === 'tables' ? 't' : leaf[1] === 'volumes' ? 'v' : 'f'}`);
      }
      if (p.startsWith('/api/2.0/fs/')) p = p.replace('{*}', p.includes('/files/') ? 'walkcat/s/v/x.txt' : 'walkcat/s/v');
      if (p.startsWith('/api/2.0/sql/statements/')) p = p.replace('{id}', stmt).replace('{n}', '0');
      if (p.startsWith('/api/2.0/sql/sessions/')) p = p.replace('{id}', sid);
      if (p.startsWith('/api/2.0/sql/')) p = p.replace('{id}', wh);
      if (p.includes('/Users/')) p = p.replace('{id}', adminId);
      if (p.includes('/Groups/')) p = p.replace('{id}', adminsGroup);
      if (p.includes('/ServicePrincipals/')) p = p.replace('{id}', sp.id);
      targets.push(p);
    }
    for (const path of targets) {
      const jobRun = path.includes('/jobs/runs/'); // a jobs run id, not an MLflow one
      let q = path.includes('/mlflow/') ? `${query}&name=${model}&version=1&alias=champ` : query;
      if (jobRun) q = q.replace(`run_id=${runId}`, `run_id=${jobRunId}`);
      const b = jobRun ? { ...bodyFor(path), run_id: jobRunId } : bodyFor(path);
      const r = method === 'GET' ? await u.as('GET', path + q) : await u.as(method, path, b);
      walked++;
      if (PLAIN_USER_MAY.has(key)) {
        assert.notEqual(r.status, 403, `${method} ${path} should serve a plain user: ${r.text}`);
      } else {
        assert.equal(r.status, 403, `${method} ${path} must be denied: ${r.text}`);
        assert.equal(r.json?.error_code, 'PERMISSION_DENIED', `${method} ${path}`);
      }
    }
  }
  assert.ok(walked > 60, `walked ${walked} calls`);
  // lists hid the admin's objects, and nothing the admin made changed
  assert.ok(!(ok(await u.as('GET', '/api/2.1/clusters/list')).clusters ?? []).some((c) => c.cluster_id === cid));
  assert.ok(!ok(await u.as('GET', '/api/2.0/policies/clusters/list')).policies.some((p) => p.policy_id === pid));
  assert.ok(!ok(await u.as('GET', '/api/2.0/instance-pools/list')).instance_pools.some((p) => p.instance_pool_id === pool));
  const c = ok(await d.api('GET', `/api/2.1/clusters/get?cluster_id=${cid}`));
  assert.equal(c.num_workers, 0);
  assert.equal(ok(await d.api('GET', `/api/2.0/policies/clusters/get?policy_id=${pid}`)).name.startsWith('walk'), true);
  assert.equal(ok(await d.api('GET', `${SCIM}/ServicePrincipals/${sp.id}`)).displayName, 'walk');
  assert.equal(ok(await d.api('GET', `/api/2.0/permissions/clusters/${cid}`)).access_control_list.some((e) => e.user_name === u.user.userName), false);
  ok(await d.api('GET', '/api/2.0/token/list')); // the admin's token still works
  const secret = ok(await d.api('GET', `/api/2.0/secrets/get?scope=${scope}&key=k`));
  assert.equal(Buffer.from(secret.value, 'base64').toString(), 'v');
});

test('grants, owners and service principals survive a restart', async () => {
  // a registered model with a version, an alias, a comment and a webhook, all the admin's
  const model = uniq('walk-model');
  ok(await d.api('POST', '/api/2.0/mlflow/registered-models/create', { name: model }));
  ok(await d.api('POST', '/api/2.0/mlflow/model-versions/create', { name: model, source: 'dbfs:/walk-src' }));
  ok(await d.api('POST', '/api/2.0/mlflow/registered-models/alias', { name: model, alias: 'champ', version: '1' }));
  const commentId = ok(await d.api('POST', '/api/2.0/mlflow/comments/create', { name: model, version: '1', comment: 'c' })).comment.id;
  const hookId = ok(await d.api('POST', '/api/2.0/mlflow/registry-webhooks/create', { model_name: model,
    events: ['MODEL_VERSION_CREATED'], http_url_spec: { url: 'http://127.0.0.1:9/' } })).webhook.id;
  const u = await userWithToken();
  const cid = await createCluster();
  ok(await perms(cid, { access_control_list: [{ user_name: u.user.userName, permission_level: 'CAN_RESTART' }] }));
  const sp = ok(await d.api('POST', `${SCIM}/ServicePrincipals`, { displayName: 'survivor' }), 201);
  const t = ok(await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: sp.applicationId }));
  await d.kill9();
  await d.restart();
  const acl = ok(await d.api('GET', `/api/2.0/permissions/clusters/${cid}`)).access_control_list;
  assert.deepEqual(acl.find((e) => e.user_name === u.user.userName).all_permissions, [{ permission_level: 'CAN_RESTART', inherited: false }]);
  assert.deepEqual(acl.find((e) => e.user_name === 'admin').all_permissions, [{ permission_level: 'CAN_MANAGE', inherited: false }]);
  ok(await u.as('GET', `/api/2.1/clusters/get?cluster_id=${cid}`));
  denied(await u.as('POST', '/api/2.1/clusters/resize', { cluster_id: cid, num_workers: 1 }));
  assert.equal(ok(await d.api('GET', `${SCIM}/Me`, undefined, { token: t.token_value })).id, sp.id);
});
