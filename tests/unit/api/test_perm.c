/*
 * test_perm.c - api/perm.h against a real metastore: the type table, the ACL request
 * parser, level resolution (admin, owner, direct, nested groups, the users group),
 * visible lists, entitlements as a union, the closure cache and its invalidation, and
 * the ObjectPermissions rendering.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/perm.h"
#include "common/limits.h"
#include "storage/meta/meta.h"
#include "t.h"

static lh_ctx_t ctx;
static const lh_principal_t ana = {101, "ana@example.com", false, false};
static const lh_principal_t bob = {102, "bob@example.com", false, false};
static const lh_principal_t root = {1, "admin", true, false};
static const lh_principal_t bot = {103, "app-1", false, true};

static lh_err exec_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    return lh_meta_exec(m, arg, eb);
}

static void sql(const char *text)
{
    lh_errbuf eb = {0};
    lh_err e = lh_meta_tx(ctx.meta, exec_cb, (void *)text, &eb);
    if (e != LH_OK)
        fprintf(stderr, "%s: %s\n", text, eb.msg);
    LH_ASSERT(e == LH_OK);
}

static int rank(const lh_principal_t *p, const char *path, const char *id)
{
    int r = -1;
    lh_errbuf eb = {0};
    LH_ASSERT(lh_perm_rank_of(&ctx, p, path, id, &r, &eb) == LH_OK);
    return r;
}

static void test_types(void)
{
    const lh_perm_type_t *c = lh_perm_type_find("clusters");
    T_CHECK(c != NULL);
    T_EQ_STR(c->object_type, "cluster");
    T_EQ_INT(lh_perm_level_rank(c, "CAN_ATTACH_TO"), 1);
    T_EQ_INT(lh_perm_level_rank(c, "CAN_RESTART"), 2);
    T_EQ_INT(lh_perm_level_rank(c, "CAN_MANAGE"), 3);
    T_EQ_INT(lh_perm_level_rank(c, "CAN_USE"), 0);
    T_EQ_INT(lh_perm_level_rank(lh_perm_type_find("cluster-policies"), "CAN_USE"), 1);
    T_CHECK(lh_perm_type_find("serving-endpoints")->area != NULL);
    T_CHECK(lh_perm_type_find("jobs")->area == NULL);
    T_CHECK(lh_perm_type_find("clusters")->area == NULL);
    T_CHECK(lh_perm_type_find("nope") == NULL);
}

static lh_err parse(const char *path, const char *text, size_t *n)
{
    json_t *body = json_loads(text, 0, NULL);
    LH_ASSERT(body != NULL);
    lh_arena_t *a = lh_arena_create();
    lh_perm_ace_t *aces = NULL;
    lh_errbuf eb = {0};
    lh_err e = lh_perm_parse_acl(lh_perm_type_find(path), body, a, &aces, n, &eb);
    lh_arena_destroy(a);
    json_decref(body);
    return e;
}

static void test_parse(void)
{
    size_t n = 99;
    T_EQ_INT(parse("clusters", "{}", &n), LH_OK);
    T_EQ_INT((int)n, 0);
    T_EQ_INT(parse("clusters",
                   "{\"access_control_list\": [{\"user_name\": \"a\", \"permission_level\": "
                   "\"CAN_RESTART\"}, {\"service_principal_name\": \"x\", \"permission_level\": "
                   "\"CAN_MANAGE\"}]}",
                   &n),
             LH_OK);
    T_EQ_INT((int)n, 2);
    static const char *const bad[] = {
        "{\"access_control_list\": {}}",
        "{\"access_control_list\": [1]}",
        "{\"access_control_list\": [{\"permission_level\": \"CAN_MANAGE\"}]}",
        "{\"access_control_list\": [{\"user_name\": \"a\"}]}",
        "{\"access_control_list\": [{\"user_name\": \"a\", \"permission_level\": \"CAN_USE\"}]}",
        "{\"access_control_list\": [{\"user_name\": \"\", \"permission_level\": \"CAN_MANAGE\"}]}",
        "{\"access_control_list\": [{\"user_name\": \"a\", \"group_name\": \"b\", "
        "\"permission_level\": \"CAN_MANAGE\"}]}",
        "{\"access_control_list\": [{\"group_name\": \"Admins\", \"permission_level\": "
        "\"CAN_MANAGE\"}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        T_EQ_INT(parse("clusters", bad[i], &n), LH_E_INVALID);
    /* the bound: LH_PERM_ACL_MAX entries pass, one more does not */
    for (int extra = 0; extra < 2; extra++) {
        json_t *list = json_array();
        for (int i = 0; i < LH_PERM_ACL_MAX + extra; i++)
            json_array_append_new(
                list, json_pack("{s:s, s:s}", "user_name", "u", "permission_level", "CAN_USE"));
        json_t *body = json_pack("{s:o}", "access_control_list", list);
        char *text = json_dumps(body, 0);
        T_EQ_INT(parse("cluster-policies", text, &n), extra ? LH_E_INVALID : LH_OK);
        free(text);
        json_decref(body);
    }
}

