// identity.test.mjs - api/identity over HTTP: tokens, token-management, SCIM Users,
// Groups and Me; auth (401), admin rules (403), validation (400), unknown ids (404),
// filters and SDK-style paging.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';

const SCIM = '/api/2.0/preview/scim/v2';
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let d;
before(async () => { d = await startDaemon(); });
after(async () => { await d.stop(); });

const isError = (r, status, code) => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error_code, code, r.text);
  assert.equal(typeof r.json?.message, 'string');
};
const ok = (r, status = 200) => {
  assert.equal(r.status, status, r.text);
  return r.json;
};
// SCIM DELETE: 204 with no body (Users, Groups and ServicePrincipals alike).
const noContent = (r) => {
  assert.equal(r.status, 204, r.text);
  assert.equal(r.text, '');
};
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
let seq = 0;
const uniq = (p) => `${p}-${process.pid}-${++seq}`;

async function createUser(body) {
  return ok(await d.api('POST', `${SCIM}/Users`, body), 201);
}
// A user plus a token of theirs (minted by the admin through on-behalf-of).
async function userWithToken(userName) {
  const u = await createUser({ userName });
  const t = ok(await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens',
    { application_id: u.id, comment: 'test' }));
  return { user: u, token: t.token_value };
}
const patch = (ops) => ({ schemas: [PATCH_SCHEMA], Operations: ops });

test('401 for missing, invalid and malformed credentials', async () => {
  isError(await d.api('GET', `${SCIM}/Me`, undefined, { token: null }), 401, 'UNAUTHENTICATED');
  const bad = await d.api('GET', '/api/2.0/token/list', undefined, { token: 'dapi00000000000000000000000000000000' });
  isError(bad, 401, 'UNAUTHENTICATED');
  assert.equal(bad.json.message, 'Invalid access token.');
  isError(await d.api('GET', `${SCIM}/Users`, undefined, { token: 'x'.repeat(1000) }), 401, 'UNAUTHENTICATED');
});

test('Me is the bootstrap admin, in admins, with the org id header', async () => {
  const me = ok(await d.api('GET', `${SCIM}/Me`));
  assert.equal(me.userName, 'admin');
  assert.ok(me.schemas.includes('urn:ietf:params:scim:schemas:core:2.0:User'));
  assert.ok(me.groups.some((g) => g.display === 'admins'));
  assert.equal(me.active, true);
  const r = await d.api('GET', `${SCIM}/Me`);
  assert.match(r.headers.get('x-databricks-org-id') ?? '', /^\d+$/);
});

test('token create, list, use, delete', async () => {
  const c = ok(await d.api('POST', '/api/2.0/token/create', { comment: 'ci', lifetime_seconds: 3600 }));
  assert.match(c.token_value, /^dapi[0-9a-f]{32}$/);
  const info = c.token_info;
  assert.equal(info.comment, 'ci');
  assert.ok(info.creation_time > 0);
  assert.equal(info.expiry_time, info.creation_time + 3600 * 1000);
  const forever = ok(await d.api('POST', '/api/2.0/token/create', {}));
  assert.equal(forever.token_info.expiry_time, -1);

  const list = ok(await d.api('GET', '/api/2.0/token/list'));
  const ids = list.token_infos.map((t) => t.token_id);
  assert.ok(ids.includes(info.token_id));
  assert.ok(list.token_infos.every((t) => !('token_value' in t)));

  ok(await d.api('GET', `${SCIM}/Me`, undefined, { token: c.token_value }));
  ok(await d.api('POST', '/api/2.0/token/delete', { token_id: info.token_id }));
  isError(await d.api('GET', `${SCIM}/Me`, undefined, { token: c.token_value }), 401, 'UNAUTHENTICATED');
  isError(await d.api('POST', '/api/2.0/token/delete', { token_id: info.token_id }), 404, 'RESOURCE_DOES_NOT_EXIST');
  const after = ok(await d.api('GET', '/api/2.0/token/list'));
  assert.ok(!after.token_infos.some((t) => t.token_id === info.token_id));
});

