// jobs_sched_bench.mjs - the jobs scheduler under load: N jobs (1,000 by default) with cron
// schedules that are all due at the same seconds ("*/5 * * * * ?": every job fires at :00,
// :05, ...), watched for a few rounds. Reports the firing lateness (fire time minus due
// time) p50/p99 (from the lakehouse_jobs_scheduler_late_ms histogram: the bucket's upper
// bound) and max, fires, skipped ticks. Target: every fire within 1 s of its due time
// (no skipped ticks, max < 1000 ms). Runs start through lh_jobs_start_run; without the
// runs half those are attempts (counted in lakehouse_jobs_scheduler_start_errors_total).
//   LH_BIN=build/lakehoused node tests/bench/jobs_sched_bench.mjs [jobs] [rounds]
import { startDaemon } from '../api/harness.mjs';

const JOBS = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 3);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const d = await startDaemon({ args: ['--no-access-log'] });
try {
  const t0 = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < JOBS) {
      const i = next++;
      const r = await d.api('POST', '/api/2.1/jobs/create', { name: `bench-${i}`,
        tasks: [{ task_key: 't', notebook_task: { notebook_path: '/n' } }],
        schedule: { quartz_cron_expression: '*/5 * * * * ?', timezone_id: 'UTC' } });
      if (r.status !== 200) throw new Error(r.text);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  console.log(`created ${JOBS} scheduled jobs in ${Date.now() - t0} ms`);

  const metrics = async () => {
    const text = await (await fetch(`${d.url}/metrics`)).text();
    const m = {};
    for (const line of text.split('\n')) {
      const x = /^(lakehouse_jobs_[a-z_]+)(\{le="([^"]+)"\})? (\S+)$/.exec(line);
      if (!x) continue;
      if (x[3] !== undefined) (m.buckets ??= []).push([x[3] === '+Inf' ? Infinity : Number(x[3]), Number(x[4])]);
      else m[x[1]] = Number(x[4]);
    }
    return m;
  };
  // wait for the next boundary after every job is planned, then ROUNDS rounds
  const before = await metrics();
  await sleep(ROUNDS * 5000 + 5500 - (Date.now() % 5000));
  const m = await metrics();
  const fires = m.lakehouse_jobs_scheduler_fires_total - before.lakehouse_jobs_scheduler_fires_total;
  const q = (p) => {
    const total = m.buckets.at(-1)[1];
    for (const [le, c] of m.buckets) if (c >= p * total) return le;
    return Infinity;
  };
  console.log(`scheduled ${m.lakehouse_jobs_scheduled}, fires ${fires} (expected >= ${JOBS * ROUNDS}), ` +
    `skipped ${m.lakehouse_jobs_scheduler_skipped_total}`);
  console.log(`lateness p50 <= ${q(0.5)} ms, p99 <= ${q(0.99)} ms, max ${m.lakehouse_jobs_scheduler_late_ms_max} ms ` +
    `(mean ${(m.lakehouse_jobs_scheduler_late_ms_sum / m.lakehouse_jobs_scheduler_late_ms_count).toFixed(1)} ms)`);
  const okAll = m.lakehouse_jobs_scheduler_late_ms_max < 1000 && m.lakehouse_jobs_scheduler_skipped_total === 0 &&
    fires >= JOBS * ROUNDS;
  console.log(okAll ? 'PASS: every fire within 1 s' : 'FAIL: target missed');
  process.exitCode = okAll ? 0 : 1;
} finally {
  await d.stop();
}
