/*
 * http.c - libmicrohttpd glue: the request path phase by phase, responses, TLS.
 *
 * libmicrohttpd calls the access handler several times per request:
 *   1. headers (*con_cls == NULL): count it against max_inflight, match the route and
 *      authenticate (dispatch.c). A refused request that carries a body is answered right
 *      here, so the body is never read (libmicrohttpd then closes the connection); one
 *      without a body is answered at step 3 and keeps its connection. A streamed route's
 *      handler runs here and hands us a sink.
 *   2. body chunks: appended to the arena up to the route's limit (buffered), or written
 *      to the sink (streamed); after an error they are dropped.
 *   3. the last call (*upload_data_size == 0): parse params and run the handler
 *      (buffered), or the sink's finish (streamed); answer. A handler that parks its
 *      request (suspend.c) leaves the connection suspended; libmicrohttpd calls us once
 *      more after lh_http_resume, and we answer then.
 * The completion callback records metrics, writes the access-log line, aborts a sink that
 * never finished and frees the state.
 *
 * Polling is poll(2), not epoll: libmicrohttpd 0.9.75's edge-triggered epoll mode missed a
 * client that resets the connection mid-upload (no completion callback until the 120 s
 * timeout, so the sink's abort came late); poll sees it at once. Parked connections are
 * not polled, so thousands of them cost nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fault.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/util.h"
#include "server/http.h"

typedef struct conn_state {
    lh_server_t *server;
    struct MHD_Connection *conn;
    lh_arena_t *arena;
    char *body;
    size_t body_bytes, body_cap;
    uint64_t body_max, body_seen;
    int64_t start_ns;
    int route_index;
    int status;
    int counted;
    int has_err;   /* err holds an error to answer; the body is dropped */
    int drain;     /* an authenticated request over its limit: drop the body, answer at the
                      end (the client sees the 413 instead of a reset) */
    int answered;  /* the answer is ready before the body (a stream handler said no) */
    int streaming; /* the body goes to req.sink */
    int sink_done; /* finish or abort ran */
    atomic_int resumed;
    lh_errbuf err;
    long fault_allocs; /* fault-injection build: allocations counted (-1: not armed) */
    lh_req_t req;
} conn_state;

static conn_state *state_of(lh_req_t *req)
{
    return (conn_state *)(void *)((char *)req - offsetof(conn_state, req));
}

static const char *get_header(lh_req_t *req, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)req->conn, MHD_HEADER_KIND, name);
}

/* ---- params ---- */

/* Put value at a dotted key ("filter_by.is_pinned"), turning repeats into arrays. */
static void put_param(json_t *root, const char *key, const char *value)
{
    char path[256];
    snprintf(path, sizeof path, "%s", key);
    json_t *obj = root;
    char *seg = path, *dot;
    while ((dot = strchr(seg, '.')) != NULL && dot != seg && dot[1] != '\0') {
        *dot = '\0';
        json_t *child = json_object_get(obj, seg);
        if (!json_is_object(child)) {
            child = json_object();
            json_object_set_new(obj, seg, child);
        }
        obj = child;
        seg = dot + 1;
    }
    json_t *v = json_string(value ? value : "");
    if (v == NULL) /* not UTF-8: keep the request going without it */
        return;
    json_t *old = json_object_get(obj, seg);
    if (old == NULL) {
        json_object_set_new(obj, seg, v);
    } else if (json_is_array(old)) {
        json_array_append_new(old, v);
    } else {
        json_t *arr = json_array();
        json_array_append(arr, old);
        json_array_append_new(arr, v);
        json_object_set_new(obj, seg, arr);
    }
}

typedef struct {
    json_t *params;
    int count;
} query_ctx;

static enum MHD_Result on_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    query_ctx *q = cls;
    if (++q->count > LH_QUERY_PARAMS_MAX)
        return MHD_NO;
    put_param(q->params, key, value);
    return MHD_YES;
}

static void decref_json(void *p)
{
    json_decref(p);
}

