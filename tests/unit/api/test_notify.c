/* test_notify.c - api/notify: webhooks against a local HTTP listener (a thread here):
 * retried on 500 until a 200, not retried on 404, retried then failed when nobody listens;
 * bad input; the bounded queue; shutdown ending parked sends; email without a relay; email
 * through a tiny SMTP server (a thread speaking just enough SMTP) with the right headers;
 * the metrics. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/notify.h"
#include "common/limits.h"
#include "common/util.h"
#include "t.h"

/* ---- a tiny scripted server (HTTP or SMTP) on a thread ---- */

#define REQS_MAX 8

typedef struct server {
    int fd, port;
    bool smtp;
    int statuses[REQS_MAX]; /* HTTP: the status for the i-th request (0 = 200) */
    int count;              /* requests (HTTP) or messages (SMTP) received */
    char *texts[REQS_MAX];  /* HTTP: headers + body; SMTP: the transcript of commands + data */
    pthread_t thread;
    pthread_mutex_t mu;
} server;

static bool read_until(int c, char *buf, size_t cap, size_t *n, const char *end)
{
    while (strstr(buf, end) == NULL) {
        if (*n + 1 >= cap)
            return false;
        ssize_t r = read(c, buf + *n, cap - 1 - *n);
        if (r <= 0)
            return false;
        *n += (size_t)r;
        buf[*n] = '\0';
    }
    return true;
}

static void serve_http(server *s, int c)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = calloc(1, cap);
    if (read_until(c, buf, cap, &n, "\r\n\r\n")) {
        const char *cl = strcasestr(buf, "Content-Length:");
        size_t body = cl ? strtoul(cl + 15, NULL, 10) : 0;
        size_t head = (size_t)(strstr(buf, "\r\n\r\n") + 4 - buf);
        while (n < head + body) {
            ssize_t r = read(c, buf + n, cap - 1 - n);
            if (r <= 0)
                break;
            n += (size_t)r;
            buf[n] = '\0';
        }
        pthread_mutex_lock(&s->mu);
        int i = s->count < REQS_MAX ? s->count : REQS_MAX - 1;
        int status = s->statuses[i] ? s->statuses[i] : 200;
        free(s->texts[i]);
        s->texts[i] = strdup(buf);
        s->count++;
        pthread_mutex_unlock(&s->mu);
        char resp[256];
        int len = snprintf(
            resp, sizeof resp,
            "HTTP/1.1 %d X\r\nContent-Length: 8\r\nConnection: close\r\n\r\nanswer-%d", status, i);
        ssize_t w = write(c, resp, (size_t)len);
        (void)w;
    }
    free(buf);
}

static void say(int c, const char *line)
{
    ssize_t w = write(c, line, strlen(line));
    (void)w;
}

/* One line (with its CRLF) into line; false at EOF. Byte by byte: tests are small. */
static bool read_line(int c, char *line, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap) {
        if (read(c, line + n, 1) != 1)
            return false;
        if (line[n++] == '\n')
            break;
    }
    line[n] = '\0';
    return true;
}

static void serve_smtp(server *s, int c)
{
    size_t cap = 1 << 16;
    char *transcript = calloc(1, cap), line[2048];
    say(c, "220 test ESMTP\r\n");
    bool in_data = false;
    while (read_line(c, line, sizeof line)) {
        if (strlen(transcript) + strlen(line) + 1 < cap)
            strcat(transcript, line);
        if (in_data) {
            if (strcmp(line, ".\r\n") == 0) {
                say(c, "250 queued\r\n");
                in_data = false;
            }
        } else if (strncasecmp(line, "EHLO", 4) == 0 || strncasecmp(line, "HELO", 4) == 0) {
            say(c, "250 test\r\n");
        } else if (strncasecmp(line, "MAIL FROM", 9) == 0 || strncasecmp(line, "RCPT TO", 7) == 0) {
            say(c, "250 ok\r\n");
        } else if (strncasecmp(line, "DATA", 4) == 0) {
            say(c, "354 go ahead\r\n");
            in_data = true;
        } else if (strncasecmp(line, "QUIT", 4) == 0) {
            say(c, "221 bye\r\n");
            break;
        } else {
            say(c, "500 what\r\n");
        }
    }
    pthread_mutex_lock(&s->mu);
    int i = s->count < REQS_MAX ? s->count : REQS_MAX - 1;
    free(s->texts[i]);
    s->texts[i] = transcript;
    s->count++;
    pthread_mutex_unlock(&s->mu);
}

