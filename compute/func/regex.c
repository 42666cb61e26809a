/*
 * regex.c - LIKE / ILIKE (with ESCAPE) and the Java-regex functions over PCRE2: rlike,
 * regexp, regexp_like, regexp_extract, regexp_replace, regexp_count, regexp_instr,
 * regexp_substr.
 *
 * LIKE patterns compile to a token list (literal code point, '_' or '%') matched with the
 * classic greedy-star backtracking walk, no regex engine. Regexes compile in bind when
 * the pattern is constant (the compiled code is shared read-only; each exec call makes
 * its own match data, so one bound call runs on many threads), otherwise per row.
 * A malformed regex is INVALID_PARAMETER_VALUE.PATTERN as Spark reports it.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

#include "compute/func/fn.h"

/* ---- LIKE ---- */

typedef struct like_tok {
    uint8_t kind; /* 0 literal, 1 '_', 2 '%' */
    uint8_t len;  /* literal bytes */
    uint8_t b[4];
} like_tok_t;

typedef struct like_pat {
    int n;
    like_tok_t *t;
} like_pat_t;

static size_t cp_len(const uint8_t *p, size_t n, size_t i)
{
    size_t e = i + 1;
    while (e < n && (p[e] & 0xC0) == 0x80)
        e++;
    return e - i;
}

static lh_err like_tokens(const uint8_t *p, size_t n, uint32_t esc, like_pat_t *out, lh_errbuf *eb);

/* ILIKE is Spark's Like(Lower(str), Lower(pattern)): the pattern is lowered whole (Unicode
 * case mapping, as lower()) before it is cut into tokens, the string before it is matched. */
