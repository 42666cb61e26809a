/*
 * scim_json.h - SCIM shapes shared by Users and Groups: schemas, list responses and
 * paging, attribute projection, entitlements, PATCH operations, {value:"<id>"} lists.
 * Internal to api/identity. All functions are pure (no metastore) and thread-safe.
 */
#ifndef LH_API_IDENTITY_SCIM_JSON_H
#define LH_API_IDENTITY_SCIM_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "api/identity/scim_filter.h"
#include "storage/meta/meta.h"

#define LH_SCIM_USER_SCHEMA    "urn:ietf:params:scim:schemas:core:2.0:User"
#define LH_SCIM_USER_WS_SCHEMA "urn:ietf:params:scim:schemas:extension:workspace:2.0:User"
#define LH_SCIM_GROUP_SCHEMA   "urn:ietf:params:scim:schemas:core:2.0:Group"
#define LH_SCIM_LIST_SCHEMA    "urn:ietf:params:scim:api:messages:2.0:ListResponse"

/* The list query of GET Users/Groups. */
typedef struct lh_scim_query {
    const lh_scim_filter_t *filter; /* NULL = all */
    int64_t start_index;            /* 1-based */
    int64_t count;                  /* page size, 0..LH_PAGE_SIZE_MAX */
    const char *attributes;         /* comma list or NULL */
    const char *excluded;           /* comma list or NULL */
    const char *sort_by;            /* sortBy attribute or NULL (creation order) */
    bool descending;                /* sortOrder=descending */
} lh_scim_query;

/* A sortable attribute of a resource and its column in the users/groups tables. */
typedef struct lh_scim_sort_col {
    const char *attribute; /* "userName", "name.givenName" (matched case-insensitively) */
    const char *column;    /* SQL column */
    bool text;             /* compared case-insensitively (SCIM caseExact = false) */
} lh_scim_sort_col;

/* The ORDER BY list for q (arena string): sortBy's column in sortOrder, ties by id in the
 * same direction, so startIndex/count pages are stable; "created_at, id" without sortBy.
 * LH_E_INVALID naming sortBy when cols (n entries) has no such attribute. */
lh_err lh_scim_order_sql(const lh_scim_query *q, const lh_scim_sort_col *cols, size_t n,
                         lh_arena_t *arena, const char **out, lh_errbuf *eb);
/* Answer 204 with no body (DELETE). */
void lh_scim_no_content(lh_req_t *req);

/* Read filter, startIndex, count, attributes, excludedAttributes from req->params. */
lh_err lh_scim_query_parse(lh_req_t *req, lh_scim_query *out, lh_errbuf *eb);
/* The ListResponse around resources (steals it). */
json_t *lh_scim_list_response(json_t *resources, int64_t total, int64_t start_index);

/* A list request in progress: cb (run under lh_meta_read) counts matches in total and
 * appends the page's rendered resources. */
typedef struct lh_scim_list {
    lh_scim_query q;
    lh_arena_t *arena;
    int64_t total;
    json_t *resources;
} lh_scim_list_t;

/* Parse the list query, run cb with an lh_scim_list_t, answer the ListResponse. */
lh_err lh_scim_list_run(lh_req_t *req, lh_meta_fn cb, lh_errbuf *eb);
/* Keep only `attributes` (plus id, schemas) / drop `excluded`, top-level names. */
void lh_scim_project(json_t *resource, const char *attributes, const char *excluded);
/* As lh_scim_project with the attributes/excludedAttributes of req->params. */
lh_err lh_scim_project_req(lh_req_t *req, json_t *resource, lh_errbuf *eb);

/* Entitlements: a request list ([{value}] or [string]) -> JSON text of names, validated. */
lh_err lh_scim_entitlements_text(const json_t *list, lh_arena_t *arena, const char **out,
                                 lh_errbuf *eb);
/* Stored JSON text of names -> [{value}]. */
json_t *lh_scim_entitlements_render(const char *text);
/* Merge (add) or subtract (remove) a request list from the stored text. */
lh_err lh_scim_entitlements_edit(const char *stored, const json_t *list, bool add,
                                 lh_arena_t *arena, const char **out, lh_errbuf *eb);

/* [{value:"<id>"}] (or ["<id>"]) -> ids in arena. */
lh_err lh_scim_ref_ids(const json_t *list, const char *what, lh_arena_t *arena, int64_t **ids,
                       size_t *count, lh_errbuf *eb);

typedef enum { LH_PATCH_ADD, LH_PATCH_REMOVE, LH_PATCH_REPLACE } lh_patch_kind;
typedef struct lh_patch_op {
    lh_patch_kind kind;
    const char *path; /* NULL = value is an object of attributes */
    json_t *value;    /* borrowed; may be NULL for remove */
} lh_patch_op;

/* The i-th entry of Operations (count via *n when ops is NULL). */
lh_err lh_scim_patch_ops(const lh_req_t *req, json_t **ops, size_t *n, lh_errbuf *eb);
lh_err lh_scim_patch_op(const json_t *ops, size_t i, lh_patch_op *out, lh_errbuf *eb);
/* "members[value eq \"123\"]" -> 123 (true), else false. */
bool lh_scim_member_filter_path(const char *path, int64_t *id);

/* "<id>" as an arena string. */
const char *lh_scim_id_str(lh_arena_t *arena, int64_t id);

#endif
