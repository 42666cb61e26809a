/*
 * ws_objects.c - the Workspace API (/api/2.0/workspace/...), Databricks' shapes and codes:
 *
 *   GET  list        ?path, notebooks_modified_after -> {objects: [ObjectInfo]} (key left
 *                    out when empty; a notebook or file lists itself; missing: 404)
 *   GET  get-status  ?path -> ObjectInfo {object_type, path, language, object_id,
 *                    resource_id, created_at, modified_at, size}
 *   POST mkdirs      {path}: mkdir -p; a notebook or file on the way: 400
 *                    RESOURCE_ALREADY_EXISTS
 *   POST delete      {path, recursive}: missing 404; a non-empty folder without recursive
 *                    400 DIRECTORY_NOT_EMPTY
 *   POST import      JSON {path, content (base64), format, language, overwrite} or
 *                    multipart/form-data (fields path, format, language, overwrite; a file
 *                    part `content`, the SDK's upload()); formats SOURCE (a notebook of
 *                    `language`), AUTO (a notebook when the first line is the notebook
 *                    header, its .py/.sql/.scala/.r extension dropped; else a file), RAW (a
 *                    file). The parent folder must exist (404); an existing path needs
 *                    overwrite (400 RESOURCE_ALREADY_EXISTS); content up to 10 MB (400
 *                    MAX_NOTEBOOK_SIZE_EXCEEDED)
 *   GET  export      ?path, format, direct_download -> {content (base64), file_type}, or with
 *                    direct_download=true the bytes themselves (the SDK's download())
 * Paths are absolute and canonical (ws_obj_path); "/Workspace/..." names the same tree.
 * Formats HTML, JUPYTER, DBC and R_MARKDOWN, and exporting a folder, are refused with 400
 * (not built).
 *
 * Permissions (Databricks' folder model, perm.h; notebooks, files and directories inherit
 * from their folder): listing any folder is allowed and shows what the caller can read;
 * get-status of a notebook or file and export need CAN_READ; overwriting needs CAN_EDIT on
 * the object; creating (import, mkdirs) needs CAN_MANAGE on the folder; delete needs
 * CAN_MANAGE on the object. The creator of an object holds CAN_MANAGE on it; each user's
 * home folder /Users/<name> is theirs; everyone holds CAN_MANAGE on /Shared; only admins
 * create at the root. Every call also needs the workspace-access entitlement.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "api/perm.h"
#include "api/workspace/workspace_internal.h"
#include "common/json.h"

enum { RANK_READ = 1, RANK_RUN = 2, RANK_EDIT = 3, RANK_MANAGE = 4 };
static const char *const LEVELS[] = {"", "CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"};

/* ---- shared steps ---- */

static const char *who(const lh_req_t *req)
{
    return req->principal != NULL && req->principal->user_name != NULL ? req->principal->user_name
                                                                       : "caller";
}

/* Entitlement, then the caller's own home folder. */
static lh_err begin(lh_req_t *req, lh_errbuf *eb)
{
    LH_TRY(ws_require_access(req, eb));
    if (req->principal != NULL)
        LH_TRY(ws_store_home(ws_of(req), req->principal->user_id, req->principal->user_name, eb));
    return LH_OK;
}

/* The canonical workspace path in params[key] (and the home folder it may name). */
static lh_err param_path(lh_req_t *req, const json_t *params, const char **path, lh_errbuf *eb)
{
    json_t *v = json_object_get(params, "path");
    LH_FAIL_IF(v == NULL || json_is_null(v), LH_E_INVALID, eb, "Missing required field: path");
    LH_FAIL_IF(!json_is_string(v), LH_E_INVALID, eb, "Field path must be a string");
    LH_FAIL_IF(strlen(json_string_value(v)) != json_string_length(v), LH_E_INVALID, eb,
               "Invalid path: NUL characters are not allowed");
    LH_TRY(ws_obj_path(json_string_value(v), req->arena, path, eb));
    return ws_store_home_for_path(ws_of(req), *path, eb);
}

static const char *id_text(lh_req_t *req, int64_t id)
{
    return lh_arena_sprintf(req->arena, "%lld", (long long)id);
}