test('token lifetime_seconds is honoured (expired -> 401)', async () => {
  const c = ok(await d.api('POST', '/api/2.0/token/create', { lifetime_seconds: 1 }));
  ok(await d.api('GET', `${SCIM}/Me`, undefined, { token: c.token_value }));
  await sleep(1200);
  const r = await d.api('GET', `${SCIM}/Me`, undefined, { token: c.token_value });
  isError(r, 401, 'UNAUTHENTICATED');
  assert.equal(r.json.message, 'Token expired');
});

test('token create/delete validation', async () => {
  isError(await d.api('POST', '/api/2.0/token/create', { lifetime_seconds: 'soon' }), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('POST', '/api/2.0/token/create', { lifetime_seconds: 10 ** 12 }), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('POST', '/api/2.0/token/create', { comment: 5 }), 400, 'INVALID_PARAMETER_VALUE');
  ok(await d.api('POST', '/api/2.0/token/create', { lifetime_seconds: '60' })); // numbers as strings
  isError(await d.api('POST', '/api/2.0/token/delete', {}), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('POST', '/api/2.0/token/delete', '{"token_id": '), 400, 'MALFORMED_REQUEST');
});

test('token-management: list, filter, get, delete; admins only', async () => {
  const { user, token } = await userWithToken(uniq('tm') + '@example.com');
  const all = ok(await d.api('GET', '/api/2.0/token-management/tokens'));
  const theirs = all.token_infos.filter((t) => t.created_by_username === user.userName);
  assert.equal(theirs.length, 1);
  assert.equal(String(theirs[0].owner_id), user.id);
  const filtered = ok(await d.api('GET', `/api/2.0/token-management/tokens?created_by_username=${encodeURIComponent(user.userName)}`));
  assert.deepEqual(filtered.token_infos.map((t) => t.token_id), [theirs[0].token_id]);
  const one = ok(await d.api('GET', `/api/2.0/token-management/tokens/${theirs[0].token_id}`));
  assert.equal(one.token_info.token_id, theirs[0].token_id);

  // the user sees their own token but cannot manage others'
  const own = ok(await d.api('GET', '/api/2.0/token/list', undefined, { token }));
  assert.deepEqual(own.token_infos.map((t) => t.token_id), [theirs[0].token_id]);
  isError(await d.api('GET', '/api/2.0/token-management/tokens', undefined, { token }), 403, 'PERMISSION_DENIED');
  const adminTokens = ok(await d.api('GET', '/api/2.0/token/list'));
  isError(await d.api('POST', '/api/2.0/token/delete', { token_id: adminTokens.token_infos[0].token_id }, { token }),
    404, 'RESOURCE_DOES_NOT_EXIST');

  ok(await d.api('DELETE', `/api/2.0/token-management/tokens/${theirs[0].token_id}`));
  isError(await d.api('GET', `${SCIM}/Me`, undefined, { token }), 401, 'UNAUTHENTICATED');
  isError(await d.api('GET', `/api/2.0/token-management/tokens/${theirs[0].token_id}`), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('DELETE', '/api/2.0/token-management/tokens/nope'), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: '999' }), 404, 'RESOURCE_DOES_NOT_EXIST');
});

