/*
 * bind_name.c - the column header Spark shows for an unaliased expression.
 *
 * Spark names such a column by toPrettySQL of the resolved expression: Expression.sql with
 * literals in their "pretty" form (strings without quotes, numbers as Java prints them,
 * 1L as 1, NULL), implicit casts dropped, user casts kept as CAST(x AS TYPE), binary
 * operators parenthesized ("(a + b)"), functions by the name typed (lower case), aliases
 * resolved to what Spark rewrites them into (<> to NOT (=), BETWEEN to between(..),
 * date + int to date_add(..)), and defaults of optional arguments written out
 * (substr(s, 5) is "substr(s, 5, 2147483647)").
 *
 * The namer walks the AST (compute/sql/ast.h). Where the name depends on types (date and
 * interval arithmetic, lpad's default pad, to_char on datetimes) it reads the bound
 * expression of a sub-tree, which bx_expr records per AST node (bn_record) as it binds:
 * by the time a node is named, its children have been bound.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "compute/bind/bind_internal.h"
#include "compute/func/coerce.h"
#include "compute/func/dec.h"
#include "compute/func/format.h"
#include "compute/func/literal.h"

/* ---- the AST node -> bound expression table ------------------------------------------- */

struct bn_types {
    const lh_ast_expr_t **keys;
    const lh_expr_t **vals;
    size_t cap, count; /* cap a power of two; count < cap * 3 / 4 */
};

static size_t slot_of(const void *p, size_t cap)
{
    uintptr_t h = (uintptr_t)p;
    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 20) & (cap - 1);
}

static void types_put(lh_arena_t *a, struct bn_types *t, const lh_ast_expr_t *k,
                      const lh_expr_t *v);

static void types_grow(lh_arena_t *a, struct bn_types *t)
{
    struct bn_types old = *t;
    t->cap = old.cap ? old.cap * 2 : 64;
    t->count = 0;
    t->keys = lh_arena_calloc(a, t->cap, sizeof *t->keys);
    t->vals = lh_arena_calloc(a, t->cap, sizeof *t->vals);
    for (size_t i = 0; i < old.cap; i++)
        if (old.keys[i] != NULL)
            types_put(a, t, old.keys[i], old.vals[i]);
}

static void types_put(lh_arena_t *a, struct bn_types *t, const lh_ast_expr_t *k, const lh_expr_t *v)
{
    if ((t->count + 1) * 4 >= t->cap * 3)
        types_grow(a, t);
    size_t i = slot_of(k, t->cap);
    while (t->keys[i] != NULL && t->keys[i] != k)
        i = (i + 1) & (t->cap - 1);
    if (t->keys[i] == NULL)
        t->count++;
    t->keys[i] = k;
    t->vals[i] = v;
}

void bn_record(binder *b, const lh_ast_expr_t *e, const lh_expr_t *bound)
{
    if (b->types == NULL)
        b->types = lh_arena_calloc(b->a, 1, sizeof *b->types);
    types_put(b->a, b->types, e, bound);
}

static const lh_expr_t *bound_of(const binder *b, const lh_ast_expr_t *e)
{
    const struct bn_types *t = b->types;
    if (t == NULL || t->cap == 0 || e == NULL)
        return NULL;
    for (size_t i = slot_of(e, t->cap); t->keys[i] != NULL; i = (i + 1) & (t->cap - 1))
        if (t->keys[i] == e)
            return t->vals[i];
    return NULL;
}

/* The bound type of e, or LH_TYPE__COUNT when unknown. */
static lh_type_id type_of(const binder *b, const lh_ast_expr_t *e)
{
    const lh_expr_t *x = bound_of(b, e);
    return x ? x->type.id : LH_TYPE__COUNT;
}

/* ---- a growing string in the arena ------------------------------------------------------ */

typedef struct namer {
    binder *b;
    char *buf;
    size_t len, cap;
    const lh_ast_expr_t *lambdas[8]; /* the lambdas whose bodies are being named */
    int lambda_depth;
} namer;

/* Whether a bare name is a parameter of a lambda being named (Spark prints those as
 * namedlambdavariable()). */
static bool lambda_param(const namer *n, const lh_ast_expr_t *e)
{
    for (int d = 0; e->name.count == 1 && d < n->lambda_depth; d++) {
        const lh_ast_idents_t *p = &n->lambdas[d]->u.lambda.params;
        for (int i = 0; i < p->count; i++)
            if (strcasecmp(p->items[i].text, e->name.parts[0].text) == 0)
                return true;
    }
    return false;
}

static void putn(namer *n, const char *s, size_t len)
{
    if (n->len + len + 1 > n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 128;
        while (cap < n->len + len + 1)
            cap *= 2;
        char *nb = lh_arena_alloc(n->b->a, cap);
        if (n->len)
            memcpy(nb, n->buf, n->len);
        n->buf = nb;
        n->cap = cap;
    }
    memcpy(n->buf + n->len, s, len);
    n->len += len;
    n->buf[n->len] = '\0';
}

static void put(namer *n, const char *s)
{
    putn(n, s, strlen(s));
}

