/*
 * artifacts.c - the MLflow artifact proxy (mlflow/protos/mlflow_artifacts.proto), served
 * under /api/2.0/mlflow-artifacts/ and /ajax-api/2.0/mlflow-artifacts/:
 *
 *   GET    .../artifacts?path=p       -> {files: [{path (a name), is_dir, file_size (files)}]}
 *                                        (key left out when empty; a file or a missing path
 *                                        lists nothing, as MLflow's server)
 *   GET    .../artifacts/<p>          the bytes (Range; HEAD); a directory or missing path is
 *                                        404 RESOURCE_DOES_NOT_EXIST
 *   PUT    .../artifacts/<p>          the raw body becomes the artifact (streamed; replaces)
 *   DELETE .../artifacts/<p>          the artifact or the whole directory; missing is fine
 *   POST   .../mpu/create/<dir>       {path, num_parts} -> {upload_id, credentials: [{url,
 *                                        part_number, headers}]}; the artifact is
 *                                        <dir>/<basename(path)>, as MLflow's S3 store does
 *   PUT    /api/2.0/mlflow-artifacts/mpu/parts/<upload_id>/<n>   one part (the url above)
 *   POST   .../mpu/complete/<dir>     {path, upload_id, parts: [{part_number, etag}]}
 *   POST   .../mpu/abort/<dir>        {path, upload_id}
 *
 * Storage: the object store (storage/objstore) rooted at DATA_DIR/mlflow-artifacts. Uploads
 * stream through lh_objstore_open_write (invisible until commit; a cut upload is aborted and
 * leaves nothing); listing and deleting go through the store's list/delete. Downloads open
 * the local file and hand it to lh_req_send_file (sendfile, Range). An S3 store would
 * replace the download with a generator over get_range and multipart uploads with S3's own.
 *
 * Multipart uploads: MLflow's client (HttpArtifactRepository) uses them only when
 * MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD is set and the file is large. It PUTs each part with
 * plain `requests.put(credential.url, data=..., headers=credential.headers)` - no token -
 * and reads the part's ETag header. So a part URL points back at this server and carries
 * the upload id, 128 random bits, as its capability, like a presigned URL: the parts route
 * needs no token. Parts are kept in DATA_DIR/mlflow-artifacts/.tmp-mpu/<upload_id>/
 * (upload.json and part-<n>); complete concatenates the listed parts, in part order,
 * through one object writer; abort, complete and the reaper (after WS_MPU_IDLE_MS idle,
 * scaled by test_minute_ms) remove the folder. Only the creator (or an admin) may complete
 * or abort.
 * Access: the workspace-access entitlement, like DBFS.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/perm.h"
#include "api/workspace/workspace_internal.h"
#include "common/config.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/util.h"

#define ART_SEGMENTS 4 /* /api/2.0/mlflow-artifacts/artifacts/<p> */
#define MPU_SEGMENTS 5 /* /api/2.0/mlflow-artifacts/mpu/<verb>/<p> */

static lh_err art_not_found(lh_errbuf *eb, const char *rel)
{
    LH_FAIL(LH_E_NOT_FOUND, eb, "No artifact exists at path '%s'", rel);
}

/* The artifact key named by the URL after `segments` segments. */
static lh_err url_key(lh_req_t *req, int segments, bool allow_root, const char **rel, lh_errbuf *eb)
{
    const char *tail = ws_path_tail(req, segments);
    LH_TRY(ws_rel_path(tail, strlen(tail), req->arena, rel, eb));
    LH_FAIL_IF(!allow_root && (*rel)[0] == '\0', LH_E_INVALID, eb, "An artifact path is required");
    return LH_OK;
}

/* Refuse a write that the store would fail on: a file where a parent directory must go, or a
 * directory where the artifact must go. */
static lh_err check_writable(lh_req_t *req, const char *rel, lh_errbuf *eb)
{
    const char *fs;
    LH_TRY(ws_fs_resolve(ws_of(req)->artifacts_root, rel, req->arena, &fs, eb));
    char *p = lh_arena_strdup(req->arena, fs);
    for (char *s = p + strlen(ws_of(req)->artifacts_root) + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char saved = *s;
        *s = '\0';
        struct stat st;
        bool exists = lstat(p, &st) == 0;
        LH_FAIL_IF(exists && saved == '/' && !S_ISDIR(st.st_mode), LH_E_INVALID, eb,
                   "Cannot write '%s': '%s' is a file", rel,
                   p + strlen(ws_of(req)->artifacts_root) + 1);
        LH_FAIL_IF(exists && saved == '\0' && S_ISDIR(st.st_mode), LH_E_INVALID, eb,
                   "Cannot write '%s': it is a directory", rel);
        if (!exists || saved == '\0')
            return LH_OK;
        *s = saved;
    }
}

