// restart.test.mjs - durability: create state, kill -9, restart on the same data dir,
// and check that tokens, users, groups, clusters, policies and pools are intact.
// Clusters that were RUNNING come back RUNNING (with a fresh pool); TERMINATED stay so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';

test('state survives kill -9 and a graceful restart', async () => {
  const d = await startDaemon();
  try {
    const tok = (await d.api('POST', '/api/2.0/token/create', { comment: 'keep', lifetime_seconds: 3600 })).json;
    const user = (await d.api('POST', '/api/2.0/preview/scim/v2/Users', { userName: 'ana@example.com' })).json;
    const group = (await d.api('POST', '/api/2.0/preview/scim/v2/Groups',
      { displayName: 'eng', members: [{ value: user.id }] })).json;
    const policy = (await d.api('POST', '/api/2.0/policies/clusters/create',
      { name: 'p1', definition: JSON.stringify({ num_workers: { type: 'range', maxValue: 4 } }) })).json;
    const pool = (await d.api('POST', '/api/2.0/instance-pools/create',
      { instance_pool_name: 'pool1', node_type_id: 'lakehouse.small', min_idle_instances: 1, max_capacity: 4 })).json;
    const spec = { spark_version: '15.4.x-scala2.12', node_type_id: 'lakehouse.small', num_workers: 1 };
    const running = (await d.api('POST', '/api/2.1/clusters/create', { ...spec, cluster_name: 'run' })).json.cluster_id;
    const stopped = (await d.api('POST', '/api/2.1/clusters/create', { ...spec, cluster_name: 'stop' })).json.cluster_id;
    const state = async (id) => (await d.api('GET', `/api/2.1/clusters/get?cluster_id=${id}`)).json?.state;
    await d.waitFor(async () => (await state(running)) === 'RUNNING' && (await state(stopped)) === 'RUNNING');
    await d.api('POST', '/api/2.1/clusters/delete', { cluster_id: stopped });
    await d.waitFor(async () => (await state(stopped)) === 'TERMINATED');

    for (const how of ['kill9', 'sigterm']) {
      if (how === 'kill9') await d.kill9(); else await d.stop({ keep: true });
      await d.restart();
      const me = await d.api('GET', '/api/2.0/preview/scim/v2/Me', undefined, { token: tok.token_value });
      assert.equal(me.status, 200, `${how}: token lost`);
      const u = await d.api('GET', `/api/2.0/preview/scim/v2/Users/${user.id}`);
      assert.equal(u.json.userName, 'ana@example.com');
      const g = await d.api('GET', `/api/2.0/preview/scim/v2/Groups/${group.id}`);
      assert.deepEqual(g.json.members.map((m) => m.value), [user.id]);
      const p = await d.api('GET', `/api/2.0/policies/clusters/get?policy_id=${policy.policy_id}`);
      assert.equal(p.json.name, 'p1');
      const ip = await d.api('GET', `/api/2.0/instance-pools/get?instance_pool_id=${pool.instance_pool_id}`);
      assert.equal(ip.json.instance_pool_name, 'pool1');
      await d.waitFor(async () => (await state(running)) === 'RUNNING');
      assert.equal(await state(stopped), 'TERMINATED');
      const ids = (await d.api('GET', '/api/2.1/clusters/list')).json.clusters.map((c) => c.cluster_id).sort();
      assert.deepEqual(ids, [running, stopped].sort());
    }
  } finally {
    await d.stop();
  }
});
