/*
 * scim_sps.c - SCIM ServicePrincipals (create, list, get, put, patch, delete).
 *
 * A service principal is a row of `users` with kind 'service_principal': it shares the
 * id space, group membership (group_members, member_kind 'user'), entitlements and
 * tokens (token-management/on-behalf-of with application_id) with users, and
 * authenticates like one (the principal knows it is a service principal). Its user_name
 * column holds the applicationId (a UUID, generated when the request leaves it out), which
 * is also its name in ACLs (service_principal_name). SCIM Users never shows them.
 *
 * PATCH paths: displayName, externalId, active, entitlements, groups (add | remove |
 * replace), or no path with an object of those. applicationId cannot change.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/identity/identity_internal.h"
#include "api/identity/scim_json.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/util.h"

#define SP_SCHEMA "urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal"

typedef struct sp_rec {
    int64_t id;
    char id_str[24];
    const char *application_id, *display_name, *external_id;
    bool active;
    const char *entitlements; /* JSON text */
} sp_rec;

#define SP_COLUMNS                                                                                 \
    "SELECT id, application_id, display_name, external_id, active, entitlements FROM users "

static void read_row(lh_stmt_t *st, sp_rec *s)
{
    s->id = lh_stmt_int(st, 0);
    snprintf(s->id_str, sizeof s->id_str, "%lld", (long long)s->id);
    s->application_id = lh_stmt_text(st, 1);
    s->display_name = lh_stmt_text(st, 2);
    s->external_id = lh_stmt_text(st, 3);
    s->active = lh_stmt_int(st, 4) != 0;
    s->entitlements = lh_stmt_text(st, 5);
}

static const char *dup(lh_arena_t *a, const char *s)
{
    return s ? lh_arena_strdup(a, s) : NULL;
}

static void own_strings(lh_arena_t *a, sp_rec *s)
{
    s->application_id = dup(a, s->application_id);
    s->display_name = dup(a, s->display_name);
    s->external_id = dup(a, s->external_id);
    s->entitlements = dup(a, s->entitlements);
}

static int sp_values(const void *res, lh_scim_attr attr, const char **vals, int max)
{
    const sp_rec *s = res;
    const char *one = NULL;
    (void)max;
    switch (attr) {
    case LH_SCIM_ATTR_APPLICATION_ID:
        one = s->application_id;
        break;
    case LH_SCIM_ATTR_DISPLAY_NAME:
        one = s->display_name;
        break;
    case LH_SCIM_ATTR_ID:
        one = s->id_str;
        break;
    case LH_SCIM_ATTR_EXTERNAL_ID:
        one = s->external_id;
        break;
    case LH_SCIM_ATTR_ACTIVE:
        one = s->active ? "true" : "false";
        break;
    default:
        break;
    }
    if (one == NULL || one[0] == '\0')
        return 0;
    vals[0] = one;
    return 1;
}

static lh_err render_sp(lh_meta_t *m, const sp_rec *s, json_t **out, lh_errbuf *eb)
{
    json_t *o = json_pack("{s:[s], s:s, s:s, s:b}", "schemas", SP_SCHEMA, "id", s->id_str,
                          "applicationId", s->application_id, "active", s->active);
    lh_json_set_str(o, "displayName", s->display_name);
    json_t *groups = json_array();
    json_object_set_new(o, "groups", groups);
    json_object_set_new(o, "entitlements", lh_scim_entitlements_render(s->entitlements));
    json_object_set_new(o, "roles", json_array());
    lh_json_set_str(o, "externalId", s->external_id);
    json_object_set_new(o, "meta", json_pack("{s:s}", "resourceType", "ServicePrincipal"));
    lh_err e = lh_scim_principal_groups(m, s->id, groups, eb);
    if (e != LH_OK) {
        json_decref(o);
        return e;
    }
    *out = o;
    return LH_OK;
}

/* ---- get ---- */

typedef struct {
    int64_t id;
    lh_arena_t *arena;
    sp_rec rec;
    json_t *out;
} get_arg;

static lh_err load_sp(lh_meta_t *m, get_arg *a, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row = false;
    LH_TRY(lh_meta_stmt(m, SP_COLUMNS "WHERE id = ? AND kind = 'service_principal'", &st, eb));
    lh_stmt_bind_int(st, 1, a->id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "Service principal %lld does not exist.",
               (long long)a->id);
    read_row(st, &a->rec);
    own_strings(a->arena, &a->rec);
    return LH_OK;
}