test('SCIM Users CRUD', async () => {
  const name = uniq('alice') + '@example.com';
  const u = await createUser({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: name, displayName: 'Alice', name: { givenName: 'Al', familyName: 'Ice' },
    emails: [{ value: name, type: 'work', primary: true }],
    entitlements: [{ value: 'allow-cluster-create' }], externalId: 'ext-a',
  });
  assert.match(u.id, /^\d+$/);
  assert.equal(u.userName, name);
  assert.equal(u.displayName, 'Alice');
  assert.deepEqual(u.name, { givenName: 'Al', familyName: 'Ice' });
  assert.equal(u.emails[0].value, name);
  assert.deepEqual(u.entitlements, [{ value: 'allow-cluster-create' }]);
  assert.equal(u.externalId, 'ext-a');
  assert.equal(u.active, true);

  isError(await d.api('POST', `${SCIM}/Users`, { userName: name.toUpperCase() }), 409, 'RESOURCE_ALREADY_EXISTS');
  const got = ok(await d.api('GET', `${SCIM}/Users/${u.id}`));
  assert.deepEqual(got, u);
  const slim = ok(await d.api('GET', `${SCIM}/Users/${u.id}?attributes=userName`));
  assert.deepEqual(Object.keys(slim).sort(), ['id', 'schemas', 'userName']);

  const put = ok(await d.api('PUT', `${SCIM}/Users/${u.id}`, { userName: name, displayName: 'Alice P' }));
  assert.equal(put.displayName, 'Alice P');
  assert.equal(put.externalId, undefined);
  assert.deepEqual(put.entitlements, []);

  const p = ok(await d.api('PATCH', `${SCIM}/Users/${u.id}`, patch([
    { op: 'replace', path: 'displayName', value: 'Alice Q' },
    { op: 'add', path: 'entitlements', value: [{ value: 'databricks-sql-access' }, { value: 'workspace-access' }] },
    { op: 'remove', path: 'entitlements', value: [{ value: 'workspace-access' }] },
    { op: 'replace', value: { externalId: 'ext-b' } },
    { op: 'add', path: 'emails', value: [{ value: 'one@x.org' }] },
    { op: 'add', path: 'emails', value: [{ value: 'two@x.org', primary: true }] },
  ])));
  assert.deepEqual(p.emails.map((e) => e.value), ['one@x.org', 'two@x.org']);
  assert.equal(p.displayName, 'Alice Q');
  assert.deepEqual(p.entitlements, [{ value: 'databricks-sql-access' }]);
  assert.equal(p.externalId, 'ext-b');

  noContent(await d.api('DELETE', `${SCIM}/Users/${u.id}`));
  isError(await d.api('GET', `${SCIM}/Users/${u.id}`), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('DELETE', `${SCIM}/Users/${u.id}`), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('PUT', `${SCIM}/Users/${u.id}`, { userName: name }), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('PATCH', `${SCIM}/Users/${u.id}`, patch([{ op: 'replace', path: 'active', value: false }])), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('GET', `${SCIM}/Users/not-a-number`), 404, 'RESOURCE_DOES_NOT_EXIST');
});

test('SCIM Users validation -> 400', async () => {
  isError(await d.api('POST', `${SCIM}/Users`, {}), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('POST', `${SCIM}/Users`, { userName: 5 }), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('POST', `${SCIM}/Users`, { userName: 'x@y', active: 'maybe' }), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('POST', `${SCIM}/Users`, { userName: 'x@y', emails: 'x@y' }), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('POST', `${SCIM}/Users`, { userName: 'x@y', entitlements: [{ value: 'root' }] }), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('POST', `${SCIM}/Users`, { userName: 'x@y', groups: [{ value: '12345' }] }), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('POST', `${SCIM}/Users`, '{"userName":'), 400, 'MALFORMED_REQUEST');
  const u = await createUser({ userName: uniq('val') + '@example.com' });
  isError(await d.api('PATCH', `${SCIM}/Users/${u.id}`, {}), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('PATCH', `${SCIM}/Users/${u.id}`, patch([{ op: 'frobnicate', path: 'active', value: true }])), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('PATCH', `${SCIM}/Users/${u.id}`, patch([{ op: 'replace', path: 'password', value: 'x' }])), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('PATCH', `${SCIM}/Users/${u.id}`, patch([{ op: 'remove', path: 'userName' }])), 400, 'INVALID_PARAMETER_VALUE');
  // a failed PATCH changes nothing (one transaction)
  isError(await d.api('PATCH', `${SCIM}/Users/${u.id}`, patch([
    { op: 'replace', path: 'displayName', value: 'Changed' },
    { op: 'replace', path: 'active', value: 'nope' },
  ])), 400, 'INVALID_PARAMETER_VALUE');
  assert.equal(ok(await d.api('GET', `${SCIM}/Users/${u.id}`)).displayName, undefined);
});

