/*
 * plan.c - plan nodes: construction, EXPLAIN text and lineage.
 *
 * EXPLAIN prints one line per node (the operator and its arguments, then its output
 * columns when extended), children indented two spaces, the way Spark's physical plan
 * reads top-down. Lineage walks the tree once, collecting scans and the write target.
 */
#include "compute/plan/plan.h"
#include "compute/files/files.h"

#include <stdio.h>
#include <string.h>

lh_plan_t *lh_plan_new(lh_arena_t *a, lh_plan_kind kind, int col_count, int child_count)
{
    lh_plan_t *p = lh_arena_calloc(a, 1, sizeof *p);
    p->kind = kind;
    p->col_count = col_count;
    p->col_names = lh_arena_calloc(a, (size_t)col_count + 1, sizeof *p->col_names);
    p->col_types = lh_arena_calloc(a, (size_t)col_count + 1, sizeof *p->col_types);
    p->col_nullable = lh_arena_calloc(a, (size_t)col_count + 1, sizeof *p->col_nullable);
    p->child_count = child_count;
    p->children = lh_arena_calloc(a, (size_t)child_count + 1, sizeof *p->children);
    p->est_rows = -1;
    if (kind == LH_PLAN_SCAN) { /* latest unless the binder asks for time travel */
        p->u.scan.version = -1;
        p->u.scan.timestamp_ms = -1;
    } else if (kind == LH_PLAN_LIMIT) {
        p->u.limit.limit = -1;
    }
    return p;
}

/* A growing text buffer in the arena. */
typedef struct text {
    lh_arena_t *a;
    char *buf;
    size_t len, cap;
} text;

static void put(text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *nb = lh_arena_alloc(t->a, cap);
        if (t->len)
            memcpy(nb, t->buf, t->len);
        t->buf = nb;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n + 1);
    t->len += n;
}

static void put_exprs(text *t, const char *label, lh_expr_t *const *e, int n)
{
    if (n == 0)
        return;
    put(t, " ");
    put(t, label);
    put(t, "[");
    for (int i = 0; i < n; i++) {
        put(t, i ? ", " : "");
        put(t, e[i] && e[i]->name ? e[i]->name : "?");
    }
    put(t, "]");
}

static void put_keys(text *t, const lh_sort_key_t *k, int n)
{
    put(t, " [");
    for (int i = 0; i < n; i++) {
        put(t, i ? ", " : "");
        put(t, k[i].expr && k[i].expr->name ? k[i].expr->name : "?");
        put(t, k[i].descending ? " DESC" : " ASC");
        put(t, k[i].nulls_first ? " NULLS FIRST" : " NULLS LAST");
    }
    put(t, "]");
}

static const char *const kind_names[] = {
    "Scan",  "Values", "Filter", "Project", "Aggregate", "Join", "Sort",     "Limit",    "TopN",
    "SetOp", "Window", "Write",  "Empty",   "Range",     "Dml",  "Generate", "FileScan",
};
static const char *const join_names[] = {"Inner",    "LeftOuter", "RightOuter", "FullOuter",
                                         "LeftSemi", "LeftAnti",  "Cross"};
static const char *const setop_names[] = {"Union", "Intersect", "Except"};

