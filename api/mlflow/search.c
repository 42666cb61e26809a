/*
 * search.c - runs/search, experiments/search and experiments/list as SQL in the metastore,
 * plus the two tools every MLflow list shares: an SQL builder with numbered parameters and
 * keyset page tokens.
 *
 * A search is one read: SELECT the ids and sort values of one page (filters as EXISTS
 * probes on the indexed tables, order keys as LEFT JOINs, the keyset condition, LIMIT
 * page + 1), then render the page's runs or experiments in the same snapshot.
 *
 * Runs sort like MLflow's SQL store: each order_by key sorts first by presence (a value,
 * then NaN for metrics, then missing) and then by value in the asked direction; then
 * start_time DESC (unless ordered on) and run_id. Metrics are the latest values
 * (mlflow_latest_metrics). A clause on a metric, param, tag or dataset holds only for
 * runs that have that key (a missing key never matches, != included); a NaN metric
 * matches only !=.
 *
 * Page tokens are keyset positions, not offsets: base64url of
 *   'm' | version 1 | list | shape (u32, hash of the sort description) | n |
 *   n x ('i' int64 | 'd' IEEE double | 's' u16 length + bytes), big-endian.
 * A token from another list, another sort, or anything malformed is 400 "Invalid
 * page_token". Pages stay stable while runs are added or removed, across restarts.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/mlflow/mlflow_internal.h"
#include "api/perm.h"
#include "common/hashmap.h"
#include "common/json.h"

/* ---- the SQL builder ---- */

void mlf_sql_init(mlf_sql *q, lh_arena_t *arena)
{
    memset(q, 0, sizeof *q);
    q->arena = arena;
    q->cap = 2048;
    q->text = lh_arena_alloc(arena, q->cap);
    q->text[0] = '\0';
}

