// core_bench.mjs - process and cluster start-up numbers for lakehoused.
//   - cold start: spawn -> first 200 from /healthz (fresh data dir), median of 10;
//   - idle RSS after start and a few requests (VmRSS from /proc);
//   - clusters/create -> RUNNING, cold (new threads) and from a warm instance pool,
//     measured client-side with tight polling, median of 20 each.
// A benchmark, not a test: it prints numbers and asserts nothing.
//   node tests/bench/core_bench.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, freePort, startDaemon } from '../api/harness.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e6;

async function coldStart() {
  const dir = mkdtempSync(join(tmpdir(), 'lh-bench-'));
  const port = await freePort();
  const t0 = now();
  const p = spawn(BIN, ['--listen', `127.0.0.1:${port}`, '--data-dir', dir], { stdio: 'ignore' });
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.status === 200) break;
    } catch { /* not yet */ }
  }
  const ms = now() - t0;
  p.kill('SIGTERM');
  await new Promise((r) => p.on('exit', r));
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

async function createToRunning(d, spec) {
  const t0 = now();
  const r = await d.api('POST', '/api/2.1/clusters/create', spec);
  const id = r.json.cluster_id;
  for (;;) {
    const g = await d.api('GET', `/api/2.1/clusters/get?cluster_id=${id}`);
    if (g.json.state === 'RUNNING') break;
  }
  const ms = now() - t0;
  await d.api('POST', '/api/2.1/clusters/permanent-delete', { cluster_id: id });
  return ms;
}

const colds = [];
for (let i = 0; i < 10; i++) colds.push(await coldStart());

const d = await startDaemon();
for (let i = 0; i < 5; i++) await d.api('GET', '/api/2.0/preview/scim/v2/Me');
const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${d.proc.pid}/status`, 'utf8'))[1]);

const base = { spark_version: '15.4.x-scala2.12', node_type_id: 'lakehouse.small', num_workers: 2 };
const cold = [];
for (let i = 0; i < 20; i++) cold.push(await createToRunning(d, { ...base, cluster_name: `c${i}` }));
const pool = await d.api('POST', '/api/2.0/instance-pools/create',
  { instance_pool_name: 'warm', node_type_id: 'lakehouse.small', min_idle_instances: 4, max_capacity: 16 });
const poolId = pool.json.instance_pool_id;
await new Promise((r) => setTimeout(r, 200));
const warm = [];
for (let i = 0; i < 20; i++) {
  warm.push(await createToRunning(d, { ...base, cluster_name: `w${i}`, instance_pool_id: poolId }));
  await new Promise((r) => setTimeout(r, 20)); // let the pool top its idle workers back up
}
await d.stop();

console.log('\nlakehoused start-up');
console.log(`  cold start -> /healthz 200     median ${median(colds).toFixed(1)} ms (target < 100)`);
console.log(`  idle RSS                       ${(rssKb / 1024).toFixed(1)} MB (target < 30)`);
console.log(`  clusters/create -> RUNNING     median ${median(cold).toFixed(2)} ms cold (target < 50)`);
console.log(`  ... from a warm instance pool  median ${median(warm).toFixed(2)} ms (target < 5)`);
console.log(`  warm/cold ratio                ${(median(warm) / median(cold)).toFixed(2)}`);
