// jobs_runs_bench.mjs - the run engine's latency and overhead.
//   1. runs/submit to the first task starting: p50 / p95 over N one-task runs, one at a
//      time (target p50 < 20 ms). Measured with the daemon's task start_time against the
//      client's clock before the request (same machine).
//   2. one 3-task chain of SELECT 1 at a time: run_duration / 3, averaged over 50 runs (the
//      daemon's times are whole ms, so the mean gives the resolution): an upper bound of the
//      engine's own overhead per task, the trivial SQL included (target < 5 ms).
//   3. 100 concurrent runs of a 3-task SQL chain: all complete SUCCESS; wall time, and the
//      same overhead figure (which then includes waiting for one of the 8 executor threads).
//   LH_BIN=build/lakehoused node tests/bench/jobs_runs_bench.mjs [N]
import { startDaemon } from '../api/harness.mjs';

const N = Number(process.argv[2] ?? 100);
const J = '/api/2.1/jobs';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const d = await startDaemon();
try {
  const wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'b', cluster_size: 'X-Small' })).json.id;
  const sql = (key, text, extra = {}) => ({ task_key: key, sql_task: { warehouse_id: wh, query: { query_text: text } }, ...extra });
  const chain = [sql('a', 'SELECT count(*) FROM range(10000)'), sql('b', 'SELECT count(*) FROM range(10000)', { depends_on: [{ task_key: 'a' }] }),
    sql('c', 'SELECT count(*) FROM range(10000)', { depends_on: [{ task_key: 'b' }] })];
  const wait = async (id) => {
    for (;;) {
      const r = (await d.api('GET', `${J}/runs/get?run_id=${id}`)).json;
      if (['TERMINATED', 'SKIPPED', 'INTERNAL_ERROR'].includes(r.state.life_cycle_state)) return r;
      await sleep(5);
    }
  };
  // warm up the warehouse
  await wait((await d.api('POST', `${J}/runs/submit`, { tasks: [sql('w', 'SELECT 1')] })).json.run_id);

  const start = [];
  for (let i = 0; i < N; i++) {
    const t0 = Date.now();
    const id = (await d.api('POST', `${J}/runs/submit`, { tasks: [sql('a', 'SELECT 1')] })).json.run_id;
    const r = await wait(id);
    start.push(r.tasks[0].start_time - t0);
  }
  console.log(`submit -> first task started: p50 ${pct(start, 50)} ms, p95 ${pct(start, 95)} ms (N=${N}, target p50 < 20 ms)`);

  const overhead = (r) => (r.run_duration - r.tasks.reduce((s, t) => s + t.execution_duration, 0)) / r.tasks.length;
  const trivial = chain.map((t) => ({ ...t, sql_task: { ...t.sql_task, query: { query_text: 'SELECT 1' } } }));
  let total = 0;
  for (let i = 0; i < 50; i++) total += (await wait((await d.api('POST', `${J}/runs/submit`, { tasks: trivial })).json.run_id)).run_duration;
  console.log(`3-task chain of SELECT 1, one run at a time: ${(total / 150).toFixed(2)} ms per task, SQL included (target overhead < 5 ms)`);

  const t0 = Date.now();
  const ids = await Promise.all([...Array(100).keys()].map(async () => (await d.api('POST', `${J}/runs/submit`, { tasks: chain })).json.run_id));
  const runs = await Promise.all(ids.map(wait));
  const wall = Date.now() - t0;
  const ok = runs.filter((r) => r.state.result_state === 'SUCCESS').length;
  const ov = runs.map(overhead);
  console.log(`100 concurrent 3-task runs: ${ok}/100 SUCCESS in ${wall} ms; per-task non-SQL time p50 ${pct(ov, 50).toFixed(2)} ms, p95 ${pct(ov, 95).toFixed(2)} ms (includes executor queueing)`);
  if (ok !== 100) process.exitCode = 1;
} finally {
  await d.stop();
}