/* ---- list ---- */

static int by_path(const void *a, const void *b)
{
    return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "path")),
                  json_string_value(json_object_get(*(json_t *const *)b, "path")));
}

lh_err ws_h_art_list(lh_req_t *req, lh_errbuf *eb)
{
    const char *path = "", *rel;
    LH_TRY(ws_require_access(req, eb));
    json_t *v = json_object_get(req->params, "path");
    LH_FAIL_IF(v != NULL && !json_is_null(v) && !json_is_string(v), LH_E_INVALID, eb,
               "Field path must be a string");
    size_t path_bytes = 0;
    if (json_is_string(v))
        path = json_string_value(v), path_bytes = json_string_length(v);
    LH_TRY(ws_rel_path(path, path_bytes, req->arena, &rel, eb));
    const char *fs;
    LH_TRY(ws_fs_resolve(ws_of(req)->artifacts_root, rel, req->arena, &fs, eb));
    const char *prefix = rel[0] != '\0' ? lh_arena_sprintf(req->arena, "%s/", rel) : "";
    lh_obj_list_t l = {0};
    LH_TRY(lh_objstore_list(ws_of(req)->artifacts, prefix, &l, eb));
    size_t cap = l.count > 0 ? l.count : 1, n = 0;
    json_t **items = lh_arena_calloc(req->arena, cap, sizeof *items);
    const char *last_dir = NULL;
    size_t last_dir_bytes = 0;
    for (size_t i = 0; i < l.count; i++) {
        const char *name = l.items[i].key + strlen(prefix);
        const char *slash = strchr(name, '/');
        if (slash != NULL) { /* below a subdirectory: one entry per directory */
            size_t len = (size_t)(slash - name);
            if (last_dir != NULL && last_dir_bytes == len && memcmp(last_dir, name, len) == 0)
                continue;
            last_dir = lh_arena_strndup(req->arena, name, len), last_dir_bytes = len;
            items[n] = json_object();
            lh_json_set_str(items[n], "path", last_dir);
            lh_json_set_bool(items[n++], "is_dir", true);
        } else {
            items[n] = json_object();
            lh_json_set_str(items[n], "path", name);
            lh_json_set_bool(items[n], "is_dir", false);
            lh_json_set_int(items[n++], "file_size", (int64_t)l.items[i].size_bytes);
        }
    }
    lh_obj_list_free(&l);
    qsort(items, n, sizeof *items, by_path);
    req->out = json_object();
    if (n > 0) {
        json_t *files = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(files, items[i]);
        json_object_set_new(req->out, "files", files);
    }
    return LH_OK;
}

/* ---- download ---- */

lh_err ws_h_art_get(lh_req_t *req, lh_errbuf *eb)
{
    const char *rel, *fs;
    LH_TRY(ws_require_access(req, eb));
    LH_TRY(url_key(req, ART_SEGMENTS, true, &rel, eb));
    if (rel[0] == '\0')
        return art_not_found(eb, rel);
    LH_TRY(ws_fs_resolve(ws_of(req)->artifacts_root, rel, req->arena, &fs, eb));
    int fd = open(fs, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    LH_FAIL_IF(fd < 0 && errno == ELOOP, LH_E_INVALID, eb,
               "Invalid path '%s': symbolic links are not followed", rel);
    if (fd < 0)
        return art_not_found(eb, rel);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return art_not_found(eb, rel);
    }
    lh_req_send_file(req, fd, (uint64_t)st.st_size, "application/octet-stream");
    return LH_OK;
}

/* ---- upload ---- */

typedef struct art_upload {
    lh_obj_writer_t *w; /* NULL once committed or aborted */
} art_upload;

static lh_err up_write(void *arg, const char *data, size_t n, lh_errbuf *eb)
{
    return lh_obj_writer_write(((art_upload *)arg)->w, data, n, eb);
}

