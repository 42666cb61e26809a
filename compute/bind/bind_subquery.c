/*
 * bind_subquery.c - scalar, IN and EXISTS subqueries.
 *
 * A subquery binds with a frame (corr_frame) naming the expression context it appears in.
 * A column its own scopes lack is looked up there (and, through the frame's parent, in the
 * queries further out): found, it becomes an outer reference, a marker column
 * LH_OUTER_MARKER - k standing for the outer expression refs[k].
 *
 * Uncorrelated subqueries (no outer reference) run once, while the statement binds, and
 * become constants (a value, a list for IN answering as Spark's existence join, a boolean
 * for EXISTS). LATERAL subqueries bind here too (bsq_lateral) and bind_from.c joins them.
 *
 * Correlated ones become joins, the way Spark rewrites them (RewritePredicateSubquery,
 * RewriteCorrelatedScalarSubquery): the domain D is the distinct values of refs over the
 * level's plan O, the subquery is rewritten per domain row (bind_decorr.c) into S' (its
 * columns ++ D's), and joined with O on refs <=> D columns (null-safe):
 *   WHERE [NOT] EXISTS (S)         O LEFT SEMI / LEFT ANTI JOIN S'
 *   WHERE x IN (S)                 O LEFT SEMI JOIN S' also on x = S.col
 *   EXISTS (S) elsewhere           O LEFT JOIN (distinct D of S', true): matched or not
 *   x [NOT] IN (S) elsewhere       O LEFT JOIN (distinct S.col, D, true) on x = col too,
 *                                  LEFT JOIN (D, count(*), bool_or(col IS NULL)): Spark's
 *                                  existence join, never NULL: IN is TRUE on a match, else
 *                                  FALSE; NOT IN (null-aware) is TRUE for an empty set or
 *                                  when neither x nor any col is NULL and nothing matched
 *                                  (bind_expr.c pushes NOT down to the IN, as Spark does)
 *   (a, b) IN (S) elsewhere        LEFT JOIN (distinct S's columns, D, true) on them too;
 *                                  uncorrelated, [NOT] IN expands the rows into an
 *                                  expression (at most 4096)
 *   (S) scalar                     O LEFT JOIN S' when S is a global aggregate (one row per
 *                                  domain row, count 0 over none); otherwise S' grouped by
 *                                  D with count(*) and any_value: more than one row raises
 *                                  SCALAR_SUBQUERY_TOO_MANY_ROWS
 * The joins are pending in a stage (WHERE's, or the SELECT list's with HAVING and ORDER
 * BY) until bind_query.c applies them to the level's plan: they keep every row of O (the
 * left joins meet at most one row each) and append columns, so the expressions bound so
 * far stay valid; the subquery's expression reads its result slots, patched then.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "compute/bind/bind_internal.h"
#include "common/limits.h"
#include "compute/exec/exec.h"

typedef struct corr_frame {
    const ectx *outer; /* where the subquery appears */
    struct corr_frame *parent;
    int count, cap;
    lh_expr_t **refs; /* outer expressions, valid over the outer level's input */
    int use_count, use_cap;
    const lh_ast_expr_t **uses; /* every column AST resolved in the outer query (headers) */
} corr_frame;

typedef enum {
    P_SEMI,      /* WHERE EXISTS */
    P_ANTI,      /* WHERE NOT EXISTS */
    P_IN_SEMI,   /* WHERE x IN */
    V_EXISTS,    /* slots: matched flag */
    V_IN,        /* slots: matched flag, count, has a NULL */
    V_IN_ROW,    /* (a, b) IN: slots: matched flag */
    V_NOTIN_ROW, /* (a, b) NOT IN: slots: null-aware match flag */
    V_SCALAR,    /* slots: the value */
} pending_kind;

typedef struct sub_pending {
    pending_kind kind;
    lh_plan_t *sub;
    int nc;
    lh_expr_t **refs;
    int xn; /* IN: the values (coerced to the common types) */
    lh_expr_t **x;
    int slot; /* first result slot */
} sub_pending;

/* ---- outer references ---------------------------------------------------------------- */

static lh_err add_ref(binder *b, corr_frame *f, lh_expr_t *ref, lh_expr_t **out, bool *found)
{
    int k = 0;
    while (k < f->count && !bx_equal(f->refs[k], ref))
        k++;
    if (k == f->count) {
        if (f->count == LH_MARKER_SPAN - 1)
            return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                             "this many outer references", NULL);
        if (f->count == f->cap) {
            int cap = f->cap ? f->cap * 2 : 4;
            lh_expr_t **n = lh_arena_calloc(b->a, (size_t)cap, sizeof *n);
            if (f->count)
                memcpy(n, f->refs, (size_t)f->count * sizeof *n);
            f->refs = n;
            f->cap = cap;
        }
        f->refs[f->count++] = ref;
    }
    *out = lh_expr_column(b->a, LH_OUTER_MARKER - k, ref->type, ref->nullable, ref->name);
    *found = true;
    return LH_OK;
}

lh_err bsq_outer_column(binder *b, const lh_ast_expr_t *e, lh_expr_t **out, bool *found)
{
    *found = false;
    corr_frame *f = b->corr;
    if (f == NULL)
        return LH_OK;
    lh_errbuf scratch, *saved = b->eb;
    lh_errbuf_clear(&scratch);
    b->eb = &scratch;
    b->corr = f->parent;
    lh_expr_t *ref = NULL;
    lh_err err = bx_expr(b, f->outer, e, &ref);
    b->corr = f;
    b->eb = saved;
    if (err != LH_OK) {
        if (scratch.error_code && strncmp(scratch.error_code, "UNRESOLVED_COLUMN", 17) == 0)
            return LH_OK;
        *b->eb = scratch;
        return err;
    }
    if (f->use_count == f->use_cap) {
        int cap = f->use_cap ? f->use_cap * 2 : 8;
        const lh_ast_expr_t **n = lh_arena_calloc(b->a, (size_t)cap, sizeof *n);
        if (f->use_count)
            memcpy(n, f->uses, (size_t)f->use_count * sizeof *n);
        f->uses = n;
        f->use_cap = cap;
    }
    f->uses[f->use_count++] = e;
    return add_ref(b, f, ref, out, found);
}