static void *server_main(void *arg)
{
    server *s = arg;
    while (true) {
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        if (s->smtp)
            serve_smtp(s, c);
        else
            serve_http(s, c);
        close(c);
    }
}

static void server_start(server *s, bool smtp)
{
    memset(s, 0, sizeof *s);
    s->smtp = smtp;
    pthread_mutex_init(&s->mu, NULL);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(s->fd, (struct sockaddr *)&a, sizeof a);
    listen(s->fd, 16);
    socklen_t len = sizeof a;
    getsockname(s->fd, (struct sockaddr *)&a, &len);
    s->port = ntohs(a.sin_port);
    pthread_create(&s->thread, NULL, server_main, s);
}

static void server_stop(server *s)
{
    shutdown(s->fd, SHUT_RDWR);
    close(s->fd);
    pthread_join(s->thread, NULL);
    for (int i = 0; i < REQS_MAX; i++)
        free(s->texts[i]);
}

/* ---- waiting for on_done ---- */

typedef struct outcome {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;
    bool ok;
    int status, attempts;
    char error[800], response[100];
} outcome;

static void outcome_init(outcome *o)
{
    memset(o, 0, sizeof *o);
    pthread_mutex_init(&o->mu, NULL);
    pthread_cond_init(&o->cv, NULL);
}

static void on_done(void *arg, const lh_notify_result_t *r)
{
    outcome *o = arg;
    pthread_mutex_lock(&o->mu);
    o->done++;
    o->ok = r->ok;
    o->status = r->http_status;
    o->attempts = r->attempts;
    snprintf(o->error, sizeof o->error, "%s", r->error ? r->error : "");
    snprintf(o->response, sizeof o->response, "%s", r->response ? r->response : "");
    pthread_cond_broadcast(&o->cv);
    pthread_mutex_unlock(&o->mu);
}

static bool wait_done(outcome *o, int count, int timeout_ms)
{
    int64_t until = lh_mono_ns() / 1000000 + timeout_ms;
    pthread_mutex_lock(&o->mu);
    while (o->done < count && lh_mono_ns() / 1000000 < until) {
        pthread_mutex_unlock(&o->mu);
        usleep(10000);
        pthread_mutex_lock(&o->mu);
    }
    bool done = o->done >= count;
    pthread_mutex_unlock(&o->mu);
    return done;
}

static lh_bg_t *g_bg;

static lh_notify_t *make(const char *smtp_url, int queue_max, int64_t backoff_ms)
{
    lh_notify_config_t cfg = {.smtp_url = smtp_url,
                              .smtp_from = "jobs@lakehouse.test",
                              .timeout_ms = 3000,
                              .backoff_ms = backoff_ms,
                              .queue_max = queue_max};
    lh_notify_t *n = NULL;
    lh_errbuf eb;
    if (lh_notify_create(g_bg, &cfg, &n, &eb) != LH_OK)
        fprintf(stderr, "  lh_notify_create: %s\n", eb.msg);
    return n;
}

static char *metrics(lh_notify_t *n)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    lh_notify_render_metrics(n, f);
    fclose(f);
    return text;
}

