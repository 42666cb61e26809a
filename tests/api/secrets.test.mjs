// secrets.test.mjs - api/secrets over HTTP: scopes, secrets and ACLs as Databricks serves
// them; READ/WRITE/MANAGE enforced for a second user (direct, through groups, nested
// groups and `users`), revocation taking effect at once; error codes and limits at N and
// N+1; encryption at rest (meta.db and its WAL never hold the value, the key file is
// 0600); restart; and a wrong or malformed LAKEHOUSE_SECRETS_KEY.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from './harness.mjs';

const S = '/api/2.0/secrets';
const SCIM = '/api/2.0/preview/scim/v2';

let d;
before(async () => { d = await startDaemon(); });
after(async () => {
  const exit = await d.stop();
  assert.equal(exit?.code, 0, `clean exit (no sanitizer report): ${d.stderr.slice(-2000)}`);
});

const isError = (r, status, code, re) => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error_code, code, r.text);
  assert.equal(typeof r.json?.message, 'string');
  if (re) assert.match(r.json.message, re);
};
const ok = (r, status = 200) => {
  assert.equal(r.status, status, r.text);
  return r.json;
};
let seq = 0;
const uniq = (p) => `${p}-${process.pid}-${++seq}`;
const b64 = (s) => Buffer.from(s).toString('base64');

const q = (o) => '?' + new URLSearchParams(o).toString();
const api = (dd) => ({
  createScope: (body, o) => dd.api('POST', `${S}/scopes/create`, body, o),
  deleteScope: (scope, o) => dd.api('POST', `${S}/scopes/delete`, { scope }, o),
  listScopes: (o) => dd.api('GET', `${S}/scopes/list`, undefined, o),
  put: (body, o) => dd.api('POST', `${S}/put`, body, o),
  del: (scope, key, o) => dd.api('POST', `${S}/delete`, { scope, key }, o),
  list: (scope, o) => dd.api('GET', `${S}/list${q({ scope })}`, undefined, o),
  get: (scope, key, o) => dd.api('GET', `${S}/get${q({ scope, key })}`, undefined, o),
  aclPut: (scope, principal, permission, o) => dd.api('POST', `${S}/acls/put`, { scope, principal, permission }, o),
  aclDelete: (scope, principal, o) => dd.api('POST', `${S}/acls/delete`, { scope, principal }, o),
  aclGet: (scope, principal, o) => dd.api('GET', `${S}/acls/get${q({ scope, principal })}`, undefined, o),
  aclList: (scope, o) => dd.api('GET', `${S}/acls/list${q({ scope })}`, undefined, o),
});

// A non-admin user and a token of theirs (minted by the admin through on-behalf-of).
async function userWithToken(dd, userName) {
  const u = ok(await dd.api('POST', `${SCIM}/Users`, { userName }), 201);
  const t = ok(await dd.api('POST', '/api/2.0/token-management/on-behalf-of/tokens',
    { application_id: u.id, comment: 'secrets test' }));
  return { user: u, token: t.token_value, as: { token: t.token_value } };
}

test('round trip: scope, string and bytes values, list without values, get as base64', async () => {
  const a = api(d);
  const scope = uniq('s.with_all-chars@x');
  ok(await a.createScope({ scope }));
  assert.ok(ok(await a.listScopes()).scopes.some((s) => s.name === scope && s.backend_type === 'DATABRICKS'));
  const raw = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x80, 0x7f, 10, 13, 0]);
  ok(await a.put({ scope, key: 'str', string_value: 'pässwörd ✓ "quoted"' }));
  ok(await a.put({ scope, key: 'bin', bytes_value: raw.toString('base64') }));
  ok(await a.put({ scope, key: 'empty', string_value: '' }));
  const listed = ok(await a.list(scope)).secrets;
  assert.deepEqual(listed.map((s) => s.key), ['bin', 'empty', 'str']);
  for (const s of listed) {
    assert.deepEqual(Object.keys(s).sort(), ['key', 'last_updated_timestamp']);
    assert.ok(Math.abs(s.last_updated_timestamp - Date.now()) < 60000);
  }
  const got = ok(await a.get(scope, 'str'));
  assert.equal(got.key, 'str');
  assert.equal(Buffer.from(got.value, 'base64').toString('utf8'), 'pässwörd ✓ "quoted"');
  assert.equal(ok(await a.get(scope, 'bin')).value, raw.toString('base64'));
  assert.equal(ok(await a.get(scope, 'empty')).value, '');
  // overwrite: new value, newer timestamp
  const before1 = listed.find((s) => s.key === 'str').last_updated_timestamp;
  await new Promise((r) => setTimeout(r, 5));
  ok(await a.put({ scope, key: 'str', bytes_value: b64('second') }));
  assert.equal(ok(await a.get(scope, 'str')).value, b64('second'));
  assert.ok(ok(await a.list(scope)).secrets.find((s) => s.key === 'str').last_updated_timestamp > before1);
  // GET with a JSON body (Airflow style) works too
  assert.equal(ok(await d.raw('GET', `${S}/get`, { scope, key: 'bin' })).value, raw.toString('base64'));
  // delete a key, then the scope
  ok(await a.del(scope, 'str'));
  isError(await a.get(scope, 'str'), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await a.del(scope, 'str'), 404, 'RESOURCE_DOES_NOT_EXIST');
  ok(await a.deleteScope(scope));
  assert.ok(!ok(await a.listScopes()).scopes.some((s) => s.name === scope));
  isError(await a.get(scope, 'bin'), 404, 'RESOURCE_DOES_NOT_EXIST', /Scope .* does not exist/);
  // the name is free again, and the new scope starts empty
  ok(await a.createScope({ scope }));
  assert.deepEqual(ok(await a.list(scope)).secrets, []);
  ok(await a.deleteScope(scope));
});