/* Spark: an aggregate whose arguments read only outer columns belongs to the outer query
 * (it must aggregate there: CORRELATED_REFERENCE otherwise). */
lh_err bsq_outer_agg(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out, bool *found)
{
    *found = false;
    corr_frame *f = b->corr;
    if (f == NULL || e->u.func.star || e->args.count == 0)
        return LH_OK;
    lh_errbuf scratch, *saved = b->eb;
    lh_errbuf_clear(&scratch);
    b->eb = &scratch;
    b->corr = NULL;
    ectx inner = {x->sc, MODE_PRE, NULL, "aggregate", NULL, NULL};
    lh_err err = LH_OK;
    for (int i = 0; i < e->args.count && err == LH_OK; i++) {
        lh_expr_t *t;
        err = bx_expr(b, &inner, e->args.items[i], &t);
    }
    bool outer = err != LH_OK && scratch.error_code &&
                 strncmp(scratch.error_code, "UNRESOLVED_COLUMN", 17) == 0;
    lh_expr_t *ref = NULL;
    if (outer) { /* every column must resolve outside */
        lh_errbuf_clear(&scratch);
        ectx probe = *f->outer;
        agg_ctx none = {0};
        none.collecting = true;
        probe.mode = MODE_PRE;
        probe.agg = &none;
        b->corr = f->parent;
        outer = bx_expr(b, &probe, e, &ref) == LH_OK;
    }
    b->corr = f;
    b->eb = saved;
    if (!outer)
        return LH_OK;
    if (f->outer->agg == NULL || f->outer->mode != MODE_POST)
        return lh_sqlerr(b->eb, "UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY.CORRELATED_REFERENCE",
                         "sqlExprs", lh_arena_sprintf(b->a, "\"%s\"", bx_name(b, e)), NULL);
    b->corr = f->parent;
    err = bx_expr(b, f->outer, e, &ref);
    b->corr = f;
    LH_TRY(err);
    return add_ref(b, f, ref, out, found);
}

static lh_err bind_framed(binder *b, const ectx *x, const lh_ast_query_t *q, lh_plan_t **plan,
                          corr_frame *f)
{
    *f = (corr_frame){x, b->corr, 0, 0, NULL, 0, 0, NULL};
    binder inner = *b;
    inner.corr = f;
    return bq_query(&inner, q, plan);
}

int bsq_ref_count(binder *b)
{
    return b->corr != NULL ? b->corr->count : 0;
}

void bsq_ref_truncate(binder *b, int n)
{
    if (b->corr != NULL && n < b->corr->count)
        b->corr->count = n;
}

const scope *bsq_outer_scope(binder *b)
{
    return b->corr != NULL ? b->corr->outer->sc : NULL;
}

lh_err bsq_lateral(binder *b, const scope *outer, const lh_ast_query_t *q, lh_plan_t **plan,
                   int *nc, lh_expr_t ***refs)
{
    ectx x = {outer, MODE_PRE, NULL, "LATERAL", NULL, NULL, NULL};
    corr_frame f;
    LH_TRY(bind_framed(b, &x, q, plan, &f));
    *nc = f.count;
    *refs = f.refs;
    return LH_OK;
}

/* ---- uncorrelated: run once ------------------------------------------------------------- */

typedef struct sub_rows {
    binder *b;
    lh_type_t type;
    int count, cap, max;
    lh_value_t *values;
} sub_rows;

static lh_err collect_first_col(void *ctx, const lh_batch_t *batch, lh_errbuf *eb)
{
    sub_rows *r = ctx;
    for (size_t i = 0; i < batch->row_count; i++) {
        LH_FAIL_IF(r->count >= r->max, LH_E_LIMIT, eb, "subquery returned too many rows");
        if (r->count == r->cap) {
            int cap = r->cap ? r->cap * 2 : 16;
            lh_value_t *n = lh_arena_calloc(r->b->a, (size_t)cap, sizeof *n);
            if (r->count)
                memcpy(n, r->values, (size_t)r->count * sizeof *n);
            r->values = n;
            r->cap = cap;
        }
        lh_value_t *v = &r->values[r->count++];
        if (batch->col_count == 0) {
            *v = (lh_value_t){.type = r->type, .is_null = true};
            continue;
        }
        lh_vec_get_value(batch->cols[0], i, v);
        if (!v->is_null && lh_type_is_bytes(v->type)) {
            uint8_t *copy = lh_arena_alloc(r->b->a, v->v.str.len + 1);
            memcpy(copy, v->v.str.ptr, v->v.str.len);
            v->v.str.ptr = copy;
        }
    }
    return LH_OK;
}

static lh_err run_plan(binder *b, lh_plan_t *plan, int max, sub_rows *rows)
{
    *rows = (sub_rows){
        b, plan->col_count ? plan->col_types[0] : (lh_type_t){LH_TYPE_NULL}, 0, 0, max, NULL};
    lh_exec_opts_t o = {NULL, lh_session_conf(b->env->session), LH_QUERY_MEMORY_DEFAULT, NULL, 0};
    lh_exec_stats_t stats;
    return lh_exec_run(plan, &o, collect_first_col, rows, &stats, b->eb);
}

static lh_err too_many_columns(binder *b, int n)
{
    return lh_sqlerr(
        b->eb, "INVALID_SUBQUERY_EXPRESSION.SCALAR_SUBQUERY_RETURN_MORE_THAN_ONE_OUTPUT_COLUMN",
        "number", lh_arena_sprintf(b->a, "%d", n), NULL);
}

static lh_expr_t *bool_const(binder *b, int v);