static lh_err like_compile(const uint8_t *p, size_t n, uint32_t esc, bool fold, like_pat_t *out,
                           lh_errbuf *eb)
{
    if (!fold)
        return like_tokens(p, n, esc, out, eb);
    uint8_t *low = malloc(4 * n + 1);
    LH_FAIL_IF(low == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = like_tokens(low, fn_lower(p, n, low), esc, out, eb);
    free(low);
    return e;
}

static lh_err like_tokens(const uint8_t *p, size_t n, uint32_t esc, like_pat_t *out, lh_errbuf *eb)
{
    out->t = malloc((n + 1) * sizeof *out->t);
    LH_FAIL_IF(out->t == NULL, LH_E_NOMEM, eb, "out of memory");
    out->n = 0;
    for (size_t i = 0; i < n;) {
        size_t l = cp_len(p, n, i);
        like_tok_t t = {0};
        if (l == 1 && p[i] == esc) {
            if (i + 1 >= n) {
                free(out->t);
                char f[300];
                snprintf(f, sizeof f, "'%.*s'", (int)(n < 280 ? n : 280), (const char *)p);
                return lh_sqlerr(eb, "INVALID_FORMAT.ESC_AT_THE_END", "format", f, NULL);
            }
            size_t l2 = cp_len(p, n, i + 1);
            uint8_t c = p[i + 1];
            if (!(l2 == 1 && (c == '_' || c == '%' || c == esc))) {
                free(out->t);
                char f[300], ch[8];
                snprintf(f, sizeof f, "'%.*s'", (int)(n < 280 ? n : 280), (const char *)p);
                snprintf(ch, sizeof ch, "'%.*s'", (int)l2, (const char *)p + i + 1);
                return lh_sqlerr(eb, "INVALID_FORMAT.ESC_IN_THE_MIDDLE", "format", f, "char", ch,
                                 NULL);
            }
            t.len = (uint8_t)l2;
            memcpy(t.b, p + i + 1, l2);
            i += 1 + l2;
        } else if (l == 1 && (p[i] == '_' || p[i] == '%')) {
            t.kind = p[i] == '_' ? 1 : 2;
            i++;
        } else {
            t.len = (uint8_t)(l > 4 ? 4 : l);
            memcpy(t.b, p + i, t.len);
            i += l;
        }
        if (t.kind == 2 && out->n > 0 && out->t[out->n - 1].kind == 2)
            continue;
        out->t[out->n++] = t;
    }
    return LH_OK;
}

static bool tok_eq(const like_tok_t *t, const uint8_t *s, size_t i, size_t l)
{
    if (t->kind == 1)
        return true;
    if (t->len != l)
        return false;
    return memcmp(t->b, s + i, l) == 0;
}

static bool like_match(const like_pat_t *p, const uint8_t *s, size_t n)
{
    int k = 0, star = -1;
    size_t i = 0, star_i = 0;
    while (i < n) {
        size_t l = cp_len(s, n, i);
        if (k < p->n && p->t[k].kind != 2 && tok_eq(&p->t[k], s, i, l)) {
            k++, i += l;
        } else if (k < p->n && p->t[k].kind == 2) {
            star = k++, star_i = i;
        } else if (star >= 0) {
            k = star + 1;
            star_i += cp_len(s, n, star_i);
            i = star_i;
        } else {
            return false;
        }
    }
    while (k < p->n && p->t[k].kind == 2)
        k++;
    return k == p->n;
}

typedef struct like_bd {
    bool fold;
    uint32_t esc;
    like_pat_t pat; /* n < 0: not constant */
} like_bd_t;

static void free_like(void *p)
{
    free(((like_bd_t *)p)->pat.t);
}

static lh_err bind_like(lh_func_bind_t *b, bool fold, lh_errbuf *eb)
{
    like_bd_t *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    bd->fold = fold;
    bd->esc = '\\';
    bd->pat.n = -1;
    b->bind_data = bd;
    if (b->arg_count > 2) {
        const lh_value_t *e = b->const_args ? b->const_args[2] : NULL;
        if (e == NULL || e->is_null || e->type.id != LH_TYPE_STRING || e->v.str.len != 1) {
            char s[96];
            snprintf(s, sizeof s, "'%.*s'", e && !e->is_null ? (int)e->v.str.len : 0,
                     e && !e->is_null ? (const char *)e->v.str.ptr : "");
            return lh_sqlerr(eb, "INVALID_ESC", "invalidEscape", s, NULL);
        }
        bd->esc = e->v.str.ptr[0];
        b->cast_to[2] = fn_type(LH_TYPE_STRING);
    }
    b->cast_to[0] = b->cast_to[1] = fn_type(LH_TYPE_STRING);
    const lh_value_t *p = b->const_args ? b->const_args[1] : NULL;
    if (p && !p->is_null && p->type.id == LH_TYPE_STRING) {
        LH_TRY(like_compile(p->v.str.ptr, p->v.str.len, bd->esc, fold, &bd->pat, eb));
        lh_arena_defer(b->arena, free_like, bd);
    }
    b->ret_type = fn_type(LH_TYPE_BOOLEAN);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_like(const lh_func_exec_t *x, lh_errbuf *eb)
{
    const like_bd_t *bd = x->bind_data;
    uint8_t *low = NULL;
    size_t cap = 0;
    lh_err e = LH_OK;
    fn_begin(x);
    for (size_t i = 0; i < x->rows && e == LH_OK; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i);
        like_pat_t own = {0, NULL};
        const like_pat_t *p = &bd->pat;
        if (bd->pat.n < 0) {
            lh_sv_t ps = fn_str(x->args[1], i);
            if ((e = like_compile(ps.ptr, ps.len, bd->esc, bd->fold, &own, eb)) != LH_OK)
                break;
            p = &own;
        }
        if (bd->fold) { /* lowered into one buffer reused row after row */
            if (4 * (size_t)s.len + 1 > cap) {
                free(low);
                cap = 4 * (size_t)s.len + 64;
                low = malloc(cap);
                if (low == NULL) {
                    free(own.t);
                    e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
                    break;
                }
            }
            s.len = fn_lower(s.ptr, s.len, low);
            s.ptr = low;
        }
        fn_put_i64(x->out, i, like_match(p, s.ptr, s.len));
        free(own.t);
    }
    free(low);
    return e;
}

static lh_err b_like(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_like(b, false, eb);
}
static lh_err b_ilike(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_like(b, true, eb);
}

/* ---- regex ---- */

typedef enum { RX_LIKE, RX_EXTRACT, RX_REPLACE, RX_COUNT, RX_INSTR, RX_SUBSTR } rx_t;

typedef struct rx_bd {
    rx_t kind;
    pcre2_code *code; /* NULL when the pattern is not constant */
} rx_bd_t;

static void free_code(void *p)
{
    pcre2_code_free(p);
}

static lh_err rx_compile(const uint8_t *p, size_t n, pcre2_code **out, lh_errbuf *eb)
{
    int err;
    PCRE2_SIZE off;
    *out = pcre2_compile(p, n, PCRE2_UTF, &err, &off, NULL); /* patterns are checked */
    if (*out != NULL)
        return LH_OK;
    char msg[160], v[400];
    pcre2_get_error_message(err, (PCRE2_UCHAR *)msg, sizeof msg);
    snprintf(v, sizeof v, "%s near index %zu\n%.*s", msg, (size_t)off, (int)(n < 200 ? n : 200),
             (const char *)p);
    return lh_sqlerr(eb, "INVALID_PARAMETER_VALUE.PATTERN", "parameter", "`regexp`", "functionName",
                     "`regexp`", "value", v, NULL);
}

static lh_err bind_rx(lh_func_bind_t *b, rx_t kind, lh_errbuf *eb)
{
    rx_bd_t *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    bd->kind = kind;
    b->bind_data = bd;
    b->cast_to[0] = b->cast_to[1] = fn_type(LH_TYPE_STRING);
    for (int i = 2; i < b->arg_count; i++)
        b->cast_to[i] = fn_type(kind == RX_REPLACE && i == 2 ? LH_TYPE_STRING : LH_TYPE_INT);
    const lh_value_t *pos =
        kind == RX_REPLACE && b->arg_count > 3 && b->const_args ? b->const_args[3] : NULL;
    if (pos && !pos->is_null && pos->v.i64 < 1) {
        char cur[24];
        snprintf(cur, sizeof cur, "%lld", (long long)pos->v.i64);
        return lh_sqlerr(eb, "DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE", "sqlExpr",
                         "\"regexp_replace(...)\"", "exprName", "position", "valueRange",
                         "(0, 2147483647]", "currentValue", cur, NULL);
    }
    const lh_value_t *p = b->const_args ? b->const_args[1] : NULL;
    if (p && !p->is_null && p->type.id == LH_TYPE_STRING) {
        LH_TRY(rx_compile(p->v.str.ptr, p->v.str.len, &bd->code, eb));
        lh_arena_defer(b->arena, free_code, bd->code);
        if (kind == RX_EXTRACT || kind == RX_INSTR || kind == RX_SUBSTR) {
            uint32_t groups = 0;
            pcre2_pattern_info(bd->code, PCRE2_INFO_CAPTURECOUNT, &groups);
            const lh_value_t *g = b->arg_count > 2 && b->const_args ? b->const_args[2] : NULL;
            int64_t idx =
                g && !g->is_null ? g->v.i64 : (kind == RX_EXTRACT && b->arg_count < 3 ? 1 : 0);
            if (idx < 0 || idx > (int64_t)groups) {
                char gc[16], gi[24];
                snprintf(gc, sizeof gc, "%u", groups);
                snprintf(gi, sizeof gi, "%lld", (long long)idx);
                return lh_sqlerr(eb, "INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX", "parameter",
                                 "`idx`", "functionName", "`regexp_extract`", "groupCount", gc,
                                 "groupIndex", gi, NULL);
            }
        }
    }
    b->ret_type = fn_type(kind == RX_LIKE                        ? LH_TYPE_BOOLEAN
                          : kind == RX_COUNT || kind == RX_INSTR ? LH_TYPE_INT
                                                                 : LH_TYPE_STRING);
    b->ret_nullable = true;
    return LH_OK;
}

/* Java's Matcher.appendReplacement: $n / ${name} groups, \x escapes. */
static bool append_repl(char **o, size_t *on, size_t *cap, const uint8_t *s, PCRE2_SIZE *ov, int rc,
                        lh_sv_t r)
{
    for (uint32_t k = 0; k < r.len; k++) {
        const uint8_t *piece = r.ptr + k;
        size_t plen = 1;
        if (r.ptr[k] == '\\' && k + 1 < r.len) {
            piece = r.ptr + ++k;
        } else if (r.ptr[k] == '$' && k + 1 < r.len && isdigit(r.ptr[k + 1])) {
            int g = r.ptr[++k] - '0';
            if (g >= rc)
                return false;
            piece = s + ov[2 * g];
            plen = ov[2 * g] == PCRE2_UNSET ? 0 : ov[2 * g + 1] - ov[2 * g];
        }
        if (*on + plen + 1 > *cap) {
            size_t c = (*cap + plen) * 2 + 64;
            char *q = realloc(*o, c);
            if (q == NULL)
                return false;
            *o = q, *cap = c;
        }
        memcpy(*o + *on, piece, plen);
        *on += plen;
    }
    return true;
}

static lh_err rx_row(const lh_func_exec_t *x, const rx_bd_t *bd, pcre2_code *code,
                     pcre2_match_data *md, size_t i, lh_errbuf *eb)
{
    lh_sv_t s = fn_str(x->args[0], i);
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    int rc = pcre2_match(code, s.ptr, s.len, 0, 0, md, NULL);
    switch (bd->kind) {
    case RX_LIKE:
        fn_put_i64(x->out, i, rc > 0);
        return LH_OK;
    case RX_EXTRACT:
    case RX_SUBSTR: {
        int64_t g = x->arg_count > 2 ? fn_i64(x->args[2], i) : (bd->kind == RX_EXTRACT ? 1 : 0);
        if (rc <= 0)
            return bd->kind == RX_SUBSTR ? fn_put_null(x->out, i) : fn_put_str(x->out, i, "", 0);
        if (g >= rc || ov[2 * g] == PCRE2_UNSET)
            return fn_put_str(x->out, i, "", 0);
        if (bd->kind == RX_SUBSTR && ov[1] == ov[0])
            return fn_put_null(x->out, i);
        return fn_put_str(x->out, i, s.ptr + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
    }
    case RX_INSTR:
        fn_put_i64(x->out, i, rc > 0 ? (int64_t)ov[0] + 1 : 0);
        return LH_OK;
    case RX_COUNT: {
        int64_t n = 0;
        for (PCRE2_SIZE at = 0; at <= s.len;) {
            if (pcre2_match(code, s.ptr, s.len, at, 0, md, NULL) <= 0)
                break;
            n++;
            at = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
        }
        fn_put_i64(x->out, i, n);
        return LH_OK;
    }
    default: { /* replace */
        lh_sv_t r = fn_str(x->args[2], i);
        int64_t pos = x->arg_count > 3 ? fn_i64(x->args[3], i) : 1;
        char *o = NULL;
        size_t on = 0, cap = 0;
        PCRE2_SIZE at = pos > 1 ? (PCRE2_SIZE)(pos - 1) : 0, last = 0;
        if (at > s.len)
            at = s.len;
        bool ok = true;
        while (ok && at <= s.len) {
            int m = pcre2_match(code, s.ptr, s.len, at, 0, md, NULL);
            if (m <= 0)
                break;
            lh_sv_t lit = {s.ptr + last, (uint32_t)(ov[0] - last)};
            ok = append_repl(&o, &on, &cap, s.ptr, ov, 0, (lh_sv_t){0, 0});
            if (on + lit.len + 1 > cap) {
                cap = (cap + lit.len) * 2 + 64;
                char *q = realloc(o, cap);
                ok = q != NULL;
                o = q ? q : o;
            }
            if (ok) {
                memcpy(o + on, lit.ptr, lit.len);
                on += lit.len;
                ok = append_repl(&o, &on, &cap, s.ptr, ov, m, r);
            }
            last = ov[1];
            at = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
        }
        if (ok && on + (s.len - last) + 1 > cap) {
            cap = on + (s.len - last) + 1;
            char *q = realloc(o, cap);
            ok = q != NULL;
            o = q ? q : o;
        }
        if (ok && s.len > last) {
            memcpy(o + on, s.ptr + last, s.len - last);
            on += s.len - last;
        }
        lh_err e = ok ? fn_put_str(x->out, i, o ? o : "", on) : LH_E_NOMEM;
        free(o);
        if (e)
            LH_FAIL(e, eb, "regexp_replace failed");
        return LH_OK;
    }
    }
}

static lh_err x_rx(const lh_func_exec_t *x, lh_errbuf *eb)
{
    const rx_bd_t *bd = x->bind_data;
    pcre2_match_data *md = pcre2_match_data_create(64, NULL);
    LH_FAIL_IF(md == NULL, LH_E_NOMEM, eb, "out of memory");
    fn_begin(x);
    lh_err e = LH_OK;
    for (size_t i = 0; i < x->rows && e == LH_OK; i++) {
        if (fn_any_null(x, i))
            continue;
        pcre2_code *code = bd->code, *own = NULL;
        if (code == NULL) {
            lh_sv_t p = fn_str(x->args[1], i);
            e = rx_compile(p.ptr, p.len, &own, eb);
            code = own;
        }
        if (e == LH_OK)
            e = rx_row(x, bd, code, md, i, eb);
        pcre2_code_free(own);
    }
    pcre2_match_data_free(md);
    return e;
}

#define RX(fn, k)                                                                                  \
    static lh_err fn(lh_func_bind_t *b, lh_errbuf *eb)                                             \
    {                                                                                              \
        return bind_rx(b, k, eb);                                                                  \
    }
RX(b_rlike, RX_LIKE)
RX(b_extract, RX_EXTRACT)
RX(b_replace, RX_REPLACE)
RX(b_count, RX_COUNT)
RX(b_instr, RX_INSTR)
RX(b_substr, RX_SUBSTR)

#define F(name, lo, hi, bind, exec)                                                                \
    {                                                                                              \
        name, LH_FUNC_SCALAR, lo, hi, bind, exec, true                                             \
    }
const lh_func_t lh_fn_regex[] = {
    F("ilike", 2, 3, b_ilike, x_like),          F("like", 2, 3, b_like, x_like),
    F("regexp", 2, 2, b_rlike, x_rx),           F("regexp_count", 2, 2, b_count, x_rx),
    F("regexp_extract", 2, 3, b_extract, x_rx), F("regexp_instr", 2, 3, b_instr, x_rx),
    F("regexp_like", 2, 2, b_rlike, x_rx),      F("regexp_replace", 3, 4, b_replace, x_rx),
    F("regexp_substr", 2, 2, b_substr, x_rx),   F("rlike", 2, 2, b_rlike, x_rx),
};
FN_COUNT(lh_fn_regex);
