// statements_links.test.mjs - disposition EXTERNAL_LINKS: chunk files in JSON_ARRAY, CSV and
// ARROW_STREAM behind signed links (no token; tampered links 403; Range), multi-chunk
// results and the chunk endpoint, Arrow decoded and compared with JSON_ARRAY for every
// type, CSV quoting, byte_limit / row_limit truncation, and the INLINE format rule.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness.mjs';
import { decodeArrowStream } from './statements_arrow.mjs';

let d, wh;
const q = async (statement, extra = {}) =>
  (await d.api('POST', '/api/2.0/sql/statements', { statement, warehouse_id: wh, wait_timeout: '50s', ...extra })).json;
const links = (statement, format, extra = {}) => q(statement, { disposition: 'EXTERNAL_LINKS', format, ...extra });
const download = async (url, headers = {}) => {
  const r = await fetch(url, { headers });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
};
const values = (n) => [...Array(n).keys()].map((i) => `(${i})`).join(', ');

before(async () => {
  d = await startDaemon();
  wh = (await d.api('POST', '/api/2.0/sql/warehouses', { name: 'sql', cluster_size: '2X-Small' })).json.id;
  const r = await q(`CREATE TABLE main.default.big AS SELECT a.col1 * 100 + b.col1 AS x
                     FROM VALUES ${values(100)} AS a CROSS JOIN VALUES ${values(100)} AS b`);
  assert.equal(r.status.state, 'SUCCEEDED', JSON.stringify(r));
});
after(async () => { await d.stop(); });

test('INLINE accepts JSON_ARRAY only, with Databricks\' message', async () => {
  for (const format of ['CSV', 'ARROW_STREAM']) {
    const r = await d.api('POST', '/api/2.0/sql/statements', { statement: 'SELECT 1', warehouse_id: wh, format });
    assert.equal(r.status, 400);
    assert.equal(r.json.error_code, 'INVALID_PARAMETER_VALUE');
    assert.equal(r.json.message, 'The format field must be JSON_ARRAY when the disposition field is INLINE.');
  }
  const r = await d.api('POST', '/api/2.0/sql/statements', { statement: 'SELECT 1', warehouse_id: wh, disposition: 'ELSEWHERE' });
  assert.equal(r.status, 400);
});

test('a small result in each format: manifest, one link, the file without a token', async () => {
  const expected = { JSON_ARRAY: '[["1","x,\\"y",null]]', CSV: 'a,b,n\r\n1,"x,""y",null\r\n' };
  for (const format of ['JSON_ARRAY', 'CSV', 'ARROW_STREAM']) {
    const r = await links(`SELECT 1 AS a, 'x,"y' AS b, NULL AS n`, format);
    assert.equal(r.status.state, 'SUCCEEDED', JSON.stringify(r));
    assert.equal(r.manifest.format, format);
    assert.equal(r.manifest.total_chunk_count, 1);
    assert.equal(r.manifest.total_row_count, 1);
    assert.equal(r.manifest.truncated, false);
    assert.equal(r.result.data_array, undefined);
    const [l] = r.result.external_links;
    assert.equal(l.chunk_index, 0);
    assert.equal(l.row_count, 1);
    assert.equal(l.next_chunk_index, undefined);
    assert.ok(l.external_link.startsWith(d.url + '/'), l.external_link);
    const exp = Date.parse(l.expiration);
    assert.ok(exp > Date.now() && exp <= Date.now() + 15 * 60 * 1000 + 1000, l.expiration);
    const f = await download(l.external_link); // fetch sends no Authorization
    assert.equal(f.status, 200);
    assert.equal(f.body.length, l.byte_count);
    assert.equal(r.manifest.total_byte_count, l.byte_count);
    if (format !== 'ARROW_STREAM') assert.equal(f.body.toString(), expected[format]);
    else {
      const s = decodeArrowStream(f.body);
      assert.deepEqual(s.fields.map((x) => [x.name, x.type.kind]), [['a', 'int'], ['b', 'utf8'], ['n', 'null']]);
      assert.deepEqual(s.rows, [[1, 'x,"y', null]]);
      assert.equal(f.headers.get('content-type'), 'application/vnd.apache.arrow.stream');
    }
  }
});

