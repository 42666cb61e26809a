/*
 * scim_groups.c - SCIM Groups (create, list, get, put, patch, delete) and membership.
 *
 * Members are users or groups (group_members.member_kind); a member id is resolved by
 * looking it up among users, then groups (ids share one space). The `admins` group makes
 * its user members admins: it cannot be deleted or renamed, and every write checks that an
 * active admin remains, inside its transaction. Writes clear the auth cache after commit.
 *
 * PATCH paths: members (add | remove | replace with value [{value}]),
 * members[value eq "<id>"] (remove), displayName, externalId, entitlements; or no path with
 * an object value holding those attributes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/identity/identity_internal.h"
#include "api/identity/scim_json.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/util.h"

typedef struct group_rec {
    int64_t id;
    char id_str[24];
    const char *display_name, *external_id;
    const char *entitlements; /* JSON text */
} group_rec;

#define GROUP_COLUMNS "SELECT id, display_name, external_id, entitlements FROM groups "

static const char *dup(lh_arena_t *a, const char *s)
{
    return s ? lh_arena_strdup(a, s) : NULL;
}

static void read_row(lh_stmt_t *st, lh_arena_t *a, group_rec *g)
{
    g->id = lh_stmt_int(st, 0);
    snprintf(g->id_str, sizeof g->id_str, "%lld", (long long)g->id);
    g->display_name = lh_stmt_text(st, 1);
    g->external_id = lh_stmt_text(st, 2);
    g->entitlements = lh_stmt_text(st, 3);
    if (a != NULL) {
        g->display_name = dup(a, g->display_name);
        g->external_id = dup(a, g->external_id);
        g->entitlements = dup(a, g->entitlements);
    }
}

static int group_values(const void *res, lh_scim_attr attr, const char **vals, int max)
{
    const group_rec *g = res;
    const char *one = NULL;
    (void)max;
    if (attr == LH_SCIM_ATTR_DISPLAY_NAME)
        one = g->display_name;
    else if (attr == LH_SCIM_ATTR_ID)
        one = g->id_str;
    else if (attr == LH_SCIM_ATTR_EXTERNAL_ID)
        one = g->external_id;
    if (one == NULL || one[0] == '\0')
        return 0;
    vals[0] = one;
    return 1;
}

/* ---- rendering ---- */

/* kind: "Groups", "Users" or "ServicePrincipals" (the $ref's resource type). */
static json_t *ref(int64_t id, const char *display, const char *kind)
{
    char idbuf[24], refbuf[48];
    snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
    snprintf(refbuf, sizeof refbuf, "%s/%s", kind, idbuf);
    return json_pack("{s:s, s:s, s:s}", "value", idbuf, "display", display ? display : "", "$ref",
                     refbuf);
}

