// server.test.mjs - the daemon itself: flags, start-up, errors, ops endpoints, shutdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, startDaemon } from './harness.mjs';

let d;
before(async () => { d = await startDaemon(); });
after(async () => { await d.stop(); });

const isError = (r, status, code) => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error_code, code, r.text);
  assert.equal(typeof r.json?.message, 'string');
};

test('healthz needs no auth; well-known answers', async () => {
  const r = await d.api('GET', '/healthz', undefined, { token: null });
  assert.equal(r.status, 200);
  const w = await d.api('GET', '/.well-known/databricks-config', undefined, { token: null });
  assert.equal(w.status, 200);
  assert.ok(w.json.workspace_id);
});

test('unknown path is 404 ENDPOINT_NOT_FOUND, wrong method 405', async () => {
  isError(await d.api('GET', '/api/2.0/nope'), 404, 'ENDPOINT_NOT_FOUND');
  isError(await d.api('GET', '/api/2.0/nope', undefined, { token: null }), 404, 'ENDPOINT_NOT_FOUND');
  isError(await d.api('DELETE', '/api/2.1/clusters/get'), 405, 'METHOD_NOT_ALLOWED');
});

test('api routes need a valid bearer token', async () => {
  isError(await d.api('GET', '/api/2.0/preview/scim/v2/Me', undefined, { token: null }), 401, 'UNAUTHENTICATED');
  isError(await d.api('GET', '/api/2.0/preview/scim/v2/Me', undefined, { token: 'dapi00000000000000000000000000000000' }), 401, 'UNAUTHENTICATED');
  isError(await d.api('GET', '/api/2.0/preview/scim/v2/Me', undefined, { token: null, headers: { Authorization: 'Basic eDp5' } }), 401, 'UNAUTHENTICATED');
});

test('malformed JSON, non-object JSON and oversized bodies are refused', async () => {
  isError(await d.api('POST', '/api/2.1/clusters/create', '{"spark_version":'), 400, 'MALFORMED_REQUEST');
  isError(await d.api('POST', '/api/2.1/clusters/create', '[1,2]'), 400, 'MALFORMED_REQUEST');
  const deep = '{"a":'.repeat(100) + '1' + '}'.repeat(100);
  isError(await d.api('POST', '/api/2.1/clusters/create', deep), 400, 'MALFORMED_REQUEST');
  // the limit is 1 MiB: N bytes pass the HTTP layer, N+1 get 413
  const sized = (n) => { const head = '{"spark_version":"x","pad":"'; return head + 'y'.repeat(n - head.length - 2) + '"}'; };
  const atLimit = sized(1024 * 1024), overLimit = sized(1024 * 1024 + 1);
  assert.equal(Buffer.byteLength(atLimit), 1024 * 1024);
  isError(await d.api('POST', '/api/2.1/clusters/create', overLimit), 413, 'REQUEST_ENTITY_TOO_LARGE');
  const r = await d.api('POST', '/api/2.1/clusters/create', atLimit);
  assert.notEqual(r.status, 413);
  const list = await d.api('GET', '/api/2.1/clusters/list');
  assert.equal(list.status, 200);
});

test('GET parameters come from the query string or a JSON body', async () => {
  const q = await d.api('GET', '/api/2.1/clusters/get?cluster_id=missing');
  isError(q, 404, 'RESOURCE_DOES_NOT_EXIST');
  const b = await d.raw('GET', '/api/2.1/clusters/get', { cluster_id: 'missing' });
  isError(b, 404, 'RESOURCE_DOES_NOT_EXIST');
  const m = await d.api('GET', '/api/2.1/clusters/get');
  isError(m, 400, 'INVALID_PARAMETER_VALUE');
});

test('responses carry a request id (echoed when given) and success bodies are JSON', async () => {
  const r = await d.api('GET', '/api/2.0/preview/scim/v2/Me', undefined, { headers: { 'X-Request-Id': 'abc-123' } });
  assert.equal(r.headers.get('x-request-id'), 'abc-123');
  const r2 = await d.api('GET', '/api/2.0/token/list');
  assert.match(r2.headers.get('x-request-id'), /^[0-9a-f-]{36}$/);
  assert.equal(r2.headers.get('content-type'), 'application/json');
});

test('metrics: requests by route and status, latency histogram, clusters by state', async () => {
  await d.api('GET', '/api/2.1/clusters/list');
  const r = await d.api('GET', '/metrics', undefined, { token: null });
  assert.equal(r.status, 200);
  assert.match(r.text, /lakehouse_http_requests_total\{route="GET \/api\/\{2\.0\|2\.1\}\/clusters\/list",status="200"\} \d+/);
  assert.match(r.text, /lakehouse_http_request_duration_seconds_bucket\{le="\+Inf"\} \d+/);
  assert.match(r.text, /lakehouse_clusters\{state="RUNNING"\} \d+/);
});