static void test_webhook_retries_then_succeeds(void)
{
    server s;
    server_start(&s, false);
    s.statuses[0] = 500;
    s.statuses[1] = 503;
    lh_notify_t *n = make(NULL, 0, 50);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", s.port);
    outcome o;
    outcome_init(&o);
    const char *headers[] = {"X-Databricks-Signature: abc", NULL};
    lh_notify_webhook_opts_t opts = {.headers = headers};
    lh_errbuf eb;
    int64_t t0 = lh_mono_ns() / 1000000;
    T_EQ_INT(lh_notify_webhook(n, url, "{\"event\":\"x\"}", &opts, on_done, &o, &eb), LH_OK);
    T_CHECK(wait_done(&o, 1, 5000));
    int64_t took = lh_mono_ns() / 1000000 - t0;
    T_CHECK(o.ok);
    T_EQ_INT(o.status, 200);
    T_EQ_INT(o.attempts, 3);
    T_EQ_STR(o.response, "answer-2");
    T_CHECK(took >= 50 + 200 - 20); /* backoff 50 ms, then 200 ms */
    T_EQ_INT(s.count, 3);
    const char *req = s.texts[2];
    T_CHECK(req != NULL && strncmp(req, "POST /hook HTTP/1.1\r\n", 21) == 0);
    T_CHECK(req != NULL && strcasestr(req, "\r\nContent-Type: application/json\r\n") != NULL);
    T_CHECK(req != NULL && strstr(req, "\r\nX-Databricks-Signature: abc\r\n") != NULL);
    T_CHECK(req != NULL && strstr(req, "\r\n\r\n{\"event\":\"x\"}") != NULL);
    char *m = metrics(n);
    T_CHECK(strstr(m, "lakehouse_notify_sent_total{kind=\"webhook\"} 1\n") != NULL);
    T_CHECK(strstr(m, "lakehouse_notify_failed_total{kind=\"webhook\"} 0\n") != NULL);
    T_CHECK(strstr(m, "lakehouse_notify_retries_total 2\n") != NULL);
    free(m);
    lh_notify_destroy(n);
    server_stop(&s);
}

static void test_webhook_permanent_and_unreachable(void)
{
    server s;
    server_start(&s, false);
    s.statuses[0] = 404;
    lh_notify_t *n = make(NULL, 0, 20);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/x", s.port);
    outcome o;
    outcome_init(&o);
    lh_errbuf eb;
    T_EQ_INT(lh_notify_webhook(n, url, "{}", NULL, on_done, &o, &eb), LH_OK);
    T_CHECK(wait_done(&o, 1, 5000));
    T_CHECK(!o.ok);
    T_EQ_INT(o.status, 404);
    T_EQ_INT(o.attempts, 1); /* a 4xx is not retried */
    T_CHECK(strstr(o.error, "404") != NULL);
    int port = s.port;
    server_stop(&s); /* nobody listens any more */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/x", port);
    outcome o2;
    outcome_init(&o2);
    T_EQ_INT(lh_notify_webhook(n, url, "{}", NULL, on_done, &o2, &eb), LH_OK);
    T_CHECK(wait_done(&o2, 1, 5000));
    T_CHECK(!o2.ok);
    T_EQ_INT(o2.attempts, 3);
    T_EQ_INT(o2.status, 0);
    T_CHECK(o2.error[0] != '\0');
    /* the caller may ask for one attempt (an outbox that retries itself) */
    outcome o3;
    outcome_init(&o3);
    lh_notify_webhook_opts_t once = {.attempts = 1};
    T_EQ_INT(lh_notify_webhook(n, url, "{}", &once, on_done, &o3, &eb), LH_OK);
    T_CHECK(wait_done(&o3, 1, 5000));
    T_EQ_INT(o3.attempts, 1);
    char *m = metrics(n);
    T_CHECK(strstr(m, "lakehouse_notify_failed_total{kind=\"webhook\"} 3\n") != NULL);
    free(m);
    lh_notify_destroy(n);
}

