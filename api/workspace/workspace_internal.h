/*
 * workspace_internal.h - what the files of api/workspace share:
 *
 *   path.c       path and artifact-URI normalization (the one place that decides which
 *                names are reachable), symlink-refusing resolution, base64
 *   fsops.c      filesystem primitives over resolved paths: stat, sorted listings, mkdir -p,
 *                recursive delete, atomic publish of a staged file, tree copy
 *   multipart.c  a streaming multipart/form-data parser (DBFS put)
 *   dbfs.c       the DBFS 2.0 REST handlers and the raw /dbfs/<path> routes
 *   handles.c    DBFS streaming-upload handles (create / add-block / close) and their reaper
 *   artifacts.c  the MLflow artifact proxy (/api/2.0/mlflow-artifacts/...)
 *   uri.c        the artifact-URI interface of workspace.h
 *   notebook.c   the notebook source parser (notebook.h, public through workspace.h)
 *   ws_store.c   the Workspace API's tree: workspace paths, objects in SQLite, contents
 *                inline or in files, special folders, the permission hooks
 *   ws_objects.c the Workspace API's REST handlers (/api/2.0/workspace/...)
 *   workspace.c  the area: state, start-up, route table
 *
 * On disk: DATA_DIR/dbfs/ is the DBFS root; its entry .lh-staging/ holds uploads in flight
 * (emptied at start). DATA_DIR/mlflow-artifacts/ is the proxy's object store; its entry
 * .tmp-mpu/<upload_id>/ holds multipart uploads in flight. Names starting with ".lh-" or
 * ".tmp-" are reserved in both roots: never listed, never addressable.
 * DATA_DIR/workspace/objects/ holds the contents of workspace objects too large to keep
 * inline in meta.db (ws_objects rows name them); .tmp-* there are writes in flight.
 */
#ifndef LH_API_WORKSPACE_INTERNAL_H
#define LH_API_WORKSPACE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "api/api.h"
#include "api/workspace/workspace.h"
#include "common/arena.h"
#include "storage/objstore/objstore.h"

/* ---- bounds (each with its reason) ---- */
/* DBFS inline contents (put) and blocks (add-block, read): Databricks' own 1 MB cap. */
#define WS_DBFS_BLOCK_MAX (1024 * 1024)
/* dbfs/read without length: Databricks' default of 0.5 MB. */
#define WS_DBFS_READ_DEFAULT (512 * 1024)
/* A JSON dbfs/put body: 1 MB of base64 contents (4/3) plus the other fields. */
#define WS_DBFS_PUT_JSON_MAX (WS_DBFS_BLOCK_MAX / 3 * 4 + 64 * 1024)
/* A buffered add-block body: the same base64 block plus its handle. */
#define WS_DBFS_ADD_BLOCK_BODY_MAX WS_DBFS_PUT_JSON_MAX
/* Streaming handles idle this many "minutes" (config test_minute_ms) expire (Databricks: 10). */
#define WS_HANDLE_IDLE_MINUTES 10
/* Open handles: per principal and in all; more is a client leaking them (429). */
#define WS_HANDLES_PER_PRINCIPAL_MAX 256
#define WS_HANDLES_MAX               4096
/* A DBFS or artifact path: bytes in all and per segment (NAME_MAX), well inside PATH_MAX
 * once joined to the data dir. */
#define WS_PATH_MAX    3072
#define WS_SEGMENT_MAX 255
/* Multipart uploads: S3's part-count ceiling; an upload untouched this long is removed. */
#define WS_MPU_PARTS_MAX 10000
#define WS_MPU_IDLE_MS   (24LL * 3600 * 1000)
/* multipart/form-data: a part's header block, a non-file field's value, the boundary. */
#define WS_FORM_HEADERS_MAX  8192
#define WS_FORM_FIELD_MAX    8192
#define WS_FORM_BOUNDARY_MAX 200

/* Users whose home folder is known to exist: a direct-mapped cache, a miss costs one read. */
#define WS_HOME_SLOTS 256

