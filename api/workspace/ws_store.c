/*
 * ws_store.c - the Workspace API's tree: notebooks, files and directories as rows of
 * ws_objects (migration 9), each change one SQLite transaction.
 *
 * A row holds the canonical path (unique), its parent's id and name (so a directory's
 * children are one indexed read, a subtree is one range of paths: [p + "/", p + "0")), the
 * kind, the notebook language and the content: inline (up to WS_INLINE_MAX bytes) or in a
 * file DATA_DIR/workspace/objects/<random> named by the row. A content file is written
 * whole before the transaction that names it (temp name, fsync, rename, fsync of the
 * directory); the file a change replaces or a delete drops is unlinked after the commit. A
 * crash in between leaves only files no row names, which start-up removes. object_id is
 * AUTOINCREMENT: stable for the object's life (overwrites keep it) and never reused, so
 * permissions keyed by it never pass to another object.
 *
 * Special folders (made at start-up): "/" (only admins create there), "/Users" (home
 * folders, one per user, made on first use and owned by that user) and "/Shared" (the
 * built-in `users` group holds CAN_MANAGE). Permission hooks: notebooks, files and
 * directories exist by object_id and inherit from their parent directory (perm.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/perm.h"
#include "api/workspace/workspace_internal.h"
#include "common/util.h"
#include "storage/meta/meta.h"

static const char *const KIND_NAMES[] = {"DIRECTORY", "NOTEBOOK", "FILE"};
static const char *const KIND_PERMS[] = {"directories", "notebooks", "files"};

const char *ws_kind_name(ws_kind k)
{
    return KIND_NAMES[k];
}

const char *ws_kind_perm(ws_kind k)
{
    return KIND_PERMS[k];
}

static ws_kind kind_of(const char *name)
{
    for (int i = 0; name != NULL && i < 3; i++)
        if (strcmp(KIND_NAMES[i], name) == 0)
            return (ws_kind)i;
    return WS_FILE;
}

/* ---- paths ---- */

