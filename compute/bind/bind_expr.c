/*
 * bind_expr.c - AST expressions to bound expressions (compute/expr/expr.h).
 *
 * Operators and functions resolve through the function registry (compute/func/func.h):
 * each AST operator maps to a row of candidate registry names (tables below, data not
 * code). Logic that decides which rows are evaluated (AND, OR, CASE, COALESCE, IN) binds
 * to the evaluator's own node kinds. Aggregate calls are collected into the level's
 * agg_ctx and referenced by position (see bind_internal.h for PRE and POST modes).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/bind/bind_internal.h"
#include "compute/bind/bind_nested.h"
#include "common/limits.h"
#include "common/nested.h"
#include "compute/exec/exec.h"
#include "compute/func/format.h"
#include "compute/func/coerce.h"
#include "compute/func/literal.h"

/* ---- operator and function names ------------------------------------------------------ */

typedef struct op_row {
    lh_ast_op_t op;
    const char *names[3]; /* candidates in the registry, first found wins */
} op_row;

static const op_row binary_ops[] = {
    {LH_OP_ADD, {"+", "add", NULL}},
    {LH_OP_SUB, {"-", "subtract", NULL}},
    {LH_OP_MUL, {"*", "multiply", NULL}},
    {LH_OP_DIV, {"/", "divide", NULL}},
    {LH_OP_MOD, {"%", "mod", NULL}},
    {LH_OP_IDIV, {"div", NULL, NULL}},
    {LH_OP_CONCAT, {"concat", "||", NULL}},
    {LH_OP_BITAND, {"&", "bitand", NULL}},
    {LH_OP_BITOR, {"|", "bitor", NULL}},
    {LH_OP_BITXOR, {"^", "bitxor", NULL}},
    {LH_OP_SHL, {"shiftleft", "<<", NULL}},
    {LH_OP_SHR, {"shiftright", ">>", NULL}},
    {LH_OP_USHR, {"shiftrightunsigned", ">>>", NULL}},
    {LH_OP_EQ, {"=", "equal", "eq"}},
    {LH_OP_EQ2, {"=", "equal", "eq"}},
    {LH_OP_NE, {"<>", "!=", "not_equal"}},
    {LH_OP_NE2, {"<>", "!=", "not_equal"}},
    {LH_OP_LT, {"<", "less", "lt"}},
    {LH_OP_LE, {"<=", "less_equal", "le"}},
    {LH_OP_GT, {">", "greater", "gt"}},
    {LH_OP_GE, {">=", "greater_equal", "ge"}},
    {LH_OP_NSEQ, {"<=>", "equal_null", NULL}},
    {LH_OP_NOT_DISTINCT, {"<=>", "equal_null", NULL}},
};

const lh_func_t *bx_func(const char *const *names)
{
    for (int i = 0; i < 3 && names[i] != NULL; i++) {
        const lh_func_t *f = lh_func_find(names[i]);
        if (f != NULL)
            return f;
    }
    return NULL;
}

static const lh_func_t *op_func(lh_ast_op_t op)
{
    for (size_t i = 0; i < sizeof binary_ops / sizeof binary_ops[0]; i++)
        if (binary_ops[i].op == op)
            return bx_func(binary_ops[i].names);
    return NULL;
}

/* ---- names ------------------------------------------------------------------------------- */

static const char *span_text(binder *b, lh_ast_span_t s)
{
    if (b->sql == NULL || s.stop <= s.start)
        return "?";
    return lh_arena_strndup(b->a, b->sql + s.start, s.stop - s.start);
}

lh_err bx_orderable(binder *b, const lh_sort_key_t *k, const char *fname)
{
    if (lh_type_orderable(k->expr->type))
        return LH_OK;
    char tb[256];
    return lh_sqlerr(
        b->eb, "DATATYPE_MISMATCH.INVALID_ORDERING_TYPE", "sqlExpr",
        lh_arena_sprintf(b->a, "\"%s %s NULLS %s\"", k->expr->name ? k->expr->name : "?",
                         k->descending ? "DESC" : "ASC", k->nulls_first ? "FIRST" : "LAST"),
        "functionName", lh_arena_sprintf(b->a, "`%s`", fname), "dataType",
        lh_arena_sprintf(b->a, "\"%s\"", lh_format_type_sql(k->expr->type, tb, sizeof tb)), NULL);
}

/* The column header Spark prints for an unaliased expression (bind_name.c). */
const char *bx_name(binder *b, const lh_ast_expr_t *e)
{
    return bn_name(b, e);
}

bool bx_has_agg(const lh_ast_expr_t *e)
{
    if (e == NULL)
        return false;
    if (e->kind == LH_EX_FUNC && e->u.func.over == NULL && e->u.func.over_name == NULL &&
        e->name.count == 1 && lh_agg_find(e->name.parts[0].text) != NULL)
        return true;
    if (e->kind == LH_EX_SUBQUERY || e->kind == LH_EX_EXISTS || e->kind == LH_EX_IN_QUERY)
        return false;
    for (int i = 0; i < e->args.count; i++)
        if (bx_has_agg(e->args.items[i]))
            return true;
    if (e->kind == LH_EX_CASE) {
        if (bx_has_agg(e->u.case_.operand) || bx_has_agg(e->u.case_.else_))
            return true;
        for (int i = 0; i < e->u.case_.whens.count; i++)
            if (bx_has_agg(e->u.case_.whens.items[i]) || bx_has_agg(e->u.case_.thens.items[i]))
                return true;
    }
    return false;
}

/* A call in e that is a window function (what 0) or not deterministic (what 1), or NULL. */
static const lh_ast_expr_t *find_call(const lh_ast_expr_t *e, int what)
{
    static const char *const nondet[] = {"rand", "randn", "random", "uuid", "shuffle", NULL};
    if (e == NULL || e->kind == LH_EX_SUBQUERY || e->kind == LH_EX_EXISTS ||
        e->kind == LH_EX_IN_QUERY)
        return NULL;
    if (e->kind == LH_EX_FUNC && what == 0 && (e->u.func.over || e->u.func.over_name))
        return e;
    if (e->kind == LH_EX_FUNC && what == 1 && e->name.count == 1)
        for (int i = 0; nondet[i]; i++)
            if (strcasecmp(e->name.parts[0].text, nondet[i]) == 0)
                return e;
    for (int i = 0; i < e->args.count; i++) {
        const lh_ast_expr_t *f = find_call(e->args.items[i], what);
        if (f != NULL)
            return f;
    }
    if (e->kind == LH_EX_CASE) {
        const lh_ast_expr_t *f = find_call(e->u.case_.operand, what);
        if (f == NULL)
            f = find_call(e->u.case_.else_, what);
        for (int i = 0; f == NULL && i < e->u.case_.whens.count; i++) {
            f = find_call(e->u.case_.whens.items[i], what);
            if (f == NULL)
                f = find_call(e->u.case_.thens.items[i], what);
        }
        return f;
    }
    return NULL;
}

/* agg(..) FILTER (WHERE f): Spark's INVALID_AGGREGATE_FILTER checks, then f as a BOOLEAN. */
static lh_err agg_filter(binder *b, const ectx *x, const lh_ast_expr_t *f, lh_expr_t **out)
{
    const char *ft = lh_arena_sprintf(b->a, "\"%s\"", span_text(b, f->span));
    const lh_ast_expr_t *w = find_call(f, 0);
    if (bx_has_agg(f))
        return lh_sqlerr(b->eb, "INVALID_AGGREGATE_FILTER.CONTAINS_AGGREGATE", "filterExpr", ft,
                         "aggExpr", ft, NULL);
    if (w != NULL)
        return lh_sqlerr(b->eb, "INVALID_AGGREGATE_FILTER.CONTAINS_WINDOW_FUNCTION", "filterExpr",
                         ft, "windowExpr", lh_arena_sprintf(b->a, "\"%s\"", span_text(b, w->span)),
                         NULL);
    if (find_call(f, 1) != NULL)
        return lh_sqlerr(b->eb, "INVALID_AGGREGATE_FILTER.NON_DETERMINISTIC", "filterExpr", ft,
                         NULL);
    LH_TRY(bx_expr(b, x, f, out));
    if ((*out)->type.id != LH_TYPE_BOOLEAN)
        return lh_sqlerr(b->eb, "INVALID_AGGREGATE_FILTER.NOT_BOOLEAN", "filterExpr", ft, NULL);
    return LH_OK;
}

/* ---- types ------------------------------------------------------------------------------- */

/* Spark's widening for two types meeting in IN, CASE, COALESCE, set operations: the rules
 * live in compute/func/coerce.c; the binder only raises the error. */
lh_err bx_common_type(binder *b, lh_type_t x, lh_type_t y, lh_type_t *out)
{
    if (lh_type_common(x, y, out))
        return LH_OK;
    char a[48], c[48];
    return lh_sqlerr(b->eb, "DATATYPE_MISMATCH.DATA_DIFF_TYPES", "functionName", "", "dataType",
                     lh_arena_sprintf(b->a, "[\"%s\", \"%s\"]", lh_type_name(x, a, sizeof a),
                                      lh_type_name(y, c, sizeof c)),
                     "sqlExpr", "", NULL);
}

lh_err bx_coerce(binder *b, lh_expr_t **e, lh_type_t t)
{
    if (lh_type_equal((*e)->type, t))
        return LH_OK;
    if ((*e)->kind == LH_EXPR_CONST && (*e)->value.is_null) {
        lh_expr_t *c = lh_arena_alloc(b->a, sizeof *c);
        *c = **e;
        c->type = t;
        c->value.type = t;
        *e = c;
        return LH_OK;
    }
    return lh_expr_cast(b->a, *e, t, false, lh_session_conf(b->env->session), e, b->eb);
}

