/*
 * bind_generate.c - generators: explode, explode_outer, posexplode, posexplode_outer and
 * inline (inline_outer) as LATERAL VIEW [OUTER] f(x) t AS a, b and in the SELECT list (one
 * per SELECT, as Spark). Both become a GENERATE plan node over the FROM/WHERE plan whose
 * extra columns join the scope (a lateral view's under its table alias); a SELECT-list
 * generator's columns then stand where the call was written. A SELECT-list generator over
 * an aggregate (explode(collect_list(x)) .. GROUP BY) binds its argument with the SELECT list
 * (bg_arg) and its GENERATE node goes over the aggregation instead (bind_query.c).
 *
 * Column names are Spark's: col (arrays), key and value (maps), pos first for posexplode,
 * the struct's field names for inline; LATERAL VIEW's column list or the item's alias
 * replace them.
 *
 * stack(n, e1, .., ek) and json_tuple(json, 'k1', ..) are inline over an array the binder
 * writes for them: stack's n rows of ceil(k / n) columns col0, col1, .. (NULL past the
 * last value; a column's type is its values' common type), json_tuple's one row of c0, c1,
 * .. with each key's value as get_json_object gives it (the path $['key']: NULL when the key
 * is missing or the text is not a JSON object; a key holding a quote is not found).
 */
#include <string.h>
#include <strings.h>

#include "common/nested.h"
#include "compute/bind/bind_generate.h"
#include "compute/expr/expr.h"
#include "compute/func/coerce.h"
#include "compute/func/format.h"

static const struct {
    const char *name;
    lh_gen_kind kind;
    bool outer;
} gens[] = {
    {"explode", LH_GEN_EXPLODE, false},       {"explode_outer", LH_GEN_EXPLODE, true},
    {"posexplode", LH_GEN_POSEXPLODE, false}, {"posexplode_outer", LH_GEN_POSEXPLODE, true},
    {"inline", LH_GEN_INLINE, false},         {"inline_outer", LH_GEN_INLINE, true},
    {"stack", LH_GEN_INLINE, false},          {"json_tuple", LH_GEN_INLINE, false},
};

static lh_ast_expr_t *ast_func(binder *b, const char *name, int argc, lh_ast_expr_t **args)
{
    lh_ast_expr_t *f = lh_arena_calloc(b->a, 1, sizeof *f);
    f->kind = LH_EX_FUNC;
    f->name.parts = lh_arena_calloc(b->a, 1, sizeof *f->name.parts);
    f->name.parts[0].text = name;
    f->name.count = 1;
    f->args.items = args;
    f->args.count = argc;
    return f;
}

static lh_ast_expr_t *ast_string(binder *b, const char *text)
{
    lh_ast_expr_t *l = lh_arena_calloc(b->a, 1, sizeof *l);
    l->kind = LH_EX_LITERAL;
    l->u.lit.kind = LH_LIT_STRING;
    l->u.lit.str = text;
    l->u.lit.str_len = (uint32_t)strlen(text);
    l->u.lit.text = lh_arena_sprintf(b->a, "'%s'", text);
    return l;
}

