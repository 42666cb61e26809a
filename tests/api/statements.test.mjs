// statements.test.mjs - the Statement Execution API over the SQL engine, through HTTP and
// the JS SDK: results and their manifest, DDL/DML, errors with Spark's classes and
// SQLSTATE, asynchronous statements, chunks, cancel, on_wait_timeout, parameters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sdk from '@databricks/sdk-experimental';
import { startDaemon } from './harness.mjs';

let d, wh;
const q = async (statement, extra = {}) =>
  (await d.api('POST', '/api/2.0/sql/statements', { statement, warehouse_id: wh, ...extra })).json;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  d = await startDaemon();
  wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'sql', cluster_size: '2X-Small' })).json.id;
  // 10,000 rows, for queries slow enough to cancel
  const digits = [...Array(100).keys()].map((i) => `(${i})`).join(', ');
  const r = await q(`CREATE TABLE main.default.big AS SELECT a.col1 * 100 + b.col1 AS x
                     FROM VALUES ${digits} AS a CROSS JOIN VALUES ${digits} AS b`, { wait_timeout: '50s' });
  assert.equal(r.status.state, 'SUCCEEDED', JSON.stringify(r));
});
after(async () => { await d.stop(); });

test('a query answers with its manifest and data_array of strings', async () => {
  const r = await q("SELECT 1 AS a, 'x' AS b, CAST(2.50 AS DECIMAL(5,2)) AS c, 1.0E10 AS d, NULL AS n, DATE '2024-02-29' AS e");
  assert.equal(r.status.state, 'SUCCEEDED');
  assert.match(r.statement_id, /^[0-9a-f-]{36}$/);
  const cols = r.manifest.schema.columns;
  assert.deepEqual(cols.map((c) => c.name), ['a', 'b', 'c', 'd', 'n', 'e']);
  assert.deepEqual(cols.map((c) => c.type_name), ['INT', 'STRING', 'DECIMAL', 'DOUBLE', 'NULL', 'DATE']);
  assert.equal(cols[2].type_text, 'DECIMAL(5,2)');
  assert.equal(cols[2].type_precision, 5);
  assert.equal(r.manifest.total_row_count, 1);
  assert.deepEqual(r.result.data_array, [['1', 'x', '2.50', '1.0E10', null, '2024-02-29']]);
});

test('a BINARY that is not UTF-8 shows as Spark shows it: each ill-formed part U+FFFD', async () => {
  const r = await q("SELECT x'2379ACFe' AS a, to_binary('abc', 'hex') AS b, x'616263' AS c");
  assert.equal(r.status.state, 'SUCCEEDED', JSON.stringify(r));
  assert.deepEqual(r.result.data_array, [['#y\ufffd\ufffd', '\n\ufffd', 'abc']]);
});

test('empty strings come back as "", not U+FFFD', async () => {
  const sql = "SELECT '' AS e, substr('abc', 10) AS s, split_part('a/b', '/', 3) AS p";
  const r = await q(sql);
  assert.deepEqual(r.result.data_array, [['', '', '']]);
});

test('DDL and DML: CREATE, INSERT, aggregates, joins over Delta tables', async () => {
  for (const s of ['CREATE SCHEMA IF NOT EXISTS shop',
    'CREATE TABLE shop.users (id BIGINT, name STRING)',
    "INSERT INTO shop.users VALUES (1, 'ana'), (2, 'bo')",
    'CREATE TABLE shop.orders AS SELECT * FROM VALUES (1, 10.0D), (1, 5.0D), (2, 1.0D) AS t(user_id, amount)']) {
    const r = await q(s);
    assert.equal(r.status.state, 'SUCCEEDED', `${s}: ${JSON.stringify(r.status)}`);
  }
  const r = await q('SELECT u.name, sum(o.amount) AS total, count(*) AS n FROM users u JOIN orders o ON u.id = o.user_id GROUP BY u.name ORDER BY total DESC',
    { catalog: 'main', schema: 'shop' });
  assert.equal(r.status.state, 'SUCCEEDED', JSON.stringify(r.status));
  assert.deepEqual(r.result.data_array, [['ana', '15.0', '2'], ['bo', '1.0', '1']]);
});

