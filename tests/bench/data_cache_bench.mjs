// data_cache_bench.mjs - the data cache of decoded Parquet column chunks: the same scans
// on a daemon without the cache (every scan decodes) and on one with it, warm (a benchmark:
// it prints numbers and never asserts).
//
//   node tests/bench/data_cache_bench.mjs [rows]      (default 5,000,000)
import { startDaemon } from '../api/harness.mjs';

const rows = Number(process.argv[2] ?? 5_000_000);
const queries = [
  ['sum of 2 columns', 'SELECT sum(id), sum(k) FROM t'],
  ['filter + count on a string', "SELECT count(*) FROM t WHERE s LIKE '%77%'"],
  ['group by a small key', 'SELECT k, count(*), max(id) FROM t GROUP BY k ORDER BY k'],
];

async function run(args) {
  const d = await startDaemon({ args: ['--no-access-log', ...args] });
  const wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'b', cluster_size: 'X-Small' })).json.id;
  const q = async (statement) => {
    const t0 = performance.now();
    const r = (await d.api('POST', '/api/2.0/sql/statements', { statement, warehouse_id: wh, wait_timeout: '50s' })).json;
    if (r.status.state !== 'SUCCEEDED') throw new Error(`${statement}: ${JSON.stringify(r.status)}`);
    return performance.now() - t0;
  };
  await q(`CREATE TABLE t AS SELECT id, id % 10 AS k, CAST(id * 7 AS STRING) AS s FROM range(${rows})`);
  await q('CACHE SELECT id, k, s FROM t');
  const out = [];
  for (const [, sql] of queries) out.push(Math.min(await q(sql), await q(sql), await q(sql)));
  await d.stop();
  return out;
}

const cold = await run(['--data-cache-size', '0']);
const warm = await run(['--data-cache-size', '2G']);
console.log(`\nData cache on ${rows.toLocaleString()} rows (ms, best of 3; cold = no cache, every scan decodes)`);
queries.forEach(([name], i) =>
  console.log(`  ${name.padEnd(28)} cold ${cold[i].toFixed(0).padStart(6)}   warm ${warm[i].toFixed(0).padStart(6)}   speed-up ${(cold[i] / warm[i]).toFixed(2)}x`));
