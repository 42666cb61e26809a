/*
 * scim_users.c - SCIM Users (create, list, get, put, patch, delete) and Me.
 *
 * A user is one row of `users`; emails and entitlements are JSON text columns; groups come
 * from group_members. Listing scans users in creation order, evaluates the filter in memory
 * (filters are bounded, user counts are workspace-sized) and renders only the requested
 * page. created_at is made strictly increasing (a create in the same millisecond as the last
 * one gets the next), so creation order is a total order (ids are random).
 * Every write ends with the "one active admin left" check inside its transaction and
 * clears the auth cache after it commits.
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

typedef struct user_rec {
    int64_t id;
    char id_str[24];
    const char *user_name, *display_name, *given_name, *family_name, *external_id;
    bool active;
    const char *entitlements; /* JSON text */
    const char *emails;       /* JSON text */
    json_t *emails_json;      /* parsed, for filters (owned, freed by the caller) */
} user_rec;

#define USER_COLUMNS                                                                               \
    "SELECT id, user_name, display_name, given_name, family_name, external_id, active, "           \
    "entitlements, emails FROM users "

/* Row -> rec; strings borrowed from the statement (valid until the next step). */
static void read_row(lh_stmt_t *st, user_rec *u)
{
    u->id = lh_stmt_int(st, 0);
    snprintf(u->id_str, sizeof u->id_str, "%lld", (long long)u->id);
    u->user_name = lh_stmt_text(st, 1);
    u->display_name = lh_stmt_text(st, 2);
    u->given_name = lh_stmt_text(st, 3);
    u->family_name = lh_stmt_text(st, 4);
    u->external_id = lh_stmt_text(st, 5);
    u->active = lh_stmt_int(st, 6) != 0;
    u->entitlements = lh_stmt_text(st, 7);
    u->emails = lh_stmt_text(st, 8);
    u->emails_json = NULL;
}

static const char *dup(lh_arena_t *a, const char *s)
{
    return s ? lh_arena_strdup(a, s) : NULL;
}

static void own_strings(lh_arena_t *a, user_rec *u)
{
    u->user_name = dup(a, u->user_name);
    u->display_name = dup(a, u->display_name);
    u->given_name = dup(a, u->given_name);
    u->family_name = dup(a, u->family_name);
    u->external_id = dup(a, u->external_id);
    u->entitlements = dup(a, u->entitlements);
    u->emails = dup(a, u->emails);
}

static int user_values(const void *res, lh_scim_attr attr, const char **vals, int max)
{
    const user_rec *u = res;
    const char *one = NULL;
    switch (attr) {
    case LH_SCIM_ATTR_USER_NAME:
        one = u->user_name;
        break;
    case LH_SCIM_ATTR_DISPLAY_NAME:
        one = u->display_name;
        break;
    case LH_SCIM_ATTR_ID:
        one = u->id_str;
        break;
    case LH_SCIM_ATTR_EXTERNAL_ID:
        one = u->external_id;
        break;
    case LH_SCIM_ATTR_ACTIVE:
        one = u->active ? "true" : "false";
        break;
    case LH_SCIM_ATTR_EMAILS_VALUE: {
        int n = 0;
        for (size_t i = 0; i < json_array_size(u->emails_json) && n < max; i++) {
            const char *v =
                json_string_value(json_object_get(json_array_get(u->emails_json, i), "value"));
            if (v)
                vals[n++] = v;
        }
        return n;
    }
    default:
        break;
    }
    if (one == NULL || one[0] == '\0')
        return 0;
    vals[0] = one;
    return 1;
}

/* ---- rendering ---- */

lh_err lh_scim_principal_groups(lh_meta_t *m, int64_t user_id, json_t *out, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT g.id, g.display_name FROM group_members gm JOIN groups g ON "
                        "g.id = gm.group_id WHERE gm.member_kind = 'user' AND gm.member_id = ? "
                        "ORDER BY g.display_name",
                        &st, eb));
    lh_stmt_bind_int(st, 1, user_id);
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        char id[24], ref[40];
        snprintf(id, sizeof id, "%lld", (long long)lh_stmt_int(st, 0));
        snprintf(ref, sizeof ref, "Groups/%s", id);
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}", "value", id, "display",
                                             lh_stmt_text(st, 1), "$ref", ref, "type", "direct"));
    }
}

