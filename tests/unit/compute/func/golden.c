/*
 * golden.c - the evaluator of golden.h: a recursive-descent reader over the expression
 * text producing one-row vectors directly (no AST).
 */
#include "golden.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/arena.h"
#include "compute/func/cast.h"
#include "compute/func/format.h"
#include "compute/func/func.h"
#include "compute/func/literal.h"
#include "compute/sqlerr.h"

#define G_MAX_ARGS 16

typedef struct gv {
    lh_vec_t *v; /* one row */
    bool is_const;
    char sql[160];
} gv_t;

typedef struct g {
    const char *s;
    size_t i;
    lh_arena_t *arena;
    lh_sql_conf_t conf;
    lh_errbuf eb;
    int failed; /* 0 ok, 1 sql error (eb), 2 skip */
    lh_vec_t *owned[256];
    int nowned;
} g_t;

static void ws(g_t *g)
{
    while (isspace((unsigned char)g->s[g->i]))
        g->i++;
}

static bool kw(g_t *g, const char *k)
{
    ws(g);
    size_t n = strlen(k);
    if (strncasecmp(g->s + g->i, k, n) == 0 && !isalnum((unsigned char)g->s[g->i + n]) &&
        g->s[g->i + n] != '_') {
        g->i += n;
        return true;
    }
    return false;
}

static bool sym(g_t *g, const char *k)
{
    ws(g);
    size_t n = strlen(k);
    if (strncmp(g->s + g->i, k, n) == 0) {
        g->i += n;
        return true;
    }
    return false;
}

static lh_vec_t *newvec(g_t *g, lh_type_t t)
{
    lh_vec_t *v = lh_vec_create(t, 1);
    if (g->nowned < 256)
        g->owned[g->nowned++] = v;
    v->count = 1;
    return v;
}

static gv_t val(g_t *g, const lh_value_t *x)
{
    gv_t r = {newvec(g, x->type), true, ""};
    lh_value_t c = *x;
    if (x->is_null || x->type.id == LH_TYPE_NULL) {
        lh_vec_set_null(r.v, 0, true);
    } else if (x->type.id == LH_TYPE_STRING || x->type.id == LH_TYPE_BINARY) {
        const uint8_t *p = lh_vec_heap_copy(r.v, x->v.str.ptr, x->v.str.len);
        ((lh_sv_t *)r.v->data)[0] = (lh_sv_t){p, x->v.str.len};
    } else if (x->type.id == LH_TYPE_FLOAT) {
        ((float *)r.v->data)[0] = (float)c.v.f64;
    } else if (x->type.id == LH_TYPE_DOUBLE) {
        ((double *)r.v->data)[0] = c.v.f64;
    } else if (x->type.id == LH_TYPE_DECIMAL && x->type.precision > 18) {
        ((lh_i128 *)r.v->data)[0] = c.v.i128;
    } else {
        size_t w = lh_type_width(x->type);
        int64_t v = c.v.i64;
        if (w == 1)
            ((int8_t *)r.v->data)[0] = (int8_t)v;
        else if (w == 2)
            ((int16_t *)r.v->data)[0] = (int16_t)v;
        else if (w == 4)
            ((int32_t *)r.v->data)[0] = (int32_t)v;
        else
            ((int64_t *)r.v->data)[0] = v;
    }
    return r;
}

static gv_t fail(g_t *g, int how)
{
    if (!g->failed)
        g->failed = how;
    gv_t r = {NULL, false, ""};
    return r;
}

