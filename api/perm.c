/*
 * perm.c - object permission checks and entitlements (perm.h): the type table, the
 * per-principal cache of group closures, and the checks areas call on every request.
 *
 * A check:
 *   1. principal info (cache hit, or one recursive SQLite read of the group closure with
 *      the groups' entitlements, cached unless an identity change raced with it);
 *   2. admins stop here with the top level;
 *   3. one read of the object's owner and ACL rows (and, for types that inherit, of each
 *      ancestor's, in the same read); the highest level among rows naming the principal or
 *      a group of its closure wins.
 * Tables: object_acls (direct grants), object_owners (migration 3).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/perm.h"
#include "common/limits.h"
#include "storage/meta/meta.h"

/* ---- the type table: one row per object type ---- */

static const lh_perm_type_t TYPES[] = {
    {"clusters",
     "cluster",
     {"CAN_ATTACH_TO", "CAN_RESTART", "CAN_MANAGE"},
     {"Can attach to", "Can restart", "Can manage"},
     "CAN_MANAGE",
     NULL},
    {"cluster-policies", "cluster-policy", {"CAN_USE"}, {"Can use"}, NULL, NULL},
    {"instance-pools",
     "instance-pool",
     {"CAN_ATTACH_TO", "CAN_MANAGE"},
     {"Can attach to", "Can manage"},
     "CAN_MANAGE",
     NULL},
    {"jobs",
     "job",
     {"CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE", "IS_OWNER"},
     {"Can view", "Can manage run", "Can manage", "Is owner"},
     "IS_OWNER",
     NULL},
    {"warehouses",
     "warehouses",
     {"CAN_VIEW", "CAN_USE", "CAN_MONITOR", "CAN_MANAGE", "IS_OWNER"},
     {"Can view", "Can use", "Can monitor", "Can manage", "Is owner"},
     "IS_OWNER",
     NULL},
    {"pipelines",
     "pipelines",
     {"CAN_VIEW", "CAN_RUN", "CAN_MANAGE", "IS_OWNER"},
     {"Can view", "Can run", "Can manage", "Is owner"},
     "IS_OWNER",
     "Pipelines"},
    {"experiments",
     "mlflowExperiment",
     {"CAN_READ", "CAN_EDIT", "CAN_MANAGE"},
     {"Can read", "Can edit", "Can manage"},
     "CAN_MANAGE",
     NULL},
    {"registered-models",
     "registered-model",
     {"CAN_READ", "CAN_EDIT", "CAN_MANAGE_STAGING_VERSIONS", "CAN_MANAGE_PRODUCTION_VERSIONS",
      "CAN_MANAGE"},
     {"Can read", "Can edit", "Can manage staging versions", "Can manage production versions",
      "Can manage"},
     "CAN_MANAGE",
     NULL},
    {"notebooks",
     "notebook",
     {"CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"},
     {"Can read", "Can run", "Can edit", "Can manage"},
     "CAN_MANAGE",
     NULL},
    {"directories",
     "directory",
     {"CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"},
     {"Can read", "Can run", "Can edit", "Can manage"},
     "CAN_MANAGE",
     NULL},
    {"files",
     "file",
     {"CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"},
     {"Can read", "Can run", "Can edit", "Can manage"},
     "CAN_MANAGE",
     NULL},
    {"serving-endpoints",
     "serving-endpoint",
     {"CAN_VIEW", "CAN_QUERY", "CAN_MANAGE"},
     {"Can view", "Can query", "Can manage"},
     "CAN_MANAGE",
     "Model serving"},
};

#define TYPE_COUNT (sizeof TYPES / sizeof TYPES[0])

const lh_perm_type_t *lh_perm_type_find(const char *path)
{
    for (size_t i = 0; path != NULL && i < TYPE_COUNT; i++)
        if (strcmp(TYPES[i].path, path) == 0)
            return &TYPES[i];
    return NULL;
}

int lh_perm_level_rank(const lh_perm_type_t *t, const char *level)
{
    for (int i = 0; level != NULL && i < LH_PERM_LEVELS_MAX && t->levels[i] != NULL; i++)
        if (strcmp(t->levels[i], level) == 0)
            return i + 1;
    return 0;
}

static int top_rank(const lh_perm_type_t *t)
{
    int n = 0;
    while (n < LH_PERM_LEVELS_MAX && t->levels[n] != NULL)
        n++;
    return n;
}