bool bx_equal(const lh_expr_t *x, const lh_expr_t *y)
{
    if (x->kind != y->kind || !lh_type_equal(x->type, y->type) || x->arg_count != y->arg_count)
        return false;
    if (x->kind == LH_EXPR_COLUMN && x->column != y->column)
        return false;
    if (x->kind == LH_EXPR_CONST &&
        (x->value.is_null != y->value.is_null ||
         (!x->value.is_null && lh_value_compare(&x->value, &y->value) != 0)))
        return false;
    if (x->kind == LH_EXPR_CALL && x->func != y->func)
        return false;
    if (x->kind == LH_EXPR_CALL && x->name && y->name && strcmp(x->name, y->name) != 0 &&
        strncmp(x->name, "CAST", 4) == 0)
        return false; /* casts to different targets share a func row */
    bool same = true;
    for (int i = 0; same && i < x->arg_count; i++)
        same = bx_equal(x->args[i], y->args[i]);
    if (same || x->arg_count != 2)
        return same;
    /* a + b is b + a (Spark's semantic equality: commutative operators) */
    static const char *const commutative[] = {"+", "*", "=", "<=>", "&", "|", "^", NULL};
    bool comm = x->kind == LH_EXPR_AND || x->kind == LH_EXPR_OR;
    for (int i = 0; !comm && x->kind == LH_EXPR_CALL && commutative[i]; i++)
        comm = strcmp(x->func->name, commutative[i]) == 0;
    return comm && bx_equal(x->args[0], y->args[1]) && bx_equal(x->args[1], y->args[0]);
}

/* ---- literals ---------------------------------------------------------------------------- */

static lh_err bind_number(binder *b, const lh_ast_expr_t *e, lh_expr_t **out)
{
    lh_value_t v;
    LH_TRY(lh_literal_number(e->u.lit.text, &v, b->eb));
    *out = lh_expr_const(b->a, &v, e->u.lit.text);
    return LH_OK;
}

/* The text after INTERVAL with its strings decoded ('1\t' DAY has a tab, as Spark reads it),
 * or NULL when a part is not a plain literal (or a string holds a quote). */
static const char *interval_text(binder *b, const lh_ast_expr_t *e)
{
    const char *t = "";
    for (int i = 0; i < e->u.interval.count; i++) {
        const lh_ast_expr_t *v = e->u.interval.values[i];
        const char *sign = "";
        if (v->kind == LH_EX_UNARY && (v->op == LH_OP_NEG || v->op == LH_OP_PLUS)) {
            sign = v->op == LH_OP_NEG ? "-" : "+";
            v = v->args.items[0];
        }
        if (v->kind != LH_EX_LITERAL)
            return NULL;
        const char *val;
        if (v->u.lit.kind == LH_LIT_STRING) {
            if (v->u.lit.str == NULL || memchr(v->u.lit.str, '\'', v->u.lit.str_len) ||
                memchr(v->u.lit.str, '\0', v->u.lit.str_len))
                return NULL;
            val = lh_arena_sprintf(b->a, "'%.*s'", (int)v->u.lit.str_len, v->u.lit.str);
        } else if (v->u.lit.kind == LH_LIT_NUMBER) {
            val = v->u.lit.text;
        } else {
            return NULL;
        }
        const char *unit = e->u.interval.units[i];
        t = lh_arena_sprintf(b->a, "%s%s%s%s%s%s", t, i ? " " : "", sign, val, unit ? " " : "",
                             unit ? unit : "");
    }
    if (e->u.interval.to_unit)
        t = lh_arena_sprintf(b->a, "%s TO %s", t, e->u.interval.to_unit);
    return t;
}

/* INTERVAL ...: the text after the keyword. */
static lh_err bind_interval(binder *b, const lh_ast_expr_t *e, lh_expr_t **out)
{
    const char *text = interval_text(b, e);
    if (text == NULL) { /* as written */
        text = span_text(b, e->span);
        while (*text && *text != ' ' && *text != '\t' && *text != '\n')
            text++;
        while (*text == ' ' || *text == '\t' || *text == '\n')
            text++;
    }
    lh_value_t v;
    LH_TRY(lh_literal_interval(text, &v, b->eb));
    *out = lh_expr_const(b->a, &v, span_text(b, e->span));
    return LH_OK;
}

static lh_err bind_literal(binder *b, const lh_ast_expr_t *e, lh_expr_t **out)
{
    lh_value_t v = {0};
    switch (e->u.lit.kind) {
    case LH_LIT_NULL:
        v.type.id = LH_TYPE_NULL;
        v.is_null = true;
        break;
    case LH_LIT_BOOL:
        v.type.id = LH_TYPE_BOOLEAN;
        v.v.i64 = strcasecmp(e->u.lit.text, "true") == 0;
        break;
    case LH_LIT_NUMBER:
        return bind_number(b, e, out);
    case LH_LIT_STRING:
        v.type.id = LH_TYPE_STRING;
        v.v.str = (lh_sv_t){(const uint8_t *)e->u.lit.str, e->u.lit.str_len};
        break;
    case LH_LIT_BINARY: /* X'0102': the bytes of its hex digits */
        LH_TRY(
            lh_literal_typed("X", e->u.lit.str, lh_session_conf(b->env->session), b->a, &v, b->eb));
        break;
    case LH_LIT_TYPED: {
        LH_TRY(lh_literal_typed(e->u.lit.type_name, e->u.lit.str, lh_session_conf(b->env->session),
                                b->a, &v, b->eb));
        *out = lh_expr_const(b->a, &v, span_text(b, e->span));
        return LH_OK;
    }
    }
    *out = lh_expr_const(b->a, &v, bx_name(b, e));
    return LH_OK;
}

/* ---- columns ----------------------------------------------------------------------------- */

static bool name_eq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

/* Does column c match the qualifier parts q[0..n) (innermost first: table, schema, ...)? */
static bool qual_match(const bcol *c, const lh_ast_ident_t *parts, int n)
{
    for (int i = 0; i < n; i++)
        if (!name_eq(c->qual[i], parts[n - 1 - i].text))
            return false;
    return true;
}

static int edit_distance(const char *x, const char *y)
{
    size_t n = strlen(x), m = strlen(y);
    if (n > 64 || m > 64)
        return 99;
    int d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int c = d[i - 1][j - 1] +
                    (tolower((unsigned char)x[i - 1]) != tolower((unsigned char)y[j - 1]));
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = c < del ? (c < ins ? c : ins) : (del < ins ? del : ins);
        }
    return d[n][m];
}

static lh_err unresolved(binder *b, const scope *sc, const lh_ast_expr_t *e)
{
    char obj[512] = "", prop[1024] = "";
    for (int i = 0; i < e->name.count; i++) {
        size_t n = strlen(obj);
        snprintf(obj + n, sizeof obj - n, "%s`%s`", i ? "." : "", e->name.parts[i].text);
    }
    const char *want = e->name.parts[e->name.count - 1].text;
    int shown = 0;
    for (int pass = 0; pass < 2 && shown < 5; pass++) {
        for (int i = 0; i < sc->count && shown < 5; i++) {
            const bcol *c = &sc->cols[i];
            if (c->hidden)
                continue;
            int d = edit_distance(want, c->name);
            if ((pass == 0) != (d <= 2))
                continue;
            size_t n = strlen(prop);
            snprintf(prop + n, sizeof prop - n, "%s%s%s%s`%s`", shown ? ", " : "",
                     c->qual[0] ? "`" : "", c->qual[0] ? c->qual[0] : "", c->qual[0] ? "`." : "",
                     c->name);
            shown++;
        }
    }
    if (shown == 0)
        return lh_sqlerr(b->eb, "UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", "objectName", obj, NULL);
    return lh_sqlerr(b->eb, "UNRESOLVED_COLUMN.WITH_SUGGESTION", "objectName", obj, "proposal",
                     prop, NULL);
}

/* Find the column a dotted name refers to: the last part is the column, the others its
 * qualifiers. Returns its scope position or -1; AMBIGUOUS_REFERENCE when several match. */
static lh_err find_column(binder *b, const scope *sc, const lh_ast_expr_t *e, int *pos)
{
    const lh_ast_name_t *nm = &e->name;
    const char *col = nm->parts[nm->count - 1].text;
    int found = -1, hits = 0;
    for (int i = 0; i < sc->count; i++) {
        const bcol *c = &sc->cols[i];
        if (!name_eq(c->name, col) || !qual_match(c, nm->parts, nm->count - 1))
            continue;
        bool unnamed = nm->count == 1 && c->hidden && !c->meta;
        if (unnamed && found >= 0)
            continue;
        if (found >= 0 && sc->cols[found].index == c->index)
            continue;
        if (unnamed)
            continue;
        found = i;
        hits++;
    }
    if (hits > 1) {
        char refs[512] = "";
        for (int i = 0, k = 0; i < sc->count; i++) {
            const bcol *c = &sc->cols[i];
            if (!name_eq(c->name, col) || c->hidden)
                continue;
            size_t n = strlen(refs);
            snprintf(refs + n, sizeof refs - n, "%s`%s`.`%s`", k++ ? ", " : "",
                     c->qual[0] ? c->qual[0] : "", c->name);
        }
        return lh_sqlerr(b->eb, "AMBIGUOUS_REFERENCE", "name", lh_arena_sprintf(b->a, "`%s`", col),
                         "referenceNames", lh_arena_sprintf(b->a, "[%s]", refs), NULL);
    }
    *pos = found;
    return LH_OK;
}

static lh_err bind_column(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out)
{
    if (b->lambdas != NULL && (*out = bh_lambda_ref(b, &e->name)) != NULL)
        return LH_OK; /* a lambda's parameter shadows columns */
    int pos = -1;
    LH_TRY(find_column(b, x->sc, e, &pos));
    if (pos < 0) {
        bool done; /* s.f, t.s.f.g: a struct column's fields (local names first) */
        LH_TRY(bn_column_path(b, x, e, &done, out));
        if (done)
            return LH_OK;
        bool outer;
        LH_TRY(bsq_outer_column(b, e, out, &outer)); /* a correlated subquery's reference */
        if (!outer) /* no column: a session variable (bind_var.c) */
            LH_TRY(bv_reference(b, &e->name, out, &outer));
        return outer ? LH_OK : unresolved(b, x->sc, e);
    }
    const bcol *c = &x->sc->cols[pos];
    *out = lh_expr_column(b->a, c->index, c->type, c->nullable, c->name);
    return LH_OK;
}

/* ---- calls ------------------------------------------------------------------------------- */

static lh_err bind_args(binder *b, const ectx *x, const lh_ast_exprs_t *args, lh_expr_t ***out)
{
    *out = lh_arena_calloc(b->a, (size_t)args->count + 1, sizeof **out);
    for (int i = 0; i < args->count; i++)
        LH_TRY(bx_expr(b, x, args->items[i], &(*out)[i]));
    return LH_OK;
}

