// delta_crash.test.mjs - crash safety of Delta commits: run build/delta_crash_writer
// (tests/crash/delta_crash_writer.c), kill -9 it at random points at least 100 times, and
// after every kill check the table with the writer's "check" mode:
//   - the latest snapshot builds (a consistent version, at least the last one reported);
//   - every commit file parses completely (no partial commit JSON is visible);
//   - every file the snapshot references exists and reads;
//   - every id the writer reported as committed is present exactly once, and each run's
//     ids form one contiguous prefix of its sequence (commits are all-or-nothing).
// Each run writes its own id range (run * 1e9 + ...), so a batch committed but not yet
// reported when the kill came can never collide with a later run's ids.
// Finally lakehouse-tool must read the same table. Budget: about a minute on 2 cores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUILD = process.env.LH_BUILD_DIR ? resolve(process.env.LH_BUILD_DIR) : join(root, 'build');
const WRITER = join(BUILD, 'delta_crash_writer');
const TOOL = join(BUILD, 'lakehouse-tool');

const KILLS = Number(process.env.LH_CRASH_KILLS ?? 120);
const BUDGET_MS = Number(process.env.LH_CRASH_BUDGET_MS ?? 50000);
const ROWS_PER_COMMIT = 40;
const RUN_SPAN = 1e9;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* Start a writer, kill -9 it after delayMs; resolves with its complete output lines. */
async function runAndKill(dir, start, delayMs) {
  const p = spawn(WRITER, ['write', dir, String(start), String(ROWS_PER_COMMIT)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  p.stdout.on('data', (b) => { out += b; });
  p.stderr.on('data', (b) => { err += b; });
  const exited = new Promise((r) => p.on('close', (code, signal) => r({ code, signal })));
  await sleep(delayMs);
  p.kill('SIGKILL');
  const st = await exited;
  const complete = out.slice(0, out.lastIndexOf('\n') + 1);
  const commits = complete.split('\n').filter(Boolean).map((l) => {
    const [v, last] = l.split(' ').map(Number);
    return { version: v, lastId: last };
  });
  return { st, commits, err };
}

function check(dir) {
  const r = spawnSync(WRITER, ['check', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, `check failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/* The id range of run k present in ranges, or null. */
function runRange(ranges, k) {
  const lo = k * RUN_SPAN;
  const inRun = ranges.filter(([a]) => a >= lo && a < lo + RUN_SPAN);
  assert.ok(inRun.length <= 1, `run ${k}: ids are not one contiguous range: ${JSON.stringify(inRun)}`);
  return inRun[0] ?? null;
}

test('kill -9 at random points never leaves an inconsistent Delta table', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-crash-'));
  const t0 = Date.now();
  const reported = []; // per run: last reported id or null
  let maxVersion = -1;
  let kills = 0;
  let commitsSeen = 0;
  try {
    for (let k = 0; kills < KILLS; k++) {
      if (Date.now() - t0 > BUDGET_MS && kills >= 100) break;
      // mostly short lives (kills inside the first commits, incl. table creation and
      // checkpoints every 10 versions), sometimes longer ones
      const delay = Math.random() < 0.6 ? 2 + Math.random() * 60 : 60 + Math.random() * 200;
      const { st, commits, err } = await runAndKill(dir, k * RUN_SPAN, delay);
      assert.ok(st.signal === 'SIGKILL' || st.code === 0, `writer failed: ${st.code} ${err}`);
      kills++;
      commitsSeen += commits.length;
      const last = commits.at(-1);
      reported.push(last ? last.lastId : null);
      for (let i = 1; i < commits.length; i++) assert.ok(commits[i].version > commits[i - 1].version);
      if (last) maxVersion = Math.max(maxVersion, last.version);
      if (maxVersion < 0) continue; // nothing committed yet: the table may not exist

      const c = check(dir);
      assert.ok(c.version >= maxVersion, `table at ${c.version}, writer reported ${maxVersion}`);
      let rows = 0;
      for (let r = 0; r < reported.length; r++) {
        const range = runRange(c.ranges, r);
        if (range) {
          assert.equal(range[0], r * RUN_SPAN, `run ${r} lost its first ids`);
          rows += range[1] - range[0] + 1;
        }
        if (reported[r] !== null) {
          assert.ok(range && range[1] >= reported[r], `run ${r}: reported id ${reported[r]} missing`);
        }
      }
      assert.equal(rows, c.rows, 'ids outside any run');
      assert.equal(c.rows % ROWS_PER_COMMIT, 0, 'a partial batch is visible');
    }
    assert.ok(kills >= 100, `only ${kills} kills in the budget`);
    assert.ok(commitsSeen > 0, 'the writer never committed');
    // an independent reader agrees
    const final = check(dir);
    const cat = spawnSync(TOOL, ['cat', dir, '--columns', 'id'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(cat.status, 0, cat.stderr);
    assert.equal(cat.stdout.split('\n').filter(Boolean).length, final.rows);
    const hist = spawnSync(TOOL, ['history', dir, '--limit', '1'], { encoding: 'utf8' });
    assert.equal(JSON.parse(hist.stdout).version, final.version);
    console.log(`${kills} kills, ${commitsSeen} reported commits, final version ${final.version}, ` +
      `${final.rows} rows, ${Date.now() - t0} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