static lh_err check_segment(const char *in, const char *seg, size_t n, lh_errbuf *eb)
{
    LH_FAIL_IF(n == 0, LH_E_INVALID, eb, "Invalid path '%.200s': empty path segment", in);
    LH_FAIL_IF((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'),
               LH_E_INVALID, eb, "Invalid path '%.200s': '.' and '..' are not allowed", in);
    LH_FAIL_IF(n > WS_OBJ_SEGMENT_MAX, LH_E_INVALID, eb,
               "Invalid path '%.200s': a name is longer than %d bytes", in, WS_OBJ_SEGMENT_MAX);
    for (size_t i = 0; i < n; i++)
        LH_FAIL_IF((unsigned char)seg[i] < 0x20 || seg[i] == 0x7f, LH_E_INVALID, eb,
                   "Invalid path '%.200s': control characters are not allowed", in);
    return LH_OK;
}

lh_err ws_obj_path(const char *in, lh_arena_t *a, const char **path, lh_errbuf *eb)
{
    LH_FAIL_IF(in == NULL || in[0] == '\0', LH_E_INVALID, eb, "Missing required field: path");
    LH_FAIL_IF(in[0] != '/', LH_E_INVALID, eb,
               "Invalid path '%.200s': the path must be absolute (start with '/')", in);
    size_t n = strlen(in);
    LH_FAIL_IF(n > WS_OBJ_PATH_MAX, LH_E_INVALID, eb,
               "Invalid path '%.200s...': longer than %d bytes", in, WS_OBJ_PATH_MAX);
    const char *p = in;
    if (n >= 10 && memcmp(p, "/Workspace", 10) == 0 && (n == 10 || p[10] == '/'))
        p += 10, n -= 10; /* the workspace filesystem's mount point names the same tree */
    /* so no canonical path starts with it: a root folder of that name cannot exist (and
     * canonical paths map to themselves) */
    LH_FAIL_IF(n >= 10 && memcmp(p, "/Workspace", 10) == 0 && (n == 10 || p[10] == '/'),
               LH_E_INVALID, eb, "Invalid path '%.200s': /Workspace is the workspace's own root",
               in);
    if (n > 1 && p[n - 1] == '/')
        n--;
    if (n <= 1) {
        *path = "/";
        return LH_OK;
    }
    for (size_t i = 1; i <= n;) {
        const char *slash = memchr(p + i, '/', n - i);
        size_t end = slash != NULL ? (size_t)(slash - p) : n;
        LH_TRY(check_segment(in, p + i, end - i, eb));
        i = end + 1;
    }
    *path = lh_arena_strndup(a, p, n);
    return LH_OK;
}

const char *ws_obj_parent(const char *path, lh_arena_t *a)
{
    const char *slash = strrchr(path, '/');
    if (path[1] == '\0' || slash == NULL)
        return NULL;
    return slash == path ? "/" : lh_arena_strndup(a, path, (size_t)(slash - path));
}

static const char *base_name(const char *path)
{
    return strrchr(path, '/') + 1;
}

/* ---- reads ---- */

#define COLS                                                                                       \
    "object_id, coalesce(parent_id, 0), path, object_type, language, size, coalesce(created_by, "  \
    "0), created_at, modified_at, content_file"

static void row_to_obj(lh_stmt_t *st, lh_arena_t *a, bool with_content, ws_obj *o)
{
    memset(o, 0, sizeof *o);
    o->object_id = lh_stmt_int(st, 0);
    o->parent_id = lh_stmt_int(st, 1);
    o->path = lh_arena_strdup(a, lh_stmt_text(st, 2));
    o->kind = kind_of(lh_stmt_text(st, 3));
    o->language = lh_stmt_is_null(st, 4) ? NULL : lh_arena_strdup(a, lh_stmt_text(st, 4));
    o->size_bytes = lh_stmt_int(st, 5);
    o->created_by = lh_stmt_int(st, 6);
    o->created_at = lh_stmt_int(st, 7);
    o->modified_at = lh_stmt_int(st, 8);
    o->content_file = lh_stmt_is_null(st, 9) ? NULL : lh_arena_strdup(a, lh_stmt_text(st, 9));
    if (with_content) {
        size_t n = 0;
        const void *p = lh_stmt_blob(st, 10, &n);
        unsigned char *copy = lh_arena_alloc(a, n + 1);
        if (n > 0)
            memcpy(copy, p, n);
        o->content = copy;
        o->content_bytes = n;
    }
}

typedef struct get_arg {
    const char *path;
    int64_t id;
    bool with_content;
    lh_arena_t *a;
    ws_obj *out;
    bool found;
} get_arg;

static lh_err get_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    get_arg *g = arg;
    static const char *const sql[2][2] = {
        {"SELECT " COLS " FROM ws_objects WHERE path = ?",
         "SELECT " COLS ", content FROM ws_objects WHERE path = ?"},
        {"SELECT " COLS " FROM ws_objects WHERE object_id = ?",
         "SELECT " COLS ", content FROM ws_objects WHERE object_id = ?"}};
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, sql[g->path == NULL][g->with_content], &st, eb));
    if (g->path != NULL)
        lh_stmt_bind_text(st, 1, g->path);
    else
        lh_stmt_bind_int(st, 1, g->id);
    LH_TRY(lh_stmt_step(st, &g->found, eb));
    if (g->found)
        row_to_obj(st, g->a, g->with_content, g->out);
    return LH_OK;
}

lh_err ws_store_get(lh_workspace_t *ws, const char *path, bool with_content, lh_arena_t *a,
                    ws_obj *out, lh_errbuf *eb)
{
    get_arg g = {path, 0, with_content, a, out, false};
    LH_TRY(lh_meta_read(ws->ctx->meta, get_cb, &g, eb));
    LH_FAIL_IF(!g.found, LH_E_NOT_FOUND, eb, "Path (%s) doesn't exist.", path);
    return LH_OK;
}

lh_err ws_store_get_id(lh_workspace_t *ws, int64_t object_id, bool with_content, lh_arena_t *a,
                       ws_obj *out, lh_errbuf *eb)
{
    get_arg g = {NULL, object_id, with_content, a, out, false};
    LH_TRY(lh_meta_read(ws->ctx->meta, get_cb, &g, eb));
    LH_FAIL_IF(!g.found, LH_E_NOT_FOUND, eb, "Workspace object %lld doesn't exist.",
               (long long)object_id);
    return LH_OK;
}

typedef struct list_arg {
    int64_t parent_id;
    lh_arena_t *a;
    ws_obj *objs;
    size_t count, cap;
} list_arg;

static lh_err list_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    list_arg *l = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "SELECT " COLS " FROM ws_objects WHERE parent_id = ? ORDER BY name", &st,
                        eb));
    lh_stmt_bind_int(st, 1, l->parent_id);
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        if (l->count == l->cap) {
            size_t cap = l->cap ? 2 * l->cap : 32;
            ws_obj *grown = lh_arena_alloc(l->a, cap * sizeof *grown);
            if (l->count > 0)
                memcpy(grown, l->objs, l->count * sizeof *grown);
            l->objs = grown, l->cap = cap;
        }
        row_to_obj(st, l->a, false, &l->objs[l->count++]);
    }
}

