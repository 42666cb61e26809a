/*
 * parse_query.c - queries: WITH, set operations (INTERSECT binds tighter than UNION,
 * EXCEPT and MINUS, as Spark's default), SELECT bodies, VALUES, TABLE, parenthesized
 * queries, the query organization (ORDER/SORT/CLUSTER/DISTRIBUTE BY, WINDOW, LIMIT,
 * OFFSET) and FROM relations (tables with time travel and TABLESAMPLE, table functions,
 * subqueries, VALUES, joins, PIVOT/UNPIVOT, LATERAL VIEW).
 */
#include <strings.h>

#include "compute/sql/parser_internal.h"
#include "compute/sql/sqlerr.h"

bool lh_p_starts_query(const parser_t *p, uint32_t k)
{
    if (lh_p_is_kw(p, k, "SELECT") || lh_p_is_kw(p, k, "WITH") || lh_p_is_kw(p, k, "VALUES") ||
        lh_p_is_kw(p, k, "FROM"))
        return true;
    if (lh_p_is_kw(p, k, "TABLE") && lh_p_is_ident(p, k + 1))
        return true;
    for (uint32_t j = k; lh_p_is_op(p, j, "("); j++)
        if (lh_p_is_kw(p, j + 1, "SELECT") || lh_p_is_kw(p, j + 1, "WITH") ||
            lh_p_is_kw(p, j + 1, "VALUES") || lh_p_is_kw(p, j + 1, "FROM") ||
            (lh_p_is_kw(p, j + 1, "TABLE") && lh_p_is_ident(p, j + 2)))
            return true;
    return false;
}

static lh_ast_query_t *new_query(parser_t *p, lh_ast_query_kind_t kind, uint32_t first)
{
    lh_ast_query_t *q = lh_arena_calloc(p->arena, 1, sizeof *q);
    q->kind = kind;
    q->span.start = p->toks[first].start;
    return q;
}

/* FROM FROM t: a relation follows the second FROM (a name, not a clause's keyword, or a
 * parenthesis). */
static bool from_alias(parser_t *p)
{
    const lh_token_t *t = lh_p_peek(p, 2);
    if (lh_p_is_op(p, 2, "("))
        return true;
    return lh_p_is_ident(p, 2) &&
           !(t->kind == LH_TK_WORD && lh_sql_keyword_ends_clause(t->value, t->value_len));
}

lh_err lh_p_named_expr_list(parser_t *p, lh_ast_named_exprs_t *out)
{
    memset(out, 0, sizeof *out);
    do {
        lh_ast_named_expr_t ne = {0};
        LH_TRY(lh_p_expr(p, &ne.expr));
        if (ne.expr->kind == LH_EX_STAR) {
            PUSH(p, out->items, out->count, ne);
            continue;
        }
        if (lh_p_is_kw(p, 0, "AS") && lh_p_is_op(p, 1, "(")) {
            p->pos++;
            ne.as_written = true;
            LH_TRY(lh_p_ident_list(p, &ne.aliases));
        } else if (lh_p_is_kw(p, 0, "FROM") && lh_p_is_kw(p, 1, "FROM") && from_alias(p)) {
            /* `count(*) FROM FROM t`: Spark reads the first FROM as the item's alias (a
             * non-reserved keyword outside ANSI's reserved words); `x FROM from` stays the
             * table `from` */
            const lh_token_t *t = lh_p_peek(p, 0);
            lh_ast_ident_t *id = lh_arena_calloc(p->arena, 1, sizeof *id);
            id->text = t->value;
            id->span.start = t->start;
            id->span.stop = t->stop;
            ne.alias = id;
            p->pos++;
        } else {
            ne.as_written = lh_p_is_kw(p, 0, "AS");
            LH_TRY(lh_p_alias(p, &ne.alias, false));
        }
        PUSH(p, out->items, out->count, ne);
    } while (lh_p_accept_op(p, ","));
    return LH_OK;
}

lh_err lh_p_values_rows(parser_t *p, lh_ast_exprs_t **rows, int *count)
{
    *rows = NULL;
    *count = 0;
    do {
        lh_ast_expr_t *e;
        LH_TRY(lh_p_expr(p, &e));
        lh_ast_exprs_t row = {0};
        if (e->kind == LH_EX_ROW)
            row = e->args;
        else
            PUSH(p, row.items, row.count, e);
        PUSH(p, *rows, *count, row);
    } while (lh_p_accept_op(p, ","));
    return LH_OK;
}

/* Spark checks an inline table's shape at parse time: every row as wide as the column
 * aliases (or as the first row without them). */
static lh_err check_inline_table(parser_t *p, uint32_t values_tok, const lh_ast_exprs_t *rows,
                                 int count, int alias_count)
{
    int want = alias_count ? alias_count : count ? rows[0].count : 0;
    for (int i = 0; i < count; i++)
        if (rows[i].count != want) {
            const lh_token_t *t = &p->toks[values_tok];
            return lh_sqlerr_at(p->eb, (int)t->line, (int)t->col,
                                "INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH", "expectedNumCols",
                                lh_arena_sprintf(p->arena, "%d", want), "actualNumCols",
                                lh_arena_sprintf(p->arena, "%d", rows[i].count), "rowIndex",
                                lh_arena_sprintf(p->arena, "%d", i), NULL);
        }
    return LH_OK;
}

/* ---- relations ------------------------------------------------------------------------ */

static lh_ast_rel_t *new_rel(parser_t *p, lh_ast_rel_kind_t kind, uint32_t first)
{
    lh_ast_rel_t *r = lh_arena_calloc(p->arena, 1, sizeof *r);
    r->kind = kind;
    r->span.start = p->toks[first].start;
    return r;
}

static lh_err table_alias(parser_t *p, lh_ast_rel_t *r)
{
    LH_TRY(lh_p_alias(p, &r->alias, true));
    if (r->alias && lh_p_is_op(p, 0, "(") && lh_p_is_ident(p, 1))
        LH_TRY(lh_p_ident_list(p, &r->col_aliases));
    return LH_OK;
}

