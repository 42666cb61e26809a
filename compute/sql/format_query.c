/*
 * format_query.c - printing queries and FROM relations (format.h).
 */
#include <string.h>

#include "compute/sql/format_internal.h"

static void fmt_named(sb_t *b, const lh_ast_named_exprs_t *l)
{
    for (int i = 0; i < l->count; i++) {
        const lh_ast_named_expr_t *ne = &l->items[i];
        lh_sb_put(b, i ? ", " : "");
        lh_fmt_expr(b, ne->expr);
        if (ne->alias) {
            lh_sb_put(b, " AS ");
            lh_sb_ident(b, ne->alias);
        } else if (ne->aliases.count) {
            lh_sb_put(b, " AS ");
            lh_sb_idents(b, &ne->aliases);
        }
    }
}

static void fmt_rows(sb_t *b, const lh_ast_exprs_t *rows, int count)
{
    lh_sb_put(b, "VALUES ");
    for (int i = 0; i < count; i++) {
        lh_sb_put(b, i ? ", (" : "(");
        lh_fmt_exprs(b, &rows[i]);
        lh_sb_put(b, ")");
    }
}

static void fmt_alias(sb_t *b, const lh_ast_rel_t *r)
{
    if (!r->alias)
        return;
    lh_sb_put(b, " AS ");
    lh_sb_ident(b, r->alias);
    if (r->col_aliases.count)
        lh_sb_idents(b, &r->col_aliases);
}

static void fmt_sample(sb_t *b, const lh_ast_sample_t *s)
{
    lh_sb_put(b, " TABLESAMPLE (");
    if (s->kind == 3) {
        lh_sb_put(b, "BUCKET ");
        lh_fmt_expr(b, s->value);
        lh_sb_put(b, " OUT OF ");
        lh_fmt_expr(b, s->value2);
        if (s->on) {
            lh_sb_put(b, " ON ");
            lh_fmt_expr(b, s->on);
        }
    } else {
        lh_fmt_expr(b, s->value);
        lh_sb_put(b, s->kind == 1 ? " PERCENT" : s->kind == 2 ? " ROWS" : "");
    }
    lh_sb_put(b, ")");
    if (s->repeatable) {
        lh_sb_put(b, " REPEATABLE (");
        lh_fmt_expr(b, s->repeatable);
        lh_sb_put(b, ")");
    }
}

static void fmt_join(sb_t *b, const lh_ast_rel_t *r)
{
    static const char *const kinds[] = {
        [LH_JOIN_INNER] = "JOIN",
        [LH_JOIN_CROSS] = "CROSS JOIN",
        [LH_JOIN_LEFT] = "LEFT JOIN",
        [LH_JOIN_RIGHT] = "RIGHT JOIN",
        [LH_JOIN_FULL] = "FULL JOIN",
        [LH_JOIN_LEFT_SEMI] = "LEFT SEMI JOIN",
        [LH_JOIN_LEFT_ANTI] = "LEFT ANTI JOIN",
        [LH_JOIN_COMMA] = ",",
    };
    lh_fmt_rel(b, r->left);
    if (r->join.kind == LH_JOIN_COMMA)
        lh_sb_put(b, ", ");
    else
        lh_sb_printf(b, " %s%s ", r->join.natural ? "NATURAL " : "", kinds[r->join.kind]);
    bool paren = r->right->kind == LH_REL_JOIN;
    lh_sb_put(b, paren ? "(" : "");
    lh_fmt_rel(b, r->right);
    lh_sb_put(b, paren ? ")" : "");
    if (r->join.on) {
        lh_sb_put(b, " ON ");
        lh_fmt_expr(b, r->join.on);
    } else if (r->join.using_.count) {
        lh_sb_put(b, " USING ");
        lh_sb_idents(b, &r->join.using_);
    }
}

static void fmt_pivot(sb_t *b, const lh_ast_rel_t *r)
{
    lh_fmt_rel(b, r->left);
    lh_sb_put(b, " PIVOT (");
    fmt_named(b, &r->pivot.aggs);
    lh_sb_put(b, " FOR ");
    bool many = r->pivot.columns.count > 1;
    lh_sb_put(b, many ? "(" : "");
    lh_fmt_exprs(b, &r->pivot.columns);
    lh_sb_put(b, many ? ") IN (" : " IN (");
    fmt_named(b, &r->pivot.values);
    lh_sb_put(b, "))");
}

