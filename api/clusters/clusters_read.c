/*
 * clusters_read.c - read-only cluster routes: list (filters, paging), events (paging via
 * next_page, the whole next request body, omitted on the last page), spark-versions,
 * list-node-types, list-zones.
 *
 * list: filter_by.{cluster_states, is_pinned, policy_id, cluster_sources}; newest first
 * (created_at DESC, cluster_id ASC). Without page_size every cluster comes back in
 * `clusters` (the 2.0 shape); with it, api/page's keyset tokens page the list and
 * next_page_token/prev_page_token appear as needed. Only clusters the caller holds
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

static const lh_page_spec LIST_PAGE = {
    .list_id = LH_PAGE_LIST_CLUSTERS,
    .keys = "Is", /* created_at DESC, cluster_id ASC */
    .size_param = "page_size",
    .size_default = 0, /* no page_size: every cluster (2.0) */
    .size_max = LH_PAGE_SIZE_MAX,
    .flags = LH_PAGE_ZERO_INVALID,
    .style = LH_PAGE_STYLE_NEXT_PREV,
};

static void keys_of(const cl_cluster *cl, lh_page_key k[LH_PAGE_KEYS_MAX])
{
    k[0] = (lh_page_key){.i = cl->created_at};
    k[1] = (lh_page_key){.s = cl->id};
}

static int newest_first(const void *a, const void *b)
{
    lh_page_key ka[LH_PAGE_KEYS_MAX], kb[LH_PAGE_KEYS_MAX];
    keys_of(*(cl_cluster *const *)a, ka);
    keys_of(*(cl_cluster *const *)b, kb);
    return lh_page_compare(&LIST_PAGE, ka, kb);
}

/* Matching clusters, sorted (lock held). Caller frees the array; NULL when out of memory. */
static cl_cluster **collect(lh_clusters_t *c, const list_filter *f, int *n)
{
    *n = 0;
    cl_cluster **all = malloc(sizeof *all * ((size_t)c->cluster_count + 1));
    if (all == NULL)
        return NULL;
    for (int b = 0; b < CL_BUCKETS; b++) {
        for (cl_cluster *cl = c->buckets[b]; cl != NULL; cl = cl->hnext) {
            if (matches(f, cl))
                all[(*n)++] = cl;
        }
    }
    qsort(all, (size_t)*n, sizeof *all, newest_first);
    return all;
}

/* Render the page's clusters into arr (read lock held). */
static void fill_page(lh_clusters_t *c, cl_cluster **all, int n, lh_page_t *p, json_t *arr)
{
    for (int i = 0; i < n; i++) {
        const cl_cluster *cl = all[p->backward ? n - 1 - i : i];
        lh_page_key k[LH_PAGE_KEYS_MAX];
        keys_of(cl, k);
        if (!lh_page_in_range(p, k))
            continue;
        if (!lh_page_take(p, k))
            break;
        lh_page_add(p, arr, cl_render_cluster(c, cl));
    }
}

lh_err cl_h_list(lh_req_t *req, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    list_filter f = {0};
    lh_page_t page;
    LH_TRY(parse_filter(req->params, &f, eb));
    LH_TRY(lh_page_parse(&LIST_PAGE, req->params, req->arena, &page, eb));
    LH_TRY(lh_perm_visible(req->ctx, req->principal, "clusters", "CAN_ATTACH_TO", req->arena,
                           &f.visible, eb));
    json_t *arr = json_array(), *out = json_object();
    pthread_rwlock_rdlock(&c->lock);
    int n = 0;
    cl_cluster **all = collect(c, &f, &n);
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
    static const char *const versions[][2] = {
        {"16.4.x-scala2.12", "16.4 LTS (includes Apache Spark 3.5.2, Scala 2.12)"},
        {"15.4.x-scala2.12", "15.4 LTS (includes Apache Spark 3.5.0, Scala 2.12)"},
        {"15.4.x-photon-scala2.12", "15.4 LTS Photon (includes Apache Spark 3.5.0, Scala 2.12)"},
        {"14.3.x-scala2.12", "14.3 LTS (includes Apache Spark 3.5.0, Scala 2.12)"},
        {"13.3.x-scala2.12", "13.3 LTS (includes Apache Spark 3.4.1, Scala 2.12)"},
        {"lakehouse-1.x", "Lakehouse 1.x (native C engine on this machine)"},
    };
    json_t *arr = json_array();
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
        json_array_append_new(
            arr, json_pack("{s:s, s:s}", "key", versions[i][0], "name", versions[i][1]));
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