static lh_err time_travel(parser_t *p, lh_ast_rel_t *r)
{
    uint32_t k = lh_p_is_kw(p, 0, "FOR") ? 1 : 0;
    bool version = lh_p_is_kw(p, k, "VERSION") || lh_p_is_kw(p, k, "SYSTEM_VERSION");
    bool ts = lh_p_is_kw(p, k, "TIMESTAMP") || lh_p_is_kw(p, k, "SYSTEM_TIME");
    if ((version || ts) && lh_p_is_kw(p, k + 1, "AS") && lh_p_is_kw(p, k + 2, "OF")) {
        p->pos += k + 3;
        r->travel = lh_arena_calloc(p->arena, 1, sizeof *r->travel);
        r->travel->kind = version ? 1 : 2;
        return lh_p_expr(p, &r->travel->value);
    }
    if (lh_p_is_op(p, 0, "@") && (lh_p_is_ident(p, 1) || lh_p_peek(p, 1)->kind == LH_TK_NUMBER)) {
        const lh_token_t *t = lh_p_peek(p, 1);
        r->travel = lh_arena_calloc(p->arena, 1, sizeof *r->travel);
        r->travel->kind = (t->value[0] == 'v' || t->value[0] == 'V') ? 3 : 4;
        r->travel->at_text = t->value;
        p->pos += 2;
    }
    return LH_OK;
}

static lh_err tablesample(parser_t *p, lh_ast_rel_t *r)
{
    if (!lh_p_accept_kw(p, "TABLESAMPLE"))
        return LH_OK;
    lh_ast_sample_t *s = lh_arena_calloc(p->arena, 1, sizeof *s);
    LH_TRY(lh_p_expect_op(p, "("));
    if (lh_p_accept_kw(p, "BUCKET")) {
        s->kind = 3;
        LH_TRY(lh_p_expr(p, &s->value));
        LH_TRY(lh_p_expect_kw(p, "OUT"));
        LH_TRY(lh_p_expect_kw(p, "OF"));
        LH_TRY(lh_p_expr(p, &s->value2));
        if (lh_p_accept_kw(p, "ON"))
            LH_TRY(lh_p_expr(p, &s->on));
    } else {
        LH_TRY(lh_p_expr(p, &s->value));
        s->kind = lh_p_accept_kw(p, "PERCENT") ? 1 : lh_p_accept_kw(p, "ROWS") ? 2 : 4;
    }
    LH_TRY(lh_p_expect_op(p, ")"));
    if (lh_p_accept_kw(p, "REPEATABLE")) {
        LH_TRY(lh_p_expect_op(p, "("));
        LH_TRY(lh_p_expr(p, &s->repeatable));
        LH_TRY(lh_p_expect_op(p, ")"));
    }
    r->sample = s;
    return LH_OK;
}

static lh_err table_or_func(parser_t *p, uint32_t first, lh_ast_rel_t **out)
{
    lh_ast_name_t name;
    LH_TRY(lh_p_name(p, &name));
    lh_ast_rel_t *r;
    if (lh_p_is_op(p, 0, "(")) {
        r = new_rel(p, LH_REL_FUNC, first);
        LH_TRY(lh_p_func_call(p, name, first, &r->call));
    } else {
        r = new_rel(p, LH_REL_TABLE, first);
        r->name = name;
        LH_TRY(time_travel(p, r));
    }
    LH_TRY(tablesample(p, r));
    LH_TRY(table_alias(p, r));
    *out = r;
    return LH_OK;
}

static lh_err relation_primary(parser_t *p, lh_ast_rel_t **out)
{
    uint32_t first = p->pos;
    lh_ast_rel_t *r;
    bool lateral = lh_p_accept_kw(p, "LATERAL"), done = false;
    lh_ast_expr_t *sub;
    if (lh_p_is_op(p, 0, "(")) /* ((SELECT 1) AS a JOIN t) is a relation */
        LH_TRY(lh_p_try_subquery(p, &sub, &done));
    if (done) {
        r = new_rel(p, LH_REL_QUERY, first);
        r->query = sub->query;
        LH_TRY(tablesample(p, r));
        LH_TRY(table_alias(p, r));
    } else if (!lateral && lh_p_accept_op(p, "(")) {
        LH_TRY(lh_p_enter(p));
        LH_TRY(lh_p_relation(p, &r));
        LH_TRY(lh_p_expect_op(p, ")"));
        lh_p_leave(p);
        if (r->alias == NULL && r->kind == LH_REL_JOIN) {
            /* (a JOIN b) [alias]: keep the join, alias applies to it */
        }
        LH_TRY(table_alias(p, r));
    } else if (!lateral && lh_p_is_kw(p, 0, "VALUES")) {
        r = new_rel(p, LH_REL_VALUES, first);
        p->pos++;
        LH_TRY(lh_p_values_rows(p, &r->rows, &r->row_count));
        LH_TRY(table_alias(p, r));
        LH_TRY(check_inline_table(p, first, r->rows, r->row_count, r->col_aliases.count));
    } else if (!lateral && p->copy != NULL && p->copy->source == NULL && lh_p_is_string(p, 0)) {
        /* COPY INTO's FROM 'path': a read_files call the binder completes */
        const lh_token_t *t = lh_p_peek(p, 0);
        p->copy->path_start = t->start;
        p->copy->path_stop = t->stop;
        LH_TRY(lh_p_string(p, &p->copy->source));
        r = new_rel(p, LH_REL_FUNC, first);
        lh_ast_ident_t *id = lh_arena_calloc(p->arena, 1, sizeof *id);
        id->text = "read_files";
        r->call = lh_p_new_expr(p, LH_EX_FUNC, first);
        r->call->name = (lh_ast_name_t){id, 1, lh_p_span(p, first)};
        LH_TRY(table_alias(p, r));
    } else if (lh_p_is_ident(p, 0)) {
        LH_TRY(table_or_func(p, first, &r));
        if (lateral && r->kind != LH_REL_FUNC)
            return lh_p_fail_at(p, first + 1);
    } else {
        return lh_p_fail(p);
    }
    r->lateral = lateral;
    r->span = lh_p_span(p, first);
    *out = r;
    return LH_OK;
}

