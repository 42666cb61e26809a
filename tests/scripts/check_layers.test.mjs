// check_layers.test.mjs - scripts/check-layers accepts the repository and rejects each
// kind of upward #include (and lh_module link) in a scratch tree.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = join(root, 'scripts', 'check-layers');

function run(dir) {
  const r = spawnSync(script, dir ? [dir] : [], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

// A scratch tree holding files {path: text}; returns check-layers' result on it.
function check(files, cmake = '') {
  const dir = mkdtempSync(join(tmpdir(), 'lh-layers-'));
  try {
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), text);
    }
    writeFileSync(join(dir, 'CMakeLists.txt'), cmake);
    return run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the repository passes', () => {
  const r = run();
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /check-layers: ok/);
});

test('allowed includes pass', () => {
  const r = check({
    'storage/delta/a.c': '#include "storage/parquet/parquet.h"\n#include "storage/objstore/objstore.h"\n#include "common/err.h"\n',
    'api/identity/b.c': '#include "api/api.h"\n#include "api/clusters/clusters.h"\n#include "identity_internal.h"\n#include "compute/pool.h"\n',
    'server/c.c': '#include "api/identity/identity.h"\n#include "storage/meta/meta.h"\n',
    'tools/lakehouse-tool/d.c': '#include "storage/delta/ops.h"\n#include "tools/lakehouse-tool/tool.h"\n',
    'common/e.c': '#include <stdio.h>\n#include "common/arena.h"\n',
  }, 'lh_module(lh_common common m)\nlh_module(lh_delta storage/delta lh_common)\n');
  assert.equal(r.code, 0, r.out);
});

const bad = [
  ['common/a.c', 'storage/parquet/parquet.h'], // common is the bottom
  ['storage/parquet/a.c', 'storage/objstore/objstore.h'], // siblings do not include each other
  ['storage/meta/a.c', 'storage/delta/delta.h'],
  ['storage/delta/a.c', 'compute/pool.h'], // storage below compute
  ['compute/a.c', 'api/api.h'],
  ['api/a.c', 'api/identity/identity.h'], // api.h sits below the areas
  ['api/identity/a.c', 'api/clusters/clusters_internal.h'], // another area's internals
  ['api/clusters/a.c', 'server/server.h'],
  ['server/a.c', 'api/clusters/policy.h'], // server too uses an area's public header only
  ['tools/lakehouse-tool/a.c', 'api/api.h'],
];
for (const [file, inc] of bad) {
  test(`${file} may not include ${inc}`, () => {
    const r = check({ [file]: `#include "common/err.h"\n#include "${inc}"\n` });
    assert.equal(r.code, 1, r.out);
    assert.ok(r.out.includes(`${file}:2: #include "${inc}"`), r.out);
  });
}

test('a relative include is resolved before it is judged', () => {
  const r = check({ 'storage/objstore/a.c': '#include "../delta/delta.h"\n' });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /storage\/objstore\/a\.c:1: .*storage\/delta\/delta\.h/);
});

test('an lh_module link pointing up fails', () => {
  const r = check({}, 'lh_module(lh_common common m)\nlh_module(lh_parquet storage/parquet lh_common)\n' +
    'lh_module(lh_meta storage/meta lh_parquet lh_common PkgConfig::SQLITE)\n');
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /CMakeLists\.txt:3: lh_module lh_meta links lh_parquet/);
});