/* stack / json_tuple: the array of structs inline expands (see the header). */
static lh_err desugar(binder *b, const ectx *x, const lh_ast_expr_t *call, lh_ast_expr_t **out)
{
    const lh_ast_exprs_t *a = &call->args;
    bool stack = strcasecmp(call->name.parts[0].text, "stack") == 0;
    const char *fname = stack ? "stack" : "json_tuple";
    if (a->count < 2)
        return lh_sqlerr(b->eb, "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "functionName",
                         lh_arena_sprintf(b->a, "`%s`", fname), "expectedNum", "> 1", "actualNum",
                         lh_arena_sprintf(b->a, "%d", a->count), "docroot",
                         "https://spark.apache.org/docs/latest", NULL);
    int rows = 1, cols = a->count - 1;
    if (stack) {
        lh_expr_t *n;
        LH_TRY(bx_expr(b, x, a->items[0], &n));
        lh_value_t v;
        if (!lh_type_is_integral(n->type.id) || !lh_expr_is_foldable(n) ||
            lh_expr_fold(b->a, n, lh_session_conf(b->env->session), &v, b->eb) != LH_OK ||
            v.is_null || v.v.i64 < 1)
            return lh_sqlerr(b->eb, "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", "sqlExpr",
                             lh_arena_sprintf(b->a, "\"%s\"", bx_name(b, call)), "inputName", "`n`",
                             "inputType", "\"INT\"", "inputExpr",
                             lh_arena_sprintf(b->a, "\"%s\"", bx_name(b, a->items[0])), NULL);
        rows = (int)(v.v.i64 < 1000 ? v.v.i64 : 1000);
        cols = (a->count - 1 + rows - 1) / rows;
    }
    if (cols > BG_COLS_MAX)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         lh_arena_sprintf(b->a, "%s of more than %d columns", fname, BG_COLS_MAX),
                         NULL);
    lh_ast_expr_t **structs = lh_arena_calloc(b->a, (size_t)rows + 1, sizeof *structs);
    for (int r = 0; r < rows; r++) {
        lh_ast_expr_t **fa = lh_arena_calloc(b->a, 2 * (size_t)cols + 1, sizeof *fa);
        for (int c = 0; c < cols; c++) {
            fa[2 * c] = ast_string(b, lh_arena_sprintf(b->a, stack ? "col%d" : "c%d", c));
            int k = 1 + r * cols + c; /* stack: row r's values; json_tuple: the keys */
            lh_ast_expr_t *v;
            if (!stack) {
                lh_ast_expr_t **pa = lh_arena_calloc(b->a, 4, sizeof *pa); /* $['key'] */
                pa[0] = ast_string(b, "$['");
                pa[1] = a->items[1 + c];
                pa[2] = ast_string(b, "']");
                lh_ast_expr_t **ga = lh_arena_calloc(b->a, 3, sizeof *ga);
                ga[0] = a->items[0];
                ga[1] = ast_func(b, "concat", 3, pa);
                v = ast_func(b, "get_json_object", 2, ga);
            } else if (k < a->count) {
                v = a->items[k];
            } else {
                v = lh_arena_calloc(b->a, 1, sizeof *v);
                v->kind = LH_EX_LITERAL;
                v->u.lit.kind = LH_LIT_NULL;
                v->u.lit.text = "NULL";
            }
            fa[2 * c + 1] = v;
        }
        structs[r] = ast_func(b, "named_struct", 2 * cols, fa);
    }
    *out = ast_func(b, "array", rows, structs);
    return LH_OK;
}

int bg_generator(const lh_ast_expr_t *e)
{
    if (e == NULL || e->kind != LH_EX_FUNC || e->name.count != 1 || e->u.func.over != NULL)
        return -1;
    for (size_t i = 0; i < sizeof gens / sizeof gens[0]; i++)
        if (strcasecmp(e->name.parts[0].text, gens[i].name) == 0)
            return (int)i;
    return -1;
}

/* The generated columns' names and types for a collection of type t. */
static lh_err gen_columns(binder *b, int g, const lh_ast_expr_t *e, lh_type_t t, int *count,
                          const char **names, lh_type_t *types)
{
    int n = 0;
    bool ok = gens[g].kind == LH_GEN_INLINE
                  ? t.id == LH_TYPE_ARRAY && t.nested->elem.id == LH_TYPE_STRUCT
                  : t.id == LH_TYPE_ARRAY || t.id == LH_TYPE_MAP;
    if (!ok) {
        char ts[128];
        return lh_sqlerr(
            b->eb, "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", "sqlExpr",
            lh_arena_sprintf(b->a, "\"%s\"", bx_name(b, e)), "paramIndex", "first", "inputSql",
            lh_arena_sprintf(b->a, "\"%s\"", bx_name(b, e->args.items[0])), "inputType",
            lh_arena_sprintf(b->a, "\"%s\"", lh_format_type_sql(t, ts, sizeof ts)), "requiredType",
            gens[g].kind == LH_GEN_INLINE ? "\"ARRAY<STRUCT>\"" : "(\"ARRAY\" or \"MAP\")", NULL);
    }
    if (gens[g].kind == LH_GEN_POSEXPLODE) {
        names[n] = "pos";
        types[n++] = (lh_type_t){LH_TYPE_INT};
    }
    if (gens[g].kind == LH_GEN_INLINE) {
        const lh_ntype_t *st = t.nested->elem.nested;
        for (int f = 0; f < st->field_count && n < BG_COLS_MAX; f++) {
            names[n] = st->fields[f].name;
            types[n++] = st->fields[f].type;
        }
    } else if (t.id == LH_TYPE_MAP) {
        names[n] = "key";
        types[n++] = t.nested->elem;
        names[n] = "value";
        types[n++] = t.nested->value;
    } else {
        names[n] = "col";
        types[n++] = t.nested->elem;
    }
    *count = n;
    return LH_OK;
}