static lh_err build_query_params(conn_state *cs, lh_errbuf *eb)
{
    lh_req_t *req = &cs->req;
    req->params = json_object();
    lh_arena_defer(cs->arena, decref_json, req->params);
    query_ctx q = {req->params, 0};
    MHD_get_connection_values(cs->conn, MHD_GET_ARGUMENT_KIND, on_query_arg, &q);
    LH_FAIL_IF(q.count > LH_QUERY_PARAMS_MAX, LH_E_INVALID, eb,
               "Too many query parameters (limit %d)", LH_QUERY_PARAMS_MAX);
    return LH_OK;
}

/* Merge the JSON body (if any) over the query parameters. */
static lh_err merge_body_params(conn_state *cs, lh_errbuf *eb)
{
    size_t i = 0;
    while (i < cs->body_bytes && strchr(" \t\r\n", cs->body[i]) != NULL)
        i++;
    if (i == cs->body_bytes)
        return LH_OK;
    json_error_t jerr;
    json_t *body = json_loadb(cs->body, cs->body_bytes, JSON_DECODE_ANY, &jerr);
    LH_FAIL_IF(body == NULL, LH_E_MALFORMED, eb, "Malformed JSON request body: %s", jerr.text);
    lh_arena_defer(cs->arena, decref_json, body);
    LH_FAIL_IF(!json_is_object(body), LH_E_MALFORMED, eb, "The request body must be a JSON object");
    LH_FAIL_IF(lh_json_depth(body) > LH_JSON_DEPTH_MAX, LH_E_MALFORMED, eb,
               "JSON nesting deeper than %d levels", LH_JSON_DEPTH_MAX);
    json_object_update(cs->req.params, body);
    return LH_OK;
}

/* ---- responses ---- */

typedef struct gen_stream {
    const lh_body_gen_t *gen;
    void *state;
    uint64_t base, remaining; /* remaining: UINT64_MAX = unknown */
} gen_stream;

static ssize_t gen_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    gen_stream *g = cls;
    if (g->remaining != UINT64_MAX) {
        if (pos >= g->remaining)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (max > g->remaining - pos)
            max = (size_t)(g->remaining - pos);
    }
    ssize_t n = g->gen->read(g->state, g->base + pos, buf, max);
    if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : n;
}

static void gen_free(void *cls)
{
    gen_stream *g = cls;
    if (g->gen->close)
        g->gen->close(g->state);
    free(g);
}

/* Release a file or generator the answer does not use. */
static void drop_body_source(lh_req_t *req)
{
    if (req->has_file)
        close(req->file_fd);
    req->has_file = false;
    if (req->gen && req->gen->close)
        req->gen->close(req->gen_state);
    req->gen = NULL;
}

/* Parse "bytes=a-b", "bytes=a-", "bytes=-n" against size. 0: no usable range (serve all),
 * 1: [*off, *off + *len), -1: unsatisfiable (416). Multiple ranges are served whole. */
static int parse_range(const char *h, uint64_t size, uint64_t *off, uint64_t *len)
{
    if (h == NULL || strncmp(h, "bytes=", 6) != 0 || strchr(h, ',') != NULL)
        return 0;
    const char *p = h + 6;
    char *end;
    if (*p == '-') {
        unsigned long long n = strtoull(p + 1, &end, 10);
        if (end == p + 1 || *end != '\0')
            return 0;
        if (n == 0 || size == 0)
            return -1;
        *len = n < size ? n : size;
        *off = size - *len;
        return 1;
    }
    unsigned long long a = strtoull(p, &end, 10);
    if (end == p || *end != '-')
        return 0;
    const char *q = end + 1;
    unsigned long long b = size ? size - 1 : 0;
    if (*q != '\0') {
        b = strtoull(q, &end, 10);
        if (*end != '\0' || b < a)
            return 0;
    }
    if (a >= size)
        return -1;
    if (b >= size)
        b = size - 1;
    *off = a;
    *len = b - a + 1;
    return 1;
}

