// bg.test.mjs - the background service seen from outside: a full background queue answers
// 429 REQUEST_LIMIT_EXCEEDED with Retry-After and changes nothing; /metrics shows the
// executors; a bad LAKEHOUSE_TEST_BG_QUEUE_MAX stops start-up.
//
// LAKEHOUSE_TEST_BG_QUEUE_MAX=1 caps every background queue at one task. Each
// instance-pools/create posts a top-up job to the clusters lifecycle executor (one
// thread); a burst of concurrent creates with min_idle_instances outruns that thread, so
// some find the queue full. The in-process proof that every state-changing clusters call
// is refused with nothing changed is tests/unit/api/clusters/test_clusters.c
// (test_full_queue_refuses); this test shows the same path through HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BIN, startDaemon } from './harness.mjs';

const poolBody = (i) => ({ instance_pool_name: `bg-${i}`, node_type_id: 'lakehouse.small', min_idle_instances: 4 });

test('a full lifecycle queue answers 429 with Retry-After and creates nothing', async () => {
  const d = await startDaemon({ env: { LAKEHOUSE_TEST_BG_QUEUE_MAX: '1' } });
  try {
    let created = 0;
    let refused = null;
    for (let round = 0; round < 20 && refused === null; round++) {
      const rs = await Promise.all(Array.from({ length: 16 }, (_, i) =>
        d.api('POST', '/api/2.0/instance-pools/create', poolBody(round * 16 + i))));
      for (const r of rs) {
        if (r.status === 200) created++;
        else if (r.status === 429) refused = refused ?? r;
        else assert.fail(`unexpected ${r.status}: ${r.text}`);
      }
    }
    assert.ok(refused, 'no request was refused');
    assert.equal(refused.json.error_code, 'REQUEST_LIMIT_EXCEEDED');
    assert.match(refused.json.message, /queue is full/);
    assert.equal(refused.headers.get('retry-after'), '1');
    const list = await d.api('GET', '/api/2.0/instance-pools/list');
    assert.equal(list.json.instance_pools.length, created, 'a refused create left a pool behind');
    const m = await (await fetch(`${d.url}/metrics`)).text();
    assert.match(m, /lakehouse_bg_rejected_total\{executor="clusters"\} [1-9]/);
    for (const p of list.json.instance_pools) { // retry the refused deletes until accepted
      for (;;) {
        const r = await d.api('POST', '/api/2.0/instance-pools/delete', { instance_pool_id: p.instance_pool_id });
        if (r.status === 200) break;
        assert.equal(r.status, 429, r.text);
        await new Promise((res) => setTimeout(res, 5));
      }
    }
  } finally {
    await d.stop();
  }
});

test('metrics list every executor and the skipped timer ticks', async () => {
  const d = await startDaemon();
  try {
    const m = await (await fetch(`${d.url}/metrics`)).text();
    for (const ex of ['default', 'clusters']) {
      assert.match(m, new RegExp(`lakehouse_bg_queue_depth\\{executor="${ex}"\\} \\d+`));
      assert.match(m, new RegExp(`lakehouse_bg_tasks_total\\{executor="${ex}"\\} \\d+`));
    }
    assert.match(m, /lakehouse_bg_timer_skipped_total \d+/);
  } finally {
    await d.stop();
  }
});

test('a bad LAKEHOUSE_TEST_BG_QUEUE_MAX stops start-up with a clear message', () => {
  const r = spawnSync(BIN, ['--listen', '127.0.0.1:1', '--data-dir', '/nonexistent'], {
    env: { ...process.env, LAKEHOUSE_TEST_BG_QUEUE_MAX: '0' }, encoding: 'utf8',
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /LAKEHOUSE_TEST_BG_QUEUE_MAX: expected 1\.\.65536/);
});