static lh_err render_members(lh_meta_t *m, int64_t id, json_t *members, json_t *parents,
                             lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(
        lh_meta_stmt(m,
                     "SELECT gm.member_id, gm.member_kind, COALESCE(u.display_name, "
                     "u.user_name, g.display_name), u.kind FROM group_members gm LEFT JOIN users u "
                     "ON gm.member_kind = 'user' AND u.id = gm.member_id LEFT JOIN groups g "
                     "ON gm.member_kind = 'group' AND g.id = gm.member_id "
                     "WHERE gm.group_id = ? ORDER BY 3, 1",
                     &st, eb));
    lh_stmt_bind_int(st, 1, id);
    bool row = false;
    LH_TRY(lh_stmt_step(st, &row, eb));
    while (row) {
        const char *kind = strcmp(lh_stmt_text(st, 1), "group") == 0 ? "Groups"
                           : lh_stmt_is_null(st, 3) || strcmp(lh_stmt_text(st, 3), "user") == 0
                               ? "Users"
                               : "ServicePrincipals";
        json_array_append_new(members, ref(lh_stmt_int(st, 0), lh_stmt_text(st, 2), kind));
        LH_TRY(lh_stmt_step(st, &row, eb));
    }
    LH_TRY(lh_meta_stmt(m,
                        "SELECT g.id, g.display_name FROM group_members gm JOIN groups g ON "
                        "g.id = gm.group_id WHERE gm.member_kind = 'group' AND gm.member_id = ? "
                        "ORDER BY 2",
                        &st, eb));
    lh_stmt_bind_int(st, 1, id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    while (row) {
        json_t *r = ref(lh_stmt_int(st, 0), lh_stmt_text(st, 1), "Groups");
        json_object_set_new(r, "type", json_string("direct"));
        json_array_append_new(parents, r);
        LH_TRY(lh_stmt_step(st, &row, eb));
    }
    return LH_OK;
}

static lh_err render_group(lh_meta_t *m, const group_rec *g, json_t **out, lh_errbuf *eb)
{
    json_t *members = json_array(), *parents = json_array();
    json_t *o =
        json_pack("{s:[s], s:s, s:s, s:o, s:o}", "schemas", LH_SCIM_GROUP_SCHEMA, "id", g->id_str,
                  "displayName", g->display_name, "members", members, "groups", parents);
    json_object_set_new(o, "entitlements", lh_scim_entitlements_render(g->entitlements));
    json_object_set_new(o, "roles", json_array());
    lh_json_set_str(o, "externalId", g->external_id);
    json_object_set_new(o, "meta", json_pack("{s:s}", "resourceType", "Group"));
    lh_err e = render_members(m, g->id, members, parents, eb);
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
    group_rec rec;
    json_t *out;
} get_arg;

static lh_err load_group(lh_meta_t *m, int64_t id, lh_arena_t *a, group_rec *g, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, GROUP_COLUMNS "WHERE id = ?", &st, eb));
    lh_stmt_bind_int(st, 1, id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "Group %lld does not exist.", (long long)id);
    read_row(st, a, g);
    return LH_OK;
}

static lh_err get_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    get_arg *a = arg;
    LH_TRY(load_group(m, a->id, a->arena, &a->rec, eb));
    return render_group(m, &a->rec, &a->out, eb);
}

static lh_err path_id(const lh_req_t *req, int64_t *id, lh_errbuf *eb)
{
    const char *s = lh_req_path_param(req, 0);
    LH_FAIL_IF(!lh_identity_parse_id(s, id), LH_E_NOT_FOUND, eb, "Group %s does not exist.",
               s ? s : "");
    return LH_OK;
}

lh_err lh_scim_groups_get_handler(lh_req_t *req, lh_errbuf *eb)
{
    get_arg a = {.arena = req->arena};
    LH_TRY(path_id(req, &a.id, eb));
    lh_err e = lh_meta_read(req->ctx->meta, get_cb, &a, eb);
    if (e != LH_OK) {
        json_decref(a.out);
        return e;
    }
    req->out = a.out;
    return lh_scim_project_req(req, req->out, eb);
}

/* ---- list ---- */

static lh_err list_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    lh_scim_list_t *a = arg;
    group_rec *page = lh_arena_calloc(a->arena, (size_t)a->q.count + 1, sizeof *page);
    int64_t n = 0;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, GROUP_COLUMNS "ORDER BY created_at, id", &st, eb));
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            break;
        group_rec g;
        read_row(st, NULL, &g);
        if (!lh_scim_filter_match(a->q.filter, group_values, &g))
            continue;
        if (a->total++ >= a->q.start_index - 1 && n < a->q.count)
            read_row(st, a->arena, &page[n++]);
    }
    for (int64_t i = 0; i < n; i++) {
        json_t *o = NULL;
        LH_TRY(render_group(m, &page[i], &o, eb));
        lh_scim_project(o, a->q.attributes, a->q.excluded);
        json_array_append_new(a->resources, o);
    }
    return LH_OK;
}

lh_err lh_scim_groups_list_handler(lh_req_t *req, lh_errbuf *eb)
{
    return lh_scim_list_run(req, list_cb, eb);
}

/* ---- membership ---- */

