/*
 * bind_query.c - queries: SELECT levels, set operations, VALUES, TABLE, parentheses,
 * WITH, ORDER BY, LIMIT and OFFSET.
 *
 * One SELECT level becomes, bottom up:
 *   FROM -> Filter(WHERE) -> [Aggregate(keys ++ aggregates) -> Filter(HAVING)]
 *        -> Project(select list ++ hidden sort columns) -> [Aggregate for DISTINCT]
 *        -> Sort(ORDER BY) -> Project(drop hidden columns) -> Limit
 * Aggregate calls anywhere in SELECT, HAVING and ORDER BY are gathered while those
 * clauses bind in POST mode (bind_internal.h), so the Aggregate node is built last, with
 * the keys first and then every distinct aggregate call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/bind/bind_generate.h"
#include "compute/bind/bind_internal.h"

static lh_plan_t *project(binder *b, lh_plan_t *child, int n, lh_expr_t **exprs, const char **names)
{
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_PROJECT, n, 1);
    p->children[0] = child;
    p->u.project.exprs = exprs;
    for (int i = 0; i < n; i++) {
        p->col_names[i] = names[i];
        p->col_types[i] = exprs[i]->type;
        p->col_nullable[i] = exprs[i]->nullable;
    }
    p->est_rows = child->est_rows;
    return p;
}

/* Project the first n columns of child (drops hidden sort columns). */
static lh_plan_t *project_prefix(binder *b, lh_plan_t *child, int n)
{
    lh_expr_t **e = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *e);
    for (int i = 0; i < n; i++)
        e[i] = lh_expr_column(b->a, i, child->col_types[i], child->col_nullable[i],
                              child->col_names[i]);
    return project(b, child, n, e, child->col_names);
}

static lh_plan_t *filter(binder *b, lh_plan_t *child, lh_expr_t *pred)
{
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_FILTER, child->col_count, 1);
    p->children[0] = child;
    p->u.filter.pred = pred;
    memcpy(p->col_names, child->col_names, (size_t)child->col_count * sizeof *p->col_names);
    memcpy(p->col_types, child->col_types, (size_t)child->col_count * sizeof *p->col_types);
    memcpy(p->col_nullable, child->col_nullable, (size_t)child->col_count * sizeof(bool));
    p->est_rows = child->est_rows >= 0 ? child->est_rows / 3 : -1;
    return p;
}

/* ---- select list ------------------------------------------------------------------------ */

typedef struct outlist {
    int count, cap;
    lh_expr_t **exprs;
    const char **names;
} outlist;

static void out_add(binder *b, outlist *o, lh_expr_t *e, const char *name)
{
    if (o->count == o->cap) {
        int cap = o->cap ? o->cap * 2 : 16;
        lh_expr_t **ne = lh_arena_calloc(b->a, (size_t)cap, sizeof *ne);
        const char **nn = lh_arena_calloc(b->a, (size_t)cap, sizeof *nn);
        if (o->count) {
            memcpy(ne, o->exprs, (size_t)o->count * sizeof *ne);
            memcpy(nn, o->names, (size_t)o->count * sizeof *nn);
        }
        o->exprs = ne, o->names = nn, o->cap = cap;
    }
    o->exprs[o->count] = e;
    o->names[o->count++] = name;
}

static lh_err expand_star(binder *b, const ectx *x, const lh_ast_expr_t *star, outlist *o)
{
    int n;
    lh_expr_t **exprs;
    const char **names;
    LH_TRY(bst_expand(b, x, star, &n, &exprs, &names));
    for (int i = 0; i < n; i++)
        out_add(b, o, exprs[i], names[i]);
    return LH_OK;
}

/* ---- GROUP BY ----------------------------------------------------------------------------- */

/* Whether numbers in GROUP BY / ORDER BY are ordinals (setting conf, default true). */
static bool ordinals(binder *b, const char *conf)
{
    const char *v = lh_session_get(b->env->session, conf);
    return v == NULL || strcasecmp(v, "false") != 0;
}

static lh_err add_key(binder *b, agg_ctx *g, lh_expr_t *k, int *index)
{
    for (int i = 0; i < g->key_count; i++)
        if (bx_equal(g->keys[i], k)) {
            *index = i;
            return LH_OK;
        }
    lh_expr_t **nk = lh_arena_calloc(b->a, (size_t)g->key_count + 2, sizeof *nk);
    if (g->key_count)
        memcpy(nk, g->keys, (size_t)g->key_count * sizeof *nk);
    nk[g->key_count] = k;
    g->keys = nk;
    *index = g->key_count++;
    return LH_OK;
}

static bool reads_slot(const lh_expr_t *e)
{
    if (e->kind == LH_EXPR_COLUMN && e->column <= LH_SUBRES_MARKER &&
        e->column > LH_SUBRES_MARKER - LH_MARKER_SPAN)
        return true;
    for (int i = 0; i < e->arg_count; i++)
        if (reads_slot(e->args[i]))
            return true;
    return false;
}

/* A key that reads a correlated subquery's result: remember its AST for match_key. */
static void note_sub_key(binder *b, agg_ctx *g, const lh_ast_expr_t *ast, const lh_expr_t *k,
                         int idx)
{
    if (!reads_slot(k))
        return;
    int n = g->sub_key_count;
    const lh_ast_expr_t **na = lh_arena_calloc(b->a, (size_t)n + 2, sizeof *na);
    int *ni = lh_arena_calloc(b->a, (size_t)n + 2, sizeof *ni);
    if (n) {
        memcpy(na, g->sub_key_asts, (size_t)n * sizeof *na);
        memcpy(ni, g->sub_key_index, (size_t)n * sizeof *ni);
    }
    na[n] = ast;
    ni[n] = idx;
    g->sub_key_asts = na;
    g->sub_key_index = ni;
    g->sub_key_count = n + 1;
}

static lh_err group_expr_ast(binder *b, const ectx *pre, const lh_ast_select_t *s,
                             const lh_ast_expr_t *e, lh_expr_t **out, const lh_ast_expr_t **ast);

