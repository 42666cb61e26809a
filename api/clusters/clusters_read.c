/*
 * clusters_read.c - read-only cluster routes: list (filters, paging), events (paging via
 * next_page, the whole next request body, omitted on the last page), spark-versions,
 * list-node-types, list-zones.
 *
 * list: filter_by.{cluster_states, is_pinned, policy_id, cluster_sources}; sort_by.{field
 * DEFAULT (creation time) | CLUSTER_NAME, direction ASC | DESC}, newest first by default
 * (created_at DESC, cluster_id ASC); ties always break by cluster_id ASC. Without page_size every
 * cluster comes back in `clusters` (the 2.0 shape); with it, api/page's keyset tokens page the list
 * and next_page_token/prev_page_token appear as needed. Only clusters the caller holds
 * CAN_ATTACH_TO on are listed (all for admins); events needs CAN_ATTACH_TO.
 */
#include <stdlib.h>
#include <string.h>

#include "api/clusters/clusters_internal.h"
#include "api/perm.h"
#include "api/page.h"
#include "common/json.h"
#include "common/limits.h"

typedef struct list_filter {
    json_t *states;  /* list of state names or NULL */
    json_t *sources; /* list of sources or NULL */
    const char *policy_id;
    bool has_pinned, pinned;
    lh_perm_visible_t visible; /* the caller's clusters */
} list_filter;

static lh_err parse_filter(const json_t *params, list_filter *f, lh_errbuf *eb)
{
    json_t *by = NULL;
    LH_TRY(lh_json_get_object(params, "filter_by", LH_OPTIONAL, &by, eb));
    if (by == NULL)
        return LH_OK;
    LH_TRY(lh_json_get_list(by, "cluster_states", LH_OPTIONAL, &f->states, eb));
    LH_TRY(lh_json_get_list(by, "cluster_sources", LH_OPTIONAL, &f->sources, eb));
    LH_TRY(lh_json_get_str(by, "policy_id", LH_OPTIONAL, &f->policy_id, eb));
    f->has_pinned = lh_json_has(by, "is_pinned");
    LH_TRY(lh_json_get_bool(by, "is_pinned", LH_OPTIONAL, &f->pinned, eb));
    for (size_t i = 0; i < lh_json_list_size(f->states); i++) {
        cl_state s;
        const char *name = json_string_value(lh_json_list_get(f->states, i));
        LH_FAIL_IF(name == NULL || !cl_state_parse(name, &s), LH_E_INVALID, eb,
                   "Invalid value for filter_by.cluster_states: '%s'", name ? name : "?");
    }
    return LH_OK;
}

static bool list_has(const json_t *list, const char *s)
{
    for (size_t i = 0; i < lh_json_list_size(list); i++) {
        const char *v = json_string_value(lh_json_list_get(list, i));
        if (v != NULL && strcmp(v, s) == 0)
            return true;
    }
    return false;
}

static bool matches(const list_filter *f, const cl_cluster *cl)
{
    if (cl->is_deleted || !lh_perm_visible_has(&f->visible, cl->id))
        return false;
    if (f->states && !list_has(f->states, cl_state_name(cl->state)))
        return false;
    if (f->sources && !list_has(f->sources, "API"))
        return false;
    if (f->has_pinned && f->pinned != cl->is_pinned)
        return false;
    const char *p = json_string_value(json_object_get(cl->spec, "policy_id"));
    return f->policy_id == NULL || (p != NULL && strcmp(p, f->policy_id) == 0);
}

/* One page spec per sort_by (field, direction); the last key (cluster_id) is unique.
 * DEFAULT is creation time (DESC = newest first, the default order); CLUSTER_NAME sorts
 * by name, ties by id. Tokens of different fields carry different key types, so a token
 * used with another field is refused as invalid. */
#define LIST_PAGE(k)                                                                               \
    {                                                                                              \
        .list_id = LH_PAGE_LIST_CLUSTERS, .keys = k, .size_param = "page_size",                    \
        .size_default = 0, /* no page_size: every cluster (2.0) */                                 \
            .size_max = LH_PAGE_SIZE_MAX, .flags = LH_PAGE_ZERO_INVALID,                           \
        .style = LH_PAGE_STYLE_NEXT_PREV,                                                          \
    }
static const lh_page_spec by_created_desc = LIST_PAGE("Is"), by_created_asc = LIST_PAGE("is"),
                          by_name_asc = LIST_PAGE("ss"), by_name_desc = LIST_PAGE("Ss");

