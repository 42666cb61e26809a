/*
 * bind_hof.c - higher-order functions and their lambdas: transform, filter, exists, forall,
 * aggregate / reduce, zip_with, map_filter, transform_keys, transform_values, map_zip_with,
 * array_sort with a comparator
 * (evaluated by compute/expr/expr_hof.c).
 *
 * A lambda `x -> body` or `(x, y) -> body` binds its parameters as lambda variables (ids
 * unique in the statement): inside the body a bare name equal to a parameter is that
 * variable (shadowing columns, innermost lambda first); other names resolve as usual, so
 * a body may read the row's columns and enclosing lambdas' variables. Parameter types come
 * from the collection (element; key and value; the accumulator's from the initial value),
 * transform's and filter's optional second parameter is the INT index. Spark's checks:
 * the argument kinds (DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE), the lambda's parameter
 * count (INVALID_LAMBDA_FUNCTION_CALL.NUM_ARGS_MISMATCH), BOOLEAN predicates; aggregate's
 * merge is cast to the initial value's type.
 */
#include <string.h>
#include <strings.h>

#include "compute/bind/bind_internal.h"
#include "common/nested.h"
#include "compute/expr/expr.h"
#include "compute/func/coerce.h"
#include "compute/func/format.h"
#include "compute/sql/sqlerr.h"

typedef struct hof_def {
    const char *name;
    lh_hof_kind kind;
    int colls;        /* collection arguments before the lambdas (aggregate: array, init) */
    bool map;         /* over maps */
    int min_p, max_p; /* the first lambda's parameter count */
} hof_def;

static const hof_def defs[] = {
    {"transform", LH_HOF_TRANSFORM, 1, false, 1, 2},
    {"filter", LH_HOF_FILTER, 1, false, 1, 2},
    {"exists", LH_HOF_EXISTS, 1, false, 1, 1},
    {"forall", LH_HOF_FORALL, 1, false, 1, 1},
    {"aggregate", LH_HOF_AGGREGATE, 2, false, 2, 2},
    {"reduce", LH_HOF_AGGREGATE, 2, false, 2, 2},
    {"zip_with", LH_HOF_ZIP_WITH, 2, false, 2, 2},
    {"map_filter", LH_HOF_MAP_FILTER, 1, true, 2, 2},
    {"transform_keys", LH_HOF_TRANSFORM_KEYS, 1, true, 2, 2},
    {"transform_values", LH_HOF_TRANSFORM_VALUES, 1, true, 2, 2},
    {"map_zip_with", LH_HOF_MAP_ZIP_WITH, 2, true, 3, 3},
    {"array_sort", LH_HOF_ARRAY_SORT, 1, false, 2, 2},
};

static const hof_def *find_def(const char *fn)
{
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        if (strcasecmp(defs[i].name, fn) == 0)
            return &defs[i];
    return NULL;
}

bool bh_is_hof(const lh_ast_expr_t *e)
{
    if (e->name.count != 1 || e->u.func.star || find_def(e->name.parts[0].text) == NULL)
        return false;
    for (int i = 0; i < e->args.count; i++)
        if (e->args.items[i]->kind == LH_EX_LAMBDA)
            return true;
    return false;
}

typedef struct lambda_var {
    const char *name;
    int id;
    lh_type_t type;
    struct lambda_var *next;
} lambda_var;

lh_expr_t *bh_lambda_ref(binder *b, const lh_ast_name_t *n)
{
    if (n->count != 1)
        return NULL;
    for (const lambda_var *v = b->lambdas; v != NULL; v = v->next)
        if (strcasecmp(v->name, n->parts[0].text) == 0) {
            lh_expr_t *e = lh_expr_node(b->a, LH_EXPR_LAMBDA_VAR, v->type, true, 0, NULL,
                                        "namedlambdavariable()");
            e->lambda_var = v->id;
            return e;
        }
    return NULL;
}

static lh_err bad_arg(binder *b, const lh_ast_expr_t *e, int idx, const char *required,
                      lh_type_t got)
{
    static const char *const ord[] = {"first", "second", "third", "fourth"};
    char tb[128];
    return lh_sqlerr(b->eb, "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", "sqlExpr",
                     lh_arena_sprintf(b->a, "\"%s\"", bx_name(b, e)), "paramIndex",
                     ord[idx < 4 ? idx : 3], "requiredType", required, "inputSql",
                     lh_arena_sprintf(b->a, "\"%s\"", bx_name(b, e->args.items[idx])), "inputType",
                     lh_arena_sprintf(b->a, "\"%s\"", lh_format_type_sql(got, tb, sizeof tb)),
                     NULL);
}