static lh_err call(binder *b, const lh_func_t *f, int argc, lh_expr_t **args, const char *name,
                   lh_expr_t **out)
{
    return lh_expr_call(b->a, f, argc, args, lh_session_conf(b->env->session), name, out, b->eb);
}

static lh_err unresolved_routine(binder *b, const char *name)
{
    const char *sugg[3];
    int n = lh_func_suggest(name, sugg, 3);
    (void)n;
    return lh_sqlerr(b->eb, "UNRESOLVED_ROUTINE", "routineName",
                     lh_arena_sprintf(b->a, "`%s`", name), "searchPath",
                     "[`system`.`builtin`, `system`.`session`, `main`.`default`]", NULL);
}

static bool is_listagg(const char *fn)
{
    return strcasecmp(fn, "listagg") == 0 || strcasecmp(fn, "string_agg") == 0;
}

/* The aggregate reference for call e (POST mode, or collecting in PRE). */
static lh_err bind_agg(binder *b, const ectx *x, const lh_ast_expr_t *e, const lh_agg_func_t *af,
                       lh_expr_t **out)
{
    agg_ctx *g = x->agg;
    if (g == NULL)
        return lh_sqlerr(b->eb, "INVALID_WHERE_CONDITION", "condition",
                         lh_arena_sprintf(b->a, "\"%s\"", span_text(b, e->span)), "expressionList",
                         span_text(b, e->span), NULL);
    for (int i = 0; i < g->agg_count; i++) { /* the same call written twice: one aggregate */
        const lh_ast_expr_t *o = g->agg_asts[i];
        /* (a PIVOT's calls share their text but not their FILTER: compare it by identity) */
        if (o->u.func.filter == e->u.func.filter &&
            o->span.stop - o->span.start == e->span.stop - e->span.start &&
            memcmp(b->sql + o->span.start, b->sql + e->span.start, e->span.stop - e->span.start) ==
                0) {
            lh_agg_call_t *c = &g->aggs[i];
            *out = lh_expr_column(b->a, g->key_count + i, c->type, true, c->name);
            return LH_OK;
        }
    }
    if (g->agg_count == g->agg_cap) {
        int cap = g->agg_cap ? g->agg_cap * 2 : 8;
        lh_agg_call_t *na = lh_arena_calloc(b->a, (size_t)cap, sizeof *na);
        const lh_ast_expr_t **nasts = lh_arena_calloc(b->a, (size_t)cap, sizeof *nasts);
        if (g->agg_count) {
            memcpy(na, g->aggs, (size_t)g->agg_count * sizeof *na);
            memcpy(nasts, g->agg_asts, (size_t)g->agg_count * sizeof *nasts);
        }
        g->aggs = na;
        g->agg_asts = nasts;
        g->agg_cap = cap;
    }
    /* percentile_cont(p) WITHIN GROUP (ORDER BY x [DESC]) is percentile(x, p), or at 1 - p
     * for DESC (the hidden "percentile_cont desc" row): the ordering comes first */
    const lh_ast_sort_t *wg = &e->u.func.within_group;
    bool disc = strcmp(af->name, "percentile_disc") == 0;
    bool cont = disc || strcmp(af->name, "percentile_cont") == 0;
    /* listagg(x[, d]) WITHIN GROUP (ORDER BY k..) is "listagg ordered"(x, d, spec, k..) */
    bool la = wg->count > 0 && is_listagg(af->name) && !e->u.func.star &&
              (e->args.count == 1 || e->args.count == 2);
    if (la)
        af = lh_agg_find("listagg ordered");
    if (wg->count > 0 && !la && (!cont || wg->count != 1 || e->u.func.distinct))
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         lh_arena_sprintf(b->a, "WITHIN GROUP on %s", span_text(b, e->span)), NULL);
    if (cont && wg->count == 0)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         lh_arena_sprintf(b->a, "%s without WITHIN GROUP (ORDER BY ..)", af->name),
                         NULL);
    if (cont && wg->items[0].desc)
        af = lh_agg_find(disc ? "percentile_disc desc" : "percentile_cont desc");
    int shift = wg->count > 0 && !la ? 1 : 0;
    /* arguments bind in PRE mode over the aggregate's input */
    ectx inner = {x->sc, MODE_PRE, NULL, "aggregate", NULL, g->args_sub};
    lh_agg_call_t c = {.func = af, .distinct = e->u.func.distinct};
    int argc = e->u.func.star ? 0 : la ? 3 + wg->count : e->args.count + shift;
    c.args = lh_arena_calloc(b->a, (size_t)argc + 1, sizeof *c.args);
    lh_type_t *types = lh_arena_calloc(b->a, (size_t)argc + 1, sizeof *types);
    for (int i = 0; i < argc; i++) {
        const lh_ast_expr_t *ae = i < shift ? wg->items[0].expr : e->args.items[i - shift];
        if (la && i > 0) {
            ae = i == 1   ? (e->args.count > 1 ? e->args.items[1] : NULL)
                 : i == 2 ? NULL
                          : wg->items[i - 3].expr;
            if (ae == NULL) { /* the default delimiter (NULL), the ordering spec */
                char *spec = lh_arena_calloc(b->a, 2 * (size_t)wg->count + 1, 1);
                for (int k = 0; k < wg->count; k++) {
                    const lh_ast_sort_item_t *it = &wg->items[k];
                    bool nf = it->nulls == 1 ? true : it->nulls == 2 ? false : !it->desc;
                    spec[2 * k] = it->desc ? 'D' : 'A';
                    spec[2 * k + 1] = nf ? 'F' : 'L';
                }
                lh_value_t v = {.type = {i == 1 ? LH_TYPE_NULL : LH_TYPE_STRING},
                                .is_null = i == 1};
                if (i == 2)
                    v.v.str = (lh_sv_t){(const uint8_t *)spec, (uint32_t)strlen(spec)};
                c.args[i] = lh_expr_const(b->a, &v, i == 1 ? "NULL" : spec);
                types[i] = v.type;
                continue;
            }
        }
        if (bx_has_agg(ae))
            return lh_sqlerr(b->eb, "NESTED_AGGREGATE_FUNCTION", NULL);
        LH_TRY(bx_expr(b, &inner, ae, &c.args[i]));
        types[i] = c.args[i]->type;
    }
    c.arg_count = argc;
    if (la && e->u.func.distinct && (wg->count != 1 || !bx_equal(c.args[0], c.args[3])))
        return lh_sqlerr(b->eb, "INVALID_WITHIN_GROUP_EXPRESSION.MISMATCH_WITH_DISTINCT_INPUT",
                         "funcName",
                         lh_arena_sprintf(b->a, "`%s`", bf_lower(b, e->name.parts[0].text)),
                         "funcArg", lh_arena_sprintf(b->a, "\"%s\"", c.args[0]->name),
                         "orderingExpr", lh_arena_sprintf(b->a, "\"%s\"", c.args[3]->name), NULL);
    if (e->u.func.filter != NULL)
        LH_TRY(agg_filter(b, &inner, e->u.func.filter, &c.filter));
    lh_func_bind_t fb = {.arg_count = argc,
                         .arg_types = types,
                         .conf = lh_session_conf(b->env->session),
                         .arena = b->a};
    fb.cast_to = lh_arena_calloc(b->a, (size_t)argc + 1, sizeof *fb.cast_to);
    const lh_value_t **consts = lh_arena_calloc(b->a, (size_t)argc + 1, sizeof *consts);
    memcpy(fb.cast_to, types, (size_t)argc * sizeof *types);
    for (int i = 0; i < argc; i++) {
        if (i > 0 && c.args[i]->kind != LH_EXPR_CONST && lh_expr_is_foldable(c.args[i])) {
            lh_value_t v; /* a constant argument built by a call: percentile(x, array(..)) */
            LH_TRY(lh_expr_fold(b->a, c.args[i], fb.conf, &v, b->eb));
            c.args[i] = lh_expr_const(b->a, &v, c.args[i]->name);
        }
        if (c.args[i]->kind == LH_EXPR_CONST)
            consts[i] = &c.args[i]->value;
    }
    fb.const_args = consts;
    if (argc < af->min_args || (af->max_args >= 0 && argc > af->max_args))
        return lh_sqlerr(b->eb, "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "functionName",
                         lh_arena_sprintf(b->a, "`%s`", af->name), "expectedNum",
                         lh_arena_sprintf(b->a, "%d", af->min_args), "actualNum",
                         lh_arena_sprintf(b->a, "%d", argc), "docroot",
                         "https://spark.apache.org/docs/latest", NULL);
    LH_TRY(af->bind(&fb, b->eb));
    for (int i = 0; i < argc; i++)
        LH_TRY(bx_coerce(b, &c.args[i], fb.cast_to[i]));
    c.bind_data = fb.bind_data;
    c.type = fb.ret_type;
    c.name = bx_name(b, e);
    g->agg_asts[g->agg_count] = e;
    g->aggs[g->agg_count++] = c;
    *out = lh_expr_column(b->a, g->key_count + g->agg_count - 1, c.type, true, c.name);
    return LH_OK;
}