/* Reserved entry names (temporaries and staging) in both roots. */
#define WS_STAGING_DIR ".lh-staging"
#define WS_MPU_DIR     ".tmp-mpu"
bool ws_reserved_name(const char *name, size_t bytes);

/* ---- the area's state (published as ctx->workspace) ---- */

typedef struct ws_handle ws_handle;

typedef struct lh_workspace {
    lh_ctx_t *ctx;
    char dbfs_root[4096];      /* DATA_DIR/dbfs */
    char artifacts_root[4096]; /* DATA_DIR/mlflow-artifacts */
    lh_objstore_t *artifacts;  /* the proxy's store, rooted at artifacts_root */
    int64_t minute_ms;         /* 60000, or config test_minute_ms */
    pthread_mutex_t mu;        /* guards the handle list (a leaf lock) */
    ws_handle *handles;
    int handle_count;
    int64_t mpu_reaped_at_ms; /* last multipart-staging sweep */
    struct lh_bg_timer *reaper;
    char objects_dir[4096];       /* DATA_DIR/workspace/objects: large workspace-object contents */
    int64_t homes[WS_HOME_SLOTS]; /* user ids whose home folder exists (guarded by mu) */
} lh_workspace_t;

lh_workspace_t *ws_of(const lh_req_t *req);

/* ---- paths (path.c) ---- */

/* A '/'-separated relative path checked segment by segment into its canonical form ("" = the
 * root; one trailing '/' tolerated): no empty, "." or ".." segments, no control characters
 * or NUL (in need not be NUL-terminated: in_bytes counts), no percent-encoded '.', '/' or '\'
 * ("%2e", "%2f",
 * "%5c", any case), no reserved names, bounded lengths. LH_E_INVALID naming the path. */
lh_err ws_rel_path(const char *in, size_t in_bytes, lh_arena_t *a, const char **rel, lh_errbuf *eb);

/* A DBFS path as the API takes it ("/x/y", "dbfs:/x/y", "dbfs:///x/y"): the canonical
 * absolute form ("/" = the root) and the relative one ("" = the root). */
lh_err ws_dbfs_path(const char *in, size_t in_bytes, lh_arena_t *a, const char **abs,
                    const char **rel, lh_errbuf *eb);

typedef enum ws_scheme { WS_DBFS, WS_MLFLOW_ARTIFACTS } ws_scheme;

/* An artifact URI (workspace.h): its scheme and canonical relative path. The authority of
 * "mlflow-artifacts://host/p" is ignored. Another scheme is LH_E_INVALID naming it. */
lh_err ws_uri_parse(const char *uri, lh_arena_t *a, ws_scheme *scheme, const char **rel,
                    lh_errbuf *eb);

/* The filesystem path of rel under root, refusing (LH_E_INVALID) any existing component
 * that is a symbolic link; components that do not exist yet are fine. */
lh_err ws_fs_resolve(const char *root, const char *rel, lh_arena_t *a, const char **fs,
                     lh_errbuf *eb);

/* Root directory of a scheme from the data dir (no state needed). */
const char *ws_root_dir(const lh_ctx_t *ctx, ws_scheme scheme, lh_arena_t *a);

/* Standard base64 (RFC 4648 section 4). decode accepts missing padding; LH_E_INVALID naming
 * `what` on a bad character. out needs (bytes / 4 + 1) * 3 bytes. */
lh_err ws_base64_decode(const char *in, size_t bytes, unsigned char *out, size_t *out_bytes,
                        const char *what, lh_errbuf *eb);
/* out needs 4 * ((bytes + 2) / 3) + 1 bytes; NUL-terminated. */
void ws_base64_encode(const unsigned char *in, size_t bytes, char *out);

/* ---- filesystem primitives (fsops.c); paths come from ws_fs_resolve ---- */

typedef struct ws_entry {
    const char *name;
    bool is_dir;
    uint64_t size_bytes;
    int64_t mtime_ms;
} ws_entry;

/* lstat: LH_E_NOT_FOUND when absent; LH_E_INVALID for a symlink. */
lh_err ws_fs_stat(const char *fs, struct stat *st, lh_errbuf *eb);
/* The entries of directory fs (reserved names skipped, symlinks left out), sorted by name,
 * in the arena. LH_E_NOT_FOUND when absent. */