/* One GROUP BY key: bound, added to g (*idx), remembered when it reads a subquery. */
static lh_err group_key(binder *b, const ectx *pre, const lh_ast_select_t *s, agg_ctx *g,
                        const lh_ast_expr_t *e, int *idx)
{
    lh_expr_t *k;
    const lh_ast_expr_t *ast = e;
    LH_TRY(group_expr_ast(b, pre, s, e, &k, &ast));
    LH_TRY(add_key(b, g, k, idx));
    note_sub_key(b, g, ast, k, *idx);
    return LH_OK;
}

/* One GROUP BY expression: an ordinal, a select alias, or an expression. */
static lh_err group_expr_ast(binder *b, const ectx *pre, const lh_ast_select_t *s,
                             const lh_ast_expr_t *e, lh_expr_t **out, const lh_ast_expr_t **ast)
{
    if (e->kind == LH_EX_LITERAL && e->u.lit.kind == LH_LIT_NUMBER &&
        ordinals(b, "spark.sql.groupByOrdinal")) { /* an ordinal */
        long n = strtol(e->u.lit.text, NULL, 10);
        for (int i = 0; i < s->items.count; i++)
            if (s->items.items[i].expr->kind == LH_EX_STAR)
                return lh_sqlerr(b->eb, "STAR_GROUP_BY_POS", NULL);
        if (n < 1 || n > s->items.count)
            return lh_sqlerr(b->eb, "GROUP_BY_POS_OUT_OF_RANGE", "index",
                             lh_arena_sprintf(b->a, "%ld", n), "size",
                             lh_arena_sprintf(b->a, "%d", s->items.count), NULL);
        const lh_ast_expr_t *item = s->items.items[n - 1].expr;
        if (bx_has_agg(item))
            return lh_sqlerr(b->eb, "GROUP_BY_POS_AGGREGATE", "index",
                             lh_arena_sprintf(b->a, "%ld", n), "aggExpr", bx_name(b, item), NULL);
        *ast = item;
        return bx_expr(b, pre, item, out);
    }
    lh_errbuf scratch;
    lh_errbuf *saved = b->eb;
    b->eb = &scratch;
    lh_err err = bx_expr(b, pre, e, out);
    b->eb = saved;
    if (err == LH_OK)
        return LH_OK;
    const char *by_alias = lh_session_get(b->env->session, "spark.sql.groupByAliases");
    bool aliases = by_alias == NULL || strcasecmp(by_alias, "false") != 0;
    if (aliases && e->kind == LH_EX_COLUMN && e->name.count == 1) /* a select-list alias */
        for (int i = 0; i < s->items.count; i++) {
            const lh_ast_named_expr_t *it = &s->items.items[i];
            if (!it->alias || strcasecmp(it->alias->text, e->name.parts[0].text) != 0)
                continue;
            if (bx_has_agg(it->expr))
                return lh_sqlerr(b->eb, "GROUP_BY_AGGREGATE", "sqlExpr", bx_name(b, it->expr),
                                 NULL);
            *ast = it->expr;
            return bx_expr(b, pre, it->expr, out);
        }
    return bx_expr(b, pre, e, out);
}

/* The masks one ROLLUP/CUBE/GROUPING SETS item expands to, from its element masks. */
static uint64_t *expand_sets(binder *b, lh_ast_group_kind_t kind, const uint64_t *masks, int n,
                             int *out_n)
{
    *out_n = kind == LH_GROUP_CUBE ? 1 << n : kind == LH_GROUP_ROLLUP ? n + 1 : n;
    uint64_t *outm = lh_arena_calloc(b->a, (size_t)*out_n + 1, sizeof *outm);
    for (int j = 0; j < *out_n; j++)
        for (int k = 0; k < n; k++) {
            bool in = kind == LH_GROUP_CUBE     ? ((j >> (n - 1 - k)) & 1) == 0
                      : kind == LH_GROUP_ROLLUP ? k < n - j
                                                : k == j;
            if (in)
                outm[j] |= masks[k];
        }
    return outm;
}

/* The cross product of the sets so far with one item's sets (Spark's rule for several
 * ROLLUP/CUBE/GROUPING SETS items in one GROUP BY). */
static lh_err cross_sets(binder *b, uint64_t **sets, int *count, const uint64_t *more, int more_n)
{
    if ((long)*count * more_n > 4096)
        return lh_sqlerr(b->eb, "GROUPING_SIZE_LIMIT_EXCEEDED", "maxSize", "4096", NULL);
    uint64_t *out = lh_arena_calloc(b->a, (size_t)(*count * more_n) + 1, sizeof *out);
    for (int i = 0; i < *count; i++)
        for (int j = 0; j < more_n; j++)
            out[i * more_n + j] = (*sets)[i] | more[j];
    *sets = out;
    *count *= more_n;
    return LH_OK;
}

/* The masks of one ROLLUP/CUBE/GROUPING SETS item. Each element of sets[] is one list;
 * ROLLUP and CUBE expand them; inside GROUPING SETS an element may be a nested ROLLUP, CUBE
 * or GROUPING SETS, whose sets it lists in place. Repeated sets are kept (Spark does). */
