// spark_golden.mjs - Spark's own golden files (../shared/testdata/spark-sql-tests/results,
// read in place) run through the Statement Execution API, one SQL session per file (so
// temporary views, USE and SET carry over), in the America/Los_Angeles session time zone the
// files were recorded in.
//
// For each `-- !query` record: Spark's answer is either a schema and rows, or an error. A
// record passes when
//   - Spark answered rows: we SUCCEEDED with the same column names and types (Spark's
//     catalog strings, `struct<a:int,...>`; commands with `struct<>` only need to succeed)
//     and the same rows, as text (NULL as "NULL", tab-separated), compared sorted unless the
//     query has an ORDER BY (as Spark's SQLQueryTestSuite does);
//   - Spark raised an error class: we FAILED with that class (`[CLASS]` in the message), or
//     any error when Spark's answer names no class.
//
// Usage (a script, not a test; tests/interop/spark_golden.test.mjs holds the floors):
//   node tests/interop/spark_golden.mjs [--json out.json] [--verbose] [file-filter]
// Prints one line per file (passed/total) and the total.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemon } from '../api/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const GOLDEN_DIR = path.resolve(here, '..', '..', '..', 'shared', 'testdata', 'spark-sql-tests', 'results');

// Every .sql.out file under the results folder, as paths relative to it.
export function goldenFiles(dir = GOLDEN_DIR) {
  const out = [];
  const walk = (rel) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith('.sql.out')) out.push(r);
    }
  };
  walk('');
  return out.sort();
}

// The records of one golden file: {sql, schema, output, error} (error: the class, '' for an
// error without one, undefined for rows).
export function parseGolden(text) {
  const recs = [];
  const parts = text.split(/^-- !query\n/m).slice(1);
  for (const p of parts) {
    const m = p.match(/^([\s\S]*?)\n-- !query schema\n([\s\S]*?)\n-- !query output\n([\s\S]*)$/);
    if (!m) {
      // an error record has no schema section in some files
      const m2 = p.match(/^([\s\S]*?)\n-- !query output\n([\s\S]*)$/);
      if (!m2) continue;
      recs.push(record(m2[1], 'struct<>', m2[2]));
      continue;
    }
    recs.push(record(m[1], m[2], m[3]));
  }
  return recs;
}

function record(sql, schema, output) {
  output = output.replace(/\n+$/, '');
  const rec = { sql: sql.trim(), schema: schema.trim(), output };
  const firstLine = output.split('\n', 1)[0];
  if (/^(org\.apache\.spark|java\.|scala\.|com\.)[\w.$]*(Exception|Error)\b/.test(firstLine)) {
    const cls = output.match(/"errorClass" : "([^"]+)"/);
    rec.error = cls ? cls[1] : '';
  }
  return rec;
}

// Databricks' type_text spells nested types as `STRUCT<a: INT, b: STRING>`; Spark's catalog
// string is `struct<a:int,b:string>`.
const typeName = (c) => (c.type_text ?? c.type_name ?? '').toLowerCase().replace(/\s*,\s*/g, ',')
  .replace(/:\s+/g, ':');

function ourSchema(manifest) {
  const cols = manifest?.schema?.columns ?? [];
  return `struct<${cols.map((c) => `${c.name}:${typeName(c)}`).join(',')}>`;
}

// Spark's catalog strings for what we print differently but mean alike.
function normSchema(s) {
  return s.replace(/\bvarchar\(\d+\)/g, 'string').replace(/\bchar\(\d+\)/g, 'string');
}

// The tables Spark's SQLQueryTestSuite creates for every file (createTestTables), made in the
// file's schema when its text names them: testdata, arraydata, mapdata, and onek/tenk1/aggtest
// from test-data/.
const TEST_DATA = path.resolve(GOLDEN_DIR, '..', 'test-data');
const PG_COLS = 'unique1 INT, unique2 INT, two INT, four INT, ten INT, twenty INT, hundred INT, ' +
  'thousand INT, twothousand INT, fivethous INT, tenthous INT, odd INT, even INT, stringu1 STRING, ' +
  'stringu2 STRING, string4 STRING';
