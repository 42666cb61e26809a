/*
 * bind_star.c - stars: `*`, `t.*`, `s.*` (the fields of a STRUCT column s), each with an
 * optional EXCEPT (a, t.b, s.f.g) list, in the SELECT list and as the arguments of a call
 * (coalesce(*), count(DISTINCT t.*)) or of an IN list (5 IN (*)).
 *
 * EXCEPT names resolve against the columns the star expands to (a column, optionally with
 * its qualifier, then a path of struct fields): a name that resolves to nothing is
 * UNRESOLVED_COLUMN, two names where one covers the other EXCEPT_OVERLAPPING_COLUMNS. A name
 * with a field path keeps the column but drops that field from the struct (recursively);
 * the result stays NULL where the struct is NULL.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/nested.h"
#include "compute/bind/bind_internal.h"

/* The columns (or fields) a star expands to, before EXCEPT. */
typedef struct target {
    const char *name;
    const bcol *col; /* a scope column, or NULL for a field of the struct base */
    int field;       /* the field of base */
    bool outer;      /* col is an enclosing query's (LATERAL (SELECT t.*)): an outer reference */
} target;

typedef struct star_set {
    int count;
    target *t;
    lh_expr_t *base; /* s.*: the bound struct; else NULL */
} star_set;

/* One EXCEPT name, resolved: the target it names and the field path after it. */
typedef struct except_ref {
    const lh_ast_name_t *name;
    int target, start; /* name->parts[start..] is the path inside the target */
} except_ref;

static bool eq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

static const char *dotted(binder *b, const lh_ast_name_t *n, bool quoted)
{
    size_t len = 1;
    for (int i = 0; i < n->count; i++)
        len += strlen(n->parts[i].text) + 3;
    char *s = lh_arena_alloc(b->a, len);
    s[0] = 0;
    for (int i = 0; i < n->count; i++) {
        if (i > 0)
            strcat(s, ".");
        if (quoted)
            strcat(s, "`");
        strcat(s, n->parts[i].text);
        if (quoted)
            strcat(s, "`");
    }
    return s;
}

/* t.*, schema.t.*: the name's parts, from the last, are the column's qualifiers. */
static bool qualified_by(const bcol *c, const lh_ast_name_t *n)
{
    if (n->count > 3)
        return false;
    for (int i = 0; i < n->count; i++)
        if (!eq(c->qual[i], n->parts[n->count - 1 - i].text))
            return false;
    return true;
}

static lh_err call(binder *b, const char *fn, int argc, lh_expr_t **args, const char *name,
                   lh_expr_t **out)
{
    const lh_func_t *f = lh_func_find(fn);
    LH_FAIL_IF(f == NULL, LH_E_INTERNAL, b->eb, "no function %s", fn);
    return lh_expr_call(b->a, f, argc, args, lh_session_conf(b->env->session), name, out, b->eb);
}

static lh_expr_t *str_const(binder *b, const char *s)
{
    lh_value_t v = {.type = {LH_TYPE_STRING}, .v.str = {(const uint8_t *)s, (uint32_t)strlen(s)}};
    return lh_expr_const(b->a, &v, s);
}

static lh_err field_of(binder *b, lh_expr_t *base, const char *f, lh_expr_t **out)
{
    lh_expr_t *args[2] = {base, str_const(b, f)};
    return call(b, "__field", 2, args, f, out);
}