static lh_err item_sets(binder *b, const ectx *pre, const lh_ast_select_t *s, agg_ctx *g,
                        const lh_ast_group_item_t *it, uint64_t **out, int *out_n)
{
    int n = it->set_count;
    bool listing = it->kind == LH_GROUP_GROUPING_SETS;
    if (!listing && n > 12)
        return lh_sqlerr(b->eb, "GROUPING_SIZE_LIMIT_EXCEEDED", "maxSize", "12", NULL);
    uint64_t *masks = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *masks);
    int flat_n = 0, flat_cap = n;
    uint64_t *flat = lh_arena_calloc(b->a, (size_t)flat_cap + 1, sizeof *flat);
    for (int j = 0; j < n; j++) {
        const lh_ast_grouping_set_t *el = &it->sets[j];
        uint64_t *sub = &masks[j];
        int sub_n = 1;
        if (el->nested != NULL) {
            LH_TRY(item_sets(b, pre, s, g, el->nested, &sub, &sub_n));
        } else {
            if (el->exprs.count == 0 && !listing)
                return lh_sqlerr(b->eb, "_LEGACY_ERROR_TEMP_0051", "element",
                                 it->kind == LH_GROUP_CUBE ? "CUBE" : "ROLLUP", NULL);
            for (int m = 0; m < el->exprs.count; m++) {
                int idx;
                LH_TRY(group_key(b, pre, s, g, el->exprs.items[m], &idx));
                masks[j] |= 1ull << idx;
            }
        }
        if (!listing)
            continue;
        if (flat_n + sub_n > 4096)
            return lh_sqlerr(b->eb, "GROUPING_SIZE_LIMIT_EXCEEDED", "maxSize", "4096", NULL);
        if (flat_n + sub_n > flat_cap) {
            flat_cap = 2 * (flat_n + sub_n);
            uint64_t *nf = lh_arena_calloc(b->a, (size_t)flat_cap + 1, sizeof *nf);
            memcpy(nf, flat, (size_t)flat_n * sizeof *nf);
            flat = nf;
        }
        memcpy(flat + flat_n, sub, (size_t)sub_n * sizeof *flat);
        flat_n += sub_n;
    }
    if (listing) {
        *out = flat;
        *out_n = flat_n;
        return LH_OK;
    }
    *out = expand_sets(b, it->kind, masks, n, out_n);
    return LH_OK;
}

/* Whether e reads a column (or a subquery) outside its aggregate calls. */
static bool bare_reference(const lh_ast_expr_t *e)
{
    if (e == NULL)
        return false;
    if (e->kind == LH_EX_COLUMN || e->kind == LH_EX_SUBQUERY || e->kind == LH_EX_EXISTS)
        return true;
    if (e->kind == LH_EX_FUNC && e->u.func.over == NULL && e->u.func.over_name == NULL &&
        e->name.count == 1 && lh_agg_find(e->name.parts[0].text) != NULL)
        return false; /* an aggregate call */
    for (int i = 0; i < e->args.count; i++)
        if (bare_reference(e->args.items[i]))
            return true;
    if (e->kind == LH_EX_CASE) {
        if (bare_reference(e->u.case_.operand) || bare_reference(e->u.case_.else_))
            return true;
        for (int i = 0; i < e->u.case_.whens.count; i++)
            if (bare_reference(e->u.case_.whens.items[i]) ||
                bare_reference(e->u.case_.thens.items[i]))
                return true;
    }
    return false;
}

static lh_err group_all(binder *b, const ectx *pre, const lh_ast_select_t *s, agg_ctx *g)
{
    for (int i = 0; i < pre->sc->count; i++) /* a column named `all` wins */
        if (strcasecmp(pre->sc->cols[i].name, "all") == 0) {
            lh_ast_expr_t *col = lh_arena_calloc(b->a, 1, sizeof *col);
            col->kind = LH_EX_COLUMN;
            col->name.parts = lh_arena_calloc(b->a, 1, sizeof *col->name.parts);
            col->name.parts[0].text = pre->sc->cols[i].name;
            col->name.count = 1;
            lh_expr_t *k;
            int idx;
            LH_TRY(bx_expr(b, pre, col, &k));
            return add_key(b, g, k, &idx);
        }
    for (int i = 0; i < s->items.count; i++) {
        const lh_ast_expr_t *e = s->items.items[i].expr;
        if (bx_has_agg(e) && bare_reference(e))
            return lh_sqlerr(b->eb, "UNRESOLVED_ALL_IN_GROUP_BY", NULL);
        if (bx_has_agg(e) || e->kind == LH_EX_STAR)
            continue;
        lh_expr_t *k;
        int idx;
        LH_TRY(bx_expr(b, pre, e, &k));
        if (lh_expr_is_foldable(k))
            continue;
        LH_TRY(add_key(b, g, k, &idx));
        note_sub_key(b, g, e, k, idx);
    }
    return LH_OK;
}

/* Fill g's keys and (for ROLLUP/CUBE/GROUPING SETS) the set masks. A trailing WITH ROLLUP or
 * WITH CUBE makes the plain expressions one ROLLUP/CUBE; a trailing GROUPING SETS (with = 3)
 * lists the sets itself, the expressions before it only declare keys. */
static lh_err group_by(binder *b, const ectx *pre, const lh_ast_select_t *s, agg_ctx *g,
                       int *set_count, uint64_t **sets)
{
    const lh_ast_group_by_t *gb = &s->group_by;
    *set_count = 0;
    *sets = NULL;
    if (gb->all)
        return group_all(b, pre, s, g);
    uint64_t base = 0;
    int plain_n = 0;
    uint64_t *plain = lh_arena_calloc(b->a, (size_t)gb->count + 1, sizeof *plain);
    uint64_t one = 0;
    uint64_t *cur = &one;
    int cur_n = 1;
    bool has_sets = false;
    for (int i = 0; i < gb->count; i++) {
        const lh_ast_group_item_t *it = &gb->items[i];
        if (it->kind == LH_GROUP_EXPR) {
            int idx;
            LH_TRY(group_key(b, pre, s, g, it->expr, &idx));
            plain[plain_n++] = 1ull << idx;
            if (gb->with != 3)
                base |= 1ull << idx;
            continue;
        }
        int out_n;
        uint64_t *outm;
        LH_TRY(item_sets(b, pre, s, g, it, &outm, &out_n));
        LH_TRY(cross_sets(b, &cur, &cur_n, outm, out_n));
        has_sets = true;
    }
    if (gb->with == 1 || gb->with == 2) {
        if (plain_n > 12)
            return lh_sqlerr(b->eb, "GROUPING_SIZE_LIMIT_EXCEEDED", "maxSize", "12", NULL);
        int out_n;
        uint64_t *outm =
            expand_sets(b, gb->with == 1 ? LH_GROUP_ROLLUP : LH_GROUP_CUBE, plain, plain_n, &out_n);
        LH_TRY(cross_sets(b, &cur, &cur_n, outm, out_n));
        has_sets = true;
        base = 0;
    }
    if (!has_sets)
        return LH_OK;
    for (int j = 0; j < cur_n; j++)
        cur[j] |= base;
    *sets = cur;
    *set_count = cur_n;
    return LH_OK;
}

