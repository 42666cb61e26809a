/*
 * page.h - paging for every list endpoint, in one place.
 *
 * Keyset paging: a list has a total order given by its sort keys, the last of which is
 * unique (the row id). A page token is the position of a row in that order plus a
 * direction, so pages stay stable while rows are added or removed (no skipped or repeated
 * rows, unlike offsets), and a token survives restarts (it holds no server state).
 *
 * Token (opaque to clients): base64url without padding of
 *   version (1) | list_id | flags (bit0 backward, bit1 inclusive) | key count |
 *   per key: 'i' + int64 big-endian, or 's' + u16 big-endian length + bytes.
 * Anything else (bad characters, another version, another list's token, wrong key types,
 * truncated or trailing bytes, over LH_PAGE_TOKEN_MAX) is 400 INVALID_PARAMETER_VALUE
 * "Invalid page_token". An empty page_token is the first page.
 *
 * Page size: spec->size_param ("max_results", "page_size", "limit") absent or 0 means
 * the server default (the SDKs' max_results=0 convention), unless the spec makes 0 an
 * error; negative is 400; above size_max is clamped (LH_PAGE_CLAMP, as Unity Catalog
 * does) or 400. A default of 0 means unbounded: the whole list on one page.
 *
 * Response styles (spec->style):
 *   LH_PAGE_STYLE_NEXT       next_page_token when more rows follow (Unity Catalog, most
 *                            2.x lists). Clients continue while a token is present: a
 *                            page may be empty and still carry one (see lh_page_cut).
 *   LH_PAGE_STYLE_HAS_MORE   has_more (always) + next_page_token (Jobs).
 *   LH_PAGE_STYLE_NEXT_PREV  next_page_token and prev_page_token (clusters/list); a prev
 *                            token reads backward from the page's first row.
 *
 * Use (SQLite):
 *   lh_page_t p; LH_TRY(lh_page_parse(&SPEC, req->params, req->arena, &p, eb));
 *   sql = "SELECT ... WHERE <filters> AND " + lh_page_sql_where(&p, 3) +
 *         " ORDER BY " + lh_page_sql_order(&p) + " LIMIT ?N"      (N = 3 + key count)
 *   int n = lh_page_bind(&p, st, 3); lh_stmt_bind_int(st, n, p.fetch);
 *   for each row: if (!lh_page_take(&p, keys)) break; lh_page_add(&p, list, item);
 *   lh_page_finish(&p, out);
 * Use (in memory): sort by lh_page_compare, walk in fetch order (reverse when
 * p.backward), skip rows for which lh_page_in_range is false, then take/add/finish.
 * A row scanned but filtered out after the query (permissions, a post-filter) is passed
 * with lh_page_pass so the next token resumes after it; when scanning stops before the
 * source ends for another reason (a budget), lh_page_cut marks that more rows follow.
 *
 * Thread-safety: an lh_page_t belongs to one request; specs are constant data.
 */
#ifndef LH_API_PAGE_H
#define LH_API_PAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/err.h"
#include "storage/meta/meta.h"

#define LH_PAGE_KEYS_MAX      4
#define LH_PAGE_TOKEN_VERSION 1

/* Every paged list's id (a token byte): one place, so no two lists share one. Append. */
enum lh_page_list {
    LH_PAGE_LIST_TEST = 0, /* unit tests */
    LH_PAGE_LIST_CLUSTERS = 1,
    LH_PAGE_LIST_UC_CATALOGS = 2, /* api/catalog: catalogs .. functions, in uc_kind order */
    LH_PAGE_LIST_UC_SCHEMAS = 3,
    LH_PAGE_LIST_UC_TABLES = 4,
    LH_PAGE_LIST_UC_VOLUMES = 5,
    LH_PAGE_LIST_UC_FUNCTIONS = 6,
    LH_PAGE_LIST_UC_TABLE_SUMMARIES = 7,
    LH_PAGE_LIST_FS_DIRECTORY = 8, /* the Files API's directory listing */
    LH_PAGE_LIST_SQL_WAREHOUSES = 9,
    LH_PAGE_LIST_JOBS = 10,     /* jobs/list (api/jobs/job_api.c) */
    LH_PAGE_LIST_JOB_RUNS = 11, /* jobs/runs/list (10 is left for jobs/list) */
};