static void test_levels(void)
{
    lh_errbuf eb = {0};
    T_EQ_INT(rank(&ana, "clusters", "c1"), 0);
    T_EQ_INT(rank(&root, "clusters", "c1"), 3);
    T_EQ_INT(lh_perm_on_create(&ctx, &ana, "clusters", "c1", &eb), LH_OK);
    T_EQ_INT(rank(&ana, "clusters", "c1"), 3); /* owner: CAN_MANAGE */
    T_EQ_INT(rank(&bob, "clusters", "c1"), 0);
    T_EQ_INT(lh_perm_require(&ctx, &bob, "clusters", "c1", "CAN_ATTACH_TO", &eb), LH_E_PERMISSION);
    T_CHECK(strstr(eb.msg, "CAN_ATTACH_TO") && strstr(eb.msg, "cluster c1"));
    /* bob through a nested group: team -> eng, eng granted CAN_RESTART */
    sql("INSERT INTO object_acls VALUES ('clusters', 'c1', 'group', 12, 'CAN_RESTART')");
    T_EQ_INT(rank(&bob, "clusters", "c1"), 2);
    T_EQ_INT(lh_perm_require(&ctx, &bob, "clusters", "c1", "CAN_RESTART", &eb), LH_OK);
    T_EQ_INT(lh_perm_require(&ctx, &bob, "clusters", "c1", "CAN_MANAGE", &eb), LH_E_PERMISSION);
    /* the users group reaches the service principal too */
    T_EQ_INT(rank(&bot, "clusters", "c1"), 0);
    sql("INSERT INTO object_acls VALUES ('clusters', 'c1', 'group', 10, 'CAN_ATTACH_TO')");
    T_EQ_INT(rank(&bot, "clusters", "c1"), 1);
    T_EQ_INT(rank(&bob, "clusters", "c1"), 2); /* the highest wins */
    /* nested admins membership makes an admin */
    T_CHECK(!lh_perm_is_admin(&ctx, &bot));
}

static void test_cache(void)
{
    /* a membership change is invisible until invalidation, then seen at once */
    T_EQ_INT(rank(&ana, "clusters", "c2"), 0);
    sql("INSERT INTO object_acls VALUES ('clusters', 'c2', 'group', 12, 'CAN_MANAGE')");
    T_EQ_INT(rank(&ana, "clusters", "c2"), 0);
    sql("INSERT INTO group_members VALUES (11, 101, 'user')");
    T_EQ_INT(rank(&ana, "clusters", "c2"), 0); /* cached closure */
    lh_perm_invalidate(ctx.perm);
    T_EQ_INT(rank(&ana, "clusters", "c2"), 3);
    /* ACL changes need no invalidation: rows are read on every check */
    sql("DELETE FROM object_acls WHERE object_id = 'c2'");
    T_EQ_INT(rank(&ana, "clusters", "c2"), 0);
    sql("DELETE FROM group_members WHERE member_id = 101");
    lh_perm_invalidate(ctx.perm);
}

static void test_entitlements(void)
{
    T_CHECK(lh_perm_has_entitlement(&ctx, &ana, LH_ENT_WORKSPACE)); /* from users */
    T_CHECK(!lh_perm_has_entitlement(&ctx, &ana, LH_ENT_CLUSTER));
    T_CHECK(lh_perm_has_entitlement(&ctx, &bob, LH_ENT_INSTANCE_POOL)); /* from eng, nested */
    T_CHECK(lh_perm_has_entitlement(&ctx, &bot, LH_ENT_CLUSTER));       /* its own */
    T_CHECK(lh_perm_has_entitlement(&ctx, &root, LH_ENT_INSTANCE_POOL));
    lh_errbuf eb = {0};
    T_EQ_INT(lh_perm_require_entitlement(&ctx, &ana, LH_ENT_CLUSTER, &eb), LH_E_PERMISSION);
    T_CHECK(strstr(eb.msg, "allow-cluster-create") != NULL);
}

static void test_visible(void)
{
    lh_errbuf eb = {0};
    lh_arena_t *a = lh_arena_create();
    sql("INSERT INTO object_acls VALUES ('clusters', 'c3', 'user', 102, 'CAN_ATTACH_TO')");
    lh_perm_visible_t v;
    T_EQ_INT(lh_perm_visible(&ctx, &bob, "clusters", "CAN_ATTACH_TO", a, &v, &eb), LH_OK);
    T_CHECK(!v.all && v.count == 2);
    T_CHECK(lh_perm_visible_has(&v, "c1") && lh_perm_visible_has(&v, "c3"));
    T_CHECK(!lh_perm_visible_has(&v, "c2"));
    T_EQ_INT(lh_perm_visible(&ctx, &bob, "clusters", "CAN_RESTART", a, &v, &eb), LH_OK);
    T_CHECK(v.count == 1 && lh_perm_visible_has(&v, "c1"));
    T_EQ_INT(lh_perm_visible(&ctx, &root, "clusters", "CAN_MANAGE", a, &v, &eb), LH_OK);
    T_CHECK(v.all && lh_perm_visible_has(&v, "anything"));
    lh_arena_destroy(a);
}