/* ---- the principal cache ---- */

enum { ENT_WORKSPACE = 1, ENT_SQL = 2, ENT_CLUSTER = 4, ENT_POOL = 8, ENT_ALL = 15 };

typedef struct pinfo {
    int64_t user_id; /* 0 = empty slot */
    bool is_admin;
    unsigned entitlements;
    int group_count;
    int64_t groups[LH_PERM_GROUPS_MAX]; /* the closure, users included */
} pinfo;

typedef struct resolver {
    const char *path;
    lh_perm_exists_fn fn;
    void *arg;
    lh_perm_parent_fn parent; /* NULL: the type does not inherit */
    void *parent_arg;
} resolver;

struct lh_perm {
    lh_ctx_t *ctx;
    pthread_mutex_t mu; /* guards generation and slots; a leaf lock */
    uint64_t generation;
    pinfo slots[LH_PERM_CACHE_SLOTS];
    resolver resolvers[TYPE_COUNT]; /* written at start only, before HTTP serves */
    size_t resolver_count;
};

lh_err lh_perm_create(lh_ctx_t *ctx, lh_perm_t **out, lh_errbuf *eb)
{
    lh_perm_t *p = calloc(1, sizeof *p);
    LH_FAIL_IF(p == NULL, LH_E_NOMEM, eb, "out of memory");
    p->ctx = ctx;
    pthread_mutex_init(&p->mu, NULL);
    *out = p;
    return LH_OK;
}

void lh_perm_destroy(lh_perm_t *perm)
{
    if (perm == NULL)
        return;
    pthread_mutex_destroy(&perm->mu);
    free(perm);
}

void lh_perm_invalidate(lh_perm_t *perm)
{
    if (perm == NULL)
        return;
    pthread_mutex_lock(&perm->mu);
    perm->generation++;
    memset(perm->slots, 0, sizeof perm->slots);
    pthread_mutex_unlock(&perm->mu);
}

void lh_perm_register(lh_perm_t *perm, const char *path, lh_perm_exists_fn fn, void *arg)
{
    LH_ASSERT(perm->resolver_count < TYPE_COUNT && lh_perm_type_find(path) != NULL);
    perm->resolvers[perm->resolver_count++] = (resolver){path, fn, arg, NULL, NULL};
}

void lh_perm_register_parent(lh_perm_t *perm, const char *path, lh_perm_parent_fn fn, void *arg)
{
    for (size_t i = 0; i < perm->resolver_count; i++)
        if (strcmp(perm->resolvers[i].path, path) == 0) {
            perm->resolvers[i].parent = fn;
            perm->resolvers[i].parent_arg = arg;
            return;
        }
    LH_ASSERT(!"lh_perm_register_parent before lh_perm_register");
}

lh_err lh_perm_parent_of(lh_perm_t *perm, lh_meta_t *m, const char *path, const char *object_id,
                         const char **parent_path, char *parent_id, bool *has_parent, lh_errbuf *eb)
{
    *has_parent = false;
    for (size_t i = 0; perm != NULL && i < perm->resolver_count; i++)
        if (strcmp(perm->resolvers[i].path, path) == 0 && perm->resolvers[i].parent != NULL) {
            LH_TRY(perm->resolvers[i].parent(m, perm->resolvers[i].parent_arg, object_id,
                                             parent_path, parent_id, has_parent, eb));
            LH_ASSERT(!*has_parent || lh_perm_type_find(*parent_path) != NULL);
            return LH_OK;
        }
    return LH_OK;
}

bool lh_perm_object_exists(lh_perm_t *perm, const char *path, const char *object_id)
{
    for (size_t i = 0; i < perm->resolver_count; i++)
        if (strcmp(perm->resolvers[i].path, path) == 0)
            return perm->resolvers[i].fn(perm->resolvers[i].arg, object_id);
    return false;
}

static unsigned entitlement_bit(const char *name)
{
    static const char *const names[] = {LH_ENT_WORKSPACE, LH_ENT_SQL, LH_ENT_CLUSTER,
                                        LH_ENT_INSTANCE_POOL};
    for (unsigned i = 0; name != NULL && i < 4; i++)
        if (strcmp(names[i], name) == 0)
            return 1u << i;
    return 0;
}