static lh_err pivot_values(parser_t *p, lh_ast_named_exprs_t *out)
{
    memset(out, 0, sizeof *out);
    LH_TRY(lh_p_expect_op(p, "("));
    do {
        lh_ast_named_expr_t ne = {0};
        LH_TRY(lh_p_expr(p, &ne.expr));
        ne.as_written = lh_p_is_kw(p, 0, "AS");
        LH_TRY(lh_p_alias(p, &ne.alias, false));
        PUSH(p, out->items, out->count, ne);
    } while (lh_p_accept_op(p, ","));
    return lh_p_expect_op(p, ")");
}

/* A column name as an LH_EX_COLUMN (PIVOT/UNPIVOT columns are names, not expressions). */
static lh_err column_name(parser_t *p, lh_ast_exprs_t *out)
{
    uint32_t f = p->pos;
    lh_ast_expr_t *c = lh_p_new_expr(p, LH_EX_COLUMN, f);
    LH_TRY(lh_p_name(p, &c->name));
    c->span = lh_p_span(p, f);
    PUSH(p, out->items, out->count, c);
    return LH_OK;
}

static lh_err pivot(parser_t *p, lh_ast_rel_t **io, uint32_t first)
{
    lh_ast_rel_t *r = new_rel(p, LH_REL_PIVOT, first);
    r->left = *io;
    p->pos++; /* PIVOT */
    LH_TRY(lh_p_expect_op(p, "("));
    LH_TRY(lh_p_named_expr_list(p, &r->pivot.aggs));
    LH_TRY(lh_p_expect_kw(p, "FOR"));
    bool paren = lh_p_accept_op(p, "(");
    do /* pivot columns are names: "FOR y IN (..)" is not a predicate */
        LH_TRY(column_name(p, &r->pivot.columns));
    while (paren && lh_p_accept_op(p, ","));
    if (paren)
        LH_TRY(lh_p_expect_op(p, ")"));
    LH_TRY(lh_p_expect_kw(p, "IN"));
    LH_TRY(pivot_values(p, &r->pivot.values));
    LH_TRY(lh_p_expect_op(p, ")"));
    LH_TRY(table_alias(p, r));
    r->span = lh_p_span(p, first);
    *io = r;
    return LH_OK;
}

static lh_err unpivot_in(parser_t *p, lh_ast_rel_t *r)
{
    LH_TRY(lh_p_expect_op(p, "("));
    do {
        lh_ast_exprs_t cols = {0};
        bool paren = lh_p_accept_op(p, "(");
        do
            LH_TRY(column_name(p, &cols));
        while (paren && lh_p_accept_op(p, ","));
        if (paren)
            LH_TRY(lh_p_expect_op(p, ")"));
        lh_ast_ident_t *alias;
        LH_TRY(lh_p_alias(p, &alias, false));
        PUSH(p, r->unpivot.in_columns, r->unpivot.in_count, cols);
        r->unpivot.in_count--;
        PUSH(p, r->unpivot.in_aliases, r->unpivot.in_count, alias);
    } while (lh_p_accept_op(p, ","));
    return lh_p_expect_op(p, ")");
}

static lh_err unpivot(parser_t *p, lh_ast_rel_t **io, uint32_t first)
{
    lh_ast_rel_t *r = new_rel(p, LH_REL_UNPIVOT, first);
    r->left = *io;
    p->pos++; /* UNPIVOT */
    if (lh_p_is_kw(p, 0, "INCLUDE") || lh_p_is_kw(p, 0, "EXCLUDE")) {
        r->unpivot.nulls = lh_p_is_kw(p, 0, "INCLUDE") ? 1 : 2;
        p->pos++;
        LH_TRY(lh_p_expect_kw(p, "NULLS"));
    }
    LH_TRY(lh_p_expect_op(p, "("));
    if (lh_p_is_op(p, 0, "(")) {
        LH_TRY(lh_p_ident_list(p, &r->unpivot.value_columns));
    } else {
        lh_ast_ident_t id;
        LH_TRY(lh_p_ident(p, &id));
        PUSH(p, r->unpivot.value_columns.items, r->unpivot.value_columns.count, id);
    }
    LH_TRY(lh_p_expect_kw(p, "FOR"));
    LH_TRY(lh_p_ident(p, &r->unpivot.name_column));
    LH_TRY(lh_p_expect_kw(p, "IN"));
    LH_TRY(unpivot_in(p, r));
    LH_TRY(lh_p_expect_op(p, ")"));
    LH_TRY(table_alias(p, r));
    r->span = lh_p_span(p, first);
    *io = r;
    return LH_OK;
}

/* Join keywords at the current token: kind, natural, and how many tokens before JOIN. */
static bool join_head(const parser_t *p, lh_ast_join_kind_t *kind, bool *natural, bool *outer,
                      uint32_t *len)
{
    uint32_t k = 0;
    *natural = lh_p_is_kw(p, 0, "NATURAL");
    k += *natural;
    *outer = false;
    *kind = LH_JOIN_INNER;
    if (lh_p_is_kw(p, k, "INNER")) {
        k++;
    } else if (lh_p_is_kw(p, k, "CROSS")) {
        *kind = LH_JOIN_CROSS;
        k++;
    } else if (lh_p_is_kw(p, k, "LEFT") || lh_p_is_kw(p, k, "RIGHT") || lh_p_is_kw(p, k, "FULL")) {
        *kind = lh_p_is_kw(p, k, "LEFT")    ? LH_JOIN_LEFT
                : lh_p_is_kw(p, k, "RIGHT") ? LH_JOIN_RIGHT
                                            : LH_JOIN_FULL;
        k++;
        if (*kind == LH_JOIN_LEFT && lh_p_is_kw(p, k, "SEMI")) {
            *kind = LH_JOIN_LEFT_SEMI;
            k++;
        } else if (*kind == LH_JOIN_LEFT && lh_p_is_kw(p, k, "ANTI")) {
            *kind = LH_JOIN_LEFT_ANTI;
            k++;
        } else if (lh_p_is_kw(p, k, "OUTER")) {
            *outer = true;
            k++;
        }
    } else if (lh_p_is_kw(p, k, "SEMI") || lh_p_is_kw(p, k, "ANTI")) {
        *kind = lh_p_is_kw(p, k, "SEMI") ? LH_JOIN_LEFT_SEMI : LH_JOIN_LEFT_ANTI;
        k++;
    }
    *len = k;
    return lh_p_is_kw(p, k, "JOIN");
}

