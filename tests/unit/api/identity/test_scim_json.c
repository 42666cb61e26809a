/*
 * test_scim_json.c - api/identity SCIM shapes: attribute projection, entitlement edits,
 * {value:id} lists, PATCH operations and the members[value eq "id"] path.
 */
#include <string.h>

#include "api/identity/scim_json.h"
#include "t.h"

static void test_project(void)
{
    json_t *u = json_pack("{s:[s], s:s, s:s, s:s, s:{s:s}}", "schemas", "x", "id", "1", "userName",
                          "a", "displayName", "A", "name", "givenName", "g");
    lh_scim_project(u, "userName, name.givenName", NULL);
    T_CHECK(json_object_get(u, "id") && json_object_get(u, "schemas"));
    T_CHECK(json_object_get(u, "userName") && json_object_get(u, "name"));
    T_CHECK(json_object_get(u, "displayName") == NULL);
    lh_scim_project(u, NULL, "USERNAME,id");
    T_CHECK(json_object_get(u, "userName") == NULL);
    T_CHECK(json_object_get(u, "id") != NULL); /* id always stays */
    json_decref(u);
}

static void test_entitlements(void)
{
    lh_arena_t *a = lh_arena_create();
    const char *text = NULL;
    json_t *in = json_pack("[{s:s}, s, {s:s}]", "value", "allow-cluster-create", "workspace-access",
                           "value", "allow-cluster-create");
    T_EQ_INT(lh_scim_entitlements_text(in, a, &text, NULL), LH_OK);
    T_EQ_STR(text, "[\"allow-cluster-create\",\"workspace-access\"]");
    json_t *rm = json_pack("[{s:s}]", "value", "allow-cluster-create");
    T_EQ_INT(lh_scim_entitlements_edit(text, rm, false, a, &text, NULL), LH_OK);
    T_EQ_STR(text, "[\"workspace-access\"]");
    json_t *bad = json_pack("[{s:s}]", "value", "root");
    T_EQ_INT(lh_scim_entitlements_text(bad, a, &text, NULL), LH_E_INVALID);
    json_t *r = lh_scim_entitlements_render("[\"workspace-access\"]");
    T_EQ_STR(json_string_value(json_object_get(json_array_get(r, 0), "value")), "workspace-access");
    json_decref(r);
    json_decref(in);
    json_decref(rm);
    json_decref(bad);
    lh_arena_destroy(a);
}

static void test_ref_ids(void)
{
    lh_arena_t *a = lh_arena_create();
    int64_t *ids = NULL;
    size_t n = 0;
    json_t *l = json_pack("[{s:s}, {s:I}, s]", "value", "12", "value", (json_int_t)13, "14");
    T_EQ_INT(lh_scim_ref_ids(l, "members", a, &ids, &n, NULL), LH_OK);
    T_EQ_INT(n, 3);
    T_EQ_INT(ids[0], 12);
    T_EQ_INT(ids[2], 14);
    json_t *bad = json_pack("[{s:s}]", "value", "abc");
    T_EQ_INT(lh_scim_ref_ids(bad, "members", a, &ids, &n, NULL), LH_E_INVALID);
    json_t *notlist = json_string("12");
    T_EQ_INT(lh_scim_ref_ids(notlist, "members", a, &ids, &n, NULL), LH_E_INVALID);
    json_decref(l);
    json_decref(bad);
    json_decref(notlist);
    lh_arena_destroy(a);
}

static void test_member_path(void)
{
    int64_t id = 0;
    T_CHECK(lh_scim_member_filter_path("members[value eq \"123\"]", &id));
    T_EQ_INT(id, 123);
    T_CHECK(lh_scim_member_filter_path("Members[ value EQ \"7\" ]", &id));
    T_EQ_INT(id, 7);
    T_CHECK(!lh_scim_member_filter_path("members", &id));
    T_CHECK(!lh_scim_member_filter_path("members[value eq \"x\"]", &id));
    T_CHECK(!lh_scim_member_filter_path("members[value eq \"1\"] junk", &id));
    T_CHECK(!lh_scim_member_filter_path("members[value ne \"1\"]", &id));
}

static void test_patch_ops(void)
{
    lh_arena_t *a = lh_arena_create();
    lh_req_t req = {.arena = a};
    req.params =
        json_pack("{s:[{s:s, s:s, s:[{s:s}]}, {s:s, s:{s:s}}, {s:s}, {s:s, s:s}]}", "Operations",
                  "op", "Add", "path", "members", "value", "value", "1", "op", "replace", "value",
                  "displayName", "x", "op", "remove", "op", "move", "path", "x");
    json_t *ops = NULL;
    size_t n = 0;
    T_EQ_INT(lh_scim_patch_ops(&req, &ops, &n, NULL), LH_OK);
    T_EQ_INT(n, 4);
    lh_patch_op op;
    T_EQ_INT(lh_scim_patch_op(ops, 0, &op, NULL), LH_OK);
    T_EQ_INT(op.kind, LH_PATCH_ADD);
    T_EQ_STR(op.path, "members");
    T_EQ_INT(lh_scim_patch_op(ops, 1, &op, NULL), LH_OK);
    T_CHECK(op.path == NULL && json_is_object(op.value));
    T_EQ_INT(lh_scim_patch_op(ops, 2, &op, NULL), LH_E_INVALID); /* no path, no object */
    T_EQ_INT(lh_scim_patch_op(ops, 3, &op, NULL), LH_E_INVALID); /* unknown op */
    json_decref(req.params);
    req.params = json_object();
    T_EQ_INT(lh_scim_patch_ops(&req, &ops, &n, NULL), LH_E_INVALID);
    json_decref(req.params);
    lh_arena_destroy(a);
}

int main(void)
{
    T_RUN(test_project);
    T_RUN(test_entitlements);
    T_RUN(test_ref_ids);
    T_RUN(test_member_path);
    T_RUN(test_patch_ops);
    return T_DONE();
}