static lh_err up_finish(void *arg, lh_req_t *req, lh_errbuf *eb)
{
    art_upload *u = arg;
    (void)req;
    lh_obj_writer_t *w = u->w;
    u->w = NULL;
    return lh_obj_writer_commit(w, eb);
}

static void up_abort(void *arg)
{
    art_upload *u = arg;
    if (u->w != NULL)
        lh_obj_writer_abort(u->w);
    u->w = NULL;
}

static const lh_body_sink_t upload_sink = {up_write, up_finish, up_abort};

lh_err ws_h_art_put(lh_req_t *req, lh_errbuf *eb)
{
    const char *rel;
    LH_TRY(ws_require_access(req, eb));
    LH_TRY(url_key(req, ART_SEGMENTS, false, &rel, eb));
    LH_TRY(check_writable(req, rel, eb));
    art_upload *u = lh_arena_calloc(req->arena, 1, sizeof *u);
    LH_TRY(lh_objstore_open_write(ws_of(req)->artifacts, rel, &u->w, eb));
    lh_arena_defer(req->arena, up_abort, u); /* neither finish nor abort ran */
    lh_req_stream_body(req, &upload_sink, u);
    return LH_OK;
}

/* ---- delete ---- */

static int prune_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    if (flag == FTW_DP && ftw->level > 0)
        (void)rmdir(path); /* only empty ones go */
    return 0;
}

lh_err ws_h_art_delete(lh_req_t *req, lh_errbuf *eb)
{
    const char *rel, *fs;
    LH_TRY(ws_require_access(req, eb));
    LH_TRY(url_key(req, ART_SEGMENTS, false, &rel, eb));
    LH_TRY(ws_fs_resolve(ws_of(req)->artifacts_root, rel, req->arena, &fs, eb));
    lh_objstore_t *os = ws_of(req)->artifacts;
    lh_obj_list_t l = {0};
    LH_TRY(lh_objstore_list(os, lh_arena_sprintf(req->arena, "%s/", rel), &l, eb));
    lh_err e = LH_OK;
    for (size_t i = 0; i < l.count && e == LH_OK; i++) {
        e = lh_objstore_delete(os, l.items[i].key, eb);
        if (e == LH_E_NOT_FOUND)
            e = LH_OK; /* deleted meanwhile */
    }
    lh_obj_list_free(&l);
    LH_TRY(e);
    struct stat st;
    if (lstat(fs, &st) == 0 && S_ISREG(st.st_mode)) {
        e = lh_objstore_delete(os, rel, eb);
        LH_FAIL_IF(e != LH_OK && e != LH_E_NOT_FOUND, e, eb, "cannot delete '%s'", rel);
    } else if (lstat(fs, &st) == 0 && S_ISDIR(st.st_mode)) {
        nftw(fs, prune_one, 32, FTW_DEPTH | FTW_PHYS); /* the local store's empty folders */
        (void)rmdir(fs);
    }
    return LH_OK;
}

/* ---- multipart uploads ---- */

static const char *mpu_root(lh_workspace_t *ws, lh_arena_t *a)
{
    return lh_arena_sprintf(a, "%s/" WS_MPU_DIR, ws->artifacts_root);
}

static lh_err mpu_dir(lh_req_t *req, const char *upload_id, const char **dir, lh_errbuf *eb)
{
    size_t n = upload_id != NULL ? strlen(upload_id) : 0;
    LH_FAIL_IF(n != 32 || strspn(upload_id, "0123456789abcdef") != 32, LH_E_NOT_FOUND, eb,
               "No multipart upload with id '%.40s'", upload_id != NULL ? upload_id : "");
    *dir = lh_arena_sprintf(req->arena, "%s/%s", mpu_root(ws_of(req), req->arena), upload_id);
    return LH_OK;
}

typedef struct mpu_info {
    const char *key;
    int64_t num_parts;
    int64_t user_id;
} mpu_info;