static const json_t *entry(const json_t *acl, const char *key, const char *name)
{
    for (size_t i = 0; i < json_array_size(acl); i++) {
        const char *v = json_string_value(json_object_get(json_array_get(acl, i), key));
        if (v && strcmp(v, name) == 0)
            return json_array_get(acl, i);
    }
    return NULL;
}

static void test_apply_render(void)
{
    lh_errbuf eb = {0};
    const lh_perm_type_t *t = lh_perm_type_find("clusters");
    lh_perm_ace_t set[] = {{LH_ACE_SERVICE_PRINCIPAL, "app-1", "CAN_RESTART"}};
    T_EQ_INT(lh_perm_apply(&ctx, t, "c1", set, 1, true, &eb), LH_OK);
    T_EQ_INT(rank(&bob, "clusters", "c1"), 0); /* set dropped the group grants */
    T_EQ_INT(rank(&bot, "clusters", "c1"), 2);
    T_EQ_INT(rank(&ana, "clusters", "c1"), 3); /* the owner stays */
    lh_perm_ace_t add[] = {{LH_ACE_GROUP, "team", "CAN_ATTACH_TO"}};
    T_EQ_INT(lh_perm_apply(&ctx, t, "c1", add, 1, false, &eb), LH_OK);
    T_EQ_INT(rank(&bot, "clusters", "c1"), 2);
    T_EQ_INT(rank(&bob, "clusters", "c1"), 1);
    lh_perm_ace_t ghost[] = {{LH_ACE_USER, "ghost", "CAN_MANAGE"}};
    T_EQ_INT(lh_perm_apply(&ctx, t, "c1", ghost, 1, false, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "ghost") != NULL);

    json_t *o = NULL;
    T_EQ_INT(lh_perm_render(&ctx, t, "c1", &o, &eb), LH_OK);
    T_EQ_STR(json_string_value(json_object_get(o, "object_id")), "/clusters/c1");
    T_EQ_STR(json_string_value(json_object_get(o, "object_type")), "cluster");
    const json_t *acl = json_object_get(o, "access_control_list");
    const json_t *owner = entry(acl, "user_name", "ana@example.com");
    T_CHECK(owner != NULL);
    T_EQ_STR(json_string_value(json_object_get(
                 json_array_get(json_object_get(owner, "all_permissions"), 0), "permission_level")),
             "CAN_MANAGE");
    T_CHECK(entry(acl, "service_principal_name", "app-1") != NULL);
    T_CHECK(entry(acl, "group_name", "team") != NULL);
    const json_t *inh = json_array_get(
        json_object_get(entry(acl, "user_name", "bob@example.com"), "all_permissions"), 0);
    T_CHECK(json_is_true(json_object_get(inh, "inherited")));
    T_EQ_STR(json_string_value(json_array_get(json_object_get(inh, "inherited_from_object"), 0)),
             "/groups/team");
    T_CHECK(entry(acl, "group_name", "admins") != NULL);
    json_decref(o);

    T_EQ_INT(lh_perm_on_delete(&ctx, "clusters", "c1", &eb), LH_OK);
    T_EQ_INT(rank(&ana, "clusters", "c1"), 0);
    T_EQ_INT(rank(&bot, "clusters", "c1"), 0);
}

static void seed(void)
{
    sql("INSERT INTO users(id, user_name, entitlements, created_at) VALUES "
        "(101, 'ana@example.com', '[]', 0), (102, 'bob@example.com', '[]', 0)");
    sql("INSERT INTO users(id, user_name, kind, application_id, entitlements, created_at) VALUES "
        "(103, 'app-1', 'service_principal', 'app-1', '[\"allow-cluster-create\"]', 0)");
    sql("UPDATE groups SET id = 10 WHERE display_name = 'users'");
    sql("INSERT INTO groups(id, display_name, entitlements, created_at) VALUES "
        "(11, 'team', '[]', 0), (12, 'eng', '[\"allow-instance-pool-create\"]', 0)");
    sql("INSERT INTO group_members VALUES (11, 102, 'user'), (12, 11, 'group')");
}

int main(void)
{
    char dir[] = "/tmp/lh-perm-XXXXXX";
    LH_ASSERT(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/meta.db", dir);
    lh_errbuf eb = {0};
    LH_ASSERT(lh_meta_open(path, &ctx.meta, &eb) == LH_OK);
    LH_ASSERT(lh_perm_create(&ctx, &ctx.perm, &eb) == LH_OK);
    seed();
    T_RUN(test_types);
    T_RUN(test_parse);
    T_RUN(test_levels);
    T_RUN(test_cache);
    T_RUN(test_entitlements);
    T_RUN(test_visible);
    T_RUN(test_apply_render);
    lh_perm_destroy(ctx.perm);
    lh_meta_close(ctx.meta);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return T_DONE();
}