void mlf_sql_add(mlf_sql *q, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    LH_ASSERT(n >= 0);
    if (q->len + (size_t)n + 1 > q->cap) {
        size_t cap = (q->len + (size_t)n + 1) * 2;
        char *text = lh_arena_alloc(q->arena, cap);
        memcpy(text, q->text, q->len + 1);
        q->text = text;
        q->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(q->text + q->len, q->cap - q->len, fmt, ap);
    va_end(ap);
    q->len += (size_t)n;
}

static int add_bind(mlf_sql *q, mlf_val v)
{
    LH_ASSERT(q->nbinds < MLF_SQL_BINDS_MAX);
    q->binds[q->nbinds++] = v;
    return q->nbinds;
}

int mlf_sql_text(mlf_sql *q, const char *s)
{
    return add_bind(q, (mlf_val){.type = 's', .s = s});
}

int mlf_sql_int(mlf_sql *q, int64_t v)
{
    return add_bind(q, (mlf_val){.type = 'i', .i = v});
}

int mlf_sql_double(mlf_sql *q, double v)
{
    return add_bind(q, (mlf_val){.type = 'd', .d = v});
}

void mlf_sql_bind(const mlf_sql *q, lh_stmt_t *st)
{
    for (int k = 0; k < q->nbinds; k++) {
        const mlf_val *v = &q->binds[k];
        if (v->type == 'i')
            lh_stmt_bind_int(st, k + 1, v->i);
        else if (v->type == 'd')
            lh_stmt_bind_double(st, k + 1, v->d);
        else
            lh_stmt_bind_text(st, k + 1, v->s);
    }
}

/* LIKE's pattern as a GLOB (case-sensitive): % -> *, _ -> ?, GLOB's own wildcards quoted. */
static const char *like_to_glob(lh_arena_t *arena, const char *like)
{
    char *out = lh_arena_alloc(arena, strlen(like) * 3 + 1), *o = out;
    for (const char *p = like; *p; p++) {
        if (*p == '%') {
            *o++ = '*';
        } else if (*p == '_') {
            *o++ = '?';
        } else if (*p == '*' || *p == '?' || *p == '[') {
            *o++ = '[';
            *o++ = *p;
            *o++ = ']';
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

static const char *json_list(lh_arena_t *arena, const char *const *items, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(items[i]));
    return mlf_json_text(arena, arr);
}

void mlf_sql_string_cmp(mlf_sql *q, const char *col, const lh_mlflow_clause_t *c)
{
    switch (c->op) {
    case LH_MLFLOW_LIKE:
        mlf_sql_add(q, "%s GLOB ?%d", col, mlf_sql_text(q, like_to_glob(q->arena, c->text)));
        return;
    case LH_MLFLOW_ILIKE:
        mlf_sql_add(q, "%s LIKE ?%d", col, mlf_sql_text(q, c->text));
        return;
    case LH_MLFLOW_IN:
    case LH_MLFLOW_NOT_IN:
        mlf_sql_add(q, "%s %sIN (SELECT value FROM json_each(?%d))", col,
                    c->op == LH_MLFLOW_NOT_IN ? "NOT " : "",
                    mlf_sql_text(q, json_list(q->arena, c->list, c->list_count)));
        return;
    default:
        mlf_sql_add(q, "%s %s ?%d", col, lh_mlflow_op_name(c->op), mlf_sql_text(q, c->text));
    }
}

void mlf_sql_number_cmp(mlf_sql *q, const char *col, const lh_mlflow_clause_t *c)
{
    mlf_sql_add(q, "%s %s ?%d", col, lh_mlflow_op_name(c->op), mlf_sql_double(q, c->number));
}

void mlf_sql_view(mlf_sql *q, int view, const char *column)
{
    if (view != 3)
        mlf_sql_add(q, " AND %s = '%s'", column, view == 2 ? "deleted" : "active");
}

/* ---- keyset pages ---- */

enum { TOKEN_MAGIC = 'm', TOKEN_VERSION = 1 };

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void mlf_page_init(mlf_page *pg, uint8_t list, const char *shape)
{
    memset(pg, 0, sizeof *pg);
    pg->list = list;
    pg->shape = (uint32_t)lh_hash_bytes(shape, strlen(shape));
}

void mlf_page_sort(mlf_page *pg, const char *expr, char type, bool asc)
{
    LH_ASSERT(pg->nsort < MLF_SORT_MAX);
    pg->sort[pg->nsort++] = (mlf_sort){expr, type, asc};
}

static lh_err bad_token(lh_errbuf *eb)
{
    LH_FAIL(LH_E_INVALID, eb, "Invalid page_token");
}

static bool b64_decode(const char *text, size_t len, uint8_t *out, size_t *n_out)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;
    if (len % 4 == 1)
        return false;
    for (size_t i = 0; i < len; i++) {
        const char *p = text[i] ? strchr(B64, text[i]) : NULL;
        if (p == NULL)
            return false;
        acc = acc << 6 | (uint32_t)(p - B64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    *n_out = n;
    return true;
}

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int k = 0; k < 8; k++)
        v = v << 8 | p[k];
    return v;
}

lh_err mlf_page_parse(mlf_page *pg, const char *token, lh_arena_t *arena, lh_errbuf *eb)
{
    pg->has_after = false;
    if (token == NULL || *token == '\0')
        return LH_OK;
    size_t len = strlen(token), n = 0;
    if (len > MLF_PAGE_TOKEN_MAX)
        return bad_token(eb);
    uint8_t *b = lh_arena_alloc(arena, len);
    if (!b64_decode(token, len, b, &n) || n < 8 || b[0] != TOKEN_MAGIC || b[1] != TOKEN_VERSION ||
        b[2] != pg->list ||
        ((uint32_t)b[3] << 24 | (uint32_t)b[4] << 16 | (uint32_t)b[5] << 8 | b[6]) != pg->shape ||
        b[7] != pg->nsort)
        return bad_token(eb);
    size_t at = 8;
    for (int k = 0; k < pg->nsort; k++) {
        mlf_val *v = &pg->after[k];
        if (at >= n || b[at] != (uint8_t)pg->sort[k].type)
            return bad_token(eb);
        v->type = (char)b[at++];
        if (v->type == 's') {
            if (n - at < 2)
                return bad_token(eb);
            size_t sl = (size_t)b[at] << 8 | b[at + 1];
            at += 2;
            if (n - at < sl || memchr(b + at, '\0', sl) != NULL)
                return bad_token(eb);
            v->s = lh_arena_strndup(arena, (const char *)b + at, sl);
            at += sl;
        } else {
            if (n - at < 8)
                return bad_token(eb);
            uint64_t u = be64(b + at);
            at += 8;
            if (v->type == 'i')
                v->i = (int64_t)u;
            else
                memcpy(&v->d, &u, sizeof u);
        }
    }
    if (at != n)
        return bad_token(eb);
    pg->has_after = true;
    return LH_OK;
}

void mlf_page_where(const mlf_page *pg, mlf_sql *q)
{
    if (!pg->has_after)
        return;
    int params[MLF_SORT_MAX];
    for (int k = 0; k < pg->nsort; k++)
        params[k] = add_bind(q, pg->after[k]);
    mlf_sql_add(q, " AND (");
    for (int k = 0; k < pg->nsort; k++) {
        mlf_sql_add(q, "%s(", k ? " OR " : "");
        for (int j = 0; j < k; j++)
            mlf_sql_add(q, "%s = ?%d AND ", pg->sort[j].expr, params[j]);
        mlf_sql_add(q, "%s %c ?%d)", pg->sort[k].expr, pg->sort[k].asc ? '>' : '<', params[k]);
    }
    mlf_sql_add(q, ")");
    /* implied by the above, but a plain range: an index on the first key starts at the page */
    mlf_sql_add(q, " AND %s %s ?%d", pg->sort[0].expr, pg->sort[0].asc ? ">=" : "<=", params[0]);
}

void mlf_page_order(const mlf_page *pg, mlf_sql *q)
{
    for (int k = 0; k < pg->nsort; k++)
        mlf_sql_add(q, "%s%s %s", k ? ", " : " ORDER BY ", pg->sort[k].expr,
                    pg->sort[k].asc ? "ASC" : "DESC");
}

const char *mlf_page_token_vals(const mlf_page *pg, const mlf_val *vals, lh_arena_t *arena)
{
    size_t cap = 8;
    for (int k = 0; k < pg->nsort; k++)
        cap += 1 + (vals[k].type == 's' ? 2 + strlen(vals[k].s) : 8);
    uint8_t *b = lh_arena_alloc(arena, cap);
    size_t n = 0;
    b[n++] = TOKEN_MAGIC;
    b[n++] = TOKEN_VERSION;
    b[n++] = pg->list;
    for (int s = 24; s >= 0; s -= 8)
        b[n++] = (uint8_t)(pg->shape >> s);
    b[n++] = (uint8_t)pg->nsort;
    for (int k = 0; k < pg->nsort; k++) {
        const mlf_val *v = &vals[k];
        b[n++] = (uint8_t)v->type;
        if (v->type == 's') {
            size_t sl = strlen(v->s);
            LH_ASSERT(sl <= 0xffff);
            b[n++] = (uint8_t)(sl >> 8);
            b[n++] = (uint8_t)sl;
            memcpy(b + n, v->s, sl);
            n += sl;
            continue;
        }
        uint64_t u;
        if (v->type == 'i')
            u = (uint64_t)v->i;
        else
            memcpy(&u, &v->d, sizeof u);
        for (int s = 56; s >= 0; s -= 8)
            b[n++] = (uint8_t)(u >> s);
    }
    char *out = lh_arena_alloc(arena, (n + 2) / 3 * 4 + 1), *o = out;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)b[i] << 16 | (i + 1 < n ? (uint32_t)b[i + 1] << 8 : 0) |
                     (i + 2 < n ? b[i + 2] : 0);
        *o++ = B64[v >> 18 & 63];
        *o++ = B64[v >> 12 & 63];
        if (i + 1 < n)
            *o++ = B64[v >> 6 & 63];
        if (i + 2 < n)
            *o++ = B64[v & 63];
    }
    *o = '\0';
    return out;
}

