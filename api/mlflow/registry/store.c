/*
 * store.c - reading registered models and model versions from the metastore and rendering
 * them in MLflow's shapes (RegisteredModel, ModelVersion), plus the checks every handler
 * shares (names, versions, stages, tags, permissions) and the offset page tokens.
 *
 * Error texts follow MLflow's SQL store ("Registered Model with name=x not found",
 * "Model Version (name=x, version=1) not found"), which clients and users grep for.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "api/mlflow/registry/registry_internal.h"
#include "api/perm.h"
#include "common/json.h"

static const char *const STAGES[] = {"None", "Staging", "Production", "Archived"};
#define STAGE_COUNT 4

const char *rg_stage_canonical(const char *text)
{
    for (int i = 0; text != NULL && i < STAGE_COUNT; i++)
        if (strcasecmp(text, STAGES[i]) == 0)
            return STAGES[i];
    return NULL;
}

lh_err rg_stage_parse(const char *text, const char **stage, lh_errbuf *eb)
{
    *stage = rg_stage_canonical(text);
    LH_FAIL_IF(*stage == NULL, LH_E_INVALID, eb,
               "Invalid Model Version stage: %.100s. Value must be one of None, Staging, "
               "Production, Archived.",
               text ? text : "");
    return LH_OK;
}

lh_err rg_check_name(const char *what, const char *name, size_t max, lh_errbuf *eb)
{
    LH_FAIL_IF(name == NULL || *name == '\0', LH_E_INVALID, eb, "%s must be a non-empty string",
               what);
    LH_FAIL_IF(strlen(name) > max, LH_E_INVALID, eb, "%s must be at most %zu bytes long", what,
               max);
    return LH_OK;
}

lh_err rg_name_param(const json_t *params, const char **name, lh_errbuf *eb)
{
    LH_TRY(lh_json_get_str(params, "name", LH_REQUIRED, name, eb));
    return rg_check_name("Registered model name", *name, RG_NAME_MAX, eb);
}

lh_err rg_version_param(const json_t *params, int64_t *out, lh_errbuf *eb)
{
    json_t *v = json_object_get(params, "version");
    LH_FAIL_IF(v == NULL || json_is_null(v), LH_E_INVALID, eb,
               "Missing value for required parameter 'version'");
    lh_errbuf inner;
    LH_FAIL_IF(lh_json_as_int(v, "version", out, &inner) != LH_OK || *out < 1, LH_E_INVALID, eb,
               "Parameter 'version' must be an integer, got '%.64s'",
               json_is_string(v) ? json_string_value(v) : "?");
    return LH_OK;
}

lh_err rg_tags_param(const json_t *params, json_t **tags, lh_errbuf *eb)
{
    json_t *list = NULL;
    *tags = NULL;
    LH_TRY(lh_json_get_list(params, "tags", LH_OPTIONAL, &list, eb));
    size_t n = lh_json_list_size(list);
    LH_FAIL_IF(n > RG_TAGS_MAX, LH_E_INVALID, eb, "At most %d tags may be given", RG_TAGS_MAX);
    for (size_t i = 0; i < n; i++) {
        const json_t *t = lh_json_list_get(list, i);
        const char *key, *value = "";
        LH_FAIL_IF(!json_is_object(t), LH_E_INVALID, eb, "tags[%zu] must be an object {key, value}",
                   i);
        LH_TRY(lh_json_get_str(t, "key", LH_REQUIRED, &key, eb));
        LH_TRY(lh_json_get_str(t, "value", LH_OPTIONAL, &value, eb));
        LH_TRY(rg_check_name("Tag key", key, RG_TAG_KEY_MAX, eb));
        LH_FAIL_IF(strlen(value) > RG_TAG_VALUE_MAX, LH_E_INVALID, eb,
                   "Tag value for key '%s' exceeds %d bytes", key, RG_TAG_VALUE_MAX);
    }
    *tags = list;
    return LH_OK;
}

/* ---- page tokens ---- */