/* The caller's level on o (inherited from its folders; admins: CAN_MANAGE). */
static lh_err rank_of(lh_req_t *req, const ws_obj *o, int *rank, lh_errbuf *eb)
{
    if (req->ctx->perm == NULL || req->principal == NULL) {
        *rank = RANK_MANAGE; /* unit contexts without identity */
        return LH_OK;
    }
    return lh_perm_rank_of(req->ctx, req->principal, ws_kind_perm(o->kind),
                           id_text(req, o->object_id), rank, eb);
}

static lh_err require(lh_req_t *req, const ws_obj *o, int need, lh_errbuf *eb)
{
    int have = 0;
    LH_TRY(rank_of(req, o, &have, eb));
    LH_FAIL_IF(have < need, LH_E_PERMISSION, eb, "%s does not have %s permission on %s (%s %lld)",
               who(req), LEVELS[need], o->path, ws_kind_name(o->kind), (long long)o->object_id);
    return LH_OK;
}

static json_t *object_info(const ws_obj *o)
{
    json_t *j = json_object();
    lh_json_set_str(j, "object_type", ws_kind_name(o->kind));
    lh_json_set_str(j, "path", o->path);
    lh_json_set_int(j, "object_id", o->object_id);
    json_object_set_new(j, "resource_id", json_sprintf("%lld", (long long)o->object_id));
    if (o->kind == WS_NOTEBOOK)
        lh_json_set_str(j, "language", o->language);
    if (o->kind != WS_DIRECTORY) {
        lh_json_set_int(j, "created_at", o->created_at);
        lh_json_set_int(j, "modified_at", o->modified_at);
    }
    if (o->kind == WS_FILE)
        lh_json_set_int(j, "size", o->size_bytes);
    return j;
}

/* ---- list, get-status, mkdirs, delete ---- */

lh_err ws_h_ws_get_status(lh_req_t *req, lh_errbuf *eb)
{
    const char *path;
    ws_obj o;
    LH_TRY(begin(req, eb));
    LH_TRY(param_path(req, req->params, &path, eb));
    LH_TRY(ws_store_get(ws_of(req), path, false, req->arena, &o, eb));
    if (o.kind != WS_DIRECTORY) /* folders are visible to all, as their listings are */
        LH_TRY(require(req, &o, RANK_READ, eb));
    req->out = object_info(&o);
    return LH_OK;
}

lh_err ws_h_ws_list(lh_req_t *req, lh_errbuf *eb)
{
    const char *path;
    ws_obj dir, *kids;
    size_t n = 0;
    int64_t after = 0;
    int dir_rank = 0;
    LH_TRY(begin(req, eb));
    LH_TRY(param_path(req, req->params, &path, eb));
    LH_TRY(lh_json_get_int(req->params, "notebooks_modified_after", LH_OPTIONAL, &after, eb));
    LH_TRY(ws_store_get(ws_of(req), path, false, req->arena, &dir, eb));
    json_t *objects = json_array();
    req->out = json_object();
    json_object_set_new(req->out, "objects", objects);
    if (dir.kind != WS_DIRECTORY) {
        LH_TRY(require(req, &dir, RANK_READ, eb));
        json_array_append_new(objects, object_info(&dir));
        return LH_OK;
    }
    LH_TRY(ws_store_list(ws_of(req), dir.object_id, req->arena, &kids, &n, eb));
    LH_TRY(rank_of(req, &dir, &dir_rank, eb));
    for (size_t i = 0; i < n; i++) {
        int r = dir_rank; /* grants only add up: a readable folder's objects are readable */
        if (r < RANK_READ)
            LH_TRY(rank_of(req, &kids[i], &r, eb));
        if (r < RANK_READ)
            continue;
        if (after > 0 && kids[i].kind == WS_NOTEBOOK && kids[i].modified_at <= after)
            continue;
        json_array_append_new(objects, object_info(&kids[i]));
    }
    if (json_array_size(objects) == 0)
        json_object_del(req->out, "objects");
    return LH_OK;
}

/* The nearest existing object at or above path. */
static lh_err nearest(lh_req_t *req, const char *path, ws_obj *o, lh_errbuf *eb)
{
    for (const char *p = path; p != NULL; p = ws_obj_parent(p, req->arena)) {
        lh_errbuf inner;
        lh_err e = ws_store_get(ws_of(req), p, false, req->arena, o, &inner);
        if (e == LH_OK)
            return LH_OK;
        LH_FAIL_IF(e != LH_E_NOT_FOUND, e, eb, "%s", inner.msg);
    }
    LH_FAIL(LH_E_INTERNAL, eb, "the workspace root is missing");
}

