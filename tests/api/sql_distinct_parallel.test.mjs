// sql_distinct_parallel.test.mjs - GROUP BY with DISTINCT aggregates over enough rows that
// the hash aggregate partitions the groups and aggregates the partitions on the warehouse's
// workers (compute/exec/hash_agg.c, run_distinct_parallel): the answers must equal a plain
// computation of the same thing, with NULL keys, NULL arguments, FILTER and strings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';

let d, wh;
before(async () => {
  d = await startDaemon({ args: ['--no-access-log'] });
  wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'w', cluster_size: 'Small' })).json.id;
});
after(async () => { await d?.stop(); });

async function rows(statement) {
  const r = await d.api('POST', '/api/2.0/sql/statements', { statement, warehouse_id: wh, wait_timeout: '50s' });
  assert.equal(r.json.status.state, 'SUCCEEDED', JSON.stringify(r.json.status));
  return r.json.result.data_array ?? [];
}

const N = 200000;
test('count/sum DISTINCT by key over 200k rows, partitioned in parallel', async () => {
  const got = await rows(`SELECT k, count(DISTINCT v), sum(DISTINCT v), count(DISTINCT s),
      count(DISTINCT v) FILTER (WHERE v % 2 = 0), count(*)
    FROM (SELECT CASE WHEN id % 11 = 0 THEN NULL ELSE id % 13 END AS k,
                 CASE WHEN id % 17 = 0 THEN NULL ELSE id % 1000 END AS v,
                 'p' || CAST(id % 37 AS STRING) AS s
          FROM range(${N}))
    GROUP BY k ORDER BY k NULLS FIRST`);
  const want = new Map();
  for (let id = 0; id < N; id++) {
    const k = id % 11 === 0 ? null : id % 13;
    const v = id % 17 === 0 ? null : id % 1000;
    if (!want.has(k)) want.set(k, { v: new Set(), s: new Set(), ve: new Set(), n: 0 });
    const g = want.get(k);
    if (v !== null) g.v.add(v);
    if (v !== null && v % 2 === 0) g.ve.add(v);
    g.s.add(`p${id % 37}`);
    g.n++;
  }
  const keys = [...want.keys()].sort((a, b) => (a === null ? -1 : b === null ? 1 : a - b));
  const exp = keys.map((k) => {
    const g = want.get(k);
    return [k === null ? null : String(k), String(g.v.size), String([...g.v].reduce((a, b) => a + b, 0)),
      String(g.s.size), String(g.ve.size), String(g.n)];
  });
  assert.deepEqual(got, exp);
});

test('DISTINCT with two grouping keys, one group per row mostly', async () => {
  const got = await rows(`SELECT count(*), sum(c), sum(t) FROM (
      SELECT a, b, count(DISTINCT x) AS c, count(DISTINCT y) AS t
      FROM (SELECT id % 5000 AS a, id % 7 AS b, id % 3 AS x, CAST(id % 2 AS STRING) AS y FROM range(${N}))
      GROUP BY a, b)`);
  // 35,000 (a, b) groups (5000 and 7 coprime); each has ~5.7 rows: x and y distinct counts
  let groups = new Map();
  for (let id = 0; id < N; id++) {
    const key = `${id % 5000},${id % 7}`;
    if (!groups.has(key)) groups.set(key, [new Set(), new Set()]);
    groups.get(key)[0].add(id % 3);
    groups.get(key)[1].add(id % 2);
  }
  let c = 0, t = 0;
  for (const [xs, ys] of groups.values()) { c += xs.size; t += ys.size; }
  assert.deepEqual(got, [[String(groups.size), String(c), String(t)]]);
});
