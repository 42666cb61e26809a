// parquet_bench.mjs - our Parquet writer and reader against DuckDB on a 10M-row events
// table (a benchmark: it prints numbers and never asserts).
//
//   node tests/bench/parquet_bench.mjs [rows]      (default 10,000,000)
//
// Needs the parquet_bench helper (CMake target parquet_bench; $LH_PARQUET_BENCH,
// $LH_BUILD_DIR/parquet_bench or build*/parquet_bench) and @duckdb/node-api.
//   1. parquet_bench generates the table in memory and times our ZSTD write.
//   2. DuckDB loads that file into an in-memory table, then times writing the same rows
//      with COPY ... (FORMAT parquet, COMPRESSION zstd) - from memory, like ours.
//   3. Both files are scanned in full: by our reader (1 and 2 threads over row groups, in
//      a fresh process each so peak RSS is the scan's) and by DuckDB (threads = 1 and 2,
//      an aggregate over every column so all values are materialized).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rowsWanted = Number(process.argv[2] ?? 10_000_000);

function findHelper() {
  if (process.env.LH_PARQUET_BENCH) return process.env.LH_PARQUET_BENCH;
  if (process.env.LH_BUILD_DIR && fs.existsSync(path.join(process.env.LH_BUILD_DIR, 'parquet_bench')))
    return path.join(process.env.LH_BUILD_DIR, 'parquet_bench');
  // Otherwise the most recently built build*/parquet_bench.
  const found = fs.readdirSync(root).filter((d) => d.startsWith('build'))
    .map((d) => path.join(root, d, 'parquet_bench')).filter((p) => fs.existsSync(p))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (found.length > 0) return found[0];
  throw new Error('parquet_bench not built (set LH_PARQUET_BENCH)');
}

const helper = findHelper();
const run = (...args) => JSON.parse(execFileSync(helper, args, { encoding: 'utf8' }).trim());
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-pq-bench-'));
const ours = path.join(tmp, 'ours.parquet');
const duck = path.join(tmp, 'duck.parquet');
const mb = (n) => (n / 1048576).toFixed(1);
const fmtRate = (r) => (r / 1e6).toFixed(1) + ' M/s';

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const dflt = (await con.runAndReadAll('SELECT current_setting(\'threads\') AS t')).getRowObjectsJson()[0].t;

const w = run('write', ours, String(rowsWanted));
await con.run(`CREATE TABLE events AS SELECT * FROM read_parquet('${ours}')`);
let t0 = performance.now();
await con.run(`COPY events TO '${duck}' (FORMAT parquet, COMPRESSION zstd)`);
const duckWriteS = (performance.now() - t0) / 1000;
await con.run('DROP TABLE events');
const oursBytes = fs.statSync(ours).size, duckBytes = fs.statSync(duck).size;

async function duckScan(file, threads) {
  await con.run(`SET threads = ${threads}`);
  t0 = performance.now();
  await con.runAndReadAll(`SELECT count(*), sum(user_id), sum(length(session_id)),
      sum(length(event_type)), sum(epoch_us(event_timestamp)), sum(revenue)
    FROM read_parquet('${file}')`);
  return rowsWanted / ((performance.now() - t0) / 1000);
}

const scans = [];
for (const [label, file] of [['ours', ours], ['duckdb', duck]]) {
  for (const threads of [1, 2]) {
    let mine = null, err = null;
    try { mine = run('scan', file, String(threads)); } catch (e) { err = String(e.message).split('\n')[1] ?? 'failed'; }
    scans.push({ file: label, threads, ours: mine, err, duck: await duckScan(file, threads) });
  }
}
await con.run(`SET threads = ${dflt}`);

console.log(`events table: ${w.rows} rows (generated in ${w.gen_s}s); DuckDB default threads = ${dflt}`);
console.log('\nwrite (ZSTD)            time      size      ');
console.log(`  ours                    ${w.write_s.toFixed(2)} s   ${mb(oursBytes)} MiB`);
console.log(`  duckdb                  ${duckWriteS.toFixed(2)} s   ${mb(duckBytes)} MiB`);
console.log(`  ratio ours/duckdb       ${(w.write_s / duckWriteS).toFixed(2)}x    ${(oursBytes / duckBytes).toFixed(2)}x`);
console.log('\nscan (all columns)      our reader     duckdb        ours/duckdb   our peak RSS');
for (const s of scans) {
  const r = s.ours ? s.ours.rows_per_s : NaN;
  console.log(`  ${(s.file + ' file, ' + s.threads + ' thr').padEnd(22)}${(s.ours ? fmtRate(r) : 'n/a').padEnd(15)}` +
    `${fmtRate(s.duck).padEnd(14)}${(s.ours ? (r / s.duck).toFixed(2) + 'x' : 'n/a').padEnd(14)}` +
    `${s.ours ? s.ours.peak_rss_mb + ' MiB' : s.err}`);
}
fs.rmSync(tmp, { recursive: true, force: true });
