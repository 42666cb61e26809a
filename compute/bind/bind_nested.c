/*
 * bind_nested.c - ARRAY, MAP and STRUCT in the binder (see bind_nested.h).
 *
 * Everything binds to calls of compute/func rows, so the evaluator has nothing new:
 *   a[i]   "__subscript"(a, i)  (0-based; ANSI: INVALID_ARRAY_INDEX out of range)
 *   m[k]   "__subscript"(m, k)  (NULL when k is missing)
 *   s.f    "__field"(s, 'f')    (the field resolved at bind time)
 *   struct(a, b AS c) and (a, b)   "named_struct"('a', a, 'c', b) with Spark's names: a
 *          column's name, an alias, else col1, col2, ...
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/nested.h"
#include "compute/bind/bind_nested.h"
#include "compute/func/format.h"

lh_err bn_type(const lh_ast_type_t *t, lh_type_t *out, lh_errbuf *eb)
{
    if (strcasecmp(t->name, "ARRAY") == 0 && t->elem != NULL) {
        lh_type_t e;
        LH_TRY(lh_bind_type(t->elem, &e, eb));
        *out = lh_type_array(e);
        return LH_OK;
    }
    if (strcasecmp(t->name, "MAP") == 0 && t->elem != NULL && t->value != NULL) {
        lh_type_t k, v;
        LH_TRY(lh_bind_type(t->elem, &k, eb));
        LH_TRY(lh_bind_type(t->value, &v, eb));
        *out = lh_type_map(k, v);
        return LH_OK;
    }
    if (strcasecmp(t->name, "STRUCT") == 0 && t->field_count <= 256) {
        const char *names[256];
        lh_type_t types[256];
        for (int i = 0; i < t->field_count; i++) {
            names[i] = t->fields[i].name.text;
            LH_TRY(lh_bind_type(t->fields[i].type, &types[i], eb));
        }
        *out = lh_type_struct(t->field_count, names, types);
        return LH_OK;
    }
    char name[64];
    snprintf(name, sizeof name, "\"%s\"", t->name);
    return lh_sqlerr(eb, "UNSUPPORTED_DATATYPE", "typeName", name, NULL);
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

/* base.field for a bound base expression. */
static lh_err field_of(binder *b, lh_expr_t *base, const char *field, const char *name,
                       lh_expr_t **out)
{
    if (base->type.id == LH_TYPE_STRUCT && lh_type_field(base->type, field) < 0) {
        char fields[512] = "";
        for (int i = 0; i < base->type.nested->field_count; i++) {
            size_t n = strlen(fields);
            snprintf(fields + n, sizeof fields - n, "%s`%s`", i ? ", " : "",
                     base->type.nested->fields[i].name);
        }
        return lh_sqlerr(b->eb, "FIELD_NOT_FOUND", "fieldName",
                         lh_arena_sprintf(b->a, "`%s`", field), "fields", fields, NULL);
    }
    lh_expr_t *args[2] = {base, str_const(b, field)};
    if (base->type.id == LH_TYPE_MAP) /* m.k is m['k'] */
        return call(b, "__subscript", 2, args, name, out);
    return call(b, "__field", 2, args, name, out);
}

lh_err bn_column_path(binder *b, const ectx *x, const lh_ast_expr_t *e, bool *done, lh_expr_t **out)
{
    *done = false;
    for (int k = e->name.count - 1; k >= 1; k--) {
        lh_ast_expr_t col = *e;
        col.name.count = k;
        lh_errbuf scratch;
        lh_errbuf *saved = b->eb;
        b->eb = &scratch;
        lh_expr_t *base = NULL;
        lh_err err = bx_expr(b, x, &col, &base);
        b->eb = saved;
        if (err != LH_OK)
            continue;
        if (!lh_type_is_nested(base->type))
            return LH_OK; /* t.x.y with x not nested: unresolved, as before */
        for (int i = k; i < e->name.count; i++) {
            const char *f = e->name.parts[i].text;
            LH_TRY(field_of(b, base, f, f, &base));
        }
        *done = true;
        *out = base;
        return LH_OK;
    }
    return LH_OK;
}

static const char *span_text(binder *b, lh_ast_span_t s)
{
    if (b->sql == NULL || s.stop <= s.start)
        return "?";
    return lh_arena_strndup(b->a, b->sql + s.start, s.stop - s.start);
}

/* struct(a, b AS c, 1) / (a, b): named_struct with Spark's field names. */
static lh_err bind_struct(binder *b, const ectx *x, const lh_ast_exprs_t *items, const char *name,
                          lh_expr_t **out)
{
    int n = items->count;
    lh_expr_t **args = lh_arena_calloc(b->a, (size_t)2 * n + 1, sizeof *args);
    for (int i = 0; i < n; i++) {
        const lh_ast_expr_t *it = items->items[i];
        const char *fname;
        if (it->kind == LH_EX_ALIAS) {
            fname = it->ident.text;
            it = it->args.items[0];
        } else if (it->kind == LH_EX_COLUMN) {
            fname = it->name.parts[it->name.count - 1].text;
        } else {
            fname = lh_arena_sprintf(b->a, "col%d", i + 1);
        }
        args[2 * i] = str_const(b, fname);
        LH_TRY(bx_expr(b, x, it, &args[2 * i + 1]));
    }
    return call(b, "named_struct", 2 * n, args, name, out);
}

lh_err bn_expr(binder *b, const ectx *x, const lh_ast_expr_t *e, bool *done, lh_expr_t **out)
{
    *done = true;
    lh_expr_t *args[2];
    switch (e->kind) {
    case LH_EX_SUBSCRIPT:
        LH_TRY(bx_expr(b, x, e->args.items[0], &args[0]));
        LH_TRY(bx_expr(b, x, e->args.items[1], &args[1]));
        return call(b, "__subscript", 2, args, span_text(b, e->span), out);
    case LH_EX_FIELD:
        LH_TRY(bx_expr(b, x, e->args.items[0], &args[0]));
        if (!lh_type_is_nested(args[0]->type)) {
            char t[128];
            return lh_sqlerr(
                b->eb, "INVALID_EXTRACT_BASE_FIELD_TYPE", "base",
                lh_arena_sprintf(b->a, "\"%s\"", span_text(b, e->args.items[0]->span)), "other",
                lh_arena_sprintf(b->a, "\"%s\"", lh_format_type_sql(args[0]->type, t, sizeof t)),
                NULL);
        }
        return field_of(b, args[0], e->ident.text, e->ident.text, out);
    case LH_EX_ROW:
        return bind_struct(b, x, &e->args, span_text(b, e->span), out);
    case LH_EX_FUNC:
        if (e->name.count == 1 && strcasecmp(e->name.parts[0].text, "struct") == 0 &&
            e->u.func.over == NULL)
            return bind_struct(b, x, &e->args, bx_name(b, e), out);
        break;
    default:
        break;
    }
    *done = false;
    return LH_OK;
}