/* Bind lambda lam, its parameters typed types[..] with ids first_id, first_id + 1, ...
 * (reserved by the caller); *n_out: how many it takes. */
static lh_err bind_lambda(binder *b, const ectx *x, const lh_ast_expr_t *lam,
                          const lh_type_t *types, int min_p, int max_p, int first_id, int *n_out,
                          lh_expr_t **out)
{
    int n = lam->u.lambda.params.count;
    if (n < min_p || n > max_p)
        return lh_sqlerr(b->eb, "INVALID_LAMBDA_FUNCTION_CALL.NUM_ARGS_MISMATCH", "expectedNumArgs",
                         lh_arena_sprintf(b->a, "%d", max_p), "actualNumArgs",
                         lh_arena_sprintf(b->a, "%d", n), NULL);
    const lh_ast_ident_t *p = lam->u.lambda.params.items;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < i; k++)
            if (strcasecmp(p[i].text, p[k].text) == 0)
                return lh_sqlerr(b->eb, "INVALID_LAMBDA_FUNCTION_CALL.DUPLICATE_ARG_NAMES", "args",
                                 lh_arena_sprintf(b->a, "`%s`", p[i].text), "caseSensitiveConfig",
                                 "\"spark.sql.caseSensitive\"", NULL);
    lambda_var *saved = b->lambdas;
    for (int i = 0; i < n; i++) {
        lambda_var *v = lh_arena_calloc(b->a, 1, sizeof *v);
        *v = (lambda_var){p[i].text, first_id + i, types[i], b->lambdas};
        b->lambdas = v;
    }
    lh_err e = bx_expr(b, x, lam->args.items[0], out);
    b->lambdas = saved;
    *n_out = n;
    return e;
}

static lh_err need_bool(binder *b, const lh_ast_expr_t *call, int idx, lh_expr_t *body)
{
    if (body->type.id == LH_TYPE_BOOLEAN || body->type.id == LH_TYPE_NULL)
        return LH_OK;
    return bad_arg(b, call, idx, "\"BOOLEAN\"", body->type);
}