/* sort_by {field: DEFAULT | CLUSTER_NAME, direction: ASC | DESC} -> the page spec. */
static lh_err parse_sort(const json_t *params, const lh_page_spec **out, lh_errbuf *eb)
{
    json_t *by = NULL;
    const char *field = "DEFAULT", *dir = NULL;
    LH_TRY(lh_json_get_object(params, "sort_by", LH_OPTIONAL, &by, eb));
    LH_TRY(lh_json_get_str(by, "field", LH_OPTIONAL, &field, eb));
    LH_TRY(lh_json_get_str(by, "direction", LH_OPTIONAL, &dir, eb));
    bool name = strcmp(field, "CLUSTER_NAME") == 0;
    LH_FAIL_IF(!name && strcmp(field, "DEFAULT") != 0, LH_E_INVALID, eb,
               "Invalid value for sort_by.field: '%s' (CLUSTER_NAME or DEFAULT)", field);
    if (dir == NULL)
        dir = name ? "ASC" : "DESC";
    bool asc = strcmp(dir, "ASC") == 0;
    LH_FAIL_IF(!asc && strcmp(dir, "DESC") != 0, LH_E_INVALID, eb,
               "Invalid value for sort_by.direction: '%s' (ASC or DESC)", dir);
    *out = name ? (asc ? &by_name_asc : &by_name_desc) : (asc ? &by_created_asc : &by_created_desc);
    return LH_OK;
}

static void keys_of(const lh_page_spec *spec, const cl_cluster *cl, lh_page_key k[LH_PAGE_KEYS_MAX])
{
    if (spec->keys[0] == 's' || spec->keys[0] == 'S') {
        const char *name = json_string_value(json_object_get(cl->spec, "cluster_name"));
        k[0] = (lh_page_key){.s = name ? name : ""};
    } else {
        k[0] = (lh_page_key){.i = cl->created_at};
    }
    k[1] = (lh_page_key){.s = cl->id};
}

typedef struct sorted {
    const lh_page_spec *spec;
    cl_cluster *cl;
    lh_page_key k[LH_PAGE_KEYS_MAX];
} sorted;

static int in_order(const void *a, const void *b)
{
    const sorted *x = a, *y = b;
    return lh_page_compare(x->spec, x->k, y->k);
}

/* Matching clusters in list order (lock held). Caller frees the array; NULL when out of
 * memory. */
static sorted *collect(lh_clusters_t *c, const list_filter *f, const lh_page_spec *spec, int *n)
{
    *n = 0;
    sorted *all = calloc((size_t)c->cluster_count + 1, sizeof *all);
    if (all == NULL)
        return NULL;
    for (int b = 0; b < CL_BUCKETS; b++) {
        for (cl_cluster *cl = c->buckets[b]; cl != NULL; cl = cl->hnext) {
            if (!matches(f, cl))
                continue;
            all[*n].spec = spec;
            all[*n].cl = cl;
            keys_of(spec, cl, all[*n].k);
            (*n)++;
        }
    }
    qsort(all, (size_t)*n, sizeof *all, in_order);
    return all;
}

/* Render the page's clusters into arr (read lock held). */
static void fill_page(lh_clusters_t *c, const sorted *all, int n, lh_page_t *p, json_t *arr)
{
    for (int i = 0; i < n; i++) {
        const sorted *row = &all[p->backward ? n - 1 - i : i];
        if (!lh_page_in_range(p, row->k))
            continue;
        if (!lh_page_take(p, row->k))
            break;
        lh_page_add(p, arr, cl_render_cluster(c, row->cl));
    }
}

