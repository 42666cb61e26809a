// harness.mjs - start the real build/lakehoused on a free loopback port with a fresh
// temporary data dir, talk HTTP to it, stop it. Every black-box test uses this.
//
//   const d = await startDaemon({ env: { LAKEHOUSE_TEST_MINUTE_MS: '200' } });
//   const r = await d.api('POST', '/api/2.1/clusters/create', { spark_version: 'x' });
//   r.status, r.json, r.headers, r.text
//   await d.stop();            // SIGTERM, waits for exit, removes the data dir
//   await d.kill9(); await d.restart();  // crash + restart on the same data dir
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { get as httpsGet } from 'node:https';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.LH_BIN ? resolve(process.env.LH_BIN) : join(root, 'build', 'lakehoused');

export async function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Status of an HTTPS GET that trusts only the given CA (PEM text).
export function httpsStatus(url, ca) {
  return new Promise((res, rej) => {
    httpsGet(url, { ca }, (r) => { r.resume(); res(r.statusCode); }).on('error', rej);
  });
}

export async function startDaemon(opts = {}) {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'lh-test-'));
  const token = opts.token ?? 'dapi' + '0123456789abcdef0123456789abcdef';
  const d = { dataDir, token, proc: null, port: 0, url: '', stderr: '' };

  d.launch = async () => {
    d.port = await freePort();
    d.url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${d.port}`;
    const env = { ...process.env, LAKEHOUSE_ADMIN_TOKEN: token, ...(opts.env ?? {}) };
    if (opts.noEnvToken) delete env.LAKEHOUSE_ADMIN_TOKEN;
    d.stderr = '';
    d.proc = spawn(BIN, ['--listen', `127.0.0.1:${d.port}`, '--data-dir', dataDir, ...(opts.args ?? [])],
      { env, stdio: ['ignore', 'ignore', 'pipe'] });
    d.proc.stderr.on('data', (b) => { if (d.stderr.length < 1 << 20) d.stderr += b.toString(); });
    d.exited = new Promise((res) => d.proc.on('exit', (code, signal) => res({ code, signal })));
    const deadline = Date.now() + 15000;
    for (;;) {
      if (d.proc.exitCode !== null) throw new Error(`lakehoused exited: ${d.stderr}`);
      try {
        const status = opts.tls ? await httpsStatus(`${d.url}/healthz`, opts.tls.ca)
          : (await fetch(`${d.url}/healthz`)).status;
        if (status === 200) break;
      } catch { /* not up yet */ }
      if (Date.now() > deadline) throw new Error(`lakehoused did not start: ${d.stderr}`);
      await sleep(10);
    }
  };

  d.api = async (method, path, body, o = {}) => {
    const headers = { ...(o.headers ?? {}) };
    const tok = o.token === undefined ? token : o.token;
    if (tok) headers.Authorization = `Bearer ${tok}`;
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      headers['Content-Type'] = headers['Content-Type'] ?? 'application/json';
    }
    const r = await fetch(d.url + path, { method, headers, body: payload });
    const text = await r.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: r.status, json, text, headers: r.headers };
  };

  // Raw HTTP (node:http): allows a body on GET (as Airflow sends) and PATCH bodies.
  d.raw = (method, path, body, o = {}) => new Promise((res, rej) => {
    const headers = { ...(o.headers ?? {}) };
    const tok = o.token === undefined ? token : o.token;
    if (tok) headers.Authorization = `Bearer ${tok}`;
    const payload = body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body));
    if (payload !== undefined) {
      headers['Content-Type'] = headers['Content-Type'] ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    const req = httpRequest(d.url + path, { method, headers }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json;
        try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
        res({ status: r.statusCode, json, text, headers: new Headers(r.headers) });
      });
    });
    req.on('error', rej);
    if (payload !== undefined) req.write(payload);
    req.end();
  });

  // Poll fn() until it returns a truthy value (or time out).
  d.waitFor = async (fn, timeoutMs = 10000, stepMs = 5) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > deadline) throw new Error('waitFor timed out');
      await sleep(stepMs);
    }
  };

  d.stop = async ({ keep = false } = {}) => {
    if (d.proc && d.proc.exitCode === null) {
      d.proc.kill('SIGTERM');
      d.lastExit = await d.exited;
    }
    if (!keep && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    return d.lastExit;
  };
  d.kill9 = async () => {
    d.proc.kill('SIGKILL');
    d.lastExit = await d.exited;
  };
  d.restart = async () => { await d.launch(); };
  d.adminTokenFile = () => readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();

  await d.launch();
  return d;
}