/* A generator over an aggregate (SELECT explode(collect_list(x)) .. GROUP BY): Spark runs it
 * on the aggregation's rows. Its argument binds with the SELECT list (collecting aggregates);
 * its columns enter the output as markers (GEN_MARKER - k) that gen_patch points at the
 * GENERATE node's columns once it is placed. */
#define GEN_MARKER (2 * LH_WIN_MARKER)

static lh_err agg_generator(binder *b, const ectx *post, const lh_ast_named_expr_t *it,
                            lh_expr_t **arg, outlist *o)
{
    LH_TRY(bg_arg(b, post, it->expr, arg));
    lh_ast_idents_t one = {it->alias, it->alias ? 1 : 0};
    const char *names[BG_COLS_MAX];
    lh_type_t types[BG_COLS_MAX];
    int n = 0;
    LH_TRY(bg_columns(b, it->expr, (*arg)->type, it->aliases.count ? &it->aliases : &one, &n, names,
                      types));
    for (int k = 0; k < n; k++)
        out_add(b, o, lh_expr_column(b->a, GEN_MARKER - k, types[k], true, names[k]), names[k]);
    return LH_OK;
}

static void gen_patch(lh_expr_t *e, int first)
{
    if (e->kind == LH_EXPR_COLUMN && e->column <= GEN_MARKER &&
        e->column > GEN_MARKER - BG_COLS_MAX)
        e->column = first + (GEN_MARKER - e->column);
    for (int i = 0; i < e->arg_count; i++)
        gen_patch(e->args[i], first);
}

/* ---- ORDER BY ----------------------------------------------------------------------------- */

/* *out = the key e under it's direction and NULL placement; a type without an order (a
 * calendar interval) is DATATYPE_MISMATCH.INVALID_ORDERING_TYPE, as Spark's SortOrder. */
static lh_err sort_key(binder *b, lh_expr_t *e, const lh_ast_sort_item_t *it, lh_sort_key_t *out)
{
    bool desc = it->desc;
    bool nulls_first = it->nulls == 1 ? true : it->nulls == 2 ? false : !desc;
    *out = (lh_sort_key_t){e, desc, nulls_first};
    return bx_orderable(b, out, "sortorder");
}

/* The header of an unaliased SELECT item: Spark names a CAST of a column after the column
 * (ResolveAliases: a Cast of a NamedExpression keeps its name), else bx_name. */
static const char *item_name(binder *b, const lh_ast_expr_t *ast, const lh_expr_t *e)
{
    if (ast->kind == LH_EX_CAST && ast->args.count > 0 &&
        ast->args.items[0]->kind == LH_EX_COLUMN) {
        const lh_expr_t *c = e;
        while (c->kind != LH_EXPR_COLUMN && c->arg_count >= 1)
            c = c->args[0];
        const lh_ast_name_t *nm = &ast->args.items[0]->name;
        return c->kind == LH_EXPR_COLUMN && c->name ? c->name : nm->parts[nm->count - 1].text;
    }
    return bx_name(b, ast);
}

/* An ORDER BY item that names an output column (ordinal or alias), or -1. */
static lh_err output_ref(binder *b, const lh_ast_expr_t *e, const outlist *o, int visible, int *pos)
{
    *pos = -1;
    if (e->kind == LH_EX_LITERAL && e->u.lit.kind == LH_LIT_NUMBER &&
        ordinals(b, "spark.sql.orderByOrdinal")) {
        long n = strtol(e->u.lit.text, NULL, 10);
        if (n < 1 || n > visible)
            return lh_sqlerr(b->eb, "ORDER_BY_POS_OUT_OF_RANGE", "index",
                             lh_arena_sprintf(b->a, "%ld", n), "size",
                             lh_arena_sprintf(b->a, "%d", visible), NULL);
        *pos = (int)n - 1;
        return LH_OK;
    }
    if (e->kind == LH_EX_COLUMN && e->name.count == 1)
        for (int i = 0; i < visible; i++)
            if (strcasecmp(o->names[i], e->name.parts[0].text) == 0) {
                *pos = i;
                return LH_OK;
            }
    return LH_OK;
}

/* ORDER BY ALL (Spark 3.4+): one item, the bare name `all` (any case), naming no column of
 * the output nor of the level's input: sort by every output column, left to right, in the
 * item's direction and null order. */
static bool order_by_all(const lh_ast_sort_t *order, const outlist *o, int visible, const scope *sc)
{
    if (order == NULL || order->count != 1)
        return false;
    const lh_ast_expr_t *e = order->items[0].expr;
    if (e->kind != LH_EX_COLUMN || e->name.count != 1 ||
        strcasecmp(e->name.parts[0].text, "all") != 0)
        return false;
    for (int i = 0; i < visible; i++)
        if (strcasecmp(o->names[i], "all") == 0)
            return false;
    for (int i = 0; sc && i < sc->count; i++)
        if (strcasecmp(sc->cols[i].name, "all") == 0)
            return false;
    return true;
}

static lh_plan_t *sort_node(binder *b, lh_plan_t *child, int n, lh_sort_key_t *keys)
{
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_SORT, child->col_count, 1);
    p->children[0] = child;
    memcpy(p->col_names, child->col_names, (size_t)child->col_count * sizeof *p->col_names);
    memcpy(p->col_types, child->col_types, (size_t)child->col_count * sizeof *p->col_types);
    memcpy(p->col_nullable, child->col_nullable, (size_t)child->col_count * sizeof(bool));
    p->u.sort.key_count = n;
    p->u.sort.keys = keys;
    p->u.sort.limit = -1;
    p->est_rows = child->est_rows;
    return p;
}

/* ---- one SELECT level --------------------------------------------------------------------- */