lh_err cl_h_list(lh_req_t *req, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    list_filter f = {0};
    const lh_page_spec *spec = NULL;
    lh_page_t page;
    LH_TRY(parse_filter(req->params, &f, eb));
    LH_TRY(parse_sort(req->params, &spec, eb));
    LH_TRY(lh_page_parse(spec, req->params, req->arena, &page, eb));
    LH_TRY(lh_perm_visible(req->ctx, req->principal, "clusters", "CAN_ATTACH_TO", req->arena,
                           &f.visible, eb));
    json_t *arr = json_array(), *out = json_object();
    pthread_rwlock_rdlock(&c->lock);
    int n = 0;
    sorted *all = collect(c, &f, spec, &n);
    fill_page(c, all, n, &page, arr);
    pthread_rwlock_unlock(&c->lock);
    if (all == NULL) {
        json_decref(arr);
        json_decref(out);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    free(all);
    json_object_set_new(out, "clusters", arr);
    lh_page_finish(&page, out);
    req->out = out;
    return LH_OK;
}

/* ---- events ---- */

typedef struct events_req {
    const char *id;
    int64_t start, end, offset, limit;
    bool asc;
    json_t *types;
} events_req;

static lh_err parse_events_req(const json_t *p, events_req *r, lh_errbuf *eb)
{
    LH_TRY(lh_json_get_str(p, "cluster_id", LH_REQUIRED, &r->id, eb));
    LH_TRY(lh_json_get_int_range(p, "start_time", LH_OPTIONAL, 0, INT64_MAX, &r->start, eb));
    LH_TRY(lh_json_get_int_range(p, "end_time", LH_OPTIONAL, 0, INT64_MAX, &r->end, eb));
    LH_TRY(lh_json_get_int_range(p, "offset", LH_OPTIONAL, 0, INT64_MAX / 2, &r->offset, eb));
    r->limit = LH_EVENTS_PAGE_DEFAULT;
    LH_TRY(lh_json_get_int_range(p, "limit", LH_OPTIONAL, 1, LH_EVENTS_PAGE_MAX, &r->limit, eb));
    LH_TRY(lh_json_get_list(p, "event_types", LH_OPTIONAL, &r->types, eb));
    const char *order = "DESC";
    LH_TRY(lh_json_get_str(p, "order", LH_OPTIONAL, &order, eb));
    LH_FAIL_IF(strcmp(order, "ASC") != 0 && strcmp(order, "DESC") != 0, LH_E_INVALID, eb,
               "Invalid value for order: '%s' (ASC or DESC)", order);
    r->asc = strcmp(order, "ASC") == 0;
    return LH_OK;
}

/* Filter by type, order, and cut the page; returns the total before the cut. */
static int64_t page_events(const events_req *r, json_t *all, json_t *page)
{
    json_t *kept = json_array();
    size_t n = json_array_size(all);
    for (size_t k = 0; k < n; k++) {
        json_t *ev = json_array_get(all, r->asc ? k : n - 1 - k);
        if (r->types == NULL || list_has(r->types, json_string_value(json_object_get(ev, "type"))))
            json_array_append(kept, ev);
    }
    int64_t total = (int64_t)json_array_size(kept);
    for (int64_t i = r->offset; i < total && i < r->offset + r->limit; i++)
        json_array_append(page, json_array_get(kept, (size_t)i));
    json_decref(kept);
    return total;
}

lh_err cl_h_events(lh_req_t *req, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    events_req r = {0};
    LH_TRY(parse_events_req(req->params, &r, eb));
    LH_TRY(cl_require(req, "clusters", r.id, "CAN_ATTACH_TO", eb));
    pthread_rwlock_rdlock(&c->lock);
    bool found = cl_find(c, r.id) != NULL;
    pthread_rwlock_unlock(&c->lock);
    LH_FAIL_IF(!found, LH_E_NOT_FOUND, eb, "Cluster %s does not exist", r.id);
    json_t *all = NULL;
    LH_TRY(cl_store_events(c, r.id, r.start, r.end, &all, eb));
    json_t *page = json_array();
    int64_t total = page_events(&r, all, page);
    json_decref(all);
    json_t *out = json_pack("{s:o, s:I}", "events", page, "total_count", (json_int_t)total);
    if (r.offset + r.limit < total) {
        json_t *next = json_deep_copy(req->params);
        lh_json_set_int(next, "offset", r.offset + r.limit);
        lh_json_set_int(next, "limit", r.limit);
        json_object_set_new(out, "next_page", next);
    }
    req->out = out;
    return LH_OK;
}

/* ---- static catalogues ---- */

lh_err cl_h_spark_versions(lh_req_t *req, lh_errbuf *eb)
{
    (void)eb;
    json_t *arr = cl_spark_versions();
    req->out = json_pack("{s:o}", "versions", arr);
    return LH_OK;
}

lh_err cl_h_node_types(lh_req_t *req, lh_errbuf *eb)
{
    (void)eb;
    req->out = json_pack("{s:o}", "node_types", cl_node_types(cl_of(req)));
    return LH_OK;
}

lh_err cl_h_list_zones(lh_req_t *req, lh_errbuf *eb)
{
    (void)eb;
    req->out = json_pack("{s:[s], s:s}", "zones", "local", "default_zone", "local");
    return LH_OK;
}
