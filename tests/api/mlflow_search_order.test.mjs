// mlflow_search_order.test.mjs - runs/search ordered by a metric that the filter also bounds
// (the search is then driven from the metric index: api/mlflow/search.c driving_metric) must
// answer exactly what the general form does: MLflow's order with ties broken by start_time
// DESC then run_id, and pages that neither skip nor repeat runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';

const M = '/api/2.0/mlflow';
let d, eid;
const runs = [];
before(async () => {
  d = await startDaemon({ args: ['--no-access-log'] });
  eid = (await d.api('POST', `${M}/experiments/create`, { name: 'order' })).json.experiment_id;
  for (let i = 0; i < 60; i++) {
    const id = (await d.api('POST', `${M}/runs/create`, { experiment_id: eid, start_time: 1000 + (i % 7) })).json.run.info.run_id;
    const acc = i % 5 === 0 ? 'NaN' : (i % 9) / 10; // ties, NaN, and one run without the metric
    const metrics = i === 3 ? [] : [{ key: 'acc', value: acc, timestamp: 1 }];
    await d.api('POST', `${M}/runs/log-batch`, { run_id: id, metrics, params: [{ key: 'p', value: i % 2 ? 'a' : 'b' }] });
    runs.push({ id, acc: i === 3 ? undefined : acc, start: 1000 + (i % 7), p: i % 2 ? 'a' : 'b' });
  }
});
after(async () => d?.stop());

async function all(body) {
  const out = [];
  let token;
  do {
    const r = await d.api('POST', `${M}/runs/search`, { ...body, experiment_ids: [eid], max_results: 7, page_token: token });
    assert.equal(r.status, 200, r.text);
    out.push(...(r.json.runs ?? []).map((x) => x.info.run_id));
    token = r.json.next_page_token;
  } while (token);
  return out;
}

const expect = (pred, asc) => runs.filter(pred).sort((a, b) =>
  (asc ? a.acc - b.acc : b.acc - a.acc) || b.start - a.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((r) => r.id);

test('ordered by a metric the filter bounds: same order and pages as MLflow', async () => {
  for (const asc of [false, true]) {
    const dir = asc ? 'ASC' : 'DESC';
    assert.deepEqual(await all({ filter: 'metrics.acc > 0.2', order_by: [`metrics.acc ${dir}`] }),
      expect((r) => typeof r.acc === 'number' && r.acc > 0.2, asc));
    assert.deepEqual(await all({ filter: "metrics.acc <= 0.5 and params.p = 'a'", order_by: [`metrics.acc ${dir}`] }),
      expect((r) => typeof r.acc === 'number' && r.acc <= 0.5 && r.p === 'a', asc));
  }
  // != keeps NaN runs: the general form (NaN after numbers, missing last)
  const ne = await all({ filter: 'metrics.acc != 0.1', order_by: ['metrics.acc DESC'] });
  assert.equal(ne.length, runs.filter((r) => r.acc !== undefined && r.acc !== 0.1).length);
});
