/*
 * exec_test_util.h - fixtures for the executor tests: Delta tables written with the
 * storage writer in a temporary directory, hand-built plans (the binder does not exist
 * yet), and a runner that renders the result as text ("1|a|2.5;2|N|..." with N for NULL),
 * optionally sorted so unordered results compare exactly.
 */
#ifndef LH_TEST_EXEC_UTIL_H
#define LH_TEST_EXEC_UTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../testfuncs.h"
#include "compute/exec/exec.h"
#include "storage/delta/ops.h"
#include "t.h"

/* ---- tables ------------------------------------------------------------------------------ */

typedef struct xtable {
    char dir[256];
} xtable;

static inline int x_rm(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(p);
}

static inline void x_mkdir(xtable *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/lh-exec-XXXXXX");
    LH_ASSERT(mkdtemp(t->dir) != NULL);
}

static inline void x_rmdir(xtable *t)
{
    nftw(t->dir, x_rm, 16, FTW_DEPTH | FTW_PHYS);
}

typedef struct x_one {
    const lh_batch_t *b;
    bool done;
} x_one;

static inline lh_err x_one_next(void *ctx, const lh_batch_t **out, lh_errbuf *eb)
{
    x_one *s = ctx;
    (void)eb;
    *out = s->done ? NULL : s->b;
    s->done = true;
    return LH_OK;
}

/* Append batch b (schema s) to the table at t->dir as new file(s). */
static inline void x_append(xtable *t, const lh_schema_t *s, const lh_batch_t *b, const char *part)
{
    lh_objstore_t *os;
    lh_delta_table_t *dt;
    lh_errbuf eb;
    LH_ASSERT(lh_objstore_local_create(t->dir, &os, &eb) == LH_OK);
    LH_ASSERT(lh_delta_table_open(os, "", &dt, &eb) == LH_OK);
    lh_delta_op_opts_t o;
    lh_delta_op_opts_default(&o);
    const char *parts[1] = {part};
    if (part) {
        o.partition_columns = parts;
        o.partition_column_count = 1;
    }
    x_one one = {b, false};
    lh_delta_op_result_t res;
    lh_err e = lh_delta_append(dt, s, x_one_next, &one, &o, &res, &eb);
    if (e != LH_OK)
        fprintf(stderr, "append: %s\n", eb.msg);
    LH_ASSERT(e == LH_OK);
    lh_delta_table_close(dt);
    lh_objstore_destroy(os);
}

/* The standard table: id LONG, g STRING, v DOUBLE, k LONG; rows given as text columns.
 * g NULL when NULL; v/k NULL when the *_null flag is set. */
typedef struct xrow {
    int64_t id;
    const char *g;
    double v;
    int64_t k;
    bool v_null, k_null;
} xrow;

static inline lh_schema_t *x_schema(void)
{
    lh_schema_t *s = lh_schema_create(4);
    lh_schema_set(s, 0, "id", TY(LONG), false);
    lh_schema_set(s, 1, "g", TY(STRING), true);
    lh_schema_set(s, 2, "v", TY(DOUBLE), true);
    lh_schema_set(s, 3, "k", TY(LONG), true);
    return s;
}

static inline void x_append_rows(xtable *t, const xrow *r, int n, const char *part)
{
    lh_schema_t *s = x_schema();
    lh_batch_t *b = lh_batch_create(s, (size_t)n + 1);
    for (int i = 0; i < n; i++) {
        lh_vec_append_i64(b->cols[0], r[i].id);
        if (r[i].g)
            lh_vec_append_str(b->cols[1], r[i].g, strlen(r[i].g));
        else
            lh_vec_append_null(b->cols[1]);
        if (r[i].v_null)
            lh_vec_append_null(b->cols[2]);
        else
            lh_vec_append_f64(b->cols[2], r[i].v);
        if (r[i].k_null)
            lh_vec_append_null(b->cols[3]);
        else
            lh_vec_append_i64(b->cols[3], r[i].k);
    }
    b->row_count = (size_t)n;
    x_append(t, s, b, part);
    lh_batch_destroy(b);
    lh_schema_destroy(s);
}