test('SCIM filters and SDK-style paging', async () => {
  const prefix = uniq('page');
  const made = [];
  for (let i = 0; i < 5; i++) made.push(await createUser({ userName: `${prefix}-${i}@example.com`, displayName: `P ${i}`, active: i !== 3 }));
  const q = (s) => `${SCIM}/Users?${s}`;
  const f = encodeURIComponent(`userName sw "${prefix}"`);

  const all = ok(await d.api('GET', q(`filter=${f}`)));
  assert.deepEqual(all.schemas, [LIST_SCHEMA]);
  assert.equal(all.totalResults, 5);
  assert.equal(all.itemsPerPage, 5);
  assert.deepEqual(all.Resources.map((u) => u.id), made.map((u) => u.id));

  // the SDK's loop: start at 1, advance by len(Resources), stop on empty
  const seen = [];
  for (let start = 1; ; ) {
    const page = ok(await d.api('GET', q(`filter=${f}&startIndex=${start}&count=2`)));
    assert.equal(page.totalResults, 5);
    assert.equal(page.startIndex, start);
    if (!page.Resources || page.Resources.length === 0) break;
    assert.ok(page.Resources.length <= 2);
    seen.push(...page.Resources.map((u) => u.id));
    start += page.Resources.length;
    assert.ok(start < 20, 'paging must end');
  }
  assert.deepEqual(seen, made.map((u) => u.id));
  const past = ok(await d.api('GET', q(`filter=${f}&startIndex=100&count=10`)));
  assert.deepEqual(past.Resources, []);
  assert.equal(past.itemsPerPage, 0);

  const and = ok(await d.api('GET', q(`filter=${encodeURIComponent(`userName sw "${prefix}" and active eq false`)}`)));
  assert.deepEqual(and.Resources.map((u) => u.id), [made[3].id]);
  const or = ok(await d.api('GET', q(`filter=${encodeURIComponent(`(userName eq "${prefix}-0@example.com" or displayName eq "P 4") and id pr`)}`)));
  assert.deepEqual(or.Resources.map((u) => u.id), [made[0].id, made[4].id]);
  const byId = ok(await d.api('GET', q(`filter=${encodeURIComponent(`id eq "${made[2].id}"`)}&attributes=userName,id`)));
  assert.deepEqual(byId.Resources, [{ schemas: made[2].schemas, id: made[2].id, userName: made[2].userName }]);
  const co = ok(await d.api('GET', q(`filter=${encodeURIComponent(`userName co "${prefix}-1" or userName ew "${prefix}-2@example.com"`)}`)));
  assert.equal(co.totalResults, 2);

  for (const bad of ['userName eq', 'password eq "x"', 'userName eq "x" and', '((userName pr)', 'a'.repeat(5000)]) {
    isError(await d.api('GET', q(`filter=${encodeURIComponent(bad)}`)), 400, 'INVALID_PARAMETER_VALUE');
  }
  isError(await d.api('GET', q('count=lots')), 400, 'INVALID_PARAMETER_VALUE');

  const groups = ok(await d.api('GET', `${SCIM}/Groups?filter=${encodeURIComponent('displayName eq "admins"')}`));
  assert.equal(groups.totalResults, 1);
  assert.equal(groups.Resources[0].displayName, 'admins');
});