/* JSON text ["name", ...] -> bits. */
static unsigned entitlement_bits(const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    unsigned bits = 0;
    for (size_t i = 0; i < json_array_size(v); i++)
        bits |= entitlement_bit(json_string_value(json_array_get(v, i)));
    json_decref(v);
    return bits;
}

#define CLOSURE_SQL                                                                                \
    "WITH RECURSIVE g(id) AS (SELECT group_id FROM group_members WHERE member_kind = 'user' "      \
    "AND member_id = ?1 UNION SELECT id FROM groups WHERE display_name = 'users' UNION SELECT "    \
    "gm.group_id FROM group_members gm JOIN g ON gm.member_kind = 'group' AND gm.member_id = "     \
    "g.id) SELECT groups.id, groups.display_name, groups.entitlements FROM g JOIN groups ON "      \
    "groups.id = g.id"

static lh_err load_pinfo(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    pinfo *pi = arg;
    lh_stmt_t *st;
    bool row = false;
    LH_TRY(lh_meta_stmt(m, "SELECT entitlements FROM users WHERE id = ?", &st, eb));
    lh_stmt_bind_int(st, 1, pi->user_id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    if (row)
        pi->entitlements |= entitlement_bits(lh_stmt_text(st, 0));
    LH_TRY(lh_meta_stmt(m, CLOSURE_SQL, &st, eb));
    lh_stmt_bind_int(st, 1, pi->user_id);
    for (;;) {
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        LH_FAIL_IF(pi->group_count >= LH_PERM_GROUPS_MAX, LH_E_LIMIT, eb,
                   "Principal %lld belongs to more than %d groups", (long long)pi->user_id,
                   LH_PERM_GROUPS_MAX);
        pi->groups[pi->group_count++] = lh_stmt_int(st, 0);
        if (strcmp(lh_stmt_text(st, 1), "admins") == 0)
            pi->is_admin = true;
        pi->entitlements |= entitlement_bits(lh_stmt_text(st, 2));
    }
}

/* The principal's closure and entitlements (from the cache when fresh). */
static lh_err principal_info(lh_ctx_t *ctx, const lh_principal_t *p, pinfo *out, lh_errbuf *eb)
{
    if (p->is_admin) { /* directly in admins: nothing to look up */
        memset(out, 0, sizeof *out);
        out->user_id = p->user_id;
        out->is_admin = true;
        out->entitlements = ENT_ALL;
        return LH_OK;
    }
    lh_perm_t *perm = ctx->perm;
    pinfo *slot = &perm->slots[(uint64_t)p->user_id % LH_PERM_CACHE_SLOTS];
    pthread_mutex_lock(&perm->mu);
    bool hit = slot->user_id == p->user_id;
    if (hit)
        *out = *slot;
    uint64_t generation = perm->generation;
    pthread_mutex_unlock(&perm->mu);
    if (!hit) {
        memset(out, 0, sizeof *out);
        out->user_id = p->user_id;
        LH_TRY(lh_meta_read(ctx->meta, load_pinfo, out, eb));
        if (out->is_admin || p->is_admin)
            out->entitlements = ENT_ALL;
        pthread_mutex_lock(&perm->mu);
        if (perm->generation == generation)
            *slot = *out;
        pthread_mutex_unlock(&perm->mu);
    }
    out->is_admin = out->is_admin || p->is_admin;
    return LH_OK;
}

bool lh_perm_is_admin(lh_ctx_t *ctx, const lh_principal_t *p)
{
    pinfo pi;
    lh_errbuf eb;
    return p != NULL && (p->is_admin || (principal_info(ctx, p, &pi, &eb) == LH_OK && pi.is_admin));
}

bool lh_perm_has_entitlement(lh_ctx_t *ctx, const lh_principal_t *p, const char *name)
{
    pinfo pi;
    lh_errbuf eb;
    if (p == NULL || principal_info(ctx, p, &pi, &eb) != LH_OK)
        return false;
    return (pi.entitlements & entitlement_bit(name)) != 0;
}

lh_err lh_perm_require_entitlement(lh_ctx_t *ctx, const lh_principal_t *p, const char *name,
                                   lh_errbuf *eb)
{
    LH_FAIL_IF(!lh_perm_has_entitlement(ctx, p, name), LH_E_PERMISSION, eb,
               "%s does not have the %s entitlement", p && p->user_name ? p->user_name : "caller",
               name);
    return LH_OK;
}

/* ---- object checks ---- */

static bool in_closure(const pinfo *pi, int64_t group_id)
{
    for (int i = 0; i < pi->group_count; i++)
        if (pi->groups[i] == group_id)
            return true;
    return false;
}

typedef struct rank_arg {
    lh_perm_t *perm;
    const lh_perm_type_t *t;
    const char *id;
    const pinfo *pi;
    int rank;
} rank_arg;

/* The principal's direct level on one object (of type t, ranked as a->t's levels). */
static lh_err rank_one(lh_meta_t *m, rank_arg *a, const lh_perm_type_t *t, const char *id,
                       lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT principal_kind, principal_id, level FROM object_acls WHERE "
                        "object_type = ?1 AND object_id = ?2 UNION ALL SELECT 'owner', owner_id, "
                        "NULL FROM object_owners WHERE object_type = ?1 AND object_id = ?2",
                        &st, eb));
    lh_stmt_bind_text(st, 1, t->path);
    lh_stmt_bind_text(st, 2, id);
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        const char *kind = lh_stmt_text(st, 0);
        int64_t who = lh_stmt_int(st, 1);
        bool mine = kind[0] == 'g' ? in_closure(a->pi, who) : who == a->pi->user_id;
        const char *level = kind[0] == 'o' ? t->owner_level : lh_stmt_text(st, 2);
        int r = mine ? lh_perm_level_rank(a->t, level) : 0;
        if (r > a->rank)
            a->rank = r;
    }
}