test('bad flags and unusable data dirs exit non-zero with one line', () => {
  const r1 = spawnSync(BIN, ['--bogus']);
  assert.notEqual(r1.status, 0);
  assert.match(r1.stderr.toString(), /^lakehoused: unknown argument '--bogus'/);
  assert.equal(r1.stderr.toString().trim().split('\n').length, 1);
  const r2 = spawnSync(BIN, ['--listen', 'nope']);
  assert.notEqual(r2.status, 0);
  assert.match(r2.stderr.toString(), /--listen/);
  const file = join(mkdtempSync(join(tmpdir(), 'lh-')), 'f');
  writeFileSync(file, 'x');
  const r3 = spawnSync(BIN, ['--listen', '127.0.0.1:0', '--data-dir', file], { timeout: 5000 });
  assert.notEqual(r3.status, 0);
  assert.match(r3.stderr.toString(), /data dir/);
  const r4 = spawnSync(BIN, ['--config', '/nonexistent.json'], { timeout: 5000 });
  assert.notEqual(r4.status, 0);
  assert.match(r4.stderr.toString(), /--config/);
});

test('without LAKEHOUSE_ADMIN_TOKEN a token is generated into DATA_DIR/admin-token (0600)', async () => {
  const d2 = await startDaemon({ noEnvToken: true });
  try {
    const tok = d2.adminTokenFile();
    assert.match(tok, /^dapi[0-9a-f]{32}$/);
    assert.equal(statSync(join(d2.dataDir, 'admin-token')).mode & 0o777, 0o600);
    const r = await d2.api('GET', '/api/2.0/preview/scim/v2/Me', undefined, { token: tok });
    assert.equal(r.status, 200);
    // the same token survives a restart
    await d2.stop({ keep: true });
    await d2.restart();
    assert.equal(d2.adminTokenFile(), tok);
    assert.equal((await d2.api('GET', '/api/2.0/preview/scim/v2/Me', undefined, { token: tok })).status, 200);
  } finally {
    await d2.stop();
  }
});

test('SIGTERM stops cleanly with exit code 0', async () => {
  const d2 = await startDaemon();
  const exit = await d2.stop();
  assert.equal(exit.code, 0);
  assert.match(d2.stderr, /shutting down/);
  assert.doesNotMatch(d2.stderr, /requires|ERROR/); // e.g. quiesce refused by libmicrohttpd
});

