/*
 * dbfs.c - DBFS 2.0 (files under DATA_DIR/dbfs/), Databricks' shapes and error codes:
 *
 *   GET  /api/2.0/dbfs/list        ?path -> {files: [FileInfo]} (key left out when empty;
 *                                   a file lists itself; missing: 404)
 *   GET  /api/2.0/dbfs/get-status  ?path -> FileInfo {path, is_dir, file_size,
 *                                   modification_time}
 *   POST /api/2.0/dbfs/mkdirs      {path}: mkdir -p; a file in the way: 400
 *                                   RESOURCE_ALREADY_EXISTS
 *   POST /api/2.0/dbfs/delete      {path, recursive}: a non-empty directory without
 *                                   recursive is 400 IO_ERROR; a missing path is fine
 *   POST /api/2.0/dbfs/move        {source_path, destination_path}: an existing destination
 *                                   is 400 RESOURCE_ALREADY_EXISTS; missing source 404
 *   POST /api/2.0/dbfs/put         JSON {path, contents (base64, <= 1 MB), overwrite} or
 *                                   multipart/form-data (path, overwrite fields; a
 *                                   `contents` file part, streamed); path and overwrite may
 *                                   also come in the query string
 *   GET  /api/2.0/dbfs/read        ?path, offset, length (default 0.5 MB, at most 1 MB:
 *                                   400 MAX_READ_SIZE_EXCEEDED) -> {bytes_read, data}
 *   GET  /dbfs/<path>              the raw bytes (Range; HEAD)
 *   POST|PUT /dbfs/<path>          the raw body becomes the file (streamed), replacing it
 *                                   (?overwrite=false refuses an existing file)
 * create / add-block / close are in handles.c.
 *
 * "Already exists" is 400 RESOURCE_ALREADY_EXISTS, as DBFS answers it (not 409). Every
 * upload is staged in DATA_DIR/dbfs/.lh-staging/, fsynced, and published by rename or
 * link only once whole (ws_dbfs_commit); a cut upload's staging file is removed.
 * Access: any principal with the workspace-access entitlement (DBFS is workspace-wide).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "api/perm.h"
#include "api/workspace/workspace_internal.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/limits.h"

lh_err ws_require_access(lh_req_t *req, lh_errbuf *eb)
{
    if (req->ctx->perm == NULL || req->principal == NULL)
        return LH_OK; /* unit contexts without identity */
    return lh_perm_require_entitlement(req->ctx, req->principal, LH_ENT_WORKSPACE, eb);
}

const char *ws_path_tail(const lh_req_t *req, int segments)
{
    const char *p = req->path;
    for (int i = 0; i < segments && p != NULL; i++)
        p = strchr(p + 1, '/');
    return p != NULL ? p + 1 : "";
}

static lh_err not_found(lh_errbuf *eb, const char *abs)
{
    LH_FAIL(LH_E_NOT_FOUND, eb, "No file or directory exists on path %s.", abs);
}

/* The DBFS path in params[key]: canonical absolute and relative forms, and the local path. */
lh_err ws_dbfs_param_path(lh_req_t *req, const json_t *params, const char *key, const char **abs,
                          const char **rel, const char **fs, lh_errbuf *eb)
{
    json_t *v = json_object_get(params, key);
    LH_FAIL_IF(v == NULL || json_is_null(v), LH_E_INVALID, eb, "Missing required field: %s", key);
    LH_FAIL_IF(!json_is_string(v), LH_E_INVALID, eb, "Field %s must be a string", key);
    LH_TRY(ws_dbfs_path(json_string_value(v), json_string_length(v), req->arena, abs, rel, eb));
    return ws_fs_resolve(ws_of(req)->dbfs_root, *rel, req->arena, fs, eb);
}

