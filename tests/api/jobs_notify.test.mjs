// jobs_notify.test.mjs - jobs notifications: the Notification Destinations API (admin-only
// writes, secrets never shown), webhook_notifications to a node HTTP server for start,
// success, failure (job and task level) and the duration warning of health.rules,
// email_notifications to a node SMTP server, no_alert_for_canceled_runs, and email without
// a relay counted as failed (no crash).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { startDaemon } from './harness.mjs';

let d, hooks, smtp;
const J = '/api/2.1/jobs';
const D = '/api/2.0/notification-destinations';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const b64 = (s) => Buffer.from(s).toString('base64');
const TERMINAL = ['TERMINATED', 'SKIPPED', 'INTERNAL_ERROR'];

function smtpServer() {
  const sessions = [];
  const srv = createTcpServer((sock) => {
    const s = { lines: [], data: '' };
    sessions.push(s);
    let buf = '', inData = false;
    sock.write('220 test ESMTP\r\n');
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') { inData = false; sock.write('250 queued\r\n'); } else s.data += `${line}\r\n`;
          continue;
        }
        s.lines.push(line);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') sock.write('250 test\r\n');
        else if (verb === 'MAIL' || verb === 'RCPT') sock.write('250 ok\r\n');
        else if (verb === 'DATA') { inData = true; sock.write('354 go ahead\r\n'); }
        else if (verb === 'QUIT') sock.end('221 bye\r\n');
        else sock.write('500 what\r\n');
      }
    });
    sock.on('error', () => {});
  });
  return new Promise((r) => srv.listen(0, '127.0.0.1', () => r({ sessions, port: srv.address().port, close: () => new Promise((q) => srv.close(q)) })));
}

function hookServer() {
  const got = [];
  const srv = createHttpServer((rq, rs) => {
    const chunks = [];
    rq.on('data', (c) => chunks.push(c));
    rq.on('end', () => {
      got.push({ body: JSON.parse(Buffer.concat(chunks).toString()), headers: rq.headers });
      rs.writeHead(200);
      rs.end('ok');
    });
  });
  return new Promise((r) => srv.listen(0, '127.0.0.1', () => r({ got, url: `http://127.0.0.1:${srv.address().port}/hook`, close: () => new Promise((q) => srv.close(q)) })));
}

const until = async (fn, ms = 10000, what = 'condition') => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
};
const get = async (id) => (await d.api('GET', `${J}/runs/get?run_id=${id}`)).json;
const done = (id) => until(async () => { const r = await get(id); return TERMINAL.includes(r.state?.life_cycle_state) && r; }, 20000, `run ${id}`);
const submit = async (body) => {
  const r = await d.api('POST', `${J}/runs/submit`, { run_name: 'n', ...body });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json.run_id;
};
const events = (runId) => hooks.got.filter((g) => g.body.run.run_id === runId || g.body.run.parent_run_id === runId);

before(async () => {
  hooks = await hookServer();
  smtp = await smtpServer();
  d = await startDaemon({ args: ['--smtp-url', `smtp://127.0.0.1:${smtp.port}`, '--smtp-from', 'jobs@lakehouse.test'] });
  await d.api('POST', '/api/2.0/workspace/mkdirs', { path: '/Shared/n' });
  for (const [name, text] of [['ok.py', 'print("ok")\n'], ['bad.py', 'raise SystemExit(2)\n'], ['slow.py', 'import time\ntime.sleep(2.5)\n'], ['long.py', 'import time\ntime.sleep(30)\n']]) {
    const r = await d.api('POST', '/api/2.0/workspace/import', { path: `/Shared/n/${name}`, format: 'AUTO', content: b64(text), overwrite: true });
    assert.equal(r.status, 200, JSON.stringify(r.json));
  }
});
after(async () => { await d.stop(); await hooks.close(); await smtp.close(); });