static lh_err uncorrelated(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_plan_t *plan,
                           lh_expr_t **out)
{
    sub_rows rows;
    const lh_type_t boolean = {LH_TYPE_BOOLEAN};
    if (e->kind == LH_EX_EXISTS) {
        LH_TRY(run_plan(b, plan, 1 << 30, &rows));
        lh_value_t v = {.type = boolean, .v.i64 = rows.count > 0};
        *out = lh_expr_const(b->a, &v, bx_name(b, e));
        return LH_OK;
    }
    if (e->kind == LH_EX_SUBQUERY) {
        if (plan->col_count != 1)
            return too_many_columns(b, plan->col_count);
        lh_err err = run_plan(b, plan, 1, &rows);
        if (err == LH_E_LIMIT)
            return lh_sqlerr(b->eb, "SCALAR_SUBQUERY_TOO_MANY_ROWS", NULL);
        LH_TRY(err);
        lh_value_t v =
            rows.count ? rows.values[0] : (lh_value_t){.type = plan->col_types[0], .is_null = true};
        v.type = plan->col_types[0];
        *out = lh_expr_const(b->a, &v, bx_name(b, e));
        return LH_OK;
    }
    /* IN (subquery): the value against the subquery's rows as a constant list */
    LH_TRY(run_plan(b, plan, LH_SUBQUERY_IN_MAX, &rows));
    lh_expr_t **args = lh_arena_calloc(b->a, (size_t)rows.count + 2, sizeof *args);
    LH_TRY(bx_expr(b, x, e->args.items[0], &args[0]));
    lh_type_t t;
    LH_TRY(bx_common_type(b, args[0]->type, rows.type, &t));
    LH_TRY(bx_coerce(b, &args[0], t));
    bool nullable = args[0]->nullable;
    for (int i = 0; i < rows.count; i++) {
        rows.values[i].type = rows.type;
        args[i + 1] = lh_expr_const(b->a, &rows.values[i], NULL);
        LH_TRY(bx_coerce(b, &args[i + 1], t));
        nullable = nullable || rows.values[i].is_null;
    }
    if (rows.count == 0) { /* x IN (empty) is false, NOT IN (empty) true, even for NULL x */
        lh_value_t v = {.type = boolean, .v.i64 = e->negated};
        *out = lh_expr_const(b->a, &v, bx_name(b, e));
        const char *legacy =
            lh_session_get(b->env->session, "spark.sql.legacy.nullInEmptyListBehavior");
        if (legacy != NULL && strcasecmp(legacy, "true") == 0 && args[0]->nullable) {
            /* Spark's legacy answer: NULL for a NULL x */
            lh_value_t null = {.type = boolean, .is_null = true};
            lh_expr_t *c[3] = {lh_expr_node(b->a, LH_EXPR_IS_NULL, boolean, false, 1, args, NULL),
                               lh_expr_const(b->a, &null, "NULL"), *out};
            *out = lh_expr_node(b->a, LH_EXPR_CASE, boolean, true, 3, c, bx_name(b, e));
        }
        return LH_OK;
    }
    lh_expr_t *in =
        lh_expr_node(b->a, LH_EXPR_IN, boolean, nullable, rows.count + 1, args, bx_name(b, e));
    if (e->negated)
        in = lh_expr_node(b->a, LH_EXPR_NOT, boolean, nullable, 1, &in, NULL);
    /* Spark's existence join: never NULL (an unknown IN is false, an unknown NOT IN too) */
    lh_expr_t *c[2] = {in, bool_const(b, 0)};
    *out = lh_expr_node(b->a, LH_EXPR_COALESCE, boolean, false, 2, c, bx_name(b, e));
    return LH_OK;
}

/* ---- uncorrelated multi-column IN outside WHERE conjuncts: the rows as constants -------- */

#define MULTI_IN_MAX 4096 /* rows a multi-column IN expands to an expression over */

typedef struct sub_table {
    binder *b;
    int cols, count, cap;
    lh_value_t *values; /* count rows of cols values */
} sub_table;

static lh_err collect_rows(void *ctx, const lh_batch_t *batch, lh_errbuf *eb)
{
    sub_table *t = ctx;
    for (size_t i = 0; i < batch->row_count; i++) {
        LH_FAIL_IF(t->count >= MULTI_IN_MAX, LH_E_LIMIT, eb, "subquery returned too many rows");
        if (t->count == t->cap) {
            int cap = t->cap ? t->cap * 2 : 16;
            lh_value_t *n = lh_arena_calloc(t->b->a, (size_t)cap * (size_t)t->cols, sizeof *n);
            if (t->count)
                memcpy(n, t->values, (size_t)t->count * (size_t)t->cols * sizeof *n);
            t->values = n;
            t->cap = cap;
        }
        for (int c = 0; c < t->cols; c++) {
            lh_value_t *v = &t->values[(size_t)t->count * (size_t)t->cols + (size_t)c];
            lh_vec_get_value(batch->cols[c], i, v);
            if (!v->is_null && lh_type_is_bytes(v->type)) {
                uint8_t *copy = lh_arena_alloc(t->b->a, v->v.str.len + 1);
                memcpy(copy, v->v.str.ptr, v->v.str.len);
                v->v.str.ptr = copy;
            }
        }
        t->count++;
    }
    return LH_OK;
}

static lh_expr_t *bool_node(binder *b, lh_expr_kind kind, lh_expr_t *l, lh_expr_t *r)
{
    lh_expr_t *a[2] = {l, r};
    return lh_expr_node(b->a, kind, (lh_type_t){LH_TYPE_BOOLEAN}, l->nullable || r->nullable, 2, a,
                        NULL);
}

/* OR of terms[lo..hi), as a balanced tree. */
static lh_expr_t *or_tree(binder *b, lh_expr_t **terms, int lo, int hi)
{
    if (hi - lo == 1)
        return terms[lo];
    int mid = lo + (hi - lo) / 2;
    return bool_node(b, LH_EXPR_OR, or_tree(b, terms, lo, mid), or_tree(b, terms, mid, hi));
}