lh_err ws_fs_list(const char *fs, lh_arena_t *a, ws_entry **entries, size_t *count, lh_errbuf *eb);
/* mkdir -p of rel under root. A file in the way: LH_E_INVALID with wire code
 * RESOURCE_ALREADY_EXISTS naming `shown` (the path as the caller spelled it). */
lh_err ws_fs_mkdirs(const char *root, const char *rel, lh_arena_t *a, const char *shown,
                    lh_errbuf *eb);
/* Remove fs (a file or a whole tree; symlinks removed, never followed). Missing is LH_OK. */
lh_err ws_fs_remove_tree(const char *fs, lh_errbuf *eb);
/* fsync the directory holding fs. */
void ws_fs_sync_parent(const char *fs);
/* Move the complete staged file tmp to dst (whose parent exists): rename when overwrite
 * (replacing a file), link + unlink otherwise. An existing directory at dst, or any file
 * without overwrite: LH_E_INVALID coded RESOURCE_ALREADY_EXISTS naming shown. tmp is gone
 * afterwards in every case. */
lh_err ws_fs_publish(const char *tmp, const char *dst, bool overwrite, const char *shown,
                     lh_errbuf *eb);
/* Copy the file or tree src to dst, complete or absent: built under a temporary name beside
 * dst, fsynced, then swapped into place (replacing what was there). */
lh_err ws_fs_copy_tree(const char *src, const char *dst, lh_errbuf *eb);
/* Write all of buf to fd. */
lh_err ws_fs_write_all(int fd, const void *buf, size_t bytes, lh_errbuf *eb);
/* A fresh staging file in dir (created if missing): *fd open for writing, *path its name. */
lh_err ws_fs_stage(const char *dir, lh_arena_t *a, int *fd, const char **path, lh_errbuf *eb);

/* ---- multipart/form-data (multipart.c) ---- */

typedef struct ws_form_cb {
    /* a part starts: name and filename (NULL when absent) are NUL-terminated, valid only
     * during the call */
    lh_err (*begin)(void *arg, const char *name, const char *filename, lh_errbuf *eb);
    lh_err (*data)(void *arg, const char *bytes, size_t n, lh_errbuf *eb);
    lh_err (*end)(void *arg, lh_errbuf *eb);
} ws_form_cb;

typedef struct ws_form ws_form;

/* The boundary parameter of a Content-Type header ("multipart/form-data; boundary=..."),
 * quoted or not, into the arena. LH_E_INVALID when the type is not multipart/form-data or
 * the boundary is missing, empty or too long. */
lh_err ws_form_boundary(const char *content_type, lh_arena_t *a, const char **boundary,
                        lh_errbuf *eb);
/* A parser over one body (malloc'd; free with ws_form_free). */
ws_form *ws_form_new(const char *boundary, const ws_form_cb *cb, void *arg);
void ws_form_free(ws_form *f);
/* Feed the next bytes (any split). A malformed body is LH_E_MALFORMED; callback errors
 * are returned as they are. After an error the parser refuses further input. */
lh_err ws_form_feed(ws_form *f, const char *bytes, size_t n, lh_errbuf *eb);
/* The body ended: LH_E_MALFORMED unless the closing boundary was seen. */
lh_err ws_form_finish(ws_form *f, lh_errbuf *eb);

/* ---- handlers ---- */

lh_err ws_require_access(lh_req_t *req, lh_errbuf *eb);
/* 400 with a specific wire code (RESOURCE_ALREADY_EXISTS, IO_ERROR, MAX_BLOCK_SIZE_EXCEEDED...). */
#define WS_FAIL_CODE(eb, code, ...)                                                                \
    return lh_err_set_code((eb), LH_E_INVALID, code, __FILE__, __LINE__, __VA_ARGS__)

