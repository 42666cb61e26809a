// paging.test.mjs - keyset paging (api/page.c) seen through clusters/list: opaque
// URL-safe tokens, walking forward with next_page_token and back with prev_page_token,
// pages that stay put while clusters are created between requests, tokens that survive a
// restart, and garbage tokens refused with 400 "Invalid page_token".
// Run: LH_BIN=build/lakehoused node --test tests/api/paging.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';

const V = '15.4.x-scala2.12';
let d;

before(async () => { d = await startDaemon(); });
after(async () => { await d?.stop(); });

async function ok(method, path, body) {
  const r = await d.api(method, path, body);
  assert.equal(r.status, 200, `${method} ${path}: ${r.text}`);
  return r.json;
}

const create = async (name) =>
  (await ok('POST', '/api/2.1/clusters/create', { spark_version: V, cluster_name: name, num_workers: 0 })).cluster_id;
const list = (q = '') => ok('GET', `/api/2.1/clusters/list${q ? `?${q}` : ''}`);
const ids = (r) => r.clusters.map((c) => c.cluster_id);

async function walkForward(size) {
  const pages = [];
  let token;
  do {
    const r = await list(`page_size=${size}${token ? `&page_token=${token}` : ''}`);
    pages.push(r);
    token = r.next_page_token;
  } while (token && pages.length < 50);
  return pages;
}

test('clusters/list: forward and back with keyset tokens', async () => {
  for (let i = 0; i < 7; i++) await create(`page-${i}`);
  const all = ids(await list());
  assert.equal(all.length, 7);
  const pages = await walkForward(3);
  assert.deepEqual(pages.map((p) => p.clusters.length), [3, 3, 1]);
  assert.deepEqual(pages.flatMap(ids), all);
  assert.equal(pages[0].prev_page_token, undefined, 'no prev on the first page');
  for (const p of pages) {
    for (const t of [p.next_page_token, p.prev_page_token].filter(Boolean)) assert.match(t, /^[A-Za-z0-9_-]+$/);
  }
  // back from the last page: the same pages in reverse
  const back = [];
  let r = pages[2];
  while (r.prev_page_token) {
    r = await list(`page_size=3&page_token=${r.prev_page_token}`);
    back.unshift(...ids(r));
    assert.ok(r.next_page_token, 'a page reached backward links forward again');
  }
  assert.deepEqual(back, all.slice(0, 6));
});

test('clusters/list: a page does not shift when clusters are created meanwhile', async () => {
  const before = ids(await list());
  const first = await list('page_size=2');
  await create('page-newest'); // sorts first: before the position
  const second = await list(`page_size=2&page_token=${first.next_page_token}`);
  assert.deepEqual(ids(second), before.slice(2, 4), 'no repeat, no skip');
});

test('clusters/list: garbage page tokens are 400 Invalid page_token', async () => {
  const good = (await list('page_size=1')).next_page_token;
  for (const bad of ['abc', '5', '%21%21', 'eyJvZmZzZXQiOjV9', good.slice(0, -2), good + 'AA', 'A'.repeat(5000)]) {
    const r = await d.api('GET', `/api/2.1/clusters/list?page_size=1&page_token=${bad}`);
    assert.equal(r.status, 400, bad);
    assert.equal(r.json.error_code, 'INVALID_PARAMETER_VALUE');
    assert.equal(r.json.message, 'Invalid page_token');
  }
});

test('clusters/list: tokens hold no server state (valid after a restart)', async () => {
  const first = await list('page_size=2');
  const want = ids(await list(`page_size=2&page_token=${first.next_page_token}`));
  await d.stop({ keep: true });
  await d.restart();
  const again = await list(`page_size=2&page_token=${first.next_page_token}`);
  assert.deepEqual(ids(again), want);
});