test('links: tampered, moved, unsigned or malformed answer 403; Range works', async () => {
  const r = await links('SELECT x FROM big ORDER BY x LIMIT 1000', 'CSV');
  const url = new URL(r.result.external_links[0].external_link);
  const sig = url.searchParams.get('signature');
  const bad = [
    url.href.replace(sig, (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1)),
    url.href.replace(`expires=${url.searchParams.get('expires')}`, `expires=${Number(url.searchParams.get('expires')) + 1}`),
    url.href.replace('/0.csv', '/0.json'),
    url.origin + url.pathname,
    url.href.replace(/signature=[0-9a-f]+/, 'signature=xyz'),
    url.href.replace(/\/[0-9a-f-]{36}\//, '/00000000-0000-0000-0000-000000000000/'),
  ];
  for (const u of bad) assert.equal((await download(u)).status, 403, u);
  // a path outside the results folder never reaches a file
  const escape = await download(url.origin + '/api/2.0/sql/statement-results/..%2F..%2Fmeta.db/0.csv' + url.search);
  assert.ok([401, 403, 404].includes(escape.status), String(escape.status));
  const part = await download(url.href, { Range: 'bytes=0-1' });
  assert.equal(part.status, 206);
  assert.equal(part.body.toString(), 'x\r');
  // with a token the link still works (the token is ignored)
  assert.equal((await download(url.href, { Authorization: `Bearer ${d.token}` })).status, 200);
});

test('300,000 rows: three chunks in every format, the chunk endpoint links each', async () => {
  const sql = `SELECT a.x, b.col1 AS y FROM big a CROSS JOIN VALUES ${values(30)} AS b`;
  for (const format of ['JSON_ARRAY', 'CSV', 'ARROW_STREAM']) {
    const r = await links(sql, format);
    assert.equal(r.status.state, 'SUCCEEDED', JSON.stringify(r.status));
    const m = r.manifest;
    assert.equal(m.total_row_count, 300000);
    assert.equal(m.total_chunk_count, 3);
    assert.deepEqual(m.chunks.map((c) => [c.chunk_index, c.row_offset, c.row_count]),
      [[0, 0, 100000], [1, 100000, 100000], [2, 200000, 100000]]);
    assert.equal(m.total_byte_count, m.chunks.reduce((s, c) => s + c.byte_count, 0));
    let link = r.result.external_links[0];
    let rows = 0, sumX = 0, sumY = 0;
    for (let i = 0; i < 3; i++) {
      assert.equal(link.chunk_index, i);
      const f = await download(link.external_link);
      assert.equal(f.status, 200);
      assert.equal(f.body.length, m.chunks[i].byte_count);
      let data;
      if (format === 'JSON_ARRAY') data = JSON.parse(f.body.toString()).map((row) => row.map(Number));
      else if (format === 'CSV') {
        const lines = f.body.toString().split('\r\n').filter((x) => x);
        if (i === 0) assert.equal(lines.shift(), 'x,y'); // the header in chunk 0 only
        data = lines.map((l) => l.split(',').map(Number));
      } else data = decodeArrowStream(f.body).rows;
      assert.equal(data.length, m.chunks[i].row_count);
      for (const [x, y] of data) { sumX += x; sumY += y; rows++; }
      if (i < 2) {
        assert.equal(link.next_chunk_index, i + 1);
        const next = await d.api('GET', link.next_chunk_internal_link);
        assert.equal(next.status, 200);
        link = next.json.external_links[0];
      } else {
        assert.equal(link.next_chunk_index, undefined);
      }
    }
    assert.equal(rows, 300000);
    assert.equal(sumX, 30 * (9999 * 10000) / 2);
    assert.equal(sumY, 10000 * (29 * 30) / 2);
    const out = await d.api('GET', `/api/2.0/sql/statements/${r.statement_id}/result/chunks/3`);
    assert.equal(out.status, 400);
  }
});

// JSON_ARRAY text -> the value Arrow carries, per type
const micros = (s) => { // "YYYY-MM-DD HH:MM:SS[.f]" read as UTC
  const [date, time] = s.split(' ');
  const [hms, frac = ''] = time.split('.');
  return BigInt(Date.parse(`${date}T${hms}Z`)) * 1000n + BigInt((frac + '000000').slice(0, 6));
};
const asArrow = {
  BOOLEAN: (s) => s === 'true', TINYINT: Number, SMALLINT: Number, INT: Number, BIGINT: BigInt,
  FLOAT: (s) => Math.fround(Number(s)), DOUBLE: Number, STRING: (s) => s, BINARY: (s) => Buffer.from(s),
  DATE: (s) => Date.parse(s + 'T00:00:00Z') / 86400000, TIMESTAMP: micros, TIMESTAMP_NTZ: micros,
  'INTERVAL YEAR TO MONTH': (s) => { const neg = s.startsWith('-'); const [y, m] = s.replace('-', neg ? '' : '-').split('-').filter((x) => x !== '').map(Number); return (neg ? -1 : 1) * (y * 12 + m); },
  'INTERVAL DAY TO SECOND': (s) => { const [days, t] = s.split(' '); const [h, mi, sec] = t.split(':'); const [ws, fr = ''] = sec.split('.'); return ((BigInt(days) * 24n + BigInt(h)) * 3600n + BigInt(mi) * 60n + BigInt(ws)) * 1000000n + BigInt((fr + '000000').slice(0, 6)); },
};
const decimal = (s, scale) => { const [w, f = ''] = s.replace('-', '').split('.'); const v = BigInt(w + (f + '0'.repeat(scale)).slice(0, scale)); return s.startsWith('-') ? -v : v; };

test('ARROW_STREAM carries every engine type as JSON_ARRAY shows it, nulls included', async () => {
  const cols = `true AS bo, CAST(-8 AS TINYINT) AS i8, CAST(-300 AS SMALLINT) AS i16, 70000 AS i32,
    CAST(-9000000000 AS BIGINT) AS i64, CAST(1.5 AS FLOAT) AS f, 2.25D AS d, CAST(-123.45 AS DECIMAL(10,2)) AS dec,
    CAST('-12345678901234567890.5' AS DECIMAL(38,1)) AS dec38, 'héllo, "wörld"' AS s, CAST('ab' AS BINARY) AS bin,
    DATE '2024-02-29' AS dt, TIMESTAMP '2024-01-02 03:04:05.123456' AS ts, TIMESTAMP_NTZ '1969-12-31 23:59:59.5' AS ntz,
    INTERVAL '1-2' YEAR TO MONTH AS ym, INTERVAL '1 02:03:04.5' DAY TO SECOND AS dts`;
  const sql = `SELECT * FROM (SELECT ${cols}) UNION ALL SELECT * FROM (SELECT ${cols}) WHERE false
    UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL`;
  const inline = await q(sql);
  assert.equal(inline.status.state, 'SUCCEEDED', JSON.stringify(inline.status));
  const r = await links(sql, 'ARROW_STREAM');
  assert.equal(r.status.state, 'SUCCEEDED');
  const s = decodeArrowStream((await download(r.result.external_links[0].external_link)).body);
  const columns = inline.manifest.schema.columns;
  assert.deepEqual(s.fields.map((f) => f.name), columns.map((c) => c.name));
  assert.deepEqual(s.fields.map((f) => f.type.kind), ['bool', 'int', 'int', 'int', 'int', 'float', 'float', 'decimal',
    'decimal', 'utf8', 'binary', 'date', 'timestamp', 'timestamp', 'interval', 'duration']);
  assert.deepEqual(s.fields.slice(1, 5).map((f) => f.type.bitWidth), [8, 16, 32, 64]);
  assert.deepEqual([s.fields[7].type.precision, s.fields[7].type.scale, s.fields[8].type.precision], [10, 2, 38]);
  assert.equal(s.fields[11].type.unit, 0); // DAY
  assert.deepEqual([s.fields[12].type.unit, s.fields[12].type.timezone], [2, 'UTC']);
  assert.deepEqual([s.fields[13].type.unit, s.fields[13].type.timezone], [2, null]);
  assert.ok(s.fields.every((f) => f.nullable));
  assert.equal(s.rows.length, 2);
  const sorted = [...inline.result.data_array].sort((a, b) => (a[0] === null) - (b[0] === null));
  const got = [...s.rows].sort((a, b) => (a[0] === null) - (b[0] === null));
  for (let c = 0; c < columns.length; c++) {
    const col = columns[c];
    const text = sorted[0][c];
    const want = col.type_name === 'DECIMAL' ? decimal(text, col.type_scale) : asArrow[col.type_text](text);
    assert.deepEqual(got[0][c], want, `${col.name} (${col.type_text}): ${text}`);
    assert.equal(got[1][c], null, `${col.name} null`);
  }
});

test('CSV quotes commas, quotes and line breaks; NULL is null', async () => {
  const r = await links(`SELECT * FROM VALUES ('plain', 1), ('a,b', 2), ('say "hi"', 3), ('two\nlines', 4), (NULL, 5), ('', 6) AS t(s, \`n,m\`) ORDER BY 2`, 'CSV');
  assert.equal(r.status.state, 'SUCCEEDED', JSON.stringify(r.status));
  const f = await download(r.result.external_links[0].external_link);
  assert.equal(f.headers.get('content-type'), 'text/csv');
  assert.equal(f.body.toString(), 's,"n,m"\r\nplain,1\r\n"a,b",2\r\n"say ""hi""",3\r\n"two\nlines",4\r\nnull,5\r\n,6\r\n');
});

test('row_limit and byte_limit truncate EXTERNAL_LINKS and INLINE results', async () => {
  let r = await links('SELECT x FROM big ORDER BY x', 'JSON_ARRAY', { row_limit: 10 });
  assert.equal(r.manifest.total_row_count, 10);
  assert.equal(r.manifest.truncated, true);
  r = await links('SELECT x FROM big ORDER BY x', 'ARROW_STREAM', { byte_limit: 800 });
  assert.equal(r.manifest.truncated, true);
  assert.equal(r.manifest.total_row_count, 200); // 4 bytes an INT row
  const s = decodeArrowStream((await download(r.result.external_links[0].external_link)).body);
  assert.equal(s.rows.length, 200);
  assert.deepEqual(s.rows.slice(0, 3), [[0], [1], [2]]);
  r = await links('SELECT x FROM big ORDER BY x LIMIT 10', 'CSV', { row_limit: 10 });
  assert.equal(r.manifest.truncated, false);
  r = await q('SELECT x FROM big ORDER BY x', { byte_limit: 100 });
  assert.equal(r.manifest.truncated, true);
  assert.ok(r.manifest.total_row_count < 100);
});

test('an empty result has no chunks and no links', async () => {
  const r = await links('SELECT x FROM big WHERE x < 0', 'ARROW_STREAM');
  assert.equal(r.status.state, 'SUCCEEDED');
  assert.equal(r.manifest.total_row_count, 0);
  assert.equal(r.manifest.total_chunk_count, 0);
  assert.deepEqual(r.manifest.schema.columns.map((c) => c.name), ['x']);
});