static lh_err join(parser_t *p, lh_ast_rel_t **io, uint32_t first, lh_ast_join_kind_t kind,
                   bool natural, bool outer)
{
    lh_ast_rel_t *j = new_rel(p, LH_REL_JOIN, first);
    j->left = *io;
    j->join.kind = kind;
    j->join.natural = natural;
    j->join.outer_written = outer;
    LH_TRY(relation_primary(p, &j->right));
    while (lh_p_is_kw(p, 0, "PIVOT") || lh_p_is_kw(p, 0, "UNPIVOT")) {
        uint32_t f = p->pos;
        LH_TRY(lh_p_is_kw(p, 0, "PIVOT") ? pivot(p, &j->right, f) : unpivot(p, &j->right, f));
    }
    if (!natural && lh_p_accept_kw(p, "ON"))
        LH_TRY(lh_p_expr(p, &j->join.on));
    else if (!natural && lh_p_is_kw(p, 0, "USING")) {
        p->pos++;
        LH_TRY(lh_p_ident_list(p, &j->join.using_));
    }
    j->span = lh_p_span(p, first);
    *io = j;
    return LH_OK;
}

lh_err lh_p_relation(parser_t *p, lh_ast_rel_t **out)
{
    uint32_t first = p->pos;
    lh_ast_rel_t *r;
    LH_TRY(relation_primary(p, &r));
    for (int chain = 0;; chain++) {
        LH_TRY(lh_p_enter(p)); /* joins nest left-deep: count each */
        lh_ast_join_kind_t kind;
        bool natural, outer;
        uint32_t len;
        if (lh_p_is_kw(p, 0, "PIVOT")) {
            LH_TRY(pivot(p, &r, first));
        } else if (lh_p_is_kw(p, 0, "UNPIVOT")) {
            LH_TRY(unpivot(p, &r, first));
        } else if (join_head(p, &kind, &natural, &outer, &len)) {
            p->pos += len + 1;
            LH_TRY(join(p, &r, first, kind, natural, outer));
        } else {
            p->depth -= chain + 1;
            break;
        }
    }
    *out = r;
    return LH_OK;
}

static lh_err from_clause(parser_t *p, lh_ast_rel_t **out)
{
    uint32_t first = p->pos;
    LH_TRY(lh_p_relation(p, out));
    int chain = 0;
    while (lh_p_accept_op(p, ",")) {
        LH_TRY(lh_p_enter(p));
        chain++;
        lh_ast_rel_t *j = new_rel(p, LH_REL_JOIN, first);
        j->left = *out;
        j->join.kind = LH_JOIN_COMMA;
        LH_TRY(lh_p_relation(p, &j->right));
        j->span = lh_p_span(p, first);
        *out = j;
    }
    p->depth -= chain;
    return LH_OK;
}

static lh_err lateral_view(parser_t *p, lh_ast_select_t *s)
{
    uint32_t first = p->pos;
    p->pos += 2; /* LATERAL VIEW */
    lh_ast_lateral_view_t lv = {0};
    lv.outer = lh_p_accept_kw(p, "OUTER");
    lh_ast_name_t name;
    LH_TRY(lh_p_name(p, &name));
    LH_TRY(lh_p_func_call(p, name, first + 2 + lv.outer, &lv.call));
    if (lh_p_is_ident(p, 0) && !lh_p_is_kw(p, 0, "AS") &&
        !lh_sql_keyword_ends_clause(lh_p_peek(p, 0)->value, lh_p_peek(p, 0)->value_len)) {
        lv.table = lh_arena_calloc(p->arena, 1, sizeof *lv.table);
        LH_TRY(lh_p_ident(p, lv.table));
    }
    bool as = lh_p_accept_kw(p, "AS");
    if (as || (lh_p_is_ident(p, 0) &&
               !lh_sql_keyword_ends_clause(lh_p_peek(p, 0)->value, lh_p_peek(p, 0)->value_len))) {
        do {
            lh_ast_ident_t id;
            LH_TRY(lh_p_ident(p, &id));
            PUSH(p, lv.columns.items, lv.columns.count, id);
        } while (lh_p_accept_op(p, ","));
    }
    PUSH(p, s->laterals, s->lateral_count, lv);
    return LH_OK;
}

/* ---- GROUP BY ----------------------------------------------------------------------------- */

static lh_err group_item(parser_t *p, lh_ast_group_item_t *it, bool nested);

/* One element of ROLLUP/CUBE/GROUPING SETS: (a, b), (), a, or a nested analytic. */
static lh_err grouping_set(parser_t *p, lh_ast_grouping_set_t *gs, bool in_sets)
{
    memset(gs, 0, sizeof *gs);
    lh_ast_exprs_t *out = &gs->exprs;
    bool analytic =
        ((lh_p_is_kw(p, 0, "ROLLUP") || lh_p_is_kw(p, 0, "CUBE")) && lh_p_is_op(p, 1, "(")) ||
        (lh_p_is_kw(p, 0, "GROUPING") && lh_p_is_kw(p, 1, "SETS"));
    if (in_sets && analytic) {
        gs->nested = lh_arena_calloc(p->arena, 1, sizeof *gs->nested);
        return group_item(p, gs->nested, true);
    }
    if (lh_p_is_op(p, 0, "(")) {
        uint32_t save = p->pos;
        p->pos++;
        if (lh_p_accept_op(p, ")"))
            return LH_OK;
        lh_errbuf scratch;
        lh_errbuf *eb = p->eb;
        p->eb = &scratch;
        lh_err e = lh_p_expr_list(p, out);
        p->eb = eb;
        if (e == LH_OK && lh_p_accept_op(p, ")") &&
            (lh_p_is_op(p, 0, ",") || lh_p_is_op(p, 0, ")")))
            return LH_OK;
        p->pos = save; /* an expression that starts with '(' */
        memset(out, 0, sizeof *out);
    }
    lh_ast_expr_t *x;
    LH_TRY(lh_p_expr(p, &x));
    PUSH(p, out->items, out->count, x);
    return LH_OK;
}

