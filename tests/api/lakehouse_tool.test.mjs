// lakehouse_tool.test.mjs - drives build/lakehouse-tool end to end: import CSV and JSON
// lines (with partitioning, type inference, append/overwrite), cat with --version,
// --columns and --limit, history, optimize, vacuum (retention check, dry run), schema of a
// parquet-testing file, and error exits. The binary is $LH_BUILD_DIR/lakehouse-tool
// (default build/lakehouse-tool). Test inputs are generated here; shared test data is
// only read in place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUILD = process.env.LH_BUILD_DIR ? resolve(process.env.LH_BUILD_DIR) : join(root, 'build');
const TOOL = join(BUILD, 'lakehouse-tool');
const TESTDATA = process.env.LH_TESTDATA ?? join(root, '..', 'shared', 'testdata');

function tool(...args) {
  const r = spawnSync(TOOL, args, { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function ok(...args) {
  const r = tool(...args);
  assert.equal(r.code, 0, `lakehouse-tool ${args.join(' ')} failed: ${r.err}`);
  return r.out;
}

const lines = (s) => s.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
const byId = (a, b) => a.id - b.id;

function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'lh-tool-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

const CSV = [
  'id,name,score,day,ts,active,city',
  '1,"Smith, John",1.5,2024-01-02,2024-01-02T03:04:05Z,true,NY',
  '2,"say ""hi""",,2024-02-03,2024-01-02 03:04:05.123456,false,SF',
  '3,"two\nlines",3,2024-03-04,2024-01-02T03:04:05+01:00,TRUE,NY',
  '4,,-2e3,2024-04-05,2024-05-06T07:08:09.5Z,,',
].join('\r\n') + '\r\n';

test('import CSV with partitioning: inferred schema, rows, partition directories', () => {
  const s = scratch();
  try {
    writeFileSync(join(s.dir, 'in.csv'), CSV);
    const t = join(s.dir, 't');
    const res = JSON.parse(ok('import', join(s.dir, 'in.csv'), t, '--partition-by', 'city'));
    assert.equal(res.version, 0);
    assert.equal(res.numOutputRows, 4);
    const schema = JSON.parse(ok('schema', t));
    assert.deepEqual(schema.fields.map((f) => [f.name, f.type]), [
      ['id', 'long'], ['name', 'string'], ['score', 'double'], ['day', 'date'],
      ['ts', 'timestamp'], ['active', 'boolean'], ['city', 'string'],
    ]);
    assert.ok(existsSync(join(t, 'city=NY')) && existsSync(join(t, 'city=SF')));
    assert.ok(existsSync(join(t, 'city=__HIVE_DEFAULT_PARTITION__')));
    const rows = lines(ok('cat', t)).sort(byId);
    assert.deepEqual(rows[0], {
      id: 1, name: 'Smith, John', score: 1.5, day: '2024-01-02',
      ts: '2024-01-02T03:04:05.000000Z', active: true, city: 'NY',
    });
    assert.equal(rows[1].name, 'say "hi"');
    assert.equal(rows[1].score, null);
    assert.equal(rows[1].ts, '2024-01-02T03:04:05.123456Z');
    assert.equal(rows[2].name, 'two\nlines');
    assert.equal(rows[2].ts, '2024-01-02T02:04:05.000000Z');
    assert.equal(rows[3].score, -2000);
    assert.equal(rows[3].active, null);
    assert.equal(rows[3].city, null);
  } finally {
    s.done();
  }
});

test('import JSON lines: types, append, cat --version/--columns/--limit, overwrite', () => {
  const s = scratch();
  try {
    const a = join(s.dir, 'a.jsonl');
    const b = join(s.dir, 'b.json');
    writeFileSync(a, [
      '{"id": 1, "kind": "x", "amount": 2, "when": "2024-01-01", "tags": "a"}',
      '{"id": 2, "kind": "y", "amount": 2.5, "when": "2024-01-02"}',
      '',
      '{"id": 3, "kind": "x", "amount": null, "when": "2024-01-03", "extra": true}',
    ].join('\n'));
    writeFileSync(b, '{"id": 4, "kind": "y", "amount": 1, "when": "2024-02-01"}\n');
    const t = join(s.dir, 't');
    ok('import', a, t, '--partition-by', 'kind');
    const schema = JSON.parse(ok('schema', t));
    const types = Object.fromEntries(schema.fields.map((f) => [f.name, f.type]));
    assert.deepEqual(types, {
      id: 'long', kind: 'string', amount: 'double', when: 'date', tags: 'string', extra: 'boolean',
    });
    const v0 = lines(ok('cat', t)).sort(byId);
    assert.equal(v0.length, 3);
    assert.equal(v0[0].tags, 'a');
    assert.equal(v0[1].tags, null); // arrays/objects: lakehouse_tool_nested.test.mjs
    assert.equal(v0[1].amount, 2.5);
    assert.equal(v0[2].extra, true);
    // append a file lacking some columns; the table keeps its types
    assert.equal(JSON.parse(ok('import', b, t, '--mode', 'append')).version, 1);
    assert.equal(lines(ok('cat', t)).length, 4);
    assert.equal(lines(ok('cat', t, '--version', '0')).length, 3);
    const proj = lines(ok('cat', t, '--columns', 'when,id'));
    assert.deepEqual(Object.keys(proj[0]), ['when', 'id']);
    assert.equal(lines(ok('cat', t, '--limit', '2')).length, 2);
    assert.equal(ok('cat', t, '--limit', '0'), '');
    // overwrite replaces everything
    ok('import', b, t, '--mode', 'overwrite');
    const after = lines(ok('cat', t));
    assert.equal(after.length, 1);
    assert.equal(after[0].id, 4);
  } finally {
    s.done();
  }
});

test('history, optimize and vacuum --dry-run', () => {
  const s = scratch();
  try {
    const t = join(s.dir, 't');
    for (let i = 0; i < 4; i++) {
      const f = join(s.dir, `part${i}.csv`);
      writeFileSync(f, 'id,grp,val\n' + [0, 1, 2].map((k) => `${i * 3 + k},g${k % 2},${i * 10 + k}`).join('\n') + '\n');
      ok('import', f, t, '--partition-by', 'grp');
    }
    const before = lines(ok('cat', t)).sort(byId);
    assert.equal(before.length, 12);
    const opt = JSON.parse(ok('optimize', t, '--zorder-by', 'val'));
    assert.equal(opt.version, 4);
    assert.equal(opt.numRemovedFiles, 8);
    assert.equal(opt.numAddedFiles, 2);
    assert.deepEqual(lines(ok('cat', t)).sort(byId), before);
    const hist = lines(ok('history', t));
    assert.deepEqual(hist.map((h) => h.version), [4, 3, 2, 1, 0]);
    assert.equal(hist[0].operation, 'OPTIMIZE');
    assert.equal(hist[0].operationParameters.zOrderBy, '["val"]');
    assert.equal(hist[0].isolationLevel, 'SnapshotIsolation');
    assert.equal(hist[0].operationMetrics.numRemovedFiles, '8');
    assert.equal(hist[4].operation, 'WRITE');
    assert.equal(hist[4].operationParameters.partitionBy, '["grp"]');
    assert.equal(hist[1].isBlindAppend, true);
    assert.equal(hist[1].engineInfo, 'lakehouse/0.1.0');
    assert.equal(lines(ok('history', t, '--limit', '2')).length, 2);

    // a retention under 168 hours is refused unless forced
    const refused = tool('vacuum', t, '--retain-hours', '0');
    assert.equal(refused.code, 1);
    assert.match(refused.err, /delta\.deletedFileRetentionDuration/);
    assert.match(refused.err, /retentionDurationCheck/);
    // default retention: the compacted files are too recent to go
    assert.equal(JSON.parse(ok('vacuum', t, '--dry-run')).numFiles, 0);
    const dry = JSON.parse(ok('vacuum', t, '--retain-hours', '0', '--force', '--dry-run'));
    assert.equal(dry.dryRun, true);
    assert.equal(dry.numFiles, 8);
    for (const f of dry.files) assert.ok(existsSync(join(t, f)), `dry run deleted ${f}`);
    const real = JSON.parse(ok('vacuum', t, '--retain-hours', '0', '--force'));
    assert.deepEqual(real.files, dry.files);
    for (const f of real.files) assert.ok(!existsSync(join(t, f)));
    assert.deepEqual(lines(ok('cat', t)).sort(byId), before);
    assert.ok(readdirSync(join(t, '_delta_log')).includes('00000000000000000004.json'));
  } finally {
    s.done();
  }
});

test('schema and cat of a parquet-testing file', () => {
  const f = join(TESTDATA, 'parquet-testing', 'data', 'alltypes_plain.parquet');
  const schema = JSON.parse(ok('schema', f));
  assert.equal(schema.type, 'struct');
  const names = schema.fields.map((x) => x.name);
  assert.deepEqual(names.slice(0, 3), ['id', 'bool_col', 'tinyint_col']);
  assert.equal(schema.fields.find((x) => x.name === 'timestamp_col').type, 'timestamp');
  const rows = lines(ok('cat', f));
  assert.equal(rows.length, 8);
  assert.equal(rows[0].id, 4);
  assert.equal(rows[0].timestamp_col, '2009-03-01T00:00:00.000000Z');
  assert.equal(rows[1].double_col, 10.1);
  assert.equal(Buffer.from(rows[1].string_col, 'base64').toString(), '1');
  assert.deepEqual(lines(ok('cat', f, '--columns', 'id', '--limit', '3')), [{ id: 4 }, { id: 5 }, { id: 6 }]);
  // decimals print as exact decimal strings
  const dec = join(TESTDATA, 'parquet-testing', 'data', 'int32_decimal.parquet');
  assert.equal(JSON.parse(ok('schema', dec)).fields[0].type, 'decimal(4,2)');
  assert.deepEqual(lines(ok('cat', dec, '--limit', '2')), [{ value: '1.00' }, { value: '2.00' }]);
  // importing the Parquet file makes a Delta table with the same rows
  const s = scratch();
  try {
    ok('import', f, join(s.dir, 't'));
    assert.deepEqual(lines(ok('cat', join(s.dir, 't'))), rows);
  } finally {
    s.done();
  }
});

test('--help and --version on stdout with exit 0; usage errors exit 2 on stderr', () => {
  for (const h of ['--help', '-h', 'help']) {
    const r = tool(h);
    assert.equal(r.code, 0, h);
    assert.equal(r.err, '');
    assert.match(r.out, /^usage: lakehouse-tool COMMAND/);
    for (const c of ['schema', 'cat', 'history', 'import', 'optimize', 'vacuum'])
      assert.match(r.out, new RegExp(`\\n  ${c} `), c);
  }
  const v = tool('--version');
  assert.equal(v.code, 0);
  assert.equal(v.err, '');
  assert.match(v.out, /^lakehouse-tool \d+\.\d+\.\d+\n$/);
  for (const c of ['schema', 'cat', 'history', 'import', 'optimize', 'vacuum']) {
    const r = tool(c, '--help');
    assert.equal(r.code, 0, c);
    assert.equal(r.err, '');
    assert.match(r.out, new RegExp(`^usage: lakehouse-tool ${c} `), c);
  }
  // --help wins over anything else on the line
  assert.equal(tool('import', 'a', 'b', '--mode', 'x', '--help').code, 0);
  const cases = [
    [[], /missing command/],
    [['bogus'], /unknown command 'bogus'/],
    [['cat', 'x', '--bogus', '1'], /unknown option --bogus for cat/],
    [['vacuum', 'x', '--limit', '1'], /unknown option --limit for vacuum/],
    [['import', 'onlyone'], /usage: lakehouse-tool import/],
    [['cat', 'x', '--limit'], /usage: lakehouse-tool cat/],
  ];
  for (const [args, re] of cases) {
    const r = tool(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.out, '', args.join(' '));
    assert.match(r.err, re, args.join(' '));
  }
});

test('errors: one line on stderr and a non-zero exit', () => {
  const s = scratch();
  try {
    const csv = join(s.dir, 'x.csv');
    writeFileSync(csv, 'a,b\n1,2\n');
    const t = join(s.dir, 't');
    ok('import', csv, t);
    const cases = [
      [['cat', join(s.dir, 'missing')], 1, /not a Delta table/],
      [['bogus'], 2, /unknown command/],
      [['cat'], 2, /usage/],
      [['cat', t, '--version', '7'], 1, /RESOURCE_DOES_NOT_EXIST|not found|version/i],
      [['cat', t, '--limit', 'x'], 1, /--limit/],
      [['cat', t, '--columns', 'nope'], 1, /nope/],
      [['import', csv, t, '--mode', 'upsert'], 1, /--mode/],
      [['import', join(s.dir, 'none.csv'), t], 1, /not a file/],
      [['import', csv, t, '--partition-by', 'b'], 1, /partition/],
      [['optimize', t, '--zorder-by', 'zz'], 1, /zz/],
      [['history', join(s.dir, 'missing')], 1, /not a Delta table/],
    ];
    for (const [args, code, re] of cases) {
      const r = tool(...args);
      assert.equal(r.code, code, `${args.join(' ')}: exit ${r.code} ${r.err}`);
      assert.match(r.err, re, args.join(' '));
      if (code === 1) assert.equal(r.err.trim().split('\n').length, 1, r.err);
    }
    writeFileSync(join(s.dir, 'bad.csv'), 'a,b\n1,"unterminated\n');
    assert.equal(tool('import', join(s.dir, 'bad.csv'), join(s.dir, 't2')).code, 1);
    writeFileSync(join(s.dir, 'short.csv'), 'a,b\n1\n');
    assert.match(tool('import', join(s.dir, 'short.csv'), join(s.dir, 't2')).err, /fields/);
    writeFileSync(join(s.dir, 'bad.jsonl'), '{"a":1}\n[1,2]\n');
    assert.match(tool('import', join(s.dir, 'bad.jsonl'), join(s.dir, 't2')).err, /line 2/);
    // appending text that does not fit the table's column type
    writeFileSync(join(s.dir, 'y.csv'), 'a,b\nhello,2\n');
    assert.match(tool('import', join(s.dir, 'y.csv'), t).err, /hello/);
  } finally {
    s.done();
  }
});