static bool parse_type(g_t *g, lh_type_t *t)
{
    ws(g);
    static const struct {
        const char *name;
        lh_type_id id;
    } names[] = {{"tinyint", LH_TYPE_BYTE},
                 {"byte", LH_TYPE_BYTE},
                 {"smallint", LH_TYPE_SHORT},
                 {"short", LH_TYPE_SHORT},
                 {"integer", LH_TYPE_INT},
                 {"int", LH_TYPE_INT},
                 {"bigint", LH_TYPE_LONG},
                 {"long", LH_TYPE_LONG},
                 {"float", LH_TYPE_FLOAT},
                 {"real", LH_TYPE_FLOAT},
                 {"double", LH_TYPE_DOUBLE},
                 {"string", LH_TYPE_STRING},
                 {"binary", LH_TYPE_BINARY},
                 {"boolean", LH_TYPE_BOOLEAN},
                 {"date", LH_TYPE_DATE},
                 {"timestamp_ntz", LH_TYPE_TIMESTAMP_NTZ},
                 {"timestamp_ltz", LH_TYPE_TIMESTAMP},
                 {"timestamp", LH_TYPE_TIMESTAMP}};
    memset(t, 0, sizeof *t);
    if (kw(g, "decimal") || kw(g, "dec") || kw(g, "numeric")) {
        t->id = LH_TYPE_DECIMAL;
        t->precision = 10;
        if (sym(g, "(")) {
            int p = 0, s = 0;
            ws(g);
            p = atoi(g->s + g->i);
            while (isdigit((unsigned char)g->s[g->i]))
                g->i++;
            if (sym(g, ",")) {
                ws(g);
                s = atoi(g->s + g->i);
                while (isdigit((unsigned char)g->s[g->i]) || g->s[g->i] == '-')
                    g->i++;
            }
            if (!sym(g, ")") || p < 1 || p > 38 || s > p || s < 0)
                return false;
            t->precision = (uint8_t)p, t->scale = (uint8_t)s;
        }
        return true;
    }
    if (kw(g, "varchar") || kw(g, "char")) {
        t->id = LH_TYPE_STRING;
        if (sym(g, "(")) {
            while (g->s[g->i] && g->s[g->i] != ')')
                g->i++;
            sym(g, ")");
        }
        return true;
    }
    if (kw(g, "interval")) {
        static const char *const f[] = {"year", "month", "day", "hour", "minute", "second"};
        int a = -1, b = -1;
        for (int k = 0; k < 6 && a < 0; k++)
            if (kw(g, f[k]))
                a = k;
        if (a < 0)
            return false;
        b = a;
        if (kw(g, "to"))
            for (int k = 0; k < 6 && b == a; k++)
                if (kw(g, f[k]))
                    b = k;
        t->id = a < 2 ? LH_TYPE_INTERVAL_YM : LH_TYPE_INTERVAL_DT;
        t->precision = (uint8_t)((a < 2 ? a : a - 2) + 1);
        t->scale = (uint8_t)((b < 2 ? b : b - 2) + 1);
        return true;
    }
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (kw(g, names[k].name)) {
            t->id = names[k].id;
            return true;
        }
    return false;
}

static gv_t expr(g_t *g);

/* Bind and run one function over argument vectors. */
static gv_t call(g_t *g, const char *name, gv_t *args, int n, const lh_type_t *cast_target)
{
    if (g->failed)
        return fail(g, g->failed);
    const lh_func_t *f = lh_func_find(name);
    if (f == NULL || f->bind == NULL)
        return fail(g, 2);
    if (n < f->min_args || (f->max_args >= 0 && n > f->max_args)) {
        char fn[80], en[16], an[16];
        snprintf(fn, sizeof fn, "`%s`", name);
        snprintf(en, sizeof en, "%d", f->min_args);
        snprintf(an, sizeof an, "%d", n);
        lh_sqlerr(&g->eb, "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "functionName", fn, "expectedNum",
                  en, "actualNum", an, "docroot", "https://spark.apache.org/docs/latest", NULL);
        return fail(g, 1);
    }
    lh_type_t types[G_MAX_ARGS], cast_to[G_MAX_ARGS];
    lh_value_t cvals[G_MAX_ARGS];
    const lh_value_t *consts[G_MAX_ARGS];
    const char *sqls[G_MAX_ARGS];
    for (int k = 0; k < n; k++) {
        types[k] = cast_to[k] = args[k].v->type;
        sqls[k] = args[k].sql;
        consts[k] = NULL;
        if (args[k].is_const) {
            cvals[k] = (lh_value_t){.type = types[k], .is_null = !lh_vec_is_valid(args[k].v, 0)};
            if (types[k].id == LH_TYPE_NULL)
                cvals[k].is_null = true;
            else if (!cvals[k].is_null) {
                if (types[k].id == LH_TYPE_STRING || types[k].id == LH_TYPE_BINARY)
                    cvals[k].v.str = ((lh_sv_t *)args[k].v->data)[0];
                else if (types[k].id == LH_TYPE_FLOAT || types[k].id == LH_TYPE_DOUBLE)
                    cvals[k].v.f64 = lh_vec_get_f64(args[k].v, 0);
                else if (types[k].id == LH_TYPE_DECIMAL && types[k].precision > 18)
                    cvals[k].v.i128 = ((lh_i128 *)args[k].v->data)[0];
                else
                    cvals[k].v.i64 = lh_vec_get_i64(args[k].v, 0);
            }
            consts[k] = &cvals[k];
        }
    }
    lh_type_t target = cast_target ? *cast_target : (lh_type_t){0};
    lh_func_bind_t b = {.arg_count = n,
                        .arg_types = types,
                        .const_args = consts,
                        .conf = &g->conf,
                        .arena = g->arena,
                        .arg_sql = sqls,
                        .sql = NULL,
                        .cast_to = cast_to,
                        .bind_data = cast_target ? &target : NULL};
    if (f->bind(&b, &g->eb) != LH_OK)
        return fail(g, g->eb.code == LH_E_INVALID && g->eb.error_code ? 1 : 2);
    const lh_vec_t *in[G_MAX_ARGS];
    bool all_const = true;
    for (int k = 0; k < n; k++) {
        all_const &= args[k].is_const;
        if (lh_type_equal(cast_to[k], types[k]) && (cast_to[k].id != LH_TYPE_INTERVAL_DT || true)) {
            in[k] = args[k].v;
            continue;
        }
        lh_vec_t *c = newvec(g, cast_to[k]);
        if (lh_cast_vec(args[k].v, c, 1, &g->conf, false, &g->eb) != LH_OK)
            return fail(g, 1);
        in[k] = c;
    }
    gv_t r = {newvec(g, b.ret_type), all_const && f->deterministic, ""};
    r.v->count = 0;
    lh_func_exec_t x = {.args = in,
                        .arg_count = n,
                        .rows = 1,
                        .out = r.v,
                        .bind_data = b.bind_data,
                        .conf = &g->conf};
    if (f->exec(&x, &g->eb) != LH_OK)
        return fail(g, g->eb.error_code ? 1 : 2);
    snprintf(r.sql, sizeof r.sql, "%s(...)", name);
    return r;
}