const char *mlf_page_token(const mlf_page *pg, lh_stmt_t *st, int first_col, lh_arena_t *arena)
{
    mlf_val vals[MLF_SORT_MAX];
    for (int k = 0; k < pg->nsort; k++) {
        vals[k].type = pg->sort[k].type;
        if (vals[k].type == 'i') {
            vals[k].i = lh_stmt_int(st, first_col + k);
        } else if (vals[k].type == 'd') {
            vals[k].d = lh_stmt_double(st, first_col + k);
        } else {
            const char *s = lh_stmt_text(st, first_col + k);
            vals[k].s = lh_arena_strdup(arena, s ? s : "");
        }
    }
    return mlf_page_token_vals(pg, vals, arena);
}

lh_err mlf_page_size(const json_t *params, const char *key, int64_t def, int64_t max, bool clamp,
                     int64_t *out, lh_errbuf *eb)
{
    int64_t n = 0;
    LH_TRY(mlf_int(params, key, false, &n, NULL, eb));
    LH_FAIL_IF(n < 0, LH_E_INVALID, eb,
               "Invalid value %lld for parameter '%s' supplied. It must be a positive integer",
               (long long)n, key);
    LH_FAIL_IF(n > max && !clamp, LH_E_INVALID, eb,
               "Invalid value %lld for parameter '%s' supplied. It must be at most %lld",
               (long long)n, key, (long long)max);
    *out = n == 0 ? def : n > max ? max : n;
    return LH_OK;
}

