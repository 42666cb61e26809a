/*
 * http.c - libmicrohttpd glue: read a request into a per-request arena, dispatch, answer.
 *
 * libmicrohttpd calls the access handler several times per request:
 *   1. headers only (*con_cls == NULL): allocate the request state and return. Queueing a
 *      response here would close the connection in 0.9.75, so we never do;
 *   2. zero or more body chunks: append up to LH_REQUEST_BODY_MAX, then only count;
 *   3. a final call with *upload_data_size == 0: build params, dispatch, queue the answer.
 * The completion callback records metrics, writes the access-log line and frees the state.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    int too_large;
    int64_t start_ns;
    int route_index;
    int status;
    int counted;       /* holds one inflight slot (from the headers on) */
    int over_limit;    /* arrived while max_inflight requests were open: answer 429 */
    long fault_allocs; /* fault-injection build: allocations counted (-1: not armed) */
    const char *request_id;
    lh_req_t req;
} conn_state;

static const char *get_header(lh_req_t *req, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)req->conn, MHD_HEADER_KIND, name);
}

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

/* Build req->params from the query string and the JSON body. */
static lh_err build_params(conn_state *cs, lh_errbuf *eb)
{
    lh_req_t *req = &cs->req;
    req->params = json_object();
    lh_arena_defer(cs->arena, decref_json, req->params);
    query_ctx q = {req->params, 0};
    MHD_get_connection_values(cs->conn, MHD_GET_ARGUMENT_KIND, on_query_arg, &q);
    LH_FAIL_IF(q.count > LH_QUERY_PARAMS_MAX, LH_E_INVALID, eb,
               "Too many query parameters (limit %d)", LH_QUERY_PARAMS_MAX);
    if (cs->body_bytes == 0)
        return LH_OK;
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
    json_object_update(req->params, body);
    return LH_OK;
}

static void error_out(lh_req_t *req, lh_err code, const char *msg)
{
    req->status = lh_err_http_status(code);
    req->out = json_pack("{s:s, s:s}", "error_code", lh_err_code_name(code), "message", msg);
    if (code == LH_E_LIMIT || code == LH_E_UNAVAILABLE)
        lh_req_add_header(req, "Retry-After", "1");
}

/* The answer when the JSON to send could not be built or serialized (out of memory):
 * static, so producing it allocates nothing. */
static const char nomem_body[] =
    "{\"error_code\":\"RESOURCE_EXHAUSTED\",\"message\":\"The server is out of memory\"}";