static gv_t string_lit(g_t *g)
{
    char q = g->s[g->i++];
    char *buf = lh_arena_alloc(g->arena, strlen(g->s + g->i) + 1);
    size_t o = 0;
    for (;;) {
        char c = g->s[g->i];
        if (c == '\0')
            return fail(g, 2);
        g->i++;
        if (c == q) {
            if (g->s[g->i] == q) { /* '' */
                buf[o++] = q;
                g->i++;
                continue;
            }
            break;
        }
        if (c == '\\' && g->s[g->i]) {
            char e = g->s[g->i++];
            buf[o++] = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == '0' ? '\0' : e;
            continue;
        }
        buf[o++] = c;
    }
    buf[o] = '\0';
    ws(g);
    if (g->s[g->i] == '\'' || g->s[g->i] == '"') { /* adjacent literals concatenate */
        gv_t next = string_lit(g);
        if (g->failed)
            return next;
        lh_sv_t sv = ((lh_sv_t *)next.v->data)[0];
        char *both = lh_arena_alloc(g->arena, o + sv.len + 1);
        memcpy(both, buf, o);
        memcpy(both + o, sv.ptr, sv.len);
        lh_value_t x = {.type = {LH_TYPE_STRING, 0, 0},
                        .v.str = {(uint8_t *)both, (uint32_t)(o + sv.len)}};
        return val(g, &x);
    }
    lh_value_t x = {.type = {LH_TYPE_STRING, 0, 0}, .v.str = {(uint8_t *)buf, (uint32_t)o}};
    gv_t r = val(g, &x);
    snprintf(r.sql, sizeof r.sql, "%.150s", buf);
    return r;
}

static gv_t typed(g_t *g, const char *kind)
{
    ws(g);
    if (g->s[g->i] != '\'' && g->s[g->i] != '"')
        return fail(g, 2);
    gv_t s = string_lit(g);
    if (g->failed)
        return s;
    lh_sv_t sv = ((lh_sv_t *)s.v->data)[0];
    char *txt = lh_arena_strndup(g->arena, (const char *)sv.ptr, sv.len);
    lh_value_t x;
    if (lh_literal_typed(kind, txt, &g->conf, g->arena, &x, &g->eb) != LH_OK)
        return fail(g, 1);
    return val(g, &x);
}

