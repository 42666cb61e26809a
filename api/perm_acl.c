/*
 * perm_acl.c - the access_control_list request (parse, apply) and the ObjectPermissions
 * answer (render), shared by /api/2.0/permissions/... and later areas' own ACL routes.
 *
 * Request (PUT = set, PATCH = update):
 *   {"access_control_list": [{"user_name"|"group_name"|"service_principal_name": "...",
 *                             "permission_level": "CAN_MANAGE"}, ...]}
 * set replaces the object's direct grants, update adds (or changes) the listed ones. The
 * owner is not a grant: set never removes it; IS_OWNER (types that have it) moves it.
 * `admins` cannot be granted to: admins hold every level already.
 *
 * Answer: one entry per principal with a direct grant or the ownership (inherited false);
 * members of a granted group (other than the built-in `users`, which would list everyone)
 * get entries inherited from "/groups/<name>"; `admins` appears inherited from the type's
 * root ("/clusters/"). Types that inherit (perm.h, lh_perm_register_parent) also list each
 * ancestor's owner and grants as inherited from it ("/directories/<id>").
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/perm.h"
#include "common/limits.h"
#include "storage/meta/meta.h"

/* ---- parse (pure; the fuzz target drives it) ---- */

static const char *const NAME_KEYS[] = {"user_name", "group_name", "service_principal_name"};

static lh_err parse_entry(const lh_perm_type_t *t, const json_t *e, size_t i, lh_perm_ace_t *out,
                          lh_errbuf *eb)
{
    LH_FAIL_IF(!json_is_object(e), LH_E_INVALID, eb,
               "Invalid access_control_list[%zu]: expected an object", i);
    int names = 0;
    for (int k = 0; k < 3; k++) {
        const json_t *v = json_object_get(e, NAME_KEYS[k]);
        if (v == NULL || json_is_null(v))
            continue;
        LH_FAIL_IF(!json_is_string(v) || json_string_length(v) == 0 ||
                       json_string_length(v) > LH_NAME_MAX,
                   LH_E_INVALID, eb,
                   "Invalid access_control_list[%zu].%s: expected a name of 1 to %d characters", i,
                   NAME_KEYS[k], LH_NAME_MAX);
        out->kind = (lh_ace_kind)k;
        out->name = json_string_value(v);
        names++;
    }
    LH_FAIL_IF(names != 1, LH_E_INVALID, eb,
               "access_control_list[%zu] must name exactly one of user_name, group_name, "
               "service_principal_name",
               i);
    const json_t *lv = json_object_get(e, "permission_level");
    LH_FAIL_IF(!json_is_string(lv), LH_E_INVALID, eb,
               "Missing required field: access_control_list[%zu].permission_level", i);
    out->level = json_string_value(lv);
    LH_FAIL_IF(lh_perm_level_rank(t, out->level) == 0, LH_E_INVALID, eb,
               "Invalid permission level %.64s for %s (access_control_list[%zu])", out->level,
               t->object_type, i);
    LH_FAIL_IF(out->kind == LH_ACE_GROUP && strcasecmp(out->name, "admins") == 0, LH_E_INVALID, eb,
               "The admins group's permissions cannot be changed: admins can do everything");
    return LH_OK;
}

lh_err lh_perm_parse_acl(const lh_perm_type_t *t, const json_t *body, lh_arena_t *arena,
                         lh_perm_ace_t **out, size_t *count, lh_errbuf *eb)
{
    *out = NULL;
    *count = 0;
    LH_FAIL_IF(!json_is_object(body), LH_E_INVALID, eb, "Expected a JSON object body");
    const json_t *list = json_object_get(body, "access_control_list");
    if (list == NULL || json_is_null(list))
        return LH_OK;
    LH_FAIL_IF(!json_is_array(list), LH_E_INVALID, eb,
               "Invalid access_control_list: expected a list");
    size_t n = json_array_size(list);
    LH_FAIL_IF(n > LH_PERM_ACL_MAX, LH_E_INVALID, eb,
               "access_control_list has %zu entries; at most %d are allowed", n, LH_PERM_ACL_MAX);
    lh_perm_ace_t *aces = lh_arena_calloc(arena, n + 1, sizeof *aces);
    for (size_t i = 0; i < n; i++)
        LH_TRY(parse_entry(t, json_array_get(list, i), i, &aces[i], eb));
    *out = aces;
    *count = n;
    return LH_OK;
}

