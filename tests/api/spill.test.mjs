// spill.test.mjs - big queries under a small per-query memory limit (--query-memory-limit
// 8M) through the Statement Execution API: an ORDER BY over 2M rows (an external merge
// sort), a GROUP BY with 1M groups and two count(DISTINCT ...) (Grace hash aggregation),
// answers checked against closed forms; a cancelled spilling query stops; the daemon stays
// healthy and leaves no spill files behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from './harness.mjs';

let d, wh;
const spillDir = mkdtempSync(join(tmpdir(), 'lh-spill-api-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Submit and poll until a terminal state.
async function run(statement, extra = {}) {
  let r = (await d.api('POST', '/api/2.0/sql/statements',
    { statement, warehouse_id: wh, wait_timeout: '30s', on_wait_timeout: 'CONTINUE', ...extra })).json;
  const deadline = Date.now() + 60000;
  while (['PENDING', 'RUNNING'].includes(r.status?.state) && Date.now() < deadline) {
    await sleep(100);
    r = (await d.api('GET', `/api/2.0/sql/statements/${r.statement_id}`)).json;
  }
  return r;
}

before(async () => {
  d = await startDaemon({ args: ['--query-memory-limit', '8M'], env: { TMPDIR: spillDir } });
  wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'xs', cluster_size: 'X-Small' })).json.id;
});
after(async () => { await d.stop(); });

test('ORDER BY over 2M rows spills and comes back in order', async () => {
  const n = 2000000;
  const t0 = Date.now();
  const r = await run(`SELECT id, (id * 7919) % ${n} AS k FROM range(${n}) ORDER BY k DESC`, { row_limit: 1000 });
  assert.equal(r.status.state, 'SUCCEEDED', JSON.stringify(r.status));
  const rows = r.result.data_array;
  assert.equal(rows.length, 1000);
  rows.forEach(([id, k], i) => {
    assert.equal(Number(k), n - 1 - i);
    assert.equal((BigInt(id) * 7919n) % BigInt(n), BigInt(n - 1 - i));
  });
  // the whole sorted stream, below an aggregate: every row once
  const s = await run(`SELECT count(*), sum(id), min(k), max(k) FROM
                       (SELECT id, (id * 7919) % ${n} AS k FROM range(${n}) ORDER BY k)`);
  assert.equal(s.status.state, 'SUCCEEDED', JSON.stringify(s.status));
  assert.deepEqual(s.result.data_array, [[String(n), String((n * (n - 1)) / 2), '0', String(n - 1)]]);
  console.log(`  ORDER BY ${n} rows at 8M: ${(Date.now() - t0) / 1000} s (both queries)`);
});

test('GROUP BY with 1M groups and two count(DISTINCT) spills instead of failing', async () => {
  const t0 = Date.now();
  // id % 1000000 over 3M ids: each group holds k, k+1M, k+2M; 1M = 1 (mod 7) and (mod 3),
  // so each group has 3 distinct residues mod 7 and mod 3
  const r = await run(`SELECT count(*), sum(c7), sum(c3), sum(s), sum(n) FROM (
      SELECT id % 1000000 AS k, count(DISTINCT id % 7) AS c7, count(DISTINCT id % 3) AS c3,
             sum(id) AS s, count(*) AS n
      FROM range(3000000) GROUP BY id % 1000000)`);
  assert.equal(r.status.state, 'SUCCEEDED', JSON.stringify(r.status));
  assert.deepEqual(r.result.data_array, [['1000000', '3000000', '3000000', '4499998500000', '3000000']]);
  // without DISTINCT: 2M groups
  const g = await run(`SELECT count(*), sum(c), sum(mx - mn) FROM (
      SELECT id % 2000000 AS k, count(*) AS c, min(id) AS mn, max(id) AS mx
      FROM range(4000000) GROUP BY id % 2000000)`);
  assert.equal(g.status.state, 'SUCCEEDED', JSON.stringify(g.status));
  assert.deepEqual(g.result.data_array, [['2000000', '4000000', String(2000000 * 2000000)]]);
  console.log(`  GROUP BY 1M groups + 2 DISTINCT and 2M groups at 8M: ${(Date.now() - t0) / 1000} s`);
});

test('one group too big for the limit fails cleanly; a cancelled spill stops', async () => {
  const r = await run('SELECT count(DISTINCT id) FROM range(3000000)');
  assert.equal(r.status.state, 'FAILED');
  assert.match(r.status.error.message, /UNABLE_TO_ACQUIRE_MEMORY/);
  const sub = (await d.api('POST', '/api/2.0/sql/statements', {
    statement: 'SELECT id FROM range(50000000) ORDER BY id DESC', warehouse_id: wh,
    wait_timeout: '0s', on_wait_timeout: 'CONTINUE', row_limit: 10,
  })).json;
  await sleep(1500);
  const t0 = Date.now();
  await d.api('POST', `/api/2.0/sql/statements/${sub.statement_id}/cancel`);
  let s;
  do {
    await sleep(20);
    s = (await d.api('GET', `/api/2.0/sql/statements/${sub.statement_id}`)).json;
  } while (['PENDING', 'RUNNING'].includes(s.status.state) && Date.now() - t0 < 5000);
  assert.equal(s.status.state, 'CANCELED');
  assert.ok(Date.now() - t0 < 1000, `cancel took ${Date.now() - t0} ms`);
});

test('the daemon stays healthy and no spill file is left', async () => {
  assert.equal((await d.api('GET', '/healthz')).status, 200);
  const r = await run('SELECT sum(id) FROM range(1000)');
  assert.deepEqual(r.result.data_array, [['499500']]);
  await sleep(200);
  assert.deepEqual(readdirSync(spillDir), []);
});
