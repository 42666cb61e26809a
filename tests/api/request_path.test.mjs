// request_path.test.mjs - the request path itself, through the test-only routes
// (LAKEHOUSE_TEST_ROUTES=1): streamed uploads and downloads with flat memory, Range,
// uploads cut off mid-way, parked (suspended) requests resumed in order without holding
// HTTP threads, refusals before the body is read, and 5xx answers that hide internals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { startDaemon } from './harness.mjs';

const BIG = Number(process.env.LH_TEST_BIG_BYTES ?? 2 * 1024 * 1024 * 1024);
let d;
before(async () => { d = await startDaemon({ env: { LAKEHOUSE_TEST_ROUTES: '1' }, args: ['--threads', '2'] }); });
after(async () => { await d.stop(); });

const pattern = (off, n) => { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = ((off + i) * 31 + 7) & 0xff; return b; };

// PUT `bytes` bytes (a repeating 1 MiB block) to path; resolves with the response.
function upload(path, bytes, { cutAfter } = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(d.url + path, {
      method: 'PUT', headers: { Authorization: `Bearer ${d.token}`, 'Content-Length': String(bytes) },
    }, (res) => { let t = ''; res.on('data', (c) => { t += c; }); res.on('end', () => resolve({ status: res.statusCode, text: t })); });
    req.on('error', (e) => (cutAfter !== undefined ? resolve({ status: 0, error: e }) : reject(e)));
    const block = Buffer.alloc(1 << 20, 0x5a);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        if (cutAfter !== undefined && sent >= cutAfter) { req.destroy(); return; }
        const n = Math.min(block.length, bytes - sent);
        sent += n;
        if (!req.write(n === block.length ? block : block.subarray(0, n))) { req.once('drain', pump); return; }
      }
      req.end();
    };
    pump();
  });
}