static void fmt_unpivot(sb_t *b, const lh_ast_rel_t *r)
{
    lh_fmt_rel(b, r->left);
    lh_sb_put(b, " UNPIVOT ");
    lh_sb_put(b, r->unpivot.nulls == 1   ? "INCLUDE NULLS "
                 : r->unpivot.nulls == 2 ? "EXCLUDE NULLS "
                                         : "");
    lh_sb_put(b, "(");
    if (r->unpivot.value_columns.count == 1)
        lh_sb_ident(b, &r->unpivot.value_columns.items[0]);
    else
        lh_sb_idents(b, &r->unpivot.value_columns);
    lh_sb_put(b, " FOR ");
    lh_sb_ident(b, &r->unpivot.name_column);
    lh_sb_put(b, " IN (");
    for (int i = 0; i < r->unpivot.in_count; i++) {
        lh_sb_put(b, i ? ", " : "");
        bool many = r->unpivot.in_columns[i].count > 1;
        lh_sb_put(b, many ? "(" : "");
        lh_fmt_exprs(b, &r->unpivot.in_columns[i]);
        lh_sb_put(b, many ? ")" : "");
        if (r->unpivot.in_aliases[i]) {
            lh_sb_put(b, " AS ");
            lh_sb_ident(b, r->unpivot.in_aliases[i]);
        }
    }
    lh_sb_put(b, "))");
}

void lh_fmt_rel(sb_t *b, const lh_ast_rel_t *r)
{
    lh_sb_put(b, r->lateral ? "LATERAL " : "");
    switch (r->kind) {
    case LH_REL_TABLE:
        lh_sb_name(b, &r->name);
        if (r->travel && r->travel->kind >= 3)
            lh_sb_printf(b, "@%s", r->travel->at_text);
        else if (r->travel) {
            lh_sb_put(b, r->travel->kind == 1 ? " VERSION AS OF " : " TIMESTAMP AS OF ");
            lh_fmt_expr(b, r->travel->value);
        }
        break;
    case LH_REL_FUNC:
        lh_fmt_expr(b, r->call);
        break;
    case LH_REL_QUERY:
        lh_sb_put(b, "(");
        lh_fmt_query(b, r->query);
        lh_sb_put(b, ")");
        break;
    case LH_REL_VALUES:
        fmt_rows(b, r->rows, r->row_count);
        break;
    case LH_REL_JOIN:
        if (r->alias) {
            lh_sb_put(b, "(");
            fmt_join(b, r);
            lh_sb_put(b, ")");
        } else {
            fmt_join(b, r);
        }
        break;
    case LH_REL_PIVOT:
        fmt_pivot(b, r);
        break;
    case LH_REL_UNPIVOT:
        fmt_unpivot(b, r);
        break;
    }
    if (r->sample)
        fmt_sample(b, r->sample);
    fmt_alias(b, r);
}

/* ---- SELECT ---------------------------------------------------------------------------- */

static void fmt_group_item(sb_t *b, const lh_ast_group_item_t *it);

static void fmt_set_list(sb_t *b, const lh_ast_grouping_set_t *sets, int count)
{
    lh_sb_put(b, "(");
    for (int i = 0; i < count; i++) {
        lh_sb_put(b, i ? ", " : "");
        if (sets[i].nested) {
            fmt_group_item(b, sets[i].nested);
            continue;
        }
        lh_sb_put(b, "(");
        lh_fmt_exprs(b, &sets[i].exprs);
        lh_sb_put(b, ")");
    }
    lh_sb_put(b, ")");
}

static void fmt_group_item(sb_t *b, const lh_ast_group_item_t *it)
{
    static const char *const kinds[] = {"", "ROLLUP ", "CUBE ", "GROUPING SETS "};
    if (it->kind == LH_GROUP_EXPR) {
        lh_fmt_expr(b, it->expr);
        return;
    }
    lh_sb_put(b, kinds[it->kind]);
    fmt_set_list(b, it->sets, it->set_count);
}

static void fmt_group_by(sb_t *b, const lh_ast_group_by_t *g)
{
    lh_sb_put(b, " GROUP BY ");
    if (g->all) {
        lh_sb_put(b, "ALL");
        return;
    }
    for (int i = 0; i < g->count; i++) {
        lh_sb_put(b, !i ? "" : (g->with == 3 && i == g->count - 1) ? " " : ", ");
        fmt_group_item(b, &g->items[i]);
    }
    lh_sb_put(b, g->with == 1 ? " WITH ROLLUP" : g->with == 2 ? " WITH CUBE" : "");
}

static void fmt_lateral(sb_t *b, const lh_ast_lateral_view_t *lv)
{
    lh_sb_put(b, lv->outer ? " LATERAL VIEW OUTER " : " LATERAL VIEW ");
    lh_fmt_expr(b, lv->call);
    if (lv->table) {
        lh_sb_put(b, " ");
        lh_sb_ident(b, lv->table);
    }
    for (int i = 0; i < lv->columns.count; i++) {
        lh_sb_put(b, i ? ", " : " AS ");
        lh_sb_ident(b, &lv->columns.items[i]);
    }
}