test('notification destinations: create/get/list/update/delete, secrets hidden, admin-only writes', async () => {
  const c = await d.api('POST', D, { display_name: 'hook', config: { generic_webhook: { url: hooks.url, username: 'u', password: 'p' } } });
  assert.equal(c.status, 200, JSON.stringify(c.json));
  assert.equal(c.json.destination_type, 'WEBHOOK');
  assert.deepEqual(c.json.config.generic_webhook, { url_set: true, username_set: true, password_set: true });
  const g = await d.api('GET', `${D}/${c.json.id}`);
  assert.equal(g.json.display_name, 'hook');
  const e = await d.api('POST', D, { display_name: 'mail', config: { email: { addresses: ['a@x.test'] } } });
  assert.equal(e.json.destination_type, 'EMAIL');
  assert.deepEqual(e.json.config.email.addresses, ['a@x.test']);
  const l = await d.api('GET', D);
  assert.ok(l.json.results.some((x) => x.id === c.json.id && x.destination_type === 'WEBHOOK'));
  const u = await d.api('PATCH', `${D}/${e.json.id}`, { display_name: 'mail2' });
  assert.equal(u.json.display_name, 'mail2');
  const tc = await d.api('PATCH', `${D}/${e.json.id}`, { config: { generic_webhook: { url: hooks.url } } });
  assert.equal(tc.status, 400, JSON.stringify(tc.json));
  assert.equal((await d.api('POST', D, { config: {} })).status, 400);
  assert.equal((await d.api('POST', D, { config: { generic_webhook: { url: 'ftp://x' } } })).status, 400);
  // slack, pagerduty and microsoft_teams destinations are not built: 501 on create and update
  for (const kind of ['slack', 'pagerduty', 'microsoft_teams']) {
    const nc = await d.api('POST', D, { display_name: kind, config: { [kind]: { url: hooks.url } } });
    assert.equal(nc.status, 501, JSON.stringify(nc.json));
    assert.equal(nc.json.error_code, 'NOT_IMPLEMENTED');
    const nu = await d.api('PATCH', `${D}/${e.json.id}`, { config: { [kind]: { url: hooks.url } } });
    assert.equal(nu.status, 501, JSON.stringify(nu.json));
    assert.equal(nu.json.error_code, 'NOT_IMPLEMENTED');
  }
  // a non-admin may read, not write
  const me = await d.api('POST', '/api/2.0/preview/scim/v2/Users', { userName: 'bob@x.test' });
  const tok = (await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: me.json.id })).json.token_value;
  assert.equal((await d.api('GET', D, undefined, { token: tok })).status, 200);
  assert.equal((await d.api('POST', D, { config: { email: { addresses: ['a@x.test'] } } }, { token: tok })).status, 403);
  assert.equal((await d.api('DELETE', `${D}/${e.json.id}`)).status, 200);
  assert.equal((await d.api('GET', `${D}/${e.json.id}`)).status, 404);
});