static struct MHD_Response *json_response(lh_req_t *req)
{
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
    struct MHD_Response *resp;
    const char *ctype = req->content_type ? req->content_type : "application/json";
    if (req->text != NULL) {
        resp = MHD_create_response_from_buffer(req->text_bytes, (void *)req->text,
                                               MHD_RESPMEM_MUST_COPY);
    } else {
        resp = json_response(req);
    }
    if (req->out)
        json_decref(req->out);
    req->out = NULL;
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", ctype);
    MHD_add_response_header(resp, "X-Request-Id", cs->request_id);
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

/* A unique, UUID-shaped request id: a per-process random seed with a counter mixed into
 * its last 8 bytes. Cheaper than a CSPRNG call per request; ids need not be secret. */
static const char *new_request_id(lh_server_t *s, lh_arena_t *a)
{
    unsigned char b[16];
    memcpy(b, s->request_id_seed, sizeof b);
    uint64_t seq = atomic_fetch_add_explicit(&s->request_seq, 1, memory_order_relaxed);
    for (int i = 0; i < 8; i++)
        b[8 + i] ^= (unsigned char)(seq >> (8 * i));
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
    cs->fault_allocs = -1;
    lh_req_t *req = &cs->req;
    req->ctx = &s->ctx;
    req->arena = cs->arena;
    req->method = lh_arena_strdup(cs->arena, method);
    req->path = lh_arena_strdup(cs->arena, url);
    req->header = get_header;
    req->conn = conn;
    const char *rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
    if (rid != NULL && strlen(rid) <= 128) {
        cs->request_id = lh_arena_strdup(cs->arena, rid);
    } else {
        cs->request_id = new_request_id(s, cs->arena);
    }
    return cs;
}

static void append_body(conn_state *cs, const char *data, size_t n)
{
    if (cs->too_large)
        return;
    if (cs->body_bytes + n > LH_REQUEST_BODY_MAX) {
        cs->too_large = 1;
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

static void handle(conn_state *cs)
{
    lh_server_t *s = cs->server;
    lh_req_t *req = &cs->req;
    if (cs->over_limit) {
        error_out(req, LH_E_LIMIT, "Too many requests in flight; retry later");
        return;
    }
    if (cs->too_large) {
        char msg[96];
        snprintf(msg, sizeof msg, "Request body larger than %d bytes", LH_REQUEST_BODY_MAX);
        error_out(req, LH_E_TOO_LARGE, msg);
        return;
    }
    req->body = cs->body;
    req->body_bytes = cs->body_bytes;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    (void)lh_json_oom_take(); /* forget an earlier request's */
    if (build_params(cs, &eb) != LH_OK)
        error_out(req, eb.code, eb.msg);
    else
        lh_server_dispatch(s, req, &cs->route_index);
    if (lh_json_oom_take()) { /* the answer may lack parts: send the static 500 instead */
        if (req->out)
            json_decref(req->out);
        req->out = NULL;
        req->text = NULL;
        req->header_count = 0;
        req->status = lh_err_http_status(LH_E_NOMEM);
    }
}

/* handle(), in the fault-injection build under the allocation failure a request asks for
 * with LH_FAULT_HEADER (see common/fault.h). */
static void handle_armed(conn_state *cs)
{
#ifdef LH_FAULT_INJECT
    const char *nth = get_header(&cs->req, LH_FAULT_HEADER);
    if (nth != NULL) {
        lh_fault_arm(strtol(nth, NULL, 10));
        handle(cs);
        cs->fault_allocs = lh_fault_disarm();
        return;
    }
#endif
    handle(cs);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    lh_server_t *s = cls;
    conn_state *cs = *con_cls;
    if (cs == NULL) {
        cs = start_request(s, conn, url, method);
        if (cs == NULL)
            return MHD_NO;
        cs->counted = 1;
        cs->over_limit = atomic_fetch_add(&s->inflight, 1) >= s->config.max_inflight;
        *con_cls = cs;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        append_body(cs, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    handle_armed(cs);
    return respond(cs);
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
    int64_t dur = lh_mono_ns() - cs->start_ns;
    lh_metrics_record(s->metrics, cs->route_index, cs->status, dur);
    if (s->access_log != NULL)
        lh_access_log_line(s->access_log, "%s %s %d %.3fms %s %s", cs->req.method, cs->req.path,
                           cs->status, (double)dur / 1e6,
                           cs->req.principal ? cs->req.principal->user_name : "-", cs->request_id);
    if (cs->counted)
        atomic_fetch_sub(&s->inflight, 1);
    if (cs->req.out)
        json_decref(cs->req.out);
    lh_arena_destroy(cs->arena);
    free(cs);
    *con_cls = NULL;
}

lh_err lh_http_start(lh_server_t *s, lh_errbuf *eb)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)s->config.listen_port);
    LH_FAIL_IF(inet_pton(AF_INET, s->config.listen_host, &addr.sin_addr) != 1, LH_E_INVALID, eb,
               "--listen: '%s' is not an IPv4 address", s->config.listen_host);
    unsigned threads = (unsigned)(s->config.http_threads > 0 ? s->config.http_threads
                                                             : (int)sysconf(_SC_NPROCESSORS_ONLN));
    if (threads < 1)
        threads = 1;
    s->mhd = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, NULL,
        NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
    LH_FAIL_IF(s->mhd == NULL, LH_E_IO, eb, "cannot listen on %s:%d (address in use?)",
               s->config.listen_host, s->config.listen_port);
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
}