test('the creator holds MANAGE; the acls API shapes', async () => {
  const a = api(d);
  const scope = uniq('acl');
  ok(await a.createScope({ scope }));
  assert.deepEqual(ok(await a.aclList(scope)).items, [{ principal: 'admin', permission: 'MANAGE' }]);
  assert.deepEqual(ok(await a.aclGet(scope, 'admin')), { principal: 'admin', permission: 'MANAGE' });
  ok(await a.aclPut(scope, 'users', 'READ'));
  ok(await a.aclPut(scope, 'users', 'WRITE')); // overwrites
  assert.deepEqual(ok(await a.aclGet(scope, 'users')), { principal: 'users', permission: 'WRITE' });
  assert.equal(ok(await a.aclList(scope)).items.length, 2);
  ok(await a.aclDelete(scope, 'users'));
  isError(await a.aclGet(scope, 'users'), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await a.aclDelete(scope, 'users'), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await a.aclPut(scope, 'no-such-principal', 'READ'), 400, 'INVALID_PARAMETER_VALUE', /no-such-principal/);
  isError(await a.aclPut(scope, 'users', 'OWNER'), 400, 'INVALID_PARAMETER_VALUE', /READ, WRITE, MANAGE/);
  isError(await a.aclPut(scope, 'users', 'read'), 400, 'INVALID_PARAMETER_VALUE');
  isError(await a.aclPut(scope, '', 'READ'), 400, 'INVALID_PARAMETER_VALUE');
  isError(await a.aclList('no-such-scope'), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await a.aclPut('no-such-scope', 'users', 'READ'), 404, 'RESOURCE_DOES_NOT_EXIST');
  ok(await a.deleteScope(scope));
});

test('a second user: denied until granted, each level, revocation at once', async () => {
  const a = api(d);
  const bob = await userWithToken(d, uniq('bob') + '@example.com');
  const scope = uniq('team');
  ok(await a.createScope({ scope }));
  ok(await a.put({ scope, key: 'pw', string_value: 'hunter2' }));
  // scope names are visible to everyone; nothing else is
  assert.ok(ok(await a.listScopes(bob.as)).scopes.some((s) => s.name === scope));
  isError(await a.get(scope, 'pw', bob.as), 403, 'PERMISSION_DENIED', /READ permission on secret scope/);
  isError(await a.get(scope, 'missing', bob.as), 403, 'PERMISSION_DENIED'); // no key probing
  isError(await a.list(scope, bob.as), 403, 'PERMISSION_DENIED', /READ/);
  isError(await a.put({ scope, key: 'x', string_value: 'v' }, bob.as), 403, 'PERMISSION_DENIED', /WRITE/);
  isError(await a.aclList(scope, bob.as), 403, 'PERMISSION_DENIED', /MANAGE/);
  isError(await a.deleteScope(scope, bob.as), 403, 'PERMISSION_DENIED', /MANAGE/);
  // READ: get and list, not put
  ok(await a.aclPut(scope, bob.user.userName, 'READ'));
  assert.equal(ok(await a.get(scope, 'pw', bob.as)).value, b64('hunter2'));
  assert.deepEqual(ok(await a.list(scope, bob.as)).secrets.map((s) => s.key), ['pw']);
  isError(await a.put({ scope, key: 'x', string_value: 'v' }, bob.as), 403, 'PERMISSION_DENIED', /WRITE .*\(it has READ\)/);
  isError(await a.del(scope, 'pw', bob.as), 403, 'PERMISSION_DENIED');
  // WRITE: put and delete, not ACLs
  ok(await a.aclPut(scope, bob.user.userName, 'WRITE'));
  ok(await a.put({ scope, key: 'x', string_value: 'v' }, bob.as));
  ok(await a.del(scope, 'x', bob.as));
  isError(await a.aclGet(scope, bob.user.userName, bob.as), 403, 'PERMISSION_DENIED', /MANAGE/);
  isError(await a.aclPut(scope, bob.user.userName, 'MANAGE', bob.as), 403, 'PERMISSION_DENIED');
  // MANAGE: ACLs
  ok(await a.aclPut(scope, bob.user.userName, 'MANAGE'));
  assert.equal(ok(await a.aclList(scope, bob.as)).items.length, 2);
  // revoke: the very next call is denied
  ok(await a.aclDelete(scope, bob.user.userName));
  isError(await a.get(scope, 'pw', bob.as), 403, 'PERMISSION_DENIED');
  // a user's own scope: MANAGE for them, and admins keep MANAGE on it
  const own = uniq('bobs');
  ok(await a.createScope({ scope: own }, bob.as));
  assert.deepEqual(ok(await a.aclList(own, bob.as)).items, [{ principal: bob.user.userName, permission: 'MANAGE' }]);
  ok(await a.put({ scope: own, key: 'k', string_value: 'v' }, bob.as));
  assert.equal(ok(await a.get(own, 'k')).value, b64('v'));
  ok(await a.deleteScope(own, bob.as));
  ok(await a.deleteScope(scope));
});