/* ---- plans ------------------------------------------------------------------------------- */

static const char *x_cols[] = {"id", "g", "v", "k"};

static inline lh_type_t x_type(int c)
{
    lh_type_t t[] = {TY(LONG), TY(STRING), TY(DOUBLE), TY(LONG)};
    return t[c];
}

static inline void x_set_col(lh_plan_t *p, int i, const char *name, lh_type_t t)
{
    p->col_names[i] = name;
    p->col_types[i] = t;
    p->col_nullable[i] = true;
}

/* SCAN of the standard table with columns cols (indexes into id,g,v,k). */
static inline lh_plan_t *x_scan(lh_arena_t *a, const char *dir, const int *cols, int n)
{
    lh_plan_t *p = lh_plan_new(a, LH_PLAN_SCAN, n, 0);
    p->u.scan.root = dir;
    p->u.scan.table_name = "t";
    p->u.scan.column_count = n;
    p->u.scan.columns = lh_arena_calloc(a, (size_t)n, sizeof(char *));
    for (int i = 0; i < n; i++) {
        p->u.scan.columns[i] = x_cols[cols[i]];
        x_set_col(p, i, x_cols[cols[i]], x_type(cols[i]));
    }
    return p;
}

static inline lh_plan_t *x_scan_all(lh_arena_t *a, const char *dir)
{
    static const int all[] = {0, 1, 2, 3};
    return x_scan(a, dir, all, 4);
}

static inline lh_plan_t *x_unary(lh_arena_t *a, lh_plan_kind k, lh_plan_t *child, int cols)
{
    lh_plan_t *p = lh_plan_new(a, k, cols, 1);
    p->children[0] = child;
    for (int i = 0; i < cols && i < child->col_count; i++)
        x_set_col(p, i, child->col_names[i], child->col_types[i]);
    return p;
}

static inline lh_plan_t *x_filter(lh_arena_t *a, lh_plan_t *child, lh_expr_t *pred)
{
    lh_plan_t *p = x_unary(a, LH_PLAN_FILTER, child, child->col_count);
    p->u.filter.pred = pred;
    return p;
}

static inline lh_plan_t *x_project(lh_arena_t *a, lh_plan_t *child, lh_expr_t **exprs, int n)
{
    lh_plan_t *p = lh_plan_new(a, LH_PLAN_PROJECT, n, 1);
    p->children[0] = child;
    p->u.project.exprs = lh_arena_calloc(a, (size_t)n, sizeof(lh_expr_t *));
    for (int i = 0; i < n; i++) {
        p->u.project.exprs[i] = exprs[i];
        x_set_col(p, i, exprs[i]->name ? exprs[i]->name : "c", exprs[i]->type);
    }
    return p;
}

/* Column i of plan p as an expression. */
static inline lh_expr_t *x_col(lh_arena_t *a, const lh_plan_t *p, int i)
{
    return lh_expr_column(a, i, p->col_types[i], true, p->col_names[i]);
}

static inline lh_plan_t *x_sort(lh_arena_t *a, lh_plan_t *child, const int *cols, const bool *desc,
                                int n)
{
    lh_plan_t *p = x_unary(a, LH_PLAN_SORT, child, child->col_count);
    p->u.sort.key_count = n;
    p->u.sort.keys = lh_arena_calloc(a, (size_t)n, sizeof(lh_sort_key_t));
    for (int i = 0; i < n; i++) {
        p->u.sort.keys[i].expr = x_col(a, child, cols[i]);
        p->u.sort.keys[i].descending = desc[i];
        p->u.sort.keys[i].nulls_first = !desc[i]; /* Spark's defaults */
    }
    return p;
}

/* ---- running ----------------------------------------------------------------------------- */