lh_err ws_store_list(lh_workspace_t *ws, int64_t parent_id, lh_arena_t *a, ws_obj **objs,
                     size_t *count, lh_errbuf *eb)
{
    list_arg l = {parent_id, a, NULL, 0, 0};
    LH_TRY(lh_meta_read(ws->ctx->meta, list_cb, &l, eb));
    *objs = l.objs;
    *count = l.count;
    return LH_OK;
}

/* ---- writes ---- */

/* (id, kind) of the object at path inside a transaction; *found false when absent. */
static lh_err lookup(lh_meta_t *m, const char *path, int64_t *id, ws_kind *kind,
                     const char **content_file, lh_arena_t *a, bool *found, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT object_id, object_type, content_file FROM ws_objects WHERE "
                        "path = ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, path);
    LH_TRY(lh_stmt_step(st, found, eb));
    if (*found) {
        *id = lh_stmt_int(st, 0);
        *kind = kind_of(lh_stmt_text(st, 1));
        if (content_file != NULL)
            *content_file = lh_stmt_is_null(st, 2) ? NULL : lh_arena_strdup(a, lh_stmt_text(st, 2));
    }
    return LH_OK;
}

static lh_err insert_dir(lh_meta_t *m, int64_t parent_id, const char *path, int64_t creator,
                         int64_t *id, lh_errbuf *eb)
{
    lh_stmt_t *st;
    int64_t now = lh_now_ms();
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO ws_objects(parent_id, name, path, object_type, created_by, "
                        "created_at, modified_at) VALUES (?, ?, ?, 'DIRECTORY', ?, ?, ?)",
                        &st, eb));
    lh_stmt_bind_int(st, 1, parent_id);
    lh_stmt_bind_text(st, 2, base_name(path));
    lh_stmt_bind_text(st, 3, path);
    if (creator > 0)
        lh_stmt_bind_int(st, 4, creator);
    else
        lh_stmt_bind_null(st, 4);
    lh_stmt_bind_int(st, 5, now);
    lh_stmt_bind_int(st, 6, now);
    LH_TRY(lh_stmt_run(st, eb));
    *id = lh_meta_last_insert_id(m);
    return LH_OK;
}

typedef struct mkdirs_arg {
    const char *path;
    int64_t creator;
    lh_arena_t *a;
    int64_t *created;
    size_t count;
} mkdirs_arg;

static lh_err mkdirs_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    mkdirs_arg *k = arg;
    k->count = 0;
    int64_t parent = 0, id = 0;
    ws_kind kind;
    bool found = false;
    LH_TRY(lookup(m, "/", &parent, &kind, NULL, NULL, &found, eb));
    LH_FAIL_IF(!found, LH_E_INTERNAL, eb, "the workspace root is missing");
    size_t n = strlen(k->path);
    for (size_t i = 1; i <= n && n > 1; i++) {
        if (k->path[i] != '/' && k->path[i] != '\0')
            continue;
        const char *prefix = lh_arena_strndup(k->a, k->path, i);
        LH_TRY(lookup(m, prefix, &id, &kind, NULL, NULL, &found, eb));
        if (found && kind != WS_DIRECTORY)
            WS_FAIL_CODE(eb, "RESOURCE_ALREADY_EXISTS",
                         "Cannot create directory %s: %s exists and is a %s", k->path, prefix,
                         kind == WS_NOTEBOOK ? "notebook" : "file");
        if (!found) {
            LH_TRY(insert_dir(m, parent, prefix, k->creator, &id, eb));
            k->created[k->count++] = id;
        }
        parent = id;
    }
    return LH_OK;
}

lh_err ws_store_mkdirs(lh_workspace_t *ws, const char *path, int64_t creator, lh_arena_t *a,
                       int64_t **created, size_t *created_count, lh_errbuf *eb)
{
    size_t segments = 0;
    for (const char *p = path; *p != '\0'; p++)
        segments += *p == '/';
    mkdirs_arg k = {path, creator, a, lh_arena_calloc(a, segments + 1, sizeof(int64_t)), 0};
    LH_TRY(lh_meta_tx(ws->ctx->meta, mkdirs_cb, &k, eb));
    *created = k.created;
    *created_count = k.count;
    return LH_OK;
}