static lh_plan_t *aggregate_node(binder *b, lh_plan_t *child, agg_ctx *g, int set_count,
                                 uint64_t *sets)
{
    int n = g->key_count + g->agg_count;
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_AGGREGATE, n, 1);
    p->children[0] = child;
    for (int i = 0; i < g->key_count; i++) {
        p->col_names[i] = g->keys[i]->name ? g->keys[i]->name : "key";
        p->col_types[i] = g->keys[i]->type;
        p->col_nullable[i] = g->keys[i]->nullable || set_count > 0;
    }
    for (int i = 0; i < g->agg_count; i++) {
        p->col_names[g->key_count + i] = g->aggs[i].name;
        p->col_types[g->key_count + i] = g->aggs[i].type;
        p->col_nullable[g->key_count + i] = true;
    }
    p->u.aggregate.key_count = g->key_count;
    p->u.aggregate.keys = g->keys;
    p->u.aggregate.agg_count = g->agg_count;
    p->u.aggregate.aggs = g->aggs;
    p->u.aggregate.set_count = set_count;
    p->u.aggregate.sets = sets;
    p->est_rows = child->est_rows >= 0 ? (g->key_count ? child->est_rows / 10 : 1) : -1;
    return p;
}

static lh_plan_t *window_node(binder *b, lh_plan_t *child, const win_ctx *w)
{
    int n = child->col_count + w->count;
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_WINDOW, n, 1);
    p->children[0] = child;
    for (int i = 0; i < child->col_count; i++) {
        p->col_names[i] = child->col_names[i];
        p->col_types[i] = child->col_types[i];
        p->col_nullable[i] = child->col_nullable[i];
    }
    for (int i = 0; i < w->count; i++) {
        p->col_names[child->col_count + i] = w->calls[i].name;
        p->col_types[child->col_count + i] = w->calls[i].type;
        p->col_nullable[child->col_count + i] = true;
    }
    p->u.window.call_count = w->count;
    p->u.window.calls = w->calls;
    p->est_rows = child->est_rows;
    return p;
}

static lh_err bind_select_level(binder *b, const lh_ast_select_t *s, const lh_ast_sort_t *order,
                                lh_plan_t **out);

static lh_err bind_select(binder *b, const lh_ast_select_t *s, const lh_ast_sort_t *order,
                          lh_plan_t **out)
{
    const lh_ast_select_t *outer = b->sel;
    b->sel = s;
    lh_err e = bind_select_level(b, s, order, out);
    b->sel = outer;
    return e;
}