/* ---- order_by lists ---- */

lh_err mlf_parse_orders(const json_t *params, lh_mlflow_target target, lh_arena_t *arena,
                        lh_mlflow_order_t *orders, size_t *count, lh_errbuf *eb)
{
    const char **texts;
    size_t n;
    LH_TRY(mlf_str_list(params, "order_by", arena, &texts, &n, eb));
    LH_FAIL_IF(n > MLF_ORDER_KEYS_MAX, LH_E_INVALID, eb,
               "order_by has %zu keys; at most %d are allowed", n, MLF_ORDER_KEYS_MAX);
    for (size_t i = 0; i < n; i++) {
        LH_TRY(lh_mlflow_order_parse(target, texts[i], strlen(texts[i]), arena, &orders[i], eb));
        for (size_t j = 0; j < i; j++)
            LH_FAIL_IF(orders[j].entity == orders[i].entity &&
                           strcmp(orders[j].key, orders[i].key) == 0,
                       LH_E_INVALID, eb, "`order_by` contains duplicate fields: '%s'", texts[i]);
    }
    *count = n;
    return LH_OK;
}

/* ---- runs ---- */

static const char *run_column(const char *attr)
{
    static const char *const map[][2] = {
        {"run_id", "r.run_uuid"},
        {"run_name", "r.name"},
        {"status", "r.status"},
        {"user_id", "r.user_id"},
        {"artifact_uri", "r.artifact_uri"},
        {"lifecycle_stage", "r.lifecycle_stage"},
        {"start_time", "r.start_time"},
        {"end_time", "r.end_time"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], attr) == 0)
            return map[i][1];
    LH_ASSERT(!"unknown run attribute");
    return NULL;
}

static void run_clause(mlf_sql *q, const lh_mlflow_clause_t *c)
{
    static const char *const tables[] = {"mlflow_latest_metrics", "mlflow_params", "mlflow_tags"};
    switch (c->entity) {
    case LH_MLFLOW_METRIC:
        mlf_sql_add(q,
                    " AND EXISTS (SELECT 1 FROM mlflow_latest_metrics m WHERE m.run_uuid = "
                    "r.run_uuid AND m.key = ?%d AND ",
                    mlf_sql_text(q, c->key));
        if (c->op == LH_MLFLOW_NE) {
            mlf_sql_add(q, "(m.is_nan = 1 OR m.value != ?%d))", mlf_sql_double(q, c->number));
        } else {
            mlf_sql_add(q, "m.is_nan = 0 AND ");
            mlf_sql_number_cmp(q, "m.value", c);
            mlf_sql_add(q, ")");
        }
        return;
    case LH_MLFLOW_PARAM:
    case LH_MLFLOW_TAG:
        mlf_sql_add(
            q, " AND EXISTS (SELECT 1 FROM %s x WHERE x.run_uuid = r.run_uuid AND x.key = ?%d AND ",
            tables[c->entity], mlf_sql_text(q, c->key));
        mlf_sql_string_cmp(q, "x.value", c);
        mlf_sql_add(q, ")");
        return;
    case LH_MLFLOW_ATTR:
        mlf_sql_add(q, " AND ");
        if (c->numeric)
            mlf_sql_number_cmp(q, run_column(c->key), c);
        else
            mlf_sql_string_cmp(q, run_column(c->key), c);
        return;
    case LH_MLFLOW_DATASET:
        if (strcmp(c->key, "context") == 0) {
            mlf_sql_add(q, " AND EXISTS (SELECT 1 FROM mlflow_input_tags x WHERE x.run_uuid = "
                           "r.run_uuid AND x.key = '" MLF_CONTEXT_TAG "' AND ");
            mlf_sql_string_cmp(q, "x.value", c);
        } else {
            mlf_sql_add(q, " AND EXISTS (SELECT 1 FROM mlflow_run_inputs x JOIN mlflow_datasets d "
                           "ON d.dataset_uuid = x.dataset_uuid WHERE x.run_uuid = r.run_uuid AND ");
            mlf_sql_string_cmp(q, strcmp(c->key, "name") == 0 ? "d.name" : "d.digest", c);
        }
        mlf_sql_add(q, ")");
        return;
    }
}