static lh_err group_item(parser_t *p, lh_ast_group_item_t *it, bool nested)
{
    memset(it, 0, sizeof *it);
    LH_TRY(lh_p_enter(p));
    bool rollup = lh_p_is_kw(p, 0, "ROLLUP"), cube = lh_p_is_kw(p, 0, "CUBE");
    bool sets = lh_p_is_kw(p, 0, "GROUPING") && lh_p_is_kw(p, 1, "SETS");
    if ((rollup || cube) && lh_p_is_op(p, 1, "(")) {
        it->kind = rollup ? LH_GROUP_ROLLUP : LH_GROUP_CUBE;
        p->pos++;
    } else if (sets && lh_p_is_op(p, 2, "(")) {
        it->kind = LH_GROUP_GROUPING_SETS;
        p->pos += 2;
    } else if (nested) {
        return lh_p_fail(p);
    } else {
        it->kind = LH_GROUP_EXPR;
        LH_TRY(lh_p_expr(p, &it->expr));
        lh_p_leave(p);
        return LH_OK;
    }
    LH_TRY(lh_p_expect_op(p, "("));
    do {
        lh_ast_grouping_set_t set;
        LH_TRY(grouping_set(p, &set, it->kind == LH_GROUP_GROUPING_SETS));
        PUSH(p, it->sets, it->set_count, set);
    } while (lh_p_accept_op(p, ","));
    LH_TRY(lh_p_expect_op(p, ")"));
    lh_p_leave(p);
    return LH_OK;
}

static lh_err group_by(parser_t *p, lh_ast_group_by_t *g)
{
    g->present = true;
    if (lh_p_is_kw(p, 0, "ALL") && !lh_p_is_op(p, 1, "(") && !lh_p_is_op(p, 1, ".") &&
        !lh_p_is_op(p, 1, ",")) {
        p->pos++;
        g->all = true;
        return LH_OK;
    }
    do {
        lh_ast_group_item_t it;
        LH_TRY(group_item(p, &it, false));
        PUSH(p, g->items, g->count, it);
    } while (lh_p_accept_op(p, ","));
    if (lh_p_is_kw(p, 0, "GROUPING") && lh_p_is_kw(p, 1, "SETS") && lh_p_is_op(p, 2, "(")) {
        lh_ast_group_item_t it;
        LH_TRY(group_item(p, &it, false));
        PUSH(p, g->items, g->count, it);
        g->with = 3;
        return LH_OK;
    }
    if (lh_p_is_kw(p, 0, "WITH") && (lh_p_is_kw(p, 1, "ROLLUP") || lh_p_is_kw(p, 1, "CUBE"))) {
        g->with = lh_p_is_kw(p, 1, "ROLLUP") ? 1 : 2;
        p->pos += 2;
    }
    return LH_OK;
}

/* WINDOW w AS (..), v AS (..) */
static lh_err window_clause(parser_t *p, lh_ast_named_window_t **ws, int *count)
{
    uint32_t first = p->pos;
    p->pos++; /* WINDOW */
    do {
        lh_ast_named_window_t w;
        LH_TRY(lh_p_ident(p, &w.name));
        LH_TRY(lh_p_expect_kw(p, "AS"));
        if (lh_p_is_ident(p, 0)) { /* WINDOW w AS v */
            w.spec = lh_arena_calloc(p->arena, 1, sizeof *w.spec);
            w.spec->base = lh_arena_calloc(p->arena, 1, sizeof *w.spec->base);
            LH_TRY(lh_p_ident(p, w.spec->base));
        } else {
            LH_TRY(lh_p_window_spec(p, &w.spec));
        }
        for (int i = 0; i < *count; i++)
            if (strcasecmp((*ws)[i].name.text, w.name.text) == 0) {
                const lh_token_t *t = &p->toks[first];
                return lh_sqlerr_at(p->eb, (int)t->line, (int)t->col,
                                    "INVALID_SQL_SYNTAX.REPETITIVE_WINDOW_DEFINITION", "windowName",
                                    lh_arena_sprintf(p->arena, "`%s`", w.name.text), NULL);
            }
        PUSH(p, *ws, *count, w);
    } while (lh_p_accept_op(p, ","));
    return LH_OK;
}

/* ---- SELECT ------------------------------------------------------------------------------- */

static lh_err select_tail(parser_t *p, lh_ast_select_t *s)
{
    while (lh_p_is_kw(p, 0, "LATERAL") && lh_p_is_kw(p, 1, "VIEW"))
        LH_TRY(lateral_view(p, s));
    if (lh_p_accept_kw(p, "WHERE"))
        LH_TRY(lh_p_expr(p, &s->where));
    if (lh_p_is_kw(p, 0, "GROUP") && lh_p_is_kw(p, 1, "BY")) {
        p->pos += 2;
        LH_TRY(group_by(p, &s->group_by));
    }
    if (lh_p_accept_kw(p, "HAVING"))
        LH_TRY(lh_p_expr(p, &s->having));
    for (int round = 0; round < 2; round++) {
        if (lh_p_is_kw(p, 0, "WINDOW") && s->window_count == 0)
            LH_TRY(window_clause(p, &s->windows, &s->window_count));
        if (s->qualify == NULL && lh_p_accept_kw(p, "QUALIFY"))
            LH_TRY(lh_p_expr(p, &s->qualify));
    }
    return LH_OK;
}

