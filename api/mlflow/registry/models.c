/*
 * models.c - registered models: create, get (MLflow's and Databricks' shapes), rename,
 * update, delete, search, latest versions, tags and aliases.
 *
 * Each handler resolves the name to the model's id and checks the caller's level on that
 * id (api/perm.h), then acts in one transaction that re-reads the model BY ID: a rename
 * racing with the call never redirects it to another model the caller was not checked on.
 * Levels: CAN_READ to read, CAN_EDIT to change metadata, tags and aliases, CAN_MANAGE to
 * rename or delete. Anyone may create a model and owns what they create.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/mlflow/registry/registry_internal.h"
#include "api/perm.h"
#include "common/json.h"
#include "common/util.h"

typedef struct mop {
    lh_req_t *req;
    const char *name, *new_name, *description, *key, *value, *alias;
    json_t *tags;
    int64_t version;
    rg_model mo;
    json_t *out;
    json_t *storages; /* delete: copied artifact locations to remove */
} mop;

static lh_err reload(lh_meta_t *m, mop *o, lh_errbuf *eb)
{
    return rg_model_reload(m, o->req->arena, &o->mo, eb);
}

static lh_err render_model(lh_meta_t *m, mop *o, const char *field, lh_errbuf *eb)
{
    json_t *j;
    LH_TRY(rg_model_json(m, &o->mo, o->req->arena, &j, eb));
    o->out = json_pack("{s:o}", field, j);
    return LH_OK;
}

static lh_err render_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    mop *o = arg;
    LH_TRY(reload(m, o, eb));
    return render_model(m, o, "registered_model", eb);
}

static lh_err finish(mop *o, lh_err e)
{
    if (e == LH_OK)
        o->req->out = o->out;
    else
        json_decref(o->out);
    return e;
}

/* ---- create ---- */

static lh_err insert_tags(lh_meta_t *m, const char *model_id, const json_t *tags, lh_errbuf *eb)
{
    for (size_t i = 0; i < lh_json_list_size(tags); i++) {
        const json_t *t = lh_json_list_get(tags, i);
        const char *value = json_string_value(json_object_get(t, "value"));
        lh_stmt_t *st;
        LH_TRY(lh_meta_stmt(m, "INSERT OR REPLACE INTO mlr_model_tags VALUES (?, ?, ?)", &st, eb));
        lh_stmt_bind_text(st, 1, model_id);
        lh_stmt_bind_text(st, 2, json_string_value(json_object_get(t, "key")));
        lh_stmt_bind_text(st, 3, value ? value : "");
        LH_TRY(lh_stmt_run(st, eb));
    }
    return LH_OK;
}

static lh_err create_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    mop *o = arg;
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT 1 FROM mlr_models WHERE name = ?", &st, eb));
    lh_stmt_bind_text(st, 1, o->name);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(row, LH_E_EXISTS, eb, "Registered Model (name=%s) already exists.", o->name);
    int64_t now = lh_now_ms();
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO mlr_models (id, name, description, user_id, creation_ms, "
                        "updated_ms) VALUES (?, ?, ?, ?, ?, ?)",
                        &st, eb));
    lh_stmt_bind_text(st, 1, o->mo.id);
    lh_stmt_bind_text(st, 2, o->name);
    lh_stmt_bind_text(st, 3, o->description);
    lh_stmt_bind_text(st, 4, rg_user(o->req));
    lh_stmt_bind_int(st, 5, now);
    lh_stmt_bind_int(st, 6, now);
    LH_TRY(lh_stmt_run(st, eb));
    LH_TRY(insert_tags(m, o->mo.id, o->tags, eb));
    json_t *fields = json_object();
    lh_err e =
        rg_hook_event(rg_of(o->req), m, "REGISTERED_MODEL_CREATED", o->name, fields, now, eb);
    json_decref(fields);
    LH_TRY(e);
    LH_TRY(reload(m, o, eb));
    return render_model(m, o, "registered_model", eb);
}

lh_err rg_h_model_create(lh_req_t *req, lh_errbuf *eb)
{
    mop o = {.req = req};
    LH_TRY(rg_name_param(req->params, &o.name, eb));
    LH_TRY(lh_json_get_str(req->params, "description", LH_OPTIONAL, &o.description, eb));
    LH_FAIL_IF(o.description && strlen(o.description) > RG_TEXT_MAX, LH_E_INVALID, eb,
               "description is longer than %d bytes", RG_TEXT_MAX);
    LH_TRY(rg_tags_param(req->params, &o.tags, eb));
    lh_random_hex(o.mo.id, RG_ID_HEX / 2);
    o.mo.name = o.name;
    LH_TRY(finish(&o, lh_meta_tx(req->ctx->meta, create_tx, &o, eb)));
    lh_perm_on_create(req->ctx, req->principal, RG_PERM_PATH, o.mo.id, eb);
    lh_errbuf_clear(eb);
    rg_hook_kick(rg_of(req));
    return LH_OK;
}