/* Functions with evaluator semantics or session values. */
static lh_err bind_special(binder *b, const ectx *x, const lh_ast_expr_t *e, const char *fn,
                           bool *done, lh_expr_t **out)
{
    *done = true;
    const lh_session_t *ss = b->env->session;
    const char *text = NULL;
    if (strcasecmp(fn, "current_user") == 0 || strcasecmp(fn, "user") == 0 ||
        strcasecmp(fn, "session_user") == 0)
        text = b->env->user ? b->env->user : "";
    else if (strcasecmp(fn, "current_catalog") == 0)
        text = lh_session_catalog(ss);
    else if (strcasecmp(fn, "current_schema") == 0 || strcasecmp(fn, "current_database") == 0)
        text = lh_session_schema(ss);
    else if (strcasecmp(fn, "current_path") == 0 && e->args.count == 0) /* Spark's SQL path */
        text = lh_arena_sprintf(b->a, "system.builtin,system.session,%s.%s", lh_session_catalog(ss),
                                lh_session_schema(ss));
    if (text != NULL) {
        lh_value_t v = {.type = {LH_TYPE_STRING},
                        .v.str = {(const uint8_t *)text, (uint32_t)strlen(text)}};
        *out = lh_expr_const(b->a, &v, lh_arena_sprintf(b->a, "%s()", fn));
        return LH_OK;
    }
    lh_expr_t **args = NULL;
    int n = e->args.count;
    if (strcasecmp(fn, "assert_true") == 0 && n == 1) { /* the default message names cond */
        LH_TRY(bind_args(b, x, &e->args, &args));
        const char *cond = bx_name(b, e->args.items[0]);
        const char *msg = lh_arena_sprintf(b->a, "'%s' is not true!", cond);
        lh_value_t v = {.type = {LH_TYPE_STRING},
                        .v.str = {(const uint8_t *)msg, (uint32_t)strlen(msg)}};
        args[1] /* bind_args leaves a spare slot */ = lh_expr_const(b->a, &v, msg);
        return call(b, lh_func_find("assert_true"), 2, args,
                    lh_arena_sprintf(b->a, "assert_true(%s, %s)", cond, msg), out);
    }
    bool zero_fn =
        (strcasecmp(fn, "nullifzero") == 0 || strcasecmp(fn, "zeroifnull") == 0) && n == 1;
    if (zero_fn) { /* nullifzero(x) is nullif(x, 0); zeroifnull(x) is coalesce(x, 0) */
        LH_TRY(bind_args(b, x, &e->args, &args));
        lh_value_t zero = {.type = {LH_TYPE_INT}};
        args[1] /* bind_args leaves a spare slot */ = lh_expr_const(b->a, &zero, "0");
        n = 2;
        fn = strcasecmp(fn, "nullifzero") == 0 ? "nullif" : "coalesce";
    }
    if (strcasecmp(fn, "coalesce") == 0 || strcasecmp(fn, "nvl") == 0 ||
        strcasecmp(fn, "ifnull") == 0) {
        if (!zero_fn)
            LH_TRY(bind_args(b, x, &e->args, &args));
        lh_type_t t = {LH_TYPE_NULL};
        for (int i = 0; i < n; i++)
            LH_TRY(bx_common_type(b, t, args[i]->type, &t));
        bool nullable = true;
        for (int i = 0; i < n; i++) {
            LH_TRY(bx_coerce(b, &args[i], t));
            nullable = nullable && args[i]->nullable;
        }
        *out = lh_expr_node(b->a, LH_EXPR_COALESCE, t, nullable, n, args, bx_name(b, e));
        return LH_OK;
    }
    if (strcasecmp(fn, "if") == 0 || strcasecmp(fn, "iff") == 0 || strcasecmp(fn, "nvl2") == 0 ||
        strcasecmp(fn, "nullif") == 0) {
        if (!zero_fn)
            LH_TRY(bind_args(b, x, &e->args, &args));
        lh_expr_t *c[3];
        if (strcasecmp(fn, "nvl2") == 0 && n == 3) {
            c[0] = lh_expr_node(b->a, LH_EXPR_NOT_NULL, (lh_type_t){LH_TYPE_BOOLEAN}, false, 1,
                                args, NULL);
            c[1] = args[1];
            c[2] = args[2];
        } else if (strcasecmp(fn, "nullif") == 0 && n == 2) {
            lh_expr_t *eq, *pair[2] = {args[0], args[1]};
            LH_TRY(call(b, op_func(LH_OP_EQ), 2, pair, NULL, &eq));
            lh_value_t nv = {.type = args[0]->type, .is_null = true};
            c[0] = eq;
            c[1] = lh_expr_const(b->a, &nv, "NULL");
            c[2] = args[0];
        } else if (n == 3) {
            LH_TRY(bx_coerce(b, &args[0], (lh_type_t){LH_TYPE_BOOLEAN}));
            c[0] = args[0], c[1] = args[1], c[2] = args[2];
        } else {
            return lh_sqlerr(b->eb, "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "functionName",
                             lh_arena_sprintf(b->a, "`%s`", fn), "expectedNum", "3", "actualNum",
                             lh_arena_sprintf(b->a, "%d", n), "docroot",
                             "https://spark.apache.org/docs/latest", NULL);
        }
        lh_type_t t;
        LH_TRY(bx_common_type(b, c[1]->type, c[2]->type, &t));
        LH_TRY(bx_coerce(b, &c[1], t));
        LH_TRY(bx_coerce(b, &c[2], t));
        *out = lh_expr_node(b->a, LH_EXPR_CASE, t, c[1]->nullable || c[2]->nullable, 3, c,
                            bx_name(b, e));
        return LH_OK;
    }
    *done = false;
    return LH_OK;
}

/* grouping(c): 1 when key c is aggregated away in the row's grouping set, else 0 (TINYINT);
 * grouping_id(c1, ..., cn): those bits, c1 the most significant (BIGINT); grouping_id()
 * covers every key. Both read the spark_grouping_id pseudo-aggregate (bit k of which is
 * key k of key_count, most significant first) and exist only with grouping sets. */
static lh_err bind_grouping(binder *b, const ectx *x, const lh_ast_expr_t *e, bool id,
                            lh_expr_t **out)
{
    const char *what = id ? "grouping_id" : "grouping";
    agg_ctx *g = x->agg;
    if (g == NULL || x->mode != MODE_POST || !g->has_sets)
        return lh_sqlerr(b->eb, "UNSUPPORTED_GROUPING_EXPRESSION", NULL);
    if (!id && e->args.count != 1)
        return lh_sqlerr(b->eb, "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "functionName", "`grouping`",
                         "expectedNum", "1", "actualNum",
                         lh_arena_sprintf(b->a, "%d", e->args.count), "docroot",
                         "https://spark.apache.org/docs/latest", NULL);
    /* the pseudo-aggregate, named after this call so repeats share it */
    lh_ast_expr_t *call = lh_arena_calloc(b->a, 1, sizeof *call);
    call->kind = LH_EX_FUNC;
    call->span = e->span;
    call->name.parts = lh_arena_calloc(b->a, 1, sizeof *call->name.parts);
    call->name.parts[0].text = LH_AGG_GROUPING_ID;
    call->name.count = 1;
    lh_expr_t *gid;
    LH_TRY(bind_agg(b, x, call, lh_agg_find(LH_AGG_GROUPING_ID), &gid));
    const lh_sql_conf_t *conf = lh_session_conf(b->env->session);
    lh_type_t along = {LH_TYPE_LONG};
    int n = e->args.count;
    if (id && n == 0) {
        gid->name = bx_name(b, e);
        *out = gid;
        return LH_OK;
    }
    lh_expr_t *acc = NULL;
    for (int i = 0; i < n; i++) {
        ectx pre = {x->sc, MODE_PRE, NULL, x->clause};
        lh_expr_t *arg;
        LH_TRY(bx_expr(b, &pre, e->args.items[i], &arg));
        int k = 0;
        while (k < g->key_count && !bx_equal(arg, g->keys[k]))
            k++;
        if (k == g->key_count)
            return lh_sqlerr(b->eb, "GROUPING_COLUMN_MISMATCH", "grouping",
                             bx_name(b, e->args.items[i]), "groupingColumns",
                             lh_arena_sprintf(b->a, "%d key(s) of the GROUP BY", g->key_count),
                             NULL);
        /* bit = (gid div 2^(key_count-1-k)) % 2 */
        lh_value_t pw = {.type = along, .v.i64 = (int64_t)1 << (g->key_count - 1 - k)};
        lh_value_t two = {.type = along, .v.i64 = 2};
        lh_expr_t *d, *bit, *p1[2] = {gid, lh_expr_const(b->a, &pw, NULL)};
        LH_TRY(lh_expr_call(b->a, lh_func_find("div"), 2, p1, conf, NULL, &d, b->eb));
        lh_expr_t *p2[2] = {d, lh_expr_const(b->a, &two, NULL)};
        LH_TRY(lh_expr_call(b->a, lh_func_find("%"), 2, p2, conf, NULL, &bit, b->eb));
        if (acc == NULL) {
            acc = bit;
        } else { /* acc * 2 + bit */
            lh_expr_t *m, *p3[2] = {acc, lh_expr_const(b->a, &two, NULL)};
            LH_TRY(lh_expr_call(b->a, lh_func_find("*"), 2, p3, conf, NULL, &m, b->eb));
            lh_expr_t *p4[2] = {m, bit};
            LH_TRY(lh_expr_call(b->a, lh_func_find("+"), 2, p4, conf, NULL, &acc, b->eb));
        }
    }
    if (acc == NULL)
        return lh_sqlerr(b->eb, "UNSUPPORTED_GROUPING_EXPRESSION", NULL);
    LH_TRY(
        lh_expr_cast(b->a, acc, id ? along : (lh_type_t){LH_TYPE_BYTE}, false, conf, &acc, b->eb));
    acc->name = bx_name(b, e);
    acc->nullable = false;
    (void)what;
    *out = acc;
    return LH_OK;
}

/* timestampadd(UNIT, n, ts) (also dateadd/date_add with three arguments) and
 * timestampdiff(UNIT, a, b) (also datediff/date_diff/timediff): Spark's grammar takes the
 * unit as a bare keyword and rejects a quoted one (INVALID_PARAMETER_VALUE.DATETIME_UNIT).
 * The unit reaches compute/func/date_unit.c as a constant string. */