static lh_expr_t *bool_const(binder *b, int v);
static lh_err in_values(binder *b, const ectx *x, const lh_ast_expr_t *e, const lh_plan_t *sub,
                        sub_pending *p);

/* (x1, .., xn) [NOT] IN (subquery) as Spark's existence join answers it: IN is TRUE when some
 * row equals x in every column, else FALSE; NOT IN (null-aware) is FALSE when some row equals
 * x or is unknown in every column, else TRUE. */
static lh_err uncorrelated_multi(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_plan_t *plan,
                                 lh_expr_t **out)
{
    sub_pending p = {0};
    LH_TRY(in_values(b, x, e, plan, &p));
    sub_table t = {b, plan->col_count, 0, 0, NULL};
    lh_exec_opts_t o = {NULL, lh_session_conf(b->env->session), LH_QUERY_MEMORY_DEFAULT, NULL, 0};
    lh_exec_stats_t stats;
    lh_err err = lh_exec_run(plan, &o, collect_rows, &t, &stats, b->eb);
    if (err == LH_E_LIMIT)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "a multi-column IN subquery of more than 4096 rows outside WHERE "
                         "conjuncts",
                         NULL);
    LH_TRY(err);
    static const char *const eqn[] = {"=", "equal", "eq"};
    const lh_func_t *feq = bx_func(eqn);
    const lh_type_t boolean = {LH_TYPE_BOOLEAN};
    lh_expr_t *any = NULL;
    if (t.count > 0) {
        lh_expr_t **rows = lh_arena_calloc(b->a, (size_t)t.count + 1, sizeof *rows);
        for (int r = 0; r < t.count; r++) {
            lh_expr_t *all = NULL;
            for (int c = 0; c < p.xn; c++) {
                lh_value_t v = t.values[(size_t)r * (size_t)t.cols + (size_t)c];
                v.type = plan->col_types[c];
                lh_expr_t *term;
                if (v.is_null) {
                    term = bool_const(b, e->negated ? 1 : -1);
                } else {
                    lh_expr_t *args[2] = {p.x[c], lh_expr_const(b->a, &v, NULL)};
                    LH_TRY(bx_coerce(b, &args[1], p.x[c]->type));
                    LH_TRY(lh_expr_call(b->a, feq, 2, args, lh_session_conf(b->env->session), NULL,
                                        &term, b->eb));
                    if (e->negated) { /* x = c OR x IS NULL */
                        lh_expr_t *isnull =
                            lh_expr_node(b->a, LH_EXPR_IS_NULL, boolean, false, 1, &p.x[c], NULL);
                        term = bool_node(b, LH_EXPR_OR, term, isnull);
                    }
                }
                all = all ? bool_node(b, LH_EXPR_AND, all, term) : term;
            }
            rows[r] = all;
        }
        lh_expr_t *c[2] = {or_tree(b, rows, 0, t.count), bool_const(b, 0)};
        any = lh_expr_node(b->a, LH_EXPR_COALESCE, boolean, false, 2, c, NULL);
    } else {
        any = bool_const(b, 0);
    }
    *out =
        e->negated ? lh_expr_node(b->a, LH_EXPR_NOT, boolean, false, 1, &any, bx_name(b, e)) : any;
    (*out)->name = bx_name(b, e);
    return LH_OK;
}

/* ---- correlated: pending joins ------------------------------------------------------------ */

static int add_slots(binder *b, sub_stage *st, int n)
{
    if (st->slot_count + n > st->slot_cap) {
        int cap = st->slot_cap ? st->slot_cap * 2 : 8;
        while (cap < st->slot_count + n)
            cap *= 2;
        int *pos = lh_arena_calloc(b->a, (size_t)cap, sizeof *pos);
        if (st->slot_count)
            memcpy(pos, st->slot_pos, (size_t)st->slot_count * sizeof *pos);
        st->slot_pos = pos;
        st->slot_cap = cap;
    }
    int first = st->slot_count;
    st->slot_count += n;
    return first;
}

static sub_pending *add_pending(binder *b, sub_stage *st, pending_kind kind, lh_plan_t *sub,
                                const corr_frame *f, int slots)
{
    if (st->count == st->cap) {
        int cap = st->cap ? st->cap * 2 : 4;
        sub_pending *n = lh_arena_calloc(b->a, (size_t)cap, sizeof *n);
        if (st->count)
            memcpy(n, st->items, (size_t)st->count * sizeof *n);
        st->items = n;
        st->cap = cap;
    }
    sub_pending *p = &st->items[st->count++];
    *p = (sub_pending){kind, sub, f->count, f->refs, 0, NULL, slots ? add_slots(b, st, slots) : 0};
    return p;
}

static lh_expr_t *slot(binder *b, int i, lh_type_t t, bool nullable)
{
    return lh_expr_column(b->a, LH_SUBRES_MARKER - i, t, nullable, NULL);
}

static lh_expr_t *bool_const(binder *b, int v) /* 0, 1, or -1 for NULL */
{
    lh_value_t c = {.type = {LH_TYPE_BOOLEAN}, .v.i64 = v > 0, .is_null = v < 0};
    return lh_expr_const(b->a, &c, NULL);
}

/* The IN values (a row for several columns), coerced with the subquery's columns. */
static lh_err in_values(binder *b, const ectx *x, const lh_ast_expr_t *e, const lh_plan_t *sub,
                        sub_pending *p)
{
    const lh_ast_expr_t *v = e->args.items[0];
    const lh_ast_exprs_t *items = v->kind == LH_EX_ROW ? &v->args : &e->args;
    if (items->count != sub->col_count)
        return lh_sqlerr(b->eb, "DATATYPE_MISMATCH.IN_SUBQUERY_LENGTH_MISMATCH", "sqlExpr",
                         lh_arena_sprintf(b->a, "\"%s\"", bx_name(b, e)), "leftLength",
                         lh_arena_sprintf(b->a, "%d", items->count), "rightLength",
                         lh_arena_sprintf(b->a, "%d", sub->col_count), "leftColumns", "",
                         "rightColumns", "", NULL);
    p->xn = items->count;
    p->x = lh_arena_calloc(b->a, (size_t)p->xn + 1, sizeof *p->x);
    for (int i = 0; i < p->xn; i++) {
        lh_type_t t;
        LH_TRY(bx_expr(b, x, items->items[i], &p->x[i]));
        LH_TRY(bx_common_type(b, p->x[i]->type, sub->col_types[i], &t));
        LH_TRY(bx_coerce(b, &p->x[i], t));
    }
    return LH_OK;
}

