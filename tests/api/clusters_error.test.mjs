// clusters_error.test.mjs - the cluster ERROR state: a start that cannot get worker
// threads (LAKEHOUSE_TEST_FAIL_POOL_START=1 makes every start fail that way) ends in ERROR
// with a termination_reason, an ADD_NODES_FAILED event and a log line; ERROR survives a
// restart untouched, and start / delete leave it as on Databricks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from './harness.mjs';

const V = '15.4.x-scala2.12';
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

function client(d) {
  const ok = async (method, path, body) => {
    const r = await d.api(method, path, body);
    assert.equal(r.status, 200, `${method} ${path}: ${r.text}`);
    return r.json;
  };
  const waitState = async (id, state) => {
    for (let i = 0; i < 400; i++) {
      const c = await ok('GET', `/api/2.1/clusters/get?cluster_id=${id}`);
      if (c.state === state) return c;
      await sleep(10);
    }
    throw new Error(`cluster ${id} never reached ${state}`);
  };
  return { ok, waitState };
}

test('a start without worker threads ends in ERROR; restart keeps it; start and delete recover', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lh-error-'));
  let d = await startDaemon({ dataDir, env: { LAKEHOUSE_TEST_FAIL_POOL_START: '1' } });
  try {
    let { ok, waitState } = client(d);
    const id = (await ok('POST', '/api/2.1/clusters/create', { cluster_name: 'broken', spark_version: V, node_type_id: 'lakehouse.small', num_workers: 2 })).cluster_id;
    let c = await waitState(id, 'ERROR');
    assert.equal(c.termination_reason.code, 'SPARK_STARTUP_FAILURE');
    assert.equal(c.termination_reason.type, 'SERVICE_FAULT');
    assert.match(c.state_message, /worker threads/);
    assert.ok(c.terminated_time > 0);
    assert.ok(!('cluster_cores' in c));
    const ev = await ok('POST', '/api/2.1/clusters/events', { cluster_id: id, order: 'ASC' });
    const failed = ev.events.find((e) => e.type === 'ADD_NODES_FAILED');
    assert.equal(failed.details.reason.code, 'SPARK_STARTUP_FAILURE');
    assert.match(d.stderr, new RegExp(`cluster ${id} \\(broken\\) ERROR \\(SPARK_STARTUP_FAILURE`));
    const m = await d.api('GET', '/metrics');
    assert.match(m.text, /lakehouse_clusters\{state="ERROR"\} 1/);
    // an ERROR cluster can be filtered, restarted (fails again here) and deleted
    const l = await ok('GET', '/api/2.1/clusters/list?filter_by.cluster_states=ERROR');
    assert.deepEqual(l.clusters.map((x) => x.cluster_id), [id]);
    await ok('POST', '/api/2.1/clusters/start', { cluster_id: id });
    await waitState(id, 'ERROR');

    // an instance pool that cannot provide workers: ERROR with the pool's reason
    const pool = (await ok('POST', '/api/2.0/instance-pools/create', { instance_pool_name: 'p', node_type_id: 'lakehouse.small', min_idle_instances: 1 })).instance_pool_id;
    const pid = (await ok('POST', '/api/2.1/clusters/create', { spark_version: V, instance_pool_id: pool, num_workers: 1 })).cluster_id;
    c = await waitState(pid, 'ERROR');
    assert.equal(c.termination_reason.code, 'INSTANCE_POOL_CLUSTER_FAILURE');
    assert.equal(c.termination_reason.parameters.instance_pool_id, pool);
    await ok('POST', '/api/2.1/clusters/delete', { cluster_id: pid });
    await waitState(pid, 'TERMINATED');

    // restart (still failing): ERROR stays ERROR, untouched by recovery
    await d.stop({ keep: true });
    d = await startDaemon({ dataDir, env: { LAKEHOUSE_TEST_FAIL_POOL_START: '1' } });
    ({ ok, waitState } = client(d));
    c = await ok('GET', `/api/2.1/clusters/get?cluster_id=${id}`);
    assert.equal(c.state, 'ERROR');
    assert.equal(c.termination_reason.code, 'SPARK_STARTUP_FAILURE');

    // restart with working threads: still ERROR until someone starts it, then RUNNING
    await d.stop({ keep: true });
    d = await startDaemon({ dataDir });
    ({ ok, waitState } = client(d));
    await sleep(50);
    assert.equal((await ok('GET', `/api/2.1/clusters/get?cluster_id=${id}`)).state, 'ERROR');
    await ok('POST', '/api/2.1/clusters/start', { cluster_id: id });
    c = await waitState(id, 'RUNNING');
    assert.ok(!('termination_reason' in c));
    assert.equal(c.cluster_cores > 0, true);
    await ok('POST', '/api/2.1/clusters/delete', { cluster_id: id });
    await waitState(id, 'TERMINATED');
  } finally {
    await d.stop({ keep: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
});
