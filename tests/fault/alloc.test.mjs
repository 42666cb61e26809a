// alloc.test.mjs - allocation fault injection against the real daemon.
//
// Needs the fault-injection build (cmake -DLH_FAULT_INJECT=ON, see common/fault.h):
//   LH_BIN=build-fault/lakehoused node --test tests/fault/
// A scenario is one API request (create a user, list tokens, ...). A request sent with
// "X-Lh-Fault-Nth: n" has its nth allocation fail (n = 0: none; the answer then carries
// X-Lh-Fault-Allocs, the number it made). The first request of a kind on a fresh daemon
// allocates more (SQLite prepares and caches its statements), so each scenario runs:
//   1. a baseline on a fresh daemon: the request cold and warm, unfaulted: the normal
//      status and body shape, K_cold and K_warm allocations, and the allocations the
//      daemon reports live at exit (the same for every clean run, whatever it served);
//   2. warm: one daemon; for every n in 1..K_warm (evenly sampled past WARM_MAX) the
//      request with its nth allocation failing, then the same request unfaulted;
//   3. cold: for a sample of COLD_SAMPLES n in 1..K_cold, a fresh daemon serves the
//      request once with its nth allocation failing, then once unfaulted, and stops.
// Every faulted answer must be the normal one (same status and body shape: the failure was
// absorbed, e.g. by SQLite) or a clean 5xx {"error_code","message"}; the daemon must keep
// running; the unfaulted request after it must get the normal answer (nothing left
// half-changed: an open transaction, a held lock); and each daemon, stopped with SIGTERM,
// must report exactly the baseline's live allocations (more is a leak; the cold pass
// names the n). LH_FAULT_SCENARIO=<name> runs one scenario; LH_FAULT_COLD_SAMPLES=<k>
// widens the cold pass (1000 covers every n: about 4 minutes instead of 35 seconds).
import test from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../api/harness.mjs';

const WARM_MAX = 400; // faulted requests per scenario on the warm daemon
const COLD_SAMPLES = Number(process.env.LH_FAULT_COLD_SAMPLES ?? 40); // fresh daemons per scenario
const POLICY_DEF = JSON.stringify({ spark_version: { type: 'unlimited', defaultValue: '15.4.x-scala2.12' } });

let seq = 0;
const uniq = (p) => `${p}-${process.pid}-${++seq}`;