static void fmt_select(sb_t *b, const lh_ast_select_t *s)
{
    lh_sb_put(b, s->distinct ? "SELECT DISTINCT " : "SELECT ");
    fmt_named(b, &s->items);
    if (s->from) {
        lh_sb_put(b, " FROM ");
        lh_fmt_rel(b, s->from);
    }
    for (int i = 0; i < s->lateral_count; i++)
        fmt_lateral(b, &s->laterals[i]);
    if (s->where) {
        lh_sb_put(b, " WHERE ");
        lh_fmt_expr(b, s->where);
    }
    if (s->group_by.present)
        fmt_group_by(b, &s->group_by);
    if (s->having) {
        lh_sb_put(b, " HAVING ");
        lh_fmt_expr(b, s->having);
    }
    for (int i = 0; i < s->window_count; i++) {
        lh_sb_put(b, i ? ", " : " WINDOW ");
        lh_sb_ident(b, &s->windows[i].name);
        lh_sb_put(b, " AS ");
        lh_fmt_window(b, s->windows[i].spec);
    }
    if (s->qualify) {
        lh_sb_put(b, " QUALIFY ");
        lh_fmt_expr(b, s->qualify);
    }
}

static void fmt_ctes(sb_t *b, const lh_ast_query_t *q)
{
    lh_sb_put(b, q->recursive ? "WITH RECURSIVE " : "WITH ");
    for (int i = 0; i < q->cte_count; i++) {
        const lh_ast_cte_t *c = &q->ctes[i];
        lh_sb_put(b, i ? ", " : "");
        lh_sb_ident(b, &c->name);
        if (c->columns.count)
            lh_sb_idents(b, &c->columns);
        lh_sb_put(b, " AS (");
        lh_fmt_query(b, c->query);
        lh_sb_put(b, ")");
    }
    lh_sb_put(b, " ");
}

static void fmt_organization(sb_t *b, const lh_ast_query_t *q)
{
    if (q->order_by.count) {
        lh_sb_put(b, " ORDER BY ");
        lh_fmt_sort(b, &q->order_by);
    }
    if (q->cluster_by.count) {
        lh_sb_put(b, " CLUSTER BY ");
        lh_fmt_exprs(b, &q->cluster_by);
    }
    if (q->distribute_by.count) {
        lh_sb_put(b, " DISTRIBUTE BY ");
        lh_fmt_exprs(b, &q->distribute_by);
    }
    if (q->sort_by.count) {
        lh_sb_put(b, " SORT BY ");
        lh_fmt_sort(b, &q->sort_by);
    }
    if (q->limit_all)
        lh_sb_put(b, " LIMIT ALL");
    else if (q->limit) {
        lh_sb_put(b, " LIMIT ");
        lh_fmt_expr(b, q->limit);
    }
    if (q->offset) {
        lh_sb_put(b, " OFFSET ");
        lh_fmt_expr(b, q->offset);
    }
}

/* A set operation's operand: parenthesized when it is a set operation of looser binding
 * (or any set operation on the right, which the grammar associates to the left). */
static void set_operand(sb_t *b, const lh_ast_query_t *q, const lh_ast_query_t *parent, bool right)
{
    bool tighter =
        q->kind == LH_Q_SETOP && q->setop == LH_SET_INTERSECT && parent->setop != LH_SET_INTERSECT;
    bool paren =
        q->kind == LH_Q_SETOP &&
        (right ? !tighter : (parent->setop == LH_SET_INTERSECT && q->setop != LH_SET_INTERSECT));
    lh_sb_put(b, paren ? "(" : "");
    lh_fmt_query(b, q);
    lh_sb_put(b, paren ? ")" : "");
}

void lh_fmt_query(sb_t *b, const lh_ast_query_t *q)
{
    static const char *const ops[] = {"UNION", "INTERSECT", "EXCEPT", "MINUS"};
    if (q->cte_count)
        fmt_ctes(b, q);
    switch (q->kind) {
    case LH_Q_SELECT:
        fmt_select(b, q->select);
        break;
    case LH_Q_SETOP:
        set_operand(b, q->left, q, false);
        lh_sb_printf(b, " %s%s ", ops[q->setop],
                     q->set_quant == 1   ? " ALL"
                     : q->set_quant == 2 ? " DISTINCT"
                                         : "");
        set_operand(b, q->right, q, true);
        break;
    case LH_Q_VALUES:
        fmt_rows(b, q->rows, q->row_count);
        if (q->values_alias) {
            lh_sb_put(b, " AS ");
            lh_sb_ident(b, q->values_alias);
            if (q->values_columns.count)
                lh_sb_idents(b, &q->values_columns);
        }
        break;
    case LH_Q_TABLE:
        lh_sb_put(b, "TABLE ");
        lh_sb_name(b, &q->table);
        break;
    case LH_Q_PAREN:
        lh_sb_put(b, "(");
        lh_fmt_query(b, q->inner);
        lh_sb_put(b, ")");
        break;
    }
    fmt_organization(b, q);
}
