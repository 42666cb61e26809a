/*
 * expr_bind.c - binding a function call over bound arguments: the function's bind picks
 * the result type and the argument types it wants; arguments of another type get a cast.
 *
 * Casts are CALLs of the registry's "cast" / "try_cast" row, found by name with
 * lh_func_find at bind time (compute/func owns the conversion rules) with one argument;
 * the target type is handed to the row's bind as its preset bind_data (compute/func's
 * convention). Kept apart from expr.c so code that only evaluates does not link the
 * registry.
 */
#include <string.h>

#include "compute/expr/expr.h"
#include "compute/sqlerr.h"

/* Bind func over args; preset is the bind_data the row's bind starts from (the cast's
 * target type), or NULL. */
static lh_err call_with(lh_arena_t *a, const lh_func_t *func, int argc, lh_expr_t *const *args,
                        const lh_sql_conf_t *conf, const char *name, void *preset, lh_expr_t **out,
                        lh_errbuf *eb)
{
    lh_type_t *types = lh_arena_calloc(a, (size_t)argc + 1, sizeof *types);
    lh_type_t *cast_to = lh_arena_calloc(a, (size_t)argc + 1, sizeof *cast_to);
    const lh_value_t **consts = lh_arena_calloc(a, (size_t)argc + 1, sizeof *consts);
    const char **sqls = lh_arena_calloc(a, (size_t)argc + 1, sizeof *sqls); /* columns' names */
    bool nullable = false;
    for (int i = 0; i < argc; i++) {
        types[i] = cast_to[i] = args[i]->type;
        consts[i] = args[i]->kind == LH_EXPR_CONST ? &args[i]->value : NULL;
        sqls[i] = args[i]->kind == LH_EXPR_COLUMN && args[i]->name ? args[i]->name : "?";
        nullable |= args[i]->nullable;
    }
    lh_func_bind_t b = {.arg_count = argc,
                        .arg_types = types,
                        .const_args = consts,
                        .arg_sql = sqls,
                        .conf = conf,
                        .arena = a,
                        .ret_nullable = nullable,
                        .cast_to = cast_to,
                        .bind_data = preset};
    if (argc < func->min_args || (func->max_args >= 0 && argc > func->max_args)) {
        const char *want = func->max_args < 0 ? lh_arena_sprintf(a, "> %d", func->min_args - 1)
                           : func->min_args == func->max_args
                               ? lh_arena_sprintf(a, "%d", func->min_args)
                               : lh_arena_sprintf(a, "[%d, %d]", func->min_args, func->max_args);
        return lh_sqlerr(eb, "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "functionName",
                         lh_arena_sprintf(a, "`%s`", func->name), "expectedNum", want, "actualNum",
                         lh_arena_sprintf(a, "%d", argc), "docroot",
                         "https://spark.apache.org/docs/latest", NULL);
    }
    LH_TRY(func->bind(&b, eb));
    lh_expr_t *e = lh_expr_node(a, LH_EXPR_CALL, b.ret_type, b.ret_nullable, argc, args, name);
    e->func = func;
    e->bind_data = b.bind_data;
    bool is_cast = strcmp(func->name, "cast") == 0 || strcmp(func->name, "try_cast") == 0;
    for (int i = 0; i < argc && !is_cast; i++)
        if (!lh_type_equal(cast_to[i], types[i]))
            LH_TRY(lh_expr_cast(a, e->args[i], cast_to[i], false, conf, &e->args[i], eb));
    *out = e;
    return LH_OK;
}

lh_err lh_expr_cast(lh_arena_t *a, lh_expr_t *e, lh_type_t type, bool try_cast,
                    const lh_sql_conf_t *conf, lh_expr_t **out, lh_errbuf *eb)
{
    if (lh_type_equal(e->type, type) && !try_cast) {
        *out = e;
        return LH_OK;
    }
    const char *fname = try_cast ? "try_cast" : "cast";
    const lh_func_t *f = lh_func_find(fname);
    if (f == NULL)
        return lh_sqlerr(eb, "INTERNAL_ERROR", "message",
                         try_cast ? "the function registry has no try_cast"
                                  : "the function registry has no cast",
                         NULL);
    lh_type_t *target = lh_arena_alloc(a, sizeof *target);
    *target = type;
    const char *name = e->name ? lh_arena_sprintf(a, "%s", e->name) : NULL;
    return call_with(a, f, 1, &e, conf, name, target, out, eb);
}

lh_err lh_expr_call(lh_arena_t *a, const lh_func_t *func, int argc, lh_expr_t *const *args,
                    const lh_sql_conf_t *conf, const char *name, lh_expr_t **out, lh_errbuf *eb)
{
    return call_with(a, func, argc, args, conf, name, NULL, out, eb);
}