static void put_lower(namer *n, const char *s)
{
    for (; *s; s++) {
        char c = (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a') : *s;
        putn(n, &c, 1);
    }
}

static void put_upper(namer *n, const char *s)
{
    for (; *s; s++) {
        char c = (*s >= 'a' && *s <= 'z') ? (char)(*s - 'a' + 'A') : *s;
        putn(n, &c, 1);
    }
}

static void expr(namer *n, const lh_ast_expr_t *e);

static void source_text(namer *n, const lh_ast_expr_t *e)
{
    const binder *b = n->b;
    if (b->sql == NULL || e->span.stop <= e->span.start)
        put(n, "?");
    else
        putn(n, b->sql + e->span.start, e->span.stop - e->span.start);
}

/* ---- literals ---------------------------------------------------------------------------- */

/* A DECIMAL as Java's BigDecimal.toString: plain, or scientific below 1E-6. */
static void put_decimal(namer *n, const lh_value_t *v)
{
    char buf[LH_FMT_MAX];
    const char *txt;
    size_t len = lh_format_value(v, NULL, LH_FMT_RESULT, buf, &txt);
    char digits[64];
    size_t nd = 0;
    bool neg = false;
    for (size_t i = 0; i < len && nd < sizeof digits - 1; i++) {
        if (txt[i] == '-')
            neg = true;
        else if (txt[i] >= '0' && txt[i] <= '9')
            digits[nd++] = txt[i];
    }
    size_t lead = 0; /* the unscaled value's digits, without leading zeros */
    while (lead + 1 < nd && digits[lead] == '0')
        lead++;
    int ndig = (int)(nd - lead), adjusted = -(int)v->type.scale + ndig - 1;
    if (adjusted >= -6) {
        putn(n, txt, len);
        return;
    }
    if (neg)
        put(n, "-");
    putn(n, digits + lead, 1);
    if (ndig > 1) {
        put(n, ".");
        putn(n, digits + lead + 1, (size_t)ndig - 1);
    }
    char ex[16];
    snprintf(ex, sizeof ex, "E%d", adjusted);
    put(n, ex);
}

/* A value the way Spark's pretty SQL prints a literal of its type. */
static void put_value(namer *n, const lh_value_t *v)
{
    if (v->is_null) {
        put(n, "NULL");
        return;
    }
    char buf[LH_FMT_MAX];
    const char *txt;
    size_t len;
    const lh_sql_conf_t *conf = lh_session_conf(n->b->env->session);
    const lh_tz_t *tz = lh_tz_get(conf && conf->time_zone ? conf->time_zone : "UTC");
    switch (v->type.id) {
    case LH_TYPE_DECIMAL:
        put_decimal(n, v);
        return;
    case LH_TYPE_BINARY:
        put(n, "X'");
        for (uint32_t i = 0; i < v->v.str.len; i++) {
            snprintf(buf, sizeof buf, "%02X", v->v.str.ptr[i]);
            put(n, buf);
        }
        put(n, "'");
        return;
    case LH_TYPE_DATE:
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
        put(n, v->type.id == LH_TYPE_DATE        ? "DATE '"
               : v->type.id == LH_TYPE_TIMESTAMP ? "TIMESTAMP '"
                                                 : "TIMESTAMP_NTZ '");
        len = lh_format_value(v, tz, LH_FMT_RESULT, buf, &txt);
        putn(n, txt, len);
        put(n, "'");
        return;
    case LH_TYPE_INTERVAL_YM:
    case LH_TYPE_INTERVAL_DT:
        len = lh_format_interval(v->type, v->v.i64, LH_FMT_CAST, buf, sizeof buf);
        putn(n, buf, len);
        return;
    default:
        len = lh_format_value(v, tz, LH_FMT_RESULT, buf, &txt);
        putn(n, txt, len);
        return;
    }
}

static void literal(namer *n, const lh_ast_expr_t *e)
{
    lh_errbuf scratch;
    lh_value_t v;
    switch (e->u.lit.kind) {
    case LH_LIT_NULL:
        put(n, "NULL");
        return;
    case LH_LIT_BOOL:
        put_lower(n, e->u.lit.text);
        return;
    case LH_LIT_STRING:
        putn(n, e->u.lit.str, e->u.lit.str_len);
        return;
    case LH_LIT_BINARY:
        put(n, "X'");
        put_upper(n, e->u.lit.str);
        put(n, "'");
        return;
    case LH_LIT_NUMBER:
        if (lh_literal_number(e->u.lit.text, &v, &scratch) == LH_OK) {
            put_value(n, &v);
            return;
        }
        break;
    case LH_LIT_TYPED: {
        const lh_expr_t *x = bound_of(n->b, e);
        if (x != NULL && x->kind == LH_EXPR_CONST) {
            put_value(n, &x->value);
            return;
        }
        break;
    }
    }
    source_text(n, e);
}

/* INTERVAL ... and parameters: the bound constant. */
static void constant(namer *n, const lh_ast_expr_t *e)
{
    const lh_expr_t *x = bound_of(n->b, e);
    if (x != NULL && x->kind == LH_EXPR_CONST)
        put_value(n, &x->value);
    else
        source_text(n, e);
}

/* ---- operators --------------------------------------------------------------------------- */

static const char *const op_text[LH_OP__COUNT] = {
    [LH_OP_ADD] = "+",
    [LH_OP_SUB] = "-",
    [LH_OP_MUL] = "*",
    [LH_OP_DIV] = "/",
    [LH_OP_MOD] = "%",
    [LH_OP_IDIV] = "div",
    [LH_OP_BITAND] = "&",
    [LH_OP_BITOR] = "|",
    [LH_OP_BITXOR] = "^",
    [LH_OP_EQ] = "=",
    [LH_OP_EQ2] = "=",
    [LH_OP_LT] = "<",
    [LH_OP_LE] = "<=",
    [LH_OP_GT] = ">",
    [LH_OP_GE] = ">=",
    [LH_OP_NSEQ] = "<=>",
    [LH_OP_NOT_DISTINCT] = "<=>",
    [LH_OP_AND] = "AND",
    [LH_OP_OR] = "OR",
};

static void infix(namer *n, const lh_ast_expr_t *l, const char *op, const lh_ast_expr_t *r,
                  bool parens)
{
    if (parens)
        put(n, "(");
    expr(n, l);
    put(n, " ");
    put(n, op);
    put(n, " ");
    expr(n, r);
    if (parens)
        put(n, ")");
}

static void call2(namer *n, const char *fn, const lh_ast_expr_t *x, const lh_ast_expr_t *y)
{
    put(n, fn);
    put(n, "(");
    expr(n, x);
    put(n, ", ");
    expr(n, y);
    put(n, ")");
}

static bool is_interval(lh_type_id t)
{
    return t == LH_TYPE_INTERVAL_YM || t == LH_TYPE_INTERVAL_DT;
}

static bool is_datetime(lh_type_id t)
{
    return t == LH_TYPE_DATE || t == LH_TYPE_TIMESTAMP || t == LH_TYPE_TIMESTAMP_NTZ;
}

static bool is_small_int(lh_type_id t)
{
    return t == LH_TYPE_BYTE || t == LH_TYPE_SHORT || t == LH_TYPE_INT;
}

/* Date and interval arithmetic, which Spark rewrites into other expressions. */
static bool datetime_arith(namer *n, const lh_ast_expr_t *e)
{
    const lh_ast_expr_t *l = e->args.items[0], *r = e->args.items[1];
    lh_type_id lt = type_of(n->b, l), rt = type_of(n->b, r);
    if (e->op == LH_OP_ADD || e->op == LH_OP_SUB) {
        if (lt == LH_TYPE_DATE && (is_small_int(rt) || rt == LH_TYPE_NULL)) {
            call2(n, e->op == LH_OP_ADD ? "date_add" : "date_sub", l, r);
            return true;
        }
        if (e->op == LH_OP_ADD && rt == LH_TYPE_DATE && (is_small_int(lt) || lt == LH_TYPE_NULL)) {
            call2(n, "date_add", r, l);
            return true;
        }
        if (e->op == LH_OP_ADD && rt == LH_TYPE_DATE && lt == LH_TYPE_INTERVAL_DT) {
            const lh_ast_expr_t *t = l; /* INTERVAL .. + DATE: the date comes first */
            l = r, r = t, lt = LH_TYPE_DATE, rt = LH_TYPE_INTERVAL_DT;
        }
        const lh_expr_t *rx = bound_of(n->b, r);
        if (lt == LH_TYPE_DATE && rt == LH_TYPE_INTERVAL_DT && rx->type.precision == 1 &&
            rx->type.scale == 1) { /* DATE +- INTERVAL DAY: date_add of the days */
            put(n, "date_add(");
            expr(n, l);
            put(n, e->op == LH_OP_ADD ? ", extractansiintervaldays("
                                      : ", (- extractansiintervaldays(");
            expr(n, r);
            put(n, e->op == LH_OP_ADD ? "))" : ")))");
            return true;
        }
        if ((is_datetime(lt) || (lt == LH_TYPE_STRING && rt == LH_TYPE_INTERVAL_DT)) &&
            is_interval(rt)) { /* DatetimeSub / TimeAdd print as l - r */
            infix(n, l, e->op == LH_OP_ADD ? "+" : "-", r, false);
            return true;
        }
        if (e->op == LH_OP_ADD && is_datetime(rt) && is_interval(lt)) {
            infix(n, r, "+", l, false);
            return true;
        }
    }
    if (e->op == LH_OP_MUL && is_interval(rt) && !is_interval(lt)) {
        infix(n, r, "*", l, true);
        return true;
    }
    return false;
}

/* Spark's DecimalPrecision rewrites an integer compared with a DECIMAL literal into a
 * comparison with a BIGINT (1 > 0.5 is 1 > 0, 1 >= 0.5 is 1 >= 1): same answer, that header.
 * Whether e is one; *bound the literal's floor or ceiling, *lit_left where it stands. */
static bool integral_vs_decimal_literal(namer *n, const lh_ast_expr_t *e, int64_t *bound,
                                        bool *lit_left)
{
    if (e->op != LH_OP_GT && e->op != LH_OP_GE && e->op != LH_OP_LT && e->op != LH_OP_LE)
        return false;
    for (int side = 0; side < 2; side++) {
        const lh_ast_expr_t *lit = e->args.items[side], *other = e->args.items[1 - side];
        lh_value_t v;
        lh_errbuf scratch;
        if (lit->kind != LH_EX_LITERAL || lit->u.lit.kind != LH_LIT_NUMBER ||
            !lh_type_is_integral(type_of(n->b, other)) ||
            lh_literal_number(lit->u.lit.text, &v, &scratch) != LH_OK ||
            v.type.id != LH_TYPE_DECIMAL)
            continue;
        lh_i128 u = v.type.precision > 18 ? v.v.i128 : (lh_i128)v.v.i64;
        lh_i128 p = lh_dec_pow10(v.type.scale), q = u / p, rem = u % p;
        lh_i128 fl = q - (rem < 0), ce = q + (rem > 0);
        /* the literal's side decides: x > d and d < x take floor(d), x >= d and d <= x ceil */
        bool gt_like = side == 1 ? (e->op == LH_OP_GT || e->op == LH_OP_LE)
                                 : (e->op == LH_OP_LT || e->op == LH_OP_GE);
        lh_i128 b = gt_like ? fl : ce;
        if (b > INT64_MAX || b < INT64_MIN)
            return false;
        *bound = (int64_t)b;
        *lit_left = side == 0;
        return true;
    }
    return false;
}

static void binary(namer *n, const lh_ast_expr_t *e)
{
    const lh_ast_expr_t *l = e->args.items[0], *r = e->args.items[1];
    if (datetime_arith(n, e))
        return;
    int64_t bound;
    bool lit_left;
    if (integral_vs_decimal_literal(n, e, &bound, &lit_left)) {
        char num[24];
        snprintf(num, sizeof num, "%lld", (long long)bound);
        put(n, "(");
        if (lit_left)
            put(n, num);
        else
            expr(n, l);
        put(n, " ");
        put(n, op_text[e->op]);
        put(n, " ");
        if (lit_left)
            expr(n, r);
        else
            put(n, num);
        put(n, ")");
        return;
    }
    switch (e->op) {
    case LH_OP_NE:
    case LH_OP_NE2:
        put(n, "(NOT ");
        infix(n, l, "=", r, true);
        put(n, ")");
        return;
    case LH_OP_DISTINCT:
        put(n, "(NOT ");
        infix(n, l, "<=>", r, true);
        put(n, ")");
        return;
    case LH_OP_CONCAT:
        call2(n, "concat", l, r);
        return;
    case LH_OP_SHL:
        call2(n, "shiftleft", l, r);
        return;
    case LH_OP_SHR:
        call2(n, "shiftright", l, r);
        return;
    case LH_OP_USHR:
        call2(n, "shiftrightunsigned", l, r);
        return;
    default:
        if (e->op < LH_OP__COUNT && op_text[e->op] != NULL)
            infix(n, l, op_text[e->op], r, true);
        else
            source_text(n, e);
        return;
    }
}

static void unary(namer *n, const lh_ast_expr_t *e)
{
    const char *pre = e->op == LH_OP_NEG    ? "(- "
                      : e->op == LH_OP_PLUS ? "(+ "
                      : e->op == LH_OP_NOT  ? "(NOT "
                                            : "~";
    put(n, pre);
    expr(n, e->args.items[0]);
    if (e->op != LH_OP_BITNOT)
        put(n, ")");
}

static void list(namer *n, const lh_ast_exprs_t *l, int from)
{
    for (int i = from; i < l->count; i++) {
        if (i > from)
            put(n, ", ");
        expr(n, l->items[i]);
    }
}

static void is_expr(namer *n, const lh_ast_expr_t *e)
{
    const lh_ast_expr_t *x = e->args.items[0];
    if (e->u.is.what == LH_IS_NULL || e->u.is.what == LH_IS_UNKNOWN) {
        put(n, "(");
        expr(n, x);
        put(n, e->negated ? " IS NOT NULL)" : " IS NULL)");
        return;
    }
    if (e->negated)
        put(n, "(NOT ");
    put(n, "(");
    expr(n, x);
    put(n, e->u.is.what == LH_IS_TRUE ? " <=> true)" : " <=> false)");
    if (e->negated)
        put(n, ")");
}

static void in_expr(namer *n, const lh_ast_expr_t *e)
{
    if (e->negated)
        put(n, "(NOT ");
    put(n, "(");
    expr(n, e->args.items[0]);
    put(n, " IN (");
    if (e->kind == LH_EX_IN_QUERY)
        put(n, "listquery()");
    else
        list(n, &e->args, 1);
    put(n, "))");
    if (e->negated)
        put(n, ")");
}

static void like_expr(namer *n, const lh_ast_expr_t *e)
{
    if (e->u.like.quant != LH_QUANT_NONE) {
        source_text(n, e);
        return;
    }
    const lh_ast_expr_t *v = e->args.items[0], *p = e->args.items[1];
    if (e->negated)
        put(n, "(NOT ");
    if (e->op == LH_OP_ILIKE)
        call2(n, "ilike", v, p);
    else if (e->op == LH_OP_LIKE) {
        infix(n, v, "LIKE", p, false);
        if (e->u.like.escape != NULL) {
            put(n, " ESCAPE '");
            expr(n, e->u.like.escape);
            put(n, "'");
        }
    } else
        call2(n, "RLIKE", v, p); /* a RLIKE b and a REGEXP b are RLike: RLIKE(a, b) */
    if (e->negated)
        put(n, ")");
}

static void case_expr(namer *n, const lh_ast_expr_t *e)
{
    put(n, "CASE");
    for (int i = 0; i < e->u.case_.whens.count; i++) {
        put(n, " WHEN ");
        if (e->u.case_.operand != NULL)
            infix(n, e->u.case_.operand, "=", e->u.case_.whens.items[i], true);
        else
            expr(n, e->u.case_.whens.items[i]);
        put(n, " THEN ");
        expr(n, e->u.case_.thens.items[i]);
    }
    if (e->u.case_.else_ != NULL) {
        put(n, " ELSE ");
        expr(n, e->u.case_.else_);
    }
    put(n, " END");
}

static void put_type(namer *n, const lh_ast_type_t *t)
{
    lh_type_t ty;
    lh_errbuf scratch;
    char buf[64];
    if (lh_bind_type(t, &ty, &scratch) == LH_OK)
        put(n, lh_format_type_sql(ty, buf, sizeof buf));
    else if (t->name != NULL && strcasecmp(t->name, "INTERVAL") == 0 && t->from_unit != NULL) {
        put(n, "INTERVAL ");
        put(n, t->from_unit);
        if (t->to_unit != NULL) {
            put(n, " TO ");
            put(n, t->to_unit);
        }
    } else
        put_upper(n, t->name ? t->name : "?");
}

static void cast_expr(namer *n, const lh_ast_expr_t *e)
{
    put(n, e->u.cast.style == LH_CAST_TRY ? "TRY_CAST(" : "CAST(");
    expr(n, e->args.items[0]);
    put(n, " AS ");
    put_type(n, e->u.cast.type);
    put(n, ")");
}

/* ---- windows ----------------------------------------------------------------------------- */

static void sort_items(namer *n, const lh_ast_sort_t *s, bool with_nulls)
{
    for (int i = 0; i < s->count; i++) {
        const lh_ast_sort_item_t *it = &s->items[i];
        if (i > 0)
            put(n, ", ");
        expr(n, it->expr);
        if (!with_nulls) {
            if (it->desc)
                put(n, " DESC");
            continue;
        }
        put(n, it->desc ? " DESC" : " ASC");
        bool first = it->nulls == 1 || (it->nulls == 0 && !it->desc);
        put(n, first ? " NULLS FIRST" : " NULLS LAST");
    }
}

static void bound_text(namer *n, const lh_ast_frame_bound_t *fb)
{
    switch (fb->kind) {
    case LH_BOUND_UNBOUNDED_PRECEDING:
        put(n, "UNBOUNDED PRECEDING");
        return;
    case LH_BOUND_UNBOUNDED_FOLLOWING:
        put(n, "UNBOUNDED FOLLOWING");
        return;
    case LH_BOUND_CURRENT_ROW:
    case LH_BOUND_NONE:
        put(n, "CURRENT ROW");
        return;
    case LH_BOUND_PRECEDING:
    case LH_BOUND_FOLLOWING:
        expr(n, fb->offset);
        put(n, fb->kind == LH_BOUND_PRECEDING ? " PRECEDING" : " FOLLOWING");
        return;
    }
}

/* Functions whose frame is always ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW. */
static bool ranking(const char *fn)
{
    static const char *const names[] = {"row_number",   "rank",      "dense_rank",
                                        "percent_rank", "cume_dist", "ntile"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(fn, names[i]) == 0)
            return true;
    return false;
}

/* lag(x[, k[, d]]) and lead(..): Spark writes out k (1) and d (NULL), and their frame is
 * the one row at offset -k (lag) or k (lead). Returns whether fn is one of them. */
static bool offset_fn(namer *n, const lh_ast_expr_t *e, const char *fn)
{
    bool lag = strcasecmp(fn, "lag") == 0;
    if ((!lag && strcasecmp(fn, "lead") != 0) || e->args.count < 1 || e->args.count > 3)
        return false;
    put_lower(n, fn);
    put(n, "(");
    list(n, &e->args, 0);
    put(n, e->args.count == 1 ? ", 1, NULL)" : e->args.count == 2 ? ", NULL)" : ")");
    return true;
}

static void offset_frame(namer *n, const lh_ast_expr_t *e, const char *fn)
{
    namer k = {n->b, NULL, 0, 0};
    if (e->args.count > 1)
        expr(&k, e->args.items[1]);
    else
        put(&k, "1");
    bool lag = strcasecmp(fn, "lag") == 0;
    const char *off = k.buf;
    char neg[128];
    if (lag) {
        if (off[0] == '-')
            off++;
        else {
            snprintf(neg, sizeof neg, "-%s", off);
            off = neg;
        }
    }
    put(n, "ROWS BETWEEN ");
    put(n, off);
    put(n, " FOLLOWING AND ");
    put(n, off);
    put(n, " FOLLOWING");
}

/* WINDOW name AS (spec) of the SELECT level, when spec names no other window; or NULL. */
static const lh_ast_window_t *named_window(const lh_ast_select_t *s, const char *name)
{
    for (int i = 0; s && i < s->window_count; i++)
        if (strcasecmp(s->windows[i].name.text, name) == 0)
            return s->windows[i].spec->base == NULL ? s->windows[i].spec : NULL;
    return NULL;
}

static void window(namer *n, const lh_ast_expr_t *e, const char *fn, const lh_ast_window_t *w)
{
    put(n, " OVER (");
    bool sp = false;
    if (w->partition.count > 0) {
        put(n, "PARTITION BY ");
        list(n, &w->partition, 0);
        sp = true;
    }
    if (w->order.count > 0) {
        put(n, sp ? " ORDER BY " : "ORDER BY ");
        sort_items(n, &w->order, true);
        sp = true;
    }
    if (sp)
        put(n, " ");
    if (w->frame != 0) {
        put(n, w->frame == 1 ? "ROWS BETWEEN " : "RANGE BETWEEN ");
        bound_text(n, &w->start);
        put(n, " AND ");
        bound_text(n, &w->end);
    } else if (strcasecmp(fn, "lag") == 0 || strcasecmp(fn, "lead") == 0)
        offset_frame(n, e, fn);
    else if (ranking(fn))
        put(n, "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW");
    else if (w->order.count > 0)
        put(n, "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW");
    else
        put(n, "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING");
    put(n, ")");
}

/* ---- functions --------------------------------------------------------------------------- */

typedef enum {
    FN_UPPER = 1, /* the name in upper case: Spark's math functions (SQRT, CEIL...) */
    FN_PAD,       /* with argc == pad_argc, append pad (a default argument) */
    FN_OP,        /* an operator: (+ x), (NOT x), (IF(..)) */
} fn_kind;

typedef struct fn_rule {
    const char *name; /* as typed, lower case */
    fn_kind kind;
    int pad_argc;
    const char *pad;   /* FN_PAD: text appended after the arguments; FN_OP: the form */
    const char *shown; /* the name Spark prints instead, or NULL */
} fn_rule;

static const fn_rule fn_rules[] = {
    {"acos", FN_UPPER, 1, NULL, NULL},
    {"acosh", FN_UPPER, 1, NULL, NULL},
    {"approx_percentile", FN_PAD, 2, ", 10000", NULL},
    {"array_agg", FN_PAD, 1, "", "collect_list"},
    {"bround", FN_PAD, 1, ", 0", NULL},
    {"from_unixtime", FN_PAD, 1, ", yyyy-MM-dd HH:mm:ss", NULL},
    {"asin", FN_UPPER, 1, NULL, NULL},
    {"asinh", FN_UPPER, 1, NULL, NULL},
    {"atan", FN_UPPER, 1, NULL, NULL},
    {"atan2", FN_UPPER, 2, NULL, NULL},
    {"atanh", FN_UPPER, 1, NULL, NULL},
    {"cbrt", FN_UPPER, 1, NULL, NULL},
    {"ceil", FN_UPPER, 1, NULL, NULL},
    {"cos", FN_UPPER, 1, NULL, NULL},
    {"cosh", FN_UPPER, 1, NULL, NULL},
    {"cot", FN_UPPER, 1, NULL, NULL},
    {"csc", FN_UPPER, 1, NULL, NULL},
    {"degrees", FN_UPPER, 1, NULL, NULL},
    {"e", FN_UPPER, 0, NULL, NULL},
    {"exp", FN_UPPER, 1, NULL, NULL},
    {"expm1", FN_UPPER, 1, NULL, NULL},
    {"floor", FN_UPPER, 1, NULL, NULL},
    {"hypot", FN_UPPER, 2, NULL, NULL},
    {"if", FN_OP, 3, "IF", NULL},
    {"locate", FN_PAD, 2, ", 1", NULL},
    {"log10", FN_UPPER, 1, NULL, NULL},
    {"log1p", FN_UPPER, 1, NULL, NULL},
    {"log2", FN_UPPER, 1, NULL, NULL},
    {"make_dt_interval", FN_PAD, 0, "0, 0, 0, 0.000000", NULL},
    {"make_dt_interval", FN_PAD, 1, ", 0, 0, 0.000000", NULL},
    {"make_dt_interval", FN_PAD, 2, ", 0, 0.000000", NULL},
    {"make_dt_interval", FN_PAD, 3, ", 0.000000", NULL},
    {"make_interval", FN_PAD, 0, "0, 0, 0, 0, 0, 0, 0.000000", NULL},
    {"make_interval", FN_PAD, 1, ", 0, 0, 0, 0, 0, 0.000000", NULL},
    {"make_interval", FN_PAD, 2, ", 0, 0, 0, 0, 0.000000", NULL},
    {"make_interval", FN_PAD, 3, ", 0, 0, 0, 0.000000", NULL},
    {"make_interval", FN_PAD, 4, ", 0, 0, 0.000000", NULL},
    {"make_interval", FN_PAD, 5, ", 0, 0.000000", NULL},
    {"make_interval", FN_PAD, 6, ", 0.000000", NULL},
    {"make_ym_interval", FN_PAD, 0, "0, 0", NULL},
    {"make_ym_interval", FN_PAD, 1, ", 0", NULL},
    {"negative", FN_OP, 1, "negative", NULL},
    {"not", FN_OP, 1, "NOT", NULL},
    {"percentile", FN_PAD, 2, ", 1", NULL},
    {"percentile_approx", FN_PAD, 2, ", 10000", NULL},
    {"pi", FN_UPPER, 0, NULL, NULL},
    {"position", FN_PAD, 2, ", 1", NULL},
    {"positive", FN_OP, 1, "+", NULL},
    {"power", FN_UPPER, 2, NULL, NULL},
    {"radians", FN_UPPER, 1, NULL, NULL},
    {"regexp", FN_UPPER, 2, NULL, NULL},
    {"regexp_extract", FN_PAD, 2, ", 1", NULL},
    {"regexp_extract_all", FN_PAD, 2, ", 1", NULL},
    {"regexp_instr", FN_PAD, 2, ", 0", NULL},
    {"regexp_like", FN_UPPER, 2, NULL, NULL},
    {"regexp_replace", FN_PAD, 3, ", 1", NULL},
    {"replace", FN_PAD, 2, ", ", NULL},
    {"rlike", FN_UPPER, 2, NULL, NULL},
    {"round", FN_PAD, 1, ", 0", NULL},
    {"sec", FN_UPPER, 1, NULL, NULL},
    {"sentences", FN_PAD, 1, ", , ", NULL},
    {"sentences", FN_PAD, 2, ", ", NULL},
    {"signum", FN_UPPER, 1, NULL, NULL},
    {"sin", FN_UPPER, 1, NULL, NULL},
    {"sinh", FN_UPPER, 1, NULL, NULL},
    {"split", FN_PAD, 2, ", -1", NULL},
    {"sqrt", FN_UPPER, 1, NULL, NULL},
    {"substr", FN_PAD, 2, ", 2147483647", NULL},
    {"substring", FN_PAD, 2, ", 2147483647", NULL},
    {"tan", FN_UPPER, 1, NULL, NULL},
    {"tanh", FN_UPPER, 1, NULL, NULL},
    {"to_unix_timestamp", FN_PAD, 1, ", yyyy-MM-dd HH:mm:ss", NULL},
    {"listagg", FN_PAD, 1, ", NULL", NULL},
    {"string_agg", FN_PAD, 1, ", NULL", NULL},
    {"unix_timestamp", FN_PAD, 0, "current_timestamp(), yyyy-MM-dd HH:mm:ss", NULL},
    {"unix_timestamp", FN_PAD, 1, ", yyyy-MM-dd HH:mm:ss", NULL},
};

static const fn_rule *fn_rule_of(const char *fn, int argc)
{
    for (size_t i = 0; i < sizeof fn_rules / sizeof fn_rules[0]; i++)
        if (strcasecmp(fn_rules[i].name, fn) == 0 && fn_rules[i].pad_argc == argc)
            return &fn_rules[i];
    return NULL;
}

/* Spark's special syntaxes: TRIM(BOTH x FROM y), SUBSTRING(x FROM a FOR b),
 * POSITION(a IN b), date_part/datepart, to_char on datetimes, lpad/rpad defaults. */
static bool special_func(namer *n, const lh_ast_expr_t *e, const char *fn)
{
    const lh_ast_exprs_t *a = &e->args;
    if (strcasecmp(fn, "trim") == 0 && (e->u.func.trim != LH_TRIM_NONE || a->count == 2)) {
        static const char *const side[] = {"BOTH", "BOTH", "LEADING", "TRAILING"};
        put(n, "TRIM(");
        put(n, side[e->u.func.trim]);
        if (a->count > 1) {
            put(n, " ");
            expr(n, a->items[1]);
        }
        put(n, " FROM ");
        expr(n, a->items[0]);
        put(n, ")");
        return true;
    }
    if (e->u.func.from_syntax && strcasecmp(fn, "position") == 0 && a->count == 2) {
        put(n, "locate(");
        list(n, a, 0);
        put(n, ", 1)");
        return true;
    }
    if (e->u.func.from_syntax &&
        (strcasecmp(fn, "substr") == 0 || strcasecmp(fn, "substring") == 0)) {
        put(n, "substring(");
        list(n, a, 0);
        put(n, a->count == 2 ? ", 2147483647)" : ")");
        return true;
    }
    if (strcasecmp(fn, "overlay") == 0 && a->count == 3) { /* len defaults to -1 */
        put(n, "overlay(");
        list(n, a, 0);
        put(n, ", -1)");
        return true;
    }
    if ((strcasecmp(fn, "datepart") == 0 || strcasecmp(fn, "extract") == 0) && a->count == 2) {
        put_lower(n, fn);
        put(n, "(");
        expr(n, a->items[0]);
        put(n, " FROM ");
        expr(n, a->items[1]);
        put(n, ")");
        return true;
    }
    if ((strcasecmp(fn, "to_char") == 0 || strcasecmp(fn, "to_varchar") == 0) && a->count == 2 &&
        is_datetime(type_of(n->b, a->items[0]))) {
        put(n, "date_format(");
        list(n, a, 0);
        put(n, ")");
        return true;
    }
    if ((strcasecmp(fn, "to_char") == 0 || strcasecmp(fn, "to_varchar") == 0) && a->count == 2 &&
        type_of(n->b, a->items[0]) == LH_TYPE_BINARY && a->items[1]->kind == LH_EX_LITERAL &&
        a->items[1]->u.lit.kind == LH_LIT_STRING) { /* named as what it becomes */
        const char *f = a->items[1]->u.lit.str;
        size_t fl = a->items[1]->u.lit.str_len;
        while (fl && (*f == ' ' || *f == '\t'))
            f++, fl--;
        while (fl && (f[fl - 1] == ' ' || f[fl - 1] == '\t'))
            fl--;
        const char *as = fl == 6 && strncasecmp(f, "base64", 6) == 0  ? "base64("
                         : fl == 3 && strncasecmp(f, "hex", 3) == 0   ? "hex("
                         : fl == 5 && strncasecmp(f, "utf-8", 5) == 0 ? "decode("
                                                                      : NULL;
        if (as != NULL) {
            put(n, as);
            expr(n, a->items[0]);
            put(n, *as == 'd' ? ", UTF-8)" : ")");
            return true;
        }
    }
    if ((strcasecmp(fn, "lpad") == 0 || strcasecmp(fn, "rpad") == 0) && a->count == 2) {
        put_lower(n, fn);
        put(n, "(");
        list(n, a, 0);
        put(n, type_of(n->b, a->items[0]) == LH_TYPE_BINARY ? ", X'00')" : ",  )");
        return true;
    }
    if (a->count == 3 && a->items[0]->kind == LH_EX_COLUMN && a->items[0]->name.count == 1) {
        /* timestampadd(UNIT, n, ts) and timestampdiff(UNIT, a, b) under their other names */
        bool add = strcasecmp(fn, "timestampadd") == 0 || strcasecmp(fn, "dateadd") == 0 ||
                   strcasecmp(fn, "date_add") == 0;
        bool diff = strcasecmp(fn, "timestampdiff") == 0 || strcasecmp(fn, "datediff") == 0 ||
                    strcasecmp(fn, "date_diff") == 0 || strcasecmp(fn, "timediff") == 0;
        if (add || diff) {
            put(n, add ? "timestampadd(" : "timestampdiff(");
            list(n, a, 0);
            put(n, ")");
            return true;
        }
    }
    if (strcasecmp(fn, "assert_true") == 0 && a->count == 1) { /* the default message */
        size_t at = n->len;
        put(n, "assert_true(");
        expr(n, a->items[0]);
        size_t cond_at = at + strlen("assert_true(");
        char *cond = lh_arena_strndup(n->b->a, n->buf + cond_at, n->len - cond_at);
        put(n, ", '");
        put(n, cond);
        put(n, "' is not true!)");
        return true;
    }
    if (strcasecmp(fn, "raise_error") == 0 && a->count == 1) { /* Spark 4's rewrite */
        put(n, "raise_error(USER_RAISED_EXCEPTION, map(errorMessage, ");
        expr(n, a->items[0]);
        put(n, "))");
        return true;
    }
    if (strcasecmp(fn, "convert_timezone") == 0 && a->count == 2) { /* the session zone */
        put(n, "convert_timezone(current_timezone(), ");
        list(n, a, 0);
        put(n, ")");
        return true;
    }
    if (strcasecmp(fn, "div") == 0 && a->count == 2) { /* div(a, b) is (a div b) */
        infix(n, a->items[0], "div", a->items[1], true);
        return true;
    }
    if ((strcasecmp(fn, "isnull") == 0 || strcasecmp(fn, "isnotnull") == 0) && a->count == 1) {
        put(n, "("); /* Spark's IsNull / IsNotNull */
        expr(n, a->items[0]);
        put(n, strcasecmp(fn, "isnull") == 0 ? " IS NULL)" : " IS NOT NULL)");
        return true;
    }
    if (strcasecmp(fn, "like") == 0 && a->count == 2) {
        infix(n, a->items[0], "LIKE", a->items[1], false);
        return true;
    }
    if ((strcasecmp(fn, "from_json") == 0 || strcasecmp(fn, "to_json") == 0 ||
         strcasecmp(fn, "schema_of_json") == 0 || strcasecmp(fn, "from_csv") == 0 ||
         strcasecmp(fn, "to_csv") == 0 || strcasecmp(fn, "schema_of_csv") == 0) &&
        a->count > 1) { /* schema and options are not children in Spark */
        put_lower(n, fn);
        put(n, "(");
        expr(n, a->items[0]);
        put(n, ")");
        return true;
    }
    if (strcasecmp(fn, "between") == 0 && a->count == 3) {
        put(n, "between(");
        list(n, a, 0);
        put(n, ")");
        return true;
    }
    return false;
}

static void func_op(namer *n, const fn_rule *r, const lh_ast_expr_t *e)
{
    if (strcmp(r->pad, "IF") == 0) {
        put(n, "(IF(");
        list(n, &e->args, 0);
        put(n, "))");
    } else if (strcmp(r->pad, "negative") == 0) {
        put(n, "negative(");
        expr(n, e->args.items[0]);
        put(n, ")");
    } else {
        put(n, "(");
        put(n, r->pad);
        put(n, " ");
        expr(n, e->args.items[0]);
        put(n, ")");
    }
}

static void func(namer *n, const lh_ast_expr_t *e)
{
    const char *fn = e->name.parts[e->name.count - 1].text;
    static const char *const cast_aliases[] = {
        "boolean", "tinyint", "smallint", "int",  "bigint",    "float", "double",
        "decimal", "binary",  "string",   "date", "timestamp", NULL};
    for (int i = 0; e->name.count == 1 && e->args.count == 1 && !e->u.func.star &&
                    e->u.func.over == NULL && e->u.func.over_name == NULL && cast_aliases[i];
         i++)
        if (strcasecmp(fn, cast_aliases[i]) == 0) { /* int(x): a cast Spark names as x */
            expr(n, e->args.items[0]);
            return;
        }
    int argc = e->u.func.star ? 1 : e->args.count;
    const fn_rule *r = fn_rule_of(fn, argc);
    if (e->u.func.star) {
        put_lower(n, fn);
        put(n, "(1)");
    } else if (r != NULL && r->kind == FN_OP) {
        func_op(n, r, e);
    } else if (!special_func(n, e, fn) && !offset_fn(n, e, fn)) {
        if (r != NULL && r->kind == FN_UPPER)
            put_upper(n, fn);
        else
            put_lower(n, r && r->shown ? r->shown : fn);
        put(n, "(");
        if (e->u.func.within_group.count > 0 && strcasecmp(fn, "listagg") != 0 &&
            strcasecmp(fn, "string_agg") != 0)
            ; /* percentile_cont(p) WITHIN GROUP (ORDER BY x) */
        else if (e->u.func.distinct)
            put(n, "DISTINCT ");
        list(n, &e->args, 0);
        if (r != NULL && r->kind == FN_PAD)
            put(n, r->pad);
        put(n, ")");
    }
    if (e->u.func.within_group.count > 0) { /* listagg prints whole SortOrders */
        put(n, " WITHIN GROUP (ORDER BY ");
        sort_items(n, &e->u.func.within_group,
                   strcasecmp(fn, "listagg") == 0 || strcasecmp(fn, "string_agg") == 0);
        put(n, ")");
    }
    if (e->u.func.filter != NULL) {
        put(n, " FILTER (WHERE ");
        expr(n, e->u.func.filter);
        put(n, ")");
    }
    if (e->u.func.nulls == LH_NULLS_IGNORE)
        put(n, " IGNORE NULLS");
    const lh_ast_window_t *ow = e->u.func.over;
    if (ow != NULL && ow->base != NULL && ow->partition.count == 0 && ow->order.count == 0 &&
        ow->frame == 0 && named_window(n->b->sel, ow->base->text) != NULL)
        window(n, e, fn, named_window(n->b->sel, ow->base->text)); /* OVER (w) */
    else if (ow != NULL)
        window(n, e, fn, ow);
    else if (e->u.func.over_name != NULL) { /* WINDOW w AS (..) lives on the SELECT */
        const lh_ast_window_t *w = named_window(n->b->sel, e->u.func.over_name->text);
        if (w != NULL) {
            window(n, e, fn, w);
        } else {
            put(n, " OVER ");
            put(n, e->u.func.over_name->text);
        }
    }
}

/* ---- columns ----------------------------------------------------------------------------- */

/* A column is named as the reference spells it (SELECT COL1 shows COL1). */
/* s.f.g inside an expression: Spark names the struct's fields after their column (st.col1);
 * a SELECT item that is just the column is named by its last part (bn_name). */
static void column(namer *n, const lh_ast_expr_t *e)
{
    int fields = 0;
    for (const lh_expr_t *x = bound_of(n->b, e);
         x != NULL && x->kind == LH_EXPR_CALL && x->func != NULL &&
         strcmp(x->func->name, "__field") == 0 && x->arg_count == 2;
         x = x->args[0])
        fields++;
    if (fields >= e->name.count)
        fields = e->name.count - 1;
    for (int i = e->name.count - 1 - fields; i < e->name.count; i++) {
        if (i > e->name.count - 1 - fields)
            put(n, ".");
        put(n, e->name.parts[i].text);
    }
}

static void expr(namer *n, const lh_ast_expr_t *e)
{
    if (e->kind == LH_EX_FUNC || e->kind == LH_EX_IN)
        e = bst_expanded(n->b, e); /* coalesce(*) is named coalesce(a, b) */
    switch (e->kind) {
    case LH_EX_LITERAL:
        literal(n, e);
        return;
    case LH_EX_INTERVAL:
    case LH_EX_PARAM:
        constant(n, e);
        return;
    case LH_EX_COLUMN:
        if (lambda_param(n, e))
            put(n, "namedlambdavariable()");
        else
            column(n, e);
        return;
    case LH_EX_LAMBDA: /* lambdafunction(body, namedlambdavariable(), ...) */
        put(n, "lambdafunction(");
        if (n->lambda_depth < 8)
            n->lambdas[n->lambda_depth++] = e;
        expr(n, e->args.items[0]);
        if (n->lambda_depth > 0 && n->lambdas[n->lambda_depth - 1] == e)
            n->lambda_depth--;
        for (int i = 0; i < e->u.lambda.params.count; i++)
            put(n, ", namedlambdavariable()");
        put(n, ")");
        return;
    case LH_EX_UNARY:
        unary(n, e);
        return;
    case LH_EX_BINARY:
        binary(n, e);
        return;
    case LH_EX_IS:
        is_expr(n, e);
        return;
    case LH_EX_IN:
    case LH_EX_IN_QUERY:
        in_expr(n, e);
        return;
    case LH_EX_BETWEEN:
        if (e->negated)
            put(n, "(NOT ");
        put(n, "between(");
        list(n, &e->args, 0);
        put(n, ")");
        if (e->negated)
            put(n, ")");
        return;
    case LH_EX_LIKE:
        like_expr(n, e);
        return;
    case LH_EX_CASE:
        case_expr(n, e);
        return;
    case LH_EX_CAST:
        cast_expr(n, e);
        return;
    case LH_EX_FUNC:
        if (e->u.func.bare && bsn_name(n->b, e)[0] != '\0')
            put(n, bsn_name(n->b, e)); /* current_date reading a column of that name */
        else
            func(n, e);
        return;
    case LH_EX_ROW: /* (a, b) is named_struct(a, a, b, b), field names as bind_nested.c */
        put(n, "named_struct(");
        for (int i = 0; i < e->args.count; i++) {
            const lh_ast_expr_t *it = e->args.items[i];
            if (i > 0)
                put(n, ", ");
            if (it->kind == LH_EX_ALIAS) {
                put(n, it->ident.text);
                it = it->args.items[0];
            } else if (it->kind == LH_EX_COLUMN) {
                put(n, it->name.parts[it->name.count - 1].text);
            } else {
                put(n, lh_arena_sprintf(n->b->a, "col%d", i + 1));
            }
            put(n, ", ");
            expr(n, it);
        }
        put(n, ")");
        return;
    case LH_EX_SUBQUERY: /* its outer references (bind_subname.c) */
        put(n, lh_arena_sprintf(n->b->a, "scalarsubquery(%s)", bsn_name(n->b, e)));
        return;
    case LH_EX_EXISTS:
        put(n, lh_arena_sprintf(n->b->a, "exists(%s)", bsn_name(n->b, e)));
        return;
    case LH_EX_JSON_PATH: { /* c:a.b: the last field's name (an index: the path) */
        const char *t = e->str, *last = t, *end = t + strlen(t);
        for (const char *q = t; *q; q++)
            if (*q == '.' || *q == '[')
                last = q + 1;
        if (*last == '\'' || *last == '`') { /* ['name'] or .`name` */
            const char *close = strchr(last + 1, *last);
            if (close)
                putn(n, last + 1, (size_t)(close - last - 1));
            else
                put(n, t);
        } else if (*last >= '0' && *last <= '9') {
            put(n, t);
        } else {
            putn(n, last, (size_t)(end - last));
        }
        return;
    }
    case LH_EX_SUBSCRIPT: /* GetArrayItem / GetMapValue: child[key], literals bare */
        expr(n, e->args.items[0]);
        put(n, "[");
        expr(n, e->args.items[1]);
        put(n, "]");
        return;
    case LH_EX_EXTRACT:
        put(n, "extract(");
        put(n, e->ident.text);
        put(n, " FROM ");
        expr(n, e->args.items[0]);
        put(n, ")");
        return;
    default:
        source_text(n, e);
        return;
    }
}

const char *bn_name(binder *b, const lh_ast_expr_t *e)
{
    namer n = {b, NULL, 0, 0};
    if (e->kind == LH_EX_COLUMN)
        put(&n, e->name.parts[e->name.count - 1].text);
    else
        expr(&n, e);
    return n.buf ? n.buf : "";
}