static json_t *emails_render(const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_array(v)) {
        json_decref(v);
        v = json_array();
    }
    return v;
}

static lh_err render_user(lh_meta_t *m, const user_rec *u, json_t **out, lh_errbuf *eb)
{
    json_t *o = json_pack("{s:[s,s], s:s, s:s, s:b}", "schemas", LH_SCIM_USER_SCHEMA,
                          LH_SCIM_USER_WS_SCHEMA, "id", u->id_str, "userName", u->user_name,
                          "active", u->active);
    lh_json_set_str(o, "displayName", u->display_name);
    if (u->given_name || u->family_name) {
        json_t *name = json_object();
        lh_json_set_str(name, "givenName", u->given_name);
        lh_json_set_str(name, "familyName", u->family_name);
        json_object_set_new(o, "name", name);
    }
    json_object_set_new(o, "emails", emails_render(u->emails));
    json_t *groups = json_array();
    json_object_set_new(o, "groups", groups);
    json_object_set_new(o, "entitlements", lh_scim_entitlements_render(u->entitlements));
    json_object_set_new(o, "roles", json_array());
    lh_json_set_str(o, "externalId", u->external_id);
    json_object_set_new(o, "meta", json_pack("{s:s}", "resourceType", "User"));
    lh_err e = lh_scim_principal_groups(m, u->id, groups, eb);
    if (e != LH_OK) {
        json_decref(o);
        return e;
    }
    *out = o;
    return LH_OK;
}

/* ---- get / Me ---- */

typedef struct {
    int64_t id;
    bool any_kind; /* Me: a service principal reads itself too */
    lh_arena_t *arena;
    user_rec rec; /* strings in arena */
    json_t *out;
} get_arg;

static lh_err load_user(lh_meta_t *m, get_arg *a, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m,
                        a->any_kind ? USER_COLUMNS "WHERE id = ?"
                                    : USER_COLUMNS "WHERE id = ? AND kind = 'user'",
                        &st, eb));
    lh_stmt_bind_int(st, 1, a->id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "User %lld does not exist.", (long long)a->id);
    read_row(st, &a->rec);
    own_strings(a->arena, &a->rec);
    return LH_OK;
}

static lh_err get_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    get_arg *a = arg;
    LH_TRY(load_user(m, a, eb));
    return render_user(m, &a->rec, &a->out, eb);
}

static lh_err answer_user(lh_req_t *req, int64_t id, bool any_kind, lh_errbuf *eb)
{
    get_arg a = {.id = id, .any_kind = any_kind, .arena = req->arena};
    lh_err e = lh_meta_read(req->ctx->meta, get_cb, &a, eb);
    if (e != LH_OK) {
        json_decref(a.out);
        return e;
    }
    req->out = a.out;
    return lh_scim_project_req(req, req->out, eb);
}

static lh_err path_id(const lh_req_t *req, int64_t *id, lh_errbuf *eb)
{
    const char *s = lh_req_path_param(req, 0);
    LH_FAIL_IF(!lh_identity_parse_id(s, id), LH_E_NOT_FOUND, eb, "User %s does not exist.",
               s ? s : "");
    return LH_OK;
}

lh_err lh_scim_users_get_handler(lh_req_t *req, lh_errbuf *eb)
{
    int64_t id = 0;
    LH_TRY(path_id(req, &id, eb));
    return answer_user(req, id, false, eb);
}

/* server/ adds X-Databricks-Org-Id to every answer (the SDK reads it from Me). */
lh_err lh_scim_me_handler(lh_req_t *req, lh_errbuf *eb)
{
    return answer_user(req, req->principal->user_id, true, eb);
}

/* ---- list ---- */