test('errors: FAILED with the Spark error class, message and SQLSTATE', async () => {
  let r = await q('SELECT * FROM no_such_table');
  assert.equal(r.status.state, 'FAILED');
  assert.equal(r.status.error.error_code, 'BAD_REQUEST');
  assert.match(r.status.error.message, /^\[TABLE_OR_VIEW_NOT_FOUND\] /);
  assert.equal(r.status.sql_state, '42P01');
  r = await q('SELECT * FORM t');
  assert.match(r.status.error.message, /\[PARSE_SYNTAX_ERROR\] Syntax error at or near 'FORM'.*SQLSTATE: 42601/);
  r = await q('SELECT 1 / 0');
  assert.match(r.status.error.message, /DIVIDE_BY_ZERO/);
  // malformed requests are 4xx, not FAILED statements
  let h = await d.api('POST', '/api/2.0/sql/statements', { statement: 'SELECT 1', warehouse_id: wh, wait_timeout: '3s' });
  assert.equal(h.status, 400);
  h = await d.api('POST', '/api/2.0/sql/statements', { statement: 'SELECT 1', warehouse_id: wh, format: 'CSV' });
  assert.equal(h.status, 400); // INLINE is JSON_ARRAY only (statements_links.test.mjs)
  h = await d.api('POST', '/api/2.0/sql/statements', { statement: 'SELECT 1' });
  assert.equal(h.status, 400);
  h = await d.api('GET', '/api/2.0/sql/statements/00000000-0000-0000-0000-000000000000');
  assert.equal(h.status, 404);
});

test('asynchronous: wait_timeout=0s answers PENDING, GET and chunks give the result', async () => {
  const r = await q('SELECT x FROM big WHERE x < 3 ORDER BY x', { wait_timeout: '0s' });
  assert.ok(['PENDING', 'RUNNING', 'SUCCEEDED'].includes(r.status.state));
  let g;
  for (let i = 0; i < 200; i++) {
    g = (await d.api('GET', `/api/2.0/sql/statements/${r.statement_id}`)).json;
    if (g.status.state === 'SUCCEEDED') break;
    await sleep(20);
  }
  assert.equal(g.status.state, 'SUCCEEDED');
  assert.deepEqual(g.result.data_array, [['0'], ['1'], ['2']]);
  const c = await d.api('GET', `/api/2.0/sql/statements/${r.statement_id}/result/chunks/0`);
  assert.equal(c.status, 200);
  assert.deepEqual(c.json.data_array, [['0'], ['1'], ['2']]);
  assert.equal((await d.api('GET', `/api/2.0/sql/statements/${r.statement_id}/result/chunks/1`)).status, 400);
});

test('row_limit truncates; named parameters bind', async () => {
  let r = await q('SELECT x FROM big ORDER BY x', { row_limit: 5 });
  assert.equal(r.manifest.total_row_count, 5);
  assert.equal(r.manifest.truncated, true);
  r = await q('SELECT :who AS who, :n + 1 AS n', { parameters: [{ name: 'who', value: 'ana' }, { name: 'n', value: '41' }] });
  assert.deepEqual(r.result.data_array[0][0], 'ana');
  assert.equal(Number(r.result.data_array[0][1]), 42);
});

const SLOW = 'SELECT count(*) FROM big a JOIN big b ON a.x <> b.x JOIN big c ON b.x <> c.x';

test('cancel stops a running statement; on_wait_timeout=CANCEL cancels at the deadline', async () => {
  const r = await q(SLOW, { wait_timeout: '0s' });
  await sleep(300);
  assert.equal((await d.api('POST', `/api/2.0/sql/statements/${r.statement_id}/cancel`)).status, 200);
  const g = (await d.api('GET', `/api/2.0/sql/statements/${r.statement_id}`)).json;
  assert.equal(g.status.state, 'CANCELED');
  const t0 = Date.now();
  const c = await q(SLOW, { wait_timeout: '5s', on_wait_timeout: 'CANCEL' });
  assert.equal(c.status.state, 'CANCELED');
  assert.ok(Date.now() - t0 < 8000);
  const k = await q(SLOW, { wait_timeout: '5s' }); // CONTINUE: still running after 5 s
  assert.ok(['PENDING', 'RUNNING'].includes(k.status.state), JSON.stringify(k.status));
  await d.api('POST', `/api/2.0/sql/statements/${k.statement_id}/cancel`);
});

