// dbfs.test.mjs - DBFS 2.0 over HTTP (api/workspace): list, get-status, mkdirs, delete,
// move, put (JSON and multipart), read, create/add-block/close (visible only at close,
// per principal, expiring), the raw /dbfs/<path> routes (streamed upload, download with
// Range), traversal refused (.., %2e%2e, absolute, a planted symlink), cut uploads leave
// nothing, and files survive a restart.
// Run: LH_BIN=build/lakehoused node --test tests/api/dbfs.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from './harness.mjs';

const SCIM = '/api/2.0/preview/scim/v2';
let d;
before(async () => { d = await startDaemon({ env: { LAKEHOUSE_TEST_MINUTE_MS: '100' } }); });
after(async () => { await d.stop(); });

const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.json; };
const isError = (r, status, code, msg) => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error_code, code, r.text);
  if (msg) assert.match(r.json.message, msg);
};
let seq = 0;
const uniq = (p) => `/${p}-${process.pid}-${++seq}`;
const b64 = (buf) => Buffer.from(buf).toString('base64');

// Raw HTTP with a Buffer body and the path sent exactly as given.
function raw(method, path, { body, headers = {}, token = d.token } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    if (body !== undefined) h['Content-Length'] = String(body.length);
    const u = new URL(d.url); // host and port only: the path goes out verbatim (no dot removal)
    const req = httpRequest({ hostname: u.hostname, port: u.port, path, method, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        let json;
        try { json = JSON.parse(buf.toString()); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, body: buf, json, text: buf.toString() });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// Send `total` announced bytes but cut the connection after `cutAfter`.
function cutUpload(method, path, total, cutAfter, headers = {}, prefix = Buffer.alloc(0)) {
  return new Promise((resolve) => {
    const req = httpRequest(d.url + path, {
      method, headers: { Authorization: `Bearer ${d.token}`, 'Content-Length': String(total), ...headers },
    }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', () => resolve(0));
    req.write(prefix);
    let sent = prefix.length;
    const block = Buffer.alloc(64 * 1024, 0x41);
    const pump = () => {
      while (sent < cutAfter) {
        sent += block.length;
        if (!req.write(block)) { req.once('drain', pump); return; }
      }
      setTimeout(() => req.destroy(), 50);
    };
    pump();
  });
}

function multipart(parts, boundary = `----lh${randomBytes(8).toString('hex')}`) {
  const chunks = [];
  for (const p of parts) {
    const disp = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disp}\r\n`
      + (p.filename ? 'Content-Type: application/octet-stream\r\n' : '') + '\r\n'));
    chunks.push(Buffer.isBuffer(p.value) ? p.value : Buffer.from(String(p.value)));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

const staging = () => join(d.dataDir, 'dbfs', '.lh-staging');
const stagingEmpty = () => !existsSync(staging()) || readdirSync(staging()).length === 0;
const put = (path, data, extra = {}) => d.api('POST', '/api/2.0/dbfs/put', { path, contents: b64(data), ...extra });
const readRaw = async (path) => { const r = await raw('GET', `/dbfs${path}`); assert.equal(r.status, 200, r.text); return r.body; };

test('mkdirs, list, get-status: shapes, a file lists itself, empty and missing', async () => {
  const dir = uniq('ls');
  ok(await d.api('POST', '/api/2.0/dbfs/mkdirs', { path: `${dir}/a/b` }));
  ok(await d.api('POST', '/api/2.0/dbfs/mkdirs', { path: `dbfs:${dir}/a/b` })); // idempotent, dbfs: form
  ok(await put(`${dir}/f.txt`, 'hello'));
  const l = ok(await d.api('GET', `/api/2.0/dbfs/list?path=${dir}`));
  assert.deepEqual(l.files.map((f) => [f.path, f.is_dir, f.file_size]), [[`${dir}/a`, true, 0], [`${dir}/f.txt`, false, 5]]);
  assert.ok(l.files.every((f) => Number.isInteger(f.modification_time) && f.modification_time > 1.6e12));
  // a GET with the path in a JSON body (MLflow's client sends it so)
  assert.equal((ok(await d.raw('GET', '/api/2.0/dbfs/list', { path: `dbfs:${dir}` }))).files.length, 2);
  const self = ok(await d.api('GET', `/api/2.0/dbfs/list?path=${dir}/f.txt`));
  assert.deepEqual(self.files.map((f) => f.path), [`${dir}/f.txt`]);
  const empty = ok(await d.api('GET', `/api/2.0/dbfs/list?path=${dir}/a/b`));
  assert.deepEqual(empty, {}); // the key is left out for an empty directory
  isError(await d.api('GET', `/api/2.0/dbfs/list?path=${dir}/nope`), 404, 'RESOURCE_DOES_NOT_EXIST');
  const st = ok(await d.api('GET', `/api/2.0/dbfs/get-status?path=${dir}/f.txt`));
  assert.equal(st.path, `${dir}/f.txt`); assert.equal(st.is_dir, false); assert.equal(st.file_size, 5);
  assert.equal(ok(await d.api('GET', '/api/2.0/dbfs/get-status?path=/')).is_dir, true);
  assert.ok(ok(await d.api('GET', '/api/2.0/dbfs/list?path=/')).files.some((f) => f.path === dir));
  isError(await d.api('GET', `/api/2.0/dbfs/get-status?path=${dir}/nope`), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('GET', '/api/2.0/dbfs/get-status'), 400, 'INVALID_PARAMETER_VALUE', /path/);
  // a file in the way of mkdirs
  isError(await d.api('POST', '/api/2.0/dbfs/mkdirs', { path: `${dir}/f.txt/sub` }), 400, 'RESOURCE_ALREADY_EXISTS');
  isError(await d.api('POST', '/api/2.0/dbfs/mkdirs', { path: `${dir}/f.txt` }), 400, 'RESOURCE_ALREADY_EXISTS');
  // the staging directory is never listed nor reachable
  assert.ok(!ok(await d.api('GET', '/api/2.0/dbfs/list?path=/')).files.some((f) => f.path.startsWith('/.lh-')));
  isError(await d.api('GET', '/api/2.0/dbfs/list?path=/.lh-staging'), 400, 'INVALID_PARAMETER_VALUE');
});

test('put (JSON): round trip, overwrite, the 1 MB cap, bad base64; read with offset and length', async () => {
  const dir = uniq('put');
  const data = randomBytes(1024 * 1024); // exactly the cap
  ok(await put(`${dir}/x/blob`, data)); // parents are created
  assert.ok((await readRaw(`${dir}/x/blob`)).equals(data));
  isError(await put(`${dir}/x/blob`, 'other'), 400, 'RESOURCE_ALREADY_EXISTS');
  ok(await put(`${dir}/x/blob`, 'other', { overwrite: true }));
  assert.equal((await readRaw(`${dir}/x/blob`)).toString(), 'other');
  isError(await put(`${dir}/x`, 'dir in the way', { overwrite: true }), 400, 'RESOURCE_ALREADY_EXISTS');
  isError(await put(`${dir}/big`, randomBytes(1024 * 1024 + 1)), 400, 'MAX_BLOCK_SIZE_EXCEEDED');
  isError(await d.api('POST', '/api/2.0/dbfs/put', { path: `${dir}/bad`, contents: '!!!notbase64' }), 400, 'INVALID_PARAMETER_VALUE', /base64/);
  isError(await d.api('POST', '/api/2.0/dbfs/put', '{not json'), 400, 'MALFORMED_REQUEST');
  ok(await d.api('POST', '/api/2.0/dbfs/put', { path: `${dir}/empty` })); // no contents: an empty file
  assert.equal(ok(await d.api('GET', `/api/2.0/dbfs/get-status?path=${dir}/empty`)).file_size, 0);
  // read
  const src = randomBytes(3000);
  ok(await put(`${dir}/r`, src));
  const all = ok(await d.api('GET', `/api/2.0/dbfs/read?path=${dir}/r`));
  assert.equal(all.bytes_read, 3000);
  assert.ok(Buffer.from(all.data, 'base64').equals(src));
  const mid = ok(await d.api('GET', `/api/2.0/dbfs/read?path=${dir}/r&offset=1000&length=500`));
  assert.equal(mid.bytes_read, 500);
  assert.ok(Buffer.from(mid.data, 'base64').equals(src.subarray(1000, 1500)));
  const tail = ok(await d.api('GET', `/api/2.0/dbfs/read?path=${dir}/r&offset=2900&length=500`));
  assert.equal(tail.bytes_read, 100);
  const eof = ok(await d.api('GET', `/api/2.0/dbfs/read?path=${dir}/r&offset=3000`));
  assert.equal(eof.bytes_read, 0); assert.equal(eof.data, '');
  isError(await d.api('GET', `/api/2.0/dbfs/read?path=${dir}/r&length=1048577`), 400, 'MAX_READ_SIZE_EXCEEDED');
  isError(await d.api('GET', `/api/2.0/dbfs/read?path=${dir}/r&offset=-1`), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('GET', `/api/2.0/dbfs/read?path=${dir}`), 400, 'INVALID_PARAMETER_VALUE', /directory/);
  isError(await d.api('GET', `/api/2.0/dbfs/read?path=${dir}/none`), 404, 'RESOURCE_DOES_NOT_EXIST');
});

test('put (multipart/form-data): a streamed multi-MB file part, fields before or after it, query path', async () => {
  const dir = uniq('form');
  const data = randomBytes(5 * 1024 * 1024 + 77);
  // the file part first, path after it (the parser streams the part before knowing where it goes)
  let m = multipart([{ name: 'contents', filename: 'x.bin', value: data }, { name: 'path', value: `${dir}/x.bin` }]);
  ok(await raw('POST', '/api/2.0/dbfs/put', { body: m.body, headers: { 'Content-Type': m.type } }));
  assert.ok((await readRaw(`${dir}/x.bin`)).equals(data));
  // a boundary-like sequence inside the data does not end the part
  const tricky = Buffer.concat([Buffer.from('\r\n--'), randomBytes(100), Buffer.from('\r\n-\r\n--xyzzy-boundar\r\r\n--xyzzy-boundarX')]);
  m = multipart([{ name: 'path', value: `${dir}/t.bin` }, { name: 'overwrite', value: 'false' }, { name: 'contents', filename: 't', value: tricky }], 'xyzzy-boundary');
  ok(await raw('POST', '/api/2.0/dbfs/put', { body: m.body, headers: { 'Content-Type': m.type } }));
  assert.ok((await readRaw(`${dir}/t.bin`)).equals(tricky));
  m = multipart([{ name: 'path', value: `${dir}/t.bin` }, { name: 'contents', filename: 't', value: 'again' }]);
  isError(await raw('POST', '/api/2.0/dbfs/put', { body: m.body, headers: { 'Content-Type': m.type } }), 400, 'RESOURCE_ALREADY_EXISTS');
  m = multipart([{ name: 'overwrite', value: 'true' }, { name: 'contents', filename: 't', value: 'again' }]);
  ok(await raw('POST', `/api/2.0/dbfs/put?path=${encodeURIComponent(`${dir}/t.bin`)}`, { body: m.body, headers: { 'Content-Type': m.type } }));
  assert.equal((await readRaw(`${dir}/t.bin`)).toString(), 'again');
  // malformed bodies
  const truncated = m.body.subarray(0, m.body.length - 10);
  isError(await raw('POST', `/api/2.0/dbfs/put?path=${dir}/u`, { body: truncated, headers: { 'Content-Type': m.type } }), 400, 'MALFORMED_REQUEST');
  isError(await raw('POST', `/api/2.0/dbfs/put?path=${dir}/u`, { body: m.body, headers: { 'Content-Type': 'multipart/form-data' } }), 400, 'INVALID_PARAMETER_VALUE', /boundary/);
  m = multipart([{ name: 'contents', filename: 't', value: 'no path' }]);
  isError(await raw('POST', '/api/2.0/dbfs/put', { body: m.body, headers: { 'Content-Type': m.type } }), 400, 'INVALID_PARAMETER_VALUE', /path/);
  isError(await d.api('GET', `/api/2.0/dbfs/get-status?path=${dir}/u`), 404, 'RESOURCE_DOES_NOT_EXIST');
  await d.waitFor(stagingEmpty);
});

test('delete: files, non-empty directories need recursive (IO_ERROR), missing is fine, the root is refused', async () => {
  const dir = uniq('del');
  ok(await put(`${dir}/a/b/c`, 'x'));
  ok(await put(`${dir}/f`, 'x'));
  ok(await d.api('POST', '/api/2.0/dbfs/delete', { path: `${dir}/f` }));
  isError(await d.api('GET', `/api/2.0/dbfs/get-status?path=${dir}/f`), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('POST', '/api/2.0/dbfs/delete', { path: `${dir}/a` }), 400, 'IO_ERROR');
  isError(await d.api('POST', '/api/2.0/dbfs/delete', { path: dir, recursive: false }), 400, 'IO_ERROR');
  ok(await d.api('POST', '/api/2.0/dbfs/mkdirs', { path: `${dir}/empty` }));
  ok(await d.api('POST', '/api/2.0/dbfs/delete', { path: `${dir}/empty` }));
  ok(await d.api('POST', '/api/2.0/dbfs/delete', { path: dir, recursive: 'true' }));
  isError(await d.api('GET', `/api/2.0/dbfs/get-status?path=${dir}`), 404, 'RESOURCE_DOES_NOT_EXIST');
  ok(await d.api('POST', '/api/2.0/dbfs/delete', { path: `${dir}/never` }));
  isError(await d.api('POST', '/api/2.0/dbfs/delete', { path: '/', recursive: true }), 400, 'INVALID_PARAMETER_VALUE');
});

test('move: files and directories, existing destination, missing source, into itself', async () => {
  const dir = uniq('mv');
  ok(await put(`${dir}/a/f`, 'one'));
  ok(await put(`${dir}/g`, 'two'));
  ok(await d.api('POST', '/api/2.0/dbfs/move', { source_path: `${dir}/g`, destination_path: `dbfs:${dir}/new/deep/g2` }));
  assert.equal((await readRaw(`${dir}/new/deep/g2`)).toString(), 'two');
  isError(await d.api('GET', `/api/2.0/dbfs/get-status?path=${dir}/g`), 404, 'RESOURCE_DOES_NOT_EXIST');
  ok(await d.api('POST', '/api/2.0/dbfs/move', { source_path: `${dir}/a`, destination_path: `${dir}/b` }));
  assert.equal((await readRaw(`${dir}/b/f`)).toString(), 'one');
  isError(await d.api('POST', '/api/2.0/dbfs/move', { source_path: `${dir}/b`, destination_path: `${dir}/new` }), 400, 'RESOURCE_ALREADY_EXISTS');
  isError(await d.api('POST', '/api/2.0/dbfs/move', { source_path: `${dir}/b/f`, destination_path: `${dir}/new/deep/g2` }), 400, 'RESOURCE_ALREADY_EXISTS');
  isError(await d.api('POST', '/api/2.0/dbfs/move', { source_path: `${dir}/zz`, destination_path: `${dir}/yy` }), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('POST', '/api/2.0/dbfs/move', { source_path: `${dir}/b`, destination_path: `${dir}/b/inside` }), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('POST', '/api/2.0/dbfs/move', { source_path: `${dir}/b` }), 400, 'INVALID_PARAMETER_VALUE', /destination_path/);
});

test('create / add-block / close: invisible until close, byte-identical, limits and errors', async () => {
  const path = `${uniq('stream')}/data.bin`;
  const { handle } = ok(await d.api('POST', '/api/2.0/dbfs/create', { path }));
  assert.ok(Number.isInteger(handle) && handle > 0);
  const blocks = [randomBytes(1024 * 1024), randomBytes(12345), randomBytes(1)];
  for (const b of blocks) ok(await d.api('POST', '/api/2.0/dbfs/add-block', { handle, data: b64(b) }));
  isError(await d.api('GET', `/api/2.0/dbfs/get-status?path=${path}`), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('POST', '/api/2.0/dbfs/add-block', { handle, data: b64(randomBytes(1024 * 1024 + 1)) }), 400, 'MAX_BLOCK_SIZE_EXCEEDED');
  ok(await d.api('POST', '/api/2.0/dbfs/close', { handle: String(handle) }));
  assert.ok((await readRaw(path)).equals(Buffer.concat(blocks)));
  isError(await d.api('POST', '/api/2.0/dbfs/close', { handle }), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('POST', '/api/2.0/dbfs/add-block', { handle, data: 'AA==' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  // an existing file needs overwrite, checked at create
  isError(await d.api('POST', '/api/2.0/dbfs/create', { path }), 400, 'RESOURCE_ALREADY_EXISTS');
  const h2 = ok(await d.api('POST', '/api/2.0/dbfs/create', { path, overwrite: true })).handle;
  ok(await d.api('POST', '/api/2.0/dbfs/add-block', { handle: h2, data: b64('new') }));
  assert.equal((await readRaw(path)).length, blocks.reduce((n, b) => n + b.length, 0)); // still the old one
  ok(await d.api('POST', '/api/2.0/dbfs/close', { handle: h2 }));
  assert.equal((await readRaw(path)).toString(), 'new');
  isError(await d.api('POST', '/api/2.0/dbfs/add-block', { handle: 12345, data: 'AA==' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('POST', '/api/2.0/dbfs/add-block', { handle: h2 }), 400, 'INVALID_PARAMETER_VALUE', /data/);
  isError(await d.api('POST', '/api/2.0/dbfs/create', { path: '/' }), 400, 'INVALID_PARAMETER_VALUE');
  await d.waitFor(stagingEmpty);
});

test('handles belong to their principal and expire when idle', async () => {
  const u = ok(await d.api('POST', `${SCIM}/Users`, { userName: `dbfs-${process.pid}@example.com` }), 201);
  const tok = ok(await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: u.id })).token_value;
  const path = `${uniq('own')}/f`;
  const { handle } = ok(await d.api('POST', '/api/2.0/dbfs/create', { path }));
  isError(await d.api('POST', '/api/2.0/dbfs/add-block', { handle, data: 'AA==' }, { token: tok }), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('POST', '/api/2.0/dbfs/close', { handle }, { token: tok }), 404, 'RESOURCE_DOES_NOT_EXIST');
  ok(await d.api('POST', '/api/2.0/dbfs/add-block', { handle, data: 'AA==' }));
  // the user reads and writes DBFS too (workspace-wide), with handles of their own
  const theirs = ok(await d.api('POST', '/api/2.0/dbfs/create', { path: `${path}-user` }, { token: tok })).handle;
  ok(await d.api('POST', '/api/2.0/dbfs/close', { handle: theirs }, { token: tok }));
  ok(await d.api('GET', `/api/2.0/dbfs/get-status?path=${path}-user`));
  // 10 "minutes" of 100 ms idle: the handle and its bytes go away
  await new Promise((r) => setTimeout(r, 1600));
  isError(await d.api('POST', '/api/2.0/dbfs/close', { handle }), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('GET', `/api/2.0/dbfs/get-status?path=${path}`), 404, 'RESOURCE_DOES_NOT_EXIST');
  await d.waitFor(stagingEmpty);
});

test('raw /dbfs/<path>: streamed upload (POST and PUT), byte-identical download, Range, HEAD, errors', async () => {
  const dir = uniq('raw');
  const data = randomBytes(7 * 1024 * 1024 + 3);
  ok(await raw('POST', `/dbfs${dir}/m/blob.bin`, { body: data }));
  const got = await raw('GET', `/dbfs${dir}/m/blob.bin`);
  assert.equal(got.status, 200);
  assert.equal(got.headers['content-length'], String(data.length));
  assert.ok(got.headers['last-modified']);
  assert.ok(got.body.equals(data));
  const part = await raw('GET', `/dbfs${dir}/m/blob.bin`, { headers: { Range: 'bytes=1000-1999' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-range'], `bytes 1000-1999/${data.length}`);
  assert.ok(part.body.equals(data.subarray(1000, 2000)));
  const suffix = await raw('GET', `/dbfs${dir}/m/blob.bin`, { headers: { Range: 'bytes=-10' } });
  assert.equal(suffix.status, 206);
  assert.ok(suffix.body.equals(data.subarray(data.length - 10)));
  const head = await raw('HEAD', `/dbfs${dir}/m/blob.bin`);
  assert.equal(head.status, 200); assert.equal(head.body.length, 0);
  // PUT replaces (MLflow logs an artifact again), overwrite=false refuses
  ok(await raw('PUT', `/dbfs${dir}/m/blob.bin`, { body: Buffer.from('v2') }));
  assert.equal((await readRaw(`${dir}/m/blob.bin`)).toString(), 'v2');
  isError(await raw('PUT', `/dbfs${dir}/m/blob.bin?overwrite=false`, { body: Buffer.from('v3') }), 400, 'RESOURCE_ALREADY_EXISTS');
  ok(await raw('POST', `/dbfs${dir}/empty`, { body: Buffer.alloc(0) }));
  assert.equal((await readRaw(`${dir}/empty`)).length, 0);
  isError(await raw('PUT', `/dbfs${dir}/m`, { body: Buffer.from('x') }), 400, 'RESOURCE_ALREADY_EXISTS');
  isError(await raw('GET', `/dbfs${dir}/m`), 400, 'INVALID_PARAMETER_VALUE', /directory/);
  isError(await raw('GET', `/dbfs${dir}/nope`), 404, 'RESOURCE_DOES_NOT_EXIST');
  assert.equal((await raw('GET', `/dbfs${dir}/m/blob.bin`, { token: null })).status, 401);
  assert.equal((await raw('PUT', `/dbfs${dir}/m/blob.bin`, { token: null, body: Buffer.from('x') })).status, 401);
});

test('traversal: .., %2e%2e, encoded separators, relative and NUL paths, a planted symlink', async () => {
  const dir = uniq('trav');
  ok(await put(`${dir}/inside`, 'in'));
  for (const p of [`${dir}/../etc`, '/../etc/passwd', `${dir}/./inside`, `${dir}/%2e%2e/x`, `${dir}/%2E%2e`,
    `${dir}/a%2fb`, `${dir}/a%5Cb`, 'etc/passwd', 'dbfs:etc', '', `${dir}//inside`, `${dir}/a\u0001b`]) {
    isError(await d.api('GET', `/api/2.0/dbfs/get-status?path=${encodeURIComponent(p)}`), 400, 'INVALID_PARAMETER_VALUE', undefined);
    isError(await put(p, 'x'), 400, 'INVALID_PARAMETER_VALUE');
  }
  const nul = await d.api('POST', '/api/2.0/dbfs/put', `{"path":"${dir}/a\\u0000/../../x","contents":""}`);
  assert.equal(nul.status, 400, nul.text);
  for (const p of [`/dbfs${dir}/../../etc/passwd`, '/dbfs/%2e%2e/%2e%2e/etc/passwd', `/dbfs${dir}/%2e%2e/inside`,
    '/dbfs//etc/passwd', `/dbfs${dir}/%252e%252e/x`, `/dbfs/.lh-staging/x`]) {
    isError(await raw('GET', p), 400, 'INVALID_PARAMETER_VALUE');
    isError(await raw('PUT', p, { body: Buffer.from('x') }), 400, 'INVALID_PARAMETER_VALUE');
  }
  // a symlink planted inside DATA_DIR/dbfs pointing outside: never followed
  const outside = mkdtempSync(join(tmpdir(), 'lh-outside-'));
  try {
    writeFileSync(join(outside, 'secret'), 'secret');
    mkdirSync(join(d.dataDir, 'dbfs', dir.slice(1), 'sub'), { recursive: true });
    symlinkSync(outside, join(d.dataDir, 'dbfs', dir.slice(1), 'sub', 'link'));
    symlinkSync(join(outside, 'secret'), join(d.dataDir, 'dbfs', dir.slice(1), 'filelink'));
    const l = `${dir}/sub/link`;
    isError(await d.api('GET', `/api/2.0/dbfs/list?path=${l}`), 400, 'INVALID_PARAMETER_VALUE', /symbolic/);
    isError(await d.api('GET', `/api/2.0/dbfs/get-status?path=${l}/secret`), 400, 'INVALID_PARAMETER_VALUE');
    isError(await d.api('GET', `/api/2.0/dbfs/read?path=${l}/secret`), 400, 'INVALID_PARAMETER_VALUE');
    isError(await d.api('GET', `/api/2.0/dbfs/read?path=${dir}/filelink`), 400, 'INVALID_PARAMETER_VALUE');
    isError(await raw('GET', `/dbfs${l}/secret`), 400, 'INVALID_PARAMETER_VALUE');
    isError(await raw('GET', `/dbfs${dir}/filelink`), 400, 'INVALID_PARAMETER_VALUE');
    isError(await raw('PUT', `/dbfs${l}/new`, { body: Buffer.from('x') }), 400, 'INVALID_PARAMETER_VALUE');
    isError(await put(`${l}/secret`, 'pwned', { overwrite: true }), 400, 'INVALID_PARAMETER_VALUE');
    isError(await d.api('POST', '/api/2.0/dbfs/mkdirs', { path: `${l}/d` }), 400, 'INVALID_PARAMETER_VALUE');
    isError(await d.api('POST', '/api/2.0/dbfs/move', { source_path: `${dir}/inside`, destination_path: `${l}/moved` }), 400, 'INVALID_PARAMETER_VALUE');
    isError(await d.api('POST', '/api/2.0/dbfs/create', { path: `${l}/h` }), 400, 'INVALID_PARAMETER_VALUE');
    // the link itself is not listed; deleting the tree removes the link, not its target
    const listed = ok(await d.api('GET', `/api/2.0/dbfs/list?path=${dir}/sub`));
    assert.deepEqual(listed, {});
    ok(await d.api('POST', '/api/2.0/dbfs/delete', { path: dir, recursive: true }));
    assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'secret');
    assert.deepEqual(readdirSync(outside), ['secret']);
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});

test('cut uploads leave nothing: raw and multipart', async () => {
  const dir = uniq('cut');
  await cutUpload('PUT', `/dbfs${dir}/raw.bin`, 64 * 1024 * 1024, 4 * 1024 * 1024);
  const b = 'cutboundary';
  const head = Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="path"\r\n\r\n${dir}/form.bin\r\n`
    + `--${b}\r\nContent-Disposition: form-data; name="contents"; filename="f"\r\n\r\n`);
  await cutUpload('POST', '/api/2.0/dbfs/put', 64 * 1024 * 1024, 4 * 1024 * 1024,
    { 'Content-Type': `multipart/form-data; boundary=${b}` }, head);
  await d.waitFor(stagingEmpty);
  isError(await d.api('GET', `/api/2.0/dbfs/get-status?path=${dir}/raw.bin`), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('GET', `/api/2.0/dbfs/get-status?path=${dir}/form.bin`), 404, 'RESOURCE_DOES_NOT_EXIST');
});

test('a principal without workspace-access is refused; 501 is gone', async () => {
  const e = await startDaemon();
  try {
    const u = (await e.api('POST', `${SCIM}/Users`, { userName: 'nows@example.com' })).json;
    const tok = (await e.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: u.id })).json.token_value;
    const users = (await e.api('GET', `${SCIM}/Groups?filter=${encodeURIComponent('displayName eq "users"')}`)).json.Resources[0];
    const r = await e.api('PATCH', `${SCIM}/Groups/${users.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'remove', path: 'entitlements', value: [{ value: 'workspace-access' }] }] });
    assert.equal(r.status, 200, r.text);
    const denied = await e.api('GET', '/api/2.0/dbfs/list?path=/', undefined, { token: tok });
    assert.equal(denied.status, 403, denied.text);
    assert.equal(denied.json.error_code, 'PERMISSION_DENIED');
    assert.equal((await e.api('GET', '/api/2.0/dbfs/list?path=/')).status, 200); // admins keep it
    const unknown = await e.api('GET', '/api/2.0/dbfs/nope');
    assert.equal(unknown.status, 404, unknown.text);
  } finally {
    await e.stop();
  }
});

test('restart keeps published files and empties staging', async () => {
  const dir = uniq('restart');
  const data = randomBytes(300000);
  ok(await raw('PUT', `/dbfs${dir}/keep.bin`, { body: data }));
  const { handle } = ok(await d.api('POST', '/api/2.0/dbfs/create', { path: `${dir}/open` }));
  ok(await d.api('POST', '/api/2.0/dbfs/add-block', { handle, data: b64('pending') }));
  await d.kill9();
  assert.ok(!stagingEmpty()); // the open handle's bytes were left behind by the crash
  await d.restart();
  assert.ok((await readRaw(`${dir}/keep.bin`)).equals(data));
  isError(await d.api('POST', '/api/2.0/dbfs/close', { handle }), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('GET', `/api/2.0/dbfs/get-status?path=${dir}/open`), 404, 'RESOURCE_DOES_NOT_EXIST');
  assert.ok(stagingEmpty());
});
