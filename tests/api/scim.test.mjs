// scim.test.mjs - SCIM protocol details on every /scim/v2/ route: DELETE answers 204 with
// no body; errors use SCIM's {schemas, detail, status, scimType} (plus error_code and
// message, which the JS SDK reads); sortBy / sortOrder order Users, Groups and
// ServicePrincipals, with startIndex/count paging stable under them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';

const SCIM = '/api/2.0/preview/scim/v2';
const ERR = 'urn:ietf:params:scim:api:messages:2.0:Error';
let d;
before(async () => { d = await startDaemon(); });
after(async () => { await d.stop(); });

const created = async (path, body) => {
  const r = await d.api('POST', `${SCIM}/${path}`, body);
  assert.equal(r.status, 201, r.text);
  return r.json;
};
function scimError(r, status, scimType, code) {
  assert.equal(r.status, status, r.text);
  assert.deepEqual(r.json.schemas, [ERR]);
  assert.equal(r.json.status, String(status));
  assert.equal(typeof r.json.detail, 'string');
  assert.ok(r.json.detail.length > 0);
  assert.equal(r.json.message, r.json.detail);
  if (code) assert.equal(r.json.error_code, code);
  if (scimType) assert.equal(r.json.scimType, scimType);
  else assert.ok(!('scimType' in r.json), r.text);
}

test('SCIM errors have SCIM\'s shape on every SCIM route; other routes keep {error_code, message}', async () => {
  for (const kind of ['Users', 'Groups', 'ServicePrincipals']) {
    scimError(await d.api('GET', `${SCIM}/${kind}/987654`), 404, null, 'RESOURCE_DOES_NOT_EXIST');
    scimError(await d.api('DELETE', `${SCIM}/${kind}/987654`), 404, null, 'RESOURCE_DOES_NOT_EXIST');
    scimError(await d.api('GET', `${SCIM}/${kind}?filter=${encodeURIComponent('displayName eq')}`), 400, 'invalidFilter', 'INVALID_PARAMETER_VALUE');
    scimError(await d.api('GET', `${SCIM}/${kind}?sortBy=nope`), 400, 'invalidValue', 'INVALID_PARAMETER_VALUE');
    scimError(await d.api('GET', `${SCIM}/${kind}?sortOrder=sideways`), 400, 'invalidValue', 'INVALID_PARAMETER_VALUE');
    scimError(await d.api('GET', `${SCIM}/${kind}`, undefined, { token: 'dapi-not-a-token' }), 401, null, 'UNAUTHENTICATED');
  }
  scimError(await d.api('GET', `${SCIM}/Me`, undefined, { token: 'dapi-not-a-token' }), 401, null);
  const m = await d.api('POST', `${SCIM}/Users/1`, {});
  scimError(m, 405, null, 'METHOD_NOT_ALLOWED');
  assert.equal(m.headers.get('allow'), 'GET, HEAD, PUT, PATCH, DELETE');
  await created('Users', { userName: 'dup@example.com' });
  scimError(await d.api('POST', `${SCIM}/Users`, { userName: 'dup@example.com' }), 409, 'uniqueness', 'RESOURCE_ALREADY_EXISTS');
  scimError(await d.api('POST', `${SCIM}/Users`, {}), 400, 'invalidValue', 'INVALID_PARAMETER_VALUE');
  // a non-admin's write: 403 in SCIM's shape
  const u = await created('Users', { userName: 'plain@example.com' });
  const tok = (await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: u.id })).json.token_value;
  scimError(await d.api('POST', `${SCIM}/Groups`, { displayName: 'g' }, { token: tok }), 403, null, 'PERMISSION_DENIED');
  // not SCIM: unchanged
  const r = await d.api('GET', '/api/2.1/clusters/get?cluster_id=nope');
  assert.equal(r.status, 404);
  assert.deepEqual(Object.keys(r.json).sort(), ['error_code', 'message']);
});

test('SCIM DELETE answers 204 with no body for Users, Groups and ServicePrincipals', async () => {
  const u = await created('Users', { userName: 'gone@example.com' });
  const g = await created('Groups', { displayName: 'gone' });
  const sp = await created('ServicePrincipals', { displayName: 'gone-sp' });
  for (const p of [`Users/${u.id}`, `Groups/${g.id}`, `ServicePrincipals/${sp.id}`]) {
    const r = await d.api('DELETE', `${SCIM}/${p}`);
    assert.equal(r.status, 204, r.text);
    assert.equal(r.text, '');
    assert.equal((await d.api('GET', `${SCIM}/${p}`)).status, 404);
  }
});

async function pages(kind, params, count) {
  const out = [];
  for (let start = 1; ; start += count) {
    const q = new URLSearchParams({ ...params, startIndex: String(start), count: String(count) });
    const r = await d.api('GET', `${SCIM}/${kind}?${q}`);
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.Resources);
    if (r.json.Resources.length < count) return { items: out, total: r.json.totalResults };
  }
}

test('sortBy / sortOrder on Users, Groups and ServicePrincipals, paged with startIndex/count', async () => {
  const tag = 'srt';
  const names = ['mike', 'Alice', 'zed', 'bob', 'carol', 'Bob2', 'dave'];
  for (const n of names) {
    await created('Users', { userName: `${tag}-${n}@example.com`, displayName: `${tag} ${n}` });
    await created('Groups', { displayName: `${tag}-${n}` });
    await created('ServicePrincipals', { displayName: `${tag}-${n}` });
  }
  const ci = (a, b) => a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0;
  const cases = [
    ['Users', 'userName', (x) => x.userName, `userName sw "${tag}-"`],
    ['Users', 'displayName', (x) => x.displayName, `userName sw "${tag}-"`],
    ['Groups', 'displayName', (x) => x.displayName, `displayName sw "${tag}-"`],
    ['ServicePrincipals', 'displayName', (x) => x.displayName, `displayName sw "${tag}-"`],
  ];
  for (const [kind, attr, get, filter] of cases) {
    for (const order of ['ascending', 'descending']) {
      const { items, total } = await pages(kind, { filter, sortBy: attr, sortOrder: order }, 3);
      assert.equal(total, names.length);
      assert.equal(items.length, names.length, `${kind} ${attr} ${order}`);
      const got = items.map(get);
      const want = [...got].sort(ci);
      if (order === 'descending') want.reverse();
      assert.deepEqual(got, want, `${kind} sorted by ${attr} ${order}`);
      assert.equal(new Set(items.map((x) => x.id)).size, names.length);
    }
  }
  // no sortBy: creation order; sortBy alone is ascending; attribute names match case-insensitively
  const plain = await pages('Users', { filter: `userName sw "${tag}-"` }, 100);
  assert.deepEqual(plain.items.map((x) => x.userName), names.map((n) => `${tag}-${n}@example.com`));
  const asc = await pages('Users', { filter: `userName sw "${tag}-"`, sortBy: 'USERNAME' }, 100);
  assert.equal(asc.items[0].userName, `${tag}-Alice@example.com`);
  assert.equal(asc.items.at(-1).userName, `${tag}-zed@example.com`);
});