// A scenario: setup(d) once per daemon (unfaulted, may return state), then request(state)
// builds the request under test (fresh names each call, so a retry does not collide).
const scenarios = {
  'create user': {
    request: () => ['POST', '/api/2.0/preview/scim/v2/Users', { userName: `${uniq('u')}@example.com` }],
  },
  'create token': {
    request: () => ['POST', '/api/2.0/token/create', { comment: uniq('t'), lifetime_seconds: 3600 }],
  },
  'list tokens': {
    setup: async (d) => { await ok(d, 'POST', '/api/2.0/token/create', { comment: 'a' }); },
    request: () => ['GET', '/api/2.0/token/list'],
  },
  'get token': {
    setup: async (d) => (await ok(d, 'POST', '/api/2.0/token/create', { comment: 'g' })).token_info.token_id,
    request: (id) => ['GET', `/api/2.0/token-management/tokens/${id}`],
  },
  'create policy': {
    request: () => ['POST', '/api/2.0/policies/clusters/create', { name: uniq('p'), definition: POLICY_DEF }],
  },
  'create cluster': {
    request: () => ['POST', '/api/2.1/clusters/create',
      { cluster_name: uniq('c'), spark_version: '15.4.x-scala2.12', num_workers: 0 }],
  },
  'get cluster': {
    setup: (d) => runningCluster(d, 'g'),
    request: (id) => ['GET', `/api/2.1/clusters/get?cluster_id=${id}`],
  },
  'list policies': {
    setup: async (d) => { await ok(d, 'POST', '/api/2.0/policies/clusters/create', { name: 'l', definition: POLICY_DEF }); },
    request: () => ['GET', '/api/2.0/policies/clusters/list'],
  },
  'create group': {
    request: () => ['POST', '/api/2.0/preview/scim/v2/Groups', { displayName: uniq('g') }],
  },
  'create instance pool': {
    request: () => ['POST', '/api/2.0/instance-pools/create',
      { instance_pool_name: uniq('ip'), node_type_id: 'lakehouse.small' }],
  },
  'list clusters': {
    setup: (d) => runningCluster(d, 'l'),
    request: () => ['GET', '/api/2.1/clusters/list?filter_by.cluster_sources=API'],
  },
  'SCIM Me': {
    request: () => ['GET', '/api/2.0/preview/scim/v2/Me'],
  },
  'create catalog': {
    request: () => ['POST', '/api/2.1/unity-catalog/catalogs', { name: uniq('c'), comment: 'x', properties: { a: 'b' } }],
  },
  'list schemas': {
    setup: async (d) => { await ok(d, 'POST', '/api/2.1/unity-catalog/schemas', { catalog_name: 'main', name: 's' }); },
    request: () => ['GET', '/api/2.1/unity-catalog/schemas?catalog_name=main&max_results=2'],
  },
  'create volume': {
    request: () => ['POST', '/api/2.1/unity-catalog/volumes',
      { catalog_name: 'main', schema_name: 'default', name: uniq('v'), volume_type: 'MANAGED' }],
  },
  'list directory': {
    setup: async (d) => {
      await ok(d, 'POST', '/api/2.1/unity-catalog/volumes', { catalog_name: 'main', schema_name: 'default', name: 'fv', volume_type: 'MANAGED' });
      await ok(d, 'PUT', '/api/2.0/fs/directories/Volumes/main/default/fv/a/b');
    },
    request: () => ['GET', '/api/2.0/fs/directories/Volumes/main/default/fv/a'],
  },
  // fields in the query string: with this JSON body, an allocation failing inside the body
  // parser (json_loadb in server/http.c) aborts the daemon ("invalid pointer" in json_delete)
  'create warehouse': {
    request: () => ['POST', `/api/2.0/sql/warehouses?name=${uniq('w')}&cluster_size=2X-Small&auto_stop_mins=0`],
  },
  'get warehouse': {
    setup: async (d) => (await ok(d, 'POST', '/api/2.0/sql/warehouses?name=g&cluster_size=2X-Small&auto_stop_mins=0')).id,
    request: (id) => ['GET', `/api/2.0/sql/warehouses/${id}`],
  },
  'SCIM list': {
    setup: async (d) => { await ok(d, 'POST', '/api/2.0/preview/scim/v2/Users', { userName: 'x@example.com' }); },
    request: () => ['GET', '/api/2.0/preview/scim/v2/Users?filter=userName%20sw%20%22x%22'],
  },
};

// A cluster's id once it is RUNNING (the shape of a cluster's JSON depends on its state).
async function runningCluster(d, name) {
  const { cluster_id: id } = await ok(d, 'POST', '/api/2.1/clusters/create',
    { cluster_name: name, spark_version: '15.4.x-scala2.12', num_workers: 0 });
  await d.waitFor(async () => (await ok(d, 'GET', `/api/2.1/clusters/get?cluster_id=${id}`)).state === 'RUNNING');
  return id;
}