/* The filter clause that makes the first order key, a metric, present and a number for
 * every run that matches (an =, <, <=, > or >= on that metric: NaN and missing runs never
 * match those), or NULL. The search is then driven from that metric's (key, value) index in
 * the order asked, and stops after one page, instead of sorting every run. */
static const lh_mlflow_clause_t *driving_metric(const lh_mlflow_filter_t *f,
                                                const lh_mlflow_order_t *orders, size_t n)
{
    if (n == 0 || orders[0].entity != LH_MLFLOW_METRIC)
        return NULL;
    for (size_t i = 0; i < f->count; i++) {
        const lh_mlflow_clause_t *c = &f->clauses[i];
        if (c->entity == LH_MLFLOW_METRIC && strcmp(c->key, orders[0].key) == 0 &&
            (c->op == LH_MLFLOW_EQ || c->op == LH_MLFLOW_GT || c->op == LH_MLFLOW_GE ||
             c->op == LH_MLFLOW_LT || c->op == LH_MLFLOW_LE))
            return c;
    }
    return NULL;
}

/* Joins for the order keys, and their sort columns (presence class, then value). With a
 * driving metric, o0 is the FROM table itself: every row has a number there, so its sort
 * column is the value alone. */
static void run_orders(mlf_sql *joins, mlf_page *pg, const lh_mlflow_order_t *orders, size_t n,
                       bool driving, lh_arena_t *arena)
{
    static const char *const tables[] = {"mlflow_latest_metrics", "mlflow_params", "mlflow_tags"};
    bool has_start = false;
    for (size_t i = 0; i < n; i++) {
        const lh_mlflow_order_t *o = &orders[i];
        if (o->entity == LH_MLFLOW_ATTR) {
            const char *col = run_column(o->key);
            has_start = has_start || strcmp(o->key, "start_time") == 0;
            mlf_page_sort(pg, lh_arena_sprintf(arena, "(%s IS NULL)", col), 'i', true);
            mlf_page_sort(pg,
                          lh_arena_sprintf(arena, "COALESCE(%s, %s)", col, o->numeric ? "0" : "''"),
                          o->numeric ? 'i' : 's', o->ascending);
            continue;
        }
        if (i == 0 && driving) {
            mlf_page_sort(pg, "o0.value", 'd', o->ascending);
            continue;
        }
        mlf_sql_add(joins, " LEFT JOIN %s o%zu ON o%zu.run_uuid = r.run_uuid AND o%zu.key = ?%d",
                    tables[o->entity], i, i, i, mlf_sql_text(joins, o->key));
        if (o->entity == LH_MLFLOW_METRIC) {
            mlf_page_sort(pg,
                          lh_arena_sprintf(arena,
                                           "(CASE WHEN o%zu.run_uuid IS NULL THEN 2 WHEN "
                                           "o%zu.is_nan THEN 1 ELSE 0 END)",
                                           i, i),
                          'i', true);
            mlf_page_sort(pg, lh_arena_sprintf(arena, "COALESCE(o%zu.value, 0.0)", i), 'd',
                          o->ascending);
        } else {
            mlf_page_sort(pg, lh_arena_sprintf(arena, "(o%zu.run_uuid IS NULL)", i), 'i', true);
            mlf_page_sort(pg, lh_arena_sprintf(arena, "COALESCE(o%zu.value, '')", i), 's',
                          o->ascending);
        }
    }
    if (!has_start) /* runs/create always sets start_time */
        mlf_page_sort(pg, "r.start_time", 'i', false);
    mlf_page_sort(pg, "r.run_uuid", 's', true);
}

static const char *order_shape(const lh_mlflow_order_t *orders, size_t n, lh_arena_t *arena)
{
    const char *shape = "";
    for (size_t i = 0; i < n; i++)
        shape = lh_arena_sprintf(arena, "%s%d:%s:%d|", shape, (int)orders[i].entity, orders[i].key,
                                 orders[i].ascending);
    return shape;
}