static lh_err mpu_load(lh_req_t *req, const char *dir, const char *upload_id, mpu_info *out,
                       lh_errbuf *eb)
{
    json_error_t jerr;
    json_t *j = json_load_file(lh_arena_sprintf(req->arena, "%s/upload.json", dir), 0, &jerr);
    LH_FAIL_IF(j == NULL, LH_E_NOT_FOUND, eb, "No multipart upload with id '%s'", upload_id);
    lh_arena_defer(req->arena, (void (*)(void *))json_decref, j);
    const char *key = NULL;
    lh_err e = lh_json_get_str(j, "key", LH_REQUIRED, &key, eb);
    if (e == LH_OK)
        e = lh_json_get_int(j, "num_parts", LH_REQUIRED, &out->num_parts, eb);
    if (e == LH_OK)
        e = lh_json_get_int(j, "user_id", LH_REQUIRED, &out->user_id, eb);
    LH_FAIL_IF(e != LH_OK, LH_E_CORRUPT, eb, "The multipart upload %s is damaged", upload_id);
    out->key = key;
    return LH_OK;
}

/* The artifact key of an mpu call: <url dir>/<basename of the body's path>. */
static lh_err mpu_key(lh_req_t *req, const char **key, lh_errbuf *eb)
{
    const char *dir, *path;
    LH_TRY(url_key(req, MPU_SEGMENTS, true, &dir, eb));
    LH_TRY(lh_json_get_str(req->params, "path", LH_REQUIRED, &path, eb));
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    const char *joined = dir[0] != '\0' ? lh_arena_sprintf(req->arena, "%s/%s", dir, base) : base;
    LH_TRY(ws_rel_path(joined, strlen(joined), req->arena, key, eb));
    LH_FAIL_IF((*key)[0] == '\0' || base[0] == '\0', LH_E_INVALID, eb,
               "path must name a file, got '%.200s'", path);
    return LH_OK;
}

/* The URL this client reached us at (Host header), for part URLs pointing back here. */
static const char *base_url(lh_req_t *req)
{
    const char *host = req->header(req, "Host");
    bool tls = req->ctx->config != NULL && req->ctx->config->tls_cert[0] != '\0';
    if (host != NULL && host[0] != '\0' && strlen(host) < 256 && strpbrk(host, "/\\ \t@") == NULL)
        return lh_arena_sprintf(req->arena, "%s://%s", tls ? "https" : "http", host);
    return req->ctx->workspace_host != NULL ? req->ctx->workspace_host : "";
}

static lh_err mpu_caller_may(lh_req_t *req, const mpu_info *info, lh_errbuf *eb)
{
    bool admin = req->principal != NULL &&
                 (req->principal->is_admin ||
                  (req->ctx->perm != NULL && lh_perm_is_admin(req->ctx, req->principal)));
    LH_FAIL_IF(!admin && (req->principal == NULL || req->principal->user_id != info->user_id),
               LH_E_PERMISSION, eb,
               "Only the creator of a multipart upload may finish or abort it");
    return LH_OK;
}

lh_err ws_h_mpu_create(lh_req_t *req, lh_errbuf *eb)
{
    const char *key;
    int64_t num_parts = 1;
    LH_TRY(ws_require_access(req, eb));
    LH_TRY(mpu_key(req, &key, eb));
    LH_TRY(lh_json_get_int_range(req->params, "num_parts", LH_OPTIONAL, 1, WS_MPU_PARTS_MAX,
                                 &num_parts, eb));
    LH_TRY(check_writable(req, key, eb));
    char id[33];
    lh_random_hex(id, 16);
    const char *root = mpu_root(ws_of(req), req->arena);
    const char *dir = lh_arena_sprintf(req->arena, "%s/%s", root, id);
    LH_FAIL_IF((mkdir(root, 0700) != 0 && errno != EEXIST) || mkdir(dir, 0700) != 0, LH_E_IO, eb,
               "cannot create the multipart upload: %s", strerror(errno));
    json_t *j = json_pack("{s:s,s:I,s:I,s:I}", "key", key, "num_parts", (json_int_t)num_parts,
                          "user_id", (json_int_t)(req->principal ? req->principal->user_id : 0),
                          "created_ms", (json_int_t)lh_now_ms());
    int rc =
        j != NULL ? json_dump_file(j, lh_arena_sprintf(req->arena, "%s/upload.json", dir), 0) : -1;
    json_decref(j);
    if (rc != 0) {
        ws_fs_remove_tree(dir, NULL);
        LH_FAIL(LH_E_IO, eb, "cannot record the multipart upload");
    }
    const char *base = base_url(req);
    json_t *creds = json_array();
    for (int64_t n = 1; n <= num_parts; n++)
        json_array_append_new(
            creds,
            json_pack("{s:s,s:I,s:{}}", "url",
                      lh_arena_sprintf(req->arena, "%s/api/2.0/mlflow-artifacts/mpu/parts/%s/%lld",
                                       base, id, (long long)n),
                      "part_number", (json_int_t)n, "headers"));
    req->out = json_object();
    lh_json_set_str(req->out, "upload_id", id);
    json_object_set_new(req->out, "credentials", creds);
    return LH_OK;
}

