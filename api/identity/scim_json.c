/*
 * scim_json.c - SCIM shapes shared by Users and Groups (see scim_json.h).
 *
 * Paging follows what the SDK does: startIndex is 1-based (values below 1 mean 1), count
 * is clamped to LH_PAGE_SIZE_MAX (the SDK asks 10000 and advances by len(Resources)), and
 * a page past the end has an empty Resources array. sortBy (an attribute of the resource)
 * and sortOrder (ascending | descending) order the list before it is paged, ties by id.
 */
#include "api/identity/scim_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/json.h"
#include "common/limits.h"

static const char *const ENTITLEMENTS[] = {
    "workspace-access",
    "databricks-sql-access",
    "allow-cluster-create",
    "allow-instance-pool-create",
};
#define ENTITLEMENT_COUNT (sizeof ENTITLEMENTS / sizeof ENTITLEMENTS[0])

const char *lh_scim_id_str(lh_arena_t *arena, int64_t id)
{
    return lh_arena_sprintf(arena, "%lld", (long long)id);
}

lh_err lh_scim_query_parse(lh_req_t *req, lh_scim_query *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    out->start_index = 1;
    out->count = LH_PAGE_SIZE_MAX;
    const char *filter = NULL;
    LH_TRY(lh_json_get_str(req->params, "filter", LH_OPTIONAL, &filter, eb));
    LH_TRY(lh_json_get_int(req->params, "startIndex", LH_OPTIONAL, &out->start_index, eb));
    LH_TRY(lh_json_get_int_range(req->params, "count", LH_OPTIONAL, 0, INT64_MAX, &out->count, eb));
    LH_TRY(lh_json_get_str(req->params, "attributes", LH_OPTIONAL, &out->attributes, eb));
    LH_TRY(lh_json_get_str(req->params, "excludedAttributes", LH_OPTIONAL, &out->excluded, eb));
    const char *order = NULL;
    LH_TRY(lh_json_get_str(req->params, "sortBy", LH_OPTIONAL, &out->sort_by, eb));
    LH_TRY(lh_json_get_str(req->params, "sortOrder", LH_OPTIONAL, &order, eb));
    LH_FAIL_IF(order != NULL && strcasecmp(order, "ascending") != 0 &&
                   strcasecmp(order, "descending") != 0,
               LH_E_INVALID, eb, "Invalid value for sortOrder: '%s' (ascending or descending)",
               order);
    out->descending = order != NULL && strcasecmp(order, "descending") == 0;
    if (out->start_index < 1)
        out->start_index = 1;
    if (out->count > LH_PAGE_SIZE_MAX)
        out->count = LH_PAGE_SIZE_MAX;
    if (filter != NULL)
        LH_TRY(lh_scim_filter_parse(filter, strlen(filter), req->arena, &out->filter, eb));
    return LH_OK;
}

lh_err lh_scim_order_sql(const lh_scim_query *q, const lh_scim_sort_col *cols, size_t n,
                         lh_arena_t *arena, const char **out, lh_errbuf *eb)
{
    if (q->sort_by == NULL || q->sort_by[0] == '\0') {
        *out = "created_at, id";
        return LH_OK;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(cols[i].attribute, q->sort_by) != 0)
            continue;
        const char *dir = q->descending ? "DESC" : "ASC";
        *out = lh_arena_sprintf(arena, "%s%s %s, id %s", cols[i].column,
                                cols[i].text ? " COLLATE NOCASE" : "", dir, dir);
        return LH_OK;
    }
    LH_FAIL(LH_E_INVALID, eb, "Invalid value for sortBy: '%s' is not a sortable attribute",
            q->sort_by);
}

void lh_scim_no_content(lh_req_t *req)
{
    req->status = 204;
    req->text = "";
    req->text_bytes = 0;
}

json_t *lh_scim_list_response(json_t *resources, int64_t total, int64_t start_index)
{
    return json_pack("{s:[s], s:I, s:I, s:I, s:o}", "schemas", LH_SCIM_LIST_SCHEMA, "totalResults",
                     (json_int_t)total, "startIndex", (json_int_t)start_index, "itemsPerPage",
                     (json_int_t)json_array_size(resources), "Resources", resources);
}

/* Is top-level key named in the comma list (entries may be "a.b": top-level "a")? */
static bool listed(const char *list, const char *key)
{
    size_t key_len = strlen(key);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        size_t top = strcspn(p, ".,");
        while (n > 0 && p[n - 1] == ' ')
            n--;
        if (top > n)
            top = n;
        if (top == key_len && strncasecmp(p, key, key_len) == 0)
            return true;
        p += strcspn(p, ",");
    }
    return false;
}