typedef struct page_read {
    const mlf_sql *q;
    const mlf_page *pg;
    int64_t limit;
    lh_arena_t *arena;
    bool text_ids;
    /* out */
    const char **ids;
    int64_t *int_ids;
    size_t count;
    const char *next;
} page_read;

/* Step the page query: ids of the first `limit` rows, and a token when one more follows. */
static lh_err read_page_ids(lh_meta_t *m, page_read *a, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, a->q->text, &st, eb));
    mlf_sql_bind(a->q, st);
    a->ids = lh_arena_calloc(a->arena, (size_t)a->limit + 1, sizeof *a->ids);
    a->int_ids = lh_arena_calloc(a->arena, (size_t)a->limit + 1, sizeof *a->int_ids);
    const char *last_token = NULL;
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        if ((int64_t)a->count == a->limit) {
            a->next = last_token;
            return LH_OK;
        }
        if (a->text_ids)
            a->ids[a->count] = lh_arena_strdup(a->arena, lh_stmt_text(st, 0));
        else
            a->int_ids[a->count] = lh_stmt_int(st, 0);
        a->count++;
        if ((int64_t)a->count == a->limit)
            last_token = mlf_page_token(a->pg, st, 1, a->arena);
    }
}

typedef struct run_search {
    page_read page;
    json_t *runs;
} run_search;

static lh_err run_search_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    run_search *a = arg;
    LH_TRY(read_page_ids(m, &a->page, eb));
    for (size_t i = 0; i < a->page.count; i++) {
        json_t *run = NULL;
        bool found = false;
        LH_TRY(mlf_run_json(m, a->page.ids[i], &run, &found, eb));
        if (found)
            json_array_append_new(a->runs, run);
    }
    return LH_OK;
}

/* The experiment ids to search: digits only; each existing one needs CAN_READ. */
static lh_err search_experiments_arg(lh_req_t *req, const char **json_ids, lh_errbuf *eb)
{
    const char **ids;
    size_t n;
    LH_TRY(mlf_str_list(req->params, "experiment_ids", req->arena, &ids, &n, eb));
    json_t *arr = json_array();
    lh_err e = LH_OK;
    for (size_t i = 0; i < n && e == LH_OK; i++) {
        int64_t id;
        if (!mlf_parse_experiment_id(ids[i], &id) || !mlf_experiment_exists(req->ctx, id))
            continue;
        e = lh_perm_require(req->ctx, req->principal, MLF_PERM, ids[i], "CAN_READ", eb);
        json_array_append_new(arr, json_integer(id));
    }
    *json_ids = mlf_json_text(req->arena, arr);
    return e;
}

