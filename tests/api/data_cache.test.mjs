// data_cache.test.mjs - the data cache of decoded Parquet column chunks and the per-query
// memory limit, through the daemon: CACHE SELECT warms the cache, a re-scan hits it, and
// /metrics shows hits, misses, bytes and evictions; a tiny --query-memory-limit makes a big
// aggregate fail with RESOURCE_EXHAUSTED (or spill) and the daemon stays up.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';

const started = [];
after(async () => { for (const d of started) await d.stop(); });

async function daemon(args) {
  const d = await startDaemon({ args });
  started.push(d);
  const wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'w', cluster_size: '2X-Small' })).json.id;
  const q = async (statement) =>
    (await d.api('POST', '/api/2.0/sql/statements', { statement, warehouse_id: wh, wait_timeout: '50s' })).json;
  return { d, q };
}

async function metrics(d) {
  const r = await fetch(`http://127.0.0.1:${d.port}/metrics`);
  const out = {};
  for (const line of (await r.text()).split('\n')) {
    const m = line.match(/^(lakehouse_(?:data_cache|sql_query_memory)_\w+) (\d+)$/);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

test('CACHE SELECT warms the data cache; a re-scan hits it; /metrics counts', async () => {
  const { d, q } = await daemon(['--data-cache-size', '64M']);
  let r = await q('CREATE TABLE t AS SELECT id, id % 7 AS k, CAST(id AS STRING) AS s FROM range(50000)');
  assert.equal(r.status.state, 'SUCCEEDED', JSON.stringify(r.status));
  const m0 = await metrics(d);
  assert.equal(m0.lakehouse_data_cache_capacity_bytes, 64 * 1024 * 1024);
  r = await q('CACHE SELECT id, k, s FROM t');
  assert.equal(r.status.state, 'SUCCEEDED', JSON.stringify(r.status));
  assert.equal(r.manifest.schema.column_count, 0);
  const m1 = await metrics(d);
  assert.ok(m1.lakehouse_data_cache_misses_total >= m0.lakehouse_data_cache_misses_total + 3);
  assert.ok(m1.lakehouse_data_cache_bytes > 50000 * 8, JSON.stringify(m1));
  r = await q('SELECT count(*), sum(id), max(s) FROM t WHERE k = 3');
  assert.deepEqual(r.result.data_array, [['7143', '178575000', '9999']]);
  const m2 = await metrics(d);
  assert.ok(m2.lakehouse_data_cache_hits_total >= m1.lakehouse_data_cache_hits_total + 3, JSON.stringify(m2));
  assert.equal(m2.lakehouse_data_cache_misses_total, m1.lakehouse_data_cache_misses_total);
  // a rewrite makes new files: the next scan misses and sees the new data
  r = await q('INSERT OVERWRITE t SELECT id, 0, \'x\' FROM range(10)');
  assert.equal(r.status.state, 'SUCCEEDED', JSON.stringify(r.status));
  r = await q('SELECT count(*), max(s) FROM t');
  assert.deepEqual(r.result.data_array, [['10', 'x']]);
});

test('a small cache evicts; --data-cache-size 0 turns it off', async () => {
  const { d, q } = await daemon(['--data-cache-size', '100K']);
  let r = await q('CREATE TABLE t AS SELECT id, id * 2 AS b FROM range(100000)');
  assert.equal(r.status.state, 'SUCCEEDED', JSON.stringify(r.status));
  for (let i = 0; i < 2; i++) {
    r = await q('SELECT sum(id), sum(b) FROM t');
    assert.deepEqual(r.result.data_array, [['4999950000', '9999900000']]);
  }
  const m = await metrics(d);
  assert.ok(m.lakehouse_data_cache_evictions_total > 0 || m.lakehouse_data_cache_inserts_total === 0, JSON.stringify(m));
  assert.ok(m.lakehouse_data_cache_bytes <= 100 * 1024);
  const off = await daemon(['--data-cache-size', '0']);
  r = await off.q('CREATE TABLE t AS SELECT id FROM range(1000)');
  r = await off.q('SELECT sum(id) FROM t');
  assert.deepEqual(r.result.data_array, [['499500']]);
  const m0 = await metrics(off.d);
  assert.equal(m0.lakehouse_data_cache_hits_total, 0);
  assert.equal(m0.lakehouse_data_cache_capacity_bytes, 0);
});

test('--query-memory-limit: a big aggregate under a tiny limit fails cleanly, the daemon stays up', async () => {
  const { d, q } = await daemon(['--query-memory-limit', '1M']);
  assert.equal((await metrics(d)).lakehouse_sql_query_memory_limit_bytes, 1024 * 1024);
  let r = await q('SELECT count(*) FROM (SELECT id, count(*) FROM range(300000) GROUP BY id)');
  if (r.status.state === 'FAILED') {
    // Spark's class for a query over its memory: UNABLE_TO_ACQUIRE_MEMORY (SQLSTATE 53200)
    assert.match(r.status.error.message, /UNABLE_TO_ACQUIRE_MEMORY|RESOURCE_EXHAUSTED/, JSON.stringify(r.status));
  } else {
    assert.deepEqual(r.result.data_array, [['300000']]); // spilled
  }
  r = await q('SELECT count(*) FROM (SELECT id FROM range(20000) ORDER BY id DESC)');
  assert.equal(r.status.state, 'SUCCEEDED', JSON.stringify(r.status)); // the sort spills
  assert.deepEqual(r.result.data_array, [['20000']]);
  r = await q('SELECT 1');
  assert.deepEqual(r.result.data_array, [['1']]);
});

test('bad sizes are refused at start', async () => {
  const { spawnSync } = await import('node:child_process');
  const { BIN } = await import('./harness.mjs');
  const r = spawnSync(BIN, ['--query-memory-limit', '12X', '--no-http'], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /query-memory-limit/);
});
