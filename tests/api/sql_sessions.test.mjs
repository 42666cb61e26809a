// sql_sessions.test.mjs - SQL sessions for the Statement Execution API (a Lakehouse
// extension, api/sql/sessions.h): temporary views, SET and USE carry from one statement to
// the next; a session is private to its user; deleted sessions are gone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';

let d, wh;
before(async () => {
  d = await startDaemon({ args: ['--no-access-log'] });
  wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 's', cluster_size: 'X-Small' })).json.id;
});
after(async () => d?.stop());

const run = async (statement, extra = {}, as = d.api.bind(d)) => {
  const r = await as('POST', '/api/2.0/sql/statements', { statement, warehouse_id: wh, wait_timeout: '30s', ...extra });
  return r;
};
const rows = (r) => {
  assert.equal(r.json.status?.state, 'SUCCEEDED', r.text);
  return r.json.result?.data_array ?? [];
};

test('a session keeps temporary views, SET and USE between statements', async () => {
  const s = await d.api('POST', '/api/2.0/sql/sessions', { warehouse_id: wh,
    session_confs: { 'spark.sql.session.timeZone': 'America/Los_Angeles' } });
  assert.equal(s.status, 200, s.text);
  const sid = s.json.session_id;
  assert.equal(s.json.catalog, 'main');
  assert.equal(s.json.schema, 'default');
  rows(await run('CREATE TEMPORARY VIEW v AS SELECT 41 + 1 AS x', { session_id: sid }));
  assert.deepEqual(rows(await run('SELECT x FROM v', { session_id: sid })), [['42']]);
  assert.deepEqual(rows(await run('SELECT current_timezone()', { session_id: sid })), [['America/Los_Angeles']]);
  rows(await run("SET spark.sql.session.timeZone = 'UTC'", { session_id: sid }));
  assert.deepEqual(rows(await run('SELECT current_timezone()', { session_id: sid })), [['UTC']]);
  // without the session, neither the view nor the setting exists
  assert.equal((await run('SELECT x FROM v')).json.status.state, 'FAILED');
  // USE, and catalog/schema given with a session act as a USE
  rows(await run('CREATE SCHEMA IF NOT EXISTS main.s2', { session_id: sid }));
  rows(await run('USE SCHEMA s2', { session_id: sid }));
  assert.deepEqual(rows(await run('SELECT current_schema()', { session_id: sid })), [['s2']]);
  assert.equal((await d.api('GET', `/api/2.0/sql/sessions/${sid}`)).json.schema, 's2');
  assert.deepEqual(rows(await run('SELECT current_schema()', { session_id: sid, schema: 'default' })), [['default']]);
  assert.deepEqual(rows(await run('SELECT current_schema()', { session_id: sid })), [['default']]);
  // closed: gone
  assert.equal((await d.api('DELETE', `/api/2.0/sql/sessions/${sid}`)).status, 200);
  assert.equal((await d.api('GET', `/api/2.0/sql/sessions/${sid}`)).status, 404);
  const gone = await run('SELECT 1', { session_id: sid });
  assert.equal(gone.status, 404, gone.text);
  assert.equal(gone.json.error_code, 'RESOURCE_DOES_NOT_EXIST');
});

test('sessions are private to their user; bad settings are refused', async () => {
  const bad = await d.api('POST', '/api/2.0/sql/sessions', { session_confs: { 'spark.sql.session.timeZone': '' } });
  assert.equal(bad.status, 400, bad.text);
  const notString = await d.api('POST', '/api/2.0/sql/sessions', { session_confs: { a: 1 } });
  assert.equal(notString.status, 400, notString.text);
  const sid = (await d.api('POST', '/api/2.0/sql/sessions', {})).json.session_id;
  const u = (await d.api('POST', '/api/2.0/preview/scim/v2/Users', { userName: `s${process.pid}@example.com` })).json;
  const t = (await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: u.id })).json;
  const as = (m, p, b) => d.api(m, p, b, { token: t.token_value });
  assert.equal((await as('GET', `/api/2.0/sql/sessions/${sid}`)).status, 403);
  assert.equal((await as('DELETE', `/api/2.0/sql/sessions/${sid}`)).status, 403);
  assert.equal((await d.api('GET', `/api/2.0/sql/sessions/${sid}`)).status, 200);
});

test('statements of one session run one at a time and all see its state', async () => {
  const sid = (await d.api('POST', '/api/2.0/sql/sessions', {})).json.session_id;
  rows(await run('CREATE TEMPORARY VIEW n AS SELECT * FROM VALUES (1), (2), (3) AS t(id)', { session_id: sid }));
  const all = await Promise.all(Array.from({ length: 8 }, (_, i) =>
    run(`SELECT count(*) + ${i} FROM n`, { session_id: sid })));
  all.forEach((r, i) => assert.deepEqual(rows(r), [[String(3 + i)]]));
});

test("another user's statements are refused (403), the owner and admins see them", async () => {
  const st = (await run('SELECT 1')).json.statement_id;
  const u = (await d.api('POST', '/api/2.0/preview/scim/v2/Users', { userName: `o${process.pid}@example.com` })).json;
  const t = (await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: u.id })).json;
  const as = (m, p, b) => d.api(m, p, b, { token: t.token_value });
  for (const path of [`/api/2.0/sql/statements/${st}`, `/api/2.0/sql/statements/${st}/result/chunks/0`]) {
    const r = await as('GET', path);
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error_code, 'PERMISSION_DENIED');
  }
  assert.equal((await as('POST', `/api/2.0/sql/statements/${st}/cancel`)).status, 403);
  assert.equal((await d.api('GET', `/api/2.0/sql/statements/${st}`)).status, 200);
});
