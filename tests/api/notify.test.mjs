// notify.test.mjs - the daemon's one notification sender (api/notify.h) end to end,
// driven through the test-only route POST /api/2.0/lakehouse-test/notify
// (LAKEHOUSE_TEST_ROUTES=1): a webhook retried after a 500 (with its extra headers), an
// email through a tiny SMTP server speaking just enough SMTP (--smtp-url, --smtp-from),
// email without a relay recorded as undeliverable, refusals, a bad --smtp-url stopping
// start-up, and the /metrics counters.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {createServer as createHttpServer} from 'node:http';
import {createServer as createTcpServer} from 'node:net';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {startDaemon, BIN} from './harness.mjs';

// A minimal SMTP server: 220, EHLO/HELO 250, MAIL FROM 250, RCPT TO 250, DATA 354,
// '.' 250, QUIT 221. Each session's transcript lands in `sessions`.
async function smtpServer()
{
    const sessions = [];
    const srv = createTcpServer((sock) => {
        const s = {lines : [], data : ''};
        sessions.push(s);
        let buf = '';
        let inData = false;
        sock.write('220 test ESMTP\r\n');
        sock.on('data', (chunk) => {
            buf += chunk.toString('utf8');
            let i;
            while ((i = buf.indexOf('\r\n')) >= 0) {
                const line = buf.slice(0, i);
                buf = buf.slice(i + 2);
                if (inData) {
                    if (line === '.') {
                        inData = false;
                        sock.write('250 queued\r\n');
                    } else
                        s.data += `${line}\r\n`;
                    continue;
                }
                s.lines.push(line);
                const verb = line.slice(0, 4).toUpperCase();
                if (verb === 'EHLO' || verb === 'HELO')
                    sock.write('250 test\r\n');
                else if (verb === 'MAIL' || verb === 'RCPT')
                    sock.write('250 ok\r\n');
                else if (verb === 'DATA') {
                    inData = true;
                    sock.write('354 go ahead\r\n');
                } else if (verb === 'QUIT') {
                    sock.end('221 bye\r\n');
                } else
                    sock.write('500 what\r\n');
            }
        });
        sock.on('error', () => {});
    });
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    return {sessions, port : srv.address().port, close : () => new Promise((r) => srv.close(r))};
}

async function hookServer(plan)
{
    const got = [];
    const srv = createHttpServer((rq, rs) => {
        const chunks = [];
        rq.on('data', (c) => chunks.push(c));
        rq.on('end', () => {
            got.push(
                {body : Buffer.concat(chunks).toString(), headers : rq.headers, at : Date.now()});
            const status = plan(got.length);
            rs.writeHead(status, {'Content-Type' : 'text/plain'});
            rs.end(`answer ${got.length}`);
        });
    });
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    return {
        got,
        url : `http://127.0.0.1:${srv.address().port}/hook`,
        close : () => new Promise((r) => srv.close(r))
    };
}

let d;
let smtp;
before(async () => {
    smtp = await smtpServer();
    d = await startDaemon({
        env : {LAKEHOUSE_TEST_ROUTES : '1'},
        args :
            [ '--smtp-url', `smtp://127.0.0.1:${smtp.port}`, '--smtp-from', 'jobs@lakehouse.test' ],
    });
});
after(async () => {
    await d.stop();
    await smtp.close();
});

const send = async (daemon, body) => {
    const r = await daemon.api('POST', '/api/2.0/lakehouse-test/notify', body);
    assert.equal(r.status, 200, r.text);
    return r.json;
};

test('a webhook answered 500 is retried after ~1 s and then delivered, with its headers',
     async () => {
         const s = await hookServer((n) => (n === 1 ? 500 : 200));
         try {
             const out = await send(d, {
                 url : s.url,
                 body : '{"event":"run.failed"}',
                 headers : [ 'X-Databricks-Signature: abc' ]
             });
             assert.equal(out.ok, true, out.error);
             assert.equal(out.status, 200);
             assert.equal(out.attempts, 2);
             assert.equal(out.response, 'answer 2');
             assert.equal(s.got.length, 2);
             assert.equal(s.got[1].body, '{"event":"run.failed"}');
             assert.equal(s.got[1].headers['content-type'], 'application/json');
             assert.equal(s.got[1].headers['x-databricks-signature'], 'abc');
             const gap = s.got[1].at - s.got[0].at;
             assert.ok(gap >= 900 && gap < 3000, `retry after ${gap} ms`);
         } finally {
             await s.close();
         }
     });

