// mlflow_bench.mjs - MLflow tracking throughput of lakehoused (api/mlflow).
//   1. log-batch into one run: B batches of 1000 metrics from C concurrent clients;
//   2. log-batch across R runs: each run gets B/R batches (at least 1), same clients;
//   3. runs/search over S runs (each with 10 metrics, a param and a tag): Q searches with a
//      metric filter and a two-key order, first page of 100, and a full walk of the pages.
// A benchmark, not a test: it prints numbers and asserts nothing. Sizes are arguments:
//   node tests/bench/mlflow_bench.mjs [--batches 200] [--clients 4] [--runs 100]
//                                     [--search-runs 2000] [--searches 50] [--direct 100000]
// (defaults finish in well under a minute on two cores). --direct N instead fills the search
// experiment with N runs (10 metrics, a param and a tag each) straight into meta.db with the
// sqlite3 shell while the daemon is stopped (logging 100k runs through HTTP takes minutes),
// then restarts the daemon on that data and times the searches.
import { execFileSync } from 'node:child_process';
import { startDaemon } from '../api/harness.mjs';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const BATCHES = arg('batches', 200);
const CLIENTS = arg('clients', 4);
const RUNS = arg('runs', 100);
const SEARCH_RUNS = arg('search-runs', 2000);
const SEARCHES = arg('searches', 50);
const DIRECT = arg('direct', 0);
const PER_BATCH = 1000;

const now = () => Number(process.hrtime.bigint()) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const M = '/api/2.0/mlflow';

let d = await startDaemon({ args: ['--no-access-log'] });
const post = async (path, body) => {
  const r = await d.api('POST', `${M}/${path}`, body);
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
  return r.json;
};

// bodies are built before the clock starts: the client's JSON work is not the server's
function batchBody(runId, n) {
  const metrics = [];
  for (let i = 0; i < PER_BATCH; i++) {
    const step = n * PER_BATCH + i;
    metrics.push({ key: `m${i % 10}`, value: Math.sin(step), timestamp: 1700000000000 + step, step });
  }
  return JSON.stringify({ run_id: runId, metrics });
}

async function logBatches(bodies) {
  let next = 0;
  const t0 = now();
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const r = await d.api('POST', `${M}/runs/log-batch`, body);
      if (r.status !== 200) throw new Error(r.text);
    }
  }));
  const ms = now() - t0;
  return { ms, perSec: (bodies.length * PER_BATCH) / (ms / 1000) };
}

try {
  const exp = (await post('experiments/create', { name: 'bench' })).experiment_id;

  // 1. one run
  const one = (await post('runs/create', { experiment_id: exp })).run.info.run_id;
  const bodies1 = Array.from({ length: BATCHES }, (_, n) => batchBody(one, n));
  const r1 = await logBatches(bodies1);
  console.log(`log-batch, one run:     ${BATCHES} x ${PER_BATCH} metrics, ${CLIENTS} clients: ` +
    `${r1.ms.toFixed(0)} ms, ${Math.round(r1.perSec)} metrics/s`);

  // 2. across many runs
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push((await post('runs/create', { experiment_id: exp })).run.info.run_id);
  const perRun = Math.max(1, Math.floor(BATCHES / RUNS));
  const bodies2 = [];
  for (let n = 0; n < perRun; n++) for (const id of runs) bodies2.push(batchBody(id, n));
  const r2 = await logBatches(bodies2);
  console.log(`log-batch, ${RUNS} runs:    ${bodies2.length} x ${PER_BATCH} metrics, ${CLIENTS} clients: ` +
    `${r2.ms.toFixed(0)} ms, ${Math.round(r2.perSec)} metrics/s`);

  // 3. search
  const sexp = (await post('experiments/create', { name: 'bench-search' })).experiment_id;
  const t0 = now();
  let made = DIRECT ? SEARCH_RUNS : 0;
  if (DIRECT) {
    await d.stop({ keep: true });
    const n = `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${DIRECT - 1})`;
    execFileSync('sqlite3', [`${d.dataDir}/meta.db`], { input: `BEGIN;
${n} INSERT INTO mlflow_runs SELECT printf('z%031x', i), ${sexp}, 'r' || i, 'admin', 'FINISHED', 1700000000000 + i, NULL, NULL, 'dbfs:/b', 'active' FROM n;
${n}, k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 9) INSERT INTO mlflow_latest_metrics
  SELECT printf('z%031x', i), CASE j WHEN 0 THEN 'accuracy' WHEN 1 THEN 'loss' ELSE 'm' || j END,
         CASE j WHEN 0 THEN ((i * 7919) % 1000) / 1000.0 WHEN 1 THEN i ELSE (i * (j + 3)) % 97 END, 1, 0, 0 FROM n, k;
INSERT INTO mlflow_metrics SELECT run_uuid, key, timestamp, step, value, is_nan, NULL, NULL, NULL FROM mlflow_latest_metrics WHERE run_uuid LIKE 'z%';
${n} INSERT INTO mlflow_params SELECT printf('z%031x', i), 'model', CASE i % 2 WHEN 1 THEN 'forest' ELSE 'linear' END FROM n;
${n} INSERT INTO mlflow_tags SELECT printf('z%031x', i), 'team', 't' || (i % 5) FROM n;
COMMIT; ANALYZE;` });
    d = await startDaemon({ dataDir: d.dataDir, args: ['--no-access-log'] });
  }
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (made < SEARCH_RUNS) {
      const i = made++;
      const id = (await post('runs/create', { experiment_id: sexp, start_time: 1700000000000 + i })).run.info.run_id;
      const extra = Array.from({ length: 8 }, (_, k) => ({ key: `m${k}`, value: (i * (k + 3)) % 97, timestamp: 1 }));
      await post('runs/log-batch', { run_id: id, metrics: [{ key: 'accuracy', value: (i * 7919 % 1000) / 1000, timestamp: 1 }, { key: 'loss', value: i, timestamp: 1 }, ...extra],
        params: [{ key: 'model', value: i % 2 ? 'forest' : 'linear' }], tags: [{ key: 'team', value: `t${i % 5}` }] });
    }
  }));
  const nruns = DIRECT || SEARCH_RUNS;
  console.log(`search setup:           ${nruns} runs (${nruns * 10} metrics) ${DIRECT ? 'written to meta.db' : 'created and logged'} in ${(now() - t0).toFixed(0)} ms`);
  const body = { experiment_ids: [sexp], filter: "metrics.accuracy > 0.5 and params.model = 'forest'",
    order_by: ['metrics.accuracy DESC', 'tags.team'], max_results: 100 };
  const times = [];
  let matched = 0;
  for (let q = 0; q < SEARCHES; q++) {
    const s0 = now();
    const r = await post('runs/search', body);
    times.push(now() - s0);
    matched = r.runs?.length ?? 0;
  }
  const w0 = now();
  let total = 0, pages = 0, token;
  do {
    const r = await post('runs/search', { ...body, page_token: token });
    total += r.runs?.length ?? 0;
    pages++;
    token = r.next_page_token;
  } while (token);
  console.log(`runs/search, ${nruns} runs: metric filter + 2-key order, page of ${matched}: ` +
    `median ${median(times).toFixed(1)} ms, p95 ${p95(times).toFixed(1)} ms over ${SEARCHES} searches; ` +
    `all ${total} matches in ${pages} pages: ${(now() - w0).toFixed(0)} ms`);
} finally {
  await d.stop();
}