/* A response for the file or generator in req, honouring Range; NULL on failure. */
static struct MHD_Response *body_response(conn_state *cs)
{
    lh_req_t *req = &cs->req;
    uint64_t off = 0, len = req->body_size < 0 ? 0 : (uint64_t)req->body_size;
    int r = req->body_size < 0 ? 0 : parse_range(get_header(req, "Range"), len, &off, &len);
    if (r < 0) {
        drop_body_source(req);
        req->status = 416;
        lh_req_add_header(req, "Content-Range",
                          lh_arena_sprintf(cs->arena, "bytes */%lld", (long long)req->body_size));
        return MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (r > 0) {
        req->status = 206;
        lh_req_add_header(
            req, "Content-Range",
            lh_arena_sprintf(cs->arena, "bytes %llu-%llu/%lld", (unsigned long long)off,
                             (unsigned long long)(off + len - 1), (long long)req->body_size));
    }
    if (req->body_size >= 0)
        lh_req_add_header(req, "Accept-Ranges", "bytes");
    if (req->has_file) {
        req->has_file = false; /* libmicrohttpd closes it with the response */
        return MHD_create_response_from_fd_at_offset64(len, req->file_fd, off);
    }
    gen_stream *g = malloc(sizeof *g);
    if (g == NULL) {
        drop_body_source(req);
        return NULL;
    }
    *g = (gen_stream){req->gen, req->gen_state, off, req->body_size < 0 ? UINT64_MAX : len};
    req->gen = NULL;
    return MHD_create_response_from_callback(req->body_size < 0 ? MHD_SIZE_UNKNOWN : len,
                                             LH_STREAM_CHUNK_BYTES / 4, gen_read, g, gen_free);
}

/* The answer when the JSON to send could not be built or serialized (out of memory):
 * static, so producing it allocates nothing. */
static const char nomem_body[] =
    "{\"error_code\":\"RESOURCE_EXHAUSTED\",\"message\":\"The server is out of memory\"}";

static struct MHD_Response *json_response(lh_req_t *req)
{
    if (req->text != NULL)
        return MHD_create_response_from_buffer(req->text_bytes, (void *)req->text,
                                               MHD_RESPMEM_MUST_COPY);
    if (req->out == NULL && req->status < 400) /* a handler with nothing to say */
        return MHD_create_response_from_buffer(2, (void *)"{}", MHD_RESPMEM_PERSISTENT);
    size_t n = 0;
    char *body = req->out ? lh_json_write(req->out, &n) : NULL;
    if (body != NULL)
        return MHD_create_response_from_buffer(n, body, MHD_RESPMEM_MUST_FREE);
    req->status = lh_err_http_status(LH_E_NOMEM);
    req->header_count = 0; /* headers meant for the lost answer */
    return MHD_create_response_from_buffer(sizeof nomem_body - 1, (void *)nomem_body,
                                           MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result respond(conn_state *cs)
{
    lh_req_t *req = &cs->req;
    int ok_status = req->status == 0 || req->status == 200;
    struct MHD_Response *resp;
    if ((req->has_file || req->gen) && ok_status && req->out == NULL) {
        resp = body_response(cs);
    } else {
        drop_body_source(req);
        resp = json_response(req);
    }
    if (req->out)
        json_decref(req->out);
    req->out = NULL;
    if (resp == NULL)
        return MHD_NO;
    const char *ctype = req->content_type ? req->content_type : "application/json";
    MHD_add_response_header(resp, "Content-Type", ctype);
    MHD_add_response_header(resp, "X-Request-Id", req->request_id);
    MHD_add_response_header(resp, "X-Databricks-Org-Id", cs->server->org_id);
    for (int i = 0; i < req->header_count; i++)
        MHD_add_response_header(resp, req->header_names[i], req->header_values[i]);
    if (cs->fault_allocs >= 0) {
        char n[32];
        snprintf(n, sizeof n, "%ld", cs->fault_allocs);
        MHD_add_response_header(resp, LH_FAULT_ALLOCS_HEADER, n);
    }
    cs->status = req->status ? req->status : 200;
    enum MHD_Result r = MHD_queue_response(cs->conn, (unsigned)cs->status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* ---- the phases ---- */

/* splitmix64's finalizer: a bijection on 64 bits that spreads every input bit. */
static uint64_t mix64(uint64_t x)
{
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* A unique, UUID-shaped request id: a per-process random seed XOR a bijective mix of a
 * counter, so ids never repeat within a process and consecutive ones look nothing alike.
 * Cheaper than a CSPRNG call per request; ids need not be secret. */
static const char *new_request_id(lh_server_t *s, lh_arena_t *a)
{
    unsigned char b[16];
    memcpy(b, s->request_id_seed, sizeof b);
    uint64_t seq = atomic_fetch_add_explicit(&s->request_seq, 1, memory_order_relaxed);
    uint64_t hi = mix64(seq), lo = mix64(seq ^ 0x9e3779b97f4a7c15ULL);
    for (int i = 0; i < 8; i++) {
        b[i] ^= (unsigned char)(hi >> (8 * i));
        b[8 + i] ^= (unsigned char)(lo >> (8 * i));
    }
    char hex[33];
    lh_hex(b, 16, hex);
    return lh_arena_sprintf(a, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
                            hex + 20);
}

static conn_state *start_request(lh_server_t *s, struct MHD_Connection *conn, const char *url,
                                 const char *method)
{
    conn_state *cs = calloc(1, sizeof *cs);
    if (cs == NULL)
        return NULL;
    cs->server = s;
    cs->conn = conn;
    cs->start_ns = lh_mono_ns();
    cs->arena = lh_arena_create();
    cs->route_index = -1;
    lh_errbuf_clear(&cs->err);
    cs->fault_allocs = -1;
    lh_req_t *req = &cs->req;
    req->ctx = &s->ctx;
    req->arena = cs->arena;
    req->method = lh_arena_strdup(cs->arena, method);
    req->path = lh_arena_strdup(cs->arena, url);
    req->header = get_header;
    req->conn = conn;
    req->ops = &lh_server_req_ops;
    const char *rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
    req->request_id = rid != NULL && strlen(rid) <= 128 ? lh_arena_strdup(cs->arena, rid)
                                                        : new_request_id(s, cs->arena);
    return cs;
}

/* Does the request announce a body (Content-Length > 0 or chunked)? */
static int announces_body(conn_state *cs, uint64_t *length)
{
    const char *cl = get_header(&cs->req, "Content-Length");
    const char *te = get_header(&cs->req, "Transfer-Encoding");
    *length = cl ? strtoull(cl, NULL, 10) : 0;
    return *length > 0 || te != NULL;
}

static void fail(conn_state *cs, lh_err code, const char *fmt, const char *arg)
{
    lh_err_set(&cs->err, code, __FILE__, __LINE__, fmt, arg);
    cs->has_err = 1;
}

static void on_headers(conn_state *cs)
{
    lh_server_t *s = cs->server;
    lh_req_t *req = &cs->req;
    if (atomic_fetch_add(&s->inflight, 1) >= s->config.max_inflight) {
        cs->counted = 1;
        return fail(cs, LH_E_LIMIT, "Too many requests in flight; retry later%s", "");
    }
    cs->counted = 1;
    if (lh_server_route(s, req, &cs->route_index, &cs->err) != LH_OK) {
        cs->has_err = 1;
        return;
    }
    uint64_t length = 0;
    announces_body(cs, &length);
    /* from here the caller is known: an answer ready before the body still reads (and
     * drops) a moderate body, so the client sees the answer rather than a reset */
    cs->drain = length > 0 && length <= LH_REQUEST_DRAIN_MAX;
    if (!(req->route->flags & LH_ROUTE_STREAM)) {
        cs->body_max = req->route->body_max ? req->route->body_max : LH_REQUEST_BODY_MAX;
        if (length > cs->body_max) {
            lh_err_set(&cs->err, LH_E_TOO_LARGE, __FILE__, __LINE__,
                       "Request body larger than %llu bytes", (unsigned long long)cs->body_max);
            cs->has_err = 1;
        }
        return;
    }
    cs->body_max = req->route->body_max ? req->route->body_max : UINT64_MAX;
    if (length > cs->body_max) {
        lh_err_set(&cs->err, LH_E_TOO_LARGE, __FILE__, __LINE__,
                   "Request body larger than %llu bytes", (unsigned long long)cs->body_max);
        cs->has_err = 1;
        return;
    }
    if (build_query_params(cs, &cs->err) != LH_OK) {
        cs->has_err = 1;
        return;
    }
    lh_server_run(s, req);
    LH_ASSERT(req->suspend == NULL); /* streamed routes answer in finish, not by parking */
    if (req->sink != NULL)
        cs->streaming = 1;
    else
        cs->answered = 1;
}

static void append_body(conn_state *cs, const char *data, size_t n)
{
    if (cs->body_bytes + n > cs->body_max) {
        lh_err_set(&cs->err, LH_E_TOO_LARGE, __FILE__, __LINE__,
                   "Request body larger than %llu bytes", (unsigned long long)cs->body_max);
        cs->has_err = 1;
        return;
    }
    if (cs->body_bytes + n + 1 > cs->body_cap) {
        size_t cap = cs->body_cap ? cs->body_cap * 2 : 4096;
        while (cap < cs->body_bytes + n + 1)
            cap *= 2;
        char *nb = lh_arena_alloc(cs->arena, cap);
        if (cs->body_bytes)
            memcpy(nb, cs->body, cs->body_bytes);
        cs->body = nb;
        cs->body_cap = cap;
    }
    memcpy(cs->body + cs->body_bytes, data, n);
    cs->body_bytes += n;
    cs->body[cs->body_bytes] = '\0';
}

static void sink_abort(conn_state *cs)
{
    if (cs->streaming && !cs->sink_done) {
        cs->sink_done = 1;
        cs->req.sink->abort(cs->req.sink_state);
    }
}

static void on_chunk(conn_state *cs, const char *data, size_t n)
{
    if (cs->has_err || cs->answered)
        return;
    if (!cs->streaming)
        return append_body(cs, data, n);
    cs->body_seen += n;
    if (cs->body_seen > cs->body_max) {
        lh_err_set(&cs->err, LH_E_TOO_LARGE, __FILE__, __LINE__,
                   "Request body larger than %llu bytes", (unsigned long long)cs->body_max);
    } else if (cs->req.sink->write(cs->req.sink_state, data, n, &cs->err) == LH_OK) {
        return;
    }
    cs->has_err = 1;
    sink_abort(cs);
}

static void on_body_done(conn_state *cs)
{
    lh_req_t *req = &cs->req;
    if (cs->has_err) {
        sink_abort(cs);
        lh_server_render_error(req, &cs->err);
        return;
    }
    if (cs->answered)
        return;
    if (cs->streaming) {
        cs->sink_done = 1;
        lh_err e = req->sink->finish(req->sink_state, req, &cs->err);
        if (e != LH_OK) {
            if (cs->err.code != e)
                lh_err_set(&cs->err, e, __FILE__, __LINE__, "%s", lh_err_code_name(e));
            lh_server_render_error(req, &cs->err);
        }
        return;
    }
    req->body = cs->body;
    req->body_bytes = cs->body_bytes;
    if (build_query_params(cs, &cs->err) != LH_OK || merge_body_params(cs, &cs->err) != LH_OK) {
        lh_server_render_error(req, &cs->err);
        return;
    }
    lh_server_run(cs->server, req);
}

/* on_body_done, then: an answer built while jansson ran out of memory may lack parts, so
 * the static 500 goes instead (json_response). */
static void body_done_checked(conn_state *cs)
{
    lh_req_t *req = &cs->req;
    (void)lh_json_oom_take(); /* forget an earlier request's */
    on_body_done(cs);
    if (req->suspend == NULL && lh_json_oom_take()) {
        if (req->out)
            json_decref(req->out);
        req->out = NULL;
        req->text = NULL;
        req->header_count = 0;
        req->status = lh_err_http_status(LH_E_NOMEM);
    }
}

/* body_done_checked, in the fault-injection build under the allocation failure a request
 * asks for with LH_FAULT_HEADER (see common/fault.h). */
static void body_done_armed(conn_state *cs)
{
#ifdef LH_FAULT_INJECT
    const char *nth = get_header(&cs->req, LH_FAULT_HEADER);
    if (nth != NULL) {
        lh_fault_arm(strtol(nth, NULL, 10));
        body_done_checked(cs);
        cs->fault_allocs = lh_fault_disarm();
        return;
    }
#endif
    body_done_checked(cs);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    conn_state *cs = *con_cls;
    if (cs == NULL) {
        cs = start_request(cls, conn, url, method);
        if (cs == NULL)
            return MHD_NO;
        *con_cls = cs;
        on_headers(cs);
        uint64_t length;
        if ((cs->has_err || cs->answered) && !cs->drain && announces_body(cs, &length)) {
            if (cs->has_err) /* answer now: the body is never read */
                lh_server_render_error(&cs->req, &cs->err);
            return respond(cs);
        }
        return MHD_YES;
    }
    if (atomic_load(&cs->resumed))
        return respond(cs);
    if (*upload_data_size > 0) {
        on_chunk(cs, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (cs->req.suspend != NULL) /* parked, and not resumed yet */
        return MHD_YES;
    body_done_armed(cs);
    if (cs->req.suspend != NULL) /* the handler parked it: answered after lh_http_resume */
        return MHD_YES;
    return respond(cs);
}

void lh_http_suspend(lh_req_t *req)
{
    MHD_suspend_connection(state_of(req)->conn);
}

void lh_http_resume(lh_req_t *req)
{
    conn_state *cs = state_of(req);
    atomic_store(&cs->resumed, 1);
    MHD_resume_connection(cs->conn);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    lh_server_t *s = cls;
    conn_state *cs = *con_cls;
    if (cs == NULL)
        return;
    sink_abort(cs); /* the body never arrived whole */
    drop_body_source(&cs->req);
    if (cs->status == 0) /* the connection went away before an answer */
        cs->status = 499;
    int64_t dur = lh_mono_ns() - cs->start_ns;
    lh_metrics_record(s->metrics, cs->route_index, cs->status, dur);
    if (cs->req.error_code != NULL && cs->status < 500) /* 5xx were logged in detail */
        lh_log(LH_LOG_WARN, "%s %s -> %d %s: %s (request %s)", cs->req.method, cs->req.path,
               cs->status, cs->req.error_code, cs->req.error_message, cs->req.request_id);
    if (s->access_log != NULL)
        lh_access_log_line(s->access_log, "%s %s %d %.3fms %s %s", cs->req.method, cs->req.path,
                           cs->status, (double)dur / 1e6,
                           cs->req.principal ? cs->req.principal->user_name : "-",
                           cs->req.request_id);
    if (cs->counted)
        atomic_fetch_sub(&s->inflight, 1);
    if (cs->req.out)
        json_decref(cs->req.out);
    lh_arena_destroy(cs->arena);
    free(cs);
    *con_cls = NULL;
}

/* ---- start and stop ---- */

static lh_err read_pem(const char *flag, const char *path, char **out, lh_errbuf *eb)
{
    FILE *f = fopen(path, "rb");
    LH_FAIL_IF(f == NULL, LH_E_INVALID, eb, "cannot read %s %s: %s", flag, path, strerror(errno));
    char *buf = malloc(LH_TLS_PEM_MAX + 1);
    size_t n = buf ? fread(buf, 1, LH_TLS_PEM_MAX + 1, f) : 0;
    fclose(f);
    if (buf == NULL || n == 0 || n > LH_TLS_PEM_MAX) {
        free(buf);
        LH_FAIL(LH_E_INVALID, eb, "%s %s: empty or larger than %d bytes", flag, path,
                LH_TLS_PEM_MAX);
    }
    buf[n] = '\0';
    *out = buf;
    return LH_OK;
}

/* libmicrohttpd's own messages go through lh_log, so they get its format and level. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    lh_log(LH_LOG_WARN, "libmicrohttpd: %s", msg);
}

/* Our own listening socket, so a failure names its real cause (and no SO_REUSEPORT: a
 * second daemon on the same port fails instead of sharing it). */
static lh_err open_listener(lh_server_t *s, int *fd_out, lh_errbuf *eb)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)s->config.listen_port);
    LH_FAIL_IF(inet_pton(AF_INET, s->config.listen_host, &addr.sin_addr) != 1, LH_E_INVALID, eb,
               "--listen: '%s' is not an IPv4 address", s->config.listen_host);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    LH_FAIL_IF(fd < 0, LH_E_IO, eb, "socket: %s", strerror(errno));
    int one = 1; /* SO_REUSEADDR only lets us rebind past TIME_WAIT; it never shares a port */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 1024) != 0) {
        int err = errno;
        close(fd);
        LH_FAIL(LH_E_IO, eb, "cannot listen on %s:%d: %s", s->config.listen_host,
                s->config.listen_port, strerror(err));
    }
    struct sockaddr_in bound;
    socklen_t bl = sizeof bound;
    if (getsockname(fd, (struct sockaddr *)&bound, &bl) == 0)
        s->config.listen_port = ntohs(bound.sin_port);
    *fd_out = fd;
    return LH_OK;
}

lh_err lh_http_prepare(lh_server_t *s, lh_errbuf *eb)
{
    if (s->config.tls_cert[0] != '\0') {
        LH_TRY(read_pem("--tls-cert", s->config.tls_cert, &s->tls_pem[0], eb));
        LH_TRY(read_pem("--tls-key", s->config.tls_key, &s->tls_pem[1], eb));
    }
    return open_listener(s, &s->listen_fd, eb);
}

lh_err lh_http_start(lh_server_t *s, lh_errbuf *eb)
{
    int tls = s->config.tls_cert[0] != '\0';
    int fd = s->listen_fd;
    s->listen_fd = -1; /* libmicrohttpd's from here on */
    unsigned threads = (unsigned)(s->config.http_threads > 0 ? s->config.http_threads
                                                             : (int)sysconf(_SC_NPROCESSORS_ONLN));
    if (threads < 1)
        threads = 1;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME | (tls ? MHD_USE_TLS : 0);
    struct MHD_OptionItem o[10];
    int n = 0;
    o[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL};
    o[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, fd, NULL};
    if (threads > 1) /* one thread means no pool at all */
        o[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)threads, NULL};
    o[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, 120, NULL};
    o[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, 4096, NULL};
    /* Each connection's buffer: streamed uploads reach their sink in pieces of about this
     * size, so the default 32 KiB made a 1 GiB upload ~60k sink calls. Pages are touched
     * only as a connection uses them. */
    o[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                     (intptr_t)LH_HTTP_CONNECTION_BUFFER, NULL};
    if (tls) {
        o[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, s->tls_pem[0]};
        o[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_pem[1]};
    }
    o[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    LH_ASSERT(n <= (int)(sizeof o / sizeof o[0]));
    s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, o,
                              MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (s->mhd == NULL) {
        close(fd);
        LH_FAIL_IF(tls, LH_E_INVALID, eb,
                   "cannot start HTTPS on %s:%d: check that --tls-cert %s and --tls-key %s are a "
                   "matching PEM certificate and key",
                   s->config.listen_host, s->config.listen_port, s->config.tls_cert,
                   s->config.tls_key);
        LH_FAIL(LH_E_IO, eb, "cannot start the HTTP server on %s:%d", s->config.listen_host,
                s->config.listen_port);
    }
    return LH_OK;
}

void lh_http_quiesce(lh_server_t *s)
{
    if (s->mhd != NULL)
        MHD_quiesce_daemon(s->mhd);
}

void lh_http_stop(lh_server_t *s)
{
    if (s->mhd != NULL)
        MHD_stop_daemon(s->mhd);
    s->mhd = NULL;
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    s->listen_fd = -1;
    for (int i = 0; i < 2; i++) {
        free(s->tls_pem[i]);
        s->tls_pem[i] = NULL;
    }
}