typedef enum lh_page_style {
    LH_PAGE_STYLE_NEXT,
    LH_PAGE_STYLE_HAS_MORE,
    LH_PAGE_STYLE_NEXT_PREV,
} lh_page_style;

enum {
    LH_PAGE_ZERO_INVALID = 1u << 0, /* size 0 is 400 instead of the default */
    LH_PAGE_CLAMP = 1u << 1,        /* size above size_max is clamped instead of 400 */
};

/* One list's paging: constant data beside the handler. */
typedef struct lh_page_spec {
    uint8_t list_id; /* tags its tokens: a token from another list is refused */
    /* sort keys, most significant first, one char each: 'i' int64 ascending, 'I' int64
     * descending, 's' text ascending, 'S' text descending; the last key is unique */
    const char *keys;
    const char *columns;    /* SQL: the key columns, comma-separated; NULL in memory */
    const char *size_param; /* "max_results", "page_size", "limit" */
    int64_t size_default;   /* used when absent or 0; 0 = unbounded */
    int64_t size_max;       /* <= LH_PAGE_SIZE_MAX */
    unsigned flags;         /* LH_PAGE_ZERO_INVALID, LH_PAGE_CLAMP */
    lh_page_style style;
} lh_page_spec;

/* One row's sort keys: i for int keys, s for text keys (NUL-terminated). */
typedef struct lh_page_key {
    int64_t i;
    const char *s;
} lh_page_key;

typedef struct lh_page {
    const lh_page_spec *spec;
    lh_arena_t *arena;
    int64_t limit;  /* rows on a page; 0 = unbounded */
    int64_t fetch;  /* rows to read: limit + 1 (the extra one proves more), -1 = all */
    bool has_pos;   /* a page_token was given: pos is where the page starts */
    bool backward;  /* read before pos, in reverse list order; lh_page_add reverses */
    bool inclusive; /* pos's own row belongs to the page */
    lh_page_key pos[LH_PAGE_KEYS_MAX];
    /* filled by take/pass/cut */
    int64_t taken, scanned;
    bool more; /* rows follow the last scanned one (in fetch direction) */
    lh_page_key first[LH_PAGE_KEYS_MAX], last[LH_PAGE_KEYS_MAX]; /* scanned, fetch order */
} lh_page_t;

/* Read size_param and page_token from params (strings live in arena). */
lh_err lh_page_parse(const lh_page_spec *spec, const json_t *params, lh_arena_t *arena,
                     lh_page_t *out, lh_errbuf *eb);

/* Order of two rows in the list (<0, 0, >0), by the spec's keys and directions. */
int lh_page_compare(const lh_page_spec *spec, const lh_page_key *a, const lh_page_key *b);
/* True when a row lies on the page's side of its position (always without a token). */
bool lh_page_in_range(const lh_page_t *p, const lh_page_key *row);

/* A scanned row for the page, in fetch order: true when it goes on the page; false when
 * the page is already full (the row only proves more rows exist: stop scanning). */
bool lh_page_take(lh_page_t *p, const lh_page_key *row);
/* A scanned row left off the page by a later filter: the next page starts after it. */
void lh_page_pass(lh_page_t *p, const lh_page_key *row);
/* Scanning stopped before the source ended: the next token continues after the last
 * scanned row (even when no row was taken). */
void lh_page_cut(lh_page_t *p);
/* Put item (a taken row, reference stolen) into list in list order. */
void lh_page_add(const lh_page_t *p, json_t *list, json_t *item);
/* Set next_page_token / prev_page_token / has_more on out, per the spec's style. */
void lh_page_finish(const lh_page_t *p, json_t *out);

/* SQL: the keyset condition with ?first_param.. placeholders ("1" without a token), and
 * the ORDER BY list for the fetch direction. Arena strings; a handful of shapes per list,
 * so the statement cache stays small. */
const char *lh_page_sql_where(const lh_page_t *p, int first_param);
const char *lh_page_sql_order(const lh_page_t *p);
/* Bind the position's keys to ?first_param.. (nothing without a token: the WHERE is
 * then "1"); returns first_param + key count, the next index either way. */
int lh_page_bind(const lh_page_t *p, lh_stmt_t *st, int first_param);

/* A token for a row position (exposed for tests). Arena string. */
const char *lh_page_token(const lh_page_t *p, const lh_page_key *row, bool backward,
                          bool inclusive);

#endif