static lh_err bind_unit_func(binder *b, const ectx *x, const lh_ast_expr_t *e, const char *fn,
                             bool *done, lh_expr_t **out)
{
    static const char *const adds[] = {"timestampadd", "dateadd", "date_add"};
    static const char *const diffs[] = {"timestampdiff", "datediff", "date_diff", "timediff"};
    int kind = -1; /* 0 add, 1 diff */
    for (int i = 0; i < 4; i++) {
        if (i < 3 && strcasecmp(fn, adds[i]) == 0)
            kind = 0;
        if (strcasecmp(fn, diffs[i]) == 0)
            kind = 1;
    }
    *done = kind >= 0 && e->args.count == 3;
    if (!*done)
        return LH_OK;
    const lh_ast_expr_t *ua = e->args.items[0];
    if (ua->kind == LH_EX_LITERAL && ua->u.lit.kind == LH_LIT_STRING)
        return lh_sqlerr(b->eb, "INVALID_PARAMETER_VALUE.DATETIME_UNIT", "functionName",
                         lh_arena_sprintf(b->a, "`%s`", fn), "parameter", "`unit`", "invalidValue",
                         lh_arena_sprintf(b->a, "'%s'", ua->u.lit.str), NULL);
    if (ua->kind != LH_EX_COLUMN || ua->name.count != 1) {
        *done = false; /* not Spark's unit syntax: bind as an ordinary call */
        return LH_OK;
    }
    const char *unit = ua->name.parts[0].text;
    lh_value_t uv = {.type = {LH_TYPE_STRING},
                     .v.str = {(const uint8_t *)unit, (uint32_t)strlen(unit)}};
    lh_expr_t *args[3] = {lh_expr_const(b->a, &uv, unit), NULL, NULL};
    LH_TRY(bx_expr(b, x, e->args.items[1], &args[1]));
    LH_TRY(bx_expr(b, x, e->args.items[2], &args[2]));
    const char *name =
        lh_arena_sprintf(b->a, "%s(%s, %s, %s)", kind == 0 ? "timestampadd" : "timestampdiff", unit,
                         bx_name(b, e->args.items[1]), bx_name(b, e->args.items[2]));
    return call(b, lh_func_find(kind == 0 ? "timestampadd" : "timestampdiff"), 3, args, name, out);
}

/* Functions whose schema and options Spark takes as literals (a DDL string, map('k', 'v')):
 * their constant arguments are folded first, so bind sees the values. */
static bool literal_args(const char *fn)
{
    static const char *const names[] = {"from_csv",  "from_json", "schema_of_csv", "schema_of_json",
                                        "to_binary", "to_csv",    "to_json",       "try_to_binary"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(fn, names[i]) == 0)
            return true;
    return false;
}

static lh_err fold_args(binder *b, lh_expr_t **args, int n)
{
    for (int i = 1; i < n; i++) {
        if (args[i]->kind == LH_EXPR_CONST || !lh_expr_is_foldable(args[i]))
            continue;
        lh_value_t v;
        LH_TRY(lh_expr_fold(b->a, args[i], lh_session_conf(b->env->session), &v, b->eb));
        args[i] = lh_expr_const(b->a, &v, args[i]->name);
    }
    return LH_OK;
}

/* WITHIN GROUP (ORDER BY ..): only percentile_cont and percentile_disc take it, and they
 * need it, with one ordering, no DISTINCT and one argument (Spark's checks, in its order). */
lh_err bx_within_group(binder *b, const lh_ast_expr_t *e, const char *fn)
{
    const lh_ast_sort_t *wg = &e->u.func.within_group;
    bool cont = strcasecmp(fn, "percentile_cont") == 0 || strcasecmp(fn, "percentile_disc") == 0;
    const char *quoted = lh_arena_sprintf(b->a, "`%s`", bf_lower(b, fn));
    if (is_listagg(fn)) /* ordering optional, DISTINCT allowed (checked at bind_agg) */
        return LH_OK;
    if (!cont)
        return wg->count == 0
                   ? LH_OK
                   : lh_sqlerr(b->eb, "INVALID_SQL_SYNTAX.FUNCTION_WITH_UNSUPPORTED_SYNTAX",
                               "prettyName", quoted, "syntax", "WITHIN GROUP (ORDER BY ...)", NULL);
    if (e->u.func.distinct)
        return lh_sqlerr(b->eb, "INVALID_WITHIN_GROUP_EXPRESSION.DISTINCT_UNSUPPORTED", "funcName",
                         quoted, NULL);
    if (wg->count == 0)
        return lh_sqlerr(b->eb, "INVALID_WITHIN_GROUP_EXPRESSION.WITHIN_GROUP_MISSING", "funcName",
                         quoted, NULL);
    if (wg->count != 1)
        return lh_sqlerr(b->eb, "INVALID_WITHIN_GROUP_EXPRESSION.WRONG_NUM_ORDERINGS", "funcName",
                         quoted, "expectedNum", "1", "actualNum",
                         lh_arena_sprintf(b->a, "%d", wg->count), NULL);
    if (e->u.func.star || e->args.count != 1)
        return lh_sqlerr(b->eb, "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "functionName", quoted,
                         "expectedNum", "1", "actualNum",
                         lh_arena_sprintf(b->a, "%d", e->u.func.star ? 0 : e->args.count),
                         "docroot", "https://spark.apache.org/docs/latest", NULL);
    return LH_OK;
}

#define PARAMLESS_COUNT "spark.sql.legacy.allowParameterlessCount"

/* nanvl(a, b) as CASE WHEN isnan(a) THEN b ELSE a END over its typed arguments: like Spark's
 * NaNvl, b is evaluated only for the rows where a is NaN (1/0 there raises nothing elsewhere),
 * and a NULL a gives NULL whatever b is. */
static lh_err nanvl_case(binder *b, lh_expr_t **call_node)
{
    lh_expr_t *c = *call_node, *nan;
    const lh_func_t *isnan_f = lh_func_find("isnan");
    if (isnan_f == NULL)
        return lh_sqlerr(b->eb, "INTERNAL_ERROR", "message", "isnan is not in the registry", NULL);
    LH_TRY(call(b, isnan_f, 1, &c->args[0], NULL, &nan));
    lh_expr_t *arms[3] = {nan, c->args[1], c->args[0]};
    *call_node = lh_expr_node(b->a, LH_EXPR_CASE, c->type,
                              c->args[0]->nullable || c->args[1]->nullable, 3, arms, c->name);
    return LH_OK;
}

/* to_char/to_varchar(binary, fmt): Spark's ToCharacterBuilder makes it base64(x), hex(x) or
 * decode(x, 'UTF-8') by the foldable fmt (case-insensitive, trimmed), named as that call. */