static lh_err bind_select_level(binder *b, const lh_ast_select_t *s, const lh_ast_sort_t *order,
                                lh_plan_t **out)
{
    lh_plan_t *plan;
    scope sc = {0};
    if (s->from != NULL) {
        LH_TRY(bf_relation(b, s->from, &plan, &sc));
    } else {
        plan = lh_plan_new(b->a, LH_PLAN_VALUES, 0, 0);
        plan->u.values.row_count = 1;
        plan->u.values.rows = lh_arena_calloc(b->a, 1, sizeof *plan->u.values.rows);
        plan->est_rows = 1;
    }
    for (int i = 0; i < s->lateral_count; i++) { /* bind_generate.c */
        const lh_ast_lateral_view_t *lv = &s->laterals[i];
        int first, count;
        LH_TRY(bg_generate(b, lv->call, lv->outer, lv->table ? lv->table->text : "", &lv->columns,
                           &plan, &sc, &first, &count));
    }
    sub_stage where_subs = {0}, select_subs = {0};
    ectx pre = {&sc, MODE_PRE, NULL, "WHERE", NULL, &where_subs};
    win_ctx win = {s, 0, 0, NULL};
    /* HAVING without GROUP BY makes one group, or (legacy setting) is a second WHERE */
    const lh_ast_expr_t *having_ast = s->having;
    const char *legacy =
        lh_session_get(b->env->session, "spark.sql.legacy.parser.havingWithoutGroupByAsWhere");
    bool having_where = having_ast != NULL && !s->group_by.present && legacy != NULL &&
                        strcasecmp(legacy, "true") == 0;
    for (int k = 0; k < 2; k++) {
        const lh_ast_expr_t *w = k == 0 ? s->where : having_where ? having_ast : NULL;
        if (w == NULL)
            continue;
        lh_expr_t *pred;
        LH_TRY(bsq_where(b, &pre, w, &plan, &pred));
        if (pred != NULL)
            plan = filter(b, plan, pred);
    }
    if (having_where)
        having_ast = NULL;
    pre.sub = NULL;
    bool aggregating = s->group_by.present || having_ast != NULL;
    for (int i = 0; !aggregating && i < s->items.count; i++)
        aggregating = bx_has_agg(s->items.items[i].expr);
    for (int i = 0; !aggregating && order && i < order->count; i++)
        aggregating = bx_has_agg(order->items[i].expr);
    sub_stage agg_subs = {0};
    int gen_item = -1, gen_first = 0, gen_count = 0; /* a generator in the SELECT list */
    lh_expr_t *gen_arg = NULL; /* ... over an aggregate: its argument, over the aggregation */
    for (int i = 0; i < s->items.count; i++) {
        if (bg_generator(s->items.items[i].expr) < 0)
            continue;
        if (gen_item >= 0)
            return lh_sqlerr(b->eb, "UNSUPPORTED_GENERATOR.MULTI_GENERATOR", "num", "2",
                             "generators", "", NULL);
        gen_item = i;
    }
    if (gen_item >= 0 && !aggregating) {
        const lh_ast_named_expr_t *it = &s->items.items[gen_item];
        lh_ast_idents_t one = {it->alias, it->alias ? 1 : 0};
        LH_TRY(bg_generate(b, it->expr, false, NULL, it->aliases.count ? &it->aliases : &one, &plan,
                           &sc, &gen_first, &gen_count));
    }
    agg_ctx g = {0};
    g.args_sub = &agg_subs;
    g.global = !s->group_by.present;
    int set_count = 0;
    uint64_t *sets = NULL;
    if (aggregating) { /* correlated subqueries in keys join before the aggregation */
        ectx gpre = pre;
        gpre.clause = "GROUP BY";
        gpre.sub = &agg_subs;
        LH_TRY(group_by(b, &gpre, s, &g, &set_count, &sets));
    }
    g.has_sets = set_count > 0;
    ectx post = {
        &sc,         aggregating ? MODE_POST : MODE_PRE, aggregating ? &g : NULL, "SELECT", &win,
        &select_subs};
    /* select list */
    outlist o = {0};
    for (int i = 0; i < s->items.count; i++) {
        const lh_ast_named_expr_t *it = &s->items.items[i];
        if (it->expr->kind == LH_EX_STAR) {
            if (aggregating)
                return lh_sqlerr(b->eb, "MISSING_AGGREGATION", "expression", "\"*\"",
                                 "expressionAnyValue", "\"any_value(*)\"", NULL);
            LH_TRY(expand_star(b, &post, it->expr, &o));
            continue;
        }
        if (i == gen_item && aggregating) { /* generated after the aggregation */
            LH_TRY(agg_generator(b, &post, it, &gen_arg, &o));
            continue;
        }
        if (i == gen_item && gen_count > 0) {
            for (int k = 0; k < gen_count; k++)
                out_add(b, &o,
                        lh_expr_column(b->a, gen_first + k, plan->col_types[gen_first + k], true,
                                       plan->col_names[gen_first + k]),
                        plan->col_names[gen_first + k]);
            continue;
        }
        lh_expr_t *e;
        LH_TRY(bx_expr(b, &post, it->expr, &e));
        out_add(b, &o, e, it->alias ? it->alias->text : item_name(b, it->expr, e));
    }
    int visible = o.count;
    lh_expr_t *having = NULL;
    if (having_ast != NULL) {
        ectx h = post;
        h.clause = "HAVING";
        h.win = NULL;
        h.aliases = &s->items; /* HAVING k > 1 with k a SELECT alias */
        LH_TRY(bx_bool(b, &h, having_ast, &having));
    }
    /* ORDER BY: output columns by position or name, else expressions (hidden columns) */
    bool all = order_by_all(order, &o, visible, &sc);
    int key_count = all ? visible : order ? order->count : 0;
    lh_sort_key_t *keys = lh_arena_calloc(b->a, (size_t)key_count + 1, sizeof *keys);
    for (int i = 0; all && i < key_count; i++)
        LH_TRY(sort_key(b,
                        lh_expr_column(b->a, i, o.exprs[i]->type, o.exprs[i]->nullable, o.names[i]),
                        &order->items[0], &keys[i]));
    for (int i = 0; !all && i < key_count; i++) {
        const lh_ast_sort_item_t *it = &order->items[i];
        int pos;
        LH_TRY(output_ref(b, it->expr, &o, visible, &pos));
        if (pos < 0) {
            lh_expr_t *e;
            ectx ord = post; /* ORDER BY -alias: SELECT aliases inside expressions */
            ord.aliases = &s->items;
            lh_err err = bx_expr(b, &ord, it->expr, &e);
            /* ORDER BY over an aggregation sees its output: a bare column that is neither
             * grouped nor selected is unresolved there (Spark) */
            if (err != LH_OK && aggregating && it->expr->kind == LH_EX_COLUMN &&
                b->eb->error_code && strcmp(b->eb->error_code, "MISSING_AGGREGATION") == 0)
                return lh_sqlerr(b->eb, "UNRESOLVED_COLUMN.WITH_SUGGESTION", "objectName",
                                 lh_arena_sprintf(b->a, "`%s`", bx_name(b, it->expr)), "proposal",
                                 "", NULL);
            LH_TRY(err);
            for (int k = 0; k < o.count && pos < 0; k++)
                if (bx_equal(o.exprs[k], e))
                    pos = k;
            if (pos < 0) {
                if (s->distinct)
                    return lh_sqlerr(b->eb, "UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", "objectName",
                                     bx_name(b, it->expr), NULL);
                out_add(b, &o, e, bx_name(b, it->expr));
                pos = o.count - 1;
            }
        }
        LH_TRY(sort_key(
            b, lh_expr_column(b->a, pos, o.exprs[pos]->type, o.exprs[pos]->nullable, o.names[pos]),
            it, &keys[i]));
    }
    lh_expr_t *qualify = NULL;
    if (s->qualify != NULL) {
        ectx q = post;
        q.clause = "QUALIFY";
        q.aliases = &s->items;
        LH_TRY(bx_bool(b, &q, s->qualify, &qualify));
    }
    if (agg_subs.count > 0) { /* correlated subqueries in aggregate arguments and keys */
        LH_TRY(bsq_apply(b, &agg_subs, &plan));
        for (int i = 0; i < g.key_count; i++)
            bsq_patch(&agg_subs, g.keys[i]);
        for (int i = 0; i < g.agg_count; i++) {
            for (int k = 0; k < g.aggs[i].arg_count; k++)
                bsq_patch(&agg_subs, g.aggs[i].args[k]);
            bsq_patch(&agg_subs, g.aggs[i].filter);
        }
    }
    if (aggregating)
        plan = aggregate_node(b, plan, &g, set_count, sets);
    if (select_subs.slot_count > 0 || select_subs.count > 0) { /* correlated subqueries' joins */
        LH_TRY(bsq_apply(b, &select_subs, &plan));
        for (int i = 0; i < o.count; i++)
            bsq_patch(&select_subs, o.exprs[i]);
        bsq_patch(&select_subs, having);
        bsq_patch(&select_subs, qualify);
    }
    if (aggregating && having != NULL)
        plan = filter(b, plan, having);
    if (gen_arg != NULL) {
        const lh_ast_named_expr_t *it = &s->items.items[gen_item];
        lh_ast_idents_t one = {it->alias, it->alias ? 1 : 0};
        scope none = {0};
        LH_TRY(bg_generate_arg(b, it->expr, gen_arg, false, NULL,
                               it->aliases.count ? &it->aliases : &one, &plan, &none, &gen_first,
                               &gen_count));
        for (int i = 0; i < o.count; i++)
            gen_patch(o.exprs[i], gen_first);
    }
    if (win.count > 0) {
        plan = window_node(b, plan, &win);
        int base = plan->col_count - win.count;
        for (int i = 0; i < o.count; i++)
            bw_patch(o.exprs[i], base);
        if (qualify != NULL)
            bw_patch(qualify, base);
    }
    if (qualify != NULL)
        plan = filter(b, plan, qualify);
    plan = project(b, plan, o.count, o.exprs, o.names);
    if (s->distinct) {
        agg_ctx d = {0};
        for (int i = 0; i < visible; i++) {
            int idx;
            LH_TRY(add_key(b, &d,
                           lh_expr_column(b->a, i, plan->col_types[i], plan->col_nullable[i],
                                          plan->col_names[i]),
                           &idx));
        }
        lh_plan_t *agg = aggregate_node(b, plan, &d, 0, NULL);
        for (int i = 0; i < visible; i++)
            agg->col_names[i] = plan->col_names[i];
        plan = agg;
    }
    if (key_count > 0)
        plan = sort_node(b, plan, key_count, keys);
    if (o.count > visible)
        plan = project_prefix(b, plan, visible);
    *out = plan;
    return LH_OK;
}