// GET path; counts bytes and keeps at most `keep` of them.
function download(path, headers = {}, keep = 1 << 20) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(d.url + path, { headers: { Authorization: `Bearer ${d.token}`, ...headers } }, (res) => {
      let bytes = 0; const kept = [];
      res.on('data', (c) => { if (bytes < keep) kept.push(c); bytes += c.length; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, bytes, body: Buffer.concat(kept).subarray(0, keep) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test(`a ${BIG} byte upload and download stream with flat memory`, { timeout: 600000 }, async () => {
  const before = (await d.api('GET', '/api/2.0/lakehouse-test/rss')).json;
  const up = await upload('/api/2.0/lakehouse-test/blobs/big', BIG);
  assert.equal(up.status, 200, up.text);
  assert.equal(JSON.parse(up.text).bytes, BIG);
  const down = await download('/api/2.0/lakehouse-test/blobs/big', {}, 4096);
  assert.equal(down.status, 200);
  assert.equal(down.bytes, BIG);
  assert.equal(down.headers['accept-ranges'], 'bytes');
  assert.ok(down.body.every((b) => b === 0x5a));
  const after = (await d.api('GET', '/api/2.0/lakehouse-test/rss')).json;
  const growth = after.peak_rss_bytes - before.rss_bytes;
  assert.ok(growth < 32 * 1024 * 1024, `peak RSS grew by ${growth} bytes`);
});

test('Range: 206 with Content-Range, suffix and open ranges, 416 past the end', async () => {
  const size = 100000;
  const gen = '/api/2.0/lakehouse-test/stream?sized=1&bytes=' + size;
  let r = await download(gen, { Range: 'bytes=1000-1999' });
  assert.equal(r.status, 206);
  assert.equal(r.headers['content-range'], `bytes 1000-1999/${size}`);
  assert.deepEqual(r.body, pattern(1000, 1000));
  r = await download(gen, { Range: 'bytes=-10' });
  assert.equal(r.status, 206);
  assert.deepEqual(r.body, pattern(size - 10, 10));
  r = await download(gen, { Range: 'bytes=99990-' });
  assert.equal(r.headers['content-range'], `bytes 99990-99999/${size}`);
  assert.equal(r.bytes, 10);
  r = await download(gen, { Range: 'bytes=200000-' });
  assert.equal(r.status, 416);
  assert.equal(r.headers['content-range'], `bytes */${size}`);
  r = await download(gen, { Range: 'bytes=0-1,5-6' }); // several ranges: the whole body
  assert.equal(r.status, 200);
  assert.equal(r.bytes, size);
  // a file: the same through sendfile
  assert.equal((await upload('/api/2.0/lakehouse-test/blobs/small', 5000)).status, 200);
  r = await download('/api/2.0/lakehouse-test/blobs/small', { Range: 'bytes=4990-' });
  assert.equal(r.status, 206);
  assert.equal(r.bytes, 10);
  // unknown size: chunked, Range ignored
  r = await download('/api/2.0/lakehouse-test/stream?bytes=300000', { Range: 'bytes=0-9' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['transfer-encoding'], 'chunked');
  assert.equal(r.bytes, 300000);
  assert.deepEqual(r.body.subarray(0, 5000), pattern(0, 5000));
});

test('an upload cut off mid-way leaves nothing behind', async () => {
  const r = await upload('/api/2.0/lakehouse-test/blobs/cut', 64 << 20, { cutAfter: 8 << 20 });
  assert.equal(r.status, 0);
  for (let i = 0; i < 100; i++) {
    const files = (await d.api('GET', '/api/2.0/lakehouse-test/blobs')).json.files;
    if (!files.some((f) => f.includes('cut'))) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.fail('a partial upload was left behind');
});

// Send headers announcing a big body and read the answer without sending any of it.
function headersOnly(head) {
  return new Promise((resolve, reject) => {
    const s = connect(d.port, '127.0.0.1', () => s.write(head));
    let t = '';
    s.on('data', (c) => { t += c; if (t.includes('\r\n\r\n') && /\}\s*$/.test(t)) { s.destroy(); resolve(t); } });
    s.on('error', reject);
    setTimeout(() => { s.destroy(); resolve(t); }, 5000);
  });
}

test('refusals come before the body: no token, unknown route, over the limit', async () => {
  const big = 'Content-Length: 1073741824\r\nContent-Type: application/json\r\n\r\n';
  let t = await headersOnly(`POST /api/2.1/clusters/create HTTP/1.1\r\nHost: x\r\n${big}`);
  assert.match(t, /^HTTP\/1\.1 401/);
  t = await headersOnly(`PUT /api/2.0/lakehouse-test/blobs/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer dapi0\r\n${big}`);
  assert.match(t, /^HTTP\/1\.1 401/);
  t = await headersOnly(`POST /api/2.0/nothing-here HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${d.token}\r\n${big}`);
  assert.match(t, /^HTTP\/1\.1 404/);
  t = await headersOnly(`POST /api/2.1/clusters/create HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${d.token}\r\n${big}`);
  assert.match(t, /^HTTP\/1\.1 413/);
  assert.match(t, /REQUEST_ENTITY_TOO_LARGE/);
  const files = (await d.api('GET', '/api/2.0/lakehouse-test/blobs')).json.files;
  assert.ok(!files.includes('x'));
});

test('405 names the allowed methods', async () => {
  const r = await d.api('DELETE', '/api/2.1/clusters/get');
  assert.equal(r.status, 405);
  assert.match(r.headers.get('allow'), /GET/);
});

test('a 5xx hides internals and names the request id; the log has file:line once', async () => {
  const r = await d.api('GET', '/api/2.0/lakehouse-test/fail', undefined, { headers: { 'X-Request-Id': 'rid-5xx-test' } });
  assert.equal(r.status, 500);
  assert.equal(r.json.error_code, 'IO_ERROR');
  assert.ok(!r.json.message.includes(d.dataDir) && !/SQLITE|meta\.db/.test(r.json.message), r.json.message);
  assert.match(r.json.message, /rid-5xx-test/);
  await new Promise((res) => setTimeout(res, 200));
  const lines = d.stderr.split('\n').filter((l) => l.includes('rid-5xx-test') && l.includes('ERROR'));
  assert.equal(lines.length, 1, d.stderr);
  assert.match(lines[0], /test_routes\.c:\d+/);
});

test('1000 parked requests are resumed in order and hold no HTTP thread', { timeout: 120000 }, async () => {
  const N = 1000;
  const answers = [];
  for (let k = 0; k < N; k++) {
    answers.push(d.api('POST', `/api/2.0/lakehouse-test/park?key=${k}&timeout_ms=60000`).then((r) => r.json));
  }
  // a few with a short deadline are answered by it
  const late = [0, 1, 2].map((k) => d.api('POST', `/api/2.0/lakehouse-test/park?key=${N + k}&timeout_ms=200`));
  let count = 0;
  for (let i = 0; i < 600 && count < N + 3; i++) {
    // two HTTP threads, N parked: these still answer at once
    assert.equal((await d.api('GET', '/healthz', undefined, { token: null })).status, 200);
    count = (await d.api('GET', '/api/2.0/lakehouse-test/parked')).json.count;
    if (count < N + 3) await new Promise((res) => setTimeout(res, 50));
  }
  assert.equal(count, N + 3);
  for (const r of await Promise.all(late)) {
    assert.equal(r.status, 200);
    assert.equal(r.json.by, 'deadline');
  }
  const u = await d.api('POST', '/api/2.0/lakehouse-test/unpark');
  assert.equal(u.json.parked, N + 3);
  assert.equal(u.json.resumed, N);
  const got = await Promise.all(answers);
  const byIndex = got.slice().sort((a, b) => a.index - b.index);
  for (const a of got) assert.equal(a.by, 'resume');
  // resumed in the order they were parked (index: park order, seq: resume order)
  assert.deepEqual(byIndex.map((a) => a.seq), [...Array(N).keys()]);
  assert.deepEqual(new Set(got.map((a) => a.key)).size, N);
});

test('a parked request is answered 503 at shutdown', async () => {
  const d2 = await startDaemon({ env: { LAKEHOUSE_TEST_ROUTES: '1' } });
  const p = d2.api('POST', '/api/2.0/lakehouse-test/park?key=1&timeout_ms=60000');
  for (let i = 0; i < 100; i++) {
    if ((await d2.api('GET', '/api/2.0/lakehouse-test/parked')).json.count === 1) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  const stopping = d2.stop();
  const r = await p.catch((e) => ({ status: 0, error: e }));
  await stopping;
  assert.ok(r.status === 503 || r.status === 0, `got ${r.status}`);
});