static lh_err member_kind(lh_meta_t *m, int64_t id, const char **kind, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT 1 FROM users WHERE id = ?", &st, eb));
    lh_stmt_bind_int(st, 1, id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    *kind = "user";
    if (row)
        return LH_OK;
    LH_TRY(lh_meta_stmt(m, "SELECT 1 FROM groups WHERE id = ?", &st, eb));
    lh_stmt_bind_int(st, 1, id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    *kind = "group";
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "Member %lld does not exist.", (long long)id);
    return LH_OK;
}

static lh_err add_member(lh_meta_t *m, int64_t group_id, int64_t member_id, lh_errbuf *eb)
{
    LH_FAIL_IF(group_id == member_id, LH_E_INVALID, eb, "A group cannot be a member of itself");
    const char *kind = NULL;
    LH_TRY(member_kind(m, member_id, &kind, eb));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT OR IGNORE INTO group_members(group_id, member_id, member_kind) "
                        "VALUES (?, ?, ?)",
                        &st, eb));
    lh_stmt_bind_int(st, 1, group_id);
    lh_stmt_bind_int(st, 2, member_id);
    lh_stmt_bind_text(st, 3, kind);
    return lh_stmt_run(st, eb);
}

/* member_id 0 = every member. */
static lh_err remove_member(lh_meta_t *m, int64_t group_id, int64_t member_id, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "DELETE FROM group_members WHERE group_id = ?1 AND (?2 = 0 OR "
                        "member_id = ?2)",
                        &st, eb));
    lh_stmt_bind_int(st, 1, group_id);
    lh_stmt_bind_int(st, 2, member_id);
    return lh_stmt_run(st, eb);
}

static lh_err edit_members(lh_meta_t *m, lh_arena_t *a, int64_t group_id, lh_patch_kind kind,
                           const json_t *value, lh_errbuf *eb)
{
    int64_t *ids = NULL;
    size_t n = 0;
    LH_TRY(lh_scim_ref_ids(value, "members", a, &ids, &n, eb));
    if (kind == LH_PATCH_REPLACE || (kind == LH_PATCH_REMOVE && value == NULL))
        LH_TRY(remove_member(m, group_id, 0, eb));
    for (size_t i = 0; i < n; i++) {
        if (kind == LH_PATCH_REMOVE)
            LH_TRY(remove_member(m, group_id, ids[i], eb));
        else
            LH_TRY(add_member(m, group_id, ids[i], eb));
    }
    return LH_OK;
}

/* ---- writes ---- */

static lh_err check_name(const char *field, const char *s, bool required, lh_errbuf *eb)
{
    LH_FAIL_IF(required && (s == NULL || s[0] == '\0'), LH_E_INVALID, eb,
               "Missing required field: %s", field);
    LH_FAIL_IF(s && strlen(s) > LH_NAME_MAX, LH_E_INVALID, eb, "%s is longer than %d characters",
               field, LH_NAME_MAX);
    return LH_OK;
}

static lh_err write_group(lh_meta_t *m, const group_rec *g, bool insert, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        insert ? "INSERT INTO groups(display_name, external_id, entitlements, "
                                 "id, created_at) VALUES (?, ?, ?, ?, ?)"
                               : "UPDATE groups SET display_name = ?, external_id = ?, "
                                 "entitlements = ? WHERE id = ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, g->display_name);
    lh_stmt_bind_text(st, 2, g->external_id);
    lh_stmt_bind_text(st, 3, g->entitlements);
    lh_stmt_bind_int(st, 4, g->id);
    if (insert)
        lh_stmt_bind_int(st, 5, lh_now_ms());
    lh_err e = lh_stmt_run(st, eb);
    if (e == LH_E_EXISTS)
        LH_FAIL(LH_E_EXISTS, eb, "Group with name %s already exists.", g->display_name);
    return e;
}

/* The built-in groups keep their names: admin rights hang on `admins`, and `users`
 * (every principal, implicitly) carries the grants and entitlements given to everyone. */
static lh_err check_rename(lh_meta_t *m, const group_rec *g, lh_errbuf *eb)
{
    group_rec old;
    LH_TRY(load_group(m, g->id, NULL, &old, eb));
    static const char *const builtin[] = {LH_ADMINS_GROUP, LH_USERS_GROUP};
    for (int i = 0; i < 2; i++)
        LH_FAIL_IF(strcmp(old.display_name, builtin[i]) == 0 &&
                       strcmp(g->display_name, builtin[i]) != 0,
                   LH_E_INVALID, eb, "The %s group cannot be renamed", builtin[i]);
    return LH_OK;
}