/* Record the caller as owner of new objects (the creator holds CAN_MANAGE). */
static lh_err own(lh_req_t *req, const char *perm_type, int64_t id, lh_errbuf *eb)
{
    if (req->ctx->perm == NULL)
        return LH_OK;
    return lh_perm_on_create(req->ctx, req->principal, perm_type, id_text(req, id), eb);
}

lh_err ws_h_ws_mkdirs(lh_req_t *req, lh_errbuf *eb)
{
    const char *path;
    ws_obj o;
    LH_TRY(begin(req, eb));
    LH_TRY(param_path(req, req->params, &path, eb));
    LH_TRY(nearest(req, path, &o, eb));
    if (strcmp(o.path, path) == 0 && o.kind == WS_DIRECTORY)
        return LH_OK; /* already there: nothing to do */
    if (o.kind != WS_DIRECTORY)
        WS_FAIL_CODE(eb, "RESOURCE_ALREADY_EXISTS",
                     "Cannot create directory %s: %s exists and is a %s", path, o.path,
                     o.kind == WS_NOTEBOOK ? "notebook" : "file");
    LH_TRY(require(req, &o, RANK_MANAGE, eb));
    int64_t *created;
    size_t n = 0;
    int64_t creator = req->principal != NULL ? req->principal->user_id : 0;
    LH_TRY(ws_store_mkdirs(ws_of(req), path, creator, req->arena, &created, &n, eb));
    for (size_t i = 0; i < n; i++)
        LH_TRY(own(req, "directories", created[i], eb));
    return LH_OK;
}

static bool special_folder(const char *path)
{
    return strcmp(path, "/") == 0 || strcmp(path, "/Users") == 0 || strcmp(path, "/Shared") == 0;
}

lh_err ws_h_ws_delete(lh_req_t *req, lh_errbuf *eb)
{
    const char *path;
    bool recursive = false;
    ws_obj o, *gone;
    size_t n = 0;
    LH_TRY(begin(req, eb));
    LH_TRY(param_path(req, req->params, &path, eb));
    LH_TRY(lh_json_get_bool(req->params, "recursive", LH_OPTIONAL, &recursive, eb));
    LH_FAIL_IF(special_folder(path), LH_E_INVALID, eb, "The folder %s cannot be deleted", path);
    LH_TRY(ws_store_get(ws_of(req), path, false, req->arena, &o, eb));
    LH_TRY(require(req, &o, RANK_MANAGE, eb));
    lh_workspace_t *ws = ws_of(req);
    LH_TRY(ws_store_delete(ws, path, recursive, req->arena, &gone, &n, eb));
    bool home = false;
    for (size_t i = 0; i < n; i++) {
        home = home || (strncmp(gone[i].path, "/Users/", 7) == 0 && !strchr(gone[i].path + 7, '/'));
        if (req->ctx->perm != NULL)
            LH_TRY(lh_perm_on_delete(req->ctx, ws_kind_perm(gone[i].kind),
                                     id_text(req, gone[i].object_id), eb));
    }
    if (home) { /* a home folder went: make it again on its user's next call */
        pthread_mutex_lock(&ws->mu);
        memset(ws->homes, 0, sizeof ws->homes);
        pthread_mutex_unlock(&ws->mu);
    }
    return LH_OK;
}

/* ---- import ---- */

static const char *const UNBUILT_FORMATS[] = {"HTML", "JUPYTER", "DBC", "R_MARKDOWN"};

static lh_err check_format(const char *format, lh_errbuf *eb)
{
    if (strcmp(format, "SOURCE") == 0 || strcmp(format, "AUTO") == 0 || strcmp(format, "RAW") == 0)
        return LH_OK;
    for (size_t i = 0; i < sizeof UNBUILT_FORMATS / sizeof UNBUILT_FORMATS[0]; i++)
        LH_FAIL_IF(strcmp(format, UNBUILT_FORMATS[i]) == 0, LH_E_UNSUPPORTED, eb,
                   "The %s format is not supported by this Lakehouse build: use SOURCE, AUTO or "
                   "RAW",
                   format);
    LH_FAIL(LH_E_INVALID, eb,
            "Invalid format '%.32s': expected SOURCE, HTML, JUPYTER, DBC, R_MARKDOWN, AUTO or RAW",
            format);
}

