// spark_golden.test.mjs - Spark's golden files through the Statement Execution API (see
// spark_golden.mjs): no file may pass fewer records than its floor in
// spark_golden_floors.json (raise the floors as the engine learns more; never lower them
// without saying why in the commit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runGolden, summarize } from './spark_golden.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const floors = JSON.parse(fs.readFileSync(path.join(here, 'spark_golden_floors.json'), 'utf8'));

test('Spark golden files: every file at or above its floor', async () => {
  const report = await runGolden();
  console.log(summarize(report));
  const below = [];
  for (const [file, floor] of Object.entries(floors)) {
    const got = report[file]?.passed ?? 0;
    if (got < floor) below.push(`${file}: ${got} < ${floor}\n    ${(report[file]?.failures ?? []).slice(0, 3).map((f) => f.why).join('\n    ')}`);
  }
  assert.deepEqual(below, []);
});