/* The object, then each ancestor it inherits from (lh_perm_register_parent). */
static lh_err rank_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    rank_arg *a = arg;
    const lh_perm_type_t *t = a->t;
    char id[LH_PERM_ID_MAX], parent_id[LH_PERM_ID_MAX];
    snprintf(id, sizeof id, "%s", a->id);
    for (int depth = 0; depth < LH_PERM_INHERIT_MAX; depth++) {
        LH_TRY(rank_one(m, a, t, id, eb));
        const char *parent_path;
        bool has_parent = false;
        LH_TRY(
            lh_perm_parent_of(a->perm, m, t->path, id, &parent_path, parent_id, &has_parent, eb));
        if (!has_parent)
            break;
        t = lh_perm_type_find(parent_path);
        memcpy(id, parent_id, sizeof id);
    }
    return LH_OK;
}

lh_err lh_perm_rank_of(lh_ctx_t *ctx, const lh_principal_t *p, const char *path,
                       const char *object_id, int *rank, lh_errbuf *eb)
{
    const lh_perm_type_t *t = lh_perm_type_find(path);
    LH_ASSERT(t != NULL);
    *rank = 0;
    if (p == NULL)
        return LH_OK;
    pinfo pi;
    LH_TRY(principal_info(ctx, p, &pi, eb));
    if (pi.is_admin) {
        *rank = top_rank(t);
        return LH_OK;
    }
    rank_arg a = {ctx->perm, t, object_id, &pi, 0};
    LH_TRY(lh_meta_read(ctx->meta, rank_cb, &a, eb));
    *rank = a.rank;
    return LH_OK;
}

lh_err lh_perm_require(lh_ctx_t *ctx, const lh_principal_t *p, const char *path,
                       const char *object_id, const char *min_level, lh_errbuf *eb)
{
    const lh_perm_type_t *t = lh_perm_type_find(path);
    LH_ASSERT(t != NULL);
    int need = lh_perm_level_rank(t, min_level), have = 0;
    LH_ASSERT(need > 0);
    LH_TRY(lh_perm_rank_of(ctx, p, path, object_id, &have, eb));
    LH_FAIL_IF(have < need, LH_E_PERMISSION, eb, "%s does not have %s permission on %s %s",
               p && p->user_name ? p->user_name : "caller", min_level, t->object_type, object_id);
    return LH_OK;
}

/* ---- visible lists ---- */

typedef struct vis_arg {
    const lh_perm_type_t *t;
    const pinfo *pi;
    int need;
    lh_arena_t *arena;
    lh_perm_visible_t *out;
    size_t cap;
} vis_arg;

static void vis_push(vis_arg *a, const char *id)
{
    if (a->out->count == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        const char **ids = lh_arena_calloc(a->arena, cap, sizeof *ids);
        if (a->out->count)
            memcpy(ids, a->out->ids, a->out->count * sizeof *ids);
        a->out->ids = ids;
        a->cap = cap;
    }
    a->out->ids[a->out->count++] = lh_arena_strdup(a->arena, id);
}