static void describe(text *t, const lh_plan_t *p)
{
    char num[64];
    put(t, kind_names[p->kind]);
    switch (p->kind) {
    case LH_PLAN_SCAN:
        put(t, " ");
        put(t, p->u.scan.table_name ? p->u.scan.table_name : "?");
        if (p->u.scan.filter)
            put_exprs(t, "filter", &p->u.scan.filter, 1);
        break;
    case LH_PLAN_FILES:
        put(t, " ");
        put(t, lh_ff_format_name(p->u.files.scan->opts.format));
        put(t, " ");
        put(t, p->u.files.scan->display);
        break;
    case LH_PLAN_FILTER:
        put_exprs(t, "", &p->u.filter.pred, 1);
        break;
    case LH_PLAN_PROJECT:
        put_exprs(t, "", p->u.project.exprs, p->col_count);
        break;
    case LH_PLAN_AGGREGATE:
        put_exprs(t, "keys=", p->u.aggregate.keys, p->u.aggregate.key_count);
        put(t, " functions=[");
        for (int i = 0; i < p->u.aggregate.agg_count; i++) {
            put(t, i ? ", " : "");
            put(t, p->u.aggregate.aggs[i].name ? p->u.aggregate.aggs[i].name : "?");
        }
        put(t, "]");
        break;
    case LH_PLAN_JOIN:
        put(t, " ");
        put(t, join_names[p->u.join.kind]);
        put_exprs(t, "left=", p->u.join.left_keys, p->u.join.key_count);
        put_exprs(t, "right=", p->u.join.right_keys, p->u.join.key_count);
        if (p->u.join.residual)
            put_exprs(t, "condition=", &p->u.join.residual, 1);
        if (p->u.join.build_left && p->u.join.kind != LH_PJOIN_SEMI &&
            p->u.join.kind != LH_PJOIN_ANTI)
            put(t, " BuildLeft"); /* the left input is hashed (the optimizer's build side) */
        break;
    case LH_PLAN_SORT:
    case LH_PLAN_TOPN:
        put_keys(t, p->u.sort.keys, p->u.sort.key_count);
        if (p->kind == LH_PLAN_TOPN) {
            snprintf(num, sizeof num, " limit=%lld offset=%lld", (long long)p->u.sort.limit,
                     (long long)p->u.sort.offset);
            put(t, num);
        }
        break;
    case LH_PLAN_LIMIT:
        snprintf(num, sizeof num, " %lld offset=%lld", (long long)p->u.limit.limit,
                 (long long)p->u.limit.offset);
        put(t, num);
        break;
    case LH_PLAN_SETOP:
        put(t, " ");
        put(t, setop_names[p->u.setop.kind]);
        put(t, p->u.setop.all ? " ALL" : " DISTINCT");
        break;
    case LH_PLAN_WRITE:
        put(t, p->u.write.overwrite ? " overwrite " : " append ");
        put(t, p->u.write.table_name ? p->u.write.table_name : "?");
        break;
    case LH_PLAN_DML:
        put(t, p->u.dml.op == LH_DML_DELETE   ? " delete "
               : p->u.dml.op == LH_DML_UPDATE ? " update "
                                              : " merge ");
        put(t, p->u.dml.table_name ? p->u.dml.table_name : "?");
        if (p->u.dml.cond)
            put_exprs(t, "condition=", &p->u.dml.cond, 1);
        break;
    default:
        break;
    }
}

static void explain(text *t, const lh_plan_t *p, int depth, bool extended)
{
    for (int i = 0; i < depth; i++)
        put(t, "  ");
    put(t, depth ? "+- " : "");
    describe(t, p);
    if (extended) {
        put(t, " -> (");
        for (int i = 0; i < p->col_count; i++) {
            char ty[48];
            put(t, i ? ", " : "");
            put(t, p->col_names[i] ? p->col_names[i] : "?");
            put(t, ": ");
            put(t, lh_type_name(p->col_types[i], ty, sizeof ty));
        }
        put(t, ")");
    }
    put(t, "\n");
    for (int i = 0; i < p->child_count; i++)
        explain(t, p->children[i], depth + 1, extended);
}

const char *lh_plan_explain(lh_arena_t *a, const lh_plan_t *p, bool extended)
{
    text t = {a, NULL, 0, 0};
    put(&t, "== Physical Plan ==\n");
    explain(&t, p, 0, extended);
    return t.buf;
}

static void collect(lh_arena_t *a, const lh_plan_t *p, lh_lineage_t *out, int *cap)
{
    if (p->kind == LH_PLAN_SCAN) {
        if (out->input_count == *cap) {
            int ncap = *cap ? *cap * 2 : 4;
            const char **t = lh_arena_calloc(a, (size_t)ncap, sizeof *t);
            const char ***c = lh_arena_calloc(a, (size_t)ncap, sizeof *c);
            if (out->input_count) {
                memcpy(t, out->input_tables, (size_t)out->input_count * sizeof *t);
                memcpy(c, out->input_columns, (size_t)out->input_count * sizeof *c);
            }
            out->input_tables = t;
            out->input_columns = c;
            *cap = ncap;
        }
        const char **cols = lh_arena_calloc(a, (size_t)p->u.scan.column_count + 1, sizeof *cols);
        for (int i = 0, k = 0; i < p->u.scan.column_count; i++)
            if (p->u.scan.column_used == NULL || p->u.scan.column_used[i])
                cols[k++] = p->u.scan.columns[i]; /* the columns the statement really reads */
        out->input_tables[out->input_count] = p->u.scan.table_name;
        out->input_columns[out->input_count++] = cols;
    } else if (p->kind == LH_PLAN_WRITE) {
        out->output_table = p->u.write.table_name;
    } else if (p->kind == LH_PLAN_DML) {
        out->output_table = p->u.dml.table_name;
    }
    for (int i = 0; i < p->child_count; i++)
        collect(a, p->children[i], out, cap);
}

void lh_plan_lineage(lh_arena_t *a, const lh_plan_t *p, lh_lineage_t *out)
{
    memset(out, 0, sizeof *out);
    int cap = 0;
    collect(a, p, out, &cap);
}