const TEST_TABLES = {
  testdata: { cols: 'key INT, value STRING', rows: () => Array.from({ length: 100 }, (_, i) => [i + 1, `'${i + 1}'`]) },
  onek: { cols: PG_COLS, rows: () => dataRows('onek.data', 13) },
  tenk1: { cols: PG_COLS, rows: () => dataRows('tenk.data', 13) },
  aggtest: { cols: 'a INT, b FLOAT', rows: () => dataRows('agg.data', 2) },
  arraydata: { cols: 'arraycol ARRAY<INT>, nestedarraycol ARRAY<ARRAY<INT>>',
    rows: () => [[1, 2, 3], [2, 3, 4]].map((a) => [`array(${a})`, `array(array(${a}))`]) },
  mapdata: { cols: 'mapcol MAP<INT, STRING>',
    rows: () => [5, 4, 3, 2, 1].map((n, r) => [`map(${Array.from({ length: n }, (_, i) =>
      `${i + 1}, '${'abcde'[i]}${r + 1}'`).join(', ')})`]) },
};
// Rows of a tab-separated file; columns from `firstString` on are strings.
function dataRows(file, firstString) {
  return fs.readFileSync(path.join(TEST_DATA, file), 'utf8').split('\n').filter((l) => l).map((l) =>
    l.split('\t').map((v, i) => (i >= firstString ? `'${v.replace(/'/g, "''")}'` : v)));
}

async function createTestTables(d, wh, schema, text) {
  for (const [name, t] of Object.entries(TEST_TABLES)) {
    if (!new RegExp(`\\b${name}\\b`, 'i').test(text)) continue;
    const run = (statement) => d.api('POST', '/api/2.0/sql/statements', { statement, warehouse_id: wh,
      catalog: 'main', schema, wait_timeout: '50s' });
    await run(`CREATE TABLE ${name} (${t.cols})`);
    const rows = t.rows();
    for (let i = 0; i < rows.length; i += 1000) {
      const r = await run(`INSERT INTO ${name} VALUES ${rows.slice(i, i + 1000).map((x) => `(${x.join(', ')})`).join(', ')}`);
      if (r.json?.status?.state !== 'SUCCEEDED') throw new Error(`test table ${name}: ${r.text}`);
    }
  }
}

