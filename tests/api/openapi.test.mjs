// openapi.test.mjs - openapi/openapi.yaml is valid OpenAPI 3.1 and lists exactly the
// operations the daemon serves (`lakehoused --routes`, version alternatives expanded).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import YAML from 'yaml';
import { BIN } from './harness.mjs';

const specPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'openapi', 'openapi.yaml');

// "/api/{2.0|2.1}/x/{id}" -> ["/api/2.0/x/{}", "/api/2.1/x/{}"]
function expand(pattern) {
  let out = [''];
  for (const seg of pattern.split('/').slice(1)) {
    const m = /^\{(.*)\}$/.exec(seg);
    const alts = m && m[1].includes('|') ? m[1].split('|') : [m ? '{}' : seg];
    out = out.flatMap((p) => alts.map((a) => `${p}/${a}`));
  }
  return out;
}

test('openapi.yaml is valid OpenAPI 3.1', async () => {
  const doc = YAML.parse(readFileSync(specPath, 'utf8'));
  assert.match(doc.openapi, /^3\.1\./);
  await SwaggerParser.validate(structuredClone(doc));
});

test('the spec and the route tables list the same operations', () => {
  const served = new Set();
  for (const line of execFileSync(BIN, ['--routes']).toString().trim().split('\n')) {
    const [method, pattern] = line.split(' ');
    if (method === '*') continue; // areas not built yet answer 501 (listed in info.description)
    for (const p of expand(pattern)) served.add(`${method} ${p}`);
  }
  const doc = YAML.parse(readFileSync(specPath, 'utf8'));
  const documented = new Set();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of ['get', 'post', 'put', 'patch', 'delete']) {
      if (item[m]) documented.add(`${m.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`);
    }
  }
  const missing = [...served].filter((x) => !documented.has(x)).sort();
  const extra = [...documented].filter((x) => !served.has(x)).sort();
  assert.deepEqual(missing, [], 'served but not in openapi.yaml');
  assert.deepEqual(extra, [], 'in openapi.yaml but not served');
});

test('the daemon serves the spec without auth: /openapi.yaml verbatim, /openapi.json equal', async () => {
  const { startDaemon } = await import('./harness.mjs');
  const d = await startDaemon();
  try {
    const y = await d.api('GET', '/openapi.yaml', undefined, { token: null });
    assert.equal(y.status, 200);
    assert.equal(y.text, readFileSync(specPath, 'utf8'));
    const j = await d.api('GET', '/openapi.json', undefined, { token: null });
    assert.equal(j.status, 200);
    assert.deepEqual(j.json, YAML.parse(readFileSync(specPath, 'utf8')));
  } finally {
    await d.stop();
  }
});