async function ok(d, method, path, body) {
  const r = await d.api(method, path, body);
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${r.text}`);
  return r.json;
}

async function send(d, req, nth) {
  const [method, path, body] = req;
  return d.api(method, path, body, { headers: { 'X-Lh-Fault-Nth': String(nth) } });
}

// The shape of an answer: its keys at every depth (an array by its first element), so a
// field lost to a failed allocation anywhere shows; values (ids, times) may differ.
function keys(j) {
  if (Array.isArray(j)) return `[${j.length ? keys(j[0]) : ''}]`;
  if (j && typeof j === 'object') return `{${Object.keys(j).sort().map((k) => `${k}:${keys(j[k])}`).join(',')}}`;
  return j === null ? 'null' : typeof j;
}

// Up to max values of 1..k: all of them, or evenly spaced from 1 to k.
function sample(k, max) {
  if (k <= max) return Array.from({ length: k }, (_, i) => i + 1);
  return [...new Set(Array.from({ length: max }, (_, i) => 1 + Math.round((i * (k - 1)) / (max - 1))))];
}

async function liveAtExit(d) {
  await d.stop();
  for (let i = 0; i < 200 && !/lh-fault: \d+ allocations live at exit/.test(d.stderr); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const m = /lh-fault: (\d+) allocations live at exit/.exec(d.stderr);
  assert.ok(m, `no allocation count at exit (is LH_BIN a -DLH_FAULT_INJECT=ON build?)\n${d.stderr.slice(-2000)}`);
  assert.equal(d.lastExit.code, 0, `daemon exit ${JSON.stringify(d.lastExit)}`);
  return Number(m[1]);
}

// The normal answer, the allocation counts, and the live count at exit of a clean run.
async function baseline(sc) {
  const d = await startDaemon({ args: ['--no-access-log'] });
  const state = sc.setup ? await sc.setup(d) : undefined;
  const cold = await send(d, sc.request(state), 0);
  const r = await send(d, sc.request(state), 0);
  assert.equal(cold.status, r.status, `cold ${cold.text} warm ${r.text}`);
  const allocs = (x) => Number(x.headers.get('x-lh-fault-allocs'));
  assert.ok(allocs(r) > 0, `the request reported no allocation count: ${r.status} ${r.text}`);
  return { status: r.status, keys: keys(r.json), cold: allocs(cold), warm: allocs(r), live: await liveAtExit(d) };
}

function checkAnswer(where, r, base) {
  if (r.status === base.status) {
    assert.equal(keys(r.json), base.keys, `${where}: a ${r.status} with a different body: ${r.text}`);
    return 'absorbed';
  }
  assert.ok(r.status >= 500 && r.status < 600, `${where}: answered ${r.status} ${r.text}`);
  assert.ok(r.json && typeof r.json.error_code === 'string' && typeof r.json.message === 'string',
    `${where}: the 5xx body is not {"error_code","message"}: ${r.text}`);
  return 'failed';
}

// The request with allocation n failing, checked, then once unfaulted.
async function faultOnce(d, sc, state, base, where, tally) {
  let r;
  try {
    r = await send(d, sc.request(state), where.n);
  } catch (e) {
    assert.fail(`${where.text}: no answer (${e.message}); daemon stderr:\n${d.stderr.slice(-3000)}`);
  }
  tally[checkAnswer(where.text, r, base)]++;
  assert.equal(d.proc.exitCode, null, `${where.text}: the daemon exited\n${d.stderr.slice(-3000)}`);
  const next = await send(d, sc.request(state), 0);
  assert.equal(next.status, base.status, `${where.text}: the next request got ${next.status} ${next.text}`);
  assert.equal(keys(next.json), base.keys, `${where.text}: the next request got ${next.text}`);
}

// A daemon's run: setup, body(d, state), stop, and the leak check.
async function withDaemon(sc, base, what, body) {
  const d = await startDaemon({ args: ['--no-access-log'] });
  try {
    await body(d, sc.setup ? await sc.setup(d) : undefined);
  } catch (e) {
    await d.stop();
    throw e;
  }
  const live = await liveAtExit(d);
  assert.equal(live, base.live, `${what}: ${live - base.live} allocation(s) leaked`);
}

for (const [name, sc] of Object.entries(scenarios)) {
  if (process.env.LH_FAULT_SCENARIO && process.env.LH_FAULT_SCENARIO !== name) continue;
  test(`allocation failures: ${name}`, async () => {
    const base = await baseline(sc);
    const tally = { absorbed: 0, failed: 0 };
    await withDaemon(sc, base, `${name} (warm)`, async (d, state) => {
      await send(d, sc.request(state), 0);
      for (const n of sample(base.warm, WARM_MAX))
        await faultOnce(d, sc, state, base, { n, text: `${name} (warm), allocation ${n} failing` }, tally);
    });
    for (const n of sample(base.cold, COLD_SAMPLES)) {
      const text = `${name} (cold), allocation ${n} failing`;
      await withDaemon(sc, base, text, (d, state) => faultOnce(d, sc, state, base, { n, text }, tally));
    }
    assert.ok(tally.failed > 0, `${name}: no injected failure reached an error path`);
  });
}
