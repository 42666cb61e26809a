// artifact_bench.mjs - upload and download a large file (1 GiB by default) through the
// MLflow artifact proxy (PUT/GET /api/2.0/mlflow-artifacts/artifacts/...) and raw DBFS
// (PUT/GET /dbfs/...) against `cp` of the same file on the same disk, and the daemon's RSS
// growth (peak VmHWM minus the RSS before). Two clients: build/http_file, which moves the
// bytes with zero-copy calls as cp does (sendfile up, splice down), so the server is what is
// measured; and curl, whose own file:// copy is printed as its ceiling. Uploads end with an
// fsync (the daemon's durability rule), so `cp + sync` is printed too. Every figure is the
// best of 3 runs (this VM's disk varies by several times between runs of the same step).
// Target: throughput >= 50% of cp, RSS growth < 16 MiB.
//   LH_BIN=build/lakehoused LH_BUILD_DIR=build node tests/bench/artifact_bench.mjs [bytes]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startDaemon } from '../api/harness.mjs';

const BYTES = Number(process.argv[2] ?? 1024 * 1024 * 1024);
const work = mkdtempSync(join(tmpdir(), 'lh-artifact-bench-'));
const src = join(work, 'src.bin');

function makeSource() {
  const fd = openSync(src, 'w');
  const block = Buffer.alloc(64 * 1024 * 1024);
  for (let done = 0; done < BYTES;) {
    const n = Math.min(block.length, BYTES - done);
    randomFillSync(block, 0, n);
    writeSync(fd, block, 0, n);
    done += n;
  }
  closeSync(fd);
}

const rssKiB = (pid, field) => Number(/(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(field)))[1]);
const secs = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

// Every timed step starts with no dirty pages left by the step before (sync first, untimed),
// so no step pays for an earlier one's writeback.
const settle = () => spawnSync('sync', [], { stdio: 'ignore' });
const best3 = (f) => Math.min(f(), f(), f());

function timeCommand(cmd, args) {
  settle();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} failed`);
  return secs(t0);
}

// curl is the client (node's own HTTP stack would measure node): -T streams the file.
function curl(d, args) {
  settle();
  const t0 = process.hrtime.bigint();
  const r = spawnSync('curl', ['-sS', '--fail', '-H', `Authorization: Bearer ${d.token}`, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`curl ${args.join(' ')} failed`);
  return secs(t0);
}
const upload = (d, path) => curl(d, ['-o', '/dev/null', '-T', src, d.url + path]);
const download = (d, path, out) => curl(d, ['-o', out, d.url + path]);
// The zero-copy client (tests/bench/http_file.c).
const httpFile = join(process.env.LH_BUILD_DIR ?? 'build', 'http_file');
function zc(d, verb, path, file) {
  settle();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(httpFile, [verb, new URL(d.url).host, path, d.token, file], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`http_file ${verb} ${path} failed`);
  return secs(t0);
}

const d = await startDaemon({ dataDir: join(work, 'data') });
try {
  makeSource();
  const gib = BYTES / (1 << 30);
  const cpS = best3(() => {
    const t = timeCommand('cp', [src, join(work, 'cp.bin')]);
    rmSync(join(work, 'cp.bin'));
    return t;
  });
  const cpSyncS = best3(() => {
    const t = timeCommand('sh', ['-c', `cp '${src}' '${join(work, 'cp.bin')}' && sync '${join(work, 'cp.bin')}'`]);
    rmSync(join(work, 'cp.bin'));
    return t;
  });
  console.log(`file ${BYTES} bytes; cp ${cpS.toFixed(2)} s (${(gib / cpS).toFixed(2)} GiB/s); cp+sync ${cpSyncS.toFixed(2)} s`);
  // The client's own ceiling: curl copying the file with no HTTP in between (file://).
  // A download to a file cannot beat it, whatever the server does.
  const ceilFile = best3(() => {
    const t = timeCommand('curl', ['-sS', '-o', join(work, 'ceil.bin'), `file://${src}`]);
    rmSync(join(work, 'ceil.bin'));
    return t;
  });
  const ceilNull = best3(() => timeCommand('curl', ['-sS', '-o', '/dev/null', `file://${src}`]));
  console.log(`curl file:// (no HTTP): to a file ${ceilFile.toFixed(2)} s = ${(cpS / ceilFile * 100).toFixed(0)}% of cp; `
    + `to /dev/null ${ceilNull.toFixed(2)} s = ${(cpS / ceilNull * 100).toFixed(0)}% of cp`);
  const rss0 = rssKiB(d.proc.pid, 'VmRSS:');
  const routes = [
    ['mlflow-artifacts', '/api/2.0/mlflow-artifacts/artifacts/bench/file.bin'],
    ['raw DBFS', '/dbfs/bench/file.bin'],
  ];
  const pct = (base, t) => `${(base / t * 100).toFixed(0)}%`;
  for (const [name, path] of routes) {
    const zup = best3(() => zc(d, 'put', path, src));
    const zout = join(work, 'zdown.bin');
    const zdown = best3(() => {
      const t = zc(d, 'get', path, zout);
      if (statSync(zout).size !== BYTES) throw new Error('short download');
      rmSync(zout);
      return t;
    });
    const znull = best3(() => zc(d, 'get', path, '/dev/null'));
    console.log(`${name.padEnd(17)} http_file: upload ${zup.toFixed(2)} s = ${pct(cpS, zup)} of cp (${pct(cpSyncS, zup)} of cp+sync); `
      + `download to a file ${zdown.toFixed(2)} s = ${pct(cpS, zdown)} of cp; to /dev/null ${znull.toFixed(2)} s = ${pct(cpS, znull)}`);
    const up = best3(() => upload(d, path));
    const out = join(work, 'down.bin');
    const down = best3(() => {
      const t = download(d, path, out);
      if (statSync(out).size !== BYTES) throw new Error('short download');
      rmSync(out);
      return t;
    });
    const sink = best3(() => download(d, path, '/dev/null'));
    console.log(`${name.padEnd(17)} curl:      upload ${up.toFixed(2)} s = ${pct(cpS, up)} of cp (${pct(cpSyncS, up)} of cp+sync); `
      + `download to a file ${down.toFixed(2)} s = ${pct(cpS, down)} of cp; to /dev/null ${sink.toFixed(2)} s = ${pct(cpS, sink)}`);
  }
  const peak = rssKiB(d.proc.pid, 'VmHWM:');
  console.log(`daemon RSS before ${(rss0 / 1024).toFixed(1)} MiB, peak ${(peak / 1024).toFixed(1)} MiB, growth ${((peak - rss0) / 1024).toFixed(1)} MiB`);
} finally {
  await d.stop();
  rmSync(work, { recursive: true, force: true });
}