static lh_err select_body(parser_t *p, lh_ast_select_t *s)
{
    LH_TRY(lh_p_expect_kw(p, "SELECT"));
    if (lh_p_accept_kw(p, "DISTINCT"))
        s->distinct = true;
    else if (lh_p_is_kw(p, 0, "ALL") && !lh_p_is_op(p, 1, "(") && !lh_p_is_op(p, 1, ",") &&
             !lh_p_is_op(p, 1, "."))
        s->all_written = lh_p_accept_kw(p, "ALL");
    LH_TRY(lh_p_named_expr_list(p, &s->items));
    if (s->from == NULL && lh_p_accept_kw(p, "FROM"))
        LH_TRY(from_clause(p, &s->from));
    return select_tail(p, s);
}

static lh_err query_primary(parser_t *p, lh_ast_query_t **out)
{
    uint32_t first = p->pos;
    lh_ast_query_t *q;
    if (lh_p_is_kw(p, 0, "SELECT") || lh_p_is_kw(p, 0, "FROM")) {
        q = new_query(p, LH_Q_SELECT, first);
        q->select = lh_arena_calloc(p->arena, 1, sizeof *q->select);
        if (lh_p_accept_kw(p, "FROM")) { /* FROM t SELECT ... */
            LH_TRY(from_clause(p, &q->select->from));
            if (!lh_p_is_kw(p, 0, "SELECT")) { /* FROM t alone: SELECT * */
                lh_ast_named_expr_t ne = {lh_p_new_expr(p, LH_EX_STAR, first)};
                PUSH(p, q->select->items.items, q->select->items.count, ne);
                LH_TRY(select_tail(p, q->select));
                goto done;
            }
        }
        LH_TRY(select_body(p, q->select));
    } else if (lh_p_accept_kw(p, "VALUES")) {
        q = new_query(p, LH_Q_VALUES, first);
        LH_TRY(lh_p_values_rows(p, &q->rows, &q->row_count));
        LH_TRY(lh_p_alias(p, &q->values_alias, true));
        if (q->values_alias && lh_p_is_op(p, 0, "(") && lh_p_is_ident(p, 1))
            LH_TRY(lh_p_ident_list(p, &q->values_columns));
        LH_TRY(check_inline_table(p, first, q->rows, q->row_count, q->values_columns.count));
    } else if (lh_p_accept_kw(p, "TABLE")) {
        q = new_query(p, LH_Q_TABLE, first);
        LH_TRY(lh_p_name(p, &q->table));
    } else if (lh_p_accept_op(p, "(")) {
        q = new_query(p, LH_Q_PAREN, first);
        LH_TRY(lh_p_query(p, &q->inner));
        LH_TRY(lh_p_expect_op(p, ")"));
    } else {
        return lh_p_fail(p);
    }
done:
    q->span = lh_p_span(p, first);
    *out = q;
    return LH_OK;
}

static bool setop_at(const parser_t *p, bool intersect, lh_ast_setop_t *op)
{
    if (intersect) {
        *op = LH_SET_INTERSECT;
        return lh_p_is_kw(p, 0, "INTERSECT");
    }
    *op = lh_p_is_kw(p, 0, "UNION")    ? LH_SET_UNION
          : lh_p_is_kw(p, 0, "EXCEPT") ? LH_SET_EXCEPT
                                       : LH_SET_MINUS;
    return lh_p_is_kw(p, 0, "UNION") || lh_p_is_kw(p, 0, "EXCEPT") || lh_p_is_kw(p, 0, "MINUS");
}

static lh_err query_term(parser_t *p, bool intersect, lh_ast_query_t **out)
{
    uint32_t first = p->pos;
    lh_ast_query_t *left;
    LH_TRY(intersect ? query_primary(p, &left) : query_term(p, true, &left));
    lh_ast_setop_t op;
    int chain = 0;
    while (setop_at(p, intersect, &op)) {
        LH_TRY(lh_p_enter(p)); /* set operations nest left-deep: count each */
        chain++;
        p->pos++;
        lh_ast_query_t *q = new_query(p, LH_Q_SETOP, first);
        q->setop = op;
        q->set_quant = lh_p_accept_kw(p, "ALL") ? 1 : lh_p_accept_kw(p, "DISTINCT") ? 2 : 0;
        q->left = left;
        LH_TRY(intersect ? query_primary(p, &q->right) : query_term(p, true, &q->right));
        q->span = lh_p_span(p, first);
        left = q;
    }
    p->depth -= chain;
    *out = left;
    return LH_OK;
}

lh_err lh_p_ctes(parser_t *p, lh_ast_query_t *q)
{
    uint32_t with = p->pos;
    p->pos++; /* WITH */
    q->recursive = lh_p_accept_kw(p, "RECURSIVE");
    do {
        lh_ast_cte_t c = {0};
        LH_TRY(lh_p_ident(p, &c.name));
        if (lh_p_is_op(p, 0, "("))
            LH_TRY(lh_p_ident_list(p, &c.columns));
        LH_TRY(lh_p_expect_kw(p, "AS"));
        LH_TRY(lh_p_expect_op(p, "("));
        LH_TRY(lh_p_query(p, &c.query));
        LH_TRY(lh_p_expect_op(p, ")"));
        for (int i = 0; i < q->cte_count; i++)
            if (strcasecmp(q->ctes[i].name.text, c.name.text) == 0) {
                const lh_token_t *t = &p->toks[with];
                return lh_sqlerr_at(p->eb, (int)t->line, (int)t->col, "DUPLICATED_CTE_NAMES",
                                    "duplicateNames",
                                    lh_arena_sprintf(p->arena, "`%s`", c.name.text), NULL);
            }
        PUSH(p, q->ctes, q->cte_count, c);
    } while (lh_p_accept_op(p, ","));
    return LH_OK;
}