static lh_err binary_to_char(binder *b, const char *fn, lh_expr_t **args, lh_expr_t **out)
{
    const char *q = lh_arena_sprintf(b->a, "`%s`", fn);
    if (args[1]->kind != LH_EXPR_CONST && !lh_expr_is_foldable(args[1]))
        return lh_sqlerr(b->eb, "NON_FOLDABLE_ARGUMENT", "funcName", q, "paramName", "`format`",
                         "paramType", "\"STRING\"", NULL);
    lh_value_t v = args[1]->value;
    if (args[1]->kind != LH_EXPR_CONST)
        LH_TRY(lh_expr_fold(b->a, args[1], lh_session_conf(b->env->session), &v, b->eb));
    if (v.is_null || v.type.id == LH_TYPE_NULL)
        return lh_sqlerr(b->eb, "DATATYPE_MISMATCH.UNEXPECTED_NULL", "sqlExpr",
                         lh_arena_sprintf(b->a, "\"%s\"", fn), "exprName", "`format`", NULL);
    if (v.type.id != LH_TYPE_STRING)
        return lh_sqlerr(b->eb, "NON_FOLDABLE_ARGUMENT", "funcName", q, "paramName", "`format`",
                         "paramType", "\"STRING\"", NULL);
    size_t s = 0, n = v.v.str.len;
    const char *t = (const char *)v.v.str.ptr;
    while (s < n && (t[s] == ' ' || t[s] == '\t' || t[s] == '\n' || t[s] == '\r'))
        s++;
    while (n > s && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\n' || t[n - 1] == '\r'))
        n--;
    const char *fmt = lh_arena_sprintf(b->a, "%.*s", (int)(n - s), t + s);
    const char *a0 = args[0]->name ? args[0]->name : "";
    if (strcasecmp(fmt, "base64") == 0 || strcasecmp(fmt, "hex") == 0) {
        bool b64 = strcasecmp(fmt, "base64") == 0;
        return call(b, lh_func_find(b64 ? "base64" : "hex"), 1, args,
                    lh_arena_sprintf(b->a, "%s(%s)", b64 ? "base64" : "hex", a0), out);
    }
    if (strcasecmp(fmt, "utf-8") == 0) {
        lh_value_t cs = {.type = {LH_TYPE_STRING, 0, 0}, .v.str = {(const uint8_t *)"UTF-8", 5}};
        lh_expr_t *dargs[2] = {args[0], lh_expr_const(b->a, &cs, "UTF-8")};
        return call(b, lh_func_find("decode"), 2, dargs,
                    lh_arena_sprintf(b->a, "decode(%s, UTF-8)", a0), out);
    }
    return lh_sqlerr(b->eb, "INVALID_PARAMETER_VALUE.BINARY_FORMAT", "parameter", "`format`",
                     "functionName", q, "invalidFormat",
                     lh_arena_sprintf(b->a, "'%s'", bf_lower(b, fmt)), NULL);
}

static lh_err bind_func(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out)
{
    bool udf = false;
    if (e->name.count != 1) {
        LH_TRY(bud_call(b, x, e, &udf, out)); /* cat.sch.f(..): a SQL function */
        return udf ? LH_OK : unresolved_routine(b, span_text(b, e->name.span));
    }
    const char *fn = e->name.parts[0].text;
    if (bh_is_hof(e))
        return bh_call(b, x, e, out);
    if (strcasecmp(fn, "identifier") == 0 && !e->u.func.star) { /* IDENTIFIER('col') */
        lh_ast_expr_t *col = lh_arena_calloc(b->a, 1, sizeof *col);
        col->kind = LH_EX_COLUMN;
        col->span = e->span;
        LH_TRY(bv_identifier(b, x, e, &col->name));
        return bx_expr(b, x, col, out);
    }
    for (int i = 0; i < e->args.count; i++) /* a lambda elsewhere than a HOF's argument */
        if (e->args.items[i]->kind == LH_EX_LAMBDA)
            return lh_sqlerr(b->eb, "INVALID_LAMBDA_FUNCTION_CALL.NON_HIGHER_ORDER_FUNCTION",
                             "class", lh_arena_sprintf(b->a, "`%s`", bf_lower(b, fn)), NULL);
    LH_TRY(bx_within_group(b, e, fn));
    if (e->u.func.over != NULL || e->u.func.over_name != NULL)
        return bw_call(b, x, e, out);
    if (strcasecmp(fn, "grouping") == 0 || strcasecmp(fn, "grouping_id") == 0)
        return bind_grouping(b, x, e, strcasecmp(fn, "grouping_id") == 0, out);
    const lh_agg_func_t *af = lh_agg_find(fn);
    if (af != NULL && strcasecmp(fn, "count") == 0 && !e->u.func.star && e->args.count == 0) {
        const char *legacy = lh_session_get(b->env->session, PARAMLESS_COUNT);
        if (legacy == NULL || strcasecmp(legacy, "true") != 0)
            return lh_sqlerr(b->eb, "WRONG_NUM_ARGS.WITH_SUGGESTION", "functionName", "`count`",
                             "expectedNum", ">= 1", "actualNum", "0", "legacyNum", "0",
                             "legacyConfKey", PARAMLESS_COUNT, "legacyConfValue", "true", NULL);
        /* legacy count(): counts nothing, 0 per group (a count of a NULL constant) */
        lh_ast_expr_t *e2 = lh_arena_calloc(b->a, 1, sizeof *e2);
        *e2 = *e;
        e2->args.items = lh_arena_calloc(b->a, 1, sizeof *e2->args.items);
        e2->args.items[0] = lh_arena_calloc(b->a, 1, sizeof *e2->args.items[0]);
        e2->args.items[0]->kind = LH_EX_LITERAL;
        e2->args.items[0]->u.lit.kind = LH_LIT_NULL;
        e2->args.items[0]->u.lit.text = "NULL";
        e2->args.count = 1;
        e = e2;
    }
    if (af != NULL) {
        bool outer = false;
        if (b->corr != NULL)
            LH_TRY(bsq_outer_agg(b, x, e, out, &outer));
        return outer ? LH_OK : bind_agg(b, x, e, af, out);
    }
    bool done;
    LH_TRY(bind_special(b, x, e, fn, &done, out));
    if (!done)
        LH_TRY(bind_unit_func(b, x, e, fn, &done, out));
    if (!done)
        LH_TRY(bn_expr(b, x, e, &done, out)); /* struct(..) */
    if (done)
        return LH_OK;
    /* TRIM(LEADING|TRAILING [chars] FROM src) is ltrim/rtrim(src[, chars]) */
    if (strcasecmp(fn, "trim") == 0 && e->u.func.trim == LH_TRIM_LEADING)
        fn = "ltrim";
    else if (strcasecmp(fn, "trim") == 0 && e->u.func.trim == LH_TRIM_TRAILING)
        fn = "rtrim";
    const lh_func_t *f = lh_func_find(fn);
    if (f == NULL)
        LH_TRY(bud_call(b, x, e, &udf, out)); /* a temporary or catalog SQL function */
    if (udf)
        return LH_OK;
    if (f == NULL)
        return unresolved_routine(b, fn);
    lh_expr_t **args;
    LH_TRY(bind_args(b, x, &e->args, &args));
    if (literal_args(f->name))
        LH_TRY(fold_args(b, args, e->args.count));
    if ((strcmp(f->name, "to_char") == 0 || strcmp(f->name, "to_varchar") == 0) &&
        e->args.count == 2 && args[0]->type.id == LH_TYPE_BINARY)
        return binary_to_char(b, f->name, args, out);
    if ((strcmp(f->name, "to_char") == 0 || strcmp(f->name, "to_varchar") == 0) &&
        e->args.count == 2 && lh_type_is_numeric(args[0]->type.id)) { /* ToCharacter */
        LH_TRY(fold_args(b, args, 2));
        f = lh_func_find("__to_char_number");
    }
    LH_TRY(call(b, f, e->args.count, args, bx_name(b, e), out));
    if (strcmp(f->name, "nanvl") == 0)
        return nanvl_case(b, out);
    return LH_OK;
}

/* ---- the rest ---------------------------------------------------------------------------- */

static lh_err bind_binary(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out)
{
    lh_expr_t *args[2];
    LH_TRY(bx_expr(b, x, e->args.items[0], &args[0]));
    LH_TRY(bx_expr(b, x, e->args.items[1], &args[1]));
    const lh_type_t boolean = {LH_TYPE_BOOLEAN};
    if (e->op == LH_OP_AND || e->op == LH_OP_OR) {
        LH_TRY(bx_coerce(b, &args[0], boolean));
        LH_TRY(bx_coerce(b, &args[1], boolean));
        *out = lh_expr_node(b->a, e->op == LH_OP_AND ? LH_EXPR_AND : LH_EXPR_OR, boolean,
                            args[0]->nullable || args[1]->nullable, 2, args, bx_name(b, e));
        return LH_OK;
    }
    if (e->op == LH_OP_DISTINCT) {
        lh_expr_t *eq;
        LH_TRY(call(b, op_func(LH_OP_NSEQ), 2, args, NULL, &eq));
        *out = lh_expr_node(b->a, LH_EXPR_NOT, boolean, false, 1, &eq, bx_name(b, e));
        return LH_OK;
    }
    const lh_func_t *f = op_func(e->op);
    if (f == NULL)
        return lh_sqlerr(b->eb, "INTERNAL_ERROR", "message", "operator not in the registry", NULL);
    return call(b, f, 2, args, bx_name(b, e), out);
}

/* Whether e reaches an IN subquery through AND, OR and NOT. */
static bool has_in_query(const lh_ast_expr_t *e)
{
    if (e->kind == LH_EX_IN_QUERY)
        return true;
    if ((e->kind == LH_EX_BINARY && (e->op == LH_OP_AND || e->op == LH_OP_OR)) ||
        (e->kind == LH_EX_UNARY && e->op == LH_OP_NOT))
        for (int i = 0; i < e->args.count; i++)
            if (has_in_query(e->args.items[i]))
                return true;
    return false;
}

/* NOT e with the NOT moved down through AND and OR (De Morgan) and into IN subqueries. */
static const lh_ast_expr_t *push_not(binder *b, const lh_ast_expr_t *e)
{
    if (e->kind == LH_EX_UNARY && e->op == LH_OP_NOT)
        return e->args.items[0];
    lh_ast_expr_t *n = lh_arena_alloc(b->a, sizeof *n);
    *n = *e;
    if (e->kind == LH_EX_IN_QUERY) {
        n->negated = !n->negated;
        return n;
    }
    if (e->kind == LH_EX_BINARY && (e->op == LH_OP_AND || e->op == LH_OP_OR)) {
        n->op = e->op == LH_OP_AND ? LH_OP_OR : LH_OP_AND;
        n->args.items = lh_arena_calloc(b->a, 2, sizeof *n->args.items);
        n->args.items[0] = (lh_ast_expr_t *)push_not(b, e->args.items[0]);
        n->args.items[1] = (lh_ast_expr_t *)push_not(b, e->args.items[1]);
        return n;
    }
    *n = (lh_ast_expr_t){.kind = LH_EX_UNARY, .span = e->span, .op = LH_OP_NOT};
    n->args.items = lh_arena_calloc(b->a, 1, sizeof *n->args.items);
    n->args.items[0] = (lh_ast_expr_t *)e;
    n->args.count = 1;
    return n;
}

static lh_err bind_unary(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out)
{
    lh_expr_t *arg;
    if (e->op == LH_OP_NOT && has_in_query(e->args.items[0])) {
        /* Spark pushes NOT down to an IN subquery (BooleanSimplification), where it becomes
         * the null-aware NOT IN: NOT (a OR x IN (s)) is NOT a AND x NOT IN (s) */
        LH_TRY(bx_expr(b, x, push_not(b, e->args.items[0]), out));
        (*out)->name = bx_name(b, e);
        return LH_OK;
    }
    LH_TRY(bx_expr(b, x, e->args.items[0], &arg));
    if (e->op == LH_OP_NOT) {
        LH_TRY(bx_coerce(b, &arg, (lh_type_t){LH_TYPE_BOOLEAN}));
        *out = lh_expr_node(b->a, LH_EXPR_NOT, arg->type, arg->nullable, 1, &arg, bx_name(b, e));
        return LH_OK;
    }
    lh_type_id at = arg->type.id;
    if (e->op == LH_OP_PLUS && (lh_type_is_numeric(at) || lh_type_is_interval(at) ||
                                at == LH_TYPE_STRING || at == LH_TYPE_NULL)) {
        *out = arg;
        return LH_OK;
    }
    if (e->op == LH_OP_PLUS) /* +date, +array(..): Spark's UNEXPECTED_INPUT_TYPE */
        return call(b, lh_func_find("positive"), 1, &arg, bx_name(b, e), out);
    static const char *const neg[] = {"negative", "-", NULL}, *const bitnot[] = {"~", "bitnot",
                                                                                 NULL};
    const lh_func_t *f = bx_func(e->op == LH_OP_NEG ? neg : bitnot);
    if (f == NULL)
        return unresolved_routine(b, e->op == LH_OP_NEG ? "negative" : "~");
    return call(b, f, 1, &arg, bx_name(b, e), out);
}

static lh_err bind_is(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out)
{
    lh_expr_t *arg;
    LH_TRY(bx_expr(b, x, e->args.items[0], &arg));
    const lh_type_t boolean = {LH_TYPE_BOOLEAN};
    if (e->u.is.what == LH_IS_NULL || e->u.is.what == LH_IS_UNKNOWN) {
        *out = lh_expr_node(b->a, e->negated ? LH_EXPR_NOT_NULL : LH_EXPR_IS_NULL, boolean, false,
                            1, &arg, bx_name(b, e));
        return LH_OK;
    }
    /* x IS [NOT] TRUE/FALSE = [NOT] (x <=> true/false) */
    LH_TRY(bx_coerce(b, &arg, boolean));
    lh_value_t v = {.type = boolean, .v.i64 = e->u.is.what == LH_IS_TRUE};
    lh_expr_t *pair[2] = {arg, lh_expr_const(b->a, &v, NULL)}, *eq;
    LH_TRY(call(b, op_func(LH_OP_NSEQ), 2, pair, NULL, &eq));
    *out = e->negated ? lh_expr_node(b->a, LH_EXPR_NOT, boolean, false, 1, &eq, bx_name(b, e)) : eq;
    return LH_OK;
}

static lh_err bind_in(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out)
{
    lh_expr_t **args;
    LH_TRY(bind_args(b, x, &e->args, &args));
    lh_type_t t = {LH_TYPE_NULL};
    bool nullable = false;
    for (int i = 0; i < e->args.count; i++) {
        LH_TRY(bx_common_type(b, t, args[i]->type, &t));
        nullable = nullable || args[i]->nullable;
    }
    for (int i = 0; i < e->args.count; i++)
        LH_TRY(bx_coerce(b, &args[i], t));
    lh_expr_t *in = lh_expr_node(b->a, LH_EXPR_IN, (lh_type_t){LH_TYPE_BOOLEAN}, nullable,
                                 e->args.count, args, bx_name(b, e));
    *out = e->negated ? lh_expr_node(b->a, LH_EXPR_NOT, in->type, nullable, 1, &in, bx_name(b, e))
                      : in;
    return LH_OK;
}

static lh_err bind_between(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out)
{
    lh_expr_t *v, *lo, *hi, *ge, *le;
    LH_TRY(bx_expr(b, x, e->args.items[0], &v));
    LH_TRY(bx_expr(b, x, e->args.items[1], &lo));
    LH_TRY(bx_expr(b, x, e->args.items[2], &hi));
    lh_expr_t *p1[2] = {v, lo}, *p2[2] = {v, hi};
    LH_TRY(call(b, op_func(LH_OP_GE), 2, p1, NULL, &ge));
    LH_TRY(call(b, op_func(LH_OP_LE), 2, p2, NULL, &le));
    lh_expr_t *both[2] = {ge, le};
    lh_type_t boolean = {LH_TYPE_BOOLEAN};
    lh_expr_t *and = lh_expr_node(b->a, LH_EXPR_AND, boolean, ge->nullable || le->nullable, 2, both,
                                  bx_name(b, e));
    *out = e->negated
               ? lh_expr_node(b->a, LH_EXPR_NOT, boolean, and->nullable, 1, &and, bx_name(b, e))
               : and;
    return LH_OK;
}

static lh_err bind_like(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out)
{
    static const char *const like[] = {"like", NULL}, *const ilike[] = {"ilike", NULL},
                             *const rlike[] = {"rlike", "regexp", "regexp_like"};
    const lh_func_t *f = bx_func(e->op == LH_OP_ILIKE ? ilike : e->op == LH_OP_LIKE ? like : rlike);
    if (f == NULL)
        return unresolved_routine(b, e->op == LH_OP_ILIKE ? "ilike" : "like");
    if (e->u.like.quant != LH_QUANT_NONE) {
        /* x [NOT] LIKE ANY|SOME|ALL (p1, p2, ...): the LIKEs (each negated for NOT) joined
         * by OR for ANY, AND for ALL, with SQL's three-valued logic */
        lh_type_t boolean = {LH_TYPE_BOOLEAN};
        bool all = e->u.like.quant == LH_QUANT_ALL;
        lh_expr_t *v, *acc = NULL;
        LH_TRY(bx_expr(b, x, e->args.items[0], &v));
        for (int i = 1; i < e->args.count; i++) {
            lh_expr_t *pair[2] = {v, NULL}, *r;
            LH_TRY(bx_expr(b, x, e->args.items[i], &pair[1]));
            LH_TRY(call(b, f, 2, pair, NULL, &r));
            if (e->negated)
                r = lh_expr_node(b->a, LH_EXPR_NOT, boolean, r->nullable, 1, &r, NULL);
            if (acc == NULL) {
                acc = r;
                continue;
            }
            lh_expr_t *two[2] = {acc, r};
            acc = lh_expr_node(b->a, all ? LH_EXPR_AND : LH_EXPR_OR, boolean,
                               acc->nullable || r->nullable, 2, two, NULL);
        }
        LH_FAIL_IF(acc == NULL, LH_E_INVALID, b->eb, "LIKE %s needs at least one pattern",
                   all ? "ALL" : "ANY");
        acc->name = bx_name(b, e);
        *out = acc;
        return LH_OK;
    }
    lh_expr_t *args[3];
    int argc = 2;
    LH_TRY(bx_expr(b, x, e->args.items[0], &args[0]));
    LH_TRY(bx_expr(b, x, e->args.items[1], &args[1]));
    if (e->u.like.escape != NULL)
        LH_TRY(bx_expr(b, x, e->u.like.escape, &args[argc++]));
    lh_expr_t *r;
    LH_TRY(call(b, f, argc, args, bx_name(b, e), &r));
    *out = e->negated ? lh_expr_node(b->a, LH_EXPR_NOT, r->type, r->nullable, 1, &r, bx_name(b, e))
                      : r;
    return LH_OK;
}

static lh_err bind_case(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out)
{
    int n = e->u.case_.whens.count, argc = 2 * n + (e->u.case_.else_ != NULL);
    lh_expr_t **args = lh_arena_calloc(b->a, (size_t)argc + 1, sizeof *args), *operand = NULL;
    if (e->u.case_.operand != NULL)
        LH_TRY(bx_expr(b, x, e->u.case_.operand, &operand));
    lh_type_t t = {LH_TYPE_NULL};
    bool nullable = e->u.case_.else_ == NULL;
    for (int i = 0; i < n; i++) {
        lh_expr_t *w;
        LH_TRY(bx_expr(b, x, e->u.case_.whens.items[i], &w));
        if (operand != NULL) {
            lh_expr_t *pair[2] = {operand, w};
            LH_TRY(call(b, op_func(LH_OP_EQ), 2, pair, NULL, &w));
        }
        LH_TRY(bx_coerce(b, &w, (lh_type_t){LH_TYPE_BOOLEAN}));
        args[2 * i] = w;
        LH_TRY(bx_expr(b, x, e->u.case_.thens.items[i], &args[2 * i + 1]));
        LH_TRY(bx_common_type(b, t, args[2 * i + 1]->type, &t));
    }
    if (e->u.case_.else_ != NULL) {
        LH_TRY(bx_expr(b, x, e->u.case_.else_, &args[2 * n]));
        LH_TRY(bx_common_type(b, t, args[2 * n]->type, &t));
    }
    for (int i = 0; i <= n; i++) { /* the THENs at 2i + 1, then the ELSE at 2n */
        int k = i < n ? 2 * i + 1 : 2 * n;
        if (k >= argc)
            break;
        LH_TRY(bx_coerce(b, &args[k], t));
        nullable = nullable || args[k]->nullable;
    }
    *out = lh_expr_node(b->a, LH_EXPR_CASE, t, nullable, argc, args, bx_name(b, e));
    return LH_OK;
}

static lh_err bind_cast(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out)
{
    lh_expr_t *arg;
    lh_type_t t;
    LH_TRY(bx_expr(b, x, e->args.items[0], &arg));
    LH_TRY(lh_bind_type(e->u.cast.type, &t, b->eb));
    LH_TRY(lh_expr_cast(b->a, arg, t, e->u.cast.style == LH_CAST_TRY,
                        lh_session_conf(b->env->session), out, b->eb));
    if (*out != arg)
        (*out)->name = bx_name(b, e);
    return LH_OK;
}

static lh_err bind_param(binder *b, const lh_ast_expr_t *e, lh_expr_t **out)
{
    const lh_bind_env_t *env = b->env;
    if (e->str == NULL && e->u.param.index < env->pos_param_count) { /* ? (EXECUTE IMMEDIATE) */
        *out = lh_expr_const(b->a, &env->pos_param_values[e->u.param.index], "?");
        return LH_OK;
    }
    for (int i = 0; e->str != NULL && i < env->param_count; i++) {
        if (strcmp(env->param_names[i], e->str) == 0) {
            *out = lh_expr_const(b->a, &env->param_values[i], e->str);
            return LH_OK;
        }
    }
    return lh_sqlerr(b->eb, "UNBOUND_SQL_PARAMETER", "name", e->str ? e->str : "?", NULL);
}

/* Whether two expressions are written alike (case and runs of white space aside, outside
 * quotes). */
static bool same_text(binder *b, const lh_ast_expr_t *x, const lh_ast_expr_t *y)
{
    const char *p = bd_span_text(b, x->span), *q = bd_span_text(b, y->span);
    if (p == NULL || q == NULL || *p == 0)
        return false;
    char quote = 0; /* inside '..', ".." or `..`: exact */
    for (;;) {
        bool sp = !quote && isspace((unsigned char)*p), sq = !quote && isspace((unsigned char)*q);
        if (sp || sq) {
            if (!(sp && sq))
                return false;
            while (isspace((unsigned char)*p))
                p++;
            while (isspace((unsigned char)*q))
                q++;
            continue;
        }
        if (quote ? *p != *q : tolower((unsigned char)*p) != tolower((unsigned char)*q))
            return false;
        if (*p == 0)
            return true;
        if (quote && *p == '\\' && p[1] != 0 && p[1] == q[1]) { /* an escaped character */
            p += 2, q += 2;
            continue;
        }
        if (quote ? *p == quote : (*p == '\'' || *p == '"' || *p == '`'))
            quote = quote ? 0 : *p;
        p++, q++;
    }
}

/* POST mode: a sub-expression equal to a grouping key reads that key's output column. */
static bool match_key(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out)
{
    if (x->mode != MODE_POST || bx_has_agg(e) || e->kind == LH_EX_LITERAL)
        return false;
    for (int i = 0; i < x->agg->sub_key_count; i++) { /* a key with a subquery: by its text */
        const lh_ast_expr_t *k = x->agg->sub_key_asts[i];
        if (k == e || same_text(b, k, e)) {
            bsn_copy(b, k, e);
            lh_expr_t *key = x->agg->keys[x->agg->sub_key_index[i]];
            *out = lh_expr_column(b->a, x->agg->sub_key_index[i], key->type, key->nullable,
                                  bx_name(b, e));
            return true;
        }
    }
    ectx pre = {x->sc, MODE_PRE, NULL, x->clause};
    lh_errbuf scratch;
    lh_errbuf *saved = b->eb;
    b->eb = &scratch;
    lh_expr_t *t = NULL;
    lh_err err = bx_expr(b, &pre, e, &t);
    b->eb = saved;
    if (err != LH_OK)
        return false;
    for (int i = 0; i < x->agg->key_count; i++) {
        if (bx_equal(t, x->agg->keys[i])) {
            lh_expr_t *k = x->agg->keys[i];
            *out = lh_expr_column(b->a, i, k->type, k->nullable, bx_name(b, e));
            return true;
        }
    }
    return false;
}

static lh_err bind_expr(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out);

/* Bind e and keep its bound form for the namer (bind_name.c), which reads sub-expressions'
 * types. */
lh_err bx_expr(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out)
{
    LH_TRY(bind_expr(b, x, e, out));
    bn_record(b, e, *out);
    return LH_OK;
}

/* The SELECT item a bare name that names no input column refers to by its alias (QUALIFY), or
 * NULL. */
static const lh_ast_expr_t *alias_target(binder *b, const ectx *x, const lh_ast_expr_t *e)
{
    int pos = 0;
    if (x->aliases == NULL || e->kind != LH_EX_COLUMN || e->name.count != 1 ||
        find_column(b, x->sc, e, &pos) != LH_OK || pos >= 0)
        return NULL;
    for (int i = 0; i < x->aliases->count; i++) {
        const lh_ast_named_expr_t *it = &x->aliases->items[i];
        if (it->alias != NULL && name_eq(it->alias->text, e->name.parts[0].text))
            return it->expr;
    }
    return NULL;
}

static lh_err bind_expr(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out)
{
    if (match_key(b, x, e, out))
        return LH_OK;
    const lh_ast_expr_t *target = alias_target(b, x, e);
    if (target != NULL) { /* bound again in place: no alias may name another */
        ectx inner = *x;
        inner.aliases = NULL;
        return bx_expr(b, &inner, target, out);
    }
    int pos = 0;
    if (x->mode == MODE_POST && e->kind == LH_EX_COLUMN && e->name.count == 1 && x->agg != NULL &&
        x->agg->has_sets && strcasecmp(e->name.parts[0].text, "grouping__id") == 0 &&
        find_column(b, x->sc, e, &pos) == LH_OK && pos < 0)
        return bind_grouping(b, x, e, true, out); /* Hive's grouping__id: grouping_id() */
    if (x->mode == MODE_POST && e->kind == LH_EX_COLUMN && b->corr != NULL &&
        find_column(b, x->sc, e, &pos) == LH_OK && pos < 0)
        return bind_column(b, x, e, out); /* not in this query: an outer reference */
    if (x->mode == MODE_POST && e->kind == LH_EX_COLUMN && x->agg != NULL && x->agg->global) {
        /* HAVING without GROUP BY sees the SELECT list only */
        bool listed = x->aliases == NULL;
        for (int i = 0; !listed && i < x->aliases->count; i++) {
            const lh_ast_named_expr_t *it = &x->aliases->items[i];
            const char *nm = it->alias ? it->alias->text
                             : it->expr->kind == LH_EX_COLUMN
                                 ? it->expr->name.parts[it->expr->name.count - 1].text
                                 : NULL;
            listed = nm != NULL && name_eq(nm, e->name.parts[e->name.count - 1].text);
        }
        if (!listed)
            return lh_sqlerr(b->eb, "UNRESOLVED_COLUMN.WITH_SUGGESTION", "objectName",
                             lh_arena_sprintf(b->a, "`%s`", span_text(b, e->span)), "proposal", "",
                             NULL);
        return lh_sqlerr(b->eb, "MISSING_GROUP_BY", NULL);
    }
    if (x->mode == MODE_POST && e->kind == LH_EX_COLUMN)
        return lh_sqlerr(b->eb, "MISSING_AGGREGATION", "expression",
                         lh_arena_sprintf(b->a, "\"%s\"", span_text(b, e->span)),
                         "expressionAnyValue",
                         lh_arena_sprintf(b->a, "\"any_value(%s)\"", span_text(b, e->span)), NULL);
    switch (e->kind) {
    case LH_EX_LITERAL:
        return bind_literal(b, e, out);
    case LH_EX_INTERVAL:
        return bind_interval(b, e, out);
    case LH_EX_COLUMN: {
        ectx pre = *x;
        return bind_column(b, &pre, e, out);
    }
    case LH_EX_PARAM:
        return bind_param(b, e, out);
    case LH_EX_UNARY:
        return bind_unary(b, x, e, out);
    case LH_EX_BINARY:
        return bind_binary(b, x, e, out);
    case LH_EX_IS:
        return bind_is(b, x, e, out);
    case LH_EX_IN:
        LH_TRY(bst_args(b, x, e, &e)); /* 5 IN (*) */
        return bind_in(b, x, e, out);
    case LH_EX_BETWEEN:
        return bind_between(b, x, e, out);
    case LH_EX_LIKE:
        return bind_like(b, x, e, out);
    case LH_EX_CASE:
        return bind_case(b, x, e, out);
    case LH_EX_CAST:
        return bind_cast(b, x, e, out);
    case LH_EX_JSON_PATH: { /* c:a.b[0]: json_path_extract(c, '$.a.b[0]') on a STRING */
        lh_expr_t *args[2];
        LH_TRY(bx_expr(b, x, e->args.items[0], &args[0]));
        if (args[0]->type.id != LH_TYPE_STRING && args[0]->type.id != LH_TYPE_NULL) {
            char tb[64];
            return lh_sqlerr(
                b->eb, "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", "sqlExpr",
                lh_arena_sprintf(b->a, "\"%s\"", bx_name(b, e)), "paramIndex", "first",
                "requiredType", "\"STRING\"", "inputSql",
                lh_arena_sprintf(b->a, "\"%s\"", bx_name(b, e->args.items[0])), "inputType",
                lh_arena_sprintf(b->a, "\"%s\"", lh_format_type_sql(args[0]->type, tb, sizeof tb)),
                NULL);
        }
        const char *path = lh_arena_sprintf(b->a, "$%s%s", e->str[0] == '[' ? "" : ".", e->str);
        lh_value_t pv = {.type = {LH_TYPE_STRING},
                         .v.str = {(const uint8_t *)path, (uint32_t)strlen(path)}};
        args[1] = lh_expr_const(b->a, &pv, path);
        return call(b, lh_func_find("json_path_extract"), 2, args, bx_name(b, e), out);
    }
    case LH_EX_FUNC: {
        int at = -1;
        if (e->u.func.bare && x->sc) /* current_date: a column of that name first (Spark) */
            LH_TRY(find_column(b, x->sc, e, &at));
        if (at >= 0) {
            const bcol *c = &x->sc->cols[at];
            bsn_set(b, e, c->name);
            *out = lh_expr_column(b->a, c->index, c->type, c->nullable, c->name);
            return LH_OK;
        }
        LH_TRY(bst_args(b, x, e, &e)); /* coalesce(*), count(DISTINCT t.*) */
        return bind_func(b, x, e, out);
    }
    case LH_EX_SUBQUERY:
    case LH_EX_EXISTS:
    case LH_EX_IN_QUERY:
        return bsq_expr(b, x, e, out);
    case LH_EX_EXTRACT: { /* EXTRACT(field FROM source) is date_part('field', source) */
        lh_value_t fv = {
            .type = {LH_TYPE_STRING},
            .v.str = {(const uint8_t *)e->ident.text, (uint32_t)strlen(e->ident.text)}};
        lh_expr_t *args[2] = {lh_expr_const(b->a, &fv, e->ident.text), NULL};
        LH_TRY(bx_expr(b, x, e->args.items[0], &args[1]));
        return call(b, lh_func_find("date_part"), 2, args, bx_name(b, e), out);
    }
    default: {
        bool done; /* a[i], s.f, (a, b) */
        LH_TRY(bn_expr(b, x, e, &done, out));
        if (done)
            return LH_OK;
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message", span_text(b, e->span),
                         NULL);
    }
    }
}