static lh_err correlated(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_plan_t *sub,
                         const corr_frame *f, lh_expr_t **out)
{
    if (x->sub == NULL)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         lh_arena_sprintf(b->a, "a correlated subquery in %s",
                                          x->clause ? x->clause : "this clause"),
                         NULL);
    const lh_type_t boolean = {LH_TYPE_BOOLEAN};
    if (e->kind == LH_EX_EXISTS) {
        sub_pending *p = add_pending(b, x->sub, V_EXISTS, sub, f, 1);
        lh_expr_t *flag = slot(b, p->slot, boolean, true);
        *out = lh_expr_node(b->a, LH_EXPR_NOT_NULL, boolean, false, 1, &flag, bx_name(b, e));
        return LH_OK;
    }
    if (e->kind == LH_EX_SUBQUERY) {
        if (sub->col_count != 1)
            return too_many_columns(b, sub->col_count);
        sub_pending *p = add_pending(b, x->sub, V_SCALAR, sub, f, 1);
        *out = slot(b, p->slot, sub->col_types[0], true);
        (*out)->name = bx_name(b, e);
        return LH_OK;
    }
    const lh_ast_expr_t *v0 = e->args.items[0];
    if (e->args.count > 1 || v0->kind == LH_EX_ROW) {
        /* (a, b) IN (correlated): TRUE when a row of the subquery equals (a, b); NOT IN:
         * FALSE when a row equals or is unknown in every column (null-aware), else TRUE */
        sub_pending *p = add_pending(b, x->sub, e->negated ? V_NOTIN_ROW : V_IN_ROW, sub, f, 1);
        LH_TRY(in_values(b, x, e, sub, p));
        lh_expr_t *flag = slot(b, p->slot, boolean, true);
        *out = lh_expr_node(b->a, e->negated ? LH_EXPR_IS_NULL : LH_EXPR_NOT_NULL, boolean, false,
                            1, &flag, bx_name(b, e));
        return LH_OK;
    }
    sub_pending *p = add_pending(b, x->sub, V_IN, sub, f, 3);
    LH_TRY(in_values(b, x, e, sub, p));
    lh_expr_t *c[7], *isnull[2];
    lh_expr_t *flag = slot(b, p->slot, boolean, true);
    lh_expr_t *cnt = slot(b, p->slot + 1, (lh_type_t){LH_TYPE_LONG}, true);
    isnull[0] = lh_expr_node(b->a, LH_EXPR_IS_NULL, boolean, false, 1, &p->x[0], NULL);
    isnull[1] = slot(b, p->slot + 2, boolean, true);
    /* Spark's existence join: IN is TRUE on a match and FALSE otherwise; NOT IN (null-aware)
     * is TRUE only when nothing matches and nothing is unknown */
    int neg = e->negated;
    c[0] = lh_expr_node(b->a, LH_EXPR_NOT_NULL, boolean, false, 1, &flag, NULL);
    c[1] = bool_const(b, !neg);
    c[2] = lh_expr_node(b->a, LH_EXPR_IS_NULL, boolean, false, 1, &cnt, NULL);
    c[3] = bool_const(b, neg);
    c[4] = lh_expr_node(b->a, LH_EXPR_OR, boolean, true, 2, isnull, NULL);
    c[5] = bool_const(b, 0);
    c[6] = bool_const(b, neg);
    *out = lh_expr_node(b->a, LH_EXPR_CASE, boolean, false, 7, c, bx_name(b, e));
    return LH_OK;
}

lh_err bsq_expr(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out)
{
    lh_plan_t *plan;
    corr_frame f;
    LH_TRY(bind_framed(b, x, e->query, &plan, &f));
    if (e->kind != LH_EX_IN_QUERY)
        bsn_remember(b, e, f.uses, f.use_count);
    bool multi =
        e->kind == LH_EX_IN_QUERY && (e->args.count != 1 || e->args.items[0]->kind == LH_EX_ROW);
    if (f.count == 0 && !multi)
        return uncorrelated(b, x, e, plan, out);
    if (f.count == 0)
        return uncorrelated_multi(b, x, e, plan, out);
    return correlated(b, x, e, plan, &f, out);
}

/* ---- WHERE: semi and anti joins ---------------------------------------------------------- */

static bool semi_candidate(const lh_ast_expr_t *e)
{
    if (e->kind == LH_EX_EXISTS)
        return true;
    if (e->kind == LH_EX_UNARY && e->op == LH_OP_NOT && e->args.items[0]->kind == LH_EX_EXISTS)
        return true;
    return e->kind == LH_EX_IN_QUERY && !e->negated;
}

static lh_err where_conjunct(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out)
{
    if (!semi_candidate(e))
        return bx_bool(b, x, e, out);
    bool anti = e->kind == LH_EX_UNARY;
    const lh_ast_expr_t *s = anti ? e->args.items[0] : e;
    lh_plan_t *plan;
    corr_frame f;
    LH_TRY(bind_framed(b, x, s->query, &plan, &f));
    bool multi =
        s->kind == LH_EX_IN_QUERY && (s->args.count != 1 || s->args.items[0]->kind == LH_EX_ROW);
    if (f.count == 0 && !multi) {
        LH_TRY(uncorrelated(b, x, s, plan, out));
        if (anti)
            *out = lh_expr_node(b->a, LH_EXPR_NOT, (*out)->type, (*out)->nullable, 1, out, NULL);
        return LH_OK;
    }
    *out = NULL;
    pending_kind k = s->kind == LH_EX_IN_QUERY ? P_IN_SEMI : anti ? P_ANTI : P_SEMI;
    sub_pending *p = add_pending(b, x->sub, k, plan, &f, 0);
    if (k == P_IN_SEMI)
        LH_TRY(in_values(b, x, s, plan, p));
    return LH_OK;
}