static lh_err targets(binder *b, const ectx *x, const lh_ast_expr_t *star, star_set *st)
{
    const scope *sc = x->sc;
    st->t = lh_arena_calloc(b->a, (size_t)sc->count + 1, sizeof *st->t);
    for (int i = 0; i < sc->count; i++) {
        const bcol *c = &sc->cols[i];
        /* t.* also lists t's copies of USING columns, hidden from a bare * */
        if (star->name.count == 0 ? c->hidden : !qualified_by(c, &star->name))
            continue;
        st->t[st->count++] = (target){c->name, c, 0, false};
    }
    if (st->count > 0 || star->name.count == 0)
        return LH_OK;
    const scope *osc = bsq_outer_scope(b); /* t.* of an enclosing query */
    for (int i = 0; osc != NULL && i < osc->count; i++) {
        const bcol *c = &osc->cols[i];
        if (!qualified_by(c, &star->name))
            continue;
        if (st->count == 0)
            st->t = lh_arena_calloc(b->a, (size_t)osc->count + 1, sizeof *st->t);
        st->t[st->count++] = (target){c->name, c, 0, true};
    }
    if (st->count > 0)
        return LH_OK;
    /* s.*: a STRUCT column (or field) */
    lh_ast_expr_t col = *star;
    col.kind = LH_EX_COLUMN;
    lh_errbuf scratch;
    lh_errbuf *saved = b->eb;
    b->eb = &scratch;
    ectx pre = *x;
    pre.win = NULL;
    lh_expr_t *base = NULL;
    lh_err err = bx_expr(b, &pre, &col, &base);
    b->eb = saved;
    if (err != LH_OK || base->type.id != LH_TYPE_STRUCT)
        return lh_sqlerr(b->eb, "CANNOT_RESOLVE_STAR_EXPAND", "targetString",
                         dotted(b, &star->name, true), "columns", "", NULL);
    int n = base->type.nested->field_count;
    st->t = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *st->t);
    for (int i = 0; i < n; i++)
        st->t[st->count++] = (target){base->type.nested->fields[i].name, NULL, i, false};
    st->base = base;
    return LH_OK;
}

/* Resolve the EXCEPT names against the targets; the errors Spark raises. */
static lh_err resolve_except(binder *b, const lh_ast_expr_t *star, const star_set *st,
                             except_ref *refs)
{
    int n = star->u.star.except_count;
    for (int i = 0; i < n; i++) {
        const lh_ast_name_t *nm = &star->u.star.except_names[i];
        refs[i] = (except_ref){nm, -1, 0};
        for (int k = 0; k < st->count && refs[i].target < 0 && nm->count >= 2; k++)
            if (st->t[k].col != NULL && eq(st->t[k].col->qual[0], nm->parts[0].text) &&
                eq(st->t[k].name, nm->parts[1].text))
                refs[i] = (except_ref){nm, k, 2};
        for (int k = 0; k < st->count && refs[i].target < 0; k++)
            if (eq(st->t[k].name, nm->parts[0].text))
                refs[i] = (except_ref){nm, k, 1};
        if (refs[i].target < 0) {
            char prop[512] = "";
            for (int k = 0; k < st->count; k++) {
                size_t len = strlen(prop);
                snprintf(prop + len, sizeof prop - len, "%s`%s`", k ? ", " : "", st->t[k].name);
            }
            return lh_sqlerr(b->eb, "UNRESOLVED_COLUMN.WITH_SUGGESTION", "objectName",
                             dotted(b, nm, true), "proposal", prop, NULL);
        }
    }
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            const except_ref *p = &refs[i], *q = &refs[j];
            if (p->target != q->target)
                continue;
            int lp = p->name->count - p->start, lq = q->name->count - q->start;
            int m = lp < lq ? lp : lq;
            bool prefix = true;
            for (int k = 0; k < m && prefix; k++)
                prefix = eq(p->name->parts[p->start + k].text, q->name->parts[q->start + k].text);
            if (prefix)
                return lh_sqlerr(b->eb, "EXCEPT_OVERLAPPING_COLUMNS", "columns",
                                 lh_arena_sprintf(b->a, "%s, %s", dotted(b, p->name, false),
                                                  dotted(b, q->name, false)),
                                 NULL);
        }
    return LH_OK;
}