lh_err rg_page_offset(const char *token, int64_t *offset, lh_errbuf *eb)
{
    *offset = 0;
    if (token == NULL || *token == '\0')
        return LH_OK;
    size_t n = strlen(token);
    LH_FAIL_IF(n > 256 || n % 4 != 0, LH_E_INVALID, eb, "Invalid page token");
    unsigned char buf[200];
    int got = EVP_DecodeBlock(buf, (const unsigned char *)token, (int)n);
    LH_FAIL_IF(got < 0, LH_E_INVALID, eb, "Invalid page token");
    while (got > 0 && buf[got - 1] == '\0') /* padding decodes to NULs */
        got--;
    buf[got] = '\0';
    json_t *j = json_loads((const char *)buf, 0, NULL);
    json_t *o = json_object_get(j, "offset");
    bool ok = json_is_integer(o) && json_integer_value(o) >= 0;
    if (ok)
        *offset = json_integer_value(o);
    json_decref(j);
    LH_FAIL_IF(!ok, LH_E_INVALID, eb, "Invalid page token");
    return LH_OK;
}

const char *rg_page_token(lh_arena_t *arena, int64_t offset)
{
    char json[64];
    int n = snprintf(json, sizeof json, "{\"offset\": %lld}", (long long)offset);
    char *out = lh_arena_alloc(arena, 4 * ((size_t)n + 2) / 3 + 4);
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)json, n);
    return out;
}

/* ---- reading ---- */

static const char *dup(lh_arena_t *a, lh_stmt_t *st, int col)
{
    const char *t = lh_stmt_text(st, col);
    return t ? lh_arena_strdup(a, t) : NULL;
}

void rg_model_row(lh_stmt_t *st, lh_arena_t *a, rg_model *out)
{
    snprintf(out->id, sizeof out->id, "%s", lh_stmt_text(st, 0));
    out->name = dup(a, st, 1);
    out->description = dup(a, st, 2);
    out->user_id = dup(a, st, 3);
    out->creation_ms = lh_stmt_int(st, 4);
    out->updated_ms = lh_stmt_int(st, 5);
}

lh_err rg_model_find(lh_meta_t *m, const char *name, lh_arena_t *arena, rg_model *out,
                     lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT " RG_MODEL_COLS " FROM mlr_models WHERE name = ?", &st, eb));
    lh_stmt_bind_text(st, 1, name);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "Registered Model with name=%.300s not found", name);
    rg_model_row(st, arena, out);
    return LH_OK;
}

lh_err rg_model_by_id(lh_meta_t *m, const char *id, lh_arena_t *arena, rg_model *out, bool *found,
                      lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "SELECT " RG_MODEL_COLS " FROM mlr_models WHERE id = ?", &st, eb));
    lh_stmt_bind_text(st, 1, id);
    LH_TRY(lh_stmt_step(st, found, eb));
    if (*found)
        rg_model_row(st, arena, out);
    return LH_OK;
}

lh_err rg_model_reload(lh_meta_t *m, lh_arena_t *arena, rg_model *mo, lh_errbuf *eb)
{
    bool found;
    rg_model again;
    LH_TRY(rg_model_by_id(m, mo->id, arena, &again, &found, eb));
    LH_FAIL_IF(!found, LH_E_NOT_FOUND, eb, "Registered Model with name=%.300s not found", mo->name);
    *mo = again;
    return LH_OK;
}

#define VERSION_COLS                                                                               \
    "version, stage, description, source, run_id, run_link, status, status_message, user_id, "     \
    "storage, creation_ms, updated_ms"

static void version_row(lh_stmt_t *st, lh_arena_t *a, rg_version *v)
{
    v->version = lh_stmt_int(st, 0);
    v->stage = dup(a, st, 1);
    v->description = dup(a, st, 2);
    v->source = dup(a, st, 3);
    v->run_id = dup(a, st, 4);
    v->run_link = dup(a, st, 5);
    v->status = dup(a, st, 6);
    v->status_message = dup(a, st, 7);
    v->user_id = dup(a, st, 8);
    v->storage = dup(a, st, 9);
    v->creation_ms = lh_stmt_int(st, 10);
    v->updated_ms = lh_stmt_int(st, 11);
}

