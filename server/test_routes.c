/*
 * test_routes.c - routes that exist only with LAKEHOUSE_TEST_ROUTES=1, so the black-box
 * tests can drive the request path's machinery before the areas that need it exist:
 *
 *   PUT  /api/2.0/lakehouse-test/blobs/{name}   streamed upload to DATA_DIR/test-blobs
 *                                               (a temp file renamed on finish, unlinked
 *                                               on abort)
 *   GET  /api/2.0/lakehouse-test/blobs/{name}   the file, with Range
 *   GET  /api/2.0/lakehouse-test/blobs          every file in the folder, temp files too
 *   GET  /api/2.0/lakehouse-test/stream         a generated body: bytes=N, sized=0|1
 *   POST /api/2.0/lakehouse-test/park           park the request (key, timeout_ms)
 *   GET  /api/2.0/lakehouse-test/parked         how many are parked
 *   POST /api/2.0/lakehouse-test/unpark         answer every parked request, in order
 *   GET  /api/2.0/lakehouse-test/rss            current and peak RSS of the process
 *   GET  /api/2.0/lakehouse-test/fail           an internal error with a path in its text
 *   POST /api/2.0/lakehouse-test/notify         send through ctx->notify and answer with the
 *                                               outcome: {url, body, headers[]} (a webhook)
 *                                               or {to[], subject, text} (an email)
 * All are admin-only. Never served in production (the flag is off by default).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/notify.h"
#include "common/json.h"
#include "common/util.h"
#include "server/server.h"

#define PARKED_MAX 4096

typedef struct parked {
    lh_suspend_t *ticket;
    json_int_t key, index, seq; /* seq: the order unpark resumed it in */
} parked;

struct lh_test_routes {
    pthread_mutex_t mu; /* guards the parked list */
    parked items[PARKED_MAX];
    int count;
    json_int_t next_index;
};

static struct lh_test_routes *state(lh_req_t *req)
{
    lh_server_t *s = req->ctx->server;
    return s->test;
}

/* ---- blobs ---- */

typedef struct blob_sink {
    int fd;
    uint64_t bytes;
    char tmp[4200], final[4200];
} blob_sink;