/* ---- apply ---- */

typedef struct apply_arg {
    const lh_perm_type_t *t;
    const char *id;
    const lh_perm_ace_t *aces;
    size_t count;
    bool replace;
} apply_arg;

static lh_err resolve(lh_meta_t *m, const lh_perm_ace_t *a, int64_t *id, lh_errbuf *eb)
{
    static const char *const sql[] = {
        "SELECT id FROM users WHERE user_name = ? AND kind = 'user'",
        "SELECT id FROM groups WHERE display_name = ?",
        "SELECT id FROM users WHERE application_id = ? AND kind = 'service_principal'",
    };
    static const char *const what[] = {"UserName", "GroupName", "ServicePrincipalName"};
    lh_stmt_t *st;
    bool row = false;
    LH_TRY(lh_meta_stmt(m, sql[a->kind], &st, eb));
    lh_stmt_bind_text(st, 1, a->name);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_INVALID, eb, "Principal: %s(%.200s) does not exist", what[a->kind],
               a->name);
    *id = lh_stmt_int(st, 0);
    return LH_OK;
}

static lh_err apply_one(lh_meta_t *m, const apply_arg *a, const lh_perm_ace_t *ace, lh_errbuf *eb)
{
    int64_t who = 0;
    LH_TRY(resolve(m, ace, &who, eb));
    lh_stmt_t *st;
    bool to_owner = a->t->owner_level != NULL && strcmp(a->t->owner_level, "IS_OWNER") == 0 &&
                    strcmp(ace->level, "IS_OWNER") == 0;
    if (to_owner) {
        LH_FAIL_IF(ace->kind == LH_ACE_GROUP, LH_E_INVALID, eb,
                   "IS_OWNER can only be given to a user or service principal");
        LH_TRY(lh_meta_stmt(m,
                            "INSERT INTO object_owners(object_type, object_id, owner_id) VALUES "
                            "(?, ?, ?) ON CONFLICT(object_type, object_id) DO UPDATE SET "
                            "owner_id = excluded.owner_id",
                            &st, eb));
    } else {
        LH_TRY(lh_meta_stmt(m,
                            "INSERT INTO object_acls(object_type, object_id, principal_id, "
                            "principal_kind, level) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE "
                            "SET level = excluded.level",
                            &st, eb));
        lh_stmt_bind_text(st, 4, ace->kind == LH_ACE_GROUP ? "group" : "user");
        lh_stmt_bind_text(st, 5, ace->level);
    }
    lh_stmt_bind_text(st, 1, a->t->path);
    lh_stmt_bind_text(st, 2, a->id);
    lh_stmt_bind_int(st, 3, who);
    return lh_stmt_run(st, eb);
}

static lh_err apply_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    apply_arg *a = arg;
    if (a->replace) {
        lh_stmt_t *st;
        LH_TRY(lh_meta_stmt(m, "DELETE FROM object_acls WHERE object_type = ? AND object_id = ?",
                            &st, eb));
        lh_stmt_bind_text(st, 1, a->t->path);
        lh_stmt_bind_text(st, 2, a->id);
        LH_TRY(lh_stmt_run(st, eb));
    }
    for (size_t i = 0; i < a->count; i++)
        LH_TRY(apply_one(m, a, &a->aces[i], eb));
    return LH_OK;
}

lh_err lh_perm_apply(lh_ctx_t *ctx, const lh_perm_type_t *t, const char *object_id,
                     const lh_perm_ace_t *aces, size_t count, bool replace, lh_errbuf *eb)
{
    apply_arg a = {t, object_id, aces, count, replace};
    return lh_meta_tx(ctx->meta, apply_cb, &a, eb);
}

/* ---- render ---- */

typedef struct render_arg {
    lh_perm_t *perm;
    const lh_perm_type_t *t; /* the object being rendered */
    const char *id;
    const lh_perm_type_t *cur; /* the object or the ancestor whose rows are being read */
    const char *cur_id;
    const char *from; /* NULL for the object, "/directories/<id>" for an ancestor */
    json_t *entries;  /* "u<id>" / "g<id>" -> entry, insertion-ordered */
    json_t *order;    /* keys in first-seen order */
} render_arg;