/* The language of a source extension (".py" PYTHON, ".sql" SQL, ".scala" SCALA, ".r"/".R"
 * R), or NULL; *ext_bytes its length. */
static const char *ext_language(const char *path, size_t *ext_bytes)
{
    static const char *const map[][2] = {
        {".py", "PYTHON"}, {".sql", "SQL"}, {".scala", "SCALA"}, {".r", "R"}, {".R", "R"}};
    const char *dot = strrchr(path, '.');
    if (dot == NULL || strchr(dot, '/') != NULL || dot[-1] == '/')
        return NULL;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(dot, map[i][0]) == 0) {
            *ext_bytes = strlen(dot);
            return map[i][1];
        }
    return NULL;
}

/* Of two languages, `want` when it shares `have`'s comment style (R over PYTHON), else have. */
static const char *prefer(const char *want, const char *have)
{
    const char *a = lh_notebook_comment(want), *b = lh_notebook_comment(have);
    return a != NULL && b != NULL && strcmp(a, b) == 0 ? want : have;
}

/* Decide what the import makes: put->kind, put->language, put->path. */
static lh_err shape_import(lh_req_t *req, const char *format, const char *language, ws_put *put,
                           lh_errbuf *eb)
{
    const char *header =
        lh_notebook_header_language((const char *)put->content, put->content_bytes);
    if (strcmp(format, "RAW") == 0) {
        put->kind = WS_FILE;
        return LH_OK;
    }
    if (strcmp(format, "SOURCE") == 0) {
        put->kind = WS_NOTEBOOK;
        put->language = language != NULL ? language : header;
        LH_FAIL_IF(put->language == NULL, LH_E_INVALID, eb,
                   "The language field is required to import %s as a SOURCE notebook (or use "
                   "format AUTO)",
                   put->path);
        return LH_OK;
    }
    if (header == NULL) { /* AUTO: anything without the notebook header is a file */
        put->kind = WS_FILE;
        return LH_OK;
    }
    size_t ext_bytes = 0;
    const char *ext = ext_language(put->path, &ext_bytes);
    put->kind = WS_NOTEBOOK;
    put->language = prefer(ext != NULL ? ext : language, header);
    if (ext != NULL)
        put->path = lh_arena_strndup(req->arena, put->path, strlen(put->path) - ext_bytes);
    return LH_OK;
}

/* Permission for the import: CAN_EDIT to overwrite (CAN_MANAGE when the kind changes),
 * CAN_MANAGE on the folder to create. */
static lh_err authorize_import(lh_req_t *req, const ws_put *put, lh_errbuf *eb)
{
    ws_obj o;
    lh_errbuf inner;
    lh_err e = ws_store_get(ws_of(req), put->path, false, req->arena, &o, &inner);
    if (e == LH_OK) {
        if (o.kind == WS_DIRECTORY || !put->overwrite)
            WS_FAIL_CODE(eb, "RESOURCE_ALREADY_EXISTS", "Path (%s) already exists.", put->path);
        return require(req, &o, o.kind == put->kind ? RANK_EDIT : RANK_MANAGE, eb);
    }
    LH_FAIL_IF(e != LH_E_NOT_FOUND, e, eb, "%s", inner.msg);
    const char *parent = ws_obj_parent(put->path, req->arena);
    LH_FAIL_IF(parent == NULL, LH_E_INVALID, eb, "Cannot import over the workspace root");
    e = ws_store_get(ws_of(req), parent, false, req->arena, &o, &inner);
    LH_FAIL_IF(e == LH_E_NOT_FOUND, e, eb, "The parent folder (%s) does not exist.", parent);
    LH_FAIL_IF(e != LH_OK, e, eb, "%s", inner.msg);
    return require(req, &o, RANK_MANAGE, eb);
}