test('groups: direct, nested, `users`, and initial_manage_principal', async () => {
  const a = api(d);
  const carol = await userWithToken(d, uniq('carol'));
  const dave = await userWithToken(d, uniq('dave'));
  const inner = ok(await d.api('POST', `${SCIM}/Groups`, { displayName: uniq('inner'), members: [{ value: carol.user.id }] }), 201);
  const outer = ok(await d.api('POST', `${SCIM}/Groups`, { displayName: uniq('outer'), members: [{ value: inner.id }] }), 201);
  const scope = uniq('grp');
  ok(await a.createScope({ scope }));
  ok(await a.put({ scope, key: 'k', string_value: 'v' }));
  ok(await a.aclPut(scope, outer.displayName, 'READ')); // carol is in it through inner
  assert.equal(ok(await a.get(scope, 'k', carol.as)).value, b64('v'));
  isError(await a.get(scope, 'k', dave.as), 403, 'PERMISSION_DENIED');
  // membership changes apply at once
  const gone = await d.api('DELETE', `${SCIM}/Groups/${inner.id}`);
  assert.ok([200, 204].includes(gone.status), gone.text); // 204 once SCIM DELETE follows the RFC
  isError(await a.get(scope, 'k', carol.as), 403, 'PERMISSION_DENIED');
  ok(await a.aclPut(scope, 'users', 'READ'));
  assert.equal(ok(await a.get(scope, 'k', dave.as)).value, b64('v'));
  isError(await a.put({ scope, key: 'k', string_value: 'w' }, dave.as), 403, 'PERMISSION_DENIED');
  ok(await a.deleteScope(scope));
  // initial_manage_principal "users": every user manages the scope
  const shared = uniq('shared');
  ok(await a.createScope({ scope: shared, initial_manage_principal: 'users' }, carol.as));
  assert.deepEqual(ok(await a.aclList(shared, dave.as)).items, [{ principal: 'users', permission: 'MANAGE' }]);
  ok(await a.put({ scope: shared, key: 'k', string_value: 'v' }, dave.as));
  ok(await a.deleteScope(shared, dave.as));
  isError(await a.createScope({ scope: uniq('x'), initial_manage_principal: 'nobody-here' }), 400, 'INVALID_PARAMETER_VALUE');
  await d.api('DELETE', `${SCIM}/Groups/${outer.id}`);
});

