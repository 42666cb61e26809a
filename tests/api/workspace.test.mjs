// workspace.test.mjs - the Workspace API over HTTP (api/workspace/ws_objects.c): special
// folders and home folders, mkdirs, import (JSON and multipart; SOURCE, AUTO, RAW; overwrite
// keeps the object_id), export (JSON and direct_download, byte-identical), list, get-status,
// delete (recursive or DIRECTORY_NOT_EMPTY), path rules, Databricks' error codes, folder
// permissions with a second user (inheritance, the /permissions routes) and a restart.
// Run: LH_BIN=build/lakehoused node --test tests/api/workspace.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from './harness.mjs';

const WS = '/api/2.0/workspace';
const SCIM = '/api/2.0/preview/scim/v2';
let d;
before(async () => { d = await startDaemon(); });
after(async () => { await d.stop(); });

const ok = (r, status = 200) => {
  assert.equal(r.status, status, r.text);
  return r.json;
};
const isError = (r, status, code, msg) => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error_code, code, r.text);
  if (msg) assert.match(r.json.message, msg);
};
const b64 = (s) => Buffer.from(s).toString('base64');
const q = (o) => '?' + new URLSearchParams(o).toString();
const status = (path, o) => d.api('GET', `${WS}/get-status${q({ path })}`, undefined, o);
const list = (path, extra = {}, o) => d.api('GET', `${WS}/list${q({ path, ...extra })}`, undefined, o);
const exportJson = (path, extra = {}, o) => d.api('GET', `${WS}/export${q({ path, ...extra })}`, undefined, o);
const importJson = (body, o) => d.api('POST', `${WS}/import`, body, o);
const mkdirs = (path, o) => d.api('POST', `${WS}/mkdirs`, { path }, o);
const del = (path, recursive, o) => d.api('POST', `${WS}/delete`, recursive === undefined ? { path } : { path, recursive }, o);

async function download(path, token = d.token, extra = {}) {
  const r = await fetch(`${d.url}${WS}/export${q({ path, direct_download: 'true', ...extra })}`,
    { headers: { Authorization: `Bearer ${token}` } });
  return { status: r.status, headers: r.headers, bytes: Buffer.from(await r.arrayBuffer()) };
}