lh_err rg_version_find(lh_meta_t *m, const rg_model *mo, int64_t version, lh_arena_t *arena,
                       rg_version *out, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(
        m, "SELECT " VERSION_COLS " FROM mlr_versions WHERE model_id = ? AND version = ?", &st,
        eb));
    lh_stmt_bind_text(st, 1, mo->id);
    lh_stmt_bind_int(st, 2, version);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "Model Version (name=%.300s, version=%lld) not found",
               mo->name, (long long)version);
    version_row(st, arena, out);
    return LH_OK;
}

lh_err rg_model_touch(lh_meta_t *m, const char *model_id, int64_t now_ms, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "UPDATE mlr_models SET updated_ms = MAX(updated_ms, ?) WHERE id = ?",
                        &st, eb));
    lh_stmt_bind_int(st, 1, now_ms);
    lh_stmt_bind_text(st, 2, model_id);
    return lh_stmt_run(st, eb);
}

/* ---- rendering ---- */

static lh_err tags_json(lh_meta_t *m, const char *sql, const char *model_id, int64_t version,
                        json_t **out, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, sql, &st, eb));
    lh_stmt_bind_text(st, 1, model_id);
    if (version > 0)
        lh_stmt_bind_int(st, 2, version);
    *out = json_array();
    for (;;) {
        lh_err e = lh_stmt_step(st, &row, eb);
        if (e != LH_OK) {
            json_decref(*out);
            return e;
        }
        if (!row)
            return LH_OK;
        json_array_append_new(*out, json_pack("{s:s, s:s}", "key", lh_stmt_text(st, 0), "value",
                                              lh_stmt_text(st, 1)));
    }
}

static void set_str(json_t *o, const char *k, const char *v)
{
    if (v != NULL)
        json_object_set_new(o, k, json_string(v));
}

lh_err rg_version_json(lh_meta_t *m, const rg_model *mo, const rg_version *v, json_t **out,
                       lh_errbuf *eb)
{
    char version[24];
    snprintf(version, sizeof version, "%lld", (long long)v->version);
    json_t *o =
        json_pack("{s:s, s:s, s:I, s:I, s:s, s:s}", "name", mo->name, "version", version,
                  "creation_timestamp", (json_int_t)v->creation_ms, "last_updated_timestamp",
                  (json_int_t)v->updated_ms, "current_stage", v->stage, "status", v->status);
    set_str(o, "user_id", v->user_id);
    set_str(o, "description", v->description);
    set_str(o, "source", v->source);
    set_str(o, "run_id", v->run_id);
    set_str(o, "run_link", v->run_link);
    set_str(o, "status_message", v->status_message);
    json_t *tags;
    lh_err e = tags_json(m,
                         "SELECT key, value FROM mlr_version_tags WHERE model_id = ? AND "
                         "version = ? ORDER BY key",
                         mo->id, v->version, &tags, eb);
    if (e != LH_OK) {
        json_decref(o);
        return e;
    }
    json_object_set_new(o, "tags", tags);
    lh_stmt_t *st;
    bool row;
    json_t *aliases = json_array();
    json_object_set_new(o, "aliases", aliases);
    e = lh_meta_stmt(m,
                     "SELECT alias FROM mlr_aliases WHERE model_id = ? AND version = ? "
                     "ORDER BY alias",
                     &st, eb);
    if (e == LH_OK) {
        lh_stmt_bind_text(st, 1, mo->id);
        lh_stmt_bind_int(st, 2, v->version);
        while ((e = lh_stmt_step(st, &row, eb)) == LH_OK && row)
            json_array_append_new(aliases, json_string(lh_stmt_text(st, 0)));
    }
    if (e != LH_OK) {
        json_decref(o);
        return e;
    }
    *out = o;
    return LH_OK;
}

static int stage_index(const char *stage)
{
    for (int i = 0; i < STAGE_COUNT; i++)
        if (strcmp(stage, STAGES[i]) == 0)
            return i;
    return -1;
}