lh_err bh_call(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out)
{
    const char *fn = e->name.parts[0].text;
    const hof_def *d = find_def(fn);
    int lambdas = e->args.count - d->colls;
    bool agg = d->kind == LH_HOF_AGGREGATE;
    if (lambdas < 1 || lambdas > (agg ? 2 : 1))
        return lh_sqlerr(b->eb, "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "functionName",
                         lh_arena_sprintf(b->a, "`%s`", bf_lower(b, fn)), "expectedNum",
                         agg ? "[3, 4]" : lh_arena_sprintf(b->a, "%d", d->colls + 1), "actualNum",
                         lh_arena_sprintf(b->a, "%d", e->args.count), "docroot",
                         "https://spark.apache.org/docs/latest", NULL);
    lh_expr_t *args[5] = {0};
    int argc = 0;
    for (int i = 0; i < d->colls; i++) {
        const lh_ast_expr_t *a = e->args.items[i];
        if (a->kind == LH_EX_LAMBDA)
            return bad_arg(b, e, i, d->map ? "\"MAP\"" : "\"ARRAY\"", (lh_type_t){LH_TYPE_NULL});
        LH_TRY(bx_expr(b, x, a, &args[argc]));
        lh_type_t t = args[argc]->type;
        bool coll = i == 1 && agg ? true : (d->map ? t.id == LH_TYPE_MAP : t.id == LH_TYPE_ARRAY);
        if (!coll && t.id != LH_TYPE_NULL)
            return bad_arg(b, e, i, d->map ? "\"MAP\"" : "\"ARRAY\"", t);
        if (t.id == LH_TYPE_NULL && !(i == 1 && agg)) /* NULL collection: typed as one of NULLs */
            LH_TRY(lh_expr_cast(
                b->a, args[argc],
                d->map ? lh_type_map((lh_type_t){LH_TYPE_NULL}, (lh_type_t){LH_TYPE_NULL})
                       : lh_type_array((lh_type_t){LH_TYPE_NULL}),
                false, lh_session_conf(b->env->session), &args[argc], b->eb));
        argc++;
    }
    for (int i = d->colls; i < e->args.count; i++)
        if (e->args.items[i]->kind != LH_EX_LAMBDA)
            return lh_sqlerr(b->eb, "INVALID_LAMBDA_FUNCTION_CALL.NON_HIGHER_ORDER_FUNCTION",
                             "class", lh_arena_sprintf(b->a, "`%s`", bf_lower(b, fn)), NULL);
    lh_type_t c0 = args[0]->type, c1 = d->colls > 1 ? args[1]->type : (lh_type_t){LH_TYPE_NULL};
    lh_type_t types[3];
    switch (d->kind) {
    case LH_HOF_AGGREGATE:
        types[0] = c1, types[1] = c0.nested->elem;
        break;
    case LH_HOF_ZIP_WITH:
        types[0] = c0.nested->elem, types[1] = c1.nested->elem;
        break;
    case LH_HOF_ARRAY_SORT:
        types[0] = types[1] = c0.nested->elem;
        break;
    case LH_HOF_MAP_ZIP_WITH:
        if (!lh_type_equal(c0.nested->elem, c1.nested->elem))
            return bad_arg(b, e, 1, "\"MAP\" with the same key type", c1);
        types[0] = c0.nested->elem, types[1] = c0.nested->value, types[2] = c1.nested->value;
        break;
    default:
        if (d->map)
            types[0] = c0.nested->elem, types[1] = c0.nested->value;
        else
            types[0] = c0.nested->elem, types[1] = (lh_type_t){LH_TYPE_INT};
        break;
    }
    int first_id = b->lambda_next, n; /* ids: the first lambda's, then finish's accumulator */
    b->lambda_next += 3;
    lh_expr_t *body;
    LH_TRY(
        bind_lambda(b, x, e->args.items[d->colls], types, d->min_p, d->max_p, first_id, &n, &body));
    lh_type_t rt;
    switch (d->kind) {
    case LH_HOF_TRANSFORM:
    case LH_HOF_ZIP_WITH:
        rt = lh_type_array(body->type);
        break;
    case LH_HOF_FILTER:
        LH_TRY(need_bool(b, e, 1, body));
        rt = c0;
        break;
    case LH_HOF_EXISTS:
    case LH_HOF_FORALL:
        LH_TRY(need_bool(b, e, 1, body));
        rt = (lh_type_t){LH_TYPE_BOOLEAN};
        break;
    case LH_HOF_MAP_FILTER:
        LH_TRY(need_bool(b, e, 1, body));
        rt = c0;
        break;
    case LH_HOF_ARRAY_SORT: /* the comparator answers an INT (a narrower integer is cast) */
        if (!lh_type_is_integral(body->type.id))
            return bad_arg(b, e, 1, "\"INT\"", body->type);
        rt = c0;
        break;
    case LH_HOF_TRANSFORM_KEYS:
        if (body->type.id == LH_TYPE_MAP)
            return bad_arg(b, e, 1, "a non-map key", body->type);
        rt = lh_type_map(body->type, c0.nested->value);
        break;
    case LH_HOF_TRANSFORM_VALUES:
        rt = lh_type_map(c0.nested->elem, body->type);
        break;
    case LH_HOF_MAP_ZIP_WITH:
        rt = lh_type_map(c0.nested->elem, body->type);
        break;
    case LH_HOF_AGGREGATE:
    default:
        if (!lh_type_equal(body->type, c1)) /* the merge keeps the accumulator's type */
            LH_TRY(lh_expr_cast(b->a, body, c1, false, lh_session_conf(b->env->session), &body,
                                b->eb));
        rt = c1;
        break;
    }
    args[argc++] = body;
    if (agg && lambdas == 2) { /* finish: acc -> result */
        int fn_n;
        lh_expr_t *fin;
        LH_TRY(bind_lambda(b, x, e->args.items[3], &c1, 1, 1, first_id + 2, &fn_n, &fin));
        args[argc++] = fin;
        rt = fin->type;
    }
    lh_expr_t *h = lh_expr_node(b->a, LH_EXPR_HOF, rt, true, argc, args, bx_name(b, e));
    h->column = (int)d->kind;
    h->lambda_var = first_id;
    h->lambda_n = n;
    *out = h;
    return LH_OK;
}