/* Write bytes to a new content file (temp, fsync, rename, fsync dir): its name in a. */
static lh_err write_content_file(lh_workspace_t *ws, const unsigned char *bytes, size_t n,
                                 lh_arena_t *a, const char **name, lh_errbuf *eb)
{
    char rnd[33];
    lh_random_hex(rnd, 16);
    const char *tmp = lh_arena_sprintf(a, "%s/.tmp-%s", ws->objects_dir, rnd);
    const char *dst = lh_arena_sprintf(a, "%s/%s", ws->objects_dir, rnd);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    LH_FAIL_IF(fd < 0, LH_E_IO, eb, "cannot create a workspace content file: %s", strerror(errno));
    lh_err e = ws_fs_write_all(fd, bytes, n, eb);
    if (e == LH_OK && fsync(fd) != 0)
        e = lh_err_set(eb, LH_E_IO, __FILE__, __LINE__, "fsync: %s", strerror(errno));
    close(fd);
    if (e == LH_OK && rename(tmp, dst) != 0)
        e = lh_err_set(eb, LH_E_IO, __FILE__, __LINE__, "rename: %s", strerror(errno));
    if (e != LH_OK) {
        unlink(tmp);
        return e;
    }
    ws_fs_sync_parent(dst);
    *name = lh_arena_strdup(a, rnd);
    return LH_OK;
}

typedef struct put_arg {
    const ws_put *put;
    const char *file; /* the new content file, or NULL (inline) */
    lh_arena_t *a;
    int64_t object_id;
    bool created;
    int64_t replaced_id;
    ws_kind replaced_kind;
    const char *old_file; /* to unlink after the commit */
} put_arg;

/* The inline content to bind (never NULL when inline, so an empty one is not SQL NULL). */
static const void *content_or_null(const put_arg *p)
{
    if (p->file != NULL)
        return NULL;
    return p->put->content != NULL ? (const void *)p->put->content : "";
}

static lh_err insert_object(lh_meta_t *m, put_arg *p, int64_t parent_id, lh_errbuf *eb)
{
    const ws_put *put = p->put;
    lh_stmt_t *st;
    int64_t now = lh_now_ms();
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO ws_objects(parent_id, name, path, object_type, language, "
                        "size, content, content_file, created_by, created_at, modified_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        &st, eb));
    lh_stmt_bind_int(st, 1, parent_id);
    lh_stmt_bind_text(st, 2, base_name(put->path));
    lh_stmt_bind_text(st, 3, put->path);
    lh_stmt_bind_text(st, 4, ws_kind_name(put->kind));
    lh_stmt_bind_text(st, 5, put->language);
    lh_stmt_bind_int(st, 6, (int64_t)put->content_bytes);
    lh_stmt_bind_blob(st, 7, content_or_null(p), put->content_bytes);
    lh_stmt_bind_text(st, 8, p->file);
    if (put->creator > 0)
        lh_stmt_bind_int(st, 9, put->creator);
    else
        lh_stmt_bind_null(st, 9);
    lh_stmt_bind_int(st, 10, now);
    lh_stmt_bind_int(st, 11, now);
    LH_TRY(lh_stmt_run(st, eb));
    p->object_id = lh_meta_last_insert_id(m);
    p->created = true;
    return LH_OK;
}

static lh_err update_object(lh_meta_t *m, put_arg *p, int64_t id, lh_errbuf *eb)
{
    const ws_put *put = p->put;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "UPDATE ws_objects SET language = ?, size = ?, content = ?, "
                        "content_file = ?, modified_at = ? WHERE object_id = ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, put->language);
    lh_stmt_bind_int(st, 2, (int64_t)put->content_bytes);
    lh_stmt_bind_blob(st, 3, content_or_null(p), put->content_bytes);
    lh_stmt_bind_text(st, 4, p->file);
    lh_stmt_bind_int(st, 5, lh_now_ms());
    lh_stmt_bind_int(st, 6, id);
    LH_TRY(lh_stmt_run(st, eb));
    p->object_id = id;
    return LH_OK;
}

static lh_err delete_row(lh_meta_t *m, int64_t id, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "DELETE FROM ws_objects WHERE object_id = ?", &st, eb));
    lh_stmt_bind_int(st, 1, id);
    return lh_stmt_run(st, eb);
}