static lh_err get_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    get_arg *a = arg;
    LH_TRY(load_sp(m, a, eb));
    return render_sp(m, &a->rec, &a->out, eb);
}

static lh_err path_id(const lh_req_t *req, int64_t *id, lh_errbuf *eb)
{
    const char *s = lh_req_path_param(req, 0);
    LH_FAIL_IF(!lh_identity_parse_id(s, id), LH_E_NOT_FOUND, eb,
               "Service principal %s does not exist.", s ? s : "");
    return LH_OK;
}

lh_err lh_scim_sps_get_handler(lh_req_t *req, lh_errbuf *eb)
{
    get_arg a = {.arena = req->arena};
    LH_TRY(path_id(req, &a.id, eb));
    LH_TRY(lh_meta_read(req->ctx->meta, get_cb, &a, eb));
    req->out = a.out;
    return lh_scim_project_req(req, req->out, eb);
}

/* ---- list ---- */

static lh_err list_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    lh_scim_list_t *a = arg;
    sp_rec *page = lh_arena_calloc(a->arena, (size_t)a->q.count + 1, sizeof *page);
    int64_t n = 0;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, SP_COLUMNS "WHERE kind = 'service_principal' ORDER BY created_at, id",
                        &st, eb));
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            break;
        sp_rec s;
        read_row(st, &s);
        if (!lh_scim_filter_match(a->q.filter, sp_values, &s))
            continue;
        if (a->total++ >= a->q.start_index - 1 && n < a->q.count) {
            own_strings(a->arena, &s);
            page[n++] = s;
        }
    }
    for (int64_t i = 0; i < n; i++) {
        json_t *o = NULL;
        LH_TRY(render_sp(m, &page[i], &o, eb));
        lh_scim_project(o, a->q.attributes, a->q.excluded);
        json_array_append_new(a->resources, o);
    }
    return LH_OK;
}

lh_err lh_scim_sps_list_handler(lh_req_t *req, lh_errbuf *eb)
{
    return lh_scim_list_run(req, list_cb, eb);
}

/* ---- input ---- */

static lh_err check_text(const char *field, const char *s, lh_errbuf *eb)
{
    LH_FAIL_IF(s && strlen(s) > LH_NAME_MAX, LH_E_INVALID, eb, "%s is longer than %d characters",
               field, LH_NAME_MAX);
    return LH_OK;
}

typedef struct sp_input {
    sp_rec rec;
    bool set_groups;
    int64_t *group_ids;
    size_t group_count;
} sp_input;

/* A whole service principal from a POST/PUT body; applicationId generated when absent
 * (on create; on PUT the stored one is kept). */
static lh_err read_sp(lh_req_t *req, sp_input *in, lh_errbuf *eb)
{
    const json_t *p = req->params;
    sp_rec *s = &in->rec;
    s->active = true;
    s->entitlements = "[]";
    LH_TRY(lh_json_get_str(p, "applicationId", LH_OPTIONAL, &s->application_id, eb));
    LH_FAIL_IF(s->application_id != NULL && s->application_id[0] == '\0', LH_E_INVALID, eb,
               "applicationId must not be empty");
    LH_TRY(check_text("applicationId", s->application_id, eb));
    LH_TRY(lh_json_get_str(p, "displayName", LH_OPTIONAL, &s->display_name, eb));
    LH_TRY(check_text("displayName", s->display_name, eb));
    LH_TRY(lh_json_get_str(p, "externalId", LH_OPTIONAL, &s->external_id, eb));
    LH_TRY(check_text("externalId", s->external_id, eb));
    LH_TRY(lh_json_get_bool(p, "active", LH_OPTIONAL, &s->active, eb));
    if (lh_json_has(p, "entitlements"))
        LH_TRY(lh_scim_entitlements_text(json_object_get(p, "entitlements"), req->arena,
                                         &s->entitlements, eb));
    in->set_groups = lh_json_has(p, "groups");
    return lh_scim_ref_ids(json_object_get(p, "groups"), "groups", req->arena, &in->group_ids,
                           &in->group_count, eb);
}

/* ---- writes ---- */

