// sql_plans.test.mjs - EXPLAIN shows the plan that runs, after the optimizer
// (compute/opt): filters pushed through joins, projections and aggregates to the scans,
// comma-join equalities as hash-join keys, filters that must stay (outer join's inner side,
// windows, rand()) above. Answers are checked in tests/sql/optimizer.test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';

let d, wh;
async function run(statement) {
  const r = await d.api('POST', '/api/2.0/sql/statements', { statement, warehouse_id: wh, wait_timeout: '30s' });
  assert.equal(r.json.status.state, 'SUCCEEDED', `${statement}: ${JSON.stringify(r.json.status)}`);
  return r.json.result?.data_array ?? [];
}
const plan = async (sql) => (await run(`EXPLAIN ${sql}`))[0][0];

before(async () => {
  d = await startDaemon({ args: ['--no-access-log'] });
  wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'w', cluster_size: '2X-Small' })).json.id;
  await run('CREATE TABLE a (x INT, y INT)');
  await run('CREATE TABLE b (x INT, z STRING)');
});
after(async () => { await d?.stop(); });

test('a comma join with WHERE equalities is a hash join; one-side filters sit on the scans', async () => {
  assert.equal(await plan("SELECT * FROM a, b WHERE a.x = b.x AND a.y > 1 AND b.z <> 'r'"), [
    '== Physical Plan ==',
    'Project [x, y, x, z]',
    '  +- Join Inner left=[x] right=[x]',
    '    +- Filter [(y > 1)]',
    '      +- Scan main.default.a',
    '    +- Filter [(NOT (z = r))]',
    '      +- Scan main.default.b',
    ''].join('\n'));
});

test('filters pass projections and reach grouping keys; aggregate conditions stay above', async () => {
  const p = await plan('SELECT * FROM (SELECT x, count(*) AS c FROM (SELECT x, y + 1 AS y1 FROM a) GROUP BY x) WHERE x = 2 AND c > 1');
  assert.match(p, /Filter \[\(c > 1\)\]|Filter \[\(count\(1\) > 1\)\]/);
  const lines = p.split('\n');
  const scan = lines.findIndex((l) => l.includes('Scan main.default.a'));
  assert.match(lines[scan - 1], /Filter \[\(x = 2\)\]/, p);
});

test('a LEFT JOIN keeps conditions on its right side above the join; rand() does not move', async () => {
  const p = await plan('SELECT * FROM a LEFT JOIN b ON a.x = b.x WHERE a.y > 1 AND b.z IS NULL');
  const lines = p.split('\n');
  assert.match(lines[1], /Project/);
  assert.match(lines[2], /Filter \[\(z IS NULL\)\]/, p);
  assert.match(lines[3], /Join LeftOuter|Join Left/, p);
  assert.match(lines[4], /Filter \[\(y > 1\)\]/, p);
  const r = await plan('SELECT * FROM a, b WHERE a.x = b.x AND rand() < 2');
  assert.match(r, /Filter \[.*rand.*\][\s\S]*Join Cross/, r);
});

test('the smaller input of a join is hashed (BuildLeft when the left one is)', async () => {
  await run('INSERT INTO a SELECT id, id FROM range(1000)');
  await run("INSERT INTO b SELECT id, 'v' || CAST(id AS STRING) FROM range(5000)");
  const small = await plan('SELECT * FROM (SELECT * FROM a WHERE y = 7) s JOIN b ON s.x = b.x');
  assert.match(small, /Join Inner left=\[x\] right=\[x\] BuildLeft/, small);
  const big = await plan('SELECT * FROM b JOIN a ON a.x = b.x');
  assert.doesNotMatch(big, /BuildLeft/, big);
  const rows = await run('SELECT s.x, b.z FROM (SELECT * FROM a WHERE y = 7) s JOIN b ON s.x = b.x');
  assert.deepEqual(rows, [['7', 'v7']]);
  const left = await run('SELECT count(*), count(b.x) FROM (SELECT * FROM a WHERE y < 10) s LEFT JOIN b ON s.x + 995 = b.x');
  assert.deepEqual(left, [['10', '10']]);
});

// compute/opt/opt_join.c: a tree of inner joins is rebuilt from estimated sizes.
test('join order: a comma join starts from the small inputs and has no Cross join when predicates connect the tables', async () => {
  await run('CREATE TABLE big (id INT, k1 INT, k2 INT)');
  await run('CREATE TABLE small1 (k1 INT, n1 STRING)');
  await run('CREATE TABLE small2 (k2 INT, n2 STRING)');
  await run('INSERT INTO big SELECT id, id % 10, id % 7 FROM range(20000)');
  await run("INSERT INTO small1 SELECT id, concat('s', CAST(id AS STRING)) FROM range(10)");
  await run("INSERT INTO small2 SELECT id, concat('t', CAST(id AS STRING)) FROM range(7)");
  const scans = (p) => p.split('\n').filter((l) => l.includes('Scan ')).map((l) => l.trim().replace(/^\+- Scan main\.default\./, ''));
  for (const from of ['big, small1, small2', 'small1, small2, big', 'small2, big, small1']) {
    const sql = `SELECT * FROM ${from} WHERE big.k1 = small1.k1 AND big.k2 = small2.k2 AND big.id < 100`;
    const p = await plan(sql);
    assert.doesNotMatch(p, /Cross/, p);
    const s = scans(p);
    assert.equal(s.length, 3, p);
    assert.notEqual(s[0], 'big', p); // the first (deepest left) input is a small one
    assert.equal(s[1], 'big', p); // the small inputs connect only through big
    // the output keeps the written column order
    const cols = { big: 'id, k1, k2', small1: 'k1, n1', small2: 'k2, n2' };
    assert.equal(p.split('\n')[1], `Project [${from.split(', ').map((t) => cols[t]).join(', ')}]`, p);
    const rows = await run(`SELECT count(*), sum(big.id), max(n1), max(n2) FROM ${from} WHERE big.k1 = small1.k1 AND big.k2 = small2.k2 AND big.id < 100`);
    assert.deepEqual(rows, [['100', '4950', 's9', 't6']]);
  }
  const star = await run('SELECT * FROM small2, small1, big WHERE big.k1 = small1.k1 AND big.k2 = small2.k2 AND big.id = 15');
  assert.deepEqual(star, [['1', 't1', '5', 's5', '15', '5', '1']]);
});

test('join order: a cross product only where nothing connects, of the small inputs; outer joins stay as written', async () => {
  const p = await plan('SELECT * FROM small1, small2, big WHERE big.k1 = small1.k1');
  assert.equal((p.match(/Join Cross/g) ?? []).length, 1, p);
  // two small inputs crossed first make fewer rows than crossing the big join's result
  assert.match(p, /Join Cross\n\s+\+- Scan main\.default\.small\d\n\s+\+- Scan main\.default\.small\d\n/, p);
  assert.deepEqual(await run('SELECT count(*) FROM small1, small2, big WHERE big.k1 = small1.k1 AND big.id < 50'), [['350']]);
  const o = await plan('SELECT * FROM big LEFT JOIN small1 ON big.k1 = small1.k1, small2 WHERE big.k2 = small2.k2');
  assert.match(o, /Join LeftOuter left=\[k1\] right=\[k1\]/, o);
  const r = await plan('SELECT * FROM big, small1, small2 WHERE big.k1 = small1.k1 AND small1.k1 < small2.k2');
  assert.doesNotMatch(r, /Cross/, r);
  assert.match(r, /condition=\[\(k1 < k2\)\]/, r);
});