static lh_err vis_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    vis_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT object_id, principal_kind, principal_id, level FROM object_acls "
                        "WHERE object_type = ?1 UNION ALL SELECT object_id, 'owner', owner_id, "
                        "NULL FROM object_owners WHERE object_type = ?1 ORDER BY 1",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->t->path);
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        const char *kind = lh_stmt_text(st, 1);
        int64_t who = lh_stmt_int(st, 2);
        bool mine = kind[0] == 'g' ? in_closure(a->pi, who) : who == a->pi->user_id;
        const char *level = kind[0] == 'o' ? a->t->owner_level : lh_stmt_text(st, 3);
        const char *id = lh_stmt_text(st, 0);
        bool dup = a->out->count > 0 && strcmp(a->out->ids[a->out->count - 1], id) == 0;
        if (mine && !dup && lh_perm_level_rank(a->t, level) >= a->need)
            vis_push(a, id);
    }
}

lh_err lh_perm_visible(lh_ctx_t *ctx, const lh_principal_t *p, const char *path,
                       const char *min_level, lh_arena_t *arena, lh_perm_visible_t *out,
                       lh_errbuf *eb)
{
    const lh_perm_type_t *t = lh_perm_type_find(path);
    LH_ASSERT(t != NULL);
    memset(out, 0, sizeof *out);
    if (p == NULL)
        return LH_OK;
    pinfo pi;
    LH_TRY(principal_info(ctx, p, &pi, eb));
    if (pi.is_admin) {
        out->all = true;
        return LH_OK;
    }
    vis_arg a = {t, &pi, lh_perm_level_rank(t, min_level), arena, out, 0};
    LH_ASSERT(a.need > 0);
    return lh_meta_read(ctx->meta, vis_cb, &a, eb);
}

static int cmp_str(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

bool lh_perm_visible_has(const lh_perm_visible_t *v, const char *object_id)
{
    if (v->all)
        return true;
    return v->count > 0 && bsearch(object_id, v->ids, v->count, sizeof *v->ids, cmp_str) != NULL;
}

/* ---- ownership and deletion ---- */

typedef struct own_arg {
    const char *path, *id;
    int64_t owner_id;
} own_arg;

static lh_err set_owner_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    own_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO object_owners(object_type, object_id, owner_id) VALUES "
                        "(?, ?, ?) ON CONFLICT(object_type, object_id) DO UPDATE SET owner_id = "
                        "excluded.owner_id",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->path);
    lh_stmt_bind_text(st, 2, a->id);
    lh_stmt_bind_int(st, 3, a->owner_id);
    return lh_stmt_run(st, eb);
}

lh_err lh_perm_set_owner(lh_ctx_t *ctx, const char *path, const char *object_id, int64_t owner_id,
                         lh_errbuf *eb)
{
    const lh_perm_type_t *t = lh_perm_type_find(path);
    LH_ASSERT(t != NULL);
    if (t->owner_level == NULL)
        return LH_OK;
    own_arg a = {path, object_id, owner_id};
    return lh_meta_tx(ctx->meta, set_owner_cb, &a, eb);
}

lh_err lh_perm_on_create(lh_ctx_t *ctx, const lh_principal_t *p, const char *path,
                         const char *object_id, lh_errbuf *eb)
{
    if (p == NULL || p->user_id == 0)
        return LH_OK;
    return lh_perm_set_owner(ctx, path, object_id, p->user_id, eb);
}

static lh_err delete_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    own_arg *a = arg;
    static const char *const sql[] = {
        "DELETE FROM object_acls WHERE object_type = ? AND object_id = ?",
        "DELETE FROM object_owners WHERE object_type = ? AND object_id = ?",
    };
    for (int i = 0; i < 2; i++) {
        lh_stmt_t *st;
        LH_TRY(lh_meta_stmt(m, sql[i], &st, eb));
        lh_stmt_bind_text(st, 1, a->path);
        lh_stmt_bind_text(st, 2, a->id);
        LH_TRY(lh_stmt_run(st, eb));
    }
    return LH_OK;
}

lh_err lh_perm_on_delete(lh_ctx_t *ctx, const char *path, const char *object_id, lh_errbuf *eb)
{
    own_arg a = {path, object_id, 0};
    return lh_meta_tx(ctx->meta, delete_cb, &a, eb);
}