static lh_err organization(parser_t *p, lh_ast_query_t *q)
{
    if (lh_p_is_kw(p, 0, "ORDER") && lh_p_is_kw(p, 1, "BY")) {
        p->pos += 2;
        LH_TRY(lh_p_sort_list(p, &q->order_by));
    }
    if (lh_p_is_kw(p, 0, "CLUSTER") && lh_p_is_kw(p, 1, "BY")) {
        p->pos += 2;
        LH_TRY(lh_p_expr_list(p, &q->cluster_by));
    }
    if (lh_p_is_kw(p, 0, "DISTRIBUTE") && lh_p_is_kw(p, 1, "BY")) {
        p->pos += 2;
        LH_TRY(lh_p_expr_list(p, &q->distribute_by));
    }
    if (lh_p_is_kw(p, 0, "SORT") && lh_p_is_kw(p, 1, "BY")) {
        p->pos += 2;
        LH_TRY(lh_p_sort_list(p, &q->sort_by));
    }
    if (lh_p_is_kw(p, 0, "WINDOW") && q->kind == LH_Q_SELECT && q->select->window_count == 0)
        LH_TRY(window_clause(p, &q->select->windows, &q->select->window_count));
    if (lh_p_accept_kw(p, "LIMIT")) {
        if (lh_p_accept_kw(p, "ALL"))
            q->limit_all = true;
        else
            LH_TRY(lh_p_expr(p, &q->limit));
    }
    if (lh_p_accept_kw(p, "OFFSET"))
        LH_TRY(lh_p_expr(p, &q->offset));
    return LH_OK;
}

/* ---- SQL pipe syntax (Spark 4): query |> operator |> ... ------------------------------------
 * Each operator reads the rows so far; it is written here as a query over the one before
 * (a subquery in FROM), so the binder sees plain SQL:
 *   SELECT items | EXTEND items (SELECT *, items) | DROP a, b (SELECT * EXCEPT (a, b))
 *   | AS t (the next operator's input is named t) | WHERE cond | AGGREGATE aggs [GROUP BY
 *   keys] (SELECT keys, aggs .. GROUP BY keys) | ORDER BY .. | LIMIT n [OFFSET m] | OFFSET m
 *   | [kind] JOIN rel ON/USING .. | UNION/INTERSECT/EXCEPT [ALL|DISTINCT] (query)
 *   | PIVOT (..) | UNPIVOT (..). SET and TABLESAMPLE are not built. */

static lh_ast_named_expr_t star_item(parser_t *p, uint32_t first)
{
    lh_ast_named_expr_t ne = {lh_p_new_expr(p, LH_EX_STAR, first)};
    return ne;
}

/* Whether q is SELECT * FROM rel [WHERE ..] and nothing else: an operator may then add its
 * clause to q itself (keeping the relations' names, as Spark's operators do), where
 * anything more needs a new query over q. */
static bool plain_star(const lh_ast_query_t *q, bool allow_where)
{
    const lh_ast_select_t *s = q->select;
    if (q->kind != LH_Q_SELECT || q->cte_count || q->order_by.count || q->sort_by.count ||
        q->cluster_by.count || q->distribute_by.count || q->limit || q->limit_all || q->offset ||
        s->from == NULL || s->distinct || s->lateral_count || (s->where && !allow_where) ||
        s->group_by.present || s->having || s->window_count || s->qualify || s->items.count != 1)
        return false;
    const lh_ast_expr_t *e = s->items.items[0].expr;
    return e->kind == LH_EX_STAR && e->name.count == 0 && e->u.star.except_count == 0 &&
           s->items.items[0].alias == NULL;
}

/* SELECT * FROM (prev) [AS alias]: the query an operator adds its clause to (prev itself
 * when it is a plain SELECT * over one relation or more, which alias can rename only when it
 * is one relation; with star false its items are cleared for the operator's). */
static lh_ast_query_t *pipe_over(parser_t *p, uint32_t first, lh_ast_query_t *prev,
                                 lh_ast_ident_t *alias, bool star)
{
    if (plain_star(prev, star) && (alias == NULL || prev->select->from->kind != LH_REL_JOIN)) {
        if (alias != NULL) {
            prev->select->from->alias = alias;
            prev->select->from->col_aliases = (lh_ast_idents_t){0};
        }
        if (!star)
            prev->select->items.count = 0;
        return prev;
    }
    lh_ast_query_t *q = new_query(p, LH_Q_SELECT, first);
    q->select = lh_arena_calloc(p->arena, 1, sizeof *q->select);
    lh_ast_rel_t *src = new_rel(p, LH_REL_QUERY, first);
    src->query = prev;
    src->alias = alias;
    q->select->from = src;
    if (star)
        PUSH(p, q->select->items.items, q->select->items.count, star_item(p, first));
    return q;
}