static void conjuncts(const lh_ast_expr_t *e, const lh_ast_expr_t **out, int *n, int max)
{
    if (e->kind == LH_EX_BINARY && e->op == LH_OP_AND && *n + 2 <= max) {
        conjuncts(e->args.items[0], out, n, max);
        conjuncts(e->args.items[1], out, n, max);
        return;
    }
    out[(*n)++] = e;
}

lh_err bsq_where(binder *b, const ectx *x, const lh_ast_expr_t *where, lh_plan_t **plan,
                 lh_expr_t **pred)
{
    const lh_ast_expr_t *c[64];
    int n = 0, semi = 0;
    conjuncts(where, c, &n, 64);
    for (int i = 0; i < n; i++)
        semi += semi_candidate(c[i]);
    *pred = NULL;
    if (semi == 0) {
        LH_TRY(bx_bool(b, x, where, pred));
    } else {
        for (int i = 0; i < n; i++) {
            lh_expr_t *e;
            LH_TRY(where_conjunct(b, x, c[i], &e));
            if (e == NULL)
                continue;
            if (*pred == NULL) {
                *pred = e;
                continue;
            }
            lh_expr_t *both[2] = {*pred, e};
            *pred = lh_expr_node(b->a, LH_EXPR_AND, (lh_type_t){LH_TYPE_BOOLEAN},
                                 both[0]->nullable || e->nullable, 2, both, NULL);
        }
    }
    LH_TRY(bsq_apply(b, x->sub, plan));
    if (*pred != NULL)
        bsq_patch(x->sub, *pred);
    return LH_OK;
}

/* ---- applying a stage ----------------------------------------------------------------------- */

static lh_err check_bind(lh_func_bind_t *fb, lh_errbuf *eb)
{
    (void)eb;
    fb->ret_type = (lh_type_t){LH_TYPE_BOOLEAN};
    fb->ret_nullable = false;
    return LH_OK;
}

static lh_err check_exec(const lh_func_exec_t *x, lh_errbuf *eb)
{
    x->out->count = x->rows;
    for (size_t i = 0; i < x->rows; i++) {
        if (lh_vec_is_valid(x->args[0], i) && lh_vec_get_i64(x->args[0], i) > 1)
            return lh_sqlerr(eb, "SCALAR_SUBQUERY_TOO_MANY_ROWS", NULL);
        ((uint8_t *)x->out->data)[i] = 0;
    }
    return LH_OK;
}

/* false, or SCALAR_SUBQUERY_TOO_MANY_ROWS when its argument (a row count) passes 1 */
static const lh_func_t too_many_rows = {
    "scalar_subquery_check", LH_FUNC_SCALAR, 1, 1, check_bind, check_exec, false};

static bool one_row(const lh_plan_t *p)
{
    while (p->kind == LH_PLAN_PROJECT || p->kind == LH_PLAN_FILTER || p->kind == LH_PLAN_SORT ||
           p->kind == LH_PLAN_LIMIT)
        p = p->children[0];
    return p->kind == LH_PLAN_AGGREGATE && p->u.aggregate.key_count == 0 &&
           p->u.aggregate.set_count == 0;
}

typedef struct joinkeys {
    int n;
    lh_expr_t **l, **r;
    bool *ns;
} joinkeys;

/* refs <=> the nc columns of r from column `from` (plus room for `extra` more keys). */
static joinkeys dom_keys(binder *b, const sub_pending *p, const lh_plan_t *r, int from, int extra)
{
    joinkeys k = {p->nc, lh_arena_calloc(b->a, (size_t)(p->nc + extra) + 1, sizeof(lh_expr_t *)),
                  lh_arena_calloc(b->a, (size_t)(p->nc + extra) + 1, sizeof(lh_expr_t *)),
                  lh_arena_calloc(b->a, (size_t)(p->nc + extra) + 1, sizeof(bool))};
    for (int i = 0; i < p->nc; i++) {
        k.l[i] = p->refs[i];
        k.r[i] = bd_col(b, r, from + i);
        k.ns[i] = true;
    }
    return k;
}

static lh_expr_t **dcols(binder *b, const lh_plan_t *p, int from, int n, int extra)
{
    lh_expr_t **e = lh_arena_calloc(b->a, (size_t)(n + extra) + 1, sizeof *e);
    for (int i = 0; i < n; i++)
        e[i] = bd_col(b, p, from + i);
    return e;
}

/* p's distinct domain columns of s (from `from`) and a TRUE flag after them. */
static lh_plan_t *flagged(binder *b, lh_plan_t *s, int from, int n)
{
    lh_plan_t *g = bd_aggregate(b, s, n, dcols(b, s, from, n, 0), 0, NULL);
    lh_expr_t **e = dcols(b, g, 0, n, 1);
    e[n] = bool_const(b, 1);
    return bd_project(b, g, n + 1, e, NULL);
}