lh_err ws_h_dbfs_list(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_dbfs_get_status(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_dbfs_mkdirs(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_dbfs_delete(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_dbfs_move(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_dbfs_put(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_dbfs_read(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_dbfs_raw_get(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_dbfs_raw_put(lh_req_t *req, lh_errbuf *eb);

/* DBFS helpers shared by dbfs.c and handles.c. */
/* The DBFS path in params[key]: canonical absolute and relative forms, and the local path. */
lh_err ws_dbfs_param_path(lh_req_t *req, const json_t *params, const char *key, const char **abs,
                          const char **rel, const char **fs, lh_errbuf *eb);
/* Refuse early what publishing would: a directory at fs, or a file without overwrite. */
lh_err ws_dbfs_check_target(const char *fs, const char *abs, bool overwrite, lh_errbuf *eb);
/* A new staging file under DATA_DIR/dbfs/.lh-staging (name in a). */
lh_err ws_dbfs_stage(lh_workspace_t *ws, lh_arena_t *a, int *fd, const char **tmp, lh_errbuf *eb);
/* fsync and close fd (always), then publish tmp at rel (parents created); tmp is gone
 * afterwards whatever happens. */
lh_err ws_dbfs_commit(lh_workspace_t *ws, int fd, const char *tmp, const char *abs, const char *rel,
                      bool overwrite, lh_arena_t *a, lh_errbuf *eb);

lh_err ws_h_dbfs_create(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_dbfs_add_block(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_dbfs_close(lh_req_t *req, lh_errbuf *eb);
void ws_handles_reap(lh_workspace_t *ws, int64_t now_ms);
void ws_handles_destroy(lh_workspace_t *ws);

lh_err ws_h_art_list(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_art_get(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_art_put(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_art_delete(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_mpu_create(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_mpu_part(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_mpu_complete(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_mpu_abort(lh_req_t *req, lh_errbuf *eb);
void ws_mpu_reap(lh_workspace_t *ws, int64_t now_ms);

/* ---- the Workspace API (ws_store.c, ws_objects.c) ---- */

/* An import's content: Databricks' 10 MB (MAX_NOTEBOOK_SIZE_EXCEEDED beyond). */
#define WS_OBJECT_MAX (10 * 1024 * 1024)
/* A JSON import body: the base64 content (4/3) plus the other fields. */
#define WS_IMPORT_JSON_MAX (WS_OBJECT_MAX / 3 * 4 + 64 * 1024)
/* Contents up to this size live inline in meta.db; larger ones in a file of their own. */
#define WS_INLINE_MAX (64 * 1024)
/* A workspace path: bytes in all and per segment. */
#define WS_OBJ_PATH_MAX    4096
#define WS_OBJ_SEGMENT_MAX 255

typedef enum ws_kind { WS_DIRECTORY, WS_NOTEBOOK, WS_FILE } ws_kind;

/* One workspace object (a ws_objects row). Strings are arena-owned. */
typedef struct ws_obj {
    int64_t object_id;
    int64_t parent_id; /* 0 for the root */
    const char *path;
    ws_kind kind;
    const char *language; /* notebooks: "SQL" "PYTHON" "SCALA" "R"; else NULL */
    int64_t size_bytes;
    int64_t created_at, modified_at; /* ms */
    int64_t created_by;              /* user id, 0 = the system */
    const char *content_file;        /* under objects_dir, or NULL (inline) */
    const unsigned char *content;    /* inline content (when loaded with content) */
    size_t content_bytes;
} ws_obj;

/* "DIRECTORY" / "NOTEBOOK" / "FILE"; the permission type path ("directories", "notebooks",
 * "files"). */
const char *ws_kind_name(ws_kind k);
const char *ws_kind_perm(ws_kind k);

/* A workspace path as the API takes it into its canonical form: absolute, no empty, "." or
 * ".." segments (one trailing '/' tolerated), no control characters, bounded lengths; a
 * leading "/Workspace" (the workspace filesystem's mount) is dropped. LH_E_INVALID naming
 * the path. */
lh_err ws_obj_path(const char *in, lh_arena_t *a, const char **path, lh_errbuf *eb);
/* The parent of a canonical path ("/" for "/x"; NULL for "/"), in a. */
const char *ws_obj_parent(const char *path, lh_arena_t *a);

/* Look an object up by path / id. with_content loads inline content. LH_E_NOT_FOUND
 * ("Path (<path>) doesn't exist.") when absent. */
lh_err ws_store_get(lh_workspace_t *ws, const char *path, bool with_content, lh_arena_t *a,
                    ws_obj *out, lh_errbuf *eb);
lh_err ws_store_get_id(lh_workspace_t *ws, int64_t object_id, bool with_content, lh_arena_t *a,
                       ws_obj *out, lh_errbuf *eb);
/* The children of directory parent_id, sorted by name. */
lh_err ws_store_list(lh_workspace_t *ws, int64_t parent_id, lh_arena_t *a, ws_obj **objs,
                     size_t *count, lh_errbuf *eb);
/* mkdir -p in one transaction; the directories made (ids) for their ownership. An object
 * that is not a directory on the way: 400 RESOURCE_ALREADY_EXISTS. */
lh_err ws_store_mkdirs(lh_workspace_t *ws, const char *path, int64_t creator, lh_arena_t *a,
                       int64_t **created, size_t *created_count, lh_errbuf *eb);

/* Create or replace a notebook or file at path, in one transaction (content staged to a
 * file first when larger than WS_INLINE_MAX). The parent must be an existing directory
 * (404 "The parent folder (...) does not exist."); an existing object needs overwrite
 * (400 RESOURCE_ALREADY_EXISTS; always for a directory). Replacing an object of the same
 * kind keeps its object_id; another kind is a new object (old id in *replaced_id). */
typedef struct ws_put {
    const char *path;
    ws_kind kind;
    const char *language;
    const unsigned char *content;
    size_t content_bytes;
    bool overwrite;
    int64_t creator;
} ws_put;
lh_err ws_store_put(lh_workspace_t *ws, const ws_put *put, int64_t *object_id, bool *created,
                    int64_t *replaced_id, ws_kind *replaced_kind, lh_errbuf *eb);

/* Delete path (recursive for a non-empty directory: else 400 DIRECTORY_NOT_EMPTY) in one
 * transaction; the objects removed (ids and kinds, for their permissions). */
lh_err ws_store_delete(lh_workspace_t *ws, const char *path, bool recursive, lh_arena_t *a,
                       ws_obj **deleted, size_t *count, lh_errbuf *eb);

/* The full path of an object's content file (content_file set). */
const char *ws_store_content_path(lh_workspace_t *ws, const ws_obj *o, lh_arena_t *a);
/* The whole content of a notebook or file into the arena (inline or from its file). */
lh_err ws_store_read_content(lh_workspace_t *ws, const ws_obj *o, lh_arena_t *a,
                             const unsigned char **bytes, size_t *count, lh_errbuf *eb);

/* Make sure "/Users/<name>" exists for user user_id (owner: that user). Cheap once done. */
lh_err ws_store_home(lh_workspace_t *ws, int64_t user_id, const char *name, lh_errbuf *eb);
/* For a path under "/Users/<name>/..": create that home folder when <name> is a user (or a
 * service principal's application id) that has none yet. */
lh_err ws_store_home_for_path(lh_workspace_t *ws, const char *path, lh_errbuf *eb);
/* Start-up: the root, /Users and /Shared (all users CAN_MANAGE), content files no row
 * names removed, the permission hooks registered. */
lh_err ws_store_recover(lh_workspace_t *ws, lh_errbuf *eb);
/* At create: register the permission types (exists + parent functions). */
void ws_store_register_perm(lh_workspace_t *ws);

lh_err ws_h_ws_list(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_ws_get_status(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_ws_mkdirs(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_ws_delete(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_ws_import(lh_req_t *req, lh_errbuf *eb);
lh_err ws_h_ws_export(lh_req_t *req, lh_errbuf *eb);

/* The path after a route's fixed prefix: req->path past `segments` '/'-separated segments
 * ("" when nothing follows). */
const char *ws_path_tail(const lh_req_t *req, int segments);

#endif