static lh_err list_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    lh_scim_list_t *a = arg;
    user_rec *page = lh_arena_calloc(a->arena, (size_t)a->q.count + 1, sizeof *page);
    int64_t n = 0;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, USER_COLUMNS "WHERE kind = 'user' ORDER BY created_at, id", &st, eb));
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            break;
        user_rec u;
        read_row(st, &u);
        u.emails_json = a->q.filter ? json_loads(u.emails ? u.emails : "[]", 0, NULL) : NULL;
        bool hit = lh_scim_filter_match(a->q.filter, user_values, &u);
        json_decref(u.emails_json);
        if (!hit)
            continue;
        if (a->total++ >= a->q.start_index - 1 && n < a->q.count) {
            own_strings(a->arena, &u);
            page[n++] = u;
        }
    }
    for (int64_t i = 0; i < n; i++) {
        json_t *o = NULL;
        LH_TRY(render_user(m, &page[i], &o, eb));
        lh_scim_project(o, a->q.attributes, a->q.excluded);
        json_array_append_new(a->resources, o);
    }
    return LH_OK;
}

lh_err lh_scim_users_list_handler(lh_req_t *req, lh_errbuf *eb)
{
    return lh_scim_list_run(req, list_cb, eb);
}

/* ---- input ---- */

static lh_err check_name(const char *field, const char *s, bool required, lh_errbuf *eb)
{
    LH_FAIL_IF(required && (s == NULL || s[0] == '\0'), LH_E_INVALID, eb,
               "Missing required field: %s", field);
    LH_FAIL_IF(s && strlen(s) > LH_NAME_MAX, LH_E_INVALID, eb, "%s is longer than %d characters",
               field, LH_NAME_MAX);
    return LH_OK;
}

/* emails: a list of {value*, type, primary} -> normalized JSON text. */
static lh_err emails_text(const json_t *list, lh_arena_t *arena, const char **out, lh_errbuf *eb)
{
    LH_FAIL_IF(!json_is_array(list) || json_array_size(list) > LH_SCIM_VALUES_MAX, LH_E_INVALID, eb,
               "Invalid value for emails: expected a list of at most %d {\"value\": ...}",
               LH_SCIM_VALUES_MAX);
    json_t *norm = json_array();
    lh_err e = LH_OK;
    for (size_t i = 0; i < json_array_size(list) && e == LH_OK; i++) {
        const json_t *item = json_array_get(list, i);
        const char *value = NULL, *type = NULL;
        bool primary = false;
        e = json_is_object(item) ? LH_OK
                                 : lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                                              "Invalid value for emails: expected objects");
        if (e == LH_OK)
            e = lh_json_get_str(item, "value", LH_REQUIRED, &value, eb);
        if (e == LH_OK)
            e = lh_json_get_str(item, "type", LH_OPTIONAL, &type, eb);
        if (e == LH_OK)
            e = lh_json_get_bool(item, "primary", LH_OPTIONAL, &primary, eb);
        if (e == LH_OK)
            json_array_append_new(norm, json_pack("{s:s, s:s, s:b}", "value", value, "type",
                                                  type ? type : "work", "primary", primary));
    }
    if (e == LH_OK) {
        char *text = json_dumps(norm, JSON_COMPACT);
        *out = lh_arena_strdup(arena, text ? text : "[]");
        free(text);
    }
    json_decref(norm);
    return e;
}

static lh_err read_name(const json_t *name, user_rec *u, lh_errbuf *eb)
{
    LH_FAIL_IF(!json_is_object(name), LH_E_INVALID, eb,
               "Invalid value for name: expected an "
               "object");
    LH_TRY(lh_json_get_str(name, "givenName", LH_OPTIONAL, &u->given_name, eb));
    LH_TRY(lh_json_get_str(name, "familyName", LH_OPTIONAL, &u->family_name, eb));
    LH_TRY(check_name("name.givenName", u->given_name, false, eb));
    return check_name("name.familyName", u->family_name, false, eb);
}

typedef struct {
    user_rec rec;
    bool set_groups; /* groups given: replace memberships */
    int64_t *group_ids;
    size_t group_count;
} user_input;