static lh_err pipe_ops(parser_t *p, uint32_t first, lh_ast_query_t **io)
{
    lh_ast_ident_t *alias = NULL; /* |> AS t: names the next operator's input */
    while (lh_p_accept_op(p, "|>")) {
        lh_ast_query_t *prev = *io, *q;
        if (lh_p_accept_kw(p, "AS")) {
            alias = lh_arena_calloc(p->arena, 1, sizeof *alias);
            LH_TRY(lh_p_ident(p, alias));
            continue;
        }
        lh_ast_setop_t op;
        if (setop_at(p, false, &op) || setop_at(p, true, &op)) {
            p->pos++;
            q = new_query(p, LH_Q_SETOP, first);
            q->setop = op;
            q->set_quant = lh_p_accept_kw(p, "ALL") ? 1 : lh_p_accept_kw(p, "DISTINCT") ? 2 : 0;
            q->left = alias ? pipe_over(p, first, prev, alias, true) : prev;
            LH_TRY(lh_p_expect_op(p, "("));
            LH_TRY(lh_p_query(p, &q->right));
            LH_TRY(lh_p_expect_op(p, ")"));
        } else if (lh_p_accept_kw(p, "SELECT")) {
            q = pipe_over(p, first, prev, alias, false);
            q->select->distinct = lh_p_accept_kw(p, "DISTINCT");
            LH_TRY(lh_p_named_expr_list(p, &q->select->items));
        } else if (lh_p_accept_kw(p, "EXTEND")) {
            q = pipe_over(p, first, prev, alias, true);
            lh_ast_named_exprs_t more = {0};
            LH_TRY(lh_p_named_expr_list(p, &more));
            for (int i = 0; i < more.count; i++)
                PUSH(p, q->select->items.items, q->select->items.count, more.items[i]);
        } else if (lh_p_accept_kw(p, "DROP")) {
            q = pipe_over(p, first, prev, alias, true);
            lh_ast_expr_t *star = q->select->items.items[0].expr;
            do {
                lh_ast_name_t n;
                LH_TRY(lh_p_name(p, &n));
                PUSH(p, star->u.star.except_names, star->u.star.except_count, n);
            } while (lh_p_accept_op(p, ","));
        } else if (lh_p_accept_kw(p, "WHERE")) {
            q = pipe_over(p, first, prev, alias, true);
            lh_ast_expr_t *cond;
            LH_TRY(lh_p_expr(p, &cond));
            if (q->select->where != NULL) { /* an earlier WHERE on the same rows: both */
                lh_ast_expr_t *and = lh_p_new_expr(p, LH_EX_BINARY, first);
                and->op = LH_OP_AND;
                lh_ast_expr_t *two[2] = {q->select->where, cond};
                for (int i = 0; i < 2; i++)
                    PUSH(p, and->args.items, and->args.count, two[i]);
                cond = and;
            }
            q->select->where = cond;
        } else if (lh_p_accept_kw(p, "AGGREGATE")) {
            q = pipe_over(p, first, prev, alias, false);
            lh_ast_named_exprs_t aggs = {0}, keys = {0};
            if (!(lh_p_is_kw(p, 0, "GROUP") && lh_p_is_kw(p, 1, "BY")))
                LH_TRY(lh_p_named_expr_list(p, &aggs));
            if (lh_p_is_kw(p, 0, "GROUP") && lh_p_is_kw(p, 1, "BY")) {
                p->pos += 2;
                LH_TRY(lh_p_named_expr_list(p, &keys));
                q->select->group_by.present = true;
                for (int i = 0; i < keys.count; i++) {
                    lh_ast_group_item_t g = {.kind = LH_GROUP_EXPR, .expr = keys.items[i].expr};
                    PUSH(p, q->select->group_by.items, q->select->group_by.count, g);
                }
            }
            for (int i = 0; i < keys.count; i++) /* the grouping columns first */
                PUSH(p, q->select->items.items, q->select->items.count, keys.items[i]);
            for (int i = 0; i < aggs.count; i++)
                PUSH(p, q->select->items.items, q->select->items.count, aggs.items[i]);
            if (q->select->items.count == 0)
                return lh_p_fail(p);
        } else if ((lh_p_is_kw(p, 0, "ORDER") && lh_p_is_kw(p, 1, "BY")) ||
                   lh_p_is_kw(p, 0, "LIMIT") || lh_p_is_kw(p, 0, "OFFSET")) {
            q = pipe_over(p, first, prev, alias, true);
            LH_TRY(organization(p, q));
        } else if (lh_p_is_kw(p, 0, "PIVOT") || lh_p_is_kw(p, 0, "UNPIVOT")) {
            q = pipe_over(p, first, prev, alias, true);
            uint32_t f = p->pos;
            LH_TRY(lh_p_is_kw(p, 0, "PIVOT") ? pivot(p, &q->select->from, f)
                                             : unpivot(p, &q->select->from, f));
        } else {
            lh_ast_join_kind_t kind;
            bool natural, outer;
            uint32_t len;
            if (!join_head(p, &kind, &natural, &outer, &len))
                return lh_p_fail(p);
            q = pipe_over(p, first, prev, alias, true);
            p->pos += len + 1;
            LH_TRY(join(p, &q->select->from, first, kind, natural, outer));
        }
        alias = NULL;
        q->span = lh_p_span(p, first);
        *io = q;
    }
    if (alias != NULL) /* a final |> AS t */
        *io = pipe_over(p, first, *io, alias, true);
    return LH_OK;
}

lh_err lh_p_query(parser_t *p, lh_ast_query_t **out)
{
    uint32_t first = p->pos;
    LH_TRY(lh_p_enter(p));
    lh_ast_query_t holder = {0};
    if (lh_p_is_kw(p, 0, "WITH"))
        LH_TRY(lh_p_ctes(p, &holder));
    lh_ast_query_t *q;
    LH_TRY(query_term(p, false, &q));
    bool has_org = (lh_p_is_kw(p, 0, "ORDER") || lh_p_is_kw(p, 0, "CLUSTER") ||
                    lh_p_is_kw(p, 0, "DISTRIBUTE") || lh_p_is_kw(p, 0, "SORT")) &&
                   lh_p_is_kw(p, 1, "BY");
    has_org = has_org || lh_p_is_kw(p, 0, "LIMIT") || lh_p_is_kw(p, 0, "OFFSET") ||
              lh_p_is_kw(p, 0, "WINDOW");
    bool q_taken = q->cte_count || q->order_by.count || q->sort_by.count || q->cluster_by.count ||
                   q->distribute_by.count || q->limit || q->limit_all || q->offset;
    if ((holder.cte_count && q->cte_count) || (has_org && q_taken)) {
        lh_ast_query_t *wrap = new_query(p, LH_Q_PAREN, first);
        wrap->inner = q; /* keep both levels: e.g. (SELECT .. LIMIT 1) LIMIT 2 */
        q = wrap;
    }
    q->recursive = holder.recursive;
    if (holder.cte_count) {
        q->ctes = holder.ctes;
        q->cte_count = holder.cte_count;
    }
    LH_TRY(organization(p, q));
    q->span = lh_p_span(p, first);
    if (lh_p_is_op(p, 0, "|>"))
        LH_TRY(pipe_ops(p, first, &q));
    lh_p_leave(p);
    *out = q;
    return LH_OK;
}