/* ETag of a stored part: its size and modification time. */
static const char *part_etag(lh_arena_t *a, const struct stat *st)
{
    return lh_arena_sprintf(a, "\"%llx-%llx\"", (unsigned long long)st->st_size,
                            (unsigned long long)st->st_mtim.tv_sec * 1000000000ULL +
                                (unsigned long long)st->st_mtim.tv_nsec);
}

typedef struct part_upload {
    int fd;
    lh_writeback_t wb;
    const char *tmp, *final;
} part_upload;

static lh_err part_write(void *arg, const char *data, size_t n, lh_errbuf *eb)
{
    part_upload *p = arg;
    LH_TRY(ws_fs_write_all(p->fd, data, n, eb));
    lh_writeback_note(&p->wb, p->fd, n);
    return LH_OK;
}

static void part_abort(void *arg)
{
    part_upload *p = arg;
    if (p->fd >= 0) {
        close(p->fd);
        unlink(p->tmp);
    }
    p->fd = -1;
}

static lh_err part_finish(void *arg, lh_req_t *req, lh_errbuf *eb)
{
    part_upload *p = arg;
    int rc = fsync(p->fd);
    rc |= close(p->fd);
    p->fd = -1;
    if (rc == 0)
        rc = rename(p->tmp, p->final);
    if (rc != 0) {
        unlink(p->tmp);
        LH_FAIL(LH_E_IO, eb, "cannot store the part: %s", strerror(errno));
    }
    struct stat st;
    LH_FAIL_IF(stat(p->final, &st) != 0, LH_E_IO, eb, "cannot store the part: %s", strerror(errno));
    lh_req_add_header(req, "ETag", part_etag(req->arena, &st));
    return LH_OK;
}

static const lh_body_sink_t part_sink = {part_write, part_finish, part_abort};

lh_err ws_h_mpu_part(lh_req_t *req, lh_errbuf *eb)
{
    const char *id = lh_req_path_param(req, 0), *dir;
    mpu_info info;
    LH_TRY(mpu_dir(req, id, &dir, eb));
    LH_TRY(mpu_load(req, dir, id, &info, eb));
    char *end;
    const char *num = lh_req_path_param(req, 1);
    long long n = strtoll(num, &end, 10);
    LH_FAIL_IF(*end != '\0' || n < 1 || n > info.num_parts, LH_E_INVALID, eb,
               "Part number must be 1 to %lld, got '%.20s'", (long long)info.num_parts, num);
    part_upload *p = lh_arena_calloc(req->arena, 1, sizeof *p);
    p->final = lh_arena_sprintf(req->arena, "%s/part-%lld", dir, n);
    LH_TRY(ws_fs_stage(dir, req->arena, &p->fd, &p->tmp, eb));
    lh_arena_defer(req->arena, part_abort, p);
    lh_req_stream_body(req, &part_sink, p);
    return LH_OK;
}

/* Append the stored part n to w. */
static lh_err append_part(lh_obj_writer_t *w, const char *path, char *buf, size_t cap,
                          lh_errbuf *eb)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    LH_FAIL_IF(fd < 0, LH_E_IO, eb, "cannot read a part: %s", strerror(errno));
    lh_err e = LH_OK;
    ssize_t r;
    while (e == LH_OK && (r = read(fd, buf, cap)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        e = r < 0 ? lh_err_set(eb, LH_E_IO, __FILE__, __LINE__, "cannot read a part: %s",
                               strerror(errno))
                  : lh_obj_writer_write(w, buf, (size_t)r, eb);
    }
    close(fd);
    return e;
}