static void test_bad_input(void)
{
    lh_notify_t *n = make(NULL, 0, 20);
    lh_errbuf eb;
    outcome o;
    outcome_init(&o);
    T_EQ_INT(lh_notify_webhook(n, "ftp://x/y", "{}", NULL, on_done, &o, &eb), LH_E_INVALID);
    T_EQ_INT(lh_notify_webhook(n, "file:///etc/passwd", "{}", NULL, on_done, &o, &eb),
             LH_E_INVALID);
    T_EQ_INT(lh_notify_webhook(n, "http://a b/", "{}", NULL, on_done, &o, &eb), LH_E_INVALID);
    T_EQ_INT(lh_notify_webhook(n, NULL, "{}", NULL, on_done, &o, &eb), LH_E_INVALID);
    const char *bad_headers[] = {"X-A: 1\r\nX-Injected: 2", NULL};
    lh_notify_webhook_opts_t opts = {.headers = bad_headers};
    T_EQ_INT(lh_notify_webhook(n, "http://127.0.0.1:1/", "{}", &opts, on_done, &o, &eb),
             LH_E_INVALID);
    const char *to_bad[] = {"a@b.c", "evil@x.y>\r\nRCPT TO:<z@z.z", NULL};
    T_EQ_INT(lh_notify_email(n, to_bad, "s", "b", on_done, &o, &eb), LH_E_INVALID);
    const char *to_none[] = {NULL};
    T_EQ_INT(lh_notify_email(n, to_none, "s", "b", on_done, &o, &eb), LH_E_INVALID);
    const char *to_noat[] = {"nobody", NULL};
    T_EQ_INT(lh_notify_email(n, to_noat, "s", "b", on_done, &o, &eb), LH_E_INVALID);
    /* limits at N + 1 (N is accepted below) */
    char *big = malloc(LH_NOTIFY_BODY_MAX + 2);
    memset(big, 'x', LH_NOTIFY_BODY_MAX + 1);
    big[LH_NOTIFY_BODY_MAX + 1] = '\0';
    T_EQ_INT(lh_notify_webhook(n, "http://127.0.0.1:1/", big, NULL, on_done, &o, &eb),
             LH_E_TOO_LARGE);
    T_EQ_INT(lh_notify_email(n, (const char *[]){"a@b.c", NULL}, "s", big, on_done, &o, &eb),
             LH_E_TOO_LARGE);
    const char *many[LH_NOTIFY_RCPT_MAX + 2];
    for (int i = 0; i <= LH_NOTIFY_RCPT_MAX; i++)
        many[i] = "ops@example.com";
    many[LH_NOTIFY_RCPT_MAX + 1] = NULL;
    T_EQ_INT(lh_notify_email(n, many, "s", "b", on_done, &o, &eb), LH_E_INVALID);
    lh_notify_destroy(n);
    T_EQ_INT(o.done, 0); /* refused sends never call on_done */
    /* N: accepted (no relay: undeliverable, so on_done runs once per send) */
    n = make(NULL, 0, 20);
    big[LH_NOTIFY_BODY_MAX] = '\0';
    many[LH_NOTIFY_RCPT_MAX] = NULL;
    T_EQ_INT(lh_notify_email(n, many, "s", big, on_done, &o, &eb), LH_OK);
    T_CHECK(wait_done(&o, 1, 2000));
    lh_notify_destroy(n);
    free(big);
    lh_notify_config_t bad = {.smtp_url = "http://relay"};
    T_EQ_INT(lh_notify_create(g_bg, &bad, &n, &eb), LH_E_INVALID);
}

static void test_queue_full_and_shutdown(void)
{
    /* nobody listens on port 1; a 10 s backoff keeps failed sends parked */
    lh_notify_t *n = make(NULL, 2, 10000);
    outcome o;
    outcome_init(&o);
    lh_errbuf eb;
    T_EQ_INT(lh_notify_webhook(n, "http://127.0.0.1:1/", "{}", NULL, on_done, &o, &eb), LH_OK);
    T_EQ_INT(lh_notify_webhook(n, "http://127.0.0.1:1/", "{}", NULL, on_done, &o, &eb), LH_OK);
    T_EQ_INT(lh_notify_webhook(n, "http://127.0.0.1:1/", "{}", NULL, on_done, &o, &eb),
             LH_E_LIMIT); /* N + 1 */
    usleep(200000);       /* both attempted once and parked */
    T_EQ_INT(o.done, 0);
    int64_t t0 = lh_mono_ns() / 1000000;
    lh_notify_destroy(n); /* parked sends end now, not after their backoff */
    T_CHECK(lh_mono_ns() / 1000000 - t0 < 1000);
    T_EQ_INT(o.done, 2);
    T_CHECK(!o.ok);
    T_CHECK(strstr(o.error, "shutting down") != NULL);
}