/* The import itself, once the body is in: params (query + body fields) and the content. */
static lh_err do_import(lh_req_t *req, json_t *params, const unsigned char *content, size_t n,
                        lh_errbuf *eb)
{
    const char *format = "SOURCE", *language = NULL;
    ws_put put = {0};
    LH_TRY(begin(req, eb));
    LH_TRY(param_path(req, params, &put.path, eb));
    LH_TRY(lh_json_get_str(params, "format", LH_OPTIONAL, &format, eb));
    LH_TRY(lh_json_get_str(params, "language", LH_OPTIONAL, &language, eb));
    LH_TRY(lh_json_get_bool(params, "overwrite", LH_OPTIONAL, &put.overwrite, eb));
    LH_TRY(check_format(format, eb));
    LH_FAIL_IF(language != NULL && lh_notebook_comment(language) == NULL, LH_E_INVALID, eb,
               "Invalid language '%.32s': expected PYTHON, SQL, SCALA or R", language);
    if (n > WS_OBJECT_MAX)
        WS_FAIL_CODE(eb, "MAX_NOTEBOOK_SIZE_EXCEEDED",
                     "The content is %zu bytes; at most %d bytes can be imported", n,
                     WS_OBJECT_MAX);
    LH_FAIL_IF(strcmp(put.path, "/") == 0, LH_E_INVALID, eb,
               "Cannot import over the workspace root");
    put.content = content;
    put.content_bytes = n;
    put.creator = req->principal != NULL ? req->principal->user_id : 0;
    LH_TRY(shape_import(req, format, language, &put, eb));
    if (put.kind != WS_NOTEBOOK)
        put.language = NULL;
    LH_TRY(authorize_import(req, &put, eb));
    int64_t id = 0, replaced = 0;
    bool created = false;
    ws_kind replaced_kind = WS_FILE;
    LH_TRY(ws_store_put(ws_of(req), &put, &id, &created, &replaced, &replaced_kind, eb));
    if (replaced > 0 && req->ctx->perm != NULL)
        LH_TRY(
            lh_perm_on_delete(req->ctx, ws_kind_perm(replaced_kind), id_text(req, replaced), eb));
    if (created)
        LH_TRY(own(req, ws_kind_perm(put.kind), id, eb));
    return LH_OK;
}

typedef struct import_sink {
    lh_req_t *req;
    char *buf; /* the JSON body, or the content part */
    size_t bytes;
    ws_form *form;
    json_t *fields; /* the small form fields */
    const char *field;
    size_t field_bytes;
    bool in_content, has_content;
} import_sink;

static void import_cleanup(void *arg)
{
    import_sink *s = arg;
    free(s->buf);
    s->buf = NULL;
    if (s->form != NULL)
        ws_form_free(s->form);
    s->form = NULL;
    json_decref(s->fields);
    s->fields = NULL;
}

static void import_abort(void *arg)
{
    import_cleanup(arg);
}

static lh_err append(import_sink *s, const char *data, size_t n, size_t max, lh_errbuf *eb)
{
    if (s->bytes + n > max)
        WS_FAIL_CODE(eb, "MAX_NOTEBOOK_SIZE_EXCEEDED",
                     "The import is too large: at most %d bytes of content can be imported",
                     WS_OBJECT_MAX);
    char *grown = realloc(s->buf, s->bytes + n + 1);
    LH_FAIL_IF(grown == NULL, LH_E_NOMEM, eb, "out of memory");
    s->buf = grown;
    memcpy(s->buf + s->bytes, data, n);
    s->bytes += n;
    return LH_OK;
}

/* Body fields win over query parameters, as for buffered routes. */
static json_t *merged(lh_req_t *req, const json_t *body)
{
    json_t *m = json_deep_copy(req->params);
    if (m == NULL)
        m = json_object();
    if (json_is_object(body))
        json_object_update(m, (json_t *)body);
    lh_arena_defer(req->arena, (void (*)(void *))json_decref, m);
    return m;
}

static lh_err json_write(void *arg, const char *data, size_t n, lh_errbuf *eb)
{
    return append(arg, data, n, WS_IMPORT_JSON_MAX, eb);
}

static lh_err json_finish(void *arg, lh_req_t *req, lh_errbuf *eb)
{
    import_sink *s = arg;
    json_error_t jerr;
    json_t *body = s->bytes > 0 ? json_loadb(s->buf, s->bytes, 0, &jerr) : json_object();
    LH_FAIL_IF(body == NULL || !json_is_object(body), LH_E_MALFORMED, eb,
               "The request body is not a JSON object");
    json_t *params = merged(req, body);
    json_decref(body);
    const char *b64 = "";
    LH_TRY(lh_json_get_str(params, "content", LH_OPTIONAL, &b64, eb));
    size_t b64_bytes = strlen(b64);
    unsigned char *content = lh_arena_alloc(req->arena, b64_bytes / 4 * 3 + 3);
    size_t n = 0;
    LH_TRY(ws_base64_decode(b64, b64_bytes, content, &n, "content", eb));
    return do_import(req, params, content, n, eb);
}

