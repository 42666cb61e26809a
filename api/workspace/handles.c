/*
 * handles.c - DBFS streaming uploads:
 *
 *   POST /api/2.0/dbfs/create     {path, overwrite} -> {handle}
 *   POST /api/2.0/dbfs/add-block  {handle, data (base64, <= 1 MB: else 400
 *                                  MAX_BLOCK_SIZE_EXCEEDED)}
 *   POST /api/2.0/dbfs/close      {handle}: the file appears now, whole
 *
 * A handle is a random positive integer below 2^53 (exact in JavaScript) owned by the principal
 * that created it (another principal's handle answers 404 like a missing one). Its bytes go to a
 * staging file that is published only at close (ws_dbfs_commit), so readers never see a partial
 * file. Handles live in memory (a restart forgets them and empties the staging directory); one idle
 * for WS_HANDLE_IDLE_MINUTES is dropped by the reaper (the area's bg timer) with its bytes. One
 * handle serves one call at a time: a second concurrent call on it is 409 ABORTED.
 *
 * Locking: ws->mu guards the list and each handle's busy/last_used fields; file I/O and
 * base64 decoding run outside it (a busy handle is neither reaped nor closed meanwhile).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/workspace/workspace_internal.h"
#include "common/json.h"
#include "common/util.h"

struct ws_handle {
    ws_handle *next;
    int64_t id;
    int64_t user_id;
    int fd;
    char *tmp, *abs, *rel;
    bool overwrite;
    bool busy;
    int64_t last_used_ms;
};

static void handle_free(ws_handle *h)
{
    if (h->fd >= 0) {
        close(h->fd);
        unlink(h->tmp);
    }
    free(h->tmp);
    free(h->abs);
    free(h->rel);
    free(h);
}

static int64_t user_of(const lh_req_t *req)
{
    return req->principal != NULL ? req->principal->user_id : 0;
}

lh_err ws_h_dbfs_create(lh_req_t *req, lh_errbuf *eb)
{
    lh_workspace_t *ws = ws_of(req);
    const char *abs, *rel, *fs;
    bool overwrite = false;
    LH_TRY(ws_require_access(req, eb));
    LH_TRY(ws_dbfs_param_path(req, req->params, "path", &abs, &rel, &fs, eb));
    LH_TRY(lh_json_get_bool(req->params, "overwrite", LH_OPTIONAL, &overwrite, eb));
    LH_FAIL_IF(rel[0] == '\0', LH_E_INVALID, eb, "Cannot write to the DBFS root");
    LH_TRY(ws_dbfs_check_target(fs, abs, overwrite, eb));
    ws_handle *h = calloc(1, sizeof *h);
    LH_FAIL_IF(h == NULL, LH_E_NOMEM, eb, "out of memory");
    const char *tmp;
    h->fd = -1;
    lh_err e = ws_dbfs_stage(ws, req->arena, &h->fd, &tmp, eb);
    h->tmp = e == LH_OK ? strdup(tmp) : NULL;
    h->abs = strdup(abs);
    h->rel = strdup(rel);
    if (e == LH_OK && (h->tmp == NULL || h->abs == NULL || h->rel == NULL)) {
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
        if (h->tmp == NULL)
            unlink(tmp);
    }
    if (e != LH_OK) {
        handle_free(h);
        return e;
    }
    h->user_id = user_of(req);
    h->overwrite = overwrite;
    h->last_used_ms = lh_mono_ns() / 1000000;
    int mine = 0;
    pthread_mutex_lock(&ws->mu);
    for (ws_handle *o = ws->handles; o != NULL; o = o->next)
        mine += o->user_id == h->user_id;
    bool full = mine >= WS_HANDLES_PER_PRINCIPAL_MAX || ws->handle_count >= WS_HANDLES_MAX;
    if (!full) {
        bool unique;
        do { /* positive, non-zero, unused, exact in a double (JavaScript clients) */
            lh_random_bytes(&h->id, sizeof h->id);
            h->id &= (INT64_C(1) << 53) - 1;
            unique = h->id != 0;
            for (ws_handle *o = ws->handles; o != NULL && unique; o = o->next)
                unique = o->id != h->id;
        } while (!unique);
        h->next = ws->handles;
        ws->handles = h;
        ws->handle_count++;
    }
    pthread_mutex_unlock(&ws->mu);
    if (full) {
        handle_free(h);
        LH_FAIL(LH_E_LIMIT, eb, "Too many open DBFS handles: close some (at most %d per user)",
                WS_HANDLES_PER_PRINCIPAL_MAX);
    }
    req->out = json_object();
    lh_json_set_int(req->out, "handle", h->id);
    return LH_OK;
}

