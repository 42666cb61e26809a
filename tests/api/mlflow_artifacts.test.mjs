// mlflow_artifacts.test.mjs - the MLflow artifact proxy over HTTP (api/workspace):
// upload (streamed, atomic), download (byte-identical, Range, HEAD), list (names under a
// path, as MLflow's server answers), delete, the /ajax-api alias, multipart uploads as
// MLflow's HttpArtifactRepository drives them (create -> unauthenticated PUTs to the part
// URLs -> complete; abort), traversal refused, a cut upload leaves nothing, restart keeps
// artifacts.
// Run: LH_BIN=build/lakehoused node --test tests/api/mlflow_artifacts.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from './harness.mjs';

const A = '/api/2.0/mlflow-artifacts/artifacts';
const MPU = '/api/2.0/mlflow-artifacts/mpu';
let d;
before(async () => { d = await startDaemon(); });
after(async () => { await d.stop(); });

const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.json; };
const isError = (r, status, code, msg) => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error_code, code, r.text);
  if (msg) assert.match(r.json.message, msg);
};
let seq = 0;
const uniq = (p) => `${p}-${process.pid}-${++seq}`;

// HTTP with a Buffer body; the path goes out verbatim. `url` may be absolute (part URLs).
function raw(method, path, { body, headers = {}, token = d.token } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(path.startsWith('http') ? path : d.url);
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    if (body !== undefined) h['Content-Length'] = String(body.length);
    const req = httpRequest({ hostname: u.hostname, port: u.port, path: path.startsWith('http') ? u.pathname : path, method, headers: h }, (res) => {
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

const upload = (key, data, prefix = A) => raw('PUT', `${prefix}/${key}`, { body: Buffer.from(data), headers: { 'Content-Type': 'application/octet-stream' } });
const list = async (path) => ok(await d.api('GET', path === undefined ? A : `${A}?path=${encodeURIComponent(path)}`));
const tmpFiles = (dir) => {
  const out = [];
  const walk = (p) => { for (const e of readdirSync(p, { withFileTypes: true })) { if (e.name.startsWith('.tmp-') && e.name !== '.tmp-mpu') out.push(join(p, e.name)); if (e.isDirectory()) walk(join(p, e.name)); } };
  if (existsSync(dir)) walk(dir);
  return out;
};

test('upload, download byte-identical (multi-MB), Range, HEAD, replace; /ajax-api alias', async () => {
  const run = uniq('run');
  const data = randomBytes(6 * 1024 * 1024 + 5);
  ok(await upload(`1/${run}/artifacts/model/model.pkl`, data));
  const got = await raw('GET', `${A}/1/${run}/artifacts/model/model.pkl`);
  assert.equal(got.status, 200);
  assert.equal(got.headers['content-length'], String(data.length));
  assert.ok(got.body.equals(data));
  const part = await raw('GET', `${A}/1/${run}/artifacts/model/model.pkl`, { headers: { Range: 'bytes=100-199' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-range'], `bytes 100-199/${data.length}`);
  assert.ok(part.body.equals(data.subarray(100, 200)));
  const head = await raw('HEAD', `${A}/1/${run}/artifacts/model/model.pkl`);
  assert.equal(head.status, 200); assert.equal(head.body.length, 0);
  ok(await upload(`1/${run}/artifacts/model/model.pkl`, 'v2'));
  assert.equal((await raw('GET', `${A}/1/${run}/artifacts/model/model.pkl`)).text, 'v2');
  ok(await upload(`1/${run}/artifacts/empty.txt`, ''));
  assert.equal((await raw('GET', `/ajax-api/2.0/mlflow-artifacts/artifacts/1/${run}/artifacts/empty.txt`)).body.length, 0);
  ok(await upload(`1/${run}/artifacts/ajax.txt`, 'via ajax', '/ajax-api/2.0/mlflow-artifacts/artifacts'));
  assert.equal((await raw('GET', `${A}/1/${run}/artifacts/ajax.txt`)).text, 'via ajax');
  // a directory or a missing path is not downloadable
  isError(await raw('GET', `${A}/1/${run}/artifacts/model`), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await raw('GET', `${A}/1/${run}/artifacts/nope`), 404, 'RESOURCE_DOES_NOT_EXIST');
  // a file where a directory must go and vice versa
  isError(await upload(`1/${run}/artifacts/ajax.txt/under`, 'x'), 400, 'INVALID_PARAMETER_VALUE');
  isError(await upload(`1/${run}/artifacts/model`, 'x'), 400, 'INVALID_PARAMETER_VALUE');
  assert.equal((await raw('GET', `${A}/1/${run}/artifacts/ajax.txt`, { token: null })).status, 401);
  assert.equal((await raw('PUT', `${A}/y`, { token: null, body: Buffer.from('y') })).status, 401);
});

test('list: names directly under a path, sorted, sizes for files only; files and missing paths list nothing', async () => {
  const run = uniq('ls');
  ok(await upload(`2/${run}/artifacts/b.txt`, 'bb'));
  ok(await upload(`2/${run}/artifacts/a-dir/x.txt`, 'x'));
  ok(await upload(`2/${run}/artifacts/a-dir/y/z.txt`, 'z'));
  ok(await upload(`2/${run}/artifacts/a.txt`, 'a'));
  const l = await list(`2/${run}/artifacts`);
  assert.deepEqual(l.files, [
    { path: 'a-dir', is_dir: true }, { path: 'a.txt', is_dir: false, file_size: 1 }, { path: 'b.txt', is_dir: false, file_size: 2 }]);
  assert.deepEqual((await list(`2/${run}/artifacts/a-dir`)).files, [{ path: 'x.txt', is_dir: false, file_size: 1 }, { path: 'y', is_dir: true }]);
  assert.deepEqual(await list(`2/${run}/artifacts/a.txt`), {});
  assert.deepEqual(await list(`2/${run}/nothing`), {});
  assert.deepEqual(await list(`2/${run}/artifacts/`), l); // a trailing slash
  assert.ok((await list()).files.some((f) => f.path === '2' && f.is_dir));
  assert.ok((await list('')).files.some((f) => f.path === '2'));
  assert.ok(!(await list()).files.some((f) => f.path.startsWith('.tmp')));
  const ajax = ok(await d.api('GET', `/ajax-api/2.0/mlflow-artifacts/artifacts?path=2/${run}/artifacts`));
  assert.deepEqual(ajax, l);
});

test('delete: a file, a whole directory, a missing path', async () => {
  const run = uniq('del');
  ok(await upload(`3/${run}/artifacts/keep.txt`, 'k'));
  ok(await upload(`3/${run}/artifacts/d/a.txt`, 'a'));
  ok(await upload(`3/${run}/artifacts/d/e/b.txt`, 'b'));
  ok(await raw('DELETE', `${A}/3/${run}/artifacts/keep.txt`));
  isError(await raw('GET', `${A}/3/${run}/artifacts/keep.txt`), 404, 'RESOURCE_DOES_NOT_EXIST');
  ok(await raw('DELETE', `${A}/3/${run}/artifacts/d`));
  assert.deepEqual(await list(`3/${run}/artifacts`), {});
  ok(await raw('DELETE', `${A}/3/${run}/never`));
  assert.ok(!existsSync(join(d.dataDir, 'mlflow-artifacts', '3', run, 'artifacts', 'd')));
});

test('multipart upload as the MLflow client drives it: create, unauthenticated part PUTs, complete', async () => {
  const run = uniq('mpu');
  const chunk = 1024 * 1024;
  const data = randomBytes(3 * chunk + 4321);
  const dir = `4/${run}/artifacts/model`;
  const c = ok(await d.api('POST', `${MPU}/create/${dir}`, { path: '/home/me/local dir/weights.bin', num_parts: 4 }));
  assert.match(c.upload_id, /^[0-9a-f]{32}$/);
  assert.deepEqual(c.credentials.map((x) => x.part_number), [1, 2, 3, 4]);
  assert.ok(c.credentials.every((x) => x.url.startsWith(d.url) && typeof x.headers === 'object'));
  // parts in any order, concurrently, without a token (requests.put(url, data, headers))
  const parts = await Promise.all(c.credentials.slice().reverse().map(async (cred) => {
    const i = cred.part_number - 1;
    const r = await raw('PUT', cred.url, { token: null, headers: cred.headers, body: data.subarray(i * chunk, Math.min(data.length, (i + 1) * chunk)) });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.headers.etag);
    return { part_number: cred.part_number, etag: r.headers.etag, url: cred.url };
  }));
  isError(await raw('GET', `${A}/${dir}/weights.bin`), 404, 'RESOURCE_DOES_NOT_EXIST'); // nothing before complete
  parts.sort((a, b) => a.part_number - b.part_number);
  isError(await d.api('POST', `${MPU}/complete/${dir}`, { path: 'weights.bin', upload_id: c.upload_id, parts: [parts[1], parts[0]] }), 400, 'INVALID_PARAMETER_VALUE', /ascending/);
  isError(await d.api('POST', `${MPU}/complete/${dir}`, { path: 'weights.bin', upload_id: c.upload_id, parts: [{ ...parts[0], etag: '"bogus"' }] }), 400, 'INVALID_PARAMETER_VALUE', /ETag/);
  isError(await d.api('POST', `${MPU}/complete/${dir}`, { path: 'other.bin', upload_id: c.upload_id, parts }), 400, 'INVALID_PARAMETER_VALUE');
  ok(await d.api('POST', `${MPU}/complete/${dir}`, { path: '/home/me/local dir/weights.bin', upload_id: c.upload_id, parts }));
  const got = await raw('GET', `${A}/${dir}/weights.bin`);
  assert.ok(got.body.equals(data));
  // the upload is gone afterwards
  isError(await d.api('POST', `${MPU}/complete/${dir}`, { path: 'weights.bin', upload_id: c.upload_id, parts }), 404, 'RESOURCE_DOES_NOT_EXIST');
  const late = await raw('PUT', c.credentials[0].url, { token: null, body: Buffer.from('late') });
  assert.equal(late.status, 404, late.text);
  assert.deepEqual(readdirSync(join(d.dataDir, 'mlflow-artifacts', '.tmp-mpu')), []);
  // at the root of the store (no directory in the URL)
  const r = ok(await d.api('POST', `${MPU}/create`, { path: `${run}.bin`, num_parts: 1 }));
  const p = await raw('PUT', r.credentials[0].url, { token: null, body: Buffer.from('root') });
  ok(await d.api('POST', `${MPU}/complete`, { path: `${run}.bin`, upload_id: r.upload_id, parts: [{ part_number: 1, etag: p.headers.etag }] }));
  assert.equal((await raw('GET', `${A}/${run}.bin`)).text, 'root');
});

test('multipart: abort, missing parts, bad ids and numbers, part limits, other principals', async () => {
  const run = uniq('mpx');
  const dir = `5/${run}/artifacts`;
  const c = ok(await d.api('POST', `/ajax-api/2.0/mlflow-artifacts/mpu/create/${dir}`, { path: 'f.bin', num_parts: 2 }));
  const p1 = await raw('PUT', c.credentials[0].url, { token: null, body: Buffer.from('one') });
  assert.equal(p1.status, 200);
  isError(await d.api('POST', `${MPU}/complete/${dir}`, { path: 'f.bin', upload_id: c.upload_id, parts: [{ part_number: 1, etag: p1.headers.etag }, { part_number: 2, etag: '' }] }), 400, 'INVALID_PARAMETER_VALUE', /not uploaded/);
  isError(await raw('PUT', c.credentials[0].url.replace(/\/1$/, '/3'), { token: null, body: Buffer.from('x') }), 400, 'INVALID_PARAMETER_VALUE');
  isError(await raw('PUT', c.credentials[0].url.replace(/\/1$/, '/0'), { token: null, body: Buffer.from('x') }), 400, 'INVALID_PARAMETER_VALUE');
  isError(await raw('PUT', `${MPU}/parts/${'0'.repeat(32)}/1`, { token: null, body: Buffer.from('x') }), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await raw('PUT', `${MPU}/parts/%2e%2e/1`, { token: null, body: Buffer.from('x') }), 404, 'RESOURCE_DOES_NOT_EXIST');
  // another user may not finish or abort it
  const u = ok(await d.api('POST', '/api/2.0/preview/scim/v2/Users', { userName: `${run}@example.com` }), 201);
  const tok = ok(await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: u.id })).token_value;
  isError(await d.api('POST', `${MPU}/abort/${dir}`, { path: 'f.bin', upload_id: c.upload_id }, { token: tok }), 403, 'PERMISSION_DENIED');
  ok(await d.api('POST', `${MPU}/abort/${dir}`, { path: 'f.bin', upload_id: c.upload_id }));
  isError(await d.api('POST', `${MPU}/abort/${dir}`, { path: 'f.bin', upload_id: c.upload_id }), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await raw('GET', `${A}/${dir}/f.bin`), 404, 'RESOURCE_DOES_NOT_EXIST');
  isError(await d.api('POST', `${MPU}/create/${dir}`, { path: 'f.bin', num_parts: 0 }), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('POST', `${MPU}/create/${dir}`, { path: 'f.bin', num_parts: 10001 }), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('POST', `${MPU}/create/${dir}`, { num_parts: 1 }), 400, 'INVALID_PARAMETER_VALUE', /path/);
  isError(await d.api('POST', `${MPU}/create/${dir}`, { path: 'dir/', num_parts: 1 }), 400, 'INVALID_PARAMETER_VALUE');
  isError(await raw('POST', `${MPU}/create/${dir}/..`, { body: Buffer.from('{"path":"f"}'), headers: { 'Content-Type': 'application/json' } }), 400, 'INVALID_PARAMETER_VALUE');
  assert.equal((await d.api('POST', `${MPU}/create/${dir}`, { path: 'f', num_parts: 1 }, { token: null })).status, 401);
});

test('traversal: .., %2e%2e, encoded separators, reserved names, a planted symlink', async () => {
  for (const p of ['../../etc/passwd', '%2e%2e/%2e%2e/etc/passwd', 'a/%252e%252e/b', 'a/%252Fb', '.tmp-mpu/x', 'a//b', './a']) {
    isError(await raw('GET', `${A}/${p}`), 400, 'INVALID_PARAMETER_VALUE');
    isError(await raw('PUT', `${A}/${p}`, { body: Buffer.from('x') }), 400, 'INVALID_PARAMETER_VALUE');
    isError(await raw('DELETE', `${A}/${p}`), 400, 'INVALID_PARAMETER_VALUE');
  }
  for (const p of ['..', '../x', 'a/../../x', '/etc', 'a/%2e%2e', '.tmp-mpu']) {
    isError(await d.api('GET', `${A}?path=${encodeURIComponent(p)}`), 400, 'INVALID_PARAMETER_VALUE');
  }
  const run = uniq('sym');
  mkdirSync(join(d.dataDir, 'mlflow-artifacts', run), { recursive: true });
  symlinkSync('/etc', join(d.dataDir, 'mlflow-artifacts', run, 'etc'));
  isError(await raw('GET', `${A}/${run}/etc/passwd`), 400, 'INVALID_PARAMETER_VALUE', /symbolic/);
  isError(await raw('PUT', `${A}/${run}/etc/new`, { body: Buffer.from('x') }), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('GET', `${A}?path=${run}/etc`), 400, 'INVALID_PARAMETER_VALUE');
  isError(await d.api('POST', `${MPU}/create/${run}/etc`, { path: 'x', num_parts: 1 }), 400, 'INVALID_PARAMETER_VALUE');
});

test('a cut upload leaves nothing; restart keeps artifacts', async () => {
  const run = uniq('cut');
  await new Promise((resolve) => {
    const u = new URL(d.url);
    const req = httpRequest({ hostname: u.hostname, port: u.port, path: `${A}/${run}/big.bin`, method: 'PUT',
      headers: { Authorization: `Bearer ${d.token}`, 'Content-Length': String(64 << 20) } }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', resolve);
    const block = Buffer.alloc(64 * 1024, 1);
    let sent = 0;
    const pump = () => {
      while (sent < (4 << 20)) { sent += block.length; if (!req.write(block)) { req.once('drain', pump); return; } }
      setTimeout(() => { req.destroy(); resolve(); }, 50);
    };
    pump();
  });
  const root = join(d.dataDir, 'mlflow-artifacts');
  await d.waitFor(() => tmpFiles(root).length === 0);
  isError(await raw('GET', `${A}/${run}/big.bin`), 404, 'RESOURCE_DOES_NOT_EXIST');
  const data = randomBytes(200000);
  ok(await upload(`${run}/kept.bin`, data));
  await d.kill9();
  await d.restart();
  assert.ok((await raw('GET', `${A}/${run}/kept.bin`)).body.equals(data));
});