static lh_err put_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    put_arg *p = arg;
    const ws_put *put = p->put;
    const char *parent = ws_obj_parent(put->path, p->a);
    int64_t parent_id = 0, id = 0;
    ws_kind kind;
    bool found = false;
    LH_FAIL_IF(parent == NULL, LH_E_INVALID, eb, "Cannot import over the workspace root");
    LH_TRY(lookup(m, parent, &parent_id, &kind, NULL, NULL, &found, eb));
    LH_FAIL_IF(!found, LH_E_NOT_FOUND, eb, "The parent folder (%s) does not exist.", parent);
    LH_FAIL_IF(kind != WS_DIRECTORY, LH_E_INVALID, eb, "The parent path (%s) is not a folder.",
               parent);
    p->created = false;
    p->replaced_id = 0;
    p->old_file = NULL;
    LH_TRY(lookup(m, put->path, &id, &kind, &p->old_file, p->a, &found, eb));
    if (found && (kind == WS_DIRECTORY || !put->overwrite))
        WS_FAIL_CODE(eb, "RESOURCE_ALREADY_EXISTS", "Path (%s) already exists.", put->path);
    if (found && kind == put->kind)
        return update_object(m, p, id, eb);
    if (found) {
        LH_TRY(delete_row(m, id, eb));
        p->replaced_id = id;
        p->replaced_kind = kind;
    }
    return insert_object(m, p, parent_id, eb);
}

lh_err ws_store_put(lh_workspace_t *ws, const ws_put *put, int64_t *object_id, bool *created,
                    int64_t *replaced_id, ws_kind *replaced_kind, lh_errbuf *eb)
{
    lh_arena_t *a = lh_arena_create();
    put_arg p = {put, NULL, a, 0, false, 0, WS_FILE, NULL};
    lh_err e = LH_OK;
    if (put->content_bytes > WS_INLINE_MAX)
        e = write_content_file(ws, put->content, put->content_bytes, a, &p.file, eb);
    if (e == LH_OK)
        e = lh_meta_tx(ws->ctx->meta, put_cb, &p, eb);
    const char *drop = e == LH_OK ? p.old_file : p.file; /* after the commit, or the failure */
    if (drop != NULL)
        unlink(lh_arena_sprintf(a, "%s/%s", ws->objects_dir, drop));
    if (e == LH_OK) {
        *object_id = p.object_id;
        *created = p.created;
        *replaced_id = p.replaced_id;
        *replaced_kind = p.replaced_kind;
    }
    lh_arena_destroy(a);
    return e;
}

typedef struct del_arg {
    const char *path;
    bool recursive;
    lh_arena_t *a;
    ws_obj *objs;
    size_t count, cap;
} del_arg;

static lh_err del_collect(lh_meta_t *m, del_arg *d, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT " COLS " FROM ws_objects WHERE path = ?1 OR (path > ?1 || '/' "
                        "AND path < ?1 || '0')",
                        &st, eb));
    lh_stmt_bind_text(st, 1, d->path);
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        if (d->count == d->cap) {
            size_t cap = d->cap ? 2 * d->cap : 16;
            ws_obj *grown = lh_arena_alloc(d->a, cap * sizeof *grown);
            if (d->count > 0)
                memcpy(grown, d->objs, d->count * sizeof *grown);
            d->objs = grown, d->cap = cap;
        }
        row_to_obj(st, d->a, false, &d->objs[d->count++]);
    }
}

static lh_err del_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    del_arg *d = arg;
    int64_t id = 0;
    ws_kind kind;
    bool found = false;
    d->count = 0;
    LH_TRY(lookup(m, d->path, &id, &kind, NULL, NULL, &found, eb));
    LH_FAIL_IF(!found, LH_E_NOT_FOUND, eb, "Path (%s) doesn't exist.", d->path);
    if (kind == WS_DIRECTORY && !d->recursive) {
        lh_stmt_t *st;
        bool row = false;
        LH_TRY(lh_meta_stmt(m, "SELECT 1 FROM ws_objects WHERE parent_id = ? LIMIT 1", &st, eb));
        lh_stmt_bind_int(st, 1, id);
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (row)
            WS_FAIL_CODE(eb, "DIRECTORY_NOT_EMPTY",
                         "Folder (%s) is not empty: pass recursive=true to delete it and "
                         "everything in it",
                         d->path);
    }
    LH_TRY(del_collect(m, d, eb));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "DELETE FROM ws_objects WHERE path = ?1 OR (path > ?1 || '/' AND path < "
                        "?1 || '0')",
                        &st, eb));
    lh_stmt_bind_text(st, 1, d->path);
    return lh_stmt_run(st, eb);
}

lh_err ws_store_delete(lh_workspace_t *ws, const char *path, bool recursive, lh_arena_t *a,
                       ws_obj **deleted, size_t *count, lh_errbuf *eb)
{
    LH_ASSERT(strcmp(path, "/") != 0);
    del_arg d = {path, recursive, a, NULL, 0, 0};
    LH_TRY(lh_meta_tx(ws->ctx->meta, del_cb, &d, eb));
    for (size_t i = 0; i < d.count; i++)
        if (d.objs[i].content_file != NULL)
            unlink(ws_store_content_path(ws, &d.objs[i], a));
    if (d.count > 0)
        ws_fs_sync_parent(lh_arena_sprintf(a, "%s/x", ws->objects_dir));
    *deleted = d.objs;
    *count = d.count;
    return LH_OK;
}