static lh_err blob_write(void *st, const char *data, size_t n, lh_errbuf *eb)
{
    blob_sink *b = st;
    while (n > 0) {
        ssize_t w = write(b->fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        LH_FAIL_IF(w <= 0, LH_E_IO, eb, "write %s: %s", b->tmp, strerror(errno));
        data += w;
        n -= (size_t)w;
        b->bytes += (uint64_t)w;
    }
    return LH_OK;
}

static lh_err blob_finish(void *st, lh_req_t *req, lh_errbuf *eb)
{
    blob_sink *b = st;
    int rc = close(b->fd);
    b->fd = -1;
    if (rc != 0 || rename(b->tmp, b->final) != 0) {
        unlink(b->tmp);
        LH_FAIL(LH_E_IO, eb, "cannot store %s: %s", b->final, strerror(errno));
    }
    req->out = json_pack("{s:I}", "bytes", (json_int_t)b->bytes);
    return LH_OK;
}

static void blob_abort(void *st)
{
    blob_sink *b = st;
    if (b->fd >= 0)
        close(b->fd);
    b->fd = -1;
    unlink(b->tmp);
}

static const lh_body_sink_t blob_sink_ops = {blob_write, blob_finish, blob_abort};

static lh_err blob_dir(lh_req_t *req, char *out, size_t cap, lh_errbuf *eb)
{
    snprintf(out, cap, "%s/test-blobs", req->ctx->data_dir);
    LH_FAIL_IF(mkdir(out, 0700) != 0 && errno != EEXIST, LH_E_IO, eb, "mkdir %s: %s", out,
               strerror(errno));
    return LH_OK;
}

static lh_err blob_name(lh_req_t *req, const char **name, lh_errbuf *eb)
{
    const char *n = lh_req_path_param(req, 0);
    LH_FAIL_IF(n == NULL || n[0] == '.' || strlen(n) > 128 ||
                   strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
                       strlen(n),
               LH_E_INVALID, eb, "bad blob name");
    *name = n;
    return LH_OK;
}

static void close_fd(void *p)
{
    blob_sink *b = p;
    if (b->fd >= 0) /* neither finish nor abort ran (refused before the body) */
        blob_abort(b);
}

static lh_err put_blob(lh_req_t *req, lh_errbuf *eb)
{
    const char *name;
    char dir[4100];
    LH_TRY(blob_name(req, &name, eb));
    LH_TRY(blob_dir(req, dir, sizeof dir, eb));
    blob_sink *b = lh_arena_calloc(req->arena, 1, sizeof *b);
    char rnd[17];
    lh_random_hex(rnd, 8);
    snprintf(b->tmp, sizeof b->tmp, "%s/.tmp-%s-%s", dir, name, rnd);
    snprintf(b->final, sizeof b->final, "%s/%s", dir, name);
    b->fd = open(b->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    LH_FAIL_IF(b->fd < 0, LH_E_IO, eb, "open %s: %s", b->tmp, strerror(errno));
    lh_arena_defer(req->arena, close_fd, b);
    lh_req_stream_body(req, &blob_sink_ops, b);
    return LH_OK;
}

static lh_err get_blob(lh_req_t *req, lh_errbuf *eb)
{
    const char *name;
    char dir[4100], path[4300];
    LH_TRY(blob_name(req, &name, eb));
    LH_TRY(blob_dir(req, dir, sizeof dir, eb));
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    LH_FAIL_IF(fd < 0, LH_E_NOT_FOUND, eb, "no blob '%s'", name);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        LH_FAIL(LH_E_IO, eb, "stat: %s", strerror(errno));
    }
    lh_req_send_file(req, fd, (uint64_t)st.st_size, "application/octet-stream");
    return LH_OK;
}

static lh_err list_blobs(lh_req_t *req, lh_errbuf *eb)
{
    char dir[4100];
    LH_TRY(blob_dir(req, dir, sizeof dir, eb));
    DIR *d = opendir(dir);
    LH_FAIL_IF(d == NULL, LH_E_IO, eb, "opendir: %s", strerror(errno));
    json_t *files = json_array();
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            json_array_append_new(files, json_string(e->d_name));
    closedir(d);
    req->out = json_pack("{s:o}", "files", files);
    return LH_OK;
}

/* ---- generated bodies ---- */

typedef struct pattern_gen {
    uint64_t bytes;
} pattern_gen;

/* Byte i of the pattern: cheap, position-dependent, so Range answers can be checked. */
static ssize_t pattern_read(void *st, uint64_t offset, char *buf, size_t max)
{
    pattern_gen *g = st;
    if (offset >= g->bytes)
        return 0;
    if (max > g->bytes - offset)
        max = (size_t)(g->bytes - offset);
    for (size_t i = 0; i < max; i++)
        buf[i] = (char)(((offset + i) * 31 + 7) & 0xff);
    return (ssize_t)max;
}

static void pattern_close(void *st)
{
    free(st);
}

static const lh_body_gen_t pattern_ops = {pattern_read, pattern_close};

static lh_err stream(lh_req_t *req, lh_errbuf *eb)
{
    int64_t bytes = 0;
    bool sized = false;
    LH_TRY(lh_json_get_int_range(req->params, "bytes", LH_REQUIRED, 0, INT64_MAX / 2, &bytes, eb));
    LH_TRY(lh_json_get_bool(req->params, "sized", LH_OPTIONAL, &sized, eb));
    pattern_gen *g = malloc(sizeof *g);
    LH_FAIL_IF(g == NULL, LH_E_NOMEM, eb, "out of memory");
    g->bytes = (uint64_t)bytes;
    lh_req_send_stream(req, &pattern_ops, g, sized ? bytes : -1, "application/octet-stream");
    return LH_OK;
}

/* ---- parking ---- */

typedef struct park_arg {
    json_int_t key, index;
} park_arg;

static lh_err by_deadline(lh_req_t *req, void *arg, lh_errbuf *eb)
{
    park_arg *a = arg;
    req->out = json_pack("{s:I, s:I, s:s}", "key", a->key, "index", a->index, "by", "deadline");
    return LH_OK;
}

static lh_err by_resume(lh_req_t *req, void *arg, lh_errbuf *eb)
{
    const parked *p = arg;
    req->out = json_pack("{s:I, s:I, s:I, s:s}", "key", p->key, "index", p->index, "seq", p->seq,
                         "by", "resume");
    return LH_OK;
}

static lh_err park(lh_req_t *req, lh_errbuf *eb)
{
    struct lh_test_routes *t = state(req);
    int64_t key = 0, timeout_ms = 0;
    LH_TRY(lh_json_get_int_range(req->params, "key", LH_REQUIRED, 0, INT64_MAX, &key, eb));
    LH_TRY(
        lh_json_get_int_range(req->params, "timeout_ms", LH_REQUIRED, 1, 600000, &timeout_ms, eb));
    park_arg *a = lh_arena_alloc(req->arena, sizeof *a);
    pthread_mutex_lock(&t->mu);
    if (t->count == PARKED_MAX) {
        pthread_mutex_unlock(&t->mu);
        LH_FAIL(LH_E_LIMIT, eb, "too many parked requests");
    }
    *a = (park_arg){key, t->next_index++};
    parked *p = &t->items[t->count++];
    *p = (parked){NULL, key, a->index, 0};
    p->ticket = lh_req_suspend(req, timeout_ms, by_deadline, a); /* under mu: unpark waits */
    pthread_mutex_unlock(&t->mu);
    return LH_OK;
}

static lh_err parked_count(lh_req_t *req, lh_errbuf *eb)
{
    struct lh_test_routes *t = state(req);
    pthread_mutex_lock(&t->mu);
    int n = t->count;
    pthread_mutex_unlock(&t->mu);
    req->out = json_pack("{s:i}", "count", n);
    return LH_OK;
}

static lh_err unpark(lh_req_t *req, lh_errbuf *eb)
{
    struct lh_test_routes *t = state(req);
    pthread_mutex_lock(&t->mu);
    int n = t->count, resumed = 0;
    for (int i = 0; i < n; i++) {
        t->items[i].seq = resumed;
        resumed += lh_req_resume(t->items[i].ticket, by_resume, &t->items[i]);
    }
    t->count = 0;
    pthread_mutex_unlock(&t->mu);
    req->out = json_pack("{s:i, s:i}", "parked", n, "resumed", resumed);
    return LH_OK;
}

/* ---- process facts and errors ---- */

static int64_t status_kib(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int64_t v = -1;
    size_t n = strlen(field);
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            v = strtoll(line + n + 1, NULL, 10);
    if (f != NULL)
        fclose(f);
    return v;
}

static lh_err rss(lh_req_t *req, lh_errbuf *eb)
{
    req->out = json_pack("{s:I, s:I}", "rss_bytes", (json_int_t)(status_kib("VmRSS") * 1024),
                         "peak_rss_bytes", (json_int_t)(status_kib("VmHWM") * 1024));
    return LH_OK;
}

static lh_err fail(lh_req_t *req, lh_errbuf *eb)
{
    LH_FAIL(LH_E_IO, eb, "disk I/O error at %s/meta.db (SQLITE_IOERR)", req->ctx->data_dir);
}

/* ---- notify ---- */

typedef struct notify_wait {
    lh_suspend_t *ticket;
    bool ok;
    int status, attempts;
    char error[600], response[600];
} notify_wait;

static lh_err notify_fill(lh_req_t *req, void *arg, lh_errbuf *eb)
{
    (void)eb;
    notify_wait *w = arg;
    req->out = json_pack("{s:b, s:i, s:i, s:s, s:s}", "ok", w->ok, "status", w->status, "attempts",
                         w->attempts, "error", w->error, "response", w->response);
    return LH_OK;
}

static lh_err notify_deadline(lh_req_t *req, void *arg, lh_errbuf *eb)
{
    (void)req, (void)arg;
    LH_FAIL(LH_E_UNAVAILABLE, eb, "the notification did not end in time");
}

static void notify_done(void *arg, const lh_notify_result_t *r)
{
    notify_wait *w = arg;
    w->ok = r->ok;
    w->status = r->http_status;
    w->attempts = r->attempts;
    snprintf(w->error, sizeof w->error, "%s", r->error ? r->error : "");
    snprintf(w->response, sizeof w->response, "%s", r->response ? r->response : "");
    lh_req_resume(w->ticket, notify_fill, w);
    free(w);
}

/* Strings of a JSON list as a NULL-terminated arena array. */
static const char **str_list(lh_req_t *req, const char *key, lh_errbuf *eb)
{
    json_t *list = NULL;
    if (lh_json_get_list(req->params, key, LH_OPTIONAL, &list, eb) != LH_OK)
        return NULL;
    size_t n = lh_json_list_size(list);
    const char **out = lh_arena_calloc(req->arena, n + 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = json_string_value(lh_json_list_get(list, i));
    return out;
}

static lh_err notify(lh_req_t *req, lh_errbuf *eb)
{
    const char *url = NULL, *body = NULL, *subject = NULL, *text = NULL;
    LH_TRY(lh_json_get_str(req->params, "url", LH_OPTIONAL, &url, eb));
    LH_TRY(lh_json_get_str(req->params, "body", LH_OPTIONAL, &body, eb));
    LH_TRY(lh_json_get_str(req->params, "subject", LH_OPTIONAL, &subject, eb));
    LH_TRY(lh_json_get_str(req->params, "text", LH_OPTIONAL, &text, eb));
    const char **headers = str_list(req, "headers", eb), **to = str_list(req, "to", eb);
    LH_FAIL_IF(headers == NULL || to == NULL, LH_E_INVALID, eb, "headers and to are lists");
    notify_wait *w = calloc(1, sizeof *w);
    LH_FAIL_IF(w == NULL, LH_E_NOMEM, eb, "out of memory");
    w->ticket = lh_req_suspend(req, 60000, notify_deadline, NULL);
    lh_notify_webhook_opts_t opts = {.headers = headers};
    lh_err e = url != NULL
                   ? lh_notify_webhook(req->ctx->notify, url, body, &opts, notify_done, w, eb)
                   : lh_notify_email(req->ctx->notify, to, subject, text, notify_done, w, eb);
    if (e != LH_OK) { /* answer with the refusal */
        w->status = -(int)e;
        snprintf(w->error, sizeof w->error, "%s: %s", lh_err_code_name(e), eb->msg);
        lh_req_resume(w->ticket, notify_fill, w);
        free(w);
    }
    return LH_OK;
}

static const lh_route_t test_routes[] = {
    {"PUT", "/api/2.0/lakehouse-test/blobs/{name}", put_blob, LH_ROUTE_ADMIN | LH_ROUTE_STREAM},
    {"GET", "/api/2.0/lakehouse-test/blobs/{name}", get_blob, LH_ROUTE_ADMIN},
    {"GET", "/api/2.0/lakehouse-test/blobs", list_blobs, LH_ROUTE_ADMIN},
    {"GET", "/api/2.0/lakehouse-test/stream", stream, LH_ROUTE_ADMIN},
    {"POST", "/api/2.0/lakehouse-test/park", park, LH_ROUTE_ADMIN},
    {"GET", "/api/2.0/lakehouse-test/parked", parked_count, LH_ROUTE_ADMIN},
    {"POST", "/api/2.0/lakehouse-test/unpark", unpark, LH_ROUTE_ADMIN},
    {"GET", "/api/2.0/lakehouse-test/rss", rss, LH_ROUTE_ADMIN},
    {"GET", "/api/2.0/lakehouse-test/fail", fail, LH_ROUTE_ADMIN},
    {"POST", "/api/2.0/lakehouse-test/notify", notify, LH_ROUTE_ADMIN},
};

const lh_route_t *lh_test_routes(int *count)
{
    *count = (int)(sizeof test_routes / sizeof test_routes[0]);
    return test_routes;
}

lh_err lh_test_routes_create(lh_server_t *s, lh_errbuf *eb)
{
    s->test = calloc(1, sizeof *s->test);
    LH_FAIL_IF(s->test == NULL, LH_E_NOMEM, eb, "out of memory");
    pthread_mutex_init(&s->test->mu, NULL);
    return LH_OK;
}

void lh_test_routes_destroy(lh_server_t *s)
{
    if (s->test == NULL)
        return;
    for (int i = 0; i < s->test->count; i++) /* answered by deadline or shutdown by now */
        lh_suspend_release(s->test->items[i].ticket);
    pthread_mutex_destroy(&s->test->mu);
    free(s->test);
    s->test = NULL;
}