static const lh_body_sink_t json_sink = {json_write, json_finish, import_abort};

static lh_err form_begin(void *arg, const char *name, const char *filename, lh_errbuf *eb)
{
    import_sink *s = arg;
    (void)filename;
    if (strcmp(name, "content") == 0) {
        LH_FAIL_IF(s->has_content, LH_E_INVALID, eb, "The form has more than one content part");
        s->in_content = s->has_content = true;
        return LH_OK;
    }
    LH_FAIL_IF(json_object_size(s->fields) >= 16, LH_E_INVALID, eb, "Too many form fields");
    s->field = lh_arena_strdup(s->req->arena, name);
    s->field_bytes = 0;
    json_object_set_new(s->fields, s->field, json_string(""));
    return LH_OK;
}

static lh_err form_data(void *arg, const char *bytes, size_t n, lh_errbuf *eb)
{
    import_sink *s = arg;
    if (s->in_content)
        return append(s, bytes, n, WS_OBJECT_MAX, eb);
    LH_FAIL_IF(s->field_bytes + n > WS_FORM_FIELD_MAX, LH_E_INVALID, eb,
               "The form field %s is longer than %d bytes", s->field, WS_FORM_FIELD_MAX);
    const char *old = json_string_value(json_object_get(s->fields, s->field));
    char *joined = lh_arena_alloc(s->req->arena, s->field_bytes + n + 1);
    memcpy(joined, old, s->field_bytes);
    memcpy(joined + s->field_bytes, bytes, n);
    s->field_bytes += n;
    joined[s->field_bytes] = '\0';
    json_object_set_new(s->fields, s->field, json_stringn_nocheck(joined, s->field_bytes));
    return LH_OK;
}

static lh_err form_end(void *arg, lh_errbuf *eb)
{
    import_sink *s = arg;
    (void)eb;
    s->in_content = false;
    return LH_OK;
}

static const ws_form_cb form_cb = {form_begin, form_data, form_end};

static lh_err form_write(void *arg, const char *data, size_t n, lh_errbuf *eb)
{
    import_sink *s = arg;
    return ws_form_feed(s->form, data, n, eb);
}

static lh_err form_finish(void *arg, lh_req_t *req, lh_errbuf *eb)
{
    import_sink *s = arg;
    LH_TRY(ws_form_finish(s->form, eb));
    json_t *params = merged(req, s->fields);
    return do_import(req, params, (const unsigned char *)s->buf, s->bytes, eb);
}

static const lh_body_sink_t form_sink = {form_write, form_finish, import_abort};

lh_err ws_h_ws_import(lh_req_t *req, lh_errbuf *eb)
{
    LH_TRY(ws_require_access(req, eb));
    const char *ct = req->header(req, "Content-Type");
    import_sink *s = lh_arena_calloc(req->arena, 1, sizeof *s);
    s->req = req;
    lh_arena_defer(req->arena, import_cleanup, s);
    if (ct != NULL && strncasecmp(ct, "multipart/", 10) == 0) {
        const char *boundary;
        LH_TRY(ws_form_boundary(ct, req->arena, &boundary, eb));
        s->fields = json_object();
        s->form = ws_form_new(boundary, &form_cb, s);
        LH_FAIL_IF(s->form == NULL || s->fields == NULL, LH_E_NOMEM, eb, "out of memory");
        lh_req_stream_body(req, &form_sink, s);
        return LH_OK;
    }
    lh_req_stream_body(req, &json_sink, s);
    return LH_OK;
}

/* ---- export ---- */

static const char *file_type(const ws_obj *o)
{
    static const char *const map[][2] = {
        {"SQL", "sql"}, {"PYTHON", "py"}, {"SCALA", "scala"}, {"R", "r"}};
    if (o->kind == WS_NOTEBOOK) {
        for (size_t i = 0; o->language != NULL && i < 4; i++)
            if (strcmp(map[i][0], o->language) == 0)
                return map[i][1];
        return NULL;
    }
    const char *base = strrchr(o->path, '/') + 1, *dot = strrchr(base, '.');
    return dot != NULL && dot != base && dot[1] != '\0' ? dot + 1 : NULL;
}