test('errors: names, values, backends, missing things', async () => {
  const a = api(d);
  const scope = uniq('err');
  ok(await a.createScope({ scope }));
  isError(await a.createScope({ scope }), 409, 'RESOURCE_ALREADY_EXISTS', /already exists/);
  isError(await a.createScope({}), 400, 'INVALID_PARAMETER_VALUE', /scope/);
  for (const bad of ['', 'has space', 'sl/ash', 'x'.repeat(129), 'ü', 'semi;colon']) {
    isError(await a.createScope({ scope: bad }), 400, 'INVALID_PARAMETER_VALUE');
  }
  const long = 'L'.repeat(128);
  ok(await a.createScope({ scope: long }));
  ok(await a.deleteScope(long));
  isError(await a.createScope({ scope: uniq('az'), scope_backend_type: 'AZURE_KEYVAULT',
    backend_azure_keyvault: { resource_id: 'r', dns_name: 'https://x.vault.azure.net/' } }), 400, 'INVALID_PARAMETER_VALUE', /Azure Key Vault/);
  isError(await a.createScope({ scope: uniq('az'), scope_backend_type: 'S3' }), 400, 'INVALID_PARAMETER_VALUE');
  // keys: no '@', at most 128 characters
  for (const key of ['', 'a@b', 'a b', 'k'.repeat(129)]) {
    isError(await a.put({ scope, key, string_value: 'v' }), 400, 'INVALID_PARAMETER_VALUE');
  }
  ok(await a.put({ scope, key: 'k'.repeat(128), string_value: 'v' }));
  isError(await a.put({ scope, key: 'k' }), 400, 'INVALID_PARAMETER_VALUE', /Exactly one/);
  isError(await a.put({ scope, key: 'k', string_value: 'a', bytes_value: 'YQ==' }), 400, 'INVALID_PARAMETER_VALUE', /Exactly one/);
  isError(await a.put({ scope, key: 'k', bytes_value: 'not base64!' }), 400, 'INVALID_PARAMETER_VALUE', /base64/);
  isError(await a.put({ scope, key: 'k', string_value: 42 }), 400, 'INVALID_PARAMETER_VALUE');
  // the value limit, 128 KB, at N and N+1 (string and bytes)
  const N = 128 * 1024;
  ok(await a.put({ scope, key: 'big', string_value: 'v'.repeat(N) }));
  assert.equal(Buffer.from(ok(await a.get(scope, 'big')).value, 'base64').length, N);
  isError(await a.put({ scope, key: 'big', string_value: 'v'.repeat(N + 1) }), 400, 'INVALID_PARAMETER_VALUE', /131072/);
  isError(await a.put({ scope, key: 'big', bytes_value: Buffer.alloc(N + 1, 7).toString('base64') }), 400, 'INVALID_PARAMETER_VALUE');
  ok(await a.put({ scope, key: 'big', bytes_value: Buffer.alloc(N, 7).toString('base64') }));
  // missing things
  isError(await a.put({ scope: uniq('nope'), key: 'k', string_value: 'v' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await a.list(uniq('nope')), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await a.get(scope, 'nope'), 404, 'RESOURCE_DOES_NOT_EXIST', /nope/);
  isError(await a.deleteScope(uniq('nope')), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('GET', `${S}/get?scope=${scope}`), 400, 'INVALID_PARAMETER_VALUE', /key/);
  isError(await a.get(scope, 'big', { token: null }), 401, 'UNAUTHENTICATED');
  ok(await a.deleteScope(scope));
});

test('limits: secrets per scope at 1000 and 1001, scopes per workspace', async () => {
  const a = api(d);
  const scope = uniq('many');
  ok(await a.createScope({ scope }));
  for (let i = 0; i < 1000; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => a.put({ scope, key: `k${i + j}`, string_value: 'v' }).then(ok)));
  }
  isError(await a.put({ scope, key: 'one-more', string_value: 'v' }), 400, 'RESOURCE_LIMIT_EXCEEDED', /1000/);
  ok(await a.put({ scope, key: 'k7', string_value: 'overwrite is fine' }));
  ok(await a.del(scope, 'k0'));
  ok(await a.put({ scope, key: 'one-more', string_value: 'v' }));
  ok(await a.deleteScope(scope));
  const have = ok(await a.listScopes()).scopes.length;
  const names = Array.from({ length: 1000 - have }, (_, i) => uniq(`sc${i}`));
  for (let i = 0; i < names.length; i += 50) {
    await Promise.all(names.slice(i, i + 50).map((scope) => a.createScope({ scope }).then(ok)));
  }
  isError(await a.createScope({ scope: uniq('over') }), 400, 'RESOURCE_LIMIT_EXCEEDED');
  for (let i = 0; i < names.length; i += 50) {
    await Promise.all(names.slice(i, i + 50).map((scope) => a.deleteScope(scope).then(ok)));
  }
});

