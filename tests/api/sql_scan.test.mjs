// sql_scan.test.mjs - the Delta scan's morsels and row-group skipping, through the daemon:
// a 1M-row CTAS table has several row groups that scan as several morsels (on every
// worker), a selective predicate skips row groups by their Parquet statistics (query
// history metrics: pruned_row_groups_count, read_row_groups_count, scan_morsels_count)
// with the right answer, and predicates a NaN or a NULL could satisfy are not misjudged;
// late materialization: columns the filter does not use are decoded (data cache misses)
// only for row groups with rows the filter keeps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';

let d, wh;
const q = async (statement) =>
  (await d.api('POST', '/api/2.0/sql/statements', { statement, warehouse_id: wh, wait_timeout: '50s' })).json;
const ok = async (statement) => {
  const r = await q(statement);
  assert.equal(r.status.state, 'SUCCEEDED', `${statement}: ${JSON.stringify(r.status)}`);
  return r;
};
async function metrics(r) {
  const h = (await d.api('GET', `/api/2.0/sql/history/queries?include_metrics=true&filter_by.statement_ids=${r.statement_id}`)).json;
  return h.res[0].metrics;
}

before(async () => {
  d = await startDaemon({ args: ['--data-cache-size', '256M'] });
  wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'scan', cluster_size: '2X-Small' })).json.id;
  await ok('CREATE TABLE t AS SELECT id, id * 2 AS v, CAST(id AS STRING) AS s FROM range(1000000)');
});
after(async () => { await d.stop(); });

test('a 1M-row CTAS table has several row groups, scanned as several morsels', async () => {
  const r = await ok('SELECT count(*), sum(v) FROM t');
  assert.deepEqual(r.result.data_array, [['1000000', '999999000000']]);
  const m = await metrics(r);
  assert.ok(m.read_row_groups_count >= 8, JSON.stringify(m));
  assert.equal(m.pruned_row_groups_count, 0, JSON.stringify(m));
  assert.ok(m.scan_morsels_count > m.read_files_count, JSON.stringify(m));
  assert.equal(m.rows_read_count, 1000000, JSON.stringify(m));
});

test('a selective range predicate skips row groups, with the right answer', async () => {
  const r = await ok('SELECT count(*), sum(v), min(id), max(s) FROM t WHERE id >= 990000');
  assert.deepEqual(r.result.data_array, [['10000', '19899990000', '990000', '999999']]);
  const m = await metrics(r);
  assert.ok(m.pruned_row_groups_count >= 7, JSON.stringify(m));
  assert.ok(m.rows_read_count < 300000, JSON.stringify(m));
  const between = await ok('SELECT count(*), sum(id) FROM t WHERE id > 250000 AND id <= 250010');
  assert.deepEqual(between.result.data_array, [['10', '2500055']]);
  assert.ok((await metrics(between)).pruned_row_groups_count >= 7);
});

test('IN and = skip row groups; rows keep their order', async () => {
  const r = await ok('SELECT id, v FROM t WHERE id IN (5, 999999, 500000)');
  assert.deepEqual(r.result.data_array, [['5', '10'], ['500000', '1000000'], ['999999', '1999998']]);
  const m = await metrics(r);
  assert.ok(m.pruned_row_groups_count >= 5, JSON.stringify(m));
  const eq = await ok("SELECT count(*) FROM t WHERE v = 777776");
  assert.deepEqual(eq.result.data_array, [['1']]);
  assert.ok((await metrics(eq)).pruned_row_groups_count >= 7);
  const none = await ok('SELECT count(*) FROM t WHERE id < 0');
  assert.deepEqual(none.result.data_array, [['0']]);
  const ordered = await ok('SELECT id FROM t WHERE id % 200000 = 1');
  assert.deepEqual(ordered.result.data_array, [['1'], ['200001'], ['400001'], ['600001'], ['800001']]);
});

test('strings compare as bytes; INSERT adds row groups a scan splits', async () => {
  const r = await ok("SELECT count(*) FROM t WHERE s >= '99999'");
  // '99999' and every 6-digit string from '999990' on
  assert.deepEqual(r.result.data_array, [['11']]);
  await ok('CREATE TABLE t2 (id BIGINT, v BIGINT)');
  await ok('INSERT INTO t2 SELECT id, id FROM range(400000)');
  const c = await ok('SELECT count(*), sum(v) FROM t2 WHERE id >= 399990');
  assert.deepEqual(c.result.data_array, [['10', '3999945']]);
  const m = await metrics(c);
  assert.ok(m.pruned_row_groups_count >= 2, JSON.stringify(m));
});

test('NaN and NULL: predicates they could satisfy are not misjudged', async () => {
  await ok(`CREATE TABLE f AS SELECT id, CASE WHEN id = 150000 THEN CAST('NaN' AS DOUBLE)
            WHEN id % 1000 = 7 THEN NULL ELSE CAST(id AS DOUBLE) END AS x,
            CASE WHEN id < 200000 THEN NULL ELSE id END AS n FROM range(300000)`);
  let r = await ok('SELECT count(*) FROM f WHERE x > 1000000');
  assert.deepEqual(r.result.data_array, [['1']]); // NaN is larger than every number
  r = await ok("SELECT count(*) FROM f WHERE x = CAST('NaN' AS DOUBLE)");
  assert.deepEqual(r.result.data_array, [['1']]);
  r = await ok('SELECT count(*) FROM f WHERE x < 10');
  assert.deepEqual(r.result.data_array, [['9']]);
  r = await ok('SELECT count(*), min(n) FROM f WHERE n >= 0');
  assert.deepEqual(r.result.data_array, [['100000', '200000']]);
  assert.ok((await metrics(r)).pruned_row_groups_count >= 1);
  r = await ok('SELECT count(*) FROM f WHERE n IS NULL');
  assert.deepEqual(r.result.data_array, [['200000']]);
});

async function cacheMisses() {
  const r = await fetch(`http://127.0.0.1:${d.port}/metrics`);
  const m = (await r.text()).match(/^lakehouse_data_cache_misses_total (\d+)$/m);
  return Number(m[1]);
}

test('late materialization: other columns decode only for row groups with kept rows', async () => {
  await ok('CREATE TABLE lm AS SELECT id, CAST(id AS STRING) AS s, array(id, id + 1) AS a FROM range(300000)');
  const m0 = await cacheMisses();
  let r = await ok('SELECT count(*), max(s), max(element_at(a, 2)) FROM lm WHERE id % 1000 = 2000');
  assert.deepEqual(r.result.data_array, [['0', null, null]]);
  const m1 = await cacheMisses();
  assert.equal(m1 - m0, 3); // id's three chunks only
  r = await ok('SELECT count(*), max(s), max(element_at(a, 2)) FROM lm WHERE id % 100000 = 5');
  assert.deepEqual(r.result.data_array, [['3', '5', '200006']]);
  // rows 5 and 100005 in row group 0, 200005 in 1: s decodes twice, never for row group 2
  assert.equal(await cacheMisses() - m1, 2); // (id's chunks hit the cache; a's are not cached)
  r = await ok('SELECT id, s, element_at(a, 2) FROM lm WHERE s = \'123456\' OR id = 7');
  assert.deepEqual(r.result.data_array, [['7', '7', '8'], ['123456', '123456', '123457']]);
  r = await ok('SELECT count(*) FROM lm WHERE s LIKE \'29999%\' AND element_at(a, 1) > 100');
  assert.deepEqual(r.result.data_array, [['11']]);
});