lh_err mlf_h_run_search(lh_req_t *req, lh_errbuf *eb)
{
    const char *ids_json, *filter = "", *token = NULL;
    LH_TRY(search_experiments_arg(req, &ids_json, eb));
    LH_TRY(mlf_str(req->params, "filter", false, &filter, eb));
    LH_TRY(mlf_str(req->params, "page_token", false, &token, eb));
    lh_mlflow_filter_t f;
    LH_TRY(lh_mlflow_filter_parse(LH_MLFLOW_RUNS, filter, strlen(filter), req->arena, &f, eb));
    lh_mlflow_order_t orders[MLF_ORDER_KEYS_MAX];
    size_t norders = 0;
    LH_TRY(mlf_parse_orders(req->params, LH_MLFLOW_RUNS, req->arena, orders, &norders, eb));
    int view;
    LH_TRY(mlf_view_type(req->params, "run_view_type", &view, eb));
    int64_t limit;
    LH_TRY(mlf_page_size(req->params, "max_results", MLF_SEARCH_DEFAULT, MLF_SEARCH_MAX, false,
                         &limit, eb));

    mlf_page *pg = lh_arena_calloc(req->arena, 1, sizeof *pg);
    const lh_mlflow_clause_t *drive = driving_metric(&f, orders, norders);
    /* the driven form sorts on other columns: its tokens are of another shape */
    mlf_page_init(pg, MLF_LIST_RUNS,
                  lh_arena_sprintf(req->arena, "%s%s", drive ? "driven|" : "",
                                   order_shape(orders, norders, req->arena)));
    mlf_sql *q = lh_arena_alloc(req->arena, sizeof *q);
    mlf_sql_init(q, req->arena);
    mlf_sql_add(q, "SELECT r.run_uuid");
    /* the joins' parameters come first, so build them into q after the select list */
    mlf_sql *joins = lh_arena_alloc(req->arena, sizeof *joins);
    mlf_sql_init(joins, req->arena);
    run_orders(joins, pg, orders, norders, drive != NULL, req->arena);
    LH_TRY(mlf_page_parse(pg, token, req->arena, eb));
    for (int k = 0; k < pg->nsort; k++)
        mlf_sql_add(q, ", %s", pg->sort[k].expr);
    if (drive != NULL)
        mlf_sql_add(q,
                    " FROM mlflow_latest_metrics o0 JOIN mlflow_runs r ON r.run_uuid = "
                    "o0.run_uuid%s",
                    joins->text);
    else
        mlf_sql_add(q, " FROM mlflow_runs r%s", joins->text);
    for (int k = 0; k < joins->nbinds; k++)
        add_bind(q, joins->binds[k]);
    mlf_sql_add(q, " WHERE r.experiment_id IN (SELECT value FROM json_each(?%d))",
                mlf_sql_text(q, ids_json));
    if (drive != NULL) {
        mlf_sql_add(q, " AND o0.key = ?%d AND o0.is_nan = 0 AND ", mlf_sql_text(q, drive->key));
        mlf_sql_number_cmp(q, "o0.value", drive);
    }
    mlf_sql_view(q, view, "r.lifecycle_stage");
    for (size_t i = 0; i < f.count; i++)
        run_clause(q, &f.clauses[i]);
    mlf_page_where(pg, q);
    mlf_page_order(pg, q);
    mlf_sql_add(q, " LIMIT ?%d", mlf_sql_int(q, limit + 1));

    run_search a = {.page = {q, pg, limit, req->arena, true}, .runs = json_array()};
    lh_err e = lh_meta_read(req->ctx->meta, run_search_read, &a, eb);
    if (e != LH_OK) {
        json_decref(a.runs);
        return e;
    }
    req->out = json_object();
    mlf_set_list(req->out, "runs", a.runs);
    lh_json_set_str(req->out, "next_page_token", a.page.next);
    return LH_OK;
}

/* ---- experiments ---- */

static void experiment_clause(mlf_sql *q, const lh_mlflow_clause_t *c)
{
    if (c->entity == LH_MLFLOW_TAG) {
        mlf_sql_add(q,
                    " AND EXISTS (SELECT 1 FROM mlflow_experiment_tags t WHERE t.experiment_id = "
                    "e.experiment_id AND t.key = ?%d AND ",
                    mlf_sql_text(q, c->key));
        mlf_sql_string_cmp(q, "t.value", c);
        mlf_sql_add(q, ")");
        return;
    }
    const char *col = lh_arena_sprintf(q->arena, "e.%s", c->key);
    mlf_sql_add(q, " AND ");
    if (c->numeric)
        mlf_sql_number_cmp(q, col, c);
    else
        mlf_sql_string_cmp(q, col, c);
}

typedef struct experiment_search {
    page_read page;
    json_t *experiments;
} experiment_search;

static lh_err experiment_search_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    experiment_search *a = arg;
    LH_TRY(read_page_ids(m, &a->page, eb));
    for (size_t i = 0; i < a->page.count; i++) {
        lh_stmt_t *st;
        LH_TRY(lh_meta_stmt(
            m, "SELECT " MLF_EXPERIMENT_COLUMNS " FROM mlflow_experiments WHERE experiment_id = ?",
            &st, eb));
        lh_stmt_bind_int(st, 1, a->page.int_ids[i]);
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            continue;
        json_t *exp = NULL;
        LH_TRY(mlf_experiment_json(m, st, &exp, eb));
        json_array_append_new(a->experiments, exp);
    }
    return LH_OK;
}

/* The caller's visible experiments as a JSON array (NULL: all). */
static lh_err visible_experiments(lh_req_t *req, const char **json_ids, lh_errbuf *eb)
{
    lh_perm_visible_t vis;
    LH_TRY(lh_perm_visible(req->ctx, req->principal, MLF_PERM, "CAN_READ", req->arena, &vis, eb));
    *json_ids = NULL;
    if (vis.all)
        return LH_OK;
    json_t *arr = json_array();
    for (size_t i = 0; i < vis.count; i++) {
        int64_t id;
        if (mlf_parse_experiment_id(vis.ids[i], &id))
            json_array_append_new(arr, json_integer(id));
    }
    *json_ids = mlf_json_text(req->arena, arr);
    return LH_OK;
}