/* ---- query levels --------------------------------------------------------------------- */

static lh_err order_output(binder *b, lh_plan_t **plan, const lh_ast_sort_t *order)
{
    if (order->count == 0)
        return LH_OK;
    scope sc = bf_scope_of(b, *plan, NULL);
    outlist o = {(*plan)->col_count, (*plan)->col_count, NULL, (*plan)->col_names};
    lh_sort_key_t *keys = lh_arena_calloc(b->a, (size_t)order->count + 1, sizeof *keys);
    ectx x = {&sc, MODE_PRE, NULL, "ORDER BY"};
    if (order_by_all(order, &o, (*plan)->col_count, NULL)) {
        int n = (*plan)->col_count;
        keys = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *keys);
        for (int i = 0; i < n; i++)
            LH_TRY(sort_key(b,
                            lh_expr_column(b->a, i, (*plan)->col_types[i], (*plan)->col_nullable[i],
                                           (*plan)->col_names[i]),
                            &order->items[0], &keys[i]));
        *plan = sort_node(b, *plan, n, keys);
        return LH_OK;
    }
    for (int i = 0; i < order->count; i++) {
        int pos;
        LH_TRY(output_ref(b, order->items[i].expr, &o, (*plan)->col_count, &pos));
        lh_expr_t *e;
        if (pos >= 0)
            e = lh_expr_column(b->a, pos, (*plan)->col_types[pos], (*plan)->col_nullable[pos],
                               (*plan)->col_names[pos]);
        else
            LH_TRY(bx_expr(b, &x, order->items[i].expr, &e));
        LH_TRY(sort_key(b, e, &order->items[i], &keys[i]));
    }
    *plan = sort_node(b, *plan, order->count, keys);
    return LH_OK;
}

static lh_err limit(binder *b, const lh_ast_query_t *q, lh_plan_t **plan)
{
    if (q->limit == NULL && q->offset == NULL)
        return LH_OK;
    int64_t lim = -1, off = 0;
    if (q->limit != NULL)
        LH_TRY(bx_fold_int(b, q->limit, "limit", &lim));
    if (q->offset != NULL)
        LH_TRY(bx_fold_int(b, q->offset, "offset", &off));
    lh_plan_t *child = *plan, *p = lh_plan_new(b->a, LH_PLAN_LIMIT, child->col_count, 1);
    p->children[0] = child;
    memcpy(p->col_names, child->col_names, (size_t)child->col_count * sizeof *p->col_names);
    memcpy(p->col_types, child->col_types, (size_t)child->col_count * sizeof *p->col_types);
    memcpy(p->col_nullable, child->col_nullable, (size_t)child->col_count * sizeof(bool));
    p->u.limit.limit = lim;
    p->u.limit.offset = off;
    p->est_rows = lim >= 0 ? (double)lim : child->est_rows;
    *plan = p;
    return LH_OK;
}

/* The operands and operators of a chain of set operations, in order (a node with its own
 * ORDER BY, LIMIT or CTEs is an operand). */
static bool plain_setop(const lh_ast_query_t *q)
{
    return q->kind == LH_Q_SETOP && q->order_by.count == 0 && q->limit == NULL &&
           q->offset == NULL && q->cte_count == 0;
}

static void flatten_setops(const lh_ast_query_t *q, const lh_ast_query_t **ops, int *n,
                           const lh_ast_query_t **operands, int *m, int max)
{
    if (!plain_setop(q) || *m >= max - 1) {
        operands[(*m)++] = q;
        return;
    }
    flatten_setops(q->left, ops, n, operands, m, max);
    ops[(*n)++] = q;
    flatten_setops(q->right, ops, n, operands, m, max);
}

/* spark.sql.legacy.setopsPrecedence.enabled: every set operator binds alike, left to right
 * (the parser gives INTERSECT the higher precedence): the chain rebuilt left-deep. */
static const lh_ast_query_t *legacy_setops(binder *b, const lh_ast_query_t *q)
{
    const char *v = lh_session_get(b->env->session, "spark.sql.legacy.setopsPrecedence.enabled");
    if (v == NULL || strcasecmp(v, "true") != 0)
        return q;
    enum { MAX = 64 };
    const lh_ast_query_t *ops[MAX], *operands[MAX];
    int n = 0, m = 0;
    flatten_setops(q->left, ops, &n, operands, &m, MAX);
    ops[n++] = q;
    flatten_setops(q->right, ops, &n, operands, &m, MAX);
    if (m != n + 1)
        return q;
    const lh_ast_query_t *left = operands[0];
    for (int i = 0; i < n; i++) {
        lh_ast_query_t *node = lh_arena_calloc(b->a, 1, sizeof *node);
        *node = *ops[i];
        node->left = (lh_ast_query_t *)left;
        node->right = (lh_ast_query_t *)operands[i + 1];
        if (i < n - 1) { /* the query's own ORDER BY / LIMIT / CTEs stay on the top node */
            node->order_by = (lh_ast_sort_t){0};
            node->limit = node->offset = NULL;
            node->ctes = NULL;
            node->cte_count = 0;
        } else {
            node->order_by = q->order_by;
            node->limit = q->limit;
            node->offset = q->offset;
        }
        left = node;
    }
    return left;
}