lh_err bx_bool(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out)
{
    LH_TRY(bx_expr(b, x, e, out));
    if ((*out)->type.id == LH_TYPE_BOOLEAN)
        return LH_OK;
    char t[48];
    return lh_sqlerr(b->eb, "DATATYPE_MISMATCH.FILTER_NOT_BOOLEAN", "sqlExpr",
                     lh_arena_sprintf(b->a, "\"%s\"", span_text(b, e->span)), "filter",
                     lh_arena_sprintf(b->a, "\"%s\"", span_text(b, e->span)), "type",
                     lh_arena_sprintf(b->a, "\"%s\"", lh_type_name((*out)->type, t, sizeof t)),
                     NULL);
}

lh_err bx_fold_int(binder *b, const lh_ast_expr_t *e, const char *what, int64_t *out)
{
    scope none = {0};
    ectx x = {&none, MODE_PRE, NULL, what};
    lh_expr_t *bound;
    lh_errbuf scratch, *saved = b->eb;
    lh_errbuf_clear(&scratch);
    b->eb = &scratch;
    lh_err err = bx_expr(b, &x, e, &bound);
    b->eb = saved;
    /* a column of the query: never foldable (Spark resolves it, then refuses it) */
    bool column = err != LH_OK && scratch.error_code &&
                  strncmp(scratch.error_code, "UNRESOLVED_COLUMN", 17) == 0;
    if (err != LH_OK && !column) {
        *b->eb = scratch;
        return err;
    }
    lh_value_t v;
    if (column || !lh_expr_is_foldable(bound))
        return lh_sqlerr(b->eb, "INVALID_LIMIT_LIKE_EXPRESSION.IS_UNFOLDABLE", "name", what, "expr",
                         lh_arena_sprintf(b->a, "\"%s\"", span_text(b, e->span)), NULL);
    LH_TRY(lh_expr_fold(b->a, bound, lh_session_conf(b->env->session), &v, b->eb));
    if (v.is_null && v.type.id >= LH_TYPE_BYTE && v.type.id <= LH_TYPE_LONG)
        return lh_sqlerr(b->eb, "INVALID_LIMIT_LIKE_EXPRESSION.IS_NULL", "name", what, "expr",
                         lh_arena_sprintf(b->a, "\"%s\"", span_text(b, e->span)), NULL);
    if (v.is_null || v.type.id < LH_TYPE_BYTE || v.type.id > LH_TYPE_LONG)
        return lh_sqlerr(b->eb, "INVALID_LIMIT_LIKE_EXPRESSION.DATA_TYPE", "name", what, "expr",
                         lh_arena_sprintf(b->a, "\"%s\"", span_text(b, e->span)), "dataType",
                         "\"INT\"", NULL);
    if (v.v.i64 < 0)
        return lh_sqlerr(b->eb, "INVALID_LIMIT_LIKE_EXPRESSION.IS_NEGATIVE", "name", what, "expr",
                         lh_arena_sprintf(b->a, "\"%s\"", span_text(b, e->span)), "v",
                         lh_arena_sprintf(b->a, "%lld", (long long)v.v.i64), NULL);
    *out = v.v.i64;
    return LH_OK;
}