lh_err rg_latest_versions(lh_meta_t *m, const rg_model *mo, const char *const *stages,
                          size_t stage_count, lh_arena_t *arena, json_t *list, lh_errbuf *eb)
{
    bool want[STAGE_COUNT] = {stages == NULL, stages == NULL, stages == NULL, stages == NULL};
    for (size_t i = 0; i < stage_count; i++)
        want[stage_index(stages[i])] = true;
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT " VERSION_COLS " FROM mlr_versions v WHERE model_id = ?1 AND "
                        "version = (SELECT MAX(version) FROM mlr_versions w WHERE "
                        "w.model_id = ?1 AND w.stage = v.stage)",
                        &st, eb));
    lh_stmt_bind_text(st, 1, mo->id);
    rg_version found[STAGE_COUNT];
    bool have[STAGE_COUNT] = {false};
    while (true) {
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            break;
        rg_version v;
        version_row(st, arena, &v);
        int i = stage_index(v.stage);
        if (i >= 0 && want[i]) {
            found[i] = v;
            have[i] = true;
        }
    }
    for (int i = 0; i < STAGE_COUNT; i++) {
        if (!have[i])
            continue;
        json_t *j;
        LH_TRY(rg_version_json(m, mo, &found[i], &j, eb));
        json_array_append_new(list, j);
    }
    return LH_OK;
}

lh_err rg_model_json(lh_meta_t *m, const rg_model *mo, lh_arena_t *arena, json_t **out,
                     lh_errbuf *eb)
{
    json_t *o = json_pack("{s:s, s:I, s:I}", "name", mo->name, "creation_timestamp",
                          (json_int_t)mo->creation_ms, "last_updated_timestamp",
                          (json_int_t)mo->updated_ms);
    set_str(o, "user_id", mo->user_id);
    set_str(o, "description", mo->description);
    json_t *latest = json_array(), *tags = NULL;
    json_object_set_new(o, "latest_versions", latest);
    lh_err e = rg_latest_versions(m, mo, NULL, 0, arena, latest, eb);
    if (e == LH_OK)
        e = tags_json(m, "SELECT key, value FROM mlr_model_tags WHERE model_id = ? ORDER BY key",
                      mo->id, 0, &tags, eb);
    if (e == LH_OK) {
        json_object_set_new(o, "tags", tags);
        json_t *aliases = json_array();
        json_object_set_new(o, "aliases", aliases);
        lh_stmt_t *st;
        bool row;
        e = lh_meta_stmt(
            m, "SELECT alias, version FROM mlr_aliases WHERE model_id = ? ORDER BY alias", &st, eb);
        if (e == LH_OK) {
            lh_stmt_bind_text(st, 1, mo->id);
            while ((e = lh_stmt_step(st, &row, eb)) == LH_OK && row) {
                char v[24];
                snprintf(v, sizeof v, "%lld", (long long)lh_stmt_int(st, 1));
                json_array_append_new(
                    aliases, json_pack("{s:s, s:s}", "alias", lh_stmt_text(st, 0), "version", v));
            }
        }
    }
    if (e != LH_OK) {
        json_decref(o);
        return e;
    }
    *out = o;
    return LH_OK;
}

/* ---- permissions ---- */

const char *rg_user(const lh_req_t *req)
{
    return req->principal != NULL ? req->principal->user_name : NULL;
}

lh_err rg_require(const lh_req_t *req, const char *model_id, const char *level, lh_errbuf *eb)
{
    return lh_perm_require(req->ctx, req->principal, RG_PERM_PATH, model_id, level, eb);
}

typedef struct find_arg {
    const char *name;
    lh_arena_t *arena;
    rg_model *out;
} find_arg;

static lh_err find_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    find_arg *a = arg;
    return rg_model_find(m, a->name, a->arena, a->out, eb);
}

lh_err rg_model_require(lh_req_t *req, const char *name, const char *level, rg_model *out,
                        lh_errbuf *eb)
{
    find_arg a = {name, req->arena, out};
    LH_TRY(lh_meta_read(req->ctx->meta, find_read, &a, eb));
    return rg_require(req, out->id, level, eb);
}