typedef struct xout {
    char text[1 << 16];
    size_t len;
    int rows;
} xout;

static inline void x_fmt(const lh_vec_t *v, size_t i, char *buf, size_t cap)
{
    if (!lh_vec_is_valid(v, i)) {
        snprintf(buf, cap, "N");
        return;
    }
    switch (v->type.id) {
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY: {
        lh_sv_t s = lh_vec_get_str(v, i);
        snprintf(buf, cap, "%.*s", (int)s.len, (const char *)s.ptr);
        break;
    }
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        snprintf(buf, cap, "%g", lh_vec_get_f64(v, i));
        break;
    case LH_TYPE_BOOLEAN:
        snprintf(buf, cap, "%s", lh_vec_get_i64(v, i) ? "true" : "false");
        break;
    default:
        snprintf(buf, cap, "%lld", (long long)lh_vec_get_i64(v, i));
    }
}

static inline lh_err x_sink(void *ctx, const lh_batch_t *b, lh_errbuf *eb)
{
    xout *o = ctx;
    (void)eb;
    for (size_t r = 0; r < b->row_count; r++) {
        char line[1024];
        size_t n = 0;
        for (int c = 0; c < b->col_count; c++) {
            char cell[256];
            x_fmt(b->cols[c], r, cell, sizeof cell);
            n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", c ? "|" : "", cell);
        }
        if (o->len + n + 2 < sizeof o->text)
            o->len += (size_t)snprintf(o->text + o->len, sizeof o->text - o->len, "%s%s",
                                       o->rows ? ";" : "", line);
        o->rows++;
    }
    return LH_OK;
}

static inline int x_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the ';'-separated rows of o->text. */
static inline void x_sort_text(xout *o)
{
    char *rows[4096];
    int n = 0;
    char *copy = strdup(o->text);
    for (char *s = strtok(copy, ";"); s && n < 4096; s = strtok(NULL, ";"))
        rows[n++] = s;
    qsort(rows, (size_t)n, sizeof rows[0], x_cmp_str);
    o->len = 0;
    o->text[0] = 0;
    for (int i = 0; i < n; i++)
        o->len += (size_t)snprintf(o->text + o->len, sizeof o->text - o->len, "%s%s", i ? ";" : "",
                                   rows[i]);
    free(copy);
}

typedef struct xrun {
    lh_pool_t *pool;
    int64_t memory_limit;
    atomic_bool *cancel;
    lh_exec_stats_t stats;
    lh_errbuf eb;
} xrun;

/* Run p; the rendered result in *o (sorted when sorted). */
static inline lh_err x_run(xrun *r, const lh_plan_t *p, bool sorted, xout *o)
{
    memset(o, 0, sizeof *o);
    lh_sql_conf_t conf = {.time_zone = "UTC", .ansi = true};
    lh_exec_opts_t opts = {.pool = r ? r->pool : NULL,
                           .conf = &conf,
                           .memory_limit_bytes = r ? r->memory_limit : 0,
                           .cancel = r ? r->cancel : NULL};
    lh_exec_stats_t st;
    lh_errbuf eb;
    lh_err e = lh_exec_run(p, &opts, x_sink, o, r ? &r->stats : &st, r ? &r->eb : &eb);
    if (e != LH_OK && r == NULL)
        fprintf(stderr, "  run: %s\n", eb.msg);
    if (sorted)
        x_sort_text(o);
    return e;
}

/* Run and return the text (static buffer per call site is the caller's xout). */
#define X_EXPECT(plan, sorted, want)                                                               \
    do {                                                                                           \
        xout *x_o_ = malloc(sizeof(xout));                                                         \
        T_EQ_INT(x_run(NULL, (plan), (sorted), x_o_), LH_OK);                                      \
        T_EQ_STR(x_o_->text, (want));                                                              \
        free(x_o_);                                                                                \
    } while (0)

#endif