/* ---- contents ---- */

const char *ws_store_content_path(lh_workspace_t *ws, const ws_obj *o, lh_arena_t *a)
{
    return lh_arena_sprintf(a, "%s/%s", ws->objects_dir, o->content_file);
}

lh_err ws_store_read_content(lh_workspace_t *ws, const ws_obj *o, lh_arena_t *a,
                             const unsigned char **bytes, size_t *count, lh_errbuf *eb)
{
    if (o->content_file == NULL) {
        ws_obj full;
        if (o->content == NULL)
            LH_TRY(ws_store_get_id(ws, o->object_id, true, a, &full, eb));
        *bytes = o->content != NULL ? o->content : full.content;
        *count = o->content != NULL ? o->content_bytes : full.content_bytes;
        return LH_OK;
    }
    const char *fs = ws_store_content_path(ws, o, a);
    int fd = open(fs, O_RDONLY | O_CLOEXEC);
    LH_FAIL_IF(fd < 0, LH_E_CORRUPT, eb, "The content of %s is missing: %s", o->path,
               strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size > WS_OBJECT_MAX * 2) {
        close(fd);
        LH_FAIL(LH_E_CORRUPT, eb, "The content of %s is unreadable", o->path);
    }
    unsigned char *buf = lh_arena_alloc(a, (size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    LH_FAIL_IF(got != (size_t)st.st_size, LH_E_IO, eb, "cannot read the content of %s", o->path);
    *bytes = buf;
    *count = got;
    return LH_OK;
}

/* ---- home folders and special folders ---- */

lh_err ws_store_home(lh_workspace_t *ws, int64_t user_id, const char *name, lh_errbuf *eb)
{
    size_t slot = (uint64_t)user_id % WS_HOME_SLOTS;
    pthread_mutex_lock(&ws->mu);
    bool done = ws->homes[slot] == user_id;
    pthread_mutex_unlock(&ws->mu);
    if (done || user_id <= 0 || name == NULL)
        return LH_OK;
    lh_arena_t *a = lh_arena_create();
    const char *path;
    lh_errbuf ignored;
    lh_err e = LH_OK;
    const char *want = lh_arena_sprintf(a, "/Users/%s", name);
    /* a name that is no valid folder name (a '/' in it) has no home folder */
    if (ws_obj_path(want, a, &path, &ignored) == LH_OK && strcmp(path, want) == 0) {
        int64_t *created;
        size_t n = 0;
        e = ws_store_mkdirs(ws, path, user_id, a, &created, &n, eb);
        if (e == LH_OK && n > 0)
            e = lh_perm_set_owner(ws->ctx, "directories",
                                  lh_arena_sprintf(a, "%lld", (long long)created[n - 1]), user_id,
                                  eb);
    }
    if (e == LH_OK) {
        pthread_mutex_lock(&ws->mu);
        ws->homes[slot] = user_id;
        pthread_mutex_unlock(&ws->mu);
    }
    lh_arena_destroy(a);
    return e;
}

typedef struct user_arg {
    const char *name;
    int64_t id;
} user_arg;

static lh_err user_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    user_arg *u = arg;
    lh_stmt_t *st;
    bool row = false;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT id FROM users WHERE (kind = 'user' AND user_name = ?1) OR (kind = "
                        "'service_principal' AND application_id = ?1)",
                        &st, eb));
    lh_stmt_bind_text(st, 1, u->name);
    LH_TRY(lh_stmt_step(st, &row, eb));
    u->id = row ? lh_stmt_int(st, 0) : 0;
    return LH_OK;
}

lh_err ws_store_home_for_path(lh_workspace_t *ws, const char *path, lh_errbuf *eb)
{
    if (strncmp(path, "/Users/", 7) != 0)
        return LH_OK;
    lh_arena_t *a = lh_arena_create();
    const char *end = strchr(path + 7, '/');
    const char *name =
        end != NULL ? lh_arena_strndup(a, path + 7, (size_t)(end - path - 7)) : path + 7;
    ws_obj o;
    lh_errbuf inner;
    lh_err e = ws_store_get(ws, lh_arena_sprintf(a, "/Users/%s", name), false, a, &o, &inner);
    if (e == LH_E_NOT_FOUND) {
        user_arg u = {name, 0};
        e = lh_meta_read(ws->ctx->meta, user_cb, &u, eb);
        if (e == LH_OK && u.id > 0)
            e = ws_store_home(ws, u.id, name, eb);
    } else if (e != LH_OK) {
        e = lh_err_set(eb, e, __FILE__, __LINE__, "%s", inner.msg);
    }
    lh_arena_destroy(a);
    return e;
}