/* ---- get ---- */

lh_err rg_h_model_get(lh_req_t *req, lh_errbuf *eb)
{
    mop o = {.req = req};
    LH_TRY(rg_name_param(req->params, &o.name, eb));
    LH_TRY(rg_model_require(req, o.name, "CAN_READ", &o.mo, eb));
    return finish(&o, lh_meta_read(req->ctx->meta, render_read, &o, eb));
}

lh_err rg_h_model_get_databricks(lh_req_t *req, lh_errbuf *eb)
{
    mop o = {.req = req};
    LH_TRY(rg_name_param(req->params, &o.name, eb));
    LH_TRY(rg_model_require(req, o.name, "CAN_READ", &o.mo, eb));
    LH_TRY(finish(&o, lh_meta_read(req->ctx->meta, render_read, &o, eb)));
    int rank = 0;
    LH_TRY(lh_perm_rank_of(req->ctx, req->principal, RG_PERM_PATH, o.mo.id, &rank, eb));
    const lh_perm_type_t *t = lh_perm_type_find(RG_PERM_PATH);
    json_t *m = json_object_get(req->out, "registered_model");
    json_incref(m);
    json_decref(req->out);
    json_object_set_new(m, "id", json_string(o.mo.id));
    if (rank > 0)
        json_object_set_new(m, "permission_level", json_string(t->levels[rank - 1]));
    json_object_del(m, "aliases");
    req->out = json_pack("{s:o}", "registered_model_databricks", m);
    return LH_OK;
}

/* ---- rename, update ---- */

static lh_err rename_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    mop *o = arg;
    LH_TRY(reload(m, o, eb));
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT 1 FROM mlr_models WHERE name = ? AND id != ?", &st, eb));
    lh_stmt_bind_text(st, 1, o->new_name);
    lh_stmt_bind_text(st, 2, o->mo.id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(row, LH_E_EXISTS, eb, "Registered Model (name=%s) already exists.", o->new_name);
    LH_TRY(lh_meta_stmt(m, "UPDATE mlr_models SET name = ?, updated_ms = ? WHERE id = ?", &st, eb));
    lh_stmt_bind_text(st, 1, o->new_name);
    lh_stmt_bind_int(st, 2, lh_now_ms());
    lh_stmt_bind_text(st, 3, o->mo.id);
    LH_TRY(lh_stmt_run(st, eb));
    /* webhooks scoped to the model follow it */
    LH_TRY(lh_meta_stmt(m, "UPDATE mlr_webhooks SET model_name = ? WHERE model_name = ?", &st, eb));
    lh_stmt_bind_text(st, 1, o->new_name);
    lh_stmt_bind_text(st, 2, o->mo.name);
    LH_TRY(lh_stmt_run(st, eb));
    LH_TRY(reload(m, o, eb));
    return render_model(m, o, "registered_model", eb);
}

lh_err rg_h_model_rename(lh_req_t *req, lh_errbuf *eb)
{
    mop o = {.req = req};
    LH_TRY(rg_name_param(req->params, &o.name, eb));
    LH_TRY(lh_json_get_str(req->params, "new_name", LH_REQUIRED, &o.new_name, eb));
    LH_TRY(rg_check_name("new_name", o.new_name, RG_NAME_MAX, eb));
    LH_TRY(rg_model_require(req, o.name, "CAN_MANAGE", &o.mo, eb));
    return finish(&o, lh_meta_tx(req->ctx->meta, rename_tx, &o, eb));
}

static lh_err update_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    mop *o = arg;
    LH_TRY(reload(m, o, eb));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "UPDATE mlr_models SET description = ?, updated_ms = ? WHERE id = ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, o->description);
    lh_stmt_bind_int(st, 2, lh_now_ms());
    lh_stmt_bind_text(st, 3, o->mo.id);
    LH_TRY(lh_stmt_run(st, eb));
    LH_TRY(reload(m, o, eb));
    return render_model(m, o, "registered_model", eb);
}

lh_err rg_h_model_update(lh_req_t *req, lh_errbuf *eb)
{
    mop o = {.req = req, .description = ""};
    LH_TRY(rg_name_param(req->params, &o.name, eb));
    LH_TRY(lh_json_get_str(req->params, "description", LH_OPTIONAL, &o.description, eb));
    LH_FAIL_IF(strlen(o.description) > RG_TEXT_MAX, LH_E_INVALID, eb,
               "description is longer than %d bytes", RG_TEXT_MAX);
    LH_TRY(rg_model_require(req, o.name, "CAN_EDIT", &o.mo, eb));
    return finish(&o, lh_meta_tx(req->ctx->meta, update_tx, &o, eb));
}