/* The parts listed by complete, checked: ascending, uploaded, ETags matching when given. */
static lh_err check_parts(lh_req_t *req, const char *dir, const json_t *parts, const char ***paths,
                          lh_errbuf *eb)
{
    size_t count = lh_json_list_size(parts);
    LH_FAIL_IF(count == 0, LH_E_INVALID, eb, "parts must list the uploaded parts");
    LH_FAIL_IF(count > WS_MPU_PARTS_MAX, LH_E_INVALID, eb, "Too many parts");
    *paths = lh_arena_calloc(req->arena, count + 1, sizeof **paths);
    int64_t prev = 0;
    for (size_t i = 0; i < count; i++) {
        json_t *part = lh_json_list_get(parts, i);
        int64_t n;
        const char *etag = NULL;
        LH_TRY(lh_json_get_int(part, "part_number", LH_REQUIRED, &n, eb));
        LH_TRY(lh_json_get_str(part, "etag", LH_OPTIONAL, &etag, eb));
        LH_FAIL_IF(n <= prev, LH_E_INVALID, eb, "parts must be in ascending part_number order");
        prev = n;
        const char *path = lh_arena_sprintf(req->arena, "%s/part-%lld", dir, (long long)n);
        struct stat st;
        LH_FAIL_IF(stat(path, &st) != 0, LH_E_INVALID, eb, "Part %lld was not uploaded",
                   (long long)n);
        LH_FAIL_IF(etag != NULL && etag[0] != '\0' && strcmp(etag, part_etag(req->arena, &st)) != 0,
                   LH_E_INVALID, eb, "The ETag of part %lld does not match", (long long)n);
        (*paths)[i] = path;
    }
    return LH_OK;
}

lh_err ws_h_mpu_complete(lh_req_t *req, lh_errbuf *eb)
{
    const char *key, *id, *dir;
    json_t *parts;
    mpu_info info;
    LH_TRY(ws_require_access(req, eb));
    LH_TRY(mpu_key(req, &key, eb));
    LH_TRY(lh_json_get_str(req->params, "upload_id", LH_REQUIRED, &id, eb));
    LH_TRY(lh_json_get_list(req->params, "parts", LH_REQUIRED, &parts, eb));
    LH_TRY(mpu_dir(req, id, &dir, eb));
    LH_TRY(mpu_load(req, dir, id, &info, eb));
    LH_TRY(mpu_caller_may(req, &info, eb));
    LH_FAIL_IF(strcmp(info.key, key) != 0, LH_E_INVALID, eb,
               "The multipart upload %s is for '%s', not '%s'", id, info.key, key);
    const char **paths;
    LH_TRY(check_parts(req, dir, parts, &paths, eb));
    LH_TRY(check_writable(req, key, eb));
    lh_obj_writer_t *w;
    LH_TRY(lh_objstore_open_write(ws_of(req)->artifacts, key, &w, eb));
    size_t cap = 1 << 20;
    char *buf = malloc(cap);
    lh_err e =
        buf != NULL ? LH_OK : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    for (size_t i = 0; e == LH_OK && paths[i] != NULL; i++)
        e = append_part(w, paths[i], buf, cap, eb);
    free(buf);
    if (e != LH_OK) {
        lh_obj_writer_abort(w);
        return e;
    }
    LH_TRY(lh_obj_writer_commit(w, eb));
    return ws_fs_remove_tree(dir, eb);
}

lh_err ws_h_mpu_abort(lh_req_t *req, lh_errbuf *eb)
{
    const char *key, *id, *dir;
    mpu_info info;
    LH_TRY(ws_require_access(req, eb));
    LH_TRY(mpu_key(req, &key, eb));
    LH_TRY(lh_json_get_str(req->params, "upload_id", LH_REQUIRED, &id, eb));
    LH_TRY(mpu_dir(req, id, &dir, eb));
    LH_TRY(mpu_load(req, dir, id, &info, eb));
    LH_TRY(mpu_caller_may(req, &info, eb));
    return ws_fs_remove_tree(dir, eb);
}

void ws_mpu_reap(lh_workspace_t *ws, int64_t now_ms)
{
    char root[4200];
    snprintf(root, sizeof root, "%s/" WS_MPU_DIR, ws->artifacts_root);
    DIR *d = opendir(root);
    if (d == NULL)
        return;
    int64_t idle_ms = WS_MPU_IDLE_MS / 60000 * ws->minute_ms;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char path[4600];
        struct stat st;
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", root, de->d_name);
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
            now_ms - ((int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000) > idle_ms)
            ws_fs_remove_tree(path, NULL);
    }
    closedir(d);
}