test('webhooks for start and success (job and task level), failure, and the email', async () => {
  const hook = (await d.api('POST', D, { display_name: 'h', config: { generic_webhook: { url: hooks.url, username: 'u', password: 'p' } } })).json.id;
  const j = await d.api('POST', `${J}/create`, { name: 'notified',
    webhook_notifications: { on_start: [{ id: hook }], on_success: [{ id: hook }], on_failure: [{ id: hook }] },
    email_notifications: { on_success: ['ops@x.test'] },
    tasks: [{ task_key: 't', spark_python_task: { python_file: '/Shared/n/ok.py' }, webhook_notifications: { on_success: [{ id: hook }] } }] });
  assert.equal(j.status, 200, JSON.stringify(j.json));
  const id = (await d.api('POST', `${J}/run-now`, { job_id: j.json.job_id })).json.run_id;
  const r = await done(id);
  assert.equal(r.state.result_state, 'SUCCESS');
  await until(() => events(id).length >= 3, 10000, 'three webhooks');
  const types = events(id).map((g) => `${g.body.event_type}${g.body.task ? ':' + g.body.task.task_key : ''}`).sort();
  assert.deepEqual(types, ['jobs.on_start', 'jobs.on_success', 'jobs.on_success:t']);
  const ev = events(id).find((g) => g.body.event_type === 'jobs.on_success' && !g.body.task);
  assert.equal(ev.body.job.job_id, j.json.job_id);
  assert.equal(ev.body.job.name, 'notified');
  assert.equal(ev.headers.authorization, `Basic ${b64('u:p')}`);
  const mail = await until(() => smtp.sessions.find((s) => s.data.includes(`run ${id} succeeded`)), 10000, 'the email');
  assert.ok(mail.lines.some((l) => /RCPT TO:<ops@x.test>/i.test(l)));
  assert.match(mail.data, /notified/);
  // failure
  const id2 = await submit({ webhook_notifications: { on_failure: [{ id: hook }], on_success: [{ id: hook }] },
    tasks: [{ task_key: 'b', spark_python_task: { python_file: '/Shared/n/bad.py' } }] });
  await done(id2);
  await until(() => events(id2).length >= 1, 10000, 'the failure webhook');
  await sleep(200);
  assert.deepEqual(events(id2).map((g) => g.body.event_type), ['jobs.on_failure']);
  assert.equal(events(id2)[0].body.run.result_state, 'FAILED');
});

test('health RUN_DURATION_SECONDS triggers the duration warning once while running', async () => {
  const hook = (await d.api('POST', D, { display_name: 'w', config: { generic_webhook: { url: hooks.url } } })).json.id;
  const id = await submit({ health: { rules: [{ metric: 'RUN_DURATION_SECONDS', op: 'GREATER_THAN', value: 1 }] },
    webhook_notifications: { on_duration_warning_threshold_exceeded: [{ id: hook }] },
    tasks: [{ task_key: 's', spark_python_task: { python_file: '/Shared/n/slow.py' } }] });
  await until(() => events(id).length >= 1, 10000, 'the warning');
  assert.equal((await get(id)).state.life_cycle_state, 'RUNNING');
  await done(id);
  await sleep(200);
  assert.deepEqual(events(id).map((g) => g.body.event_type), ['jobs.on_duration_warning_threshold_exceeded']);
});

test('no_alert_for_canceled_runs: a canceled run sends no failure', async () => {
  const hook = (await d.api('POST', D, { display_name: 'c', config: { generic_webhook: { url: hooks.url } } })).json.id;
  const body = (quiet) => ({ webhook_notifications: { on_failure: [{ id: hook }] }, notification_settings: { no_alert_for_canceled_runs: quiet },
    tasks: [{ task_key: 'l', spark_python_task: { python_file: '/Shared/n/long.py' } }] });
  const a = await submit(body(true)), b = await submit(body(false));
  await sleep(300);
  await d.api('POST', `${J}/runs/cancel`, { run_id: a });
  await d.api('POST', `${J}/runs/cancel`, { run_id: b });
  await done(a); await done(b);
  await until(() => events(b).length >= 1, 10000, 'the canceled failure');
  assert.equal(events(b)[0].body.run.result_state, 'CANCELED');
  await sleep(200);
  assert.equal(events(a).length, 0);
});