/* ---- delete ---- */

static lh_err delete_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    mop *o = arg;
    LH_TRY(reload(m, o, eb));
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(
        m, "SELECT storage FROM mlr_versions WHERE model_id = ? AND storage IS NOT NULL", &st, eb));
    lh_stmt_bind_text(st, 1, o->mo.id);
    while (true) {
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            break;
        json_array_append_new(o->storages, json_string(lh_stmt_text(st, 0)));
    }
    LH_TRY(lh_meta_stmt(m, "DELETE FROM mlr_models WHERE id = ?", &st, eb));
    lh_stmt_bind_text(st, 1, o->mo.id);
    return lh_stmt_run(st, eb);
}

lh_err rg_h_model_delete(lh_req_t *req, lh_errbuf *eb)
{
    mop o = {.req = req};
    LH_TRY(rg_name_param(req->params, &o.name, eb));
    LH_TRY(rg_model_require(req, o.name, "CAN_MANAGE", &o.mo, eb));
    o.storages = json_array();
    lh_err e = lh_meta_tx(req->ctx->meta, delete_tx, &o, eb);
    if (e == LH_OK) {
        for (size_t i = 0; i < json_array_size(o.storages); i++)
            rg_storage_delete_post(rg_of(req), json_string_value(json_array_get(o.storages, i)));
        lh_perm_on_delete(req->ctx, RG_PERM_PATH, o.mo.id, NULL);
    }
    json_decref(o.storages);
    return e;
}

/* ---- latest versions ---- */

static lh_err latest_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    mop *o = arg;
    LH_TRY(reload(m, o, eb));
    size_t n = lh_json_list_size(o->tags);
    const char **stages = n ? lh_arena_alloc(o->req->arena, n * sizeof *stages) : NULL;
    for (size_t i = 0; i < n; i++)
        LH_TRY(rg_stage_parse(json_string_value(lh_json_list_get(o->tags, i)), &stages[i], eb));
    json_t *list = json_array();
    o->out = json_pack("{s:o}", "model_versions", list);
    return rg_latest_versions(m, &o->mo, n ? stages : NULL, n, o->req->arena, list, eb);
}

lh_err rg_h_model_latest(lh_req_t *req, lh_errbuf *eb)
{
    mop o = {.req = req};
    LH_TRY(rg_name_param(req->params, &o.name, eb));
    LH_TRY(lh_json_get_list(req->params, "stages", LH_OPTIONAL, &o.tags, eb));
    for (size_t i = 0; i < lh_json_list_size(o.tags); i++) {
        const char *st;
        LH_FAIL_IF(!json_is_string(lh_json_list_get(o.tags, i)), LH_E_INVALID, eb,
                   "stages must be a list of strings");
        LH_TRY(rg_stage_parse(json_string_value(lh_json_list_get(o.tags, i)), &st, eb));
    }
    LH_TRY(rg_model_require(req, o.name, "CAN_READ", &o.mo, eb));
    return finish(&o, lh_meta_read(req->ctx->meta, latest_read, &o, eb));
}

/* ---- tags ---- */

static lh_err tag_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    mop *o = arg;
    LH_TRY(reload(m, o, eb));
    lh_stmt_t *st;
    if (o->value != NULL) {
        LH_TRY(lh_meta_stmt(m, "INSERT OR REPLACE INTO mlr_model_tags VALUES (?, ?, ?)", &st, eb));
        lh_stmt_bind_text(st, 3, o->value);
    } else {
        LH_TRY(
            lh_meta_stmt(m, "DELETE FROM mlr_model_tags WHERE model_id = ? AND key = ?", &st, eb));
    }
    lh_stmt_bind_text(st, 1, o->mo.id);
    lh_stmt_bind_text(st, 2, o->key);
    LH_TRY(lh_stmt_run(st, eb));
    return rg_model_touch(m, o->mo.id, lh_now_ms(), eb);
}

static lh_err model_tag(lh_req_t *req, bool set, lh_errbuf *eb)
{
    mop o = {.req = req};
    LH_TRY(rg_name_param(req->params, &o.name, eb));
    LH_TRY(lh_json_get_str(req->params, "key", LH_REQUIRED, &o.key, eb));
    LH_TRY(rg_check_name("Tag key", o.key, RG_TAG_KEY_MAX, eb));
    if (set) {
        LH_TRY(lh_json_get_str(req->params, "value", LH_REQUIRED, &o.value, eb));
        LH_FAIL_IF(strlen(o.value) > RG_TAG_VALUE_MAX, LH_E_INVALID, eb,
                   "Tag value exceeds %d bytes", RG_TAG_VALUE_MAX);
    }
    LH_TRY(rg_model_require(req, o.name, "CAN_EDIT", &o.mo, eb));
    return lh_meta_tx(req->ctx->meta, tag_tx, &o, eb);
}