// Whether Spark's answer is ordered: an ORDER BY outside window specifications (OVER (..),
// WINDOW w AS (..)), WITHIN GROUP (..) and subquery expressions, which order no result
// (SQLQueryTestSuite's isSorted looks for a Sort node among the plan's children; a window's
// ordering is none, and a subquery expression's plan is no child).
function withoutWindowOrders(sql) {
  let out = '';
  for (let i = 0; i < sql.length; i++) {
    const before = out.slice(-40);
    const rest = sql.slice(i + 1);
    const windowish = /\b(over|within\s+group)\s*$/i.test(before) ||
      (/\bas\s*$/i.test(before) && /^\s*(partition|order|distribute|sort|rows|range)\b/i.test(rest)) ||
      // a subquery expression (IN, EXISTS, scalar): its plan is no child of the query's
      (/^\s*(select|with)\b/i.test(rest) &&
        /(\b(in|exists|select|where|and|or|not|having|then|else|when)|[=<>+\-*\/,(])\s*$/i.test(before));
    if (sql[i] === '(' && windowish) {
      let depth = 0;
      for (; i < sql.length; i++) {
        if (sql[i] === '(') depth++;
        else if (sql[i] === ')' && --depth === 0) break;
      }
      out += '()';
      continue;
    }
    out += sql[i];
  }
  return out;
}
const hasOrderBy = (sql) => /\border\s+by\b/i.test(withoutWindowOrders(sql));

export function compare(rec, resp) {
  const state = resp?.status?.state;
  if (rec.error !== undefined) {
    if (state !== 'FAILED') return { ok: false, why: `expected error ${rec.error || '(any)'}, got ${state}` };
    const msg = resp.status.error?.message ?? '';
    if (rec.error === '' || msg.includes(`[${rec.error}]`)) return { ok: true };
    return { ok: false, why: `expected [${rec.error}], got ${msg.slice(0, 200)}` };
  }
  if (state !== 'SUCCEEDED') {
    return { ok: false, why: `${state}: ${(resp?.status?.error?.message ?? JSON.stringify(resp)).slice(0, 240)}` };
  }
  if (rec.schema === 'struct<>') return { ok: true }; // a command: only success counts
  const got = ourSchema(resp.manifest);
  if (normSchema(got) !== normSchema(rec.schema)) return { ok: false, why: `schema ${got} != ${rec.schema}` };
  const rows = (resp.result?.data_array ?? []).map((r) => r.map((v) => (v === null ? 'NULL' : v)).join('\t'));
  let want = rec.output === '' ? [] : rec.output.split('\n');
  // Spark's file holds the rows (sorted unless ordered) joined by newlines with the trailing
  // whitespace cut: a row of one empty string prints as no rows, a value with a newline as
  // two lines. Ours go through the same.
  const sorted = !hasOrderBy(rec.sql);
  const text = (sorted ? [...rows].sort() : rows).join('\n').replace(/\s+$/, '');
  let have = text === '' ? [] : text.split('\n');
  if (sorted) {
    want = [...want].sort();
    have = [...have].sort();
  }
  if (want.length !== have.length) return { ok: false, why: `${have.length} rows, want ${want.length}` };
  for (let i = 0; i < want.length; i++)
    if (want[i] !== have[i]) return { ok: false, why: `row ${i}: ${JSON.stringify(have[i])} != ${JSON.stringify(want[i])}` };
  return { ok: true };
}

// All chunks of a statement's inline result.
async function fetchAll(d, resp) {
  if (resp?.status?.state !== 'SUCCEEDED' || resp.result?.next_chunk_index === undefined) return resp;
  const all = [...(resp.result.data_array ?? [])];
  let next = resp.result.next_chunk_index;
  while (next !== undefined && next !== null) {
    const c = await d.api('GET', `/api/2.0/sql/statements/${resp.statement_id}/result/chunks/${next}`);
    all.push(...(c.json.data_array ?? []));
    next = c.json.next_chunk_index;
  }
  resp.result.data_array = all;
  return resp;
}

// Run every file (filter: a substring of the relative path); returns {file: {passed, total,
// failures: [{sql, why}]}}.
export async function runGolden({ filter = '', verbose = false, daemon } = {}) {
  const d = daemon ?? (await startDaemon({ args: ['--no-access-log'] }));
  const report = {};
  try {
    const wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'golden', cluster_size: 'X-Small' })).json.id;
    for (const file of goldenFiles()) {
      if (filter && !file.includes(filter)) continue;
      const text = fs.readFileSync(path.join(GOLDEN_DIR, file), 'utf8');
      const recs = parseGolden(text);
      const schema = `g_${file.replace(/\.sql\.out$/, '').replace(/[^A-Za-z0-9]/g, '_').toLowerCase()}`;
      await d.api('POST', '/api/2.0/sql/statements', { statement: `CREATE SCHEMA IF NOT EXISTS main.${schema}`,
        warehouse_id: wh, wait_timeout: '50s' });
      await createTestTables(d, wh, schema, text);
      const s = await d.api('POST', '/api/2.0/sql/sessions', { warehouse_id: wh, catalog: 'main', schema,
        session_confs: { 'spark.sql.session.timeZone': 'America/Los_Angeles' } });
      if (s.status !== 200) throw new Error(`session: ${s.text}`);
      const sid = s.json.session_id;
      const r = { passed: 0, total: recs.length, failures: [] };
      for (const rec of recs) {
        let resp;
        try {
          const x = await d.api('POST', '/api/2.0/sql/statements', { statement: rec.sql, warehouse_id: wh,
            session_id: sid, wait_timeout: '30s', on_wait_timeout: 'CANCEL' });
          resp = x.status === 200 ? await fetchAll(d, x.json) : { status: { state: `HTTP ${x.status}`, error: x.json } };
        } catch (e) {
          throw new Error(`${file}: the daemon failed on\n${rec.sql}\n${e}\n${d.stderr.slice(-4000)}`);
        }
        const c = compare(rec, resp);
        if (c.ok) r.passed++;
        else r.failures.push({ sql: rec.sql, why: c.why });
      }
      await d.api('DELETE', `/api/2.0/sql/sessions/${sid}`);
      report[file] = r;
      if (verbose) for (const f of r.failures) console.log(`  ${file}: ${f.sql.replace(/\s+/g, ' ').slice(0, 160)}\n      ${f.why}`);
    }
  } finally {
    if (!daemon) await d.stop();
  }
  return report;
}

export function summarize(report) {
  let p = 0, t = 0;
  const lines = [];
  for (const [f, r] of Object.entries(report)) {
    p += r.passed;
    t += r.total;
    lines.push(`${f.padEnd(44)} ${String(r.passed).padStart(4)}/${String(r.total).padEnd(4)} ${(100 * r.passed / Math.max(1, r.total)).toFixed(0)}%`);
  }
  lines.push(`${'TOTAL'.padEnd(44)} ${String(p).padStart(4)}/${t} ${(100 * p / Math.max(1, t)).toFixed(1)}%`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const json = args.includes('--json') ? args[args.indexOf('--json') + 1] : null;
  const verbose = args.includes('--verbose');
  const filter = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--json')[0] ?? '';
  const report = await runGolden({ filter, verbose });
  console.log(summarize(report));
  if (json) fs.writeFileSync(json, JSON.stringify(report, null, 1));
}