void lh_scim_project(json_t *resource, const char *attributes, const char *excluded)
{
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(resource, tmp, key, v)
    {
        bool always = strcmp(key, "id") == 0 || strcmp(key, "schemas") == 0;
        bool drop = (attributes && *attributes && !listed(attributes, key)) ||
                    (excluded && listed(excluded, key));
        if (drop && !always)
            json_object_del(resource, key);
    }
}

lh_err lh_scim_project_req(lh_req_t *req, json_t *resource, lh_errbuf *eb)
{
    const char *attributes = NULL, *excluded = NULL;
    LH_TRY(lh_json_get_str(req->params, "attributes", LH_OPTIONAL, &attributes, eb));
    LH_TRY(lh_json_get_str(req->params, "excludedAttributes", LH_OPTIONAL, &excluded, eb));
    lh_scim_project(resource, attributes, excluded);
    return LH_OK;
}

/* ---- entitlements ---- */

static lh_err entitlement_name(const json_t *item, const char **out, lh_errbuf *eb)
{
    const char *name = NULL;
    if (json_is_string(item))
        name = json_string_value(item);
    else if (json_is_object(item))
        LH_TRY(lh_json_get_str(item, "value", LH_REQUIRED, &name, eb));
    LH_FAIL_IF(name == NULL, LH_E_INVALID, eb,
               "Invalid value for entitlements: expected a list of {\"value\": name}");
    for (size_t i = 0; i < ENTITLEMENT_COUNT; i++) {
        if (strcmp(name, ENTITLEMENTS[i]) == 0) {
            *out = ENTITLEMENTS[i];
            return LH_OK;
        }
    }
    LH_FAIL(LH_E_INVALID, eb, "Unknown entitlement '%s'", name);
}

static bool array_has(const json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (strcmp(json_string_value(v), s) == 0) return true;
    return false;
}

/* Names in list into set (add) or out of it (remove); set is an array of strings. */
static lh_err apply_list(json_t *set, const json_t *list, bool add, lh_errbuf *eb)
{
    for (size_t i = 0; i < lh_json_list_size(list); i++) {
        const char *name = NULL;
        LH_TRY(entitlement_name(lh_json_list_get(list, i), &name, eb));
        if (add && !array_has(set, name))
            json_array_append_new(set, json_string(name));
        for (size_t j = 0; !add && j < json_array_size(set); j++)
            if (strcmp(json_string_value(json_array_get(set, j)), name) == 0)
                json_array_remove(set, j--);
    }
    return LH_OK;
}

static json_t *load_set(const char *stored)
{
    json_t *set = stored ? json_loads(stored, 0, NULL) : NULL;
    if (!json_is_array(set)) {
        json_decref(set);
        set = json_array();
    }
    return set;
}

lh_err lh_scim_entitlements_edit(const char *stored, const json_t *list, bool add,
                                 lh_arena_t *arena, const char **out, lh_errbuf *eb)
{
    LH_FAIL_IF(list != NULL && !json_is_array(list) && !json_is_object(list), LH_E_INVALID, eb,
               "Invalid value for entitlements: expected a list");
    json_t *one = json_is_object(list) ? json_pack("[O]", list) : NULL;
    json_t *set = load_set(stored);
    lh_err e = list ? apply_list(set, one ? one : list, add, eb) : LH_OK;
    if (e == LH_OK) {
        char *text = json_dumps(set, JSON_COMPACT);
        *out = lh_arena_strdup(arena, text ? text : "[]");
        free(text);
    }
    json_decref(one);
    json_decref(set);
    return e;
}

lh_err lh_scim_entitlements_text(const json_t *list, lh_arena_t *arena, const char **out,
                                 lh_errbuf *eb)
{
    return lh_scim_entitlements_edit("[]", list, true, arena, out, eb);
}

json_t *lh_scim_entitlements_render(const char *text)
{
    json_t *set = load_set(text), *out = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(set, i, v)
    {
        if (json_is_string(v))
            json_array_append_new(out, json_pack("{s:s}", "value", json_string_value(v)));
    }
    json_decref(set);
    return out;
}

/* ---- member references ---- */

static lh_err ref_id(const json_t *item, const char *what, int64_t *out, lh_errbuf *eb)
{
    const json_t *v = json_is_object(item) ? json_object_get(item, "value") : item;
    LH_FAIL_IF(v == NULL, LH_E_INVALID, eb, "Invalid value for %s: each entry needs a value", what);
    LH_TRY(lh_json_as_int(v, what, out, eb));
    LH_FAIL_IF(*out <= 0, LH_E_INVALID, eb, "Invalid value for %s: bad id", what);
    return LH_OK;
}

