// sdk_workspace.test.mjs - the official Databricks JS SDK (@databricks/sdk-experimental),
// unchanged, against the real lakehoused's Workspace API: workspace.mkdirs, import (SOURCE
// and AUTO), getStatus, export, list, delete, getPermissions; a missing path raises the SDK's
// RESOURCE_DOES_NOT_EXIST error and an existing one RESOURCE_ALREADY_EXISTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sdk from '@databricks/sdk-experimental';
const { WorkspaceClient } = sdk;
import { startDaemon } from '../api/harness.mjs';

let d, w;
before(async () => {
  d = await startDaemon();
  w = new WorkspaceClient({ host: d.url, token: d.token, authType: 'pat' });
});
after(async () => { await d.stop(); });

const SQL_NB = '-- Databricks notebook source\nSELECT 1\n\n-- COMMAND ----------\n\n-- MAGIC %md\n-- MAGIC # Notes\n';
const b64 = (s) => Buffer.from(s).toString('base64');
const code = (e) => e.errorCode ?? e.error_code;

test('workspace: mkdirs, import, getStatus, export, list, delete through the SDK', async () => {
  await w.workspace.mkdirs({ path: '/Users/admin/sdk/etl' });
  await w.workspace.import({ path: '/Users/admin/sdk/etl/daily', format: 'SOURCE', language: 'SQL', content: b64(SQL_NB) });
  await w.workspace.import({ path: '/Users/admin/sdk/etl/job.py', format: 'AUTO', content: b64('# Databricks notebook source\nprint(1)\n') });
  await w.workspace.import({ path: '/Users/admin/sdk/etl/conf.json', format: 'AUTO', content: b64('{"a": 1}') });

  const st = await w.workspace.getStatus({ path: '/Users/admin/sdk/etl/daily' });
  assert.equal(st.object_type, 'NOTEBOOK');
  assert.equal(st.language, 'SQL');
  assert.equal(typeof st.object_id, 'number');

  const ex = await w.workspace.export({ path: '/Users/admin/sdk/etl/daily', format: 'SOURCE' });
  assert.equal(Buffer.from(ex.content, 'base64').toString(), SQL_NB);
  assert.equal(ex.file_type, 'sql');

  const seen = [];
  for await (const o of w.workspace.list({ path: '/Users/admin/sdk/etl' })) seen.push([o.path, o.object_type, o.language]);
  assert.deepEqual(seen, [
    ['/Users/admin/sdk/etl/conf.json', 'FILE', undefined],
    ['/Users/admin/sdk/etl/daily', 'NOTEBOOK', 'SQL'],
    ['/Users/admin/sdk/etl/job', 'NOTEBOOK', 'PYTHON'],
  ]);

  await assert.rejects(w.workspace.import({ path: '/Users/admin/sdk/etl/daily', language: 'SQL', content: b64('SELECT 2') }),
    (e) => code(e) === 'RESOURCE_ALREADY_EXISTS');
  await w.workspace.import({ path: '/Users/admin/sdk/etl/daily', language: 'SQL', content: b64('SELECT 2'), overwrite: true });
  assert.equal((await w.workspace.getStatus({ path: '/Users/admin/sdk/etl/daily' })).object_id, st.object_id);

  const perms = await w.workspace.getPermissions({ workspace_object_type: 'notebooks', workspace_object_id: String(st.object_id) });
  assert.equal(perms.object_type, 'notebook');
  assert.ok(perms.access_control_list.some((e) => e.user_name === 'admin'));

  await assert.rejects(w.workspace.delete({ path: '/Users/admin/sdk' }), (e) => code(e) === 'DIRECTORY_NOT_EMPTY');
  await w.workspace.delete({ path: '/Users/admin/sdk', recursive: true });
  await assert.rejects(w.workspace.getStatus({ path: '/Users/admin/sdk/etl/daily' }),
    (e) => code(e) === 'RESOURCE_DOES_NOT_EXIST');
});
