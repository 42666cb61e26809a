/*
 * uri.c - the artifact-URI interface of workspace.h (list, copy, delete, open) that MLflow
 * tracking, the model registry and jobs call.
 *
 * It needs no area state: dbfs:/<p> is DATA_DIR/dbfs/<p> and mlflow-artifacts:/<p> is
 * DATA_DIR/mlflow-artifacts/<p> (the proxy's local object store, whose keys are files under
 * that root), both reached through ws_uri_parse and ws_fs_resolve, so the same names are
 * refused as over REST. So other areas (and their unit tests) may call it with any context
 * whose data_dir is set, whether or not the workspace area was created.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "api/workspace/workspace_internal.h"
#include "common/json.h"

typedef struct loc {
    ws_scheme scheme;
    const char *root; /* the scheme's root directory */
    const char *rel;  /* canonical relative path ("" = the root) */
    const char *fs;   /* root/rel, symlink-checked */
} loc;

static lh_err locate(lh_ctx_t *ctx, const char *uri, lh_arena_t *a, loc *out, lh_errbuf *eb)
{
    LH_FAIL_IF(ctx == NULL || ctx->data_dir == NULL, LH_E_INTERNAL, eb, "no data directory");
    LH_TRY(ws_uri_parse(uri, a, &out->scheme, &out->rel, eb));
    out->root = ws_root_dir(ctx, out->scheme, a);
    return ws_fs_resolve(out->root, out->rel, a, &out->fs, eb);
}

static const char *join(lh_arena_t *a, const char *dir, const char *name)
{
    return dir[0] != '\0' ? lh_arena_sprintf(a, "%s/%s", dir, name) : name;
}

static lh_err list_in(lh_ctx_t *ctx, const char *root_uri, const char *rel_path, lh_arena_t *a,
                      json_t *files, lh_errbuf *eb)
{
    loc l;
    const char *sub = "";
    LH_TRY(locate(ctx, root_uri, a, &l, eb));
    if (rel_path != NULL)
        LH_TRY(ws_rel_path(rel_path, strlen(rel_path), a, &sub, eb));
    const char *fs;
    LH_TRY(ws_fs_resolve(l.root, join(a, l.rel, sub), a, &fs, eb));
    ws_entry *ents;
    size_t n;
    lh_errbuf inner;
    lh_err e = ws_fs_list(fs, a, &ents, &n, &inner);
    if (e == LH_E_NOT_FOUND)
        return LH_OK; /* a missing directory or a file: nothing, as MLflow */
    LH_FAIL_IF(e != LH_OK, e, eb, "cannot list %s: %s", root_uri, inner.msg);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        lh_json_set_str(o, "path", join(a, sub, ents[i].name));
        lh_json_set_bool(o, "is_dir", ents[i].is_dir);
        if (!ents[i].is_dir)
            lh_json_set_int(o, "file_size", (int64_t)ents[i].size_bytes);
        json_array_append_new(files, o);
    }
    return LH_OK;
}

lh_err lh_artifacts_list(lh_ctx_t *ctx, const char *root_uri, const char *rel_path, json_t **files,
                         lh_errbuf *eb)
{
    lh_arena_t *a = lh_arena_create();
    LH_FAIL_IF(a == NULL, LH_E_NOMEM, eb, "out of memory");
    json_t *out = json_array();
    lh_err e = out != NULL ? list_in(ctx, root_uri, rel_path, a, out, eb)
                           : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    lh_arena_destroy(a);
    if (e != LH_OK) {
        json_decref(out);
        return e;
    }
    *files = out;
    return LH_OK;
}

static lh_err copy_in(lh_ctx_t *ctx, const char *src_uri, const char *dst_uri, lh_arena_t *a,
                      lh_errbuf *eb)
{
    loc s, d;
    struct stat st;
    LH_TRY(locate(ctx, src_uri, a, &s, eb));
    LH_TRY(locate(ctx, dst_uri, a, &d, eb));
    LH_FAIL_IF(lstat(s.fs, &st) != 0, LH_E_NOT_FOUND, eb, "No artifacts at %s", src_uri);
    LH_FAIL_IF(d.rel[0] == '\0', LH_E_INVALID, eb, "Cannot replace the root %s", dst_uri);
    if (s.scheme == d.scheme) {
        size_t ns = strlen(s.rel), nd = strlen(d.rel);
        bool nested = (ns == 0) ||
                      (strncmp(d.rel, s.rel, ns) == 0 && (d.rel[ns] == '/' || !d.rel[ns])) ||
                      (strncmp(s.rel, d.rel, nd) == 0 && (s.rel[nd] == '/' || !s.rel[nd]));
        LH_FAIL_IF(nested, LH_E_INVALID, eb, "Cannot copy %s to %s: one contains the other",
                   src_uri, dst_uri);
    }
    const char *slash = strrchr(d.rel, '/');
    LH_TRY(ws_fs_mkdirs(d.root,
                        slash != NULL ? lh_arena_strndup(a, d.rel, (size_t)(slash - d.rel)) : "", a,
                        dst_uri, eb));
    return ws_fs_copy_tree(s.fs, d.fs, eb);
}

lh_err lh_artifacts_copy(lh_ctx_t *ctx, const char *src_uri, const char *dst_uri, lh_errbuf *eb)
{
    lh_arena_t *a = lh_arena_create();
    LH_FAIL_IF(a == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = copy_in(ctx, src_uri, dst_uri, a, eb);
    lh_arena_destroy(a);
    return e;
}

lh_err lh_artifacts_delete(lh_ctx_t *ctx, const char *uri, lh_errbuf *eb)
{
    lh_arena_t *a = lh_arena_create();
    LH_FAIL_IF(a == NULL, LH_E_NOMEM, eb, "out of memory");
    loc l;
    lh_err e = locate(ctx, uri, a, &l, eb);
    if (e == LH_OK && l.rel[0] == '\0')
        e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__, "Cannot delete the root %s", uri);
    if (e == LH_OK)
        e = ws_fs_remove_tree(l.fs, eb);
    lh_arena_destroy(a);
    return e;
}

static lh_err open_in(lh_ctx_t *ctx, const char *uri, lh_arena_t *a, int *fd, uint64_t *size,
                      lh_errbuf *eb)
{
    loc l;
    LH_TRY(locate(ctx, uri, a, &l, eb));
    int f = open(l.fs, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    LH_FAIL_IF(f < 0 && errno == ELOOP, LH_E_INVALID, eb,
               "Invalid artifact URI %s: symbolic links are not followed", uri);
    LH_FAIL_IF(f < 0 && (errno == ENOENT || errno == ENOTDIR), LH_E_NOT_FOUND, eb,
               "No artifact at %s", uri);
    LH_FAIL_IF(f < 0, LH_E_IO, eb, "cannot open %s: %s", uri, strerror(errno));
    struct stat st;
    bool ok = fstat(f, &st) == 0, is_dir = ok && S_ISDIR(st.st_mode);
    if (!ok || !S_ISREG(st.st_mode)) {
        close(f);
        LH_FAIL(is_dir ? LH_E_INVALID : LH_E_NOT_FOUND, eb, "%s is %s", uri,
                is_dir ? "a directory, not a file" : "not a file");
    }
    *fd = f;
    *size = (uint64_t)st.st_size;
    return LH_OK;
}

lh_err lh_artifacts_open(lh_ctx_t *ctx, const char *uri, int *fd, uint64_t *size, lh_errbuf *eb)
{
    lh_arena_t *a = lh_arena_create();
    LH_FAIL_IF(a == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = open_in(ctx, uri, a, fd, size, eb);
    lh_arena_destroy(a);
    return e;
}