/* A whole user from a POST/PUT body. */
static lh_err read_user(lh_req_t *req, user_input *in, lh_errbuf *eb)
{
    const json_t *p = req->params;
    user_rec *u = &in->rec;
    u->active = true;
    u->entitlements = "[]";
    u->emails = "[]";
    LH_TRY(lh_json_get_str(p, "userName", LH_REQUIRED, &u->user_name, eb));
    LH_TRY(check_name("userName", u->user_name, true, eb));
    LH_TRY(lh_json_get_str(p, "displayName", LH_OPTIONAL, &u->display_name, eb));
    LH_TRY(check_name("displayName", u->display_name, false, eb));
    LH_TRY(lh_json_get_str(p, "externalId", LH_OPTIONAL, &u->external_id, eb));
    LH_TRY(check_name("externalId", u->external_id, false, eb));
    LH_TRY(lh_json_get_bool(p, "active", LH_OPTIONAL, &u->active, eb));
    if (lh_json_has(p, "name"))
        LH_TRY(read_name(json_object_get(p, "name"), u, eb));
    if (lh_json_has(p, "emails"))
        LH_TRY(emails_text(json_object_get(p, "emails"), req->arena, &u->emails, eb));
    if (lh_json_has(p, "entitlements"))
        LH_TRY(lh_scim_entitlements_text(json_object_get(p, "entitlements"), req->arena,
                                         &u->entitlements, eb));
    in->set_groups = lh_json_has(p, "groups");
    return lh_scim_ref_ids(json_object_get(p, "groups"), "groups", req->arena, &in->group_ids,
                           &in->group_count, eb);
}

/* ---- writes ---- */

static lh_err write_user(lh_meta_t *m, const user_rec *u, bool insert, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        insert ? "INSERT INTO users(user_name, display_name, given_name, "
                                 "family_name, external_id, active, entitlements, emails, id, "
                                 "created_at) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, max(?10, "
                                 "coalesce(max(created_at) + 1, 0)) FROM users"
                               : "UPDATE users SET user_name = ?, display_name = ?, given_name "
                                 "= ?, family_name = ?, external_id = ?, active = ?, "
                                 "entitlements = ?, emails = ? WHERE id = ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, u->user_name);
    lh_stmt_bind_text(st, 2, u->display_name);
    lh_stmt_bind_text(st, 3, u->given_name);
    lh_stmt_bind_text(st, 4, u->family_name);
    lh_stmt_bind_text(st, 5, u->external_id);
    lh_stmt_bind_int(st, 6, u->active);
    lh_stmt_bind_text(st, 7, u->entitlements);
    lh_stmt_bind_text(st, 8, u->emails);
    lh_stmt_bind_int(st, 9, u->id);
    if (insert)
        lh_stmt_bind_int(st, 10, lh_now_ms());
    lh_err e = lh_stmt_run(st, eb);
    if (e == LH_E_EXISTS)
        LH_FAIL(LH_E_EXISTS, eb, "User with username %s already exists.", u->user_name);
    return e;
}

static lh_err group_exists(lh_meta_t *m, int64_t group_id, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT 1 FROM groups WHERE id = ?", &st, eb));
    lh_stmt_bind_int(st, 1, group_id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "Group %lld does not exist.", (long long)group_id);
    return LH_OK;
}

lh_err lh_scim_set_membership(lh_meta_t *m, int64_t user_id, int64_t group_id, bool add,
                              lh_errbuf *eb)
{
    lh_stmt_t *st;
    if (add)
        LH_TRY(group_exists(m, group_id, eb));
    LH_TRY(lh_meta_stmt(m,
                        add ? "INSERT OR IGNORE INTO group_members(group_id, member_id, "
                              "member_kind) VALUES (?, ?, 'user')"
                            : "DELETE FROM group_members WHERE group_id = ? AND member_id = ? "
                              "AND member_kind = 'user'",
                        &st, eb));
    lh_stmt_bind_int(st, 1, group_id);
    lh_stmt_bind_int(st, 2, user_id);
    return lh_stmt_run(st, eb);
}

lh_err lh_scim_replace_groups(lh_meta_t *m, int64_t id, const int64_t *group_ids, size_t n,
                              lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "DELETE FROM group_members WHERE member_kind = 'user' AND member_id = ?",
                        &st, eb));
    lh_stmt_bind_int(st, 1, id);
    LH_TRY(lh_stmt_run(st, eb));
    for (size_t i = 0; i < n; i++)
        LH_TRY(lh_scim_set_membership(m, id, group_ids[i], true, eb));
    return LH_OK;
}