test('SCIM Groups CRUD and PATCH membership', async () => {
  const a = await createUser({ userName: uniq('ga') + '@example.com' });
  const b = await createUser({ userName: uniq('gb') + '@example.com' });
  const c = await createUser({ userName: uniq('gc') + '@example.com' });
  const name = uniq('team');
  const g = ok(await d.api('POST', `${SCIM}/Groups`, {
    displayName: name, members: [{ value: a.id }], entitlements: [{ value: 'workspace-access' }],
  }), 201);
  assert.equal(g.displayName, name);
  assert.deepEqual(g.members.map((m) => m.value), [a.id]);
  assert.equal(g.members[0].$ref, `Users/${a.id}`);
  assert.deepEqual(g.entitlements, [{ value: 'workspace-access' }]);
  isError(await d.api('POST', `${SCIM}/Groups`, { displayName: name }), 409, 'RESOURCE_ALREADY_EXISTS');

  const ids = (grp) => grp.members.map((m) => m.value).sort();
  let p = ok(await d.api('PATCH', `${SCIM}/Groups/${g.id}`, patch([{ op: 'add', path: 'members', value: [{ value: b.id }, { value: c.id }] }])));
  assert.deepEqual(ids(p), [a.id, b.id, c.id].sort());
  p = ok(await d.api('PATCH', `${SCIM}/Groups/${g.id}`, patch([{ op: 'remove', path: 'members', value: [{ value: a.id }] }])));
  assert.deepEqual(ids(p), [b.id, c.id].sort());
  p = ok(await d.api('PATCH', `${SCIM}/Groups/${g.id}`, patch([{ op: 'remove', path: `members[value eq "${b.id}"]` }])));
  assert.deepEqual(ids(p), [c.id]);
  p = ok(await d.api('PATCH', `${SCIM}/Groups/${g.id}`, patch([{ op: 'replace', path: 'members', value: [{ value: a.id }] }])));
  assert.deepEqual(ids(p), [a.id]);
  isError(await d.api('PATCH', `${SCIM}/Groups/${g.id}`, patch([{ op: 'add', path: 'members', value: [{ value: '1234567' }] }])), 404, 'RESOURCE_DOES_NOT_EXIST');

  // user view shows the group
  const ua = ok(await d.api('GET', `${SCIM}/Users/${a.id}`));
  assert.ok(ua.groups.some((x) => x.value === g.id && x.display === name));

  // nested group member
  const outer = ok(await d.api('POST', `${SCIM}/Groups`, { displayName: uniq('outer'), members: [{ value: g.id }] }), 201);
  assert.equal(outer.members[0].$ref, `Groups/${g.id}`);

  const renamed = ok(await d.api('PUT', `${SCIM}/Groups/${g.id}`, { displayName: name + '-x' }));
  assert.equal(renamed.displayName, name + '-x');
  assert.deepEqual(ids(renamed), [a.id]); // PUT without members keeps them
  assert.ok(ok(await d.api('GET', `${SCIM}/Groups/${g.id}`)).groups.some((x) => x.value === outer.id));

  noContent(await d.api('DELETE', `${SCIM}/Groups/${g.id}`));
  isError(await d.api('GET', `${SCIM}/Groups/${g.id}`), 404, 'RESOURCE_DOES_NOT_EXIST');
  assert.deepEqual(ok(await d.api('GET', `${SCIM}/Groups/${outer.id}`)).members, []);
  isError(await d.api('DELETE', `${SCIM}/Groups/${g.id}`), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('POST', `${SCIM}/Groups`, {}), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('POST', `${SCIM}/Groups`, { displayName: ['x'] }), 400, 'INVALID_PARAMETER_VALUE');
});