/* The entry of a principal, created on first sight. kind: 'u' user/sp, 'g' group. */
static json_t *entry_of(render_arg *a, char kind, int64_t id, const char *name, const char *display,
                        bool is_sp)
{
    char key[32];
    snprintf(key, sizeof key, "%c%lld", kind, (long long)id);
    json_t *e = json_object_get(a->entries, key);
    if (e != NULL)
        return e;
    e = json_object();
    const char *name_key = kind == 'g' ? "group_name"
                           : is_sp     ? "service_principal_name"
                                       : "user_name";
    json_object_set_new(e, name_key, json_string(name ? name : ""));
    if (display != NULL && kind != 'g')
        json_object_set_new(e, "display_name", json_string(display));
    json_object_set_new(e, "all_permissions", json_array());
    json_object_set_new(a->entries, key, e);
    json_array_append_new(a->order, json_string(key));
    return e;
}

static void add_permission(json_t *entry, const char *level, const char *from)
{
    json_t *p = json_pack("{s:s, s:b}", "permission_level", level, "inherited", from != NULL);
    if (from != NULL)
        json_object_set_new(p, "inherited_from_object", json_pack("[s]", from));
    json_array_append_new(json_object_get(entry, "all_permissions"), p);
}

/* Columns: user id, user_name, display_name, kind, application_id. */
static json_t *user_entry(render_arg *a, lh_stmt_t *st, int col)
{
    bool is_sp = strcmp(lh_stmt_text(st, col + 3), "service_principal") == 0;
    const char *name = is_sp ? lh_stmt_text(st, col + 4) : lh_stmt_text(st, col + 1);
    return entry_of(a, 'u', lh_stmt_int(st, col), name, lh_stmt_text(st, col + 2), is_sp);
}

static lh_err render_owner(lh_meta_t *m, render_arg *a, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row = false;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT u.id, u.user_name, u.display_name, u.kind, u.application_id FROM "
                        "object_owners o JOIN users u ON u.id = o.owner_id WHERE o.object_type = "
                        "? AND o.object_id = ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->cur->path);
    lh_stmt_bind_text(st, 2, a->cur_id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    if (row && a->cur->owner_level != NULL)
        add_permission(user_entry(a, st, 0), a->cur->owner_level, a->from);
    return LH_OK;
}

#define MEMBERS_SQL                                                                                \
    "WITH RECURSIVE m(kind, id) AS (SELECT member_kind, member_id FROM group_members WHERE "       \
    "group_id = ?1 UNION SELECT gm.member_kind, gm.member_id FROM group_members gm JOIN m ON "     \
    "m.kind = 'group' AND gm.group_id = m.id) SELECT u.id, u.user_name, u.display_name, u.kind, "  \
    "u.application_id FROM m JOIN users u ON m.kind = 'user' AND u.id = m.id ORDER BY "            \
    "u.user_name"

/* Members of a granted group inherit its level (listed under their own names). */
static lh_err render_members(lh_meta_t *m, render_arg *a, json_t *grants, lh_errbuf *eb)
{
    for (size_t i = 0; i < json_array_size(grants); i++) {
        json_t *g = json_array_get(grants, i);
        const char *name = json_string_value(json_array_get(g, 1));
        if (strcmp(name, "users") == 0)
            continue;
        char from[LH_NAME_MAX + 16];
        snprintf(from, sizeof from, "/groups/%s", name);
        lh_stmt_t *st;
        LH_TRY(lh_meta_stmt(m, MEMBERS_SQL, &st, eb));
        lh_stmt_bind_int(st, 1, json_integer_value(json_array_get(g, 0)));
        for (;;) {
            bool row = false;
            LH_TRY(lh_stmt_step(st, &row, eb));
            if (!row)
                break;
            add_permission(user_entry(a, st, 0), json_string_value(json_array_get(g, 2)), from);
        }
    }
    return LH_OK;
}

static lh_err render_direct(lh_meta_t *m, render_arg *a, json_t *grants, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT a.principal_kind, a.level, u.id, u.user_name, u.display_name, "
                        "u.kind, u.application_id, g.id, g.display_name FROM object_acls a LEFT "
                        "JOIN users u ON a.principal_kind = 'user' AND u.id = a.principal_id "
                        "LEFT JOIN groups g ON a.principal_kind = 'group' AND g.id = "
                        "a.principal_id WHERE a.object_type = ? AND a.object_id = ? ORDER BY "
                        "a.principal_kind DESC, coalesce(u.user_name, g.display_name)",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->cur->path);
    lh_stmt_bind_text(st, 2, a->cur_id);
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        const char *level = lh_stmt_text(st, 1);
        bool group = lh_stmt_text(st, 0)[0] == 'g';
        if (group && !lh_stmt_is_null(st, 7)) {
            const char *name = lh_stmt_text(st, 8);
            add_permission(entry_of(a, 'g', lh_stmt_int(st, 7), name, NULL, false), level, a->from);
            json_array_append_new(
                grants, json_pack("[I, s, s]", (json_int_t)lh_stmt_int(st, 7), name, level));
        } else if (!group && !lh_stmt_is_null(st, 2)) {
            add_permission(user_entry(a, st, 2), level, a->from);
        }
    }
}