async function upload(fields, content, token = d.token) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('content', new Blob([content]), 'content');
  const r = await fetch(`${d.url}${WS}/import`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${token}` } });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, text, json };
}

const SQL_NB = '-- Databricks notebook source\nSELECT 1\n\n-- COMMAND ----------\n\n-- MAGIC %md\n-- MAGIC # Notes\n';
const PY_NB = '# Databricks notebook source\nprint(1)\n\n# COMMAND ----------\n\n# MAGIC %sql\n# MAGIC SELECT 2\n';

test('special folders: the root lists Shared and Users; the caller gets a home folder', async () => {
  const root = ok(await list('/'));
  assert.deepEqual(root.objects.map((o) => [o.path, o.object_type]), [['/Shared', 'DIRECTORY'], ['/Users', 'DIRECTORY']]);
  const home = ok(await status('/Users/admin'));
  assert.equal(home.object_type, 'DIRECTORY');
  assert.equal(typeof home.object_id, 'number');
  assert.equal(home.resource_id, String(home.object_id));
  assert.equal(home.language, undefined);
  assert.deepEqual(ok(await status('/Workspace/Users/admin')), home); // the /Workspace mount names the same tree
  isError(await del('/Shared', true), 400, 'INVALID_PARAMETER_VALUE');
  isError(await del('/Users', true), 400, 'INVALID_PARAMETER_VALUE');
});

test('mkdirs is mkdir -p and idempotent; a notebook on the way is RESOURCE_ALREADY_EXISTS', async () => {
  ok(await mkdirs('/Users/admin/mk/a/b/c'));
  ok(await mkdirs('/Users/admin/mk/a/b/c'));
  ok(await mkdirs('/Users/admin/mk/a/b/c/')); // one trailing slash is fine
  for (const p of ['/Users/admin/mk/a', '/Users/admin/mk/a/b', '/Users/admin/mk/a/b/c'])
    assert.equal(ok(await status(p)).object_type, 'DIRECTORY');
  ok(await importJson({ path: '/Users/admin/mk/nb', language: 'SQL', content: b64('SELECT 1') }));
  isError(await mkdirs('/Users/admin/mk/nb/sub'), 400, 'RESOURCE_ALREADY_EXISTS');
  isError(await mkdirs('/Users/admin/mk/nb'), 400, 'RESOURCE_ALREADY_EXISTS');
});

test('import SOURCE: a notebook with its language; export gives the source and file_type', async () => {
  ok(await mkdirs('/Users/admin/src'));
  ok(await importJson({ path: '/Users/admin/src/q', format: 'SOURCE', language: 'SQL', content: b64(SQL_NB) }));
  const s = ok(await status('/Users/admin/src/q'));
  assert.equal(s.object_type, 'NOTEBOOK');
  assert.equal(s.language, 'SQL');
  assert.equal(s.path, '/Users/admin/src/q');
  assert.ok(s.created_at > 0 && s.modified_at >= s.created_at);
  const e = ok(await exportJson('/Users/admin/src/q'));
  assert.equal(Buffer.from(e.content, 'base64').toString(), SQL_NB);
  assert.equal(e.file_type, 'sql');
  // without the header: stored as given, exported as SOURCE with the header line
  ok(await importJson({ path: '/Users/admin/src/bare', language: 'PYTHON', content: b64('print(2)\n') }));
  const bare = ok(await exportJson('/Users/admin/src/bare', { format: 'SOURCE' }));
  assert.equal(Buffer.from(bare.content, 'base64').toString(), '# Databricks notebook source\nprint(2)\n');
  assert.equal(bare.file_type, 'py');
  const raw = ok(await exportJson('/Users/admin/src/bare', { format: 'RAW' }));
  assert.equal(Buffer.from(raw.content, 'base64').toString(), 'print(2)\n');
  // the language comes from the header when not given; with neither it is 400
  ok(await importJson({ path: '/Users/admin/src/hdr', content: b64(PY_NB) }));
  assert.equal(ok(await status('/Users/admin/src/hdr')).language, 'PYTHON');
  isError(await importJson({ path: '/Users/admin/src/nolang', content: b64('x') }), 400, 'INVALID_PARAMETER_VALUE', /language/);
});

test('import AUTO: a header makes a notebook (extension dropped), anything else a file', async () => {
  ok(await mkdirs('/Users/admin/auto'));
  ok(await importJson({ path: '/Users/admin/auto/etl.py', format: 'AUTO', content: b64(PY_NB) }));
  const nb = ok(await status('/Users/admin/auto/etl'));
  assert.equal(nb.object_type, 'NOTEBOOK');
  assert.equal(nb.language, 'PYTHON');
  isError(await status('/Users/admin/auto/etl.py'), 404, 'RESOURCE_DOES_NOT_EXIST');
  ok(await importJson({ path: '/Users/admin/auto/model.r', format: 'AUTO', content: b64('# Databricks notebook source\nlibrary(x)\n') }));
  assert.equal(ok(await status('/Users/admin/auto/model')).language, 'R');
  ok(await importJson({ path: '/Users/admin/auto/report.sql', format: 'AUTO', content: b64('SELECT 42\n') }));
  const f = ok(await status('/Users/admin/auto/report.sql'));
  assert.equal(f.object_type, 'FILE');
  assert.equal(f.size, 10);
  assert.equal(f.language, undefined);
  ok(await importJson({ path: '/Users/admin/auto/header.txt', format: 'RAW', content: b64(SQL_NB) }));
  assert.equal(ok(await status('/Users/admin/auto/header.txt')).object_type, 'FILE');
  const ls = ok(await list('/Users/admin/auto'));
  assert.deepEqual(ls.objects.map((o) => o.path), ['/Users/admin/auto/etl', '/Users/admin/auto/header.txt', '/Users/admin/auto/model', '/Users/admin/auto/report.sql']);
  const ex = ok(await exportJson('/Users/admin/auto/report.sql'));
  assert.equal(Buffer.from(ex.content, 'base64').toString(), 'SELECT 42\n');
  assert.equal(ex.file_type, 'sql');
});

test('overwrite: refused without it, keeps the object_id with it; a folder is never replaced', async () => {
  ok(await mkdirs('/Users/admin/ow'));
  const p = '/Users/admin/ow/nb';
  ok(await importJson({ path: p, language: 'SQL', content: b64('SELECT 1') }));
  const before = ok(await status(p));
  isError(await importJson({ path: p, language: 'SQL', content: b64('SELECT 2') }), 400, 'RESOURCE_ALREADY_EXISTS', /already exists/);
  ok(await importJson({ path: p, language: 'SQL', content: b64('SELECT 2'), overwrite: true }));
  const after = ok(await status(p));
  assert.equal(after.object_id, before.object_id);
  assert.equal(Buffer.from(ok(await exportJson(p, { format: 'RAW' })).content, 'base64').toString(), 'SELECT 2');
  isError(await importJson({ path: '/Users/admin/ow', language: 'SQL', content: b64('x'), overwrite: true }), 400, 'RESOURCE_ALREADY_EXISTS');
  // overwrite as a string "true" (as multipart forms send it)
  ok(await importJson({ path: p, language: 'SQL', content: b64('SELECT 3'), overwrite: 'true' }));
});

test('missing paths are 404 RESOURCE_DOES_NOT_EXIST; a missing parent folder too', async () => {
  isError(await status('/Users/admin/none'), 404, 'RESOURCE_DOES_NOT_EXIST', /Path \(\/Users\/admin\/none\) doesn't exist/);
  isError(await list('/Users/admin/none'), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await exportJson('/Users/admin/none'), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await del('/Users/admin/none'), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await importJson({ path: '/Users/admin/nodir/nb', language: 'SQL', content: b64('x') }), 404,
    'RESOURCE_DOES_NOT_EXIST', /The parent folder \(\/Users\/admin\/nodir\) does not exist/);
  const r = await upload({ path: '/Users/admin/nodir/f.txt', format: 'AUTO' }, 'x');
  isError(r, 404, 'RESOURCE_DOES_NOT_EXIST');
});

test('multipart import and direct_download export are byte-identical (inline and file-backed)', async () => {
  ok(await mkdirs('/Users/admin/bin'));
  const small = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const big = Buffer.alloc(300 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919 + (i >> 8)) & 0xff;
  for (const [name, bytes] of [['small.bin', small], ['big.bin', big]]) {
    const path = `/Users/admin/bin/${name}`;
    const r = await upload({ path, format: 'AUTO' }, bytes);
    assert.equal(r.status, 200, r.text);
    const s = ok(await status(path));
    assert.equal(s.object_type, 'FILE');
    assert.equal(s.size, bytes.length);
    const got = await download(path);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'application/octet-stream');
    assert.match(got.headers.get('content-disposition'), new RegExp(`filename="${name}"`));
    assert.ok(got.bytes.equals(bytes));
    const j = ok(await exportJson(path));
    assert.ok(Buffer.from(j.content, 'base64').equals(bytes));
  }
  // a multipart notebook (the SDK's upload() with format SOURCE and a language)
  const r = await upload({ path: '/Users/admin/bin/mp', format: 'SOURCE', language: 'SQL', overwrite: 'true' }, SQL_NB);
  assert.equal(r.status, 200, r.text);
  const dl = await download('/Users/admin/bin/mp');
  assert.equal(dl.bytes.toString(), SQL_NB);
  assert.match(dl.headers.get('content-disposition'), /filename="mp.sql"/);
  // overwriting the big file replaces its content file: one file per stored large object
  const objDir = join(d.dataDir, 'workspace', 'objects');
  const filesBefore = readdirSync(objDir).length;
  const r2 = await upload({ path: '/Users/admin/bin/big.bin', format: 'AUTO', overwrite: 'true' }, Buffer.concat([big, big]));
  assert.equal(r2.status, 200, r2.text);
  assert.equal(readdirSync(objDir).length, filesBefore);
  assert.equal(ok(await status('/Users/admin/bin/big.bin')).size, 2 * big.length);
  // a cut multipart body leaves nothing
  const bad = await fetch(`${d.url}${WS}/import`, {
    method: 'POST', headers: { Authorization: `Bearer ${d.token}`, 'Content-Type': 'multipart/form-data; boundary=XX' },
    body: '--XX\r\nContent-Disposition: form-data; name="path"\r\n\r\n/Users/admin/bin/cut\r\n--XX\r\nContent-Disposition: form-data; name="content"\r\n\r\nabc',
  });
  assert.equal(bad.status, 400);
  isError(await status('/Users/admin/bin/cut'), 404, 'RESOURCE_DOES_NOT_EXIST');
});

test('delete: a non-empty folder needs recursive (DIRECTORY_NOT_EMPTY); recursive removes the tree', async () => {
  ok(await mkdirs('/Users/admin/del/x/y'));
  ok(await importJson({ path: '/Users/admin/del/x/y/nb', language: 'PYTHON', content: b64('print(1)') }));
  await upload({ path: '/Users/admin/del/x/big', format: 'RAW' }, Buffer.alloc(100 * 1024, 1));
  ok(await importJson({ path: '/Users/admin/delx', language: 'PYTHON', content: b64('print(1)') })); // a sibling sharing the prefix
  isError(await del('/Users/admin/del'), 400, 'DIRECTORY_NOT_EMPTY');
  isError(await del('/Users/admin/del', false), 400, 'DIRECTORY_NOT_EMPTY');
  const objDir = join(d.dataDir, 'workspace', 'objects');
  const filesBefore = readdirSync(objDir).length;
  ok(await del('/Users/admin/del', true));
  for (const p of ['/Users/admin/del', '/Users/admin/del/x', '/Users/admin/del/x/y/nb', '/Users/admin/del/x/big'])
    isError(await status(p), 404, 'RESOURCE_DOES_NOT_EXIST');
  assert.equal(readdirSync(objDir).length, filesBefore - 1);
  assert.equal(ok(await status('/Users/admin/delx')).object_type, 'NOTEBOOK');
  ok(await mkdirs('/Users/admin/empty'));
  ok(await del('/Users/admin/empty'));
  ok(await del('/Users/admin/delx'));
  isError(await status('/Users/admin/delx'), 404, 'RESOURCE_DOES_NOT_EXIST');
});

test('path rules: absolute, canonical, bounded; bad ones are 400 INVALID_PARAMETER_VALUE', async () => {
  const bad = ['relative/x', '/Users/admin/../admin', '/Users//admin', '/Users/./admin', '/Users/admin/a\u0001b',
    `/Users/admin/${'n'.repeat(256)}`, '/Users/admin/' + 'abcdefgh/'.repeat(460), ''];
  for (const p of bad) {
    isError(await status(p), 400, 'INVALID_PARAMETER_VALUE');
    isError(await mkdirs(p), 400, 'INVALID_PARAMETER_VALUE');
  }
  isError(await d.api('GET', `${WS}/get-status`), 400, 'INVALID_PARAMETER_VALUE', /path/);
  isError(await importJson({ path: '/Users/admin/x/../y', language: 'SQL', content: b64('x') }), 400, 'INVALID_PARAMETER_VALUE');
  ok(await mkdirs(`/Users/admin/${'n'.repeat(255)}`));
});

test('formats, languages and sizes: unsupported and invalid values are 400', async () => {
  ok(await mkdirs('/Users/admin/fmt'));
  isError(await importJson({ path: '/Users/admin/fmt/a', format: 'HTML', content: b64('x') }), 400, 'INVALID_PARAMETER_VALUE', /HTML/);
  isError(await importJson({ path: '/Users/admin/fmt/a', format: 'BOGUS', content: b64('x') }), 400, 'INVALID_PARAMETER_VALUE');
  isError(await importJson({ path: '/Users/admin/fmt/a', language: 'COBOL', content: b64('x') }), 400, 'INVALID_PARAMETER_VALUE');
  isError(await importJson({ path: '/Users/admin/fmt/a', language: 'SQL', content: '!!!' }), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('POST', `${WS}/import`, '{not json'), 400, 'MALFORMED_REQUEST');
  isError(await exportJson('/Users/admin/fmt', {}), 400, 'INVALID_PARAMETER_VALUE', /folder/);
  const big = await upload({ path: '/Users/admin/fmt/huge', format: 'RAW' }, Buffer.alloc(10 * 1024 * 1024 + 1));
  isError(big, 400, 'MAX_NOTEBOOK_SIZE_EXCEEDED');
  const max = await upload({ path: '/Users/admin/fmt/max', format: 'RAW' }, Buffer.alloc(10 * 1024 * 1024, 7));
  assert.equal(max.status, 200, max.text);
  assert.equal(ok(await status('/Users/admin/fmt/max')).size, 10 * 1024 * 1024);
  ok(await del('/Users/admin/fmt/max'));
});

test('list: a notebook lists itself, an empty folder has no objects key, notebooks_modified_after filters', async () => {
  ok(await mkdirs('/Users/admin/ls/empty'));
  assert.deepEqual(ok(await list('/Users/admin/ls/empty')), {});
  ok(await importJson({ path: '/Users/admin/ls/old', language: 'SQL', content: b64('SELECT 1') }));
  const self = ok(await list('/Users/admin/ls/old'));
  assert.deepEqual(self.objects.map((o) => o.path), ['/Users/admin/ls/old']);
  const t = ok(await status('/Users/admin/ls/old')).modified_at;
  await new Promise((r) => setTimeout(r, 5));
  ok(await importJson({ path: '/Users/admin/ls/new', language: 'SQL', content: b64('SELECT 2') }));
  const since = ok(await list('/Users/admin/ls', { notebooks_modified_after: t }));
  assert.deepEqual(since.objects.map((o) => o.path), ['/Users/admin/ls/empty', '/Users/admin/ls/new']);
});

// ---- permissions with a second user ----

let seq = 0;
async function userWithToken() {
  const u = ok(await d.api('POST', `${SCIM}/Users`, { userName: `ws-${process.pid}-${++seq}@example.com` }), 201);
  const t = ok(await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: u.id }));
  return { name: u.userName, id: u.id, o: { token: t.token_value }, token: t.token_value };
}

test('permissions: homes are private, /Shared is everyone\'s, folder grants are inherited', async () => {
  const b = await userWithToken();
  // B's home is made on first use and is B's; B sees only it under /Users
  const users = ok(await list('/Users', {}, b.o));
  assert.deepEqual(users.objects.map((o) => o.path), [`/Users/${b.name}`]);
  ok(await mkdirs(`/Users/${b.name}/mine`, b.o));
  ok(await importJson({ path: `/Users/${b.name}/mine/nb`, language: 'SQL', content: b64('SELECT 1') }, b.o));

  // the admin's folder: B cannot read, write or delete in it
  ok(await mkdirs('/Users/admin/proj/sub'));
  ok(await importJson({ path: '/Users/admin/proj/sub/nb', language: 'SQL', content: b64(SQL_NB) }));
  const nb = ok(await status('/Users/admin/proj/sub/nb'));
  const proj = ok(await status('/Users/admin/proj'));
  isError(await status('/Users/admin/proj/sub/nb', b.o), 403, 'PERMISSION_DENIED', /CAN_READ/);
  isError(await exportJson('/Users/admin/proj/sub/nb', {}, b.o), 403, 'PERMISSION_DENIED');
  assert.equal((await download('/Users/admin/proj/sub/nb', b.token)).status, 403);
  assert.deepEqual(ok(await list('/Users/admin/proj', {}, b.o)), {});
  isError(await importJson({ path: '/Users/admin/proj/x', language: 'SQL', content: b64('x') }, b.o), 403, 'PERMISSION_DENIED', /CAN_MANAGE/);
  isError(await mkdirs('/Users/admin/proj/b', b.o), 403, 'PERMISSION_DENIED');
  isError(await del('/Users/admin/proj/sub/nb', false, b.o), 403, 'PERMISSION_DENIED');
  isError(await mkdirs('/toplevel', b.o), 403, 'PERMISSION_DENIED'); // only admins create at the root
  isError(await d.api('GET', `/api/2.0/permissions/notebooks/${nb.object_id}`, undefined, b.o), 403, 'PERMISSION_DENIED');

  // CAN_READ on the folder: B reads everything under it, changes nothing
  ok(await d.api('PATCH', `/api/2.0/permissions/directories/${proj.object_id}`, { access_control_list: [{ user_name: b.name, permission_level: 'CAN_READ' }] }));
  assert.equal(ok(await status('/Users/admin/proj/sub/nb', b.o)).object_id, nb.object_id);
  assert.equal(Buffer.from(ok(await exportJson('/Users/admin/proj/sub/nb', {}, b.o)).content, 'base64').toString(), SQL_NB);
  assert.deepEqual(ok(await list('/Users/admin', {}, b.o)).objects.map((o) => o.path), ['/Users/admin/proj']);
  isError(await importJson({ path: '/Users/admin/proj/sub/nb', language: 'SQL', content: b64('x'), overwrite: true }, b.o), 403, 'PERMISSION_DENIED', /CAN_EDIT/);
  const acl = ok(await d.api('GET', `/api/2.0/permissions/notebooks/${nb.object_id}`));
  assert.equal(acl.object_id, `/notebooks/${nb.object_id}`);
  assert.equal(acl.object_type, 'notebook');
  const entry = acl.access_control_list.find((e) => e.user_name === b.name);
  assert.deepEqual(entry.all_permissions, [{ permission_level: 'CAN_READ', inherited: true, inherited_from_object: [`/directories/${proj.object_id}`] }]);
  const owner = acl.access_control_list.find((e) => e.user_name === 'admin');
  assert.ok(owner.all_permissions.some((p) => p.permission_level === 'CAN_MANAGE' && !p.inherited));

  // CAN_EDIT on the notebook: overwrite yes, delete no
  ok(await d.api('PATCH', `/api/2.0/permissions/notebooks/${nb.object_id}`, { access_control_list: [{ user_name: b.name, permission_level: 'CAN_EDIT' }] }));
  ok(await importJson({ path: '/Users/admin/proj/sub/nb', language: 'SQL', content: b64('SELECT 9'), overwrite: true }, b.o));
  assert.equal(ok(await status('/Users/admin/proj/sub/nb')).object_id, nb.object_id);
  isError(await del('/Users/admin/proj/sub/nb', false, b.o), 403, 'PERMISSION_DENIED', /CAN_MANAGE/);

  // CAN_MANAGE on the folder: create, delete and manage permissions inside it
  ok(await d.api('PATCH', `/api/2.0/permissions/directories/${proj.object_id}`, { access_control_list: [{ user_name: b.name, permission_level: 'CAN_MANAGE' }] }));
  ok(await importJson({ path: '/Users/admin/proj/by-b', language: 'PYTHON', content: b64('print(1)') }, b.o));
  ok(await d.api('GET', `/api/2.0/permissions/notebooks/${nb.object_id}`, undefined, b.o));
  ok(await del('/Users/admin/proj/sub', true, b.o));

  // /Shared: every user holds CAN_MANAGE; the creator owns what it makes
  ok(await importJson({ path: '/Shared/from-b', language: 'SQL', content: b64('SELECT 1') }, b.o));
  const shared = ok(await status('/Shared/from-b'));
  const sacl = ok(await d.api('GET', `/api/2.0/permissions/notebooks/${shared.object_id}`, undefined, b.o));
  assert.ok(sacl.access_control_list.find((e) => e.user_name === b.name).all_permissions.some((p) => p.permission_level === 'CAN_MANAGE' && !p.inherited));
  assert.ok(sacl.access_control_list.find((e) => e.group_name === 'users').all_permissions.some((p) => p.inherited));

  // B's home: the admin sees it (admins see everything); a third user does not
  const c = await userWithToken();
  isError(await status(`/Users/${b.name}/mine/nb`, c.o), 403, 'PERMISSION_DENIED');
  assert.equal(ok(await status(`/Users/${b.name}/mine/nb`)).object_type, 'NOTEBOOK');
  assert.ok(ok(await list('/Users')).objects.some((o) => o.path === `/Users/${b.name}`));

  // permission routes: types must match the object, unknown ids are 404
  ok(await d.api('GET', `/api/2.0/permissions/directories/${proj.object_id}/permissionLevels`));
  isError(await d.api('GET', `/api/2.0/permissions/notebooks/${proj.object_id}`), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('GET', '/api/2.0/permissions/files/999999999'), 404, 'RESOURCE_DOES_NOT_EXIST');
  const levels = ok(await d.api('GET', `/api/2.0/permissions/notebooks/${shared.object_id}/permissionLevels`));
  isError(await d.api('GET', `/api/2.0/permissions/notebooks/${nb.object_id}`), 404, 'RESOURCE_DOES_NOT_EXIST'); // deleted with its folder
  assert.deepEqual(levels.permission_levels.map((l) => l.permission_level), ['CAN_READ', 'CAN_RUN', 'CAN_EDIT', 'CAN_MANAGE']);
});

test('a restart keeps objects, ids, contents and permissions', async () => {
  ok(await mkdirs('/Users/admin/keep'));
  ok(await importJson({ path: '/Users/admin/keep/nb', language: 'SQL', content: b64(SQL_NB) }));
  const big = Buffer.alloc(200 * 1024, 3);
  assert.equal((await upload({ path: '/Users/admin/keep/big', format: 'RAW' }, big)).status, 200);
  const b = await userWithToken();
  const keep = ok(await status('/Users/admin/keep'));
  ok(await d.api('PATCH', `/api/2.0/permissions/directories/${keep.object_id}`, { access_control_list: [{ user_name: b.name, permission_level: 'CAN_READ' }] }));
  const before = ok(await list('/Users/admin/keep'));
  await d.stop({ keep: true });
  await d.restart();
  assert.deepEqual(ok(await list('/Users/admin/keep')), before);
  assert.equal(Buffer.from(ok(await exportJson('/Users/admin/keep/nb')).content, 'base64').toString(), SQL_NB);
  assert.ok((await download('/Users/admin/keep/big')).bytes.equals(big));
  assert.ok((await download('/Users/admin/keep/big', b.token)).bytes.equals(big));
  const root = ok(await list('/'));
  assert.deepEqual(root.objects.map((o) => o.path), ['/Shared', '/Users']);
});