/* A notebook exported as SOURCE starts with its header, whatever was imported. */
static const char *source_header(const ws_obj *o, const unsigned char *bytes, size_t n,
                                 lh_arena_t *a)
{
    if (o->kind != WS_NOTEBOOK || lh_notebook_header_language((const char *)bytes, n) != NULL)
        return NULL;
    const char *c = lh_notebook_comment(o->language);
    return c != NULL ? lh_arena_sprintf(a, "%s Databricks notebook source\n", c) : NULL;
}

static const char *download_name(lh_req_t *req, const ws_obj *o)
{
    const char *base = strrchr(o->path, '/') + 1, *ext = file_type(o);
    if (o->kind == WS_NOTEBOOK && ext != NULL)
        base = lh_arena_sprintf(req->arena, "%s.%s", base, ext);
    char *safe = lh_arena_strdup(req->arena, base);
    for (char *p = safe; *p != '\0'; p++)
        if (*p == '"' || *p == '\\' || (unsigned char)*p >= 0x7f)
            *p = '_';
    return lh_arena_sprintf(req->arena, "attachment; filename=\"%s\"", safe);
}

/* direct_download: the bytes as the body (a file's content straight from its file). */
static lh_err send_raw(lh_req_t *req, const ws_obj *o, bool raw, lh_errbuf *eb)
{
    lh_workspace_t *ws = ws_of(req);
    lh_req_add_header(req, "Content-Disposition", download_name(req, o));
    if (o->content_file != NULL && (raw || o->kind == WS_FILE)) {
        int fd = open(ws_store_content_path(ws, o, req->arena), O_RDONLY | O_CLOEXEC);
        LH_FAIL_IF(fd < 0, LH_E_CORRUPT, eb, "The content of %s is missing: %s", o->path,
                   strerror(errno));
        lh_req_send_file(req, fd, (uint64_t)o->size_bytes, "application/octet-stream");
        return LH_OK;
    }
    const unsigned char *bytes;
    size_t n;
    LH_TRY(ws_store_read_content(ws, o, req->arena, &bytes, &n, eb));
    const char *head = raw ? NULL : source_header(o, bytes, n, req->arena);
    size_t h = head != NULL ? strlen(head) : 0;
    char *body = lh_arena_alloc(req->arena, h + n + 1);
    if (h > 0)
        memcpy(body, head, h);
    if (n > 0)
        memcpy(body + h, bytes, n);
    req->text = body;
    req->text_bytes = h + n;
    req->content_type = "application/octet-stream";
    return LH_OK;
}

lh_err ws_h_ws_export(lh_req_t *req, lh_errbuf *eb)
{
    const char *path, *format = "SOURCE";
    bool direct = false;
    ws_obj o;
    LH_TRY(begin(req, eb));
    LH_TRY(param_path(req, req->params, &path, eb));
    LH_TRY(lh_json_get_str(req->params, "format", LH_OPTIONAL, &format, eb));
    LH_TRY(lh_json_get_bool(req->params, "direct_download", LH_OPTIONAL, &direct, eb));
    LH_TRY(check_format(format, eb));
    LH_TRY(ws_store_get(ws_of(req), path, false, req->arena, &o, eb));
    LH_TRY(require(req, &o, RANK_READ, eb));
    LH_FAIL_IF(o.kind == WS_DIRECTORY, LH_E_UNSUPPORTED, eb,
               "Exporting a folder (%s) is not supported by this Lakehouse build: export its "
               "notebooks and files one by one",
               path);
    bool raw = strcmp(format, "RAW") == 0;
    if (direct)
        return send_raw(req, &o, raw, eb);
    const unsigned char *bytes;
    size_t n;
    LH_TRY(ws_store_read_content(ws_of(req), &o, req->arena, &bytes, &n, eb));
    const char *head = raw ? NULL : source_header(&o, bytes, n, req->arena);
    size_t h = head != NULL ? strlen(head) : 0;
    unsigned char *all = lh_arena_alloc(req->arena, h + n + 1);
    if (h > 0)
        memcpy(all, head, h);
    if (n > 0)
        memcpy(all + h, bytes, n);
    char *b64 = lh_arena_alloc(req->arena, 4 * ((h + n + 2) / 3) + 1);
    ws_base64_encode(all, h + n, b64);
    req->out = json_object();
    lh_json_set_str(req->out, "content", b64);
    lh_json_set_str(req->out, "file_type", file_type(&o));
    return LH_OK;
}