static lh_err experiment_orders(lh_req_t *req, mlf_page *pg, lh_errbuf *eb)
{
    lh_mlflow_order_t orders[MLF_ORDER_KEYS_MAX];
    size_t n = 0;
    LH_TRY(mlf_parse_orders(req->params, LH_MLFLOW_EXPERIMENTS, req->arena, orders, &n, eb));
    if (n == 0) {
        orders[n++] = (lh_mlflow_order_t){LH_MLFLOW_ATTR, "creation_time", true, false};
        orders[n++] = (lh_mlflow_order_t){LH_MLFLOW_ATTR, "experiment_id", true, true};
    }
    mlf_page_init(pg, MLF_LIST_EXPERIMENTS, order_shape(orders, n, req->arena));
    bool has_id = false;
    for (size_t i = 0; i < n; i++) {
        LH_FAIL_IF(orders[i].entity != LH_MLFLOW_ATTR, LH_E_INVALID, eb,
                   "Invalid order_by entity: tag");
        has_id = has_id || strcmp(orders[i].key, "experiment_id") == 0;
        mlf_page_sort(pg, lh_arena_sprintf(req->arena, "e.%s", orders[i].key),
                      orders[i].numeric ? 'i' : 's', orders[i].ascending);
    }
    if (!has_id)
        mlf_page_sort(pg, "e.experiment_id", 'i', false);
    return LH_OK;
}

static lh_err experiments_page(lh_req_t *req, const char *filter, int64_t def, lh_errbuf *eb)
{
    const char *token = NULL, *visible;
    LH_TRY(mlf_str(req->params, "page_token", false, &token, eb));
    lh_mlflow_filter_t f;
    LH_TRY(
        lh_mlflow_filter_parse(LH_MLFLOW_EXPERIMENTS, filter, strlen(filter), req->arena, &f, eb));
    int view;
    LH_TRY(mlf_view_type(req->params, "view_type", &view, eb));
    int64_t limit;
    LH_TRY(mlf_page_size(req->params, "max_results", def, MLF_SEARCH_MAX, false, &limit, eb));
    mlf_page *pg = lh_arena_calloc(req->arena, 1, sizeof *pg);
    LH_TRY(experiment_orders(req, pg, eb));
    LH_TRY(mlf_page_parse(pg, token, req->arena, eb));
    LH_TRY(visible_experiments(req, &visible, eb));

    mlf_sql *q = lh_arena_alloc(req->arena, sizeof *q);
    mlf_sql_init(q, req->arena);
    mlf_sql_add(q, "SELECT e.experiment_id");
    for (int k = 0; k < pg->nsort; k++)
        mlf_sql_add(q, ", %s", pg->sort[k].expr);
    mlf_sql_add(q, " FROM mlflow_experiments e WHERE 1");
    mlf_sql_view(q, view, "e.lifecycle_stage");
    if (visible != NULL)
        mlf_sql_add(q, " AND e.experiment_id IN (SELECT value FROM json_each(?%d))",
                    mlf_sql_text(q, visible));
    for (size_t i = 0; i < f.count; i++)
        experiment_clause(q, &f.clauses[i]);
    mlf_page_where(pg, q);
    mlf_page_order(pg, q);
    mlf_sql_add(q, " LIMIT ?%d", mlf_sql_int(q, limit + 1));

    experiment_search a = {.page = {q, pg, limit, req->arena, false}, .experiments = json_array()};
    lh_err e = lh_meta_read(req->ctx->meta, experiment_search_read, &a, eb);
    if (e != LH_OK) {
        json_decref(a.experiments);
        return e;
    }
    req->out = json_object();
    mlf_set_list(req->out, "experiments", a.experiments);
    lh_json_set_str(req->out, "next_page_token", a.page.next);
    return LH_OK;
}

lh_err mlf_h_experiment_search(lh_req_t *req, lh_errbuf *eb)
{
    const char *filter = "";
    LH_TRY(mlf_str(req->params, "filter", false, &filter, eb));
    return experiments_page(req, filter, MLF_SEARCH_DEFAULT, eb);
}

lh_err mlf_h_experiment_list(lh_req_t *req, lh_errbuf *eb)
{
    return experiments_page(req, "", MLF_SEARCH_MAX, eb);
}