lh_err lh_scim_ref_ids(const json_t *list, const char *what, lh_arena_t *arena, int64_t **ids,
                       size_t *count, lh_errbuf *eb)
{
    *count = 0;
    *ids = NULL;
    if (list == NULL || json_is_null(list))
        return LH_OK;
    json_t *one = NULL;
    if (json_is_object(list))
        list = one = json_pack("[O]", list);
    LH_FAIL_IF(!json_is_array(list), LH_E_INVALID, eb,
               "Invalid value for %s: expected a list of {\"value\": id}", what);
    size_t n = json_array_size(list);
    *ids = lh_arena_calloc(arena, n ? n : 1, sizeof **ids);
    lh_err e = LH_OK;
    for (size_t i = 0; i < n && e == LH_OK; i++)
        e = ref_id(json_array_get(list, i), what, &(*ids)[i], eb);
    json_decref(one);
    *count = e == LH_OK ? n : 0;
    return e;
}

/* ---- PATCH ---- */

lh_err lh_scim_patch_ops(const lh_req_t *req, json_t **ops, size_t *n, lh_errbuf *eb)
{
    *ops = NULL;
    LH_TRY(lh_json_get_list(req->params, "Operations", LH_REQUIRED, ops, eb));
    LH_FAIL_IF(!json_is_array(*ops), LH_E_INVALID, eb,
               "Invalid value for Operations: expected a list");
    *n = json_array_size(*ops);
    return LH_OK;
}

lh_err lh_scim_patch_op(const json_t *ops, size_t i, lh_patch_op *out, lh_errbuf *eb)
{
    const json_t *item = json_array_get(ops, i);
    LH_FAIL_IF(!json_is_object(item), LH_E_INVALID, eb,
               "Invalid value for Operations[%zu]: expected an object", i);
    const char *op = NULL;
    memset(out, 0, sizeof *out);
    LH_TRY(lh_json_get_str(item, "op", LH_REQUIRED, &op, eb));
    LH_TRY(lh_json_get_str(item, "path", LH_OPTIONAL, &out->path, eb));
    out->value = json_object_get(item, "value");
    if (strcasecmp(op, "add") == 0)
        out->kind = LH_PATCH_ADD;
    else if (strcasecmp(op, "remove") == 0)
        out->kind = LH_PATCH_REMOVE;
    else if (strcasecmp(op, "replace") == 0)
        out->kind = LH_PATCH_REPLACE;
    else
        LH_FAIL(LH_E_INVALID, eb, "Invalid value for op: '%s' (add, remove or replace)", op);
    LH_FAIL_IF(out->path == NULL && !json_is_object(out->value), LH_E_INVALID, eb,
               "Operations[%zu]: without a path, value must be an object", i);
    LH_FAIL_IF(out->kind != LH_PATCH_REMOVE && out->value == NULL, LH_E_INVALID, eb,
               "Operations[%zu]: missing value", i);
    return LH_OK;
}

static const char *skip_word(const char *p, const char *word)
{
    while (*p == ' ')
        p++;
    size_t n = strlen(word);
    if (strncasecmp(p, word, n) != 0)
        return NULL;
    return p + n;
}

bool lh_scim_member_filter_path(const char *path, int64_t *id)
{
    const char *p = skip_word(path, "members[");
    p = p ? skip_word(p, "value") : NULL;
    p = p ? skip_word(p, "eq") : NULL;
    p = p ? skip_word(p, "\"") : NULL;
    if (p == NULL)
        return false;
    char *end = NULL;
    long long v = strtoll(p, &end, 10);
    if (end == p || v <= 0)
        return false;
    p = skip_word(end, "\"");
    p = p ? skip_word(p, "]") : NULL;
    if (p == NULL || *p != '\0')
        return false;
    *id = v;
    return true;
}

lh_err lh_scim_list_run(lh_req_t *req, lh_meta_fn cb, lh_errbuf *eb)
{
    lh_scim_list_t a = {.arena = req->arena};
    LH_TRY(lh_scim_query_parse(req, &a.q, eb));
    a.resources = json_array();
    lh_err e = lh_meta_read(req->ctx->meta, cb, &a, eb);
    if (e != LH_OK) {
        json_decref(a.resources);
        return e;
    }
    req->out = lh_scim_list_response(a.resources, a.total, a.q.start_index);
    return LH_OK;
}