typedef struct {
    lh_req_t *req;
    group_rec rec;
    bool insert, set_members;
    json_t *ops; /* PATCH */
    size_t op_count;
    json_t *out;
} save_arg;

static lh_err finish(lh_meta_t *m, save_arg *a, lh_errbuf *eb)
{
    LH_TRY(lh_identity_check_admin_left(m, eb));
    return render_group(m, &a->rec, &a->out, eb);
}

static lh_err save_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    save_arg *a = arg;
    if (!a->insert)
        LH_TRY(check_rename(m, &a->rec, eb));
    LH_TRY(write_group(m, &a->rec, a->insert, eb));
    if (a->set_members)
        LH_TRY(edit_members(m, a->req->arena, a->rec.id, LH_PATCH_REPLACE,
                            json_object_get(a->req->params, "members"), eb));
    return finish(m, a, eb);
}

static lh_err read_group(lh_req_t *req, save_arg *a, lh_errbuf *eb)
{
    const json_t *p = req->params;
    a->req = req;
    a->rec.entitlements = "[]";
    LH_TRY(lh_json_get_str(p, "displayName", LH_REQUIRED, &a->rec.display_name, eb));
    LH_TRY(check_name("displayName", a->rec.display_name, true, eb));
    LH_TRY(lh_json_get_str(p, "externalId", LH_OPTIONAL, &a->rec.external_id, eb));
    LH_TRY(check_name("externalId", a->rec.external_id, false, eb));
    if (lh_json_has(p, "entitlements"))
        LH_TRY(lh_scim_entitlements_text(json_object_get(p, "entitlements"), req->arena,
                                         &a->rec.entitlements, eb));
    a->set_members = lh_json_has(p, "members");
    return LH_OK;
}

static lh_err save_group(lh_req_t *req, save_arg *a, lh_errbuf *eb)
{
    snprintf(a->rec.id_str, sizeof a->rec.id_str, "%lld", (long long)a->rec.id);
    lh_err e = lh_meta_tx(req->ctx->meta, save_cb, a, eb);
    if (e != LH_OK) {
        json_decref(a->out); /* built before a failed COMMIT */
        return e;
    }
    lh_identity_invalidate(req->ctx->identity);
    req->out = a->out;
    return LH_OK;
}

lh_err lh_scim_groups_create_handler(lh_req_t *req, lh_errbuf *eb)
{
    save_arg a = {.insert = true};
    LH_TRY(read_group(req, &a, eb));
    a.rec.id = lh_identity_new_id();
    LH_TRY(save_group(req, &a, eb));
    req->status = 201;
    return LH_OK;
}

lh_err lh_scim_groups_put_handler(lh_req_t *req, lh_errbuf *eb)
{
    save_arg a = {.insert = false};
    LH_TRY(path_id(req, &a.rec.id, eb));
    LH_TRY(read_group(req, &a, eb));
    return save_group(req, &a, eb);
}

/* ---- patch ---- */

static lh_err patch_string(const char *field, const lh_patch_op *op, bool required,
                           const char **slot, lh_errbuf *eb)
{
    if (op->kind == LH_PATCH_REMOVE) {
        LH_FAIL_IF(required, LH_E_INVALID, eb, "%s cannot be removed", field);
        *slot = NULL;
        return LH_OK;
    }
    LH_FAIL_IF(!json_is_string(op->value), LH_E_INVALID, eb,
               "Invalid value for %s: expected a string", field);
    *slot = json_string_value(op->value);
    return check_name(field, *slot, required, eb);
}