static void test_email_without_relay(void)
{
    lh_notify_t *n = make(NULL, 0, 20);
    outcome o;
    outcome_init(&o);
    lh_errbuf eb;
    const char *to[] = {"ops@example.com", NULL};
    T_EQ_INT(lh_notify_email(n, to, "Run failed", "body", on_done, &o, &eb), LH_OK);
    T_CHECK(wait_done(&o, 1, 2000));
    T_CHECK(!o.ok);
    T_EQ_STR(o.error, "no SMTP relay configured (--smtp-url)");
    char *m = metrics(n);
    T_CHECK(strstr(m, "lakehouse_notify_failed_total{kind=\"email\"} 1\n") != NULL);
    free(m);
    lh_notify_destroy(n);
}

static void test_email_through_smtp(void)
{
    server s;
    server_start(&s, true);
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", s.port);
    lh_notify_t *n = make(url, 0, 20);
    outcome o;
    outcome_init(&o);
    lh_errbuf eb;
    const char *to[] = {"ops@example.com", "dev@example.com", NULL};
    T_EQ_INT(lh_notify_email(n, to, "Job 12 run 34: FAILED \xc3\xa9t\xc3\xa9",
                             "line one\n.starts with a dot\nlast", on_done, &o, &eb),
             LH_OK);
    T_CHECK(wait_done(&o, 1, 5000));
    T_CHECK(o.ok);
    if (!o.ok)
        fprintf(stderr, "  email: %s\n", o.error);
    T_EQ_INT(s.count, 1);
    const char *t = s.texts[0];
    T_CHECK(t != NULL && strstr(t, "MAIL FROM:<jobs@lakehouse.test>") != NULL);
    T_CHECK(t != NULL && strstr(t, "RCPT TO:<ops@example.com>") != NULL);
    T_CHECK(t != NULL && strstr(t, "RCPT TO:<dev@example.com>") != NULL);
    T_CHECK(t != NULL && strstr(t, "\r\nFrom: jobs@lakehouse.test\r\n") != NULL);
    T_CHECK(t != NULL && strstr(t, "\r\nTo: ops@example.com,\r\n dev@example.com\r\n") != NULL);
    /* non-ASCII subject: an RFC 2047 encoded word; base64 of the UTF-8 text */
    T_CHECK(t != NULL && strstr(t, "\r\nSubject: =?UTF-8?B?") != NULL);
    T_CHECK(t != NULL && strstr(t, "Date: ") != NULL && strstr(t, " +0000\r\n") != NULL);
    T_CHECK(t != NULL && strstr(t, "\r\nMessage-ID: <") != NULL &&
            strstr(t, "@lakehouse.test>\r\n") != NULL);
    T_CHECK(t != NULL && strstr(t, "\r\nMIME-Version: 1.0\r\n") != NULL);
    T_CHECK(t != NULL && strstr(t, "\r\nContent-Type: text/plain; charset=utf-8\r\n") != NULL);
    /* CRLF lines, and the leading dot stuffed by curl (RFC 5321 4.5.2) */
    T_CHECK(t != NULL && strstr(t, "\r\n\r\nline one\r\n..starts with a dot\r\nlast\r\n") != NULL);
    T_CHECK(t != NULL && strstr(t, "QUIT") != NULL);
    char *m = metrics(n);
    T_CHECK(strstr(m, "lakehouse_notify_sent_total{kind=\"email\"} 1\n") != NULL);
    free(m);
    lh_notify_destroy(n);
    server_stop(&s);
}

int main(void)
{
    lh_errbuf eb;
    if (lh_bg_create(0, &g_bg, &eb) != LH_OK) {
        fprintf(stderr, "bg: %s\n", eb.msg);
        return 1;
    }
    lh_log_set_level(LH_LOG_ERROR);
    T_RUN(test_webhook_retries_then_succeeds);
    T_RUN(test_webhook_permanent_and_unreachable);
    T_RUN(test_bad_input);
    T_RUN(test_queue_full_and_shutdown);
    T_RUN(test_email_without_relay);
    T_RUN(test_email_through_smtp);
    lh_bg_destroy(g_bg);
    return T_DONE();
}