/* The rows of one object (the rendered one, or an ancestor it inherits from). */
static lh_err render_one(lh_meta_t *m, render_arg *a, lh_errbuf *eb)
{
    json_t *grants = json_array(); /* [group id, name, level] */
    lh_err e = render_owner(m, a, eb);
    if (e == LH_OK)
        e = render_direct(m, a, grants, eb);
    if (e == LH_OK)
        e = render_members(m, a, grants, eb);
    json_decref(grants);
    return e;
}

static lh_err render_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    render_arg *a = arg;
    char id[LH_PERM_ID_MAX], parent_id[LH_PERM_ID_MAX], from[LH_PERM_ID_MAX + 64];
    snprintf(id, sizeof id, "%s", a->id);
    a->cur = a->t;
    a->cur_id = id;
    a->from = NULL;
    for (int depth = 0; depth < LH_PERM_INHERIT_MAX; depth++) {
        LH_TRY(render_one(m, a, eb));
        const char *parent_path;
        bool has_parent = false;
        LH_TRY(lh_perm_parent_of(a->perm, m, a->cur->path, id, &parent_path, parent_id, &has_parent,
                                 eb));
        if (!has_parent)
            return LH_OK;
        a->cur = lh_perm_type_find(parent_path);
        memcpy(id, parent_id, sizeof id);
        snprintf(from, sizeof from, "/%s/%s", parent_path, id);
        a->from = from;
    }
    return LH_OK;
}

/* The level admins show: the top one short of IS_OWNER. */
static const char *admin_level(const lh_perm_type_t *t)
{
    int n = 0;
    while (n < LH_PERM_LEVELS_MAX && t->levels[n] != NULL)
        n++;
    if (n > 1 && strcmp(t->levels[n - 1], "IS_OWNER") == 0)
        n--;
    return t->levels[n - 1];
}

lh_err lh_perm_render(lh_ctx_t *ctx, const lh_perm_type_t *t, const char *object_id, json_t **out,
                      lh_errbuf *eb)
{
    render_arg a = {ctx->perm, t, object_id, t, object_id, NULL, json_object(), json_array()};
    lh_err e = lh_meta_read(ctx->meta, render_cb, &a, eb);
    if (e == LH_OK) {
        json_t *acl = json_array();
        for (size_t i = 0; i < json_array_size(a.order); i++)
            json_array_append(
                acl, json_object_get(a.entries, json_string_value(json_array_get(a.order, i))));
        char root[64], full[LH_NAME_MAX + 80];
        snprintf(root, sizeof root, "/%s/", t->path);
        snprintf(full, sizeof full, "/%s/%s", t->path, object_id);
        json_t *admins = json_pack("{s:s, s:[]}", "group_name", "admins", "all_permissions");
        add_permission(admins, admin_level(t), root);
        json_array_append_new(acl, admins);
        *out = json_pack("{s:s, s:s, s:o}", "object_id", full, "object_type", t->object_type,
                         "access_control_list", acl);
    }
    json_decref(a.entries);
    json_decref(a.order);
    return e;
}
