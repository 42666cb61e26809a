/*
 * bind_subname.c - the header Spark gives a scalar subquery or EXISTS in a SELECT list:
 * scalarsubquery(c1, c2) / exists(c1), naming its outer references, one per occurrence, in
 * the order Spark's analyzer lists them (a pre-order walk of the subquery's plan: ORDER BY,
 * then per SELECT level HAVING, GROUP BY, the SELECT list, WHERE, then FROM: a join's
 * condition, its left side, its right side; set operations left then right; CTEs where
 * they are used, approximated as after the body).
 *
 * bind_subquery.c records, per subquery frame, the column references it resolved in the
 * outer query (bsq_outer_column); bsn_name walks the subquery's AST in that order and names
 * the recorded ones. The result is memoized on the binder of the level the subquery
 * appears in, which is the binder that later names the SELECT item (bn_name).
 */
#include <string.h>

#include "compute/bind/bind_internal.h"

typedef struct walk {
    binder *b;
    const lh_ast_expr_t *const *uses;
    int use_count;
    const char *out;
} walk;

static void query(walk *w, const lh_ast_query_t *q);

static void expr(walk *w, const lh_ast_expr_t *e)
{
    if (e == NULL)
        return;
    if (e->kind == LH_EX_COLUMN) {
        for (int i = 0; i < w->use_count; i++)
            if (w->uses[i] == e) {
                w->out = lh_arena_sprintf(w->b->a, "%s%s%s", w->out, *w->out ? ", " : "",
                                          e->name.parts[e->name.count - 1].text);
                break;
            }
        return;
    }
    for (int i = 0; i < e->args.count; i++)
        expr(w, e->args.items[i]);
    if (e->kind == LH_EX_FUNC)
        expr(w, e->u.func.filter);
    if (e->kind == LH_EX_CASE) {
        expr(w, e->u.case_.operand);
        for (int i = 0; i < e->u.case_.whens.count; i++) {
            expr(w, e->u.case_.whens.items[i]);
            expr(w, e->u.case_.thens.items[i]);
        }
        expr(w, e->u.case_.else_);
    }
    if ((e->kind == LH_EX_SUBQUERY || e->kind == LH_EX_EXISTS || e->kind == LH_EX_IN_QUERY) &&
        e->query != NULL)
        query(w, e->query);
}

static void rel(walk *w, const lh_ast_rel_t *r)
{
    if (r == NULL)
        return;
    switch (r->kind) {
    case LH_REL_JOIN:
        expr(w, r->join.on);
        rel(w, r->left);
        rel(w, r->right);
        return;
    case LH_REL_QUERY:
        query(w, r->query);
        return;
    case LH_REL_PIVOT:
    case LH_REL_UNPIVOT:
        rel(w, r->left);
        return;
    case LH_REL_FUNC:
        expr(w, r->call);
        return;
    default:
        return;
    }
}

static void select_level(walk *w, const lh_ast_select_t *s)
{
    expr(w, s->qualify);
    expr(w, s->having);
    for (int i = 0; i < s->group_by.count; i++) {
        const lh_ast_group_item_t *it = &s->group_by.items[i];
        expr(w, it->expr);
        for (int j = 0; j < it->set_count; j++)
            for (int k = 0; k < it->sets[j].exprs.count; k++)
                expr(w, it->sets[j].exprs.items[k]);
    }
    for (int i = 0; i < s->items.count; i++)
        expr(w, s->items.items[i].expr);
    expr(w, s->where);
    rel(w, s->from);
}

static void query(walk *w, const lh_ast_query_t *q)
{
    if (q == NULL)
        return;
    for (int i = 0; i < q->order_by.count; i++)
        expr(w, q->order_by.items[i].expr);
    switch (q->kind) {
    case LH_Q_SELECT:
        select_level(w, q->select);
        break;
    case LH_Q_SETOP:
        query(w, q->left);
        query(w, q->right);
        break;
    case LH_Q_PAREN:
        query(w, q->inner);
        break;
    case LH_Q_VALUES:
        for (int i = 0; i < q->row_count; i++)
            for (int j = 0; j < q->rows[i].count; j++)
                expr(w, q->rows[i].items[j]);
        break;
    default:
        break;
    }
    for (int i = 0; i < q->cte_count; i++)
        query(w, q->ctes[i].query);
}

typedef struct sub_name {
    const lh_ast_expr_t *e;
    const char *name;
    struct sub_name *next;
} sub_name;

void bsn_remember(binder *b, const lh_ast_expr_t *e, const lh_ast_expr_t *const *uses, int n)
{
    walk w = {b, uses, n, ""};
    query(&w, e->query);
    sub_name *s = lh_arena_calloc(b->a, 1, sizeof *s);
    *s = (sub_name){e, w.out, b->sub_names};
    b->sub_names = s;
}

void bsn_set(binder *b, const lh_ast_expr_t *e, const char *name)
{
    sub_name *s = lh_arena_calloc(b->a, 1, sizeof *s);
    *s = (sub_name){e, name, b->sub_names};
    b->sub_names = s;
}

const char *bsn_name(binder *b, const lh_ast_expr_t *e)
{
    for (const sub_name *s = b->sub_names; s; s = s->next)
        if (s->e == e)
            return s->name;
    return "";
}

void bsn_copy(binder *b, const lh_ast_expr_t *from, const lh_ast_expr_t *to)
{
    if (from == NULL || to == NULL || from->kind != to->kind || from == to)
        return;
    if (from->kind == LH_EX_SUBQUERY || from->kind == LH_EX_EXISTS ||
        from->kind == LH_EX_IN_QUERY) {
        sub_name *s = lh_arena_calloc(b->a, 1, sizeof *s);
        *s = (sub_name){to, bsn_name(b, from), b->sub_names};
        b->sub_names = s;
    }
    for (int i = 0; i < from->args.count && i < to->args.count; i++)
        bsn_copy(b, from->args.items[i], to->args.items[i]);
    if (from->kind == LH_EX_CASE) {
        bsn_copy(b, from->u.case_.operand, to->u.case_.operand);
        for (int i = 0; i < from->u.case_.whens.count && i < to->u.case_.whens.count; i++) {
            bsn_copy(b, from->u.case_.whens.items[i], to->u.case_.whens.items[i]);
            bsn_copy(b, from->u.case_.thens.items[i], to->u.case_.thens.items[i]);
        }
        bsn_copy(b, from->u.case_.else_, to->u.case_.else_);
    }
}