/* base without the fields the paths name (paths[i]->parts[at[i]..], none of them empty). */
static lh_err drop_fields(binder *b, lh_expr_t *base, const char *name, const except_ref *refs,
                          const int *at, int np, lh_expr_t **out)
{
    if (base->type.id != LH_TYPE_STRUCT) {
        const lh_ast_name_t *nm = refs[0].name;
        return lh_sqlerr(b->eb, "UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", "objectName",
                         dotted(b, nm, true), NULL);
    }
    const lh_ntype_t *nt = base->type.nested;
    for (int i = 0; i < np; i++) { /* every path names a field */
        const char *f = refs[i].name->parts[at[i]].text;
        bool found = false;
        for (int k = 0; k < nt->field_count && !found; k++)
            found = eq(nt->fields[k].name, f);
        if (!found)
            return lh_sqlerr(b->eb, "FIELD_NOT_FOUND", "fieldName",
                             lh_arena_sprintf(b->a, "`%s`", f), "fields", "", NULL);
    }
    lh_expr_t **args = lh_arena_calloc(b->a, (size_t)2 * nt->field_count + 1, sizeof *args);
    except_ref *sub = lh_arena_calloc(b->a, (size_t)np + 1, sizeof *sub);
    int *sub_at = lh_arena_calloc(b->a, (size_t)np + 1, sizeof *sub_at);
    int argc = 0;
    for (int k = 0; k < nt->field_count; k++) {
        const char *f = nt->fields[k].name;
        bool drop = false;
        int ns = 0;
        for (int i = 0; i < np; i++) {
            if (!eq(refs[i].name->parts[at[i]].text, f))
                continue;
            if (at[i] + 1 == refs[i].name->count)
                drop = true;
            sub[ns] = refs[i];
            sub_at[ns++] = at[i] + 1;
        }
        if (drop)
            continue;
        lh_expr_t *v;
        LH_TRY(field_of(b, base, f, &v));
        if (ns > 0)
            LH_TRY(drop_fields(b, v, f, sub, sub_at, ns, &v));
        args[argc++] = str_const(b, f);
        args[argc++] = v;
    }
    lh_expr_t *st;
    LH_TRY(call(b, "named_struct", argc, args, name, &st));
    if (!base->nullable) {
        *out = st;
        return LH_OK;
    }
    /* NULL where the struct is NULL */
    lh_value_t null = {.type = st->type, .is_null = true};
    lh_expr_t *isnull =
        lh_expr_node(b->a, LH_EXPR_IS_NULL, (lh_type_t){LH_TYPE_BOOLEAN}, false, 1, &base, NULL);
    lh_expr_t *c[3] = {isnull, lh_expr_const(b->a, &null, "NULL"), st};
    *out = lh_expr_node(b->a, LH_EXPR_CASE, st->type, true, 3, c, name);
    return LH_OK;
}

static lh_ast_expr_t *column_ast(binder *b, const lh_ast_expr_t *star, const bcol *c);

lh_err bst_expand(binder *b, const ectx *x, const lh_ast_expr_t *star, int *n, lh_expr_t ***exprs,
                  const char ***names)
{
    star_set st = {0};
    LH_TRY(targets(b, x, star, &st));
    int ne = star->u.star.except_count;
    except_ref *refs = lh_arena_calloc(b->a, (size_t)ne + 1, sizeof *refs);
    LH_TRY(resolve_except(b, star, &st, refs));
    *exprs = lh_arena_calloc(b->a, (size_t)st.count + 1, sizeof **exprs);
    *names = lh_arena_calloc(b->a, (size_t)st.count + 1, sizeof **names);
    *n = 0;
    except_ref *sub = lh_arena_calloc(b->a, (size_t)ne + 1, sizeof *sub);
    int *sub_at = lh_arena_calloc(b->a, (size_t)ne + 1, sizeof *sub_at);
    for (int k = 0; k < st.count; k++) {
        const target *t = &st.t[k];
        bool drop = false;
        int ns = 0;
        for (int i = 0; i < ne; i++) {
            if (refs[i].target != k)
                continue;
            if (refs[i].start == refs[i].name->count)
                drop = true;
            sub[ns] = refs[i];
            sub_at[ns++] = refs[i].start;
        }
        if (drop)
            continue;
        lh_expr_t *e;
        bool found = false;
        if (t->outer)
            LH_TRY(bsq_outer_column(b, column_ast(b, star, t->col), &e, &found));
        if (found)
            ;
        else if (t->col != NULL)
            e = lh_expr_column(b->a, t->col->index, t->col->type, t->col->nullable, t->name);
        else
            LH_TRY(field_of(b, st.base, t->name, &e));
        if (ns > 0)
            LH_TRY(drop_fields(b, e, t->name, sub, sub_at, ns, &e));
        (*exprs)[*n] = e;
        (*names)[(*n)++] = t->name;
    }
    return LH_OK;
}

/* ---- stars among the arguments of a call or an IN list --------------------------------- */

static bool has_star(const lh_ast_expr_t *e, int from)
{
    for (int i = from; i < e->args.count; i++)
        if (e->args.items[i]->kind == LH_EX_STAR)
            return true;
    return false;
}