test('a 4xx is not retried; bad URLs and headers are refused at once', async () => {
    const s = await hookServer(() => 404);
    try {
        const out = await send(d, {url : s.url, body : '{}'});
        assert.equal(out.ok, false);
        assert.equal(out.status, 404);
        assert.equal(out.attempts, 1);
    } finally {
        await s.close();
    }
    const bad = await send(d, {url : 'file:///etc/passwd', body : '{}'});
    assert.equal(bad.ok, false);
    assert.match(bad.error, /^INVALID_PARAMETER_VALUE: .*http/);
    const inj =
        await send(d, {url : 'http://127.0.0.1:1/', body : '{}', headers : [ 'X-A: 1\r\nX-B: 2' ]});
    assert.match(inj.error, /^INVALID_PARAMETER_VALUE/);
    const addr = await send(d, {to : [ 'a@b.c>\r\nRCPT TO:<x@y.z' ], subject : 's', text : 't'});
    assert.match(addr.error, /^INVALID_PARAMETER_VALUE/);
});

test('an email reaches the SMTP relay with RFC 5322 headers', async () => {
    const before = smtp.sessions.length;
    const out = await send(d, {
        to : [ 'ops@example.com', 'dev@example.com' ],
        subject : 'Job 7 run 42 FAILED',
        text : 'The run failed.\n.a line with a leading dot\nbye',
    });
    assert.equal(out.ok, true, out.error);
    assert.equal(smtp.sessions.length, before + 1);
    const s = smtp.sessions.at(-1);
    assert.ok(s.lines.includes('MAIL FROM:<jobs@lakehouse.test>'), s.lines.join('|'));
    assert.ok(s.lines.includes('RCPT TO:<ops@example.com>'));
    assert.ok(s.lines.includes('RCPT TO:<dev@example.com>'));
    const [head, body] = s.data.split('\r\n\r\n');
    assert.match(head, /^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/m);
    assert.match(head, /^From: jobs@lakehouse\.test$/m);
    assert.match(head, /^To: ops@example\.com,\r\n dev@example\.com$/m);
    assert.match(head, /^Subject: Job 7 run 42 FAILED$/m);
    assert.match(head, /^Message-ID: <[0-9a-f]{32}@lakehouse\.test>$/m);
    assert.match(head, /^MIME-Version: 1\.0$/m);
    assert.match(head, /^Content-Type: text\/plain; charset=utf-8$/m);
    // the relay sees the leading dot stuffed (RFC 5321 4.5.2); our server does not unstuff
    assert.equal(body, 'The run failed.\r\n..a line with a leading dot\r\nbye\r\n');
});

test('/metrics counts sends, failures and retries per kind', async () => {
    const r = await d.api('GET', '/metrics');
    assert.equal(r.status, 200);
    assert.match(r.text, /^lakehouse_notify_sent_total\{kind="webhook"\} 1$/m);
    assert.match(r.text, /^lakehouse_notify_failed_total\{kind="webhook"\} 1$/m);
    assert.match(r.text, /^lakehouse_notify_sent_total\{kind="email"\} 1$/m);
    assert.match(r.text, /^lakehouse_notify_retries_total 1$/m);
});

test('without --smtp-url an email is undeliverable at once', async () => {
    const d2 = await startDaemon({env : {LAKEHOUSE_TEST_ROUTES : '1'}});
    try {
        const out = await send(d2, {to : [ 'ops@example.com' ], subject : 's', text : 't'});
        assert.equal(out.ok, false);
        assert.equal(out.error, 'no SMTP relay configured (--smtp-url)');
        const m = await d2.api('GET', '/metrics');
        assert.match(m.text, /^lakehouse_notify_failed_total\{kind="email"\} 1$/m);
    } finally {
        await d2.stop();
    }
});

test('a --smtp-url that is not smtp:// or smtps:// stops start-up naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lh-notify-'));
    try {
        const r = spawnSync(BIN,
                            [
                                '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'data'),
                                '--smtp-url', 'http://relay:25'
                            ],
                            {encoding : 'utf8', timeout : 10000});
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /--smtp-url/);
    } finally {
        rmSync(dir, {recursive : true, force : true});
    }
});
