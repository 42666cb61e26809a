/*
 * bind_unpivot.c - source UNPIVOT [INCLUDE | EXCLUDE NULLS] (v FOR n IN (a [AS x], b, ..))
 * and the multi-value form ((v1, v2) FOR n IN ((a, b) [AS x], (c, d), ..)).
 *
 * Spark's result: the source's columns that no IN item names (in source order), then the
 * name column n (STRING: the item's alias, else its column names joined with "_"), then the
 * value columns (each the least common type of its position across the items). Every source
 * row gives one row per IN item, in IN order; EXCLUDE NULLS (the default) drops the rows
 * whose values are all NULL.
 *
 * Plan: GENERATE inline(array(named_struct('n', 'x', 'v0', a, ..), ..)) over the source
 * (the generator operator, batch at a time), a FILTER for EXCLUDE NULLS, and a PROJECT to
 * the output columns.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/nested.h"
#include "compute/bind/bind_internal.h"

static lh_expr_t *str_const(binder *b, const char *s)
{
    lh_value_t v = {.type = {LH_TYPE_STRING}, .v.str = {(const uint8_t *)s, (uint32_t)strlen(s)}};
    return lh_expr_const(b->a, &v, s);
}

static lh_err call(binder *b, const char *fn, int argc, lh_expr_t **args, lh_expr_t **out)
{
    const lh_func_t *f = lh_func_find(fn);
    LH_FAIL_IF(f == NULL, LH_E_INTERNAL, b->eb, "no function %s", fn);
    return lh_expr_call(b->a, f, argc, args, lh_session_conf(b->env->session), fn, out, b->eb);
}

static const char *idents_text(binder *b, const lh_ast_idents_t *ids)
{
    const char *s = "";
    for (int i = 0; i < ids->count; i++)
        s = lh_arena_sprintf(b->a, "%s%s`%s`", s, i ? ", " : "", ids->items[i].text);
    return s;
}

lh_err bu_unpivot(binder *b, const lh_ast_rel_t *r, lh_plan_t **plan, scope *sc)
{
    lh_plan_t *child;
    scope in = {0};
    LH_TRY(bf_relation(b, r->left, &child, &in));
    int nv = r->unpivot.value_columns.count, items = r->unpivot.in_count;
    LH_FAIL_IF(nv < 1 || nv > 64 || items < 1, LH_E_INVALID, b->eb, "UNPIVOT needs values");
    ectx x = {&in, MODE_PRE, NULL, "UNPIVOT"};
    bool *used = lh_arena_calloc(b->a, (size_t)child->col_count + 1, sizeof *used);
    lh_expr_t ***vals = lh_arena_calloc(b->a, (size_t)items, sizeof *vals);
    const char **item_names = lh_arena_calloc(b->a, (size_t)items, sizeof *item_names);
    for (int k = 0; k < items; k++) {
        const lh_ast_exprs_t *cols = &r->unpivot.in_columns[k];
        if (cols->count != nv)
            return lh_sqlerr(b->eb, "UNPIVOT_VALUE_SIZE_MISMATCH", "names",
                             idents_text(b, &r->unpivot.value_columns), NULL);
        vals[k] = lh_arena_calloc(b->a, (size_t)nv, sizeof **vals);
        const char *name = "";
        for (int j = 0; j < nv; j++) {
            const lh_ast_expr_t *c = cols->items[j];
            LH_TRY(bx_expr(b, &x, c, &vals[k][j]));
            if (vals[k][j]->kind == LH_EXPR_COLUMN && vals[k][j]->column >= 0 &&
                vals[k][j]->column < child->col_count)
                used[vals[k][j]->column] = true;
            name = lh_arena_sprintf(b->a, "%s%s%s", name, j ? "_" : "",
                                    c->name.parts[c->name.count - 1].text);
        }
        item_names[k] = r->unpivot.in_aliases[k] ? r->unpivot.in_aliases[k]->text : name;
    }
    /* each value position: the least common type of the items */
    lh_type_t *types = lh_arena_calloc(b->a, (size_t)nv, sizeof *types);
    for (int j = 0; j < nv; j++) {
        types[j] = vals[0][j]->type;
        for (int k = 1; k < items; k++) {
            lh_errbuf scratch;
            lh_errbuf *saved = b->eb;
            b->eb = &scratch;
            lh_err e = bx_common_type(b, types[j], vals[k][j]->type, &types[j]);
            b->eb = saved;
            if (e != LH_OK)
                return lh_sqlerr(b->eb, "UNPIVOT_VALUE_DATA_TYPE_MISMATCH", "types",
                                 lh_arena_sprintf(b->a, "%s", bs_type_text(b, vals[k][j]->type)),
                                 NULL);
        }
    }
    /* array(named_struct('n', name, 'v0', value, ...), ...) */
    lh_expr_t **structs = lh_arena_calloc(b->a, (size_t)items, sizeof *structs);
    for (int k = 0; k < items; k++) {
        lh_expr_t **args = lh_arena_calloc(b->a, (size_t)2 * (nv + 1), sizeof *args);
        args[0] = str_const(b, "n");
        args[1] = str_const(b, item_names[k]);
        for (int j = 0; j < nv; j++) {
            LH_TRY(bx_coerce(b, &vals[k][j], types[j]));
            args[2 + 2 * j] = str_const(b, lh_arena_sprintf(b->a, "v%d", j));
            args[3 + 2 * j] = vals[k][j];
        }
        LH_TRY(call(b, "named_struct", 2 * (nv + 1), args, &structs[k]));
    }
    lh_expr_t *arr;
    LH_TRY(call(b, "array", items, structs, &arr));
    int base = child->col_count;
    lh_plan_t *g = lh_plan_new(b->a, LH_PLAN_GENERATE, base + 1 + nv, 1);
    g->children[0] = child;
    for (int i = 0; i < base; i++) {
        g->col_names[i] = child->col_names[i];
        g->col_types[i] = child->col_types[i];
        g->col_nullable[i] = child->col_nullable[i];
    }
    g->col_names[base] = r->unpivot.name_column.text;
    g->col_types[base] = (lh_type_t){LH_TYPE_STRING};
    for (int j = 0; j < nv; j++) {
        g->col_names[base + 1 + j] = r->unpivot.value_columns.items[j].text;
        g->col_types[base + 1 + j] = types[j];
        g->col_nullable[base + 1 + j] = true;
    }
    g->u.generate.kind = LH_GEN_INLINE;
    g->u.generate.expr = arr;
    g->est_rows = child->est_rows >= 0 ? child->est_rows * items : -1;
    lh_plan_t *p = g;
    if (r->unpivot.nulls != 1) { /* EXCLUDE NULLS: some value is not NULL */
        lh_expr_t *keep = NULL;
        for (int j = 0; j < nv; j++) {
            lh_expr_t *v = bd_col(b, g, base + 1 + j);
            lh_expr_t *nn = lh_expr_node(b->a, LH_EXPR_NOT_NULL, (lh_type_t){LH_TYPE_BOOLEAN},
                                         false, 1, &v, NULL);
            lh_expr_t *pair[2] = {keep, nn};
            keep = keep == NULL ? nn
                                : lh_expr_node(b->a, LH_EXPR_OR, (lh_type_t){LH_TYPE_BOOLEAN},
                                               false, 2, pair, NULL);
        }
        p = bd_filter(b, p, keep);
    }
    /* the ids (unused source columns), the name, the values */
    int n = 0;
    lh_expr_t **exprs = lh_arena_calloc(b->a, (size_t)(base + 1 + nv), sizeof *exprs);
    const char **names = lh_arena_calloc(b->a, (size_t)(base + 1 + nv), sizeof *names);
    bcol *cols = lh_arena_calloc(b->a, (size_t)(base + 1 + nv), sizeof *cols);
    for (int i = 0; i < in.count; i++) {
        const bcol *c = &in.cols[i];
        if (c->index < 0 || c->index >= base || used[c->index] || c->hidden)
            continue;
        cols[n] = *c;
        cols[n].index = n;
        exprs[n] = bd_col(b, g, c->index);
        names[n++] = c->name;
    }
    for (int j = 0; j <= nv; j++) {
        exprs[n] = bd_col(b, g, base + j);
        names[n] = g->col_names[base + j];
        cols[n] = (bcol){.name = names[n],
                         .index = n,
                         .type = g->col_types[base + j],
                         .nullable = g->col_nullable[base + j]};
        n++;
    }
    *plan = bd_project(b, p, n, exprs, names);
    sc->cols = cols;
    sc->count = n;
    return LH_OK;
}