static json_t *file_info(const char *abs, const struct stat *st)
{
    json_t *o = json_object();
    lh_json_set_str(o, "path", abs);
    lh_json_set_bool(o, "is_dir", S_ISDIR(st->st_mode));
    lh_json_set_int(o, "file_size", S_ISDIR(st->st_mode) ? 0 : (int64_t)st->st_size);
    lh_json_set_int(o, "modification_time",
                    (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000);
    return o;
}

static lh_err stat_existing(const char *fs, const char *abs, struct stat *st, lh_errbuf *eb)
{
    lh_errbuf inner;
    lh_errbuf_clear(&inner);
    lh_err e = ws_fs_stat(fs, st, &inner);
    if (e == LH_E_NOT_FOUND)
        return not_found(eb, abs);
    LH_FAIL_IF(e != LH_OK, e, eb, "%s: %s", abs, inner.msg);
    return LH_OK;
}

lh_err ws_h_dbfs_get_status(lh_req_t *req, lh_errbuf *eb)
{
    const char *abs, *rel, *fs;
    struct stat st;
    LH_TRY(ws_require_access(req, eb));
    LH_TRY(ws_dbfs_param_path(req, req->params, "path", &abs, &rel, &fs, eb));
    LH_TRY(stat_existing(fs, abs, &st, eb));
    req->out = file_info(abs, &st);
    return LH_OK;
}

lh_err ws_h_dbfs_list(lh_req_t *req, lh_errbuf *eb)
{
    const char *abs, *rel, *fs;
    struct stat st;
    LH_TRY(ws_require_access(req, eb));
    LH_TRY(ws_dbfs_param_path(req, req->params, "path", &abs, &rel, &fs, eb));
    LH_TRY(stat_existing(fs, abs, &st, eb));
    json_t *files = json_array();
    req->out = json_object();
    if (!S_ISDIR(st.st_mode)) {
        json_array_append_new(files, file_info(abs, &st));
    } else {
        ws_entry *ents;
        size_t n;
        lh_errbuf inner;
        lh_err e = ws_fs_list(fs, req->arena, &ents, &n, &inner);
        if (e != LH_OK) {
            json_decref(files);
            return e == LH_E_NOT_FOUND ? not_found(eb, abs)
                                       : lh_err_set(eb, e, __FILE__, __LINE__, "%s", inner.msg);
        }
        for (size_t i = 0; i < n; i++) {
            json_t *o = json_object();
            lh_json_set_str(
                o, "path",
                lh_arena_sprintf(req->arena, "%s/%s", rel[0] != '\0' ? abs : "", ents[i].name));
            lh_json_set_bool(o, "is_dir", ents[i].is_dir);
            lh_json_set_int(o, "file_size", (int64_t)ents[i].size_bytes);
            lh_json_set_int(o, "modification_time", ents[i].mtime_ms);
            json_array_append_new(files, o);
        }
    }
    if (json_array_size(files) > 0)
        json_object_set_new(req->out, "files", files);
    else
        json_decref(files);
    return LH_OK;
}

lh_err ws_h_dbfs_mkdirs(lh_req_t *req, lh_errbuf *eb)
{
    const char *abs, *rel, *fs;
    LH_TRY(ws_require_access(req, eb));
    LH_TRY(ws_dbfs_param_path(req, req->params, "path", &abs, &rel, &fs, eb));
    return ws_fs_mkdirs(ws_of(req)->dbfs_root, rel, req->arena, abs, eb);
}

lh_err ws_h_dbfs_delete(lh_req_t *req, lh_errbuf *eb)
{
    const char *abs, *rel, *fs;
    bool recursive = false;
    struct stat st;
    LH_TRY(ws_require_access(req, eb));
    LH_TRY(ws_dbfs_param_path(req, req->params, "path", &abs, &rel, &fs, eb));
    LH_TRY(lh_json_get_bool(req->params, "recursive", LH_OPTIONAL, &recursive, eb));
    LH_FAIL_IF(rel[0] == '\0', LH_E_INVALID, eb, "Cannot delete the DBFS root");
    lh_errbuf inner;
    lh_err e = ws_fs_stat(fs, &st, &inner);
    if (e == LH_E_NOT_FOUND)
        return LH_OK; /* deleting what is not there succeeds, as on Databricks */
    LH_FAIL_IF(e != LH_OK, e, eb, "%s: %s", abs, inner.msg);
    if (S_ISDIR(st.st_mode) && !recursive) {
        if (rmdir(fs) != 0 && (errno == ENOTEMPTY || errno == EEXIST))
            WS_FAIL_CODE(eb, "IO_ERROR",
                         "%s is a non-empty directory: pass recursive=true to delete it", abs);
        ws_fs_sync_parent(fs);
        return LH_OK;
    }
    e = ws_fs_remove_tree(fs, &inner);
    LH_FAIL_IF(e != LH_OK, e, eb, "%s: %s", abs, inner.msg);
    return LH_OK;
}

lh_err ws_h_dbfs_move(lh_req_t *req, lh_errbuf *eb)
{
    const char *src_abs, *src_rel, *src, *dst_abs, *dst_rel, *dst;
    struct stat st;
    LH_TRY(ws_require_access(req, eb));
    LH_TRY(ws_dbfs_param_path(req, req->params, "source_path", &src_abs, &src_rel, &src, eb));
    LH_TRY(ws_dbfs_param_path(req, req->params, "destination_path", &dst_abs, &dst_rel, &dst, eb));
    LH_FAIL_IF(src_rel[0] == '\0' || dst_rel[0] == '\0', LH_E_INVALID, eb,
               "The DBFS root cannot be moved or replaced");
    LH_TRY(stat_existing(src, src_abs, &st, eb));
    size_t n = strlen(src_rel);
    LH_FAIL_IF(strncmp(dst_rel, src_rel, n) == 0 && (dst_rel[n] == '/' || dst_rel[n] == '\0'),
               LH_E_INVALID, eb, "Cannot move %s into itself (%s)", src_abs, dst_abs);
    if (lstat(dst, &st) == 0)
        WS_FAIL_CODE(eb, "RESOURCE_ALREADY_EXISTS", "Destination path %s already exists", dst_abs);
    const char *slash = strrchr(dst_rel, '/');
    if (slash != NULL)
        LH_TRY(ws_fs_mkdirs(ws_of(req)->dbfs_root,
                            lh_arena_strndup(req->arena, dst_rel, (size_t)(slash - dst_rel)),
                            req->arena, dst_abs, eb));
    int rc = renameat2(AT_FDCWD, src, AT_FDCWD, dst, RENAME_NOREPLACE);
    if (rc != 0 && errno == EINVAL && lstat(dst, &st) != 0) /* no RENAME_NOREPLACE here */
        rc = rename(src, dst);
    if (rc != 0 && errno == EEXIST)
        WS_FAIL_CODE(eb, "RESOURCE_ALREADY_EXISTS", "Destination path %s already exists", dst_abs);
    LH_FAIL_IF(rc != 0 && errno == ENOENT, LH_E_NOT_FOUND, eb,
               "No file or directory exists on path %s.", src_abs);
    LH_FAIL_IF(rc != 0, LH_E_IO, eb, "Cannot move %s to %s: %s", src_abs, dst_abs, strerror(errno));
    ws_fs_sync_parent(dst);
    ws_fs_sync_parent(src);
    return LH_OK;
}

lh_err ws_h_dbfs_read(lh_req_t *req, lh_errbuf *eb)
{
    const char *abs, *rel, *fs;
    int64_t offset = 0, length = WS_DBFS_READ_DEFAULT;
    LH_TRY(ws_require_access(req, eb));
    LH_TRY(ws_dbfs_param_path(req, req->params, "path", &abs, &rel, &fs, eb));
    LH_TRY(lh_json_get_int(req->params, "offset", LH_OPTIONAL, &offset, eb));
    LH_TRY(lh_json_get_int(req->params, "length", LH_OPTIONAL, &length, eb));
    LH_FAIL_IF(offset < 0, LH_E_INVALID, eb, "offset must be non-negative, got %lld",
               (long long)offset);
    LH_FAIL_IF(length < 0, LH_E_INVALID, eb, "length must be non-negative, got %lld",
               (long long)length);
    if (length > WS_DBFS_BLOCK_MAX)
        WS_FAIL_CODE(eb, "MAX_READ_SIZE_EXCEEDED",
                     "Cannot read more than %d bytes at once, asked for %lld", WS_DBFS_BLOCK_MAX,
                     (long long)length);
    struct stat st;
    LH_TRY(stat_existing(fs, abs, &st, eb));
    LH_FAIL_IF(S_ISDIR(st.st_mode), LH_E_INVALID, eb, "%s is a directory, not a file", abs);
    int fd = open(fs, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    LH_FAIL_IF(fd < 0, LH_E_IO, eb, "cannot open %s: %s", abs, strerror(errno));
    unsigned char *buf = lh_arena_alloc(req->arena, (size_t)length + 1);
    size_t got = 0;
    while (got < (size_t)length) {
        ssize_t r = pread(fd, buf + got, (size_t)length - got, (off_t)offset + (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    int err = errno;
    close(fd);
    LH_FAIL_IF(got < (size_t)length && (off_t)offset + (off_t)got < st.st_size, LH_E_IO, eb,
               "cannot read %s: %s", abs, strerror(err));
    char *b64 = lh_arena_alloc(req->arena, 4 * ((got + 2) / 3) + 1);
    ws_base64_encode(buf, got, b64);
    req->out = json_object();
    lh_json_set_int(req->out, "bytes_read", (int64_t)got);
    lh_json_set_str(req->out, "data", b64);
    return LH_OK;
}

/* ---- publishing a staged file ---- */

lh_err ws_dbfs_commit(lh_workspace_t *ws, int fd, const char *tmp, const char *abs, const char *rel,
                      bool overwrite, lh_arena_t *a, lh_errbuf *eb)
{
    int rc = fsync(fd);
    int err = errno;
    rc |= close(fd);
    if (rc != 0) {
        unlink(tmp);
        LH_FAIL(LH_E_IO, eb, "cannot write %s: %s", abs, strerror(err));
    }
    const char *fs, *slash = strrchr(rel, '/');
    lh_err e = ws_fs_resolve(ws->dbfs_root, rel, a, &fs, eb);
    if (e == LH_OK && slash != NULL)
        e = ws_fs_mkdirs(ws->dbfs_root, lh_arena_strndup(a, rel, (size_t)(slash - rel)), a, abs,
                         eb);
    if (e != LH_OK) {
        unlink(tmp);
        return e;
    }
    return ws_fs_publish(tmp, fs, overwrite, abs, eb);
}

static const char *staging_dir(lh_workspace_t *ws, lh_arena_t *a)
{
    return lh_arena_sprintf(a, "%s/" WS_STAGING_DIR, ws->dbfs_root);
}

lh_err ws_dbfs_stage(lh_workspace_t *ws, lh_arena_t *a, int *fd, const char **tmp, lh_errbuf *eb)
{
    return ws_fs_stage(staging_dir(ws, a), a, fd, tmp, eb);
}

/* Refuse early what publishing would refuse: a directory there, or a file without overwrite. */
lh_err ws_dbfs_check_target(const char *fs, const char *abs, bool overwrite, lh_errbuf *eb)
{
    struct stat st;
    if (lstat(fs, &st) == 0 && (S_ISDIR(st.st_mode) || !overwrite))
        WS_FAIL_CODE(eb, "RESOURCE_ALREADY_EXISTS", "A %s already exists at %s",
                     S_ISDIR(st.st_mode) ? "directory" : "file", abs);
    return LH_OK;
}

/* ---- put (JSON or multipart) and the raw upload ---- */

typedef struct put_sink {
    lh_workspace_t *ws;
    lh_req_t *req;
    int fd;            /* the staging file, -1 once closed */
    lh_writeback_t wb; /* raw uploads: early writeback of the staging file */
    const char *tmp;   /* its name */
    /* raw uploads: the target, known up front */
    const char *abs, *rel;
    bool overwrite;
    /* JSON put: the buffered body */
    char *json;
    size_t json_bytes;
    /* multipart put */
    ws_form *form;
    json_t *fields; /* the small form fields */
    char *field;    /* the field being read */
    size_t field_bytes;
    bool in_contents;
    bool has_contents;
} put_sink;

static void put_cleanup(void *arg)
{
    put_sink *p = arg;
    if (p->fd >= 0) {
        close(p->fd);
        unlink(p->tmp);
        p->fd = -1;
    }
    free(p->json);
    p->json = NULL;
    if (p->form != NULL)
        ws_form_free(p->form);
    p->form = NULL;
    json_decref(p->fields);
    p->fields = NULL;
}

static void put_abort(void *arg)
{
    put_cleanup(arg);
}

static lh_err raw_write(void *arg, const char *data, size_t n, lh_errbuf *eb)
{
    put_sink *p = arg;
    LH_TRY(ws_fs_write_all(p->fd, data, n, eb));
    lh_writeback_note(&p->wb, p->fd, n);
    return LH_OK;
}

static lh_err raw_finish(void *arg, lh_req_t *req, lh_errbuf *eb)
{
    put_sink *p = arg;
    int fd = p->fd;
    p->fd = -1; /* commit owns it now */
    return ws_dbfs_commit(p->ws, fd, p->tmp, p->abs, p->rel, p->overwrite, req->arena, eb);
}

static const lh_body_sink_t raw_sink = {raw_write, raw_finish, put_abort};

static put_sink *new_sink(lh_req_t *req)
{
    put_sink *p = lh_arena_calloc(req->arena, 1, sizeof *p);
    p->ws = ws_of(req);
    p->req = req;
    p->fd = -1;
    lh_arena_defer(req->arena, put_cleanup, p);
    return p;
}

/* ---- JSON put ---- */

static lh_err json_write(void *arg, const char *data, size_t n, lh_errbuf *eb)
{
    put_sink *p = arg;
    if (p->json_bytes + n > WS_DBFS_PUT_JSON_MAX)
        WS_FAIL_CODE(eb, "MAX_BLOCK_SIZE_EXCEEDED",
                     "The put body is too large: inline contents are limited to %d bytes; upload "
                     "larger files as multipart/form-data or with create/add-block/close",
                     WS_DBFS_BLOCK_MAX);
    char *grown = realloc(p->json, p->json_bytes + n + 1);
    LH_FAIL_IF(grown == NULL, LH_E_NOMEM, eb, "out of memory");
    p->json = grown;
    memcpy(p->json + p->json_bytes, data, n);
    p->json_bytes += n;
    return LH_OK;
}

/* Body fields win over query parameters, as for buffered routes. */
static json_t *merged_params(lh_req_t *req, json_t *body)
{
    json_t *m = json_deep_copy(req->params);
    if (m == NULL)
        m = json_object();
    if (json_is_object(body))
        json_object_update(m, body);
    return m;
}

static lh_err put_bytes(put_sink *p, json_t *params, const unsigned char *bytes, size_t n,
                        lh_errbuf *eb)
{
    lh_req_t *req = p->req;
    const char *abs, *rel, *fs;
    bool overwrite = false;
    LH_TRY(ws_dbfs_param_path(req, params, "path", &abs, &rel, &fs, eb));
    LH_TRY(lh_json_get_bool(params, "overwrite", LH_OPTIONAL, &overwrite, eb));
    LH_FAIL_IF(rel[0] == '\0', LH_E_INVALID, eb, "Cannot write to the DBFS root");
    LH_TRY(ws_dbfs_check_target(fs, abs, overwrite, eb));
    if (p->fd < 0) {
        LH_TRY(ws_dbfs_stage(p->ws, req->arena, &p->fd, &p->tmp, eb));
        LH_TRY(ws_fs_write_all(p->fd, bytes, n, eb));
    }
    int fd = p->fd;
    p->fd = -1;
    return ws_dbfs_commit(p->ws, fd, p->tmp, abs, rel, overwrite, req->arena, eb);
}

static lh_err json_finish(void *arg, lh_req_t *req, lh_errbuf *eb)
{
    put_sink *p = arg;
    json_error_t jerr;
    json_t *body = p->json_bytes > 0 ? json_loadb(p->json, p->json_bytes, 0, &jerr) : json_object();
    LH_FAIL_IF(body == NULL || !json_is_object(body), LH_E_MALFORMED, eb,
               "The request body is not a JSON object");
    json_t *params = merged_params(req, body);
    json_decref(body);
    lh_arena_defer(req->arena, (void (*)(void *))json_decref, params);
    const char *b64 = "";
    LH_TRY(lh_json_get_str(params, "contents", LH_OPTIONAL, &b64, eb));
    size_t b64_bytes = strlen(b64);
    if (b64_bytes / 4 * 3 > WS_DBFS_BLOCK_MAX + 2)
        WS_FAIL_CODE(eb, "MAX_BLOCK_SIZE_EXCEEDED", "Inline contents are limited to %d bytes",
                     WS_DBFS_BLOCK_MAX);
    unsigned char *bytes = lh_arena_alloc(req->arena, b64_bytes / 4 * 3 + 3);
    size_t n;
    LH_TRY(ws_base64_decode(b64, b64_bytes, bytes, &n, "contents", eb));
    if (n > WS_DBFS_BLOCK_MAX)
        WS_FAIL_CODE(eb, "MAX_BLOCK_SIZE_EXCEEDED", "Inline contents are limited to %d bytes",
                     WS_DBFS_BLOCK_MAX);
    return put_bytes(p, params, bytes, n, eb);
}

static const lh_body_sink_t json_sink = {json_write, json_finish, put_abort};

/* ---- multipart put ---- */

static lh_err form_begin(void *arg, const char *name, const char *filename, lh_errbuf *eb)
{
    put_sink *p = arg;
    (void)filename;
    if (strcmp(name, "contents") == 0) {
        LH_FAIL_IF(p->has_contents, LH_E_INVALID, eb, "The form has more than one contents part");
        LH_TRY(ws_dbfs_stage(p->ws, p->req->arena, &p->fd, &p->tmp, eb));
        p->in_contents = p->has_contents = true;
        return LH_OK;
    }
    LH_FAIL_IF(json_object_size(p->fields) >= 16, LH_E_INVALID, eb, "Too many form fields");
    p->field = lh_arena_strdup(p->req->arena, name);
    p->field_bytes = 0;
    json_object_set_new(p->fields, p->field, json_string(""));
    return LH_OK;
}

static lh_err form_data(void *arg, const char *bytes, size_t n, lh_errbuf *eb)
{
    put_sink *p = arg;
    if (p->in_contents)
        return ws_fs_write_all(p->fd, bytes, n, eb);
    LH_FAIL_IF(p->field_bytes + n > WS_FORM_FIELD_MAX, LH_E_INVALID, eb,
               "The form field %s is longer than %d bytes", p->field, WS_FORM_FIELD_MAX);
    const char *old = json_string_value(json_object_get(p->fields, p->field));
    char *joined = lh_arena_alloc(p->req->arena, p->field_bytes + n + 1);
    memcpy(joined, old, p->field_bytes);
    memcpy(joined + p->field_bytes, bytes, n);
    p->field_bytes += n;
    joined[p->field_bytes] = '\0';
    json_t *v = json_stringn_nocheck(joined, p->field_bytes);
    json_object_set_new(p->fields, p->field, v);
    return LH_OK;
}

static lh_err form_end(void *arg, lh_errbuf *eb)
{
    put_sink *p = arg;
    (void)eb;
    p->in_contents = false;
    return LH_OK;
}

static const ws_form_cb form_cb = {form_begin, form_data, form_end};

static lh_err form_write(void *arg, const char *data, size_t n, lh_errbuf *eb)
{
    put_sink *p = arg;
    return ws_form_feed(p->form, data, n, eb);
}

static lh_err form_finish(void *arg, lh_req_t *req, lh_errbuf *eb)
{
    put_sink *p = arg;
    LH_TRY(ws_form_finish(p->form, eb));
    json_t *params = merged_params(req, p->fields);
    lh_arena_defer(req->arena, (void (*)(void *))json_decref, params);
    return put_bytes(p, params, NULL, 0, eb);
}

static const lh_body_sink_t form_sink = {form_write, form_finish, put_abort};

lh_err ws_h_dbfs_put(lh_req_t *req, lh_errbuf *eb)
{
    LH_TRY(ws_require_access(req, eb));
    const char *ct = req->header(req, "Content-Type");
    put_sink *p = new_sink(req);
    if (ct != NULL && strncasecmp(ct, "multipart/", 10) == 0) {
        const char *boundary;
        LH_TRY(ws_form_boundary(ct, req->arena, &boundary, eb));
        p->fields = json_object();
        p->form = ws_form_new(boundary, &form_cb, p);
        LH_FAIL_IF(p->form == NULL || p->fields == NULL, LH_E_NOMEM, eb, "out of memory");
        lh_req_stream_body(req, &form_sink, p);
        return LH_OK;
    }
    lh_req_stream_body(req, &json_sink, p);
    return LH_OK;
}

/* ---- raw /dbfs/<path> ---- */

static lh_err raw_target(lh_req_t *req, const char **abs, const char **rel, const char **fs,
                         lh_errbuf *eb)
{
    const char *tail = ws_path_tail(req, 1);
    LH_TRY(ws_rel_path(tail, strlen(tail), req->arena, rel, eb));
    *abs = lh_arena_sprintf(req->arena, "/%s", *rel);
    return ws_fs_resolve(ws_of(req)->dbfs_root, *rel, req->arena, fs, eb);
}

static const char *http_date(lh_arena_t *a, time_t t)
{
    struct tm tm;
    char buf[64];
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return lh_arena_strdup(a, buf);
}

lh_err ws_h_dbfs_raw_get(lh_req_t *req, lh_errbuf *eb)
{
    const char *abs, *rel, *fs;
    LH_TRY(ws_require_access(req, eb));
    LH_TRY(raw_target(req, &abs, &rel, &fs, eb));
    int fd = open(fs, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ELOOP)
        LH_FAIL(LH_E_INVALID, eb, "Invalid path '%s': symbolic links are not followed", abs);
    if (fd < 0)
        return not_found(eb, abs);
    struct stat st;
    bool ok = fstat(fd, &st) == 0, is_dir = ok && S_ISDIR(st.st_mode);
    if (!ok || !S_ISREG(st.st_mode)) {
        close(fd);
        LH_FAIL_IF(is_dir, LH_E_INVALID, eb, "%s is a directory, not a file", abs);
        return not_found(eb, abs);
    }
    lh_req_add_header(req, "Last-Modified", http_date(req->arena, st.st_mtim.tv_sec));
    lh_req_send_file(req, fd, (uint64_t)st.st_size, "application/octet-stream");
    return LH_OK;
}

lh_err ws_h_dbfs_raw_put(lh_req_t *req, lh_errbuf *eb)
{
    const char *abs, *rel, *fs;
    bool overwrite = true;
    LH_TRY(ws_require_access(req, eb));
    LH_TRY(raw_target(req, &abs, &rel, &fs, eb));
    LH_FAIL_IF(rel[0] == '\0', LH_E_INVALID, eb, "Cannot write to the DBFS root");
    LH_TRY(lh_json_get_bool(req->params, "overwrite", LH_OPTIONAL, &overwrite, eb));
    LH_TRY(ws_dbfs_check_target(fs, abs, overwrite, eb));
    put_sink *p = new_sink(req);
    p->abs = abs, p->rel = rel, p->overwrite = overwrite;
    LH_TRY(ws_dbfs_stage(p->ws, req->arena, &p->fd, &p->tmp, eb));
    lh_req_stream_body(req, &raw_sink, p);
    return LH_OK;
}