static gv_t interval_lit(g_t *g)
{
    /* take text up to the next ',' or ')' at depth 0 or an operator after the units */
    size_t st = g->i, depth = 0;
    bool inq = false;
    while (isspace((unsigned char)g->s[g->i]) || g->s[g->i] == '-' || g->s[g->i] == '+')
        g->i++;
    for (; g->s[g->i]; g->i++) {
        char c = g->s[g->i];
        if (c == '\'')
            inq = !inq;
        if (inq)
            continue;
        if (c == '(')
            depth++;
        if ((c == ')' && depth == 0) || (c == ',' && depth == 0) || strchr("+*/<>=", c) ||
            (c == '-' && g->i > st && isspace((unsigned char)g->s[g->i - 1]) &&
             isspace((unsigned char)g->s[g->i + 1])))
            break;
        if (c == ')')
            depth--;
        if (isalpha((unsigned char)c)) {
            size_t w = g->i;
            while (isalpha((unsigned char)g->s[w]))
                w++;
            if ((w - g->i == 2 && strncasecmp(g->s + g->i, "as", 2) == 0) ||
                (w - g->i == 4 && strncasecmp(g->s + g->i, "from", 4) == 0))
                break;
            g->i = w - 1;
        }
    }
    char *txt = lh_arena_strndup(g->arena, g->s + st, g->i - st);
    lh_value_t x;
    if (lh_literal_interval(txt, &x, &g->eb) != LH_OK)
        return fail(g, 1);
    return val(g, &x);
}

static gv_t number(g_t *g, bool neg)
{
    size_t st = g->i;
    while (isalnum((unsigned char)g->s[g->i]) || g->s[g->i] == '.' ||
           ((g->s[g->i] == '-' || g->s[g->i] == '+') &&
            (g->s[g->i - 1] == 'e' || g->s[g->i - 1] == 'E')))
        g->i++;
    char *txt = lh_arena_sprintf(g->arena, "%s%.*s", neg ? "-" : "", (int)(g->i - st), g->s + st);
    lh_value_t x;
    if (lh_literal_number(txt, &x, &g->eb) != LH_OK)
        return fail(g, 1);
    gv_t r = val(g, &x);
    snprintf(r.sql, sizeof r.sql, "%s", txt);
    return r;
}

static gv_t cast_expr(g_t *g, bool try_)
{
    if (!sym(g, "("))
        return fail(g, 2);
    gv_t a = expr(g);
    lh_type_t t;
    if (g->failed || !kw(g, "as") || !parse_type(g, &t) || !sym(g, ")"))
        return fail(g, 2);
    return call(g, try_ ? "try_cast" : "cast", &a, 1, &t);
}

static gv_t primary(g_t *g)
{
    ws(g);
    char c = g->s[g->i];
    if (c == '(') {
        g->i++;
        gv_t r = expr(g);
        if (!sym(g, ")"))
            return fail(g, 2);
        return r;
    }
    if (c == '\'' || c == '"')
        return string_lit(g);
    if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)g->s[g->i + 1])))
        return number(g, false);
    if (kw(g, "null")) {
        lh_value_t x = {.type = {LH_TYPE_NULL, 0, 0}, .is_null = true};
        gv_t r = val(g, &x);
        snprintf(r.sql, sizeof r.sql, "NULL");
        return r;
    }
    if (kw(g, "true") || kw(g, "false")) {
        lh_value_t x = {.type = {LH_TYPE_BOOLEAN, 0, 0},
                        .v.i64 = strncasecmp(g->s + g->i - 4, "true", 4) == 0};
        return val(g, &x);
    }
    if (kw(g, "cast"))
        return cast_expr(g, false);
    if (kw(g, "try_cast"))
        return cast_expr(g, true);
    static const char *const kinds[] = {"date", "timestamp_ntz", "timestamp_ltz", "timestamp", "x"};
    for (int k = 0; k < 5; k++) {
        size_t save = g->i;
        if (kw(g, kinds[k])) {
            ws(g);
            if (g->s[g->i] == '\'' || g->s[g->i] == '"')
                return typed(g, kinds[k]);
            g->i = save;
        }
    }
    if (kw(g, "interval"))
        return interval_lit(g);
    if (isalpha((unsigned char)c) || c == '_') {
        size_t st = g->i;
        while (isalnum((unsigned char)g->s[g->i]) || g->s[g->i] == '_')
            g->i++;
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(g->i - st), g->s + st);
        if (!sym(g, "("))
            return fail(g, 2); /* a column or keyword */
        gv_t args[G_MAX_ARGS];
        int n = 0;
        if (strcasecmp(name, "extract") == 0) { /* extract(field FROM source) */
            ws(g);
            size_t fs = g->i;
            while (isalnum((unsigned char)g->s[g->i]) || g->s[g->i] == '_')
                g->i++;
            lh_value_t fv = {.type = {LH_TYPE_STRING, 0, 0},
                             .v.str = {(const uint8_t *)g->s + fs, (uint32_t)(g->i - fs)}};
            args[0] = val(g, &fv);
            if (!kw(g, "from"))
                return fail(g, 2);
            args[1] = expr(g);
            if (g->failed || !sym(g, ")"))
                return fail(g, 2);
            return call(g, "date_part", args, 2, NULL);
        }
        if (!sym(g, ")")) {
            do {
                if (n >= G_MAX_ARGS)
                    return fail(g, 2);
                args[n++] = expr(g);
                if (g->failed)
                    return args[0];
            } while (sym(g, ","));
            if (!sym(g, ")"))
                return fail(g, 2);
        }
        for (char *p = name; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        return call(g, name, args, n, NULL);
    }
    return fail(g, 2);
}