test('admins group: membership grants admin; last admin and the group are protected', async () => {
  const { user, token } = await userWithToken(uniq('promote') + '@example.com');
  isError(await d.api('POST', `${SCIM}/Users`, { userName: uniq('x') }, { token }), 403, 'PERMISSION_DENIED');
  const admins = ok(await d.api('GET', `${SCIM}/Groups?filter=${encodeURIComponent('displayName eq "admins"')}`)).Resources[0];
  ok(await d.api('PATCH', `${SCIM}/Groups/${admins.id}`, patch([{ op: 'add', path: 'members', value: [{ value: user.id }] }])));
  const made = ok(await d.api('POST', `${SCIM}/Users`, { userName: uniq('by-new-admin') + '@example.com' }, { token }), 201);
  ok(await d.api('PATCH', `${SCIM}/Groups/${admins.id}`, patch([{ op: 'remove', path: `members[value eq "${user.id}"]` }])));
  isError(await d.api('DELETE', `${SCIM}/Users/${made.id}`, undefined, { token }), 403, 'PERMISSION_DENIED');

  isError(await d.api('DELETE', `${SCIM}/Groups/${admins.id}`), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('PUT', `${SCIM}/Groups/${admins.id}`, { displayName: 'not-admins' }), 400, 'INVALID_PARAMETER_VALUE');
  const me = ok(await d.api('GET', `${SCIM}/Me`));
  isError(await d.api('DELETE', `${SCIM}/Users/${me.id}`), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('PATCH', `${SCIM}/Groups/${admins.id}`, patch([{ op: 'replace', path: 'members', value: [] }])), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('PATCH', `${SCIM}/Users/${me.id}`, patch([{ op: 'replace', path: 'active', value: false }])), 400, 'INVALID_PARAMETER_VALUE');
  ok(await d.api('GET', `${SCIM}/Me`)); // still admin, still working
});

test('non-admins: read Me, users, groups, own tokens; no writes', async () => {
  const { user, token } = await userWithToken(uniq('plain') + '@example.com');
  const me = ok(await d.api('GET', `${SCIM}/Me`, undefined, { token }));
  assert.equal(me.id, user.id);
  ok(await d.api('GET', `${SCIM}/Users`, undefined, { token }));
  ok(await d.api('GET', `${SCIM}/Users/${user.id}`, undefined, { token }));
  ok(await d.api('GET', `${SCIM}/Groups`, undefined, { token }));
  const t = ok(await d.api('POST', '/api/2.0/token/create', { comment: 'mine' }, { token }));
  ok(await d.api('GET', `${SCIM}/Me`, undefined, { token: t.token_value }));
  const writes = [
    ['POST', `${SCIM}/Users`, { userName: 'z@z' }],
    ['PUT', `${SCIM}/Users/${user.id}`, { userName: user.userName }],
    ['PATCH', `${SCIM}/Users/${user.id}`, patch([{ op: 'replace', path: 'displayName', value: 'x' }])],
    ['DELETE', `${SCIM}/Users/${user.id}`],
    ['POST', `${SCIM}/Groups`, { displayName: 'g' }],
    ['DELETE', `/api/2.0/token-management/tokens/${t.token_info.token_id}`],
    ['POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: user.id }],
  ];
  for (const [m, p, b] of writes) isError(await d.api(m, p, b, { token }), 403, 'PERMISSION_DENIED');

  // deactivating or deleting the user revokes their tokens at once
  ok(await d.api('PATCH', `${SCIM}/Users/${user.id}`, patch([{ op: 'replace', path: 'active', value: false }])));
  isError(await d.api('GET', `${SCIM}/Me`, undefined, { token }), 401, 'UNAUTHENTICATED');
  ok(await d.api('PATCH', `${SCIM}/Users/${user.id}`, patch([{ op: 'replace', path: 'active', value: true }])));
  ok(await d.api('GET', `${SCIM}/Me`, undefined, { token }));
  noContent(await d.api('DELETE', `${SCIM}/Users/${user.id}`));
  isError(await d.api('GET', `${SCIM}/Me`, undefined, { token: t.token_value }), 401, 'UNAUTHENTICATED');
});

test('bootstrap token file is used when no env token is set', async () => {
  const d2 = await startDaemon({ noEnvToken: true });
  try {
    const tok = d2.adminTokenFile();
    assert.match(tok, /^dapi[0-9a-f]{32}$/);
    const me = ok(await d2.api('GET', `${SCIM}/Me`, undefined, { token: tok }));
    assert.equal(me.userName, 'admin');
    await d2.stop({ keep: true });
    await d2.restart();
    assert.equal(d2.adminTokenFile(), tok);
    ok(await d2.api('GET', `${SCIM}/Me`, undefined, { token: tok }));
  } finally {
    await d2.stop();
  }
});