static lh_err root_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    (void)arg;
    lh_stmt_t *st;
    int64_t now = lh_now_ms();
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO ws_objects(parent_id, name, path, object_type, created_at, "
                        "modified_at) SELECT NULL, '', '/', 'DIRECTORY', ?1, ?1 WHERE NOT EXISTS "
                        "(SELECT 1 FROM ws_objects WHERE path = '/')",
                        &st, eb));
    lh_stmt_bind_int(st, 1, now);
    return lh_stmt_run(st, eb);
}

/* Referenced content files, to keep in the sweep. */
static lh_err files_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    json_t *names = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "SELECT content_file FROM ws_objects WHERE content_file IS NOT NULL",
                        &st, eb));
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        json_object_set_new(names, lh_stmt_text(st, 0), json_true());
    }
}

/* Remove content files no row names (a crash between a write and its commit). */
static lh_err sweep_files(lh_workspace_t *ws, lh_errbuf *eb)
{
    json_t *names = json_object();
    lh_err e = lh_meta_read(ws->ctx->meta, files_cb, names, eb);
    DIR *d = e == LH_OK ? opendir(ws->objects_dir) : NULL;
    struct dirent *de;
    while (d != NULL && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            json_object_get(names, de->d_name) != NULL)
            continue;
        char full[4400];
        snprintf(full, sizeof full, "%s/%s", ws->objects_dir, de->d_name);
        unlink(full);
    }
    if (d != NULL)
        closedir(d);
    json_decref(names);
    return e;
}

lh_err ws_store_recover(lh_workspace_t *ws, lh_errbuf *eb)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/workspace", ws->ctx->data_dir);
    LH_FAIL_IF(mkdir(dir, 0755) != 0 && errno != EEXIST, LH_E_IO, eb, "cannot create %s: %s", dir,
               strerror(errno));
    LH_FAIL_IF(mkdir(ws->objects_dir, 0755) != 0 && errno != EEXIST, LH_E_IO, eb,
               "cannot create %s: %s", ws->objects_dir, strerror(errno));
    LH_TRY(lh_meta_tx(ws->ctx->meta, root_cb, NULL, eb));
    lh_arena_t *a = lh_arena_create();
    int64_t *created;
    size_t n = 0;
    lh_err e = ws_store_mkdirs(ws, "/Users", 0, a, &created, &n, eb);
    if (e == LH_OK)
        e = ws_store_mkdirs(ws, "/Shared", 0, a, &created, &n, eb);
    if (e == LH_OK && n > 0 && ws->ctx->perm != NULL) {
        const lh_perm_ace_t all_users = {LH_ACE_GROUP, "users", "CAN_MANAGE"};
        e = lh_perm_apply(ws->ctx, lh_perm_type_find("directories"),
                          lh_arena_sprintf(a, "%lld", (long long)created[0]), &all_users, 1, false,
                          eb);
    }
    lh_arena_destroy(a);
    LH_TRY(e);
    return sweep_files(ws, eb);
}

/* ---- permission hooks ---- */

typedef struct exists_arg {
    const char *kind;
    int64_t id;
    bool found;
} exists_arg;

static lh_err exists_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    exists_arg *x = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "SELECT 1 FROM ws_objects WHERE object_id = ? AND object_type = ?", &st,
                        eb));
    lh_stmt_bind_int(st, 1, x->id);
    lh_stmt_bind_text(st, 2, x->kind);
    return lh_stmt_step(st, &x->found, eb);
}

static bool parse_id(const char *s, int64_t *id)
{
    char *end;
    errno = 0;
    long long v = s != NULL && *s >= '0' && *s <= '9' ? strtoll(s, &end, 10) : -1;
    if (v <= 0 || errno != 0 || *end != '\0')
        return false;
    *id = v;
    return true;
}

static bool exists_kind(lh_workspace_t *ws, const char *kind, const char *object_id)
{
    exists_arg x = {kind, 0, false};
    lh_errbuf eb;
    return parse_id(object_id, &x.id) && lh_meta_read(ws->ctx->meta, exists_cb, &x, &eb) == LH_OK &&
           x.found;
}