test('an unknown destination id and email without a relay are counted as failed and recorded as run events, nothing crashes', async () => {
  const d2 = await startDaemon();
  try {
    const r = await d2.api('POST', `${J}/runs/submit`, { email_notifications: { on_start: ['x@y.test'] }, webhook_notifications: { on_start: [{ id: 'nope' }] },
      tasks: [{ task_key: 'c', condition_task: { op: 'EQUAL_TO', left: '1', right: '1' } }] });
    const id = r.json.run_id;
    await until(async () => (await d2.api('GET', `${J}/runs/get?run_id=${id}`)).json.state.life_cycle_state === 'TERMINATED', 10000, 'run');
    const m = await until(async () => { const t = (await d2.api('GET', '/metrics')).text; return /lakehouse_jobs_notifications_failed_total [2-9]/.test(t) && t; }, 10000, 'metrics');
    assert.match(m, /lakehouse_jobs_notifications_failed_total 2/);
    // both are recorded as events of the run (a Lakehouse extension of runs/get)
    const got = (await d2.api('GET', `${J}/runs/get?run_id=${id}`)).json;
    assert.equal(got.events.length, 2, JSON.stringify(got.events));
    assert.ok(got.events.every((e) => e.type === 'NOTIFICATION_UNDELIVERABLE' && e.time > 0));
    assert.ok(got.events.some((e) => /no SMTP relay configured/.test(e.message)), JSON.stringify(got.events));
    assert.ok(got.events.some((e) => /destination nope/.test(e.message)), JSON.stringify(got.events));
    // a run whose notifications all went out has no events field
    const ok = (await d2.api('POST', `${J}/runs/submit`, { tasks: [{ task_key: 'c', condition_task: { op: 'EQUAL_TO', left: '1', right: '1' } }] })).json.run_id;
    await until(async () => (await d2.api('GET', `${J}/runs/get?run_id=${ok}`)).json.state.life_cycle_state === 'TERMINATED', 10000, 'run');
    assert.equal((await d2.api('GET', `${J}/runs/get?run_id=${ok}`)).json.events, undefined);
  } finally { await d2.stop(); }
});

test('a run skipped at max_concurrent_runs alerts on_failure unless no_alert_for_skipped_runs', async () => {
  const hook = (await d.api('POST', D, { display_name: 's', config: { generic_webhook: { url: hooks.url } } })).json.id;
  const mk = async (quiet) => (await d.api('POST', `${J}/create`, { name: `skip-${quiet}`, max_concurrent_runs: 1, queue: { enabled: false },
    notification_settings: { no_alert_for_skipped_runs: quiet }, webhook_notifications: { on_failure: [{ id: hook }] },
    tasks: [{ task_key: 'l', spark_python_task: { python_file: '/Shared/n/long.py' } }] })).json.job_id;
  const loud = await mk(false), quiet = await mk(true);
  const runs = [];
  for (const job of [loud, quiet]) {
    runs.push((await d.api('POST', `${J}/run-now`, { job_id: job })).json.run_id);
    runs.push((await d.api('POST', `${J}/run-now`, { job_id: job })).json.run_id);
  }
  assert.equal((await get(runs[1])).state.life_cycle_state, 'SKIPPED');
  assert.equal((await get(runs[3])).state.life_cycle_state, 'SKIPPED');
  await until(() => events(runs[1]).length >= 1, 10000, 'the skipped alert');
  assert.equal(events(runs[1])[0].body.run.result_state, 'MAXIMUM_CONCURRENT_RUNS_REACHED');
  for (const id of [runs[0], runs[2]]) await d.api('POST', `${J}/runs/cancel`, { run_id: id });
  await done(runs[0]); await done(runs[2]);
  await sleep(200);
  assert.equal(events(runs[3]).length, 0);
});

test('a task health rule warns for the task (event with task_key)', async () => {
  const hook = (await d.api('POST', D, { display_name: 'tw', config: { generic_webhook: { url: hooks.url } } })).json.id;
  const id = await submit({ tasks: [{ task_key: 'slow', spark_python_task: { python_file: '/Shared/n/slow.py' },
    health: { rules: [{ metric: 'RUN_DURATION_SECONDS', op: 'GREATER_THAN', value: 1 }] },
    webhook_notifications: { on_duration_warning_threshold_exceeded: [{ id: hook }] } }] });
  await until(() => events(id).length >= 1, 10000, 'the task warning');
  await done(id);
  await sleep(200);
  const ev = events(id);
  assert.equal(ev.length, 1);
  assert.equal(ev[0].body.event_type, 'jobs.on_duration_warning_threshold_exceeded');
  assert.equal(ev[0].body.task.task_key, 'slow');
  assert.equal(ev[0].body.run.parent_run_id, id);
});