/* Find the caller's handle and mark it busy; remove it from the list too when `take`. */
static lh_err acquire(lh_req_t *req, int64_t id, bool take, ws_handle **out, lh_errbuf *eb)
{
    lh_workspace_t *ws = ws_of(req);
    pthread_mutex_lock(&ws->mu);
    ws_handle **link = &ws->handles;
    while (*link != NULL && ((*link)->id != id || (*link)->user_id != user_of(req)))
        link = &(*link)->next;
    ws_handle *h = *link;
    bool busy = h != NULL && h->busy;
    if (h != NULL && !busy) {
        h->busy = true;
        if (take) {
            *link = h->next;
            ws->handle_count--;
        }
    }
    pthread_mutex_unlock(&ws->mu);
    LH_FAIL_IF(h == NULL, LH_E_NOT_FOUND, eb,
               "The handle %lld does not exist (it was closed, expired or never created)",
               (long long)id);
    LH_FAIL_IF(busy, LH_E_CONFLICT, eb, "The handle %lld is in use by another call", (long long)id);
    *out = h;
    return LH_OK;
}

static void release(lh_workspace_t *ws, ws_handle *h)
{
    pthread_mutex_lock(&ws->mu);
    h->busy = false;
    h->last_used_ms = lh_mono_ns() / 1000000;
    pthread_mutex_unlock(&ws->mu);
}

lh_err ws_h_dbfs_add_block(lh_req_t *req, lh_errbuf *eb)
{
    int64_t id;
    const char *data;
    LH_TRY(ws_require_access(req, eb));
    LH_TRY(lh_json_get_int(req->params, "handle", LH_REQUIRED, &id, eb));
    LH_TRY(lh_json_get_str(req->params, "data", LH_REQUIRED, &data, eb));
    size_t b64 = strlen(data);
    if (b64 / 4 * 3 > WS_DBFS_BLOCK_MAX + 2)
        WS_FAIL_CODE(eb, "MAX_BLOCK_SIZE_EXCEEDED", "A block is limited to %d bytes",
                     WS_DBFS_BLOCK_MAX);
    unsigned char *bytes = lh_arena_alloc(req->arena, b64 / 4 * 3 + 3);
    size_t n;
    LH_TRY(ws_base64_decode(data, b64, bytes, &n, "data", eb));
    if (n > WS_DBFS_BLOCK_MAX)
        WS_FAIL_CODE(eb, "MAX_BLOCK_SIZE_EXCEEDED", "A block is limited to %d bytes",
                     WS_DBFS_BLOCK_MAX);
    ws_handle *h;
    LH_TRY(acquire(req, id, false, &h, eb));
    lh_err e = ws_fs_write_all(h->fd, bytes, n, eb);
    release(ws_of(req), h);
    return e;
}

lh_err ws_h_dbfs_close(lh_req_t *req, lh_errbuf *eb)
{
    int64_t id;
    LH_TRY(ws_require_access(req, eb));
    LH_TRY(lh_json_get_int(req->params, "handle", LH_REQUIRED, &id, eb));
    ws_handle *h;
    LH_TRY(acquire(req, id, true, &h, eb));
    int fd = h->fd;
    h->fd = -1; /* commit closes it and removes the staging file */
    lh_err e = ws_dbfs_commit(ws_of(req), fd, h->tmp, h->abs, h->rel, h->overwrite, req->arena, eb);
    handle_free(h);
    return e;
}

void ws_handles_reap(lh_workspace_t *ws, int64_t now_ms)
{
    int64_t idle_ms = WS_HANDLE_IDLE_MINUTES * ws->minute_ms;
    ws_handle *expired = NULL;
    pthread_mutex_lock(&ws->mu);
    for (ws_handle **link = &ws->handles; *link != NULL;) {
        ws_handle *h = *link;
        if (!h->busy && now_ms - h->last_used_ms >= idle_ms) {
            *link = h->next;
            ws->handle_count--;
            h->next = expired;
            expired = h;
        } else {
            link = &h->next;
        }
    }
    pthread_mutex_unlock(&ws->mu);
    while (expired != NULL) {
        ws_handle *next = expired->next;
        handle_free(expired);
        expired = next;
    }
}

void ws_handles_destroy(lh_workspace_t *ws)
{
    while (ws->handles != NULL) {
        ws_handle *next = ws->handles->next;
        handle_free(ws->handles);
        ws->handles = next;
    }
    ws->handle_count = 0;
}