static gv_t postfix(g_t *g)
{
    gv_t a = primary(g);
    while (!g->failed && sym(g, "::")) {
        lh_type_t t;
        if (!parse_type(g, &t))
            return fail(g, 2);
        a = call(g, "cast", &a, 1, &t);
    }
    return a;
}

static gv_t unary(g_t *g)
{
    ws(g);
    if (g->s[g->i] == '-' && g->s[g->i + 1] != '-') {
        g->i++;
        ws(g);
        if (isdigit((unsigned char)g->s[g->i])) { /* a negative literal */
            return number(g, true);
        }
        gv_t a = unary(g);
        return call(g, "negative", &a, 1, NULL);
    }
    if (g->s[g->i] == '+') {
        g->i++;
        gv_t a = unary(g);
        return call(g, "positive", &a, 1, NULL);
    }
    return postfix(g);
}

static gv_t binary(g_t *g, int level)
{
    static const char *const ops[][10] = {
        {"<=>", "<=", ">=", "<>", "!=", "==", "=", "<", ">", NULL},
        {NULL},
        {"+", "-", "||", NULL},
        {"*", "/", "%", "div", NULL}};
    if (level == 4)
        return unary(g);
    gv_t a = binary(g, level + 1);
    for (;;) {
        if (g->failed)
            return a;
        const char *hit = NULL;
        for (int lv = level; lv == level && !hit; lv++)
            for (int k = 0; ops[level][k] && !hit; k++) {
                const char *op = ops[level][k];
                ws(g);
                if (isalpha((unsigned char)op[0]) ? kw(g, op) : sym(g, op))
                    hit = op;
            }
        if (!hit)
            return a;
        gv_t args[2] = {a, binary(g, level == 0 ? 2 : level + 1)};
        if (g->failed)
            return args[1];
        a = call(g, strcmp(hit, "||") == 0 ? "concat" : hit, args, 2, NULL);
    }
}

static gv_t expr(g_t *g)
{
    return binary(g, 0);
}

g_status golden_eval(const char *sql, const char *time_zone, char *out, size_t cap)
{
    g_t g = {.s = sql, .arena = lh_arena_create(), .conf = {time_zone, true, 1700000000000000}};
    lh_errbuf_clear(&g.eb);
    size_t o = 0;
    out[0] = '\0';
    g_status st = G_OK;
    do {
        gv_t r = expr(&g);
        if (g.failed)
            break;
        if (kw(&g, "as")) { /* alias */
            ws(&g);
            while (isalnum((unsigned char)g.s[g.i]) || g.s[g.i] == '_' || g.s[g.i] == '`')
                g.i++;
        }
        char buf[LH_FMT_MAX];
        const char *txt = "NULL";
        size_t n = 4;
        if (lh_vec_is_valid(r.v, 0) && r.v->type.id != LH_TYPE_NULL)
            n = lh_format_vec(r.v, 0, lh_tz_get(time_zone), LH_FMT_RESULT, buf, &txt);
        if (o + n + 2 < cap) {
            if (o)
                out[o++] = '\t';
            memcpy(out + o, txt, n);
            o += n;
            out[o] = '\0';
        }
    } while (sym(&g, ","));
    ws(&g);
    if (!g.failed && g.s[g.i] != '\0' && g.s[g.i] != ';')
        g.failed = 2;
    if (g.failed == 1) {
        st = G_ERROR;
        snprintf(out, cap, "%s", g.eb.error_code ? g.eb.error_code : "?");
    } else if (g.failed == 2) {
        st = G_SKIP;
    }
    for (int k = 0; k < g.nowned; k++)
        lh_vec_destroy(g.owned[k]);
    lh_arena_destroy(g.arena);
    return st;
}
