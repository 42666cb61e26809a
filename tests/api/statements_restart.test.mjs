// statements_restart.test.mjs - statements are durable: query history survives a crash,
// a statement in flight answers FAILED after the restart, an INLINE result is CLOSED (it
// lived in memory), an EXTERNAL_LINKS result stays downloadable with its old link; and
// results expire (LAKEHOUSE_TEST_RESULT_TTL_MS): CLOSED, files deleted, links 403.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from './harness.mjs';

const values = (n) => [...Array(n).keys()].map((i) => `(${i})`).join(', ');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function setup(d) {
  const wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'sql', cluster_size: '2X-Small' })).json.id;
  const q = async (statement, extra = {}) =>
    (await d.api('POST', '/api/2.0/sql/statements', { statement, warehouse_id: wh, wait_timeout: '50s', ...extra })).json;
  const r = await q(`CREATE TABLE main.default.big AS SELECT a.col1 * 100 + b.col1 AS x
                     FROM VALUES ${values(100)} AS a CROSS JOIN VALUES ${values(100)} AS b`);
  assert.equal(r.status.state, 'SUCCEEDED', JSON.stringify(r));
  return { wh, q };
}

test('a crash: in-flight statements FAIL, history and EXTERNAL_LINKS results survive', async () => {
  const d = await startDaemon();
  try {
    const { q } = await setup(d);
    const inline = await q('SELECT 42 AS answer');
    assert.equal(inline.status.state, 'SUCCEEDED');
    const failed = await q('SELECT * FROM no_such_table');
    assert.equal(failed.status.state, 'FAILED');
    const linked = await q('SELECT x FROM big ORDER BY x', { disposition: 'EXTERNAL_LINKS', format: 'CSV' });
    assert.equal(linked.status.state, 'SUCCEEDED');
    const link = linked.result.external_links[0].external_link;
    const before = await (await fetch(link)).text();
    // about a minute of work: still RUNNING when the process dies
    const slow = await q(`SELECT count(*) FROM big a CROSS JOIN big b CROSS JOIN VALUES ${values(20)} AS c WHERE a.x + b.x = c.col1`,
      { wait_timeout: '0s', query_tags: [{ key: 'team', value: 'eng' }] });
    await d.waitFor(async () => (await d.api('GET', `/api/2.0/sql/statements/${slow.statement_id}`)).json.status.state === 'RUNNING');
    await d.kill9();
    await d.restart();

    let g = await d.api('GET', `/api/2.0/sql/statements/${slow.statement_id}`);
    assert.equal(g.status, 200);
    assert.equal(g.json.status.state, 'FAILED');
    assert.match(g.json.status.error.message, /interrupted by a restart/);
    assert.equal(g.json.manifest, undefined);
    g = await d.api('GET', `/api/2.0/sql/statements/${inline.statement_id}`);
    assert.deepEqual(g.json.status, { state: 'CLOSED' });
    g = await d.api('GET', `/api/2.0/sql/statements/${failed.statement_id}`);
    assert.equal(g.json.status.state, 'FAILED');
    assert.match(g.json.status.error.message, /TABLE_OR_VIEW_NOT_FOUND/);
    assert.equal(g.json.status.sql_state, '42P01');
    g = await d.api('GET', `/api/2.0/sql/statements/${inline.statement_id}/result/chunks/0`);
    assert.equal(g.status, 400);

    // EXTERNAL_LINKS: still SUCCEEDED, the old link and a new one serve the same bytes
    g = await d.api('GET', `/api/2.0/sql/statements/${linked.statement_id}`);
    assert.equal(g.json.status.state, 'SUCCEEDED');
    assert.equal(g.json.manifest.total_row_count, 10000);
    assert.deepEqual(g.json.manifest.schema, linked.manifest.schema);
    const moved = link.replace(/^http:\/\/[^/]+/, d.url); // the restart took a new port
    assert.equal(await (await fetch(moved)).text(), before);
    assert.equal(await (await fetch(g.json.result.external_links[0].external_link)).text(), before);

    // history, from meta.db
    const h = await d.api('GET', '/api/2.0/sql/history/queries?max_results=100&include_metrics=true');
    assert.equal(h.status, 200);
    const by = Object.fromEntries(h.json.res.map((x) => [x.query_id, x]));
    assert.equal(by[slow.statement_id].status, 'FAILED');
    assert.equal(by[slow.statement_id].is_final, true);
    assert.equal(by[inline.statement_id].status, 'FINISHED');
    assert.equal(by[inline.statement_id].rows_produced, 1);
    assert.equal(by[inline.statement_id].query_text, 'SELECT 42 AS answer');
    assert.equal(by[linked.statement_id].rows_produced, 10000);
    assert.equal(by[failed.statement_id].status, 'FAILED');
    assert.equal(typeof by[inline.statement_id].metrics.execution_time_ms, 'number');
    const only = await d.api('GET', `/api/2.0/sql/history/queries?filter_by.statuses=FAILED&max_results=1`);
    assert.equal(only.json.res.length, 1);
    assert.equal(only.json.has_next_page, true);
    const page2 = await d.api('GET', `/api/2.0/sql/history/queries?filter_by.statuses=FAILED&max_results=1&page_token=${encodeURIComponent(only.json.next_page_token)}`);
    assert.equal(page2.json.res.length, 1);
    assert.notEqual(page2.json.res[0].query_id, only.json.res[0].query_id);
  } finally {
    await d.stop();
  }
});

test('results expire: CLOSED, chunk files deleted, links refused, history kept', async () => {
  const d = await startDaemon({ env: { LAKEHOUSE_TEST_RESULT_TTL_MS: '1500' } });
  try {
    const { q } = await setup(d);
    const r = await q('SELECT x FROM big', { disposition: 'EXTERNAL_LINKS', format: 'ARROW_STREAM' });
    assert.equal(r.status.state, 'SUCCEEDED');
    const l = r.result.external_links[0];
    assert.ok(Date.parse(l.expiration) <= Date.now() + 1600, l.expiration); // not past the results
    const dir = join(d.dataDir, 'statement-results', r.statement_id);
    assert.deepEqual(readdirSync(dir), ['0.arrow']);
    assert.equal((await fetch(l.external_link)).status, 200);
    const inline = await q('SELECT 1');
    await d.waitFor(async () => (await d.api('GET', `/api/2.0/sql/statements/${r.statement_id}`)).json.status.state === 'CLOSED', 15000, 50);
    await d.waitFor(() => !existsSync(dir), 5000, 50);
    const g = await d.api('GET', `/api/2.0/sql/statements/${r.statement_id}`);
    assert.deepEqual(g.json, { statement_id: r.statement_id, status: { state: 'CLOSED' } });
    assert.equal((await fetch(l.external_link)).status, 403);
    assert.equal((await d.api('GET', `/api/2.0/sql/statements/${inline.statement_id}`)).json.status.state, 'CLOSED');
    const c = await d.api('GET', `/api/2.0/sql/statements/${r.statement_id}/result/chunks/0`);
    assert.equal(c.status, 400);
    const h = await d.api('GET', '/api/2.0/sql/history/queries');
    assert.ok(h.json.res.some((x) => x.query_id === r.statement_id && x.status === 'FINISHED'));
    // and a restart keeps it CLOSED
    await d.stop({ keep: true });
    await d.restart();
    assert.equal((await d.api('GET', `/api/2.0/sql/statements/${r.statement_id}`)).json.status.state, 'CLOSED');
  } finally {
    await d.stop();
  }
});