static lh_err apply_in(binder *b, sub_stage *st, sub_pending *p, lh_plan_t *s, lh_plan_t **plan)
{
    int sw = p->sub->col_count, nc = p->nc, ow = (*plan)->col_count;
    lh_expr_t **keys = dcols(b, s, sw, nc, 1);
    memmove(keys + 1, keys, (size_t)nc * sizeof *keys);
    keys[0] = bd_col(b, s, 0);
    LH_TRY(bx_coerce(b, &keys[0], p->x[0]->type));
    lh_plan_t *g = bd_aggregate(b, s, nc + 1, keys, 0, NULL);
    lh_expr_t **e = dcols(b, g, 0, nc + 1, 1);
    e[nc + 1] = bool_const(b, 1);
    lh_plan_t *m = bd_project(b, g, nc + 2, e, NULL);
    joinkeys k = dom_keys(b, p, m, 1, 1);
    k.l[nc] = p->x[0];
    k.r[nc] = bd_col(b, m, 0);
    k.ns[nc] = false;
    lh_plan_t *j = bd_join(b, LH_PJOIN_LEFT, *plan, m, nc + 1, k.l, k.r, k.ns, NULL);
    lh_plan_t *s2 = bd_copy(b, s);
    lh_agg_call_t *aggs = lh_arena_calloc(b->a, 3, sizeof *aggs);
    lh_expr_t *y = bd_col(b, s2, 0);
    lh_expr_t *isnull =
        lh_expr_node(b->a, LH_EXPR_IS_NULL, (lh_type_t){LH_TYPE_BOOLEAN}, false, 1, &y, NULL);
    LH_TRY(bd_agg_call(b, "count", 0, NULL, &aggs[0]));
    LH_TRY(bd_agg_call(b, "bool_or", 1, &isnull, &aggs[1]));
    lh_plan_t *a = bd_aggregate(b, s2, nc, dcols(b, s2, sw, nc, 0), 2, aggs);
    joinkeys k2 = dom_keys(b, p, a, 0, 0);
    *plan = bd_join(b, LH_PJOIN_LEFT, j, a, nc, k2.l, k2.r, k2.ns, NULL);
    st->slot_pos[p->slot] = ow + nc + 1;
    st->slot_pos[p->slot + 1] = ow + nc + 2 + nc;
    st->slot_pos[p->slot + 2] = ow + nc + 2 + nc + 1;
    return LH_OK;
}

/* (x1, .., xn) NOT IN (S), null-aware: the distinct (D, x) of the outer rows that some row of
 * S' (with their D) equals or leaves unknown in every column (a semi join, its residual
 * AND_i (x_i = c_i OR x_i IS NULL OR c_i IS NULL)), flagged and left-joined back null-safe on
 * (D, x): a flag means FALSE. */
static lh_err apply_not_in_row(binder *b, sub_stage *st, sub_pending *p, lh_plan_t *s,
                               lh_plan_t **plan)
{
    int n = p->xn, nc = p->nc, ow = (*plan)->col_count, kw = nc + n;
    lh_expr_t **keys = lh_arena_calloc(b->a, (size_t)kw + 1, sizeof *keys);
    for (int i = 0; i < nc; i++)
        keys[i] = p->refs[i];
    for (int i = 0; i < n; i++)
        keys[nc + i] = p->x[i];
    lh_plan_t *k = bd_aggregate(b, bd_copy(b, *plan), kw, keys, 0, NULL);
    static const char *const eqn[] = {"=", "equal", "eq"};
    const lh_func_t *feq = bx_func(eqn);
    const lh_type_t boolean = {LH_TYPE_BOOLEAN};
    lh_expr_t *residual = NULL;
    for (int i = 0; i < n; i++) {
        lh_expr_t *xi = bd_col(b, k, nc + i);
        lh_expr_t *ci = lh_expr_column(b->a, kw + i, s->col_types[i], true, s->col_names[i]);
        LH_TRY(bx_coerce(b, &ci, xi->type));
        lh_expr_t *args[2] = {xi, ci}, *eq;
        LH_TRY(
            lh_expr_call(b->a, feq, 2, args, lh_session_conf(b->env->session), NULL, &eq, b->eb));
        lh_expr_t *xn = lh_expr_node(b->a, LH_EXPR_IS_NULL, boolean, false, 1, &xi, NULL);
        lh_expr_t *cn = lh_expr_node(b->a, LH_EXPR_IS_NULL, boolean, false, 1, &ci, NULL);
        lh_expr_t *o1[2] = {eq, xn},
                  *or1 = lh_expr_node(b->a, LH_EXPR_OR, boolean, true, 2, o1, NULL);
        lh_expr_t *o2[2] = {or1, cn},
                  *term = lh_expr_node(b->a, LH_EXPR_OR, boolean, true, 2, o2, NULL);
        lh_expr_t *a[2] = {residual, term};
        residual = residual ? lh_expr_node(b->a, LH_EXPR_AND, boolean, true, 2, a, NULL) : term;
    }
    joinkeys dk = {nc, dcols(b, k, 0, nc, 0), dcols(b, s, n, nc, 0),
                   lh_arena_calloc(b->a, (size_t)nc + 1, sizeof(bool))};
    for (int i = 0; i < nc; i++)
        dk.ns[i] = true;
    lh_plan_t *j = bd_join(b, LH_PJOIN_SEMI, k, s, nc, dk.l, dk.r, dk.ns, residual);
    lh_expr_t **e = dcols(b, j, 0, kw, 1);
    e[kw] = bool_const(b, 1);
    lh_plan_t *m = bd_project(b, j, kw + 1, e, NULL);
    joinkeys back = {kw, lh_arena_calloc(b->a, (size_t)kw + 1, sizeof(lh_expr_t *)),
                     dcols(b, m, 0, kw, 0), lh_arena_calloc(b->a, (size_t)kw + 1, sizeof(bool))};
    for (int i = 0; i < kw; i++) {
        back.l[i] = keys[i];
        back.ns[i] = true;
    }
    *plan = bd_join(b, LH_PJOIN_LEFT, *plan, m, kw, back.l, back.r, back.ns, NULL);
    st->slot_pos[p->slot] = ow + kw;
    return LH_OK;
}

