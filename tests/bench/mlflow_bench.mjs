// mlflow_bench.mjs - MLflow tracking throughput of lakehoused (api/mlflow).
//   1. log-batch into one run: B batches of 1000 metrics from C concurrent clients;
//   2. log-batch across R runs: each run gets B/R batches (at least 1), same clients;
//   3. runs/search over S runs (each with 10 metrics, a param and a tag): Q searches with a
//      metric filter and a two-key order, first page of 100, and a full walk of the pages.
// A benchmark, not a test: it prints numbers and asserts nothing. Sizes are arguments:
//   node tests/bench/mlflow_bench.mjs [--batches 200] [--clients 4] [--runs 100]
//                                     [--search-runs 2000] [--searches 50]
// (defaults finish in well under a minute on two cores).
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
const PER_BATCH = 1000;

const now = () => Number(process.hrtime.bigint()) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const M = '/api/2.0/mlflow';

const d = await startDaemon({ args: ['--no-access-log'] });
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
  let made = 0;
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (made < SEARCH_RUNS) {
      const i = made++;
      const id = (await post('runs/create', { experiment_id: sexp, start_time: 1700000000000 + i })).run.info.run_id;
      const extra = Array.from({ length: 8 }, (_, k) => ({ key: `m${k}`, value: (i * (k + 3)) % 97, timestamp: 1 }));
      await post('runs/log-batch', { run_id: id, metrics: [{ key: 'accuracy', value: (i * 7919 % 1000) / 1000, timestamp: 1 }, { key: 'loss', value: i, timestamp: 1 }, ...extra],
        params: [{ key: 'model', value: i % 2 ? 'forest' : 'linear' }], tags: [{ key: 'team', value: `t${i % 5}` }] });
    }
  }));
  console.log(`search setup:           ${SEARCH_RUNS} runs (${SEARCH_RUNS * 10} metrics) created and logged in ${(now() - t0).toFixed(0)} ms`);
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
  console.log(`runs/search, ${SEARCH_RUNS} runs: metric filter + 2-key order, page of ${matched}: ` +
    `median ${median(times).toFixed(1)} ms, p95 ${p95(times).toFixed(1)} ms over ${SEARCHES} searches; ` +
    `all ${total} matches in ${pages} pages: ${(now() - w0).toFixed(0)} ms`);
} finally {
  await d.stop();
}