static lh_err setop(binder *b, const lh_ast_query_t *q, lh_plan_t **out)
{
    lh_plan_t *l, *r;
    LH_TRY(bq_query(b, q->left, &l));
    LH_TRY(bq_query(b, q->right, &r));
    if (l->col_count != r->col_count)
        return lh_sqlerr(b->eb, "NUM_COLUMNS_MISMATCH", "operator",
                         q->setop == LH_SET_UNION       ? "UNION"
                         : q->setop == LH_SET_INTERSECT ? "INTERSECT"
                                                        : "EXCEPT",
                         "firstNumColumns", lh_arena_sprintf(b->a, "%d", l->col_count),
                         "invalidOrdinalNum", "second", "invalidNumColumns",
                         lh_arena_sprintf(b->a, "%d", r->col_count), NULL);
    int n = l->col_count;
    lh_expr_t **le = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *le);
    lh_expr_t **re = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *re);
    for (int i = 0; i < n; i++) {
        lh_type_t t;
        lh_errbuf scratch, *saved = b->eb;
        b->eb = &scratch;
        lh_err err = bx_common_type(b, l->col_types[i], r->col_types[i], &t);
        b->eb = saved;
        if (err != LH_OK) {
            static const char *const ord[] = {"first", "second", "third", "fourth", "fifth"};
            return lh_sqlerr(
                b->eb, "INCOMPATIBLE_COLUMN_TYPE", "operator",
                lh_arena_sprintf(b->a, "%s%s",
                                 q->setop == LH_SET_UNION       ? "UNION"
                                 : q->setop == LH_SET_INTERSECT ? "INTERSECT"
                                                                : "EXCEPT",
                                 q->set_quant == 1 ? " ALL" : ""),
                "columnOrdinalNumber", i < 5 ? ord[i] : lh_arena_sprintf(b->a, "%dth", i + 1),
                "tableOrdinalNumber", "second", "dataType1",
                lh_arena_sprintf(b->a, "\"%s\"", bs_type_text(b, r->col_types[i])), "dataType2",
                lh_arena_sprintf(b->a, "\"%s\"", bs_type_text(b, l->col_types[i])), "hint", "",
                NULL);
        }
        le[i] = lh_expr_column(b->a, i, l->col_types[i], l->col_nullable[i], l->col_names[i]);
        re[i] = lh_expr_column(b->a, i, r->col_types[i], r->col_nullable[i], r->col_names[i]);
        LH_TRY(bx_coerce(b, &le[i], t));
        LH_TRY(bx_coerce(b, &re[i], t));
    }
    l = project(b, l, n, le, l->col_names);
    r = project(b, r, n, re, l->col_names);
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_SETOP, n, 2);
    p->children[0] = l;
    p->children[1] = r;
    for (int i = 0; i < n; i++) {
        p->col_names[i] = l->col_names[i];
        p->col_types[i] = l->col_types[i];
        p->col_nullable[i] = l->col_nullable[i] || r->col_nullable[i];
    }
    p->u.setop.kind = q->setop == LH_SET_UNION       ? LH_SETOP_UNION
                      : q->setop == LH_SET_INTERSECT ? LH_SETOP_INTERSECT
                                                     : LH_SETOP_EXCEPT;
    p->u.setop.all = q->set_quant == 1;
    p->est_rows = l->est_rows + r->est_rows;
    *out = p;
    return LH_OK;
}

lh_err bq_query(binder *b, const lh_ast_query_t *q, lh_plan_t **out)
{
    if (++b->depth > 64) {
        b->depth--;
        return lh_sqlerr(b->eb, "INTERNAL_ERROR", "message", "queries nested too deeply", NULL);
    }
    cte_def *saved = b->ctes;
    for (int i = 0; i < q->cte_count; i++) {
        cte_def *c = lh_arena_calloc(b->a, 1, sizeof *c);
        c->name = q->ctes[i].name.text;
        c->cte = &q->ctes[i];
        c->recursive = q->recursive;
        c->next = b->ctes;
        b->ctes = c;
    }
    lh_err e = LH_OK;
    const lh_ast_sort_t *order = &q->order_by;
    switch (q->kind) {
    case LH_Q_SELECT:
        e = bind_select(b, q->select, order, out);
        order = NULL;
        break;
    case LH_Q_SETOP:
        e = setop(b, legacy_setops(b, q), out);
        break;
    case LH_Q_PAREN:
        e = bq_query(b, q->inner, out);
        break;
    case LH_Q_TABLE: {
        scope sc;
        e = bf_table(b, &q->table, NULL, out, &sc);
        break;
    }
    case LH_Q_VALUES: {
        lh_ast_rel_t r = {.kind = LH_REL_VALUES,
                          .rows = q->rows,
                          .row_count = q->row_count,
                          .alias = q->values_alias,
                          .col_aliases = q->values_columns};
        scope sc;
        e = bf_relation(b, &r, out, &sc);
        for (int i = 0; e == LH_OK && i < q->values_columns.count; i++) /* VALUES .. t(a, b) */
            (*out)->col_names[i] = q->values_columns.items[i].text;
        break;
    }
    }
    if (e == LH_OK && order != NULL)
        e = order_output(b, out, order);
    if (e == LH_OK)
        e = limit(b, q, out);
    /* Spark analyzes a CTE nobody references too (its missing tables are errors). Inside a
     * subquery only for the outer columns it reads, which name the subquery
     * (scalarsubquery(id)): they are no outer references of its plan, and errors there are
     * left alone */
    for (cte_def *c = b->ctes; e == LH_OK && c != saved; c = c->next) {
        if (c->used || br_is_recursive(c)) /* (a recursive one runs where it is read) */
            continue;
        binder inner = *b;
        inner.ctes = c->next;
        lh_plan_t *unused;
        if (b->corr == NULL) {
            e = bq_query(&inner, c->cte->query, &unused);
            continue;
        }
        lh_errbuf scratch;
        lh_errbuf_clear(&scratch);
        inner.eb = &scratch;
        int refs = bsq_ref_count(b);
        (void)bq_query(&inner, c->cte->query, &unused);
        bsq_ref_truncate(b, refs);
    }
    b->ctes = saved;
    b->depth--;
    return e;
}