static lh_err apply_scalar(binder *b, sub_stage *st, sub_pending *p, lh_plan_t *s, lh_plan_t **plan)
{
    int sw = p->sub->col_count, nc = p->nc, ow = (*plan)->col_count;
    if (one_row(p->sub)) {
        joinkeys k = dom_keys(b, p, s, sw, 0);
        *plan = bd_join(b, LH_PJOIN_LEFT, *plan, s, nc, k.l, k.r, k.ns, NULL);
        st->slot_pos[p->slot] = ow;
        return LH_OK;
    }
    lh_agg_call_t *aggs = lh_arena_calloc(b->a, 3, sizeof *aggs);
    lh_expr_t *v = bd_col(b, s, 0);
    LH_TRY(bd_agg_call(b, "count", 0, NULL, &aggs[0]));
    LH_TRY(bd_agg_call(b, "any_value", 1, &v, &aggs[1]));
    lh_plan_t *g = bd_aggregate(b, s, nc, dcols(b, s, sw, nc, 0), 2, aggs);
    lh_expr_t **e = dcols(b, g, 0, nc, 1), *cnt = bd_col(b, g, nc), *c[3];
    LH_TRY(lh_expr_call(b->a, &too_many_rows, 1, &cnt, lh_session_conf(b->env->session), NULL,
                        &c[0], b->eb));
    lh_value_t none = {.type = g->col_types[nc + 1], .is_null = true};
    c[1] = lh_expr_const(b->a, &none, NULL);
    c[2] = bd_col(b, g, nc + 1);
    e[nc] = lh_expr_node(b->a, LH_EXPR_CASE, c[2]->type, true, 3, c, NULL);
    lh_plan_t *one = bd_project(b, g, nc + 1, e, NULL);
    joinkeys k = dom_keys(b, p, one, 0, 0);
    *plan = bd_join(b, LH_PJOIN_LEFT, *plan, one, nc, k.l, k.r, k.ns, NULL);
    st->slot_pos[p->slot] = ow + nc;
    return LH_OK;
}

static lh_err apply_one(binder *b, sub_stage *st, sub_pending *p, lh_plan_t **plan)
{
    int nc = p->nc, sw = p->sub->col_count, ow = (*plan)->col_count;
    lh_plan_t *s = p->sub;
    if (nc > 0) {
        lh_expr_t **refs = lh_arena_calloc(b->a, (size_t)nc + 1, sizeof *refs);
        memcpy(refs, p->refs, (size_t)nc * sizeof *refs);
        lh_plan_t *dom = bd_aggregate(b, bd_copy(b, *plan), nc, refs, 0, NULL);
        LH_TRY(bd_decorrelate(b, p->sub, dom, nc, &s));
    }
    switch (p->kind) {
    case P_SEMI:
    case P_ANTI:
    case P_IN_SEMI: {
        int extra = p->kind == P_IN_SEMI ? p->xn : 0;
        joinkeys k = dom_keys(b, p, s, sw, extra);
        for (int i = 0; i < extra; i++) {
            k.l[nc + i] = p->x[i];
            k.r[nc + i] = bd_col(b, s, i);
            LH_TRY(bx_coerce(b, &k.r[nc + i], p->x[i]->type));
        }
        *plan = bd_join(b, p->kind == P_ANTI ? LH_PJOIN_ANTI : LH_PJOIN_SEMI, *plan, s, nc + extra,
                        k.l, k.r, k.ns, NULL);
        return LH_OK;
    }
    case V_EXISTS: {
        lh_plan_t *m = flagged(b, s, sw, nc);
        joinkeys k = dom_keys(b, p, m, 0, 0);
        *plan = bd_join(b, LH_PJOIN_LEFT, *plan, m, nc, k.l, k.r, k.ns, NULL);
        st->slot_pos[p->slot] = ow + nc;
        return LH_OK;
    }
    case V_IN:
        return apply_in(b, st, p, s, plan);
    case V_NOTIN_ROW:
        return apply_not_in_row(b, st, p, s, plan);
    case V_IN_ROW: { /* distinct (the columns, D, TRUE), joined on D and x = the columns */
        int xn = p->xn;
        lh_expr_t **keys = dcols(b, s, sw, nc, xn);
        memmove(keys + xn, keys, (size_t)nc * sizeof *keys);
        for (int i = 0; i < xn; i++) {
            keys[i] = bd_col(b, s, i);
            LH_TRY(bx_coerce(b, &keys[i], p->x[i]->type));
        }
        lh_plan_t *g = bd_aggregate(b, s, xn + nc, keys, 0, NULL);
        lh_expr_t **e = dcols(b, g, 0, xn + nc, 1);
        e[xn + nc] = bool_const(b, 1);
        lh_plan_t *m = bd_project(b, g, xn + nc + 1, e, NULL);
        joinkeys k = dom_keys(b, p, m, xn, xn);
        for (int i = 0; i < xn; i++) {
            k.l[nc + i] = p->x[i];
            k.r[nc + i] = bd_col(b, m, i);
            k.ns[nc + i] = false;
        }
        *plan = bd_join(b, LH_PJOIN_LEFT, *plan, m, nc + xn, k.l, k.r, k.ns, NULL);
        st->slot_pos[p->slot] = ow + xn + nc;
        return LH_OK;
    }
    case V_SCALAR:
        return apply_scalar(b, st, p, s, plan);
    }
    return LH_OK;
}

lh_err bsq_apply(binder *b, sub_stage *st, lh_plan_t **plan)
{
    for (int i = 0; i < st->count; i++)
        LH_TRY(apply_one(b, st, &st->items[i], plan));
    st->count = 0;
    return LH_OK;
}

void bsq_patch(const sub_stage *st, lh_expr_t *e)
{
    if (e == NULL)
        return;
    if (e->kind == LH_EXPR_COLUMN && e->column <= LH_SUBRES_MARKER &&
        e->column > LH_SUBRES_MARKER - LH_MARKER_SPAN) {
        int i = LH_SUBRES_MARKER - e->column;
        LH_ASSERT(i < st->slot_count);
        e->column = st->slot_pos[i];
    }
    for (int i = 0; i < e->arg_count; i++)
        bsq_patch(st, e->args[i]);
}