test('at rest: meta.db and its WAL never hold the value; key file 0600; logs clean', async () => {
  const a = api(d);
  const marker = `PLAINTEXT-${process.pid}-${Date.now()}-marker`;
  const scope = uniq('disk');
  ok(await a.createScope({ scope }));
  ok(await a.put({ scope, key: 'v1', string_value: marker }));
  ok(await a.put({ scope, key: 'v2', bytes_value: b64(marker) }));
  assert.equal(ok(await a.get(scope, 'v1')).value, b64(marker));
  const files = ['meta.db', 'meta.db-wal'].map((f) => join(d.dataDir, f)).filter((f) => existsSync(f));
  assert.ok(files.some((f) => f.endsWith('-wal')), 'the WAL is checked');
  let sawScope = false;
  for (const f of files) {
    const bytes = readFileSync(f);
    assert.equal(bytes.indexOf(marker), -1, `${f} holds the plaintext`);
    assert.equal(bytes.indexOf(b64(marker)), -1, `${f} holds the base64 plaintext`);
    assert.equal(bytes.indexOf(Buffer.from(marker, 'utf16le')), -1);
    sawScope ||= bytes.indexOf(scope) !== -1;
  }
  assert.ok(sawScope, 'the files read are the ones written');
  const st = statSync(join(d.dataDir, 'secrets.key'));
  assert.equal(st.mode & 0o777, 0o600);
  assert.match(readFileSync(join(d.dataDir, 'secrets.key'), 'utf8'), /^[0-9a-f]{64}\n$/);
  assert.ok(!d.stderr.includes(marker) && !d.stderr.includes(b64(marker)), 'value in the log');
  ok(await a.deleteScope(scope));
});

test('restart keeps values readable; a wrong key fails reads cleanly; a malformed key stops start-up', async () => {
  const env = { LAKEHOUSE_SECRETS_KEY: 'a1'.repeat(32) };
  const e = await startDaemon({ env });
  try {
    const a = api(e);
    ok(await a.createScope({ scope: 'persist' }));
    ok(await a.put({ scope: 'persist', key: 'k', string_value: 'still here' }));
    assert.ok(!existsSync(join(e.dataDir, 'secrets.key')), 'env key: no key file');
    await e.stop({ keep: true });
    await e.restart();
    assert.equal(ok(await a.get('persist', 'k')).value, b64('still here'));
    // the same key as base64 works too
    env.LAKEHOUSE_SECRETS_KEY = Buffer.from('a1'.repeat(32), 'hex').toString('base64');
    await e.stop({ keep: true });
    await e.restart();
    assert.equal(ok(await a.get('persist', 'k')).value, b64('still here'));
    // a different key: start succeeds with a warning, reads fail with 500, nothing crashes
    env.LAKEHOUSE_SECRETS_KEY = 'b2'.repeat(32);
    await e.stop({ keep: true });
    await e.restart();
    assert.match(e.stderr, /does not open the stored secrets/);
    const r = await a.get('persist', 'k');
    assert.equal(r.status, 500, r.text);
    assert.equal(r.json.error_code, 'DATA_LOSS');
    assert.ok(!r.text.includes('still here'));
    assert.deepEqual(ok(await a.list('persist')).secrets.map((s) => s.key), ['k']);
    assert.equal((await fetch(`${e.url}/healthz`)).status, 200);
    // malformed: start-up fails naming the variable, without echoing it
    env.LAKEHOUSE_SECRETS_KEY = 'not-a-key-SECRETTEXT';
    await e.stop({ keep: true });
    await assert.rejects(e.restart(), (err) => /LAKEHOUSE_SECRETS_KEY is malformed/.test(err.message) &&
      !err.message.includes('SECRETTEXT'));
    env.LAKEHOUSE_SECRETS_KEY = 'a1'.repeat(32);
    await e.restart();
    assert.equal(ok(await a.get('persist', 'k')).value, b64('still here'));
  } finally {
    await e.stop();
  }
});

test('key file: created on the first accepted put, reused after restart', async () => {
  const e = await startDaemon();
  try {
    const a = api(e);
    const keyFile = join(e.dataDir, 'secrets.key');
    ok(await a.createScope({ scope: 'f' }));
    assert.ok(!existsSync(keyFile), 'no key before the first value');
    // refused puts have no side effect
    isError(await a.put({ scope: 'nope', key: 'k', string_value: 'v' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    const eve = await userWithToken(e, 'eve');
    isError(await a.put({ scope: 'f', key: 'k', string_value: 'v' }, eve.as), 403, 'PERMISSION_DENIED');
    assert.ok(!existsSync(keyFile), 'no key after refused puts');
    ok(await a.put({ scope: 'f', key: 'k', bytes_value: b64('file key') }));
    const key = readFileSync(keyFile, 'utf8');
    await e.stop({ keep: true });
    await e.restart();
    assert.equal(readFileSync(keyFile, 'utf8'), key);
    assert.equal(ok(await a.get('f', 'k')).value, b64('file key'));
  } finally {
    await e.stop();
  }
});