test('the JS SDK: statementExecution.executeStatement', async () => {
  const w = new sdk.WorkspaceClient({ host: d.url, token: d.token, authType: 'pat' });
  const r = await w.statementExecution.executeStatement({
    statement: 'SELECT count(*) AS n, max(x) AS m FROM main.default.big', warehouse_id: wh, wait_timeout: '30s',
  });
  assert.equal(r.status.state, 'SUCCEEDED');
  assert.deepEqual(r.result.data_array, [['10000', '9999']]);
  const again = await w.statementExecution.getStatement({ statement_id: r.statement_id });
  assert.equal(again.manifest.total_row_count, 1);
});

test('query history lists statements with filters, paging and metrics; users see their own', async () => {
  const ids = [];
  for (const s of ['SELECT 1', 'SELECT 2', 'SELECT nope_col']) ids.push((await q(s)).statement_id);
  let h = (await d.api('GET', `/api/2.0/sql/history/queries?max_results=2&include_metrics=true`)).json;
  assert.equal(h.res.length, 2);
  assert.equal(h.has_next_page, true);
  assert.equal(h.res[0].query_id, ids[2]); // newest first
  assert.equal(h.res[0].status, 'FAILED');
  assert.match(h.res[0].error_message, /UNRESOLVED_COLUMN/);
  assert.equal(h.res[1].status, 'FINISHED');
  assert.equal(h.res[1].statement_type, 'SELECT');
  assert.equal(typeof h.res[1].metrics.execution_time_ms, 'number');
  const next = (await d.api('GET', `/api/2.0/sql/history/queries?max_results=2&page_token=${encodeURIComponent(h.next_page_token)}`)).json;
  assert.equal(next.res[0].query_id, ids[0]);
  h = (await d.api('GET', '/api/2.0/sql/history/queries?filter_by.statuses=FAILED')).json;
  assert.ok(h.res.length >= 1 && h.res.every((r) => r.status === 'FAILED'));
  h = (await d.api('GET', `/api/2.0/sql/history/queries?filter_by.statement_ids=${ids[1]}`)).json;
  assert.deepEqual(h.res.map((r) => r.query_id), [ids[1]]);
  assert.equal((await d.api('GET', '/api/2.0/sql/history/queries?page_token=garbage')).status, 400);
});

test('the optimizer: a partition filter skips files, and unread columns are not read', async () => {
  for (const s of ['CREATE TABLE part_t (id BIGINT, country STRING, payload STRING) PARTITIONED BY (country)',
    "INSERT INTO part_t VALUES (1, 'pt', 'a'), (2, 'se', 'b'), (3, 'pt', 'c'), (4, 'de', 'd')"]) {
    assert.equal((await q(s)).status.state, 'SUCCEEDED', s);
  }
  const r = await q("SELECT count(*) FROM part_t WHERE country = 'pt'");
  assert.deepEqual(r.result.data_array, [['2']]);
  const h = (await d.api('GET', `/api/2.0/sql/history/queries?include_metrics=true&filter_by.statement_ids=${r.statement_id}`)).json;
  assert.equal(h.res[0].metrics.pruned_files_count, 2, JSON.stringify(h.res[0].metrics));
  const all = await q('SELECT id FROM part_t ORDER BY id');
  assert.deepEqual(all.result.data_array, [['1'], ['2'], ['3'], ['4']]);
  const e = await q("EXPLAIN SELECT id FROM part_t WHERE country = 'pt'");
  assert.match(e.result.data_array[0][0], /Scan main\.default\.part_t/);
});