static lh_err replace_groups(lh_meta_t *m, const user_input *in, lh_errbuf *eb)
{
    return lh_scim_replace_groups(m, in->rec.id, in->group_ids, in->group_count, eb);
}

typedef struct {
    user_input in;
    bool insert;
    json_t *out;
} save_arg;

static lh_err save_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    save_arg *a = arg;
    if (!a->insert) {
        get_arg g = {.id = a->in.rec.id};
        lh_arena_t *tmp = lh_arena_create();
        g.arena = tmp;
        lh_err e = load_user(m, &g, eb);
        lh_arena_destroy(tmp);
        LH_TRY(e);
    }
    LH_TRY(write_user(m, &a->in.rec, a->insert, eb));
    if (a->in.set_groups)
        LH_TRY(replace_groups(m, &a->in, eb));
    LH_TRY(lh_identity_check_admin_left(m, eb));
    return render_user(m, &a->in.rec, &a->out, eb);
}

static lh_err save_user(lh_req_t *req, save_arg *a, lh_errbuf *eb)
{
    snprintf(a->in.rec.id_str, sizeof a->in.rec.id_str, "%lld", (long long)a->in.rec.id);
    lh_err e = lh_meta_tx(req->ctx->meta, save_cb, a, eb);
    if (e != LH_OK) {
        json_decref(a->out); /* built before a failed COMMIT */
        return e;
    }
    lh_identity_invalidate(req->ctx->identity);
    req->out = a->out;
    return LH_OK;
}

lh_err lh_scim_users_create_handler(lh_req_t *req, lh_errbuf *eb)
{
    save_arg a = {.insert = true};
    LH_TRY(read_user(req, &a.in, eb));
    a.in.rec.id = lh_identity_new_id();
    LH_TRY(save_user(req, &a, eb));
    req->status = 201;
    return LH_OK;
}

lh_err lh_scim_users_put_handler(lh_req_t *req, lh_errbuf *eb)
{
    save_arg a = {.insert = false};
    LH_TRY(path_id(req, &a.in.rec.id, eb));
    LH_TRY(read_user(req, &a.in, eb));
    return save_user(req, &a, eb);
}

/* ---- patch ---- */

typedef struct {
    lh_req_t *req;
    int64_t id;
    json_t *ops;
    size_t op_count;
    json_t *out;
} patch_arg;

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

static lh_err patch_groups(lh_meta_t *m, patch_arg *a, const lh_patch_op *op, lh_errbuf *eb)
{
    int64_t *ids = NULL;
    size_t n = 0;
    LH_TRY(lh_scim_ref_ids(op->value, "groups", a->req->arena, &ids, &n, eb));
    if (op->kind == LH_PATCH_REPLACE) {
        user_input in = {.group_ids = ids, .group_count = n};
        in.rec.id = a->id;
        return replace_groups(m, &in, eb);
    }
    for (size_t i = 0; i < n; i++)
        LH_TRY(lh_scim_set_membership(m, a->id, ids[i], op->kind == LH_PATCH_ADD, eb));
    return LH_OK;
}

/* add appends to the stored list, replace swaps it, remove clears it. */
static lh_err patch_emails(user_rec *u, const lh_patch_op *op, lh_arena_t *arena, lh_errbuf *eb)
{
    if (op->kind == LH_PATCH_REMOVE) {
        u->emails = "[]";
        return LH_OK;
    }
    if (op->kind == LH_PATCH_REPLACE || !json_is_array(op->value))
        return emails_text(op->value, arena, &u->emails, eb);
    json_t *all = emails_render(u->emails);
    json_array_extend(all, op->value);
    lh_err e = emails_text(all, arena, &u->emails, eb);
    json_decref(all);
    return e;
}

