// tls.test.mjs - HTTPS on the listen port (--tls-cert/--tls-key): curl and the JS SDK
// trusting a test CA made here with openssl, plain HTTP refused on that port, clear
// start-up errors for missing or mismatched files, and the config file's tls object.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, startDaemon, httpsStatus } from './harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'lh-tls-'));
const f = (n) => join(dir, n);
const ossl = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });

// A CA, and a server certificate for 127.0.0.1 / localhost signed by it.
function makeCerts() {
  ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=lakehouse test CA',
    '-keyout', f('ca.key'), '-out', f('ca.pem'));
  ossl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key'), '-out', f('server.csr'));
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ossl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial',
    '-days', '2', '-extfile', f('ext.cnf'), '-out', f('server.pem'));
  ossl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=other', '-keyout', f('other.key'), '-out', f('other.csr'));
}

let d, ca;
before(async () => {
  makeCerts();
  ca = readFileSync(f('ca.pem'), 'utf8');
  d = await startDaemon({ tls: { ca }, args: ['--tls-cert', f('server.pem'), '--tls-key', f('server.key')] });
});
after(async () => { await d.stop(); rmSync(dir, { recursive: true, force: true }); });

test('curl over HTTPS with the test CA', () => {
  const out = execFileSync('curl', ['-sS', '--cacert', f('ca.pem'), '-H', `Authorization: Bearer ${d.token}`,
    `${d.url}/api/2.0/preview/scim/v2/Me`]).toString();
  assert.equal(JSON.parse(out).userName, 'admin');
  // without trusting the CA the handshake fails
  const bad = spawnSync('curl', ['-sS', `${d.url}/healthz`]);
  assert.notEqual(bad.status, 0);
});

test('plain HTTP on the TLS port gets no answer', () => {
  const r = spawnSync('curl', ['-sS', '-m', '3', `http://127.0.0.1:${d.port}/healthz`]);
  assert.notEqual(r.status, 0);
});

test('the JS SDK over HTTPS (NODE_EXTRA_CA_CERTS)', () => {
  const script = `
    import sdk from '@databricks/sdk-experimental';
    const w = new sdk.WorkspaceClient({ host: process.env.H, token: process.env.T, authType: 'pat' });
    const me = await w.currentUser.me();
    const c = await (await w.clusters.create({ cluster_name: 'tls', spark_version: '15.4.x-scala2.12',
      node_type_id: 'lakehouse.small', num_workers: 1 })).wait();
    console.log(JSON.stringify({ user: me.userName, state: c.state }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root, env: { ...process.env, NODE_EXTRA_CA_CERTS: f('ca.pem'), H: d.url, T: d.token }, timeout: 60000,
  });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.deepEqual(JSON.parse(r.stdout.toString().trim().split('\n').pop()), { user: 'admin', state: 'RUNNING' });
});

test('start-up fails clearly for a missing file, a key that does not match, or half a pair', () => {
  const run = (...args) => spawnSync(BIN, ['--listen', '127.0.0.1:0', '--data-dir', mkdtempSync(join(tmpdir(), 'lh-tls-dd-')), ...args]);
  let r = run('--tls-cert', f('missing.pem'), '--tls-key', f('server.key'));
  assert.equal(r.status, 1);
  assert.match(r.stderr.toString(), /cannot read --tls-cert .*missing\.pem: No such file/);
  r = run('--tls-cert', f('server.pem'), '--tls-key', f('other.key'));
  assert.equal(r.status, 1);
  assert.match(r.stderr.toString(), /cannot start HTTPS/);
  r = run('--tls-cert', f('server.pem'));
  assert.equal(r.status, 2);
  assert.match(r.stderr.toString(), /--tls-cert and --tls-key go together/);
});

test('the config file tls object turns HTTPS on', async () => {
  writeFileSync(f('lh.json'), JSON.stringify({ tls: { cert: f('server.pem'), key: f('server.key') } }));
  const d2 = await startDaemon({ tls: { ca }, args: ['--config', f('lh.json')] });
  try {
    assert.equal(await httpsStatus(`${d2.url}/healthz`, ca), 200);
  } finally {
    await d2.stop();
  }
});