static lh_err patch_path(lh_meta_t *m, save_arg *a, const char *path, const lh_patch_op *op,
                         lh_errbuf *eb)
{
    lh_arena_t *arena = a->req->arena;
    int64_t member = 0;
    if (strcasecmp(path, "members") == 0)
        return edit_members(m, arena, a->rec.id, op->kind, op->value, eb);
    if (lh_scim_member_filter_path(path, &member)) {
        LH_FAIL_IF(op->kind != LH_PATCH_REMOVE, LH_E_INVALID, eb,
                   "A members[value eq ...] path only supports remove");
        return remove_member(m, a->rec.id, member, eb);
    }
    if (strcasecmp(path, "displayName") == 0)
        return patch_string("displayName", op, true, &a->rec.display_name, eb);
    if (strcasecmp(path, "externalId") == 0)
        return patch_string("externalId", op, false, &a->rec.external_id, eb);
    if (strcasecmp(path, "entitlements") == 0) {
        const char *base = op->kind == LH_PATCH_REPLACE ? "[]" : a->rec.entitlements;
        return lh_scim_entitlements_edit(base, op->value, op->kind != LH_PATCH_REMOVE, arena,
                                         &a->rec.entitlements, eb);
    }
    LH_FAIL(LH_E_INVALID, eb, "Unsupported PATCH path '%s'", path);
}

static lh_err patch_one(lh_meta_t *m, save_arg *a, const lh_patch_op *op, lh_errbuf *eb)
{
    if (op->path != NULL)
        return patch_path(m, a, op->path, op, eb);
    const char *key;
    json_t *v;
    json_object_foreach(op->value, key, v)
    {
        if (strcmp(key, "schemas") == 0 || strcmp(key, "id") == 0)
            continue;
        lh_patch_op sub = {op->kind, key, v};
        LH_TRY(patch_path(m, a, key, &sub, eb));
    }
    return LH_OK;
}

static lh_err patch_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    save_arg *a = arg;
    LH_TRY(load_group(m, a->rec.id, a->req->arena, &a->rec, eb));
    for (size_t i = 0; i < a->op_count; i++) {
        lh_patch_op op;
        LH_TRY(lh_scim_patch_op(a->ops, i, &op, eb));
        LH_TRY(patch_one(m, a, &op, eb));
    }
    LH_TRY(check_rename(m, &a->rec, eb));
    LH_TRY(write_group(m, &a->rec, false, eb));
    return finish(m, a, eb);
}

lh_err lh_scim_groups_patch_handler(lh_req_t *req, lh_errbuf *eb)
{
    save_arg a = {.req = req};
    LH_TRY(path_id(req, &a.rec.id, eb));
    LH_TRY(lh_scim_patch_ops(req, &a.ops, &a.op_count, eb));
    lh_err e = lh_meta_tx(req->ctx->meta, patch_cb, &a, eb);
    if (e != LH_OK) {
        json_decref(a.out); /* built before a failed COMMIT */
        return e;
    }
    lh_identity_invalidate(req->ctx->identity);
    req->out = a.out;
    return LH_OK;
}

/* ---- delete ---- */

static lh_err delete_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    int64_t id = *(int64_t *)arg;
    group_rec g;
    LH_TRY(load_group(m, id, NULL, &g, eb));
    LH_FAIL_IF(strcmp(g.display_name, LH_ADMINS_GROUP) == 0 ||
                   strcmp(g.display_name, LH_USERS_GROUP) == 0,
               LH_E_INVALID, eb, "The %s group cannot be deleted", g.display_name);
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "DELETE FROM groups WHERE id = ?", &st, eb));
    lh_stmt_bind_int(st, 1, id);
    LH_TRY(lh_stmt_run(st, eb));
    LH_TRY(lh_meta_stmt(
        m, "DELETE FROM group_members WHERE member_kind = 'group' AND member_id = ?", &st, eb));
    lh_stmt_bind_int(st, 1, id);
    return lh_stmt_run(st, eb);
}

lh_err lh_scim_groups_delete_handler(lh_req_t *req, lh_errbuf *eb)
{
    int64_t id = 0;
    LH_TRY(path_id(req, &id, eb));
    LH_TRY(lh_meta_tx(req->ctx->meta, delete_cb, &id, eb));
    lh_identity_invalidate(req->ctx->identity);
    return LH_OK;
}