static lh_err patch_path(lh_meta_t *m, patch_arg *a, user_rec *u, const char *path,
                         const lh_patch_op *op, lh_errbuf *eb)
{
    lh_arena_t *arena = a->req->arena;
    if (strcasecmp(path, "userName") == 0)
        return patch_string("userName", op, true, &u->user_name, eb);
    if (strcasecmp(path, "displayName") == 0)
        return patch_string("displayName", op, false, &u->display_name, eb);
    if (strcasecmp(path, "externalId") == 0)
        return patch_string("externalId", op, false, &u->external_id, eb);
    if (strcasecmp(path, "name.givenName") == 0)
        return patch_string("name.givenName", op, false, &u->given_name, eb);
    if (strcasecmp(path, "name.familyName") == 0)
        return patch_string("name.familyName", op, false, &u->family_name, eb);
    if (strcasecmp(path, "name") == 0) {
        u->given_name = u->family_name = NULL;
        return op->kind == LH_PATCH_REMOVE ? LH_OK : read_name(op->value, u, eb);
    }
    if (strcasecmp(path, "active") == 0) {
        LH_FAIL_IF(op->kind == LH_PATCH_REMOVE, LH_E_INVALID, eb, "active cannot be removed");
        return lh_json_as_bool(op->value, "active", &u->active, eb);
    }
    if (strcasecmp(path, "emails") == 0)
        return patch_emails(u, op, arena, eb);
    if (strcasecmp(path, "entitlements") == 0) {
        const char *base = op->kind == LH_PATCH_REPLACE ? "[]" : u->entitlements;
        return lh_scim_entitlements_edit(base, op->value, op->kind != LH_PATCH_REMOVE, arena,
                                         &u->entitlements, eb);
    }
    if (strcasecmp(path, "groups") == 0)
        return patch_groups(m, a, op, eb);
    LH_FAIL(LH_E_INVALID, eb, "Unsupported PATCH path '%s'", path);
}

static lh_err patch_one(lh_meta_t *m, patch_arg *a, user_rec *u, const lh_patch_op *op,
                        lh_errbuf *eb)
{
    if (op->path != NULL)
        return patch_path(m, a, u, op->path, op, eb);
    const char *key;
    json_t *v;
    json_object_foreach(op->value, key, v)
    {
        if (strcmp(key, "schemas") == 0 || strcmp(key, "id") == 0)
            continue;
        lh_patch_op sub = {op->kind, key, v};
        LH_TRY(patch_path(m, a, u, key, &sub, eb));
    }
    return LH_OK;
}

static lh_err patch_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    patch_arg *a = arg;
    get_arg g = {.id = a->id, .arena = a->req->arena};
    LH_TRY(load_user(m, &g, eb));
    for (size_t i = 0; i < a->op_count; i++) {
        lh_patch_op op;
        LH_TRY(lh_scim_patch_op(a->ops, i, &op, eb));
        LH_TRY(patch_one(m, a, &g.rec, &op, eb));
    }
    LH_TRY(write_user(m, &g.rec, false, eb));
    LH_TRY(lh_identity_check_admin_left(m, eb));
    return render_user(m, &g.rec, &a->out, eb);
}

lh_err lh_scim_users_patch_handler(lh_req_t *req, lh_errbuf *eb)
{
    patch_arg a = {.req = req};
    LH_TRY(path_id(req, &a.id, eb));
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
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "DELETE FROM users WHERE id = ? AND kind = 'user'", &st, eb));
    lh_stmt_bind_int(st, 1, id);
    LH_TRY(lh_stmt_run(st, eb));
    LH_FAIL_IF(lh_meta_changes(m) == 0, LH_E_NOT_FOUND, eb, "User %lld does not exist.",
               (long long)id);
    LH_TRY(lh_meta_stmt(m, "DELETE FROM group_members WHERE member_kind = 'user' AND member_id = ?",
                        &st, eb));
    lh_stmt_bind_int(st, 1, id);
    LH_TRY(lh_stmt_run(st, eb));
    lh_err e = lh_identity_check_admin_left(m, eb);
    if (e != LH_OK)
        LH_FAIL(e, eb, "Cannot delete user %lld: it is the last admin", (long long)id);
    return LH_OK;
}

lh_err lh_scim_users_delete_handler(lh_req_t *req, lh_errbuf *eb)
{
    int64_t id = 0;
    LH_TRY(path_id(req, &id, eb));
    LH_TRY(lh_meta_tx(req->ctx->meta, delete_cb, &id, eb));
    lh_identity_invalidate(req->ctx->identity);
    return LH_OK;
}