static lh_err write_sp(lh_meta_t *m, const sp_rec *s, bool insert, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        insert ? "INSERT INTO users(display_name, external_id, active, "
                                 "entitlements, application_id, user_name, id, kind, created_at) "
                                 "SELECT ?, ?, ?, ?, ?, ?5, ?6, 'service_principal', max(?7, "
                                 "coalesce(max(created_at) + 1, 0)) FROM users"
                               : "UPDATE users SET display_name = ?, external_id = ?, active = ?, "
                                 "entitlements = ? WHERE application_id = ?5 AND id = ?6",
                        &st, eb));
    lh_stmt_bind_text(st, 1, s->display_name);
    lh_stmt_bind_text(st, 2, s->external_id);
    lh_stmt_bind_int(st, 3, s->active);
    lh_stmt_bind_text(st, 4, s->entitlements);
    lh_stmt_bind_text(st, 5, s->application_id);
    lh_stmt_bind_int(st, 6, s->id);
    if (insert)
        lh_stmt_bind_int(st, 7, lh_now_ms());
    lh_err e = lh_stmt_run(st, eb);
    if (e == LH_E_EXISTS)
        LH_FAIL(LH_E_EXISTS, eb, "Service principal with applicationId %s already exists.",
                s->application_id);
    return e;
}

typedef struct {
    lh_req_t *req;
    sp_input in;
    bool insert;
    json_t *out;
} save_arg;

static lh_err save_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    save_arg *a = arg;
    if (!a->insert) {
        get_arg g = {.id = a->in.rec.id, .arena = a->req->arena};
        LH_TRY(load_sp(m, &g, eb));
        LH_FAIL_IF(a->in.rec.application_id != NULL &&
                       strcmp(a->in.rec.application_id, g.rec.application_id) != 0,
                   LH_E_INVALID, eb, "applicationId cannot be changed");
        a->in.rec.application_id = g.rec.application_id;
    }
    LH_TRY(write_sp(m, &a->in.rec, a->insert, eb));
    if (a->in.set_groups)
        LH_TRY(lh_scim_replace_groups(m, a->in.rec.id, a->in.group_ids, a->in.group_count, eb));
    return render_sp(m, &a->in.rec, &a->out, eb);
}

static lh_err save(lh_req_t *req, save_arg *a, lh_errbuf *eb)
{
    snprintf(a->in.rec.id_str, sizeof a->in.rec.id_str, "%lld", (long long)a->in.rec.id);
    a->req = req;
    LH_TRY(lh_meta_tx(req->ctx->meta, save_cb, a, eb));
    lh_identity_invalidate(req->ctx->identity);
    req->out = a->out;
    return LH_OK;
}

lh_err lh_scim_sps_create_handler(lh_req_t *req, lh_errbuf *eb)
{
    save_arg a = {.insert = true};
    LH_TRY(read_sp(req, &a.in, eb));
    if (a.in.rec.application_id == NULL) {
        char *uuid = lh_arena_alloc(req->arena, 37);
        lh_uuid4(uuid);
        a.in.rec.application_id = uuid;
    }
    a.in.rec.id = lh_identity_new_id();
    LH_TRY(save(req, &a, eb));
    req->status = 201;
    return LH_OK;
}

lh_err lh_scim_sps_put_handler(lh_req_t *req, lh_errbuf *eb)
{
    save_arg a = {.insert = false};
    LH_TRY(path_id(req, &a.in.rec.id, eb));
    LH_TRY(read_sp(req, &a.in, eb));
    return save(req, &a, eb);
}

/* ---- patch ---- */

typedef struct {
    lh_req_t *req;
    int64_t id;
    json_t *ops;
    size_t op_count;
    json_t *out;
} patch_arg;

static lh_err patch_string(const char *field, const lh_patch_op *op, const char **slot,
                           lh_errbuf *eb)
{
    if (op->kind == LH_PATCH_REMOVE) {
        *slot = NULL;
        return LH_OK;
    }
    LH_FAIL_IF(!json_is_string(op->value), LH_E_INVALID, eb,
               "Invalid value for %s: expected a string", field);
    *slot = json_string_value(op->value);
    return check_text(field, *slot, eb);
}

static lh_err patch_groups(lh_meta_t *m, patch_arg *a, const lh_patch_op *op, lh_errbuf *eb)
{
    int64_t *ids = NULL;
    size_t n = 0;
    LH_TRY(lh_scim_ref_ids(op->value, "groups", a->req->arena, &ids, &n, eb));
    if (op->kind == LH_PATCH_REPLACE)
        return lh_scim_replace_groups(m, a->id, ids, n, eb);
    for (size_t i = 0; i < n; i++)
        LH_TRY(lh_scim_set_membership(m, a->id, ids[i], op->kind == LH_PATCH_ADD, eb));
    return LH_OK;
}