static bool exists_notebook(void *arg, const char *id)
{
    return exists_kind(arg, "NOTEBOOK", id);
}

static bool exists_directory(void *arg, const char *id)
{
    return exists_kind(arg, "DIRECTORY", id);
}

static bool exists_file(void *arg, const char *id)
{
    return exists_kind(arg, "FILE", id);
}

static lh_err parent_fn(lh_meta_t *m, void *arg, const char *object_id, const char **parent_path,
                        char *parent_id, bool *has_parent, lh_errbuf *eb)
{
    (void)arg;
    int64_t id;
    *has_parent = false;
    if (!parse_id(object_id, &id))
        return LH_OK;
    lh_stmt_t *st;
    bool row = false;
    LH_TRY(lh_meta_stmt(m, "SELECT parent_id FROM ws_objects WHERE object_id = ?", &st, eb));
    lh_stmt_bind_int(st, 1, id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    if (row && !lh_stmt_is_null(st, 0)) {
        snprintf(parent_id, LH_PERM_ID_MAX, "%lld", (long long)lh_stmt_int(st, 0));
        *parent_path = "directories";
        *has_parent = true;
    }
    return LH_OK;
}

void ws_store_register_perm(lh_workspace_t *ws)
{
    lh_perm_t *perm = ws->ctx->perm;
    if (perm == NULL)
        return;
    static const lh_perm_exists_fn exists[] = {exists_directory, exists_notebook, exists_file};
    for (int k = 0; k < 3; k++) {
        lh_perm_register(perm, KIND_PERMS[k], exists[k], ws);
        lh_perm_register_parent(perm, KIND_PERMS[k], parent_fn, ws);
    }
}

/* ---- the public interface for other areas (workspace.h) ---- */

lh_err lh_workspace_notebook_cells(lh_ctx_t *ctx, const char *path, lh_arena_t *arena,
                                   lh_notebook_t *cells, lh_errbuf *eb)
{
    lh_workspace_t *ws = ctx->workspace;
    LH_FAIL_IF(ws == NULL, LH_E_UNAVAILABLE, eb, "The workspace is not running");
    const char *canonical;
    ws_obj o;
    const unsigned char *bytes;
    size_t n = 0;
    LH_TRY(ws_obj_path(path, arena, &canonical, eb));
    LH_TRY(ws_store_get(ws, canonical, false, arena, &o, eb));
    LH_FAIL_IF(o.kind != WS_NOTEBOOK, LH_E_INVALID, eb, "%s is a %s, not a notebook", canonical,
               o.kind == WS_DIRECTORY ? "folder" : "file");
    LH_TRY(ws_store_read_content(ws, &o, arena, &bytes, &n, eb));
    return lh_notebook_parse((const char *)bytes, n, o.language, arena, cells, eb);
}

lh_err lh_workspace_require(lh_ctx_t *ctx, const lh_principal_t *p, const char *path,
                            const char *level, lh_errbuf *eb)
{
    lh_workspace_t *ws = ctx->workspace;
    LH_FAIL_IF(ws == NULL, LH_E_UNAVAILABLE, eb, "The workspace is not running");
    lh_arena_t *a = lh_arena_create();
    const char *canonical;
    ws_obj o;
    lh_err e = ws_obj_path(path, a, &canonical, eb);
    if (e == LH_OK)
        e = ws_store_get(ws, canonical, false, a, &o, eb);
    if (e == LH_OK && ctx->perm != NULL && p != NULL)
        e = lh_perm_require(ctx, p, ws_kind_perm(o.kind),
                            lh_arena_sprintf(a, "%lld", (long long)o.object_id), level, eb);
    lh_arena_destroy(a);
    return e;
}

lh_err lh_workspace_read_file(lh_ctx_t *ctx, const char *path, lh_arena_t *arena,
                              const unsigned char **bytes, size_t *count, const char **language,
                              lh_errbuf *eb)
{
    lh_workspace_t *ws = ctx->workspace;
    LH_FAIL_IF(ws == NULL, LH_E_UNAVAILABLE, eb, "The workspace is not running");
    const char *canonical;
    ws_obj o;
    LH_TRY(ws_obj_path(path, arena, &canonical, eb));
    LH_TRY(ws_store_get(ws, canonical, false, arena, &o, eb));
    LH_FAIL_IF(o.kind == WS_DIRECTORY, LH_E_INVALID, eb, "%s is a folder, not a file", canonical);
    LH_TRY(ws_store_read_content(ws, &o, arena, bytes, count, eb));
    if (language != NULL)
        *language = o.language;
    return LH_OK;
}