static lh_err check_call(binder *b, const lh_ast_expr_t *call, int *g)
{
    *g = bg_generator(call);
    if (*g < 0)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         lh_arena_sprintf(b->a, "LATERAL VIEW of %s", bx_name(b, call)), NULL);
    bool many = strcmp(gens[*g].name, "stack") == 0 || strcmp(gens[*g].name, "json_tuple") == 0;
    if (call->args.count != 1 && !many)
        return lh_sqlerr(b->eb, "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "functionName",
                         lh_arena_sprintf(b->a, "`%s`", gens[*g].name), "expectedNum", "1",
                         "actualNum", lh_arena_sprintf(b->a, "%d", call->args.count), "docroot",
                         "https://spark.apache.org/docs/latest", NULL);
    return LH_OK;
}

lh_err bg_arg(binder *b, const ectx *x, const lh_ast_expr_t *call, lh_expr_t **arg)
{
    int g;
    LH_TRY(check_call(b, call, &g));
    const lh_ast_expr_t *src = call->args.items[0];
    if (strcmp(gens[g].name, "stack") == 0 || strcmp(gens[g].name, "json_tuple") == 0) {
        lh_ast_expr_t *arr = NULL;
        LH_TRY(desugar(b, x, call, &arr));
        src = arr;
    }
    LH_TRY(bx_expr(b, x, src, arg));
    if ((*arg)->type.id == LH_TYPE_NULL)
        LH_TRY(bx_coerce(b, arg, lh_type_array((lh_type_t){LH_TYPE_NULL})));
    return LH_OK;
}

lh_err bg_columns(binder *b, const lh_ast_expr_t *call, lh_type_t arg_type,
                  const lh_ast_idents_t *aliases, int *count, const char **names, lh_type_t *types)
{
    int g;
    LH_TRY(check_call(b, call, &g));
    int n = 0;
    LH_TRY(gen_columns(b, g, call, arg_type, &n, names, types));
    if (aliases != NULL && aliases->count > 0) {
        if (aliases->count != n)
            return lh_sqlerr(b->eb, "UDTF_ALIAS_NUMBER_MISMATCH", "aliasesSize",
                             lh_arena_sprintf(b->a, "%d", n), "aliasesNames",
                             lh_arena_sprintf(b->a, "%d", aliases->count), NULL);
        for (int i = 0; i < n; i++)
            names[i] = aliases->items[i].text;
    }
    *count = n;
    return LH_OK;
}

lh_err bg_generate(binder *b, const lh_ast_expr_t *call, bool outer, const char *qualifier,
                   const lh_ast_idents_t *aliases, lh_plan_t **plan, scope *sc, int *first,
                   int *count)
{
    ectx pre = {sc, MODE_PRE, NULL, "SELECT", NULL};
    lh_expr_t *arg;
    LH_TRY(bg_arg(b, &pre, call, &arg));
    return bg_generate_arg(b, call, arg, outer, qualifier, aliases, plan, sc, first, count);
}

lh_err bg_generate_arg(binder *b, const lh_ast_expr_t *call, lh_expr_t *arg, bool outer,
                       const char *qualifier, const lh_ast_idents_t *aliases, lh_plan_t **plan,
                       scope *sc, int *first, int *count)
{
    int g;
    LH_TRY(check_call(b, call, &g));
    const char *names[BG_COLS_MAX];
    lh_type_t types[BG_COLS_MAX];
    int n = 0;
    LH_TRY(bg_columns(b, call, arg->type, aliases, &n, names, types));
    lh_plan_t *child = *plan;
    int base = child->col_count;
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_GENERATE, base + n, 1);
    p->children[0] = child;
    for (int i = 0; i < base; i++) {
        p->col_names[i] = child->col_names[i];
        p->col_types[i] = child->col_types[i];
        p->col_nullable[i] = child->col_nullable[i];
    }
    for (int i = 0; i < n; i++) {
        p->col_names[base + i] = names[i];
        p->col_types[base + i] = types[i];
        p->col_nullable[base + i] = true;
    }
    p->u.generate.kind = gens[g].kind;
    p->u.generate.outer = outer || gens[g].outer;
    p->u.generate.expr = arg;
    p->est_rows = child->est_rows >= 0 ? child->est_rows * 4 : -1;
    bcol *cols = lh_arena_calloc(b->a, (size_t)(sc->count + n) + 1, sizeof *cols);
    if (sc->count > 0)
        memcpy(cols, sc->cols, (size_t)sc->count * sizeof *cols);
    for (int i = 0; i < n; i++)
        cols[sc->count + i] = (bcol){.name = names[i],
                                     .qual = {qualifier},
                                     .index = base + i,
                                     .type = types[i],
                                     .nullable = true,
                                     .hidden = qualifier == NULL};
    sc->cols = cols;
    sc->count += n;
    *plan = p;
    *first = base;
    *count = n;
    return LH_OK;
}