static lh_err patch_path(lh_meta_t *m, patch_arg *a, sp_rec *s, const char *path,
                         const lh_patch_op *op, lh_errbuf *eb)
{
    if (strcasecmp(path, "displayName") == 0)
        return patch_string("displayName", op, &s->display_name, eb);
    if (strcasecmp(path, "externalId") == 0)
        return patch_string("externalId", op, &s->external_id, eb);
    if (strcasecmp(path, "active") == 0) {
        LH_FAIL_IF(op->kind == LH_PATCH_REMOVE, LH_E_INVALID, eb, "active cannot be removed");
        return lh_json_as_bool(op->value, "active", &s->active, eb);
    }
    if (strcasecmp(path, "entitlements") == 0) {
        const char *base = op->kind == LH_PATCH_REPLACE ? "[]" : s->entitlements;
        return lh_scim_entitlements_edit(base, op->value, op->kind != LH_PATCH_REMOVE,
                                         a->req->arena, &s->entitlements, eb);
    }
    if (strcasecmp(path, "groups") == 0)
        return patch_groups(m, a, op, eb);
    LH_FAIL_IF(strcasecmp(path, "applicationId") == 0, LH_E_INVALID, eb,
               "applicationId cannot be changed");
    LH_FAIL(LH_E_INVALID, eb, "Unsupported PATCH path '%s'", path);
}

static lh_err patch_one(lh_meta_t *m, patch_arg *a, sp_rec *s, const lh_patch_op *op, lh_errbuf *eb)
{
    if (op->path != NULL)
        return patch_path(m, a, s, op->path, op, eb);
    const char *key;
    json_t *v;
    json_object_foreach(op->value, key, v)
    {
        if (strcmp(key, "schemas") == 0 || strcmp(key, "id") == 0)
            continue;
        lh_patch_op sub = {op->kind, key, v};
        LH_TRY(patch_path(m, a, s, key, &sub, eb));
    }
    return LH_OK;
}

static lh_err patch_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    patch_arg *a = arg;
    get_arg g = {.id = a->id, .arena = a->req->arena};
    LH_TRY(load_sp(m, &g, eb));
    for (size_t i = 0; i < a->op_count; i++) {
        lh_patch_op op;
        LH_TRY(lh_scim_patch_op(a->ops, i, &op, eb));
        LH_TRY(patch_one(m, a, &g.rec, &op, eb));
    }
    LH_TRY(write_sp(m, &g.rec, false, eb));
    return render_sp(m, &g.rec, &a->out, eb);
}

lh_err lh_scim_sps_patch_handler(lh_req_t *req, lh_errbuf *eb)
{
    patch_arg a = {.req = req};
    LH_TRY(path_id(req, &a.id, eb));
    LH_TRY(lh_scim_patch_ops(req, &a.ops, &a.op_count, eb));
    LH_TRY(lh_meta_tx(req->ctx->meta, patch_cb, &a, eb));
    lh_identity_invalidate(req->ctx->identity);
    req->out = a.out;
    return LH_OK;
}

/* ---- delete (its tokens, memberships and grants go with it) ---- */

static lh_err delete_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    int64_t id = *(int64_t *)arg;
    lh_stmt_t *st;
    LH_TRY(
        lh_meta_stmt(m, "DELETE FROM users WHERE id = ? AND kind = 'service_principal'", &st, eb));
    lh_stmt_bind_int(st, 1, id);
    LH_TRY(lh_stmt_run(st, eb));
    LH_FAIL_IF(lh_meta_changes(m) == 0, LH_E_NOT_FOUND, eb,
               "Service principal %lld does not exist.", (long long)id);
    LH_TRY(lh_meta_stmt(m, "DELETE FROM group_members WHERE member_kind = 'user' AND member_id = ?",
                        &st, eb));
    lh_stmt_bind_int(st, 1, id);
    LH_TRY(lh_stmt_run(st, eb));
    return lh_identity_check_admin_left(m, eb);
}

lh_err lh_scim_sps_delete_handler(lh_req_t *req, lh_errbuf *eb)
{
    int64_t id = 0;
    LH_TRY(path_id(req, &id, eb));
    LH_TRY(lh_meta_tx(req->ctx->meta, delete_cb, &id, eb));
    lh_identity_invalidate(req->ctx->identity);
    req->status = 204; /* no body */
    req->text = "";
    req->text_bytes = 0;
    return LH_OK;
}