static lh_ast_expr_t *column_ast(binder *b, const lh_ast_expr_t *star, const bcol *c)
{
    lh_ast_expr_t *e = lh_arena_calloc(b->a, 1, sizeof *e);
    e->kind = LH_EX_COLUMN;
    e->span = star->span;
    int n = c->qual[0] ? 2 : 1;
    e->name.parts = lh_arena_calloc(b->a, (size_t)n, sizeof *e->name.parts);
    if (c->qual[0])
        e->name.parts[0].text = c->qual[0];
    e->name.parts[n - 1].text = c->name;
    e->name.count = n;
    e->name.span = star->span;
    return e;
}

/* The columns one star argument stands for, as column references. */
static lh_err star_args(binder *b, const ectx *x, const lh_ast_expr_t *star, lh_ast_exprs_t *out)
{
    star_set st = {0};
    LH_TRY(targets(b, x, star, &st));
    int ne = star->u.star.except_count;
    except_ref *refs = lh_arena_calloc(b->a, (size_t)ne + 1, sizeof *refs);
    LH_TRY(resolve_except(b, star, &st, refs));
    for (int i = 0; i < ne; i++)
        if (st.base != NULL || refs[i].start != refs[i].name->count)
            return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                             "a struct field in * EXCEPT among function arguments", NULL);
    if (st.base != NULL)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "a struct's fields (s.*) among function arguments", NULL);
    lh_ast_expr_t **items =
        lh_arena_calloc(b->a, (size_t)(out->count + st.count) + 1, sizeof *items);
    if (out->count)
        memcpy(items, out->items, (size_t)out->count * sizeof *items);
    for (int k = 0; k < st.count; k++) {
        bool drop = false;
        for (int i = 0; i < ne; i++)
            drop |= refs[i].target == k;
        if (!drop)
            items[out->count++] = column_ast(b, star, st.t[k].col);
    }
    out->items = items;
    return LH_OK;
}

/* Calls whose stars were expanded, for the namer (coalesce(*) is named coalesce(a, b)). */
typedef struct star_memo {
    const lh_ast_expr_t *from, *to;
    struct star_memo *next;
} star_memo;

const lh_ast_expr_t *bst_expanded(binder *b, const lh_ast_expr_t *e)
{
    for (const star_memo *m = b->stars; m; m = m->next)
        if (m->from == e)
            return m->to;
    return e;
}

lh_err bst_args(binder *b, const ectx *x, const lh_ast_expr_t *e, const lh_ast_expr_t **out)
{
    *out = e;
    bool fn = e->kind == LH_EX_FUNC;
    bool count = fn && e->name.count == 1 && eq(e->name.parts[0].text, "count");
    bool bare = fn && e->u.func.star && !count; /* coalesce(*) */
    int from = e->kind == LH_EX_IN ? 1 : 0;
    if (!(fn || e->kind == LH_EX_IN) || (!bare && !has_star(e, from)))
        return LH_OK;
    if (count && e->args.count == 1 && e->args.items[0]->name.count > 0 &&
        !e->u.func.distinct) { /* count(t.*) */
        const char *v = lh_session_get(
            b->env->session, "spark.sql.legacy.allowStarWithSingleTableIdentifierInCount");
        if (v == NULL || strcasecmp(v, "true") != 0)
            return lh_sqlerr(b->eb, "_LEGACY_ERROR_TEMP_1021", "targetString",
                             dotted(b, &e->args.items[0]->name, false), NULL);
    }
    lh_ast_expr_t *copy = lh_arena_calloc(b->a, 1, sizeof *copy);
    *copy = *e;
    copy->args = (lh_ast_exprs_t){0};
    if (bare) {
        copy->u.func.star = false;
        lh_ast_expr_t all = {.kind = LH_EX_STAR, .span = e->span};
        LH_TRY(star_args(b, x, &all, &copy->args));
    }
    for (int i = 0; i < e->args.count; i++) {
        const lh_ast_expr_t *a = e->args.items[i];
        if (i >= from && a->kind == LH_EX_STAR) {
            LH_TRY(star_args(b, x, a, &copy->args));
            continue;
        }
        lh_ast_expr_t **items = lh_arena_calloc(b->a, (size_t)copy->args.count + 2, sizeof *items);
        if (copy->args.count)
            memcpy(items, copy->args.items, (size_t)copy->args.count * sizeof *items);
        items[copy->args.count++] = (lh_ast_expr_t *)a;
        copy->args.items = items;
    }
    star_memo *m = lh_arena_calloc(b->a, 1, sizeof *m);
    *m = (star_memo){e, copy, b->stars};
    b->stars = m;
    *out = copy;
    return LH_OK;
}