test('a meta.db from a newer version is refused at start', async () => {
  const d2 = await startDaemon();
  await d2.stop({ keep: true });
  const db = join(d2.dataDir, 'meta.db');
  const buf = readFileSync(db);
  buf.writeUInt32BE(9999, 60); // SQLite header: user_version at offset 60
  writeFileSync(db, buf);
  const r = spawnSync(BIN, ['--listen', '127.0.0.1:0', '--data-dir', d2.dataDir], { timeout: 5000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr.toString(), /newer/);
  rmSync(d2.dataDir, { recursive: true, force: true });
});

test('past --max-inflight open requests, new ones get 429 with Retry-After', async () => {
  const { connect } = await import('node:net');
  const d2 = await startDaemon({ args: ['--max-inflight', '2'] });
  const open = [];
  try {
    const partial = () => new Promise((res) => {
      const s = connect(d2.port, '127.0.0.1', () => {
        s.write(`POST /api/2.0/token/create HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${d2.token}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{');
        res(s);
      });
    });
    open.push(await partial());
    // N-1 open: one more request is the N-th and passes
    assert.equal((await d2.api('GET', '/api/2.0/token/list')).status, 200);
    open.push(await partial());
    await new Promise((r) => setTimeout(r, 100)); // let the server see both
    const r = await d2.api('GET', '/api/2.0/token/list');
    assert.equal(r.status, 429);
    assert.equal(r.json.error_code, 'REQUEST_LIMIT_EXCEEDED');
    assert.equal(r.headers.get('retry-after'), '1');
    // finishing one open request frees its slot
    const done = new Promise((res) => open[0].once('data', (b) => res(b.toString())));
    open[0].write('}');
    assert.match(await done, /^HTTP\/1\.1 200/); // the body completes: answered, slot freed
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await d2.api('GET', '/api/2.0/token/list')).status, 200);
  } finally {
    for (const s of open) s.destroy();
    await d2.stop();
  }
});

test('areas not built yet answer 501 NOT_IMPLEMENTED naming the area, for any method', async () => {
  for (const [method, path, area] of [
    ['GET', '/api/2.0/sql/queries', 'SQL queries'],
    ['GET', '/api/2.0/mlflow/scorers/list?experiment_id=0', 'MLflow'],
    ['GET', '/api/2.1/unity-catalog/permissions/catalog/main', 'Unity Catalog'],
    ['GET', '/api/2.0/fs/files/tmp/x', 'Files'],
    ['DELETE', '/api/2.0/pipelines/abc', 'Pipelines'],
  ]) {
    const r = await d.api(method, path);
    isError(r, 501, 'NOT_IMPLEMENTED');
    assert.match(r.json.message, new RegExp(area));
  }
  // still behind authentication, and other unknown paths stay 404
  isError(await d.api('POST', '/api/2.1/jobs/create', {}, { token: null }), 401, 'UNAUTHENTICATED');
  isError(await d.api('GET', '/api/2.0/unknown-area/x'), 404, 'ENDPOINT_NOT_FOUND');
});

test('one daemon per port and per data dir; a failed start leaves no data dir behind', async () => {
  const d2 = await startDaemon();
  try {
    // the same port: fails, naming the address and the cause
    const fresh = join(mkdtempSync(join(tmpdir(), 'lh-')), 'never-made');
    const r1 = spawnSync(BIN, ['--listen', `127.0.0.1:${d2.port}`, '--data-dir', fresh], { timeout: 5000 });
    assert.equal(r1.status, 1);
    assert.match(r1.stderr.toString(), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${d2.port}: Address already in use`));
    assert.throws(() => statSync(fresh), /ENOENT/);
    // the same data dir on another port: refused, naming the holder's pid
    const r2 = spawnSync(BIN, ['--listen', '127.0.0.1:0', '--data-dir', d2.dataDir], { timeout: 5000 });
    assert.equal(r2.status, 1);
    assert.match(r2.stderr.toString(), new RegExp(`in use by another lakehoused \\(pid ${d2.proc.pid}\\)`));
    assert.equal((await d2.api('GET', '/api/2.0/preview/scim/v2/Me')).status, 200);
    // kill -9 releases the lock: a restart on the same dir works
    await d2.kill9();
    await d2.restart();
    assert.equal((await d2.api('GET', '/api/2.0/preview/scim/v2/Me')).status, 200);
  } finally {
    await d2.stop();
  }
});

test('config: every flag has a file key, unknown keys are errors, --help lists them', async () => {
  const help = spawnSync(BIN, ['--help']);
  assert.equal(help.status, 0);
  for (const flag of ['--listen', '--data-dir', '--config', '--threads', '--max-inflight', '--no-access-log',
    '--tls-cert', '--tls-key', '--log-level', '--log-format', 'LAKEHOUSE_ADMIN_TOKEN']) {
    assert.ok(help.stdout.toString().includes(flag), flag);
  }
  const dir = mkdtempSync(join(tmpdir(), 'lh-cfg-'));
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ listen: '127.0.0.1:0', max_infligt: 3 }));
  const r = spawnSync(BIN, ['--config', join(dir, 'bad.json')], { timeout: 5000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr.toString(), /unknown config key 'max_infligt'/);
  writeFileSync(join(dir, 'ok.json'), JSON.stringify({ max_inflight: 7, http_threads: 1, access_log: false, log_format: 'json' }));
  const d2 = await startDaemon({ args: ['--config', join(dir, 'ok.json')] });
  try {
    const e = await d2.api('GET', '/api/2.1/clusters/get?cluster_id=nope');
    assert.equal(e.status, 404);
    await new Promise((res) => setTimeout(res, 100));
    const lines = d2.stderr.trim().split('\n').map((l) => JSON.parse(l));
    const err = lines.find((l) => l.msg.includes('RESOURCE_DOES_NOT_EXIST'));
    assert.ok(err, d2.stderr);
    assert.equal(err.level, 'WARN');
    assert.match(err.msg, /GET \/api\/2\.1\/clusters\/get.* -> 404 RESOURCE_DOES_NOT_EXIST: .* \(request [0-9a-f-]{36}\)/);
    assert.ok(!lines.some((l) => l.msg.startsWith('GET /healthz')), 'access_log: false in the file');
  } finally {
    await d2.stop();
  }
});

test('APIs not built here answer 501 naming the area, never 404', async () => {
  for (const [method, path, area] of [
    ['GET', '/api/2.0/repos', 'Repos'], ['GET', '/api/2.0/global-init-scripts', 'Global init scripts'],
    ['GET', '/api/2.0/workspace-conf?keys=x', 'Workspace configuration'],
    ['POST', '/api/1.2/contexts/create', 'Command execution'],
  ]) {
    const r = await d.api(method, path);
    assert.equal(r.status, 501, path);
    assert.equal(r.json.error_code, 'NOT_IMPLEMENTED');
    assert.ok(r.json.message.includes(area), r.json.message);
  }
});

test('request ids are unique and visibly distinct', async () => {
  const ids = [];
  for (let i = 0; i < 20; i++) ids.push((await d.api('GET', '/healthz', undefined, { token: null })).headers.get('x-request-id'));
  assert.equal(new Set(ids).size, ids.length);
  for (let i = 1; i < ids.length; i++) {
    const a = ids[i - 1].replace(/-/g, ''), b = ids[i].replace(/-/g, '');
    let same = 0;
    for (let k = 0; k < a.length; k++) same += a[k] === b[k];
    assert.ok(same < 16, `${ids[i - 1]} vs ${ids[i]}`);
  }
});