lh_err rg_h_model_set_tag(lh_req_t *req, lh_errbuf *eb)
{
    return model_tag(req, true, eb);
}

lh_err rg_h_model_delete_tag(lh_req_t *req, lh_errbuf *eb)
{
    return model_tag(req, false, eb);
}

/* ---- aliases ---- */

static lh_err get_alias(lh_req_t *req, const char **alias, lh_errbuf *eb)
{
    LH_TRY(lh_json_get_str(req->params, "alias", LH_REQUIRED, alias, eb));
    return rg_check_name("Alias", *alias, RG_ALIAS_MAX, eb);
}

static lh_err alias_set_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    mop *o = arg;
    LH_TRY(reload(m, o, eb));
    rg_version v;
    LH_TRY(rg_version_find(m, &o->mo, o->version, o->req->arena, &v, eb));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "INSERT OR REPLACE INTO mlr_aliases VALUES (?, ?, ?)", &st, eb));
    lh_stmt_bind_text(st, 1, o->mo.id);
    lh_stmt_bind_text(st, 2, o->alias);
    lh_stmt_bind_int(st, 3, o->version);
    LH_TRY(lh_stmt_run(st, eb));
    return rg_model_touch(m, o->mo.id, lh_now_ms(), eb);
}

static bool reserved_alias(const char *alias)
{
    if (strcasecmp(alias, "latest") == 0)
        return true;
    if (alias[0] != 'v' && alias[0] != 'V')
        return false;
    size_t i = 1;
    while (alias[i] >= '0' && alias[i] <= '9')
        i++;
    return i > 1 && alias[i] == '\0';
}

lh_err rg_h_alias_set(lh_req_t *req, lh_errbuf *eb)
{
    mop o = {.req = req};
    LH_TRY(rg_name_param(req->params, &o.name, eb));
    LH_TRY(get_alias(req, &o.alias, eb));
    LH_FAIL_IF(reserved_alias(o.alias), LH_E_INVALID, eb,
               "'%s' alias name is reserved: 'latest' and names of the form v<number> cannot be "
               "used as aliases.",
               o.alias);
    LH_TRY(rg_version_param(req->params, &o.version, eb));
    LH_TRY(rg_model_require(req, o.name, "CAN_EDIT", &o.mo, eb));
    return lh_meta_tx(req->ctx->meta, alias_set_tx, &o, eb);
}

static lh_err alias_delete_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    mop *o = arg;
    LH_TRY(reload(m, o, eb));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "DELETE FROM mlr_aliases WHERE model_id = ? AND alias = ?", &st, eb));
    lh_stmt_bind_text(st, 1, o->mo.id);
    lh_stmt_bind_text(st, 2, o->alias);
    LH_TRY(lh_stmt_run(st, eb));
    return rg_model_touch(m, o->mo.id, lh_now_ms(), eb);
}

lh_err rg_h_alias_delete(lh_req_t *req, lh_errbuf *eb)
{
    mop o = {.req = req};
    LH_TRY(rg_name_param(req->params, &o.name, eb));
    LH_TRY(get_alias(req, &o.alias, eb));
    LH_TRY(rg_model_require(req, o.name, "CAN_EDIT", &o.mo, eb));
    return lh_meta_tx(req->ctx->meta, alias_delete_tx, &o, eb);
}

static lh_err alias_get_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    mop *o = arg;
    LH_TRY(reload(m, o, eb));
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT version FROM mlr_aliases WHERE model_id = ? AND alias = ?", &st,
                        eb));
    lh_stmt_bind_text(st, 1, o->mo.id);
    lh_stmt_bind_text(st, 2, o->alias);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "Registered model alias %s not found.", o->alias);
    rg_version v;
    LH_TRY(rg_version_find(m, &o->mo, lh_stmt_int(st, 0), o->req->arena, &v, eb));
    json_t *j;
    LH_TRY(rg_version_json(m, &o->mo, &v, &j, eb));
    o->out = json_pack("{s:o}", "model_version", j);
    return LH_OK;
}

lh_err rg_h_alias_get(lh_req_t *req, lh_errbuf *eb)
{
    mop o = {.req = req};
    LH_TRY(rg_name_param(req->params, &o.name, eb));
    LH_TRY(get_alias(req, &o.alias, eb));
    LH_TRY(rg_model_require(req, o.name, "CAN_READ", &o.mo, eb));
    return finish(&o, lh_meta_read(req->ctx->meta, alias_get_read, &o, eb));
}
