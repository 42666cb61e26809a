/*
 * json_from.c - from_json(json, schema[, options]) and schema_of_json(json[, options]), as
 * Spark's JacksonParser and JsonInferSchema do them.
 *
 * from_json: the schema is a constant DDL string ("a INT, b ARRAY<STRING>") or a STRUCT /
 * ARRAY / MAP type string (common/type_text.c), compiled once at bind. Each row's JSON text is
 * read by a small scanner (no tree) straight into the value format of common/nested.h,
 * depth-first: a value's children are encoded into the scratch buffer of the next depth and
 * the value itself into its own depth's buffer, then the children's buffer is reused.
 *   tokens     Jackson's defaults with Spark's options: 'single quotes' (allowSingleQuotes,
 *              default on), NaN / Infinity / INF with a sign for numbers, no comments, no
 *              leading zeros, no unquoted names, no control characters in strings
 *   values     null is NULL for every type; integers only from integer tokens in range;
 *              floats from numbers or the strings "NaN", "Infinity", "INF" (signed);
 *              decimals from numbers or strings (rounded HALF_UP); STRING from a string, or
 *              the compact JSON text of any other value; BINARY from base64; DATE, TIMESTAMP
 *              and TIMESTAMP_NTZ from strings (dateFormat / timestampFormat /
 *              timestampNTZFormat, else Spark's CAST forms), TIMESTAMP also from seconds;
 *              ANSI and calendar intervals from their CAST strings; struct fields by exact name
 * (the last of repeated keys wins, unknown keys skipped); map keys cast from their text failures
 * Spark's PERMISSIVE mode with partial results: a value that does not fit its type is NULL in a
 * struct and left out of an array or map, the rest is kept; malformed JSON (or a root that is not
 * the schema's kind) gives a struct of NULLs for a STRUCT schema and NULL for ARRAY/MAP; empty
 * input is NULL. mode FAILFAST raises MALFORMED_RECORD_IN_PARSING instead; DROPMALFORMED is
 *              PARSE_MODE_UNSUPPORTED, as in Spark. Text after the root value is ignored.
 * schema_of_json: a constant JSON text's type in Spark's SQL form ("STRUCT<a: BIGINT, b:
 * ARRAY<STRING>>"): integers BIGINT (DECIMAL(p,0) past a long, DOUBLE past 38 digits), other
 * numbers DOUBLE, strings STRING, objects STRUCTs with their fields sorted by name, arrays of
 * the elements' common type (mixed kinds become STRING), NULL and empty arrays STRING, empty
 * objects dropped (STRUCT<> at the root).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/nested.h"
#include "compute/func/cast.h"
#include "compute/func/datetime.h"
#include "compute/func/fn.h"
#include "compute/func/format.h"
#include "compute/func/nested_fn.h"

/* ---- the scanner ---------------------------------------------------------------------------- */

typedef struct jin {
    const char *s;
    size_t n, i;
    bool single_quotes;
} jin;

typedef enum tok { T_END, T_BAD, T_OBJ, T_ARR, T_STR, T_NUM, T_TRUE, T_FALSE, T_NULL } tok;

static void ws(jin *j)
{
    while (j->i < j->n &&
           (j->s[j->i] == ' ' || j->s[j->i] == '\t' || j->s[j->i] == '\n' || j->s[j->i] == '\r'))
        j->i++;
}

static bool word_at(const jin *j, const char *w)
{
    size_t k = strlen(w);
    return j->n - j->i >= k && memcmp(j->s + j->i, w, k) == 0;
}

/* Number text at j->i: [-|+]digits[.digits][e[+-]digits], or NaN / Infinity / INF. */
static bool scan_number(jin *j, size_t *end, bool *is_int)
{
    static const char *const special[] = {"NaN", "Infinity", "-Infinity", "+Infinity",
                                          "INF", "-INF",     "+INF"};
    for (size_t k = 0; k < sizeof special / sizeof special[0]; k++)
        if (word_at(j, special[k])) {
            *end = j->i + strlen(special[k]);
            *is_int = false;
            return *end >= j->n || !isalnum((unsigned char)j->s[*end]);
        }
    size_t i = j->i;
    if (i < j->n && j->s[i] == '-')
        i++;
    size_t d = i;
    while (i < j->n && isdigit((unsigned char)j->s[i]))
        i++;
    if (i == d || (j->s[d] == '0' && i - d > 1)) /* no digits, or a leading zero */
        return false;
    *is_int = true;
    if (i < j->n && j->s[i] == '.') {
        size_t f = ++i;
        while (i < j->n && isdigit((unsigned char)j->s[i]))
            i++;
        if (i == f)
            return false;
        *is_int = false;
    }
    if (i < j->n && (j->s[i] == 'e' || j->s[i] == 'E')) {
        i++;
        if (i < j->n && (j->s[i] == '+' || j->s[i] == '-'))
            i++;
        size_t x = i;
        while (i < j->n && isdigit((unsigned char)j->s[i]))
            i++;
        if (i == x)
            return false;
        *is_int = false;
    }
    *end = i;
    return i >= j->n || !(isalnum((unsigned char)j->s[i]) || j->s[i] == '.');
}

static tok peek(jin *j)
{
    ws(j);
    if (j->i >= j->n)
        return T_END;
    char c = j->s[j->i];
    if (c == '{')
        return T_OBJ;
    if (c == '[')
        return T_ARR;
    if (c == '"' || (c == '\'' && j->single_quotes))
        return T_STR;
    if (word_at(j, "true"))
        return T_TRUE;
    if (word_at(j, "false"))
        return T_FALSE;
    if (word_at(j, "null"))
        return T_NULL;
    if (c == '-' || c == '+' || isdigit((unsigned char)c) || c == 'N' || c == 'I')
        return T_NUM;
    return T_BAD;
}

static void put_utf8(lh_nbuf_t *b, uint32_t cp, lh_err *e)
{
    uint8_t u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (uint8_t)cp, n = 1;
    } else if (cp < 0x800) {
        u[0] = (uint8_t)(0xC0 | cp >> 6), u[1] = (uint8_t)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
        u[0] = (uint8_t)(0xE0 | cp >> 12), u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (uint8_t)(0x80 | (cp & 0x3F)), n = 3;
    } else {
        u[0] = (uint8_t)(0xF0 | cp >> 18), u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (uint8_t)(0x80 | (cp & 0x3F)), n = 4;
    }
    if (*e == LH_OK)
        *e = lh_nbuf_put(b, u, n);
}

static int hex4(const char *p)
{
    int v = 0;
    for (int k = 0; k < 4; k++) {
        char c = p[k];
        int d = c >= '0' && c <= '9'                 ? c - '0'
                : (c | 32) >= 'a' && (c | 32) <= 'f' ? (c | 32) - 'a' + 10
                                                     : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* The string at j->i decoded into b (when b is not NULL). false when malformed. */
static bool read_string(jin *j, lh_nbuf_t *b, lh_err *e)
{
    char q = j->s[j->i++];
    while (j->i < j->n) {
        unsigned char c = (unsigned char)j->s[j->i++];
        if (c == (unsigned char)q)
            return true;
        if (c < 0x20)
            return false; /* Jackson refuses unescaped control characters */
        if (c != '\\') {
            if (b && *e == LH_OK)
                *e = lh_nbuf_put(b, &c, 1);
            continue;
        }
        if (j->i >= j->n)
            return false;
        char x = j->s[j->i++];
        const char *from = "\"\\/bfnrt'", *to = "\"\\/\b\f\n\r\t'";
        const char *at = strchr(from, x);
        if (x != 'u') {
            if (at == NULL || x == '\0')
                return false;
            if (b && *e == LH_OK)
                *e = lh_nbuf_put(b, to + (at - from), 1);
            continue;
        }
        int cp = j->n - j->i >= 4 ? hex4(j->s + j->i) : -1;
        if (cp < 0)
            return false;
        j->i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && j->n - j->i >= 6 && j->s[j->i] == '\\' &&
            j->s[j->i + 1] == 'u') {
            int lo = hex4(j->s + j->i + 2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                j->i += 6;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD; /* a lone surrogate */
        if (b)
            put_utf8(b, (uint32_t)cp, e);
    }
    return false;
}

/* Pass over the value at j->i; out (when not NULL) gets its compact JSON text (no space
 * outside strings, strings double-quoted). false when malformed or deeper than the limit. */
static bool skip_value(jin *j, int depth, lh_nbuf_t *out, lh_err *e)
{
    tok t = peek(j);
    if (depth > LH_SQL_JSON_DEPTH_MAX)
        return false;
    switch (t) {
    case T_OBJ:
    case T_ARR: {
        char close = t == T_OBJ ? '}' : ']';
        if (out && *e == LH_OK)
            *e = lh_nbuf_put(out, t == T_OBJ ? "{" : "[", 1);
        j->i++;
        ws(j);
        if (j->i < j->n && j->s[j->i] == close) {
            j->i++;
            if (out && *e == LH_OK)
                *e = lh_nbuf_put(out, &close, 1);
            return true;
        }
        for (bool first = true;; first = false) {
            if (!first && out && *e == LH_OK)
                *e = lh_nbuf_put(out, ",", 1);
            if (t == T_OBJ) {
                if (peek(j) != T_STR || !skip_value(j, depth + 1, out, e))
                    return false;
                ws(j);
                if (j->i >= j->n || j->s[j->i++] != ':')
                    return false;
                if (out && *e == LH_OK)
                    *e = lh_nbuf_put(out, ":", 1);
            }
            if (!skip_value(j, depth + 1, out, e))
                return false;
            ws(j);
            if (j->i < j->n && j->s[j->i] == ',') {
                j->i++;
                continue;
            }
            if (j->i >= j->n || j->s[j->i++] != close)
                return false;
            if (out && *e == LH_OK)
                *e = lh_nbuf_put(out, &close, 1);
            return true;
        }
    }
    case T_STR: {
        if (out == NULL)
            return read_string(j, NULL, e);
        if (*e == LH_OK)
            *e = lh_nbuf_put(out, "\"", 1);
        size_t at = out->len;
        if (!read_string(j, out, e) || *e != LH_OK)
            return false;
        lh_nbuf_t esc = {0}; /* re-escape what needs it in a double-quoted string */
        for (size_t k = at; k < out->len && *e == LH_OK; k++) {
            unsigned char c = out->bytes[k];
            char tmp[8];
            int n = c == '"' || c == '\\' ? snprintf(tmp, sizeof tmp, "\\%c", c)
                    : c < 0x20            ? snprintf(tmp, sizeof tmp, "\\u%04x", c)
                                          : (tmp[0] = (char)c, 1);
            *e = lh_nbuf_put(&esc, tmp, (size_t)n);
        }
        out->len = at;
        if (*e == LH_OK)
            *e = lh_nbuf_put(out, esc.bytes, esc.len);
        lh_nbuf_free(&esc);
        if (*e == LH_OK)
            *e = lh_nbuf_put(out, "\"", 1);
        return true;
    }
    case T_NUM: {
        size_t end;
        bool is_int;
        if (!scan_number(j, &end, &is_int))
            return false;
        if (out && *e == LH_OK)
            *e = lh_nbuf_put(out, j->s + j->i, end - j->i);
        j->i = end;
        return true;
    }
    case T_TRUE:
    case T_FALSE:
    case T_NULL: {
        const char *w = t == T_TRUE ? "true" : t == T_FALSE ? "false" : "null";
        if (out && *e == LH_OK)
            *e = lh_nbuf_put(out, w, strlen(w));
        j->i += strlen(w);
        return true;
    }
    default:
        return false;
    }
}

/* ---- from_json: binding ------------------------------------------------------------------------
 */

typedef struct from_bd {
    lh_type_t type;
    bool failfast;
    bool single_quotes;
    lh_dtpat_t *date_fmt, *ts_fmt, *ntz_fmt; /* NULL: Spark's CAST forms */
} from_bd;

static void free_pat(void *p)
{
    lh_dtpat_free(p);
}

lh_err lh_fn_option_pattern(lh_func_bind_t *b, lh_sv_t v, lh_dtpat_t **out, lh_errbuf *eb)
{
    char *txt = lh_arena_strndup(b->arena, (const char *)v.ptr, v.len);
    LH_TRY(lh_dtpat_compile(txt, out, eb));
    lh_arena_defer(b->arena, free_pat, *out);
    return LH_OK;
}

lh_err lh_fn_options_open(lh_func_bind_t *b, int idx, lh_narray_t *keys, lh_narray_t *vals,
                          lh_errbuf *eb)
{
    memset(keys, 0, sizeof *keys);
    memset(vals, 0, sizeof *vals);
    const lh_value_t *m = b->const_args ? b->const_args[idx] : NULL;
    lh_type_t t = b->arg_types[idx];
    if (m == NULL || t.id != LH_TYPE_MAP)
        return lh_sqlerr(eb, "INVALID_OPTIONS.NON_MAP_FUNCTION", NULL);
    if (t.nested->elem.id != LH_TYPE_STRING || t.nested->value.id != LH_TYPE_STRING) {
        char buf[256];
        return lh_sqlerr(eb, "INVALID_OPTIONS.NON_STRING_TYPE", "mapType",
                         lh_arena_sprintf(b->arena, "\"%s\"", fn_type_sql(t, buf, sizeof buf)),
                         NULL);
    }
    if (!m->is_null)
        lh_nmap_open(t, m->v.str, keys, vals);
    return LH_OK;
}

/* The options map (argument idx): mode, allowSingleQuotes and the datetime patterns; other
 * keys are accepted and ignored, as Spark does. */
static lh_err bind_options(lh_func_bind_t *b, int idx, const char *fname, from_bd *bd,
                           lh_errbuf *eb)
{
    lh_narray_t keys, vals;
    LH_TRY(lh_fn_options_open(b, idx, &keys, &vals, eb));
    for (uint32_t i = 0; i < keys.count; i++) {
        lh_value_t k, v;
        lh_narray_get(&keys, i, &k);
        lh_narray_get(&vals, i, &v);
        if (v.is_null)
            continue;
        if (lh_fn_sv_is(k.v.str, "mode")) {
            bool permissive = lh_fn_sv_is(v.v.str, "PERMISSIVE");
            bd->failfast = lh_fn_sv_is(v.v.str, "FAILFAST");
            if (!permissive && !bd->failfast)
                return lh_sqlerr(eb, "PARSE_MODE_UNSUPPORTED", "funcName",
                                 lh_arena_sprintf(b->arena, "`%s`", fname), "mode",
                                 lh_arena_strndup(b->arena, (const char *)v.v.str.ptr, v.v.str.len),
                                 NULL);
        } else if (lh_fn_sv_is(k.v.str, "allowSingleQuotes")) {
            bd->single_quotes = !lh_fn_sv_is(v.v.str, "false");
        } else if (lh_fn_sv_is(k.v.str, "dateFormat")) {
            LH_TRY(lh_fn_option_pattern(b, v.v.str, &bd->date_fmt, eb));
        } else if (lh_fn_sv_is(k.v.str, "timestampFormat")) {
            LH_TRY(lh_fn_option_pattern(b, v.v.str, &bd->ts_fmt, eb));
        } else if (lh_fn_sv_is(k.v.str, "timestampNTZFormat")) {
            LH_TRY(lh_fn_option_pattern(b, v.v.str, &bd->ntz_fmt, eb));
        }
    }
    return LH_OK;
}

lh_err lh_fn_text_and_schema(lh_func_bind_t *b, const char *fname, lh_type_t *type,
                             const char **shown, lh_errbuf *eb)
{
    if (lh_type_is_nested(b->arg_types[0]))
        return fn_bad_input(b, eb, fname, 0, "\"STRING\"");
    if (b->arg_types[0].id != LH_TYPE_NULL)
        b->cast_to[0] = fn_type(LH_TYPE_STRING); /* other scalars cast, as Spark does */
    const lh_value_t *s = b->const_args ? b->const_args[1] : NULL;
    char sbuf[256];
    *shown =
        s && !s->is_null && s->type.id == LH_TYPE_STRING
            ? lh_arena_sprintf(b->arena, "\"%.*s\"", (int)s->v.str.len, (const char *)s->v.str.ptr)
            : lh_arena_sprintf(b->arena, "\"%s\"", fn_type_sql(b->arg_types[1], sbuf, sizeof sbuf));
    if (s == NULL || s->is_null || s->type.id != LH_TYPE_STRING)
        return lh_sqlerr(eb, "INVALID_SCHEMA.NON_STRING_LITERAL", "inputSchema", *shown, NULL);
    lh_errbuf why = {0};
    if (lh_type_parse_text((const char *)s->v.str.ptr, s->v.str.len, type, &why) != LH_OK)
        return lh_sqlerr(eb, "INVALID_SCHEMA.PARSE_ERROR", "inputSchema", *shown, "reason",
                         lh_arena_strdup(b->arena, why.msg), NULL);
    return LH_OK;
}

static lh_err b_from_json(lh_func_bind_t *b, lh_errbuf *eb)
{
    from_bd *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    bd->single_quotes = true;
    const char *shown;
    LH_TRY(lh_fn_text_and_schema(b, "from_json", &bd->type, &shown, eb));
    if (!lh_type_is_nested(bd->type)) {
        char tbuf[512];
        return lh_sqlerr(
            eb, "DATATYPE_MISMATCH.INVALID_JSON_SCHEMA", "sqlExpr",
            lh_arena_sprintf(b->arena, "\"%s\"", b->sql ? b->sql : "from_json(...)"), "schema",
            lh_arena_sprintf(b->arena, "\"%s\"", fn_type_sql(bd->type, tbuf, sizeof tbuf)), NULL);
    }
    if (b->arg_count > 2)
        LH_TRY(bind_options(b, 2, "from_json", bd, eb));
    b->bind_data = bd;
    b->ret_type = bd->type;
    b->ret_nullable = true;
    return LH_OK;
}

/* ---- from_json: conversion ---------------------------------------------------------------------
 */

typedef enum conv { C_OK, C_FAIL, C_SYNTAX } conv;

typedef struct level {
    lh_nbuf_t buf;       /* the values produced at this depth (children of the one above) */
    lh_value_t *vals[2]; /* children of a value at this depth: fields / elements, map values */
    size_t *offs[2];     /* where a child's bytes start in the next depth's buffer */
    size_t cap;
} level;

typedef struct conv_ctx {
    jin j;
    const from_bd *bd;
    const lh_sql_conf_t *conf;
    level lv[LH_TYPE_NESTING_MAX + 2];
    lh_nbuf_t key;     /* a map key or field name being read */
    lh_vec_t *scratch; /* one value of a scalar type, for conversions through CAST */
    bool failed;       /* a value did not fit its type (partial result) */
    lh_err err;        /* allocation failure */
} conv_ctx;

static bool need(conv_ctx *c, level *l, size_t n)
{
    if (n <= l->cap)
        return true;
    size_t cap = l->cap ? l->cap * 2 : 16;
    while (cap < n)
        cap *= 2;
    for (int k = 0; k < 2; k++) {
        lh_value_t *v = realloc(l->vals[k], cap * sizeof *v);
        if (v != NULL)
            l->vals[k] = v;
        size_t *o = realloc(l->offs[k], cap * sizeof *o);
        if (o != NULL)
            l->offs[k] = o;
        if (v == NULL || o == NULL) {
            c->err = LH_E_NOMEM;
            return false;
        }
    }
    l->cap = cap;
    return true;
}

/* Pass a value that does not fit: a failure, or malformed JSON. */
static conv fail(conv_ctx *c)
{
    if (!skip_value(&c->j, 0, NULL, &c->err))
        return C_SYNTAX;
    c->failed = true;
    return C_FAIL;
}

/* text as type t through CAST (TRY semantics): false when it does not convert. */
static bool cast_text(conv_ctx *c, const char *text, size_t n, lh_type_t t, lh_value_t *out)
{
    if (c->scratch == NULL || !lh_type_equal(c->scratch->type, t)) {
        lh_vec_destroy(c->scratch);
        if ((c->scratch = lh_vec_create(t, 1)) == NULL) {
            c->err = LH_E_NOMEM;
            return false;
        }
    }
    lh_vec_reset(c->scratch);
    lh_value_t in = {.type = {LH_TYPE_STRING}, .v.str = {(const uint8_t *)text, (uint32_t)n}};
    lh_errbuf ignored;
    if (lh_cast_row(&in, c->scratch, 0, c->conf, true, &ignored) != LH_OK)
        return false;
    c->scratch->count = 1;
    lh_vec_get_value(c->scratch, 0, out);
    return !out->is_null;
}

/* A datetime string with a pattern (or Spark's CAST forms when p is NULL). */
bool lh_fn_parse_datetime(const lh_sql_conf_t *conf, const lh_dtpat_t *p, lh_type_t t, lh_sv_t s,
                          int64_t *out)
{
    const lh_tz_t *tz = fn_tz(conf);
    if (p == NULL && t.id == LH_TYPE_DATE) {
        int32_t d;
        bool ok = lh_dt_parse_date((const char *)s.ptr, s.len, &d);
        *out = d;
        return ok;
    }
    if (p == NULL)
        return lh_dt_parse_timestamp((const char *)s.ptr, s.len, tz, t.id == LH_TYPE_TIMESTAMP_NTZ,
                                     (int32_t)lh_floordiv(fn_now_us(conf), LH_US_PER_DAY), out);
    lh_civil_t cv;
    bool has_zone;
    int32_t off;
    const lh_tz_t *zone;
    if (!lh_dtpat_parse(p, (const char *)s.ptr, s.len, &cv, &has_zone, &off, &zone))
        return false;
    int64_t local = lh_dt_micros_from_civil(&cv);
    if (t.id == LH_TYPE_DATE)
        *out = lh_floordiv(local, LH_US_PER_DAY);
    else if (t.id == LH_TYPE_TIMESTAMP_NTZ)
        *out = local;
    else
        *out = zone       ? lh_dt_local_to_utc(zone, local)
               : has_zone ? local - (int64_t)off * LH_US_PER_SEC
                          : lh_dt_local_to_utc(tz, local);
    return true;
}

static conv convert(conv_ctx *c, lh_type_t t, int depth, lh_value_t *out, size_t *off);

/* A string token as a scalar of type t (strings and binary into this depth's buffer). */
static conv from_string(conv_ctx *c, lh_type_t t, int depth, lh_value_t *out, size_t *off)
{
    lh_nbuf_t *b = &c->lv[depth].buf;
    size_t at = b->len;
    if (!read_string(&c->j, b, &c->err))
        return C_SYNTAX;
    lh_sv_t s = {b->bytes + at, (uint32_t)(b->len - at)};
    int64_t x;
    switch (t.id) {
    case LH_TYPE_STRING:
        *off = at;
        out->v.str.len = s.len;
        return C_OK;
    case LH_TYPE_BINARY: {
        uint8_t *dec = malloc((size_t)s.len * 3 / 4 + 4);
        size_t n = 0;
        bool ok = dec != NULL && fn_b64_decode(s.ptr, s.len, dec, &n);
        b->len = at;
        if (dec == NULL)
            c->err = LH_E_NOMEM;
        else if (ok && (c->err = lh_nbuf_put(b, dec, n)) == LH_OK)
            *off = at, out->v.str.len = (uint32_t)n;
        free(dec);
        return ok ? C_OK : (c->failed = true, C_FAIL);
    }
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE: {
        static const struct {
            const char *text;
            double v;
        } names[] = {{"NaN", NAN},       {"Infinity", INFINITY}, {"+Infinity", INFINITY},
                     {"INF", INFINITY},  {"+INF", INFINITY},     {"-Infinity", -INFINITY},
                     {"-INF", -INFINITY}};
        b->len = at;
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
            if (s.len == strlen(names[k].text) && memcmp(s.ptr, names[k].text, s.len) == 0) {
                out->v.f64 = names[k].v;
                return C_OK;
            }
        break;
    }
    case LH_TYPE_DATE:
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ: {
        const lh_dtpat_t *p = t.id == LH_TYPE_DATE        ? c->bd->date_fmt
                              : t.id == LH_TYPE_TIMESTAMP ? c->bd->ts_fmt
                                                          : c->bd->ntz_fmt;
        bool ok = s.len > 0 && lh_fn_parse_datetime(c->conf, p, t, s, &x);
        b->len = at;
        if (ok) {
            out->v.i64 = x;
            return C_OK;
        }
        break;
    }
    case LH_TYPE_INTERVAL_CAL: { /* 16 bytes, kept in this depth's buffer like a string */
        lh_value_t v;
        bool ok = cast_text(c, (const char *)s.ptr, s.len, t, &v);
        b->len = at;
        if (ok && (c->err = lh_nbuf_put(b, v.v.str.ptr, v.v.str.len)) == LH_OK) {
            *off = at;
            out->v.str.len = v.v.str.len;
            return C_OK;
        }
        break;
    }
    case LH_TYPE_DECIMAL:
    case LH_TYPE_INTERVAL_YM:
    case LH_TYPE_INTERVAL_DT: {
        bool ok = cast_text(c, (const char *)s.ptr, s.len, t, out);
        b->len = at;
        out->type = t;
        out->is_null = false;
        if (ok)
            return C_OK;
        break;
    }
    default:
        b->len = at;
        break;
    }
    c->failed = true;
    return C_FAIL;
}

/* A number token as a scalar of type t. */
static conv from_number(conv_ctx *c, lh_type_t t, int depth, lh_value_t *out, size_t *off)
{
    jin *j = &c->j;
    size_t end;
    bool is_int;
    if (!scan_number(j, &end, &is_int))
        return C_SYNTAX;
    char text[400];
    size_t n = end - j->i;
    bool fits = n < sizeof text;
    if (fits) {
        memcpy(text, j->s + j->i, n);
        text[n] = '\0';
    }
    if (t.id == LH_TYPE_STRING) { /* the number as written */
        *off = c->lv[depth].buf.len;
        out->v.str.len = (uint32_t)n;
        c->err = lh_nbuf_put(&c->lv[depth].buf, j->s + j->i, n);
        j->i = end;
        return C_OK;
    }
    j->i = end;
    bool ok = false;
    errno = 0;
    switch (t.id) {
    case LH_TYPE_BYTE:
    case LH_TYPE_SHORT:
    case LH_TYPE_INT:
    case LH_TYPE_LONG:
    case LH_TYPE_TIMESTAMP: {
        long long v = fits && is_int ? strtoll(text, NULL, 10) : 0;
        int64_t lim = t.id == LH_TYPE_BYTE    ? 127
                      : t.id == LH_TYPE_SHORT ? 32767
                      : t.id == LH_TYPE_INT   ? 2147483647
                                              : INT64_MAX;
        ok = fits && is_int && errno == 0 && v <= lim && v >= -lim - 1;
        if (t.id == LH_TYPE_TIMESTAMP) /* seconds since the epoch */
            ok = ok && v <= INT64_MAX / LH_US_PER_SEC && v >= INT64_MIN / LH_US_PER_SEC;
        out->v.i64 = t.id == LH_TYPE_TIMESTAMP ? v * LH_US_PER_SEC : v;
        break;
    }
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE: {
        bool neg = text[0] == '-';
        const char *p = text + (text[0] == '+' || neg);
        out->v.f64 = strcmp(p, "NaN") == 0 ? NAN
                     : strcmp(p, "Infinity") == 0 || strcmp(p, "INF") == 0
                         ? (neg ? -INFINITY : INFINITY)
                         : strtod(text, NULL);
        if (t.id == LH_TYPE_FLOAT)
            out->v.f64 = (float)out->v.f64;
        ok = fits;
        break;
    }
    case LH_TYPE_DECIMAL:
        ok = fits && cast_text(c, text, n, t, out);
        out->type = t;
        out->is_null = false;
        break;
    default:
        break;
    }
    if (ok)
        return C_OK;
    c->failed = true;
    return C_FAIL;
}

/* Point the nested and string children at the next depth's bytes (final now). */
static void fix_children(conv_ctx *c, int depth, int side, size_t n)
{
    level *l = &c->lv[depth];
    for (size_t i = 0; i < n; i++)
        if (!l->vals[side][i].is_null && lh_type_is_bytes(l->vals[side][i].type))
            l->vals[side][i].v.str.ptr = c->lv[depth + 1].buf.bytes + l->offs[side][i];
}

/* After ',' or the closing bracket of a container: C_OK to go on, C_FAIL at the end. */
static conv next_item(conv_ctx *c, char close)
{
    ws(&c->j);
    if (c->j.i < c->j.n && c->j.s[c->j.i] == ',') {
        c->j.i++;
        ws(&c->j);
        return c->j.i < c->j.n && c->j.s[c->j.i] != close ? C_OK : C_SYNTAX;
    }
    if (c->j.i < c->j.n && c->j.s[c->j.i] == close) {
        c->j.i++;
        return C_FAIL;
    }
    return C_SYNTAX;
}

/* A key and its ':' into c->key. */
static bool read_key(conv_ctx *c)
{
    c->key.len = 0;
    if (peek(&c->j) != T_STR || !read_string(&c->j, &c->key, &c->err))
        return false;
    ws(&c->j);
    return c->j.i < c->j.n && c->j.s[c->j.i++] == ':';
}

static conv read_struct(conv_ctx *c, lh_type_t t, int depth, size_t *n)
{
    const lh_ntype_t *d = t.nested;
    level *l = &c->lv[depth];
    *n = (size_t)d->field_count;
    if (!need(c, l, *n + 1))
        return C_SYNTAX;
    for (int i = 0; i < d->field_count; i++)
        l->vals[0][i] = (lh_value_t){.type = d->fields[i].type, .is_null = true};
    c->j.i++; /* '{' */
    ws(&c->j);
    if (c->j.i < c->j.n && c->j.s[c->j.i] == '}') {
        c->j.i++;
        return C_OK;
    }
    for (;;) {
        if (!read_key(c))
            return C_SYNTAX;
        int f = -1;
        for (int i = 0; i < d->field_count && f < 0; i++)
            if (c->key.len == strlen(d->fields[i].name) &&
                memcmp(c->key.bytes, d->fields[i].name, c->key.len) == 0)
                f = i;
        conv r = f < 0 ? (skip_value(&c->j, 0, NULL, &c->err) ? C_OK : C_SYNTAX)
                       : convert(c, d->fields[f].type, depth + 1, &l->vals[0][f], &l->offs[0][f]);
        if (r == C_SYNTAX)
            return r;
        if (r == C_FAIL)
            l->vals[0][f].is_null = true;
        if ((r = next_item(c, '}')) != C_OK)
            return r == C_FAIL ? C_OK : r;
    }
}

/* Elements of an array or entries of a map: n of them kept. */
static conv read_entries(conv_ctx *c, lh_type_t t, int depth, size_t *n)
{
    bool is_map = t.id == LH_TYPE_MAP;
    level *l = &c->lv[depth];
    char close = is_map ? '}' : ']';
    *n = 0;
    c->j.i++;
    ws(&c->j);
    if (c->j.i < c->j.n && c->j.s[c->j.i] == close) {
        c->j.i++;
        return C_OK;
    }
    for (;;) {
        if (!need(c, l, *n + 1))
            return C_SYNTAX;
        conv r = C_OK;
        if (is_map) {
            lh_value_t *k = &l->vals[0][*n];
            lh_nbuf_t *kb = &c->lv[depth + 1].buf;
            if (!read_key(c))
                return C_SYNTAX;
            *k = (lh_value_t){.type = t.nested->elem};
            if (t.nested->elem.id == LH_TYPE_STRING) {
                l->offs[0][*n] = kb->len;
                k->v.str.len = (uint32_t)c->key.len;
                c->err = lh_nbuf_put(kb, c->key.bytes, c->key.len);
            } else if (!cast_text(c, (const char *)c->key.bytes, c->key.len, t.nested->elem, k) ||
                       lh_type_is_bytes(t.nested->elem)) {
                r = C_FAIL; /* a key that is not of the key type: the entry is left out */
                c->failed = true;
            }
            k->type = t.nested->elem;
            if (r == C_FAIL && !skip_value(&c->j, 0, NULL, &c->err))
                return C_SYNTAX;
            if (r == C_OK)
                r = convert(c, t.nested->value, depth + 1, &l->vals[1][*n], &l->offs[1][*n]);
        } else {
            r = convert(c, t.nested->elem, depth + 1, &l->vals[0][*n], &l->offs[0][*n]);
        }
        if (r == C_SYNTAX)
            return r;
        *n += r == C_OK; /* a value that does not fit is left out (partial results) */
        if ((r = next_item(c, close)) != C_OK)
            return r == C_FAIL ? C_OK : r;
    }
}

static conv read_nested(conv_ctx *c, lh_type_t t, int depth, lh_value_t *out, size_t *off)
{
    if (depth + 1 > LH_TYPE_NESTING_MAX)
        return C_SYNTAX; /* the schema parser bounds this already */
    size_t n = 0;
    conv r = t.id == LH_TYPE_STRUCT ? read_struct(c, t, depth, &n) : read_entries(c, t, depth, &n);
    if (r != C_OK || c->err != LH_OK)
        return C_SYNTAX;
    level *l = &c->lv[depth];
    lh_nbuf_t *b = &c->lv[depth].buf;
    fix_children(c, depth, 0, n);
    *off = b->len;
    if (t.id == LH_TYPE_STRUCT) {
        c->err = lh_nested_put_struct(b, t, l->vals[0]);
    } else if (t.id == LH_TYPE_MAP) {
        fix_children(c, depth, 1, n);
        c->err = lh_nested_put_map(b, t, l->vals[0], l->vals[1], n);
    } else {
        c->err = lh_nested_put_array(b, t.nested->elem, l->vals[0], n);
    }
    c->lv[depth + 1].buf.len = 0;
    out->v.str.len = (uint32_t)(b->len - *off);
    return c->err == LH_OK ? C_OK : C_SYNTAX;
}

/* The value at the scanner as type t; variable bytes into this depth's buffer at *off. */
static conv convert(conv_ctx *c, lh_type_t t, int depth, lh_value_t *out, size_t *off)
{
    memset(out, 0, sizeof *out);
    out->type = t;
    *off = 0;
    tok k = peek(&c->j);
    if (k == T_END || k == T_BAD)
        return C_SYNTAX;
    if (k == T_NULL || t.id == LH_TYPE_NULL) {
        out->is_null = true;
        return skip_value(&c->j, 0, NULL, &c->err) ? C_OK : C_SYNTAX;
    }
    switch (t.id) {
    case LH_TYPE_STRUCT:
    case LH_TYPE_MAP:
        return k == T_OBJ ? read_nested(c, t, depth, out, off) : fail(c);
    case LH_TYPE_ARRAY:
        return k == T_ARR ? read_nested(c, t, depth, out, off) : fail(c);
    case LH_TYPE_BOOLEAN:
        if (k != T_TRUE && k != T_FALSE)
            return fail(c);
        out->v.i64 = k == T_TRUE;
        c->j.i += k == T_TRUE ? 4 : 5;
        return C_OK;
    case LH_TYPE_STRING:
        if (k == T_STR)
            return from_string(c, t, depth, out, off);
        if (k == T_NUM)
            return from_number(c, t, depth, out, off);
        *off = c->lv[depth].buf.len; /* any other JSON value: its text */
        if (!skip_value(&c->j, 0, &c->lv[depth].buf, &c->err))
            return C_SYNTAX;
        out->v.str.len = (uint32_t)(c->lv[depth].buf.len - *off);
        return C_OK;
    default:
        if (k == T_STR)
            return from_string(c, t, depth, out, off);
        if (k == T_NUM)
            return from_number(c, t, depth, out, off);
        return fail(c);
    }
}

/* One row: the value of type bd->type into out row i (NULL, or a struct of NULLs). */
static lh_err from_row(conv_ctx *c, lh_sv_t text, lh_vec_t *out, size_t i, lh_errbuf *eb)
{
    for (int d = 0; d <= LH_TYPE_NESTING_MAX + 1; d++)
        c->lv[d].buf.len = 0;
    c->j = (jin){(const char *)text.ptr, text.len, 0, c->bd->single_quotes};
    c->failed = false;
    c->err = LH_OK;
    if (peek(&c->j) == T_END)
        return fn_put_null(out, i);
    lh_value_t v;
    size_t off;
    conv r = convert(c, c->bd->type, 0, &v, &off);
    LH_FAIL_IF(c->err != LH_OK, c->err, eb, "from_json: out of memory");
    if (c->bd->failfast && (r != C_OK || c->failed)) {
        char rec[256];
        snprintf(rec, sizeof rec, "%.*s", (int)(text.len < 200 ? text.len : 200),
                 (const char *)text.ptr);
        return lh_sqlerr(eb, "MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION", "badRecord", rec,
                         "failFastMode", "FAILFAST", NULL);
    }
    if (r == C_OK && v.is_null)
        return fn_put_null(out, i);
    if (r == C_OK)
        return fn_put_str(out, i, c->lv[0].buf.bytes + off, v.v.str.len);
    if (c->bd->type.id != LH_TYPE_STRUCT) /* malformed: NULL, or a struct of NULLs */
        return fn_put_null(out, i);
    const lh_ntype_t *d = c->bd->type.nested;
    level *l = &c->lv[0];
    LH_FAIL_IF(!need(c, l, (size_t)d->field_count + 1), LH_E_NOMEM, eb, "from_json: out of memory");
    for (int f = 0; f < d->field_count; f++)
        l->vals[0][f] = (lh_value_t){.type = d->fields[f].type, .is_null = true};
    l->buf.len = 0;
    LH_FAIL_IF(lh_nested_put_struct(&l->buf, c->bd->type, l->vals[0]) != LH_OK, LH_E_NOMEM, eb,
               "from_json: out of memory");
    return fn_put_str(out, i, l->buf.bytes, l->buf.len);
}

static void ctx_free(conv_ctx *c)
{
    for (int d = 0; d <= LH_TYPE_NESTING_MAX + 1; d++) {
        lh_nbuf_free(&c->lv[d].buf);
        for (int k = 0; k < 2; k++) {
            free(c->lv[d].vals[k]);
            free(c->lv[d].offs[k]);
        }
    }
    lh_nbuf_free(&c->key);
    lh_vec_destroy(c->scratch);
    free(c);
}

static lh_err x_from_json(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    conv_ctx *c = calloc(1, sizeof *c);
    LH_FAIL_IF(c == NULL, LH_E_NOMEM, eb, "from_json: out of memory");
    c->bd = x->bind_data;
    c->conf = x->conf;
    lh_err e = LH_OK;
    for (size_t i = 0; i < x->rows && e == LH_OK; i++)
        e = x->args[0]->type.id == LH_TYPE_NULL || fn_null(x->args[0], i)
                ? fn_put_null(x->out, i)
                : from_row(c, fn_str(x->args[0], i), x->out, i, eb);
    ctx_free(c);
    return e;
}

lh_err lh_from_json_value(const char *text, size_t len, const char *schema, size_t schema_len,
                          lh_vec_t **out, lh_errbuf *eb)
{
    *out = NULL;
    from_bd bd = {.single_quotes = true};
    LH_TRY(lh_type_parse_text(schema, schema_len, &bd.type, eb));
    LH_FAIL_IF(!lh_type_is_nested(bd.type), LH_E_INVALID, eb, "from_json: not a nested schema");
    conv_ctx *c = calloc(1, sizeof *c);
    lh_vec_t *v = lh_vec_create(bd.type, 1);
    lh_sql_conf_t conf = {.time_zone = "UTC", .ansi = true};
    lh_err e = c && v ? LH_OK : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK) {
        c->bd = &bd;
        c->conf = &conf;
        v->count = 1;
        e = from_row(c, (lh_sv_t){(const uint8_t *)text, (uint32_t)len}, v, 0, eb);
    }
    if (c)
        ctx_free(c);
    if (e != LH_OK) {
        lh_vec_destroy(v);
        return e;
    }
    *out = v;
    return LH_OK;
}

/* ---- schema_of_json -----------------------------------------------------------------------------
 */

static const lh_type_t T_STRING = {LH_TYPE_STRING}, T_NULLT = {LH_TYPE_NULL},
                       T_LONG = {LH_TYPE_LONG}, T_DOUBLE = {LH_TYPE_DOUBLE},
                       T_BOOL = {LH_TYPE_BOOLEAN};

static lh_type_t merge(lh_type_t a, lh_type_t b);

/* The fields of two structs, by name (both sorted), types merged where names meet. */
static lh_type_t merge_structs(lh_type_t a, lh_type_t b)
{
    const lh_ntype_t *x = a.nested, *y = b.nested;
    int n = x->field_count + y->field_count, k = 0;
    const char **names = calloc((size_t)n + 1, sizeof *names);
    lh_type_t *types = calloc((size_t)n + 1, sizeof *types);
    LH_ASSERT(names != NULL && types != NULL); /* like the interned constructors */
    for (int i = 0, j = 0; i < x->field_count || j < y->field_count;) {
        int c = i >= x->field_count   ? 1
                : j >= y->field_count ? -1
                                      : strcmp(x->fields[i].name, y->fields[j].name);
        names[k] = c <= 0 ? x->fields[i].name : y->fields[j].name;
        types[k++] = c < 0   ? x->fields[i++].type
                     : c > 0 ? y->fields[j++].type
                             : merge(x->fields[i++].type, y->fields[j++].type);
    }
    lh_type_t t = lh_type_struct(k, names, types);
    free(names);
    free(types);
    return t;
}

static lh_type_t as_decimal(lh_type_t t)
{
    return t.id == LH_TYPE_LONG ? (lh_type_t){LH_TYPE_DECIMAL, 20, 0, NULL} : t;
}

/* Spark's JsonInferSchema.compatibleType. */
static lh_type_t merge(lh_type_t a, lh_type_t b)
{
    if (lh_type_equal(a, b) || b.id == LH_TYPE_NULL)
        return a;
    if (a.id == LH_TYPE_NULL)
        return b;
    bool num_a = a.id == LH_TYPE_LONG || a.id == LH_TYPE_DOUBLE || a.id == LH_TYPE_DECIMAL;
    bool num_b = b.id == LH_TYPE_LONG || b.id == LH_TYPE_DOUBLE || b.id == LH_TYPE_DECIMAL;
    if (num_a && num_b) {
        if (a.id == LH_TYPE_DOUBLE || b.id == LH_TYPE_DOUBLE)
            return T_DOUBLE;
        a = as_decimal(a), b = as_decimal(b);
        int scale = a.scale > b.scale ? a.scale : b.scale;
        int ra = a.precision - a.scale, rb = b.precision - b.scale;
        int range = ra > rb ? ra : rb;
        return range + scale > 38
                   ? T_DOUBLE
                   : (lh_type_t){LH_TYPE_DECIMAL, (uint8_t)(range + scale), (uint8_t)scale, NULL};
    }
    if (a.id == LH_TYPE_STRUCT && b.id == LH_TYPE_STRUCT)
        return merge_structs(a, b);
    if (a.id == LH_TYPE_ARRAY && b.id == LH_TYPE_ARRAY)
        return lh_type_array(merge(a.nested->elem, b.nested->elem));
    return T_STRING;
}

typedef struct infer_ctx {
    jin j;
    lh_nbuf_t key;
    lh_err err;
} infer_ctx;

static bool infer(infer_ctx *x, int depth, lh_type_t *out);

/* An object's fields sorted by name; a repeated name merges its types. */
static bool infer_object(infer_ctx *x, int depth, lh_type_t *out)
{
    lh_type_t acc = lh_type_struct(0, NULL, NULL);
    x->j.i++;
    ws(&x->j);
    if (x->j.i < x->j.n && x->j.s[x->j.i] == '}') {
        x->j.i++;
        *out = acc;
        return true;
    }
    for (;;) {
        x->key.len = 0;
        if (peek(&x->j) != T_STR || !read_string(&x->j, &x->key, &x->err) ||
            (x->err = lh_nbuf_put(&x->key, "", 1)) != LH_OK)
            return false;
        ws(&x->j);
        if (x->j.i >= x->j.n || x->j.s[x->j.i++] != ':')
            return false;
        char *name = strdup((const char *)x->key.bytes);
        lh_type_t ft;
        bool ok = name != NULL && infer(x, depth + 1, &ft);
        if (ok) {
            const char *names[1] = {name};
            acc = merge_structs(acc, lh_type_struct(1, names, &ft));
        }
        free(name);
        if (!ok)
            return false;
        ws(&x->j);
        if (x->j.i < x->j.n && x->j.s[x->j.i] == ',') {
            x->j.i++;
            continue;
        }
        if (x->j.i >= x->j.n || x->j.s[x->j.i++] != '}')
            return false;
        *out = acc;
        return true;
    }
}

static bool infer(infer_ctx *x, int depth, lh_type_t *out)
{
    if (depth > LH_SQL_JSON_DEPTH_MAX)
        return false;
    tok k = peek(&x->j);
    if (k == T_OBJ)
        return infer_object(x, depth, out);
    if (k == T_ARR) {
        lh_type_t elem = T_NULLT;
        x->j.i++;
        ws(&x->j);
        if (x->j.i < x->j.n && x->j.s[x->j.i] == ']') {
            x->j.i++;
            *out = lh_type_array(elem);
            return true;
        }
        for (;;) {
            lh_type_t t;
            if (!infer(x, depth + 1, &t))
                return false;
            elem = merge(elem, t);
            ws(&x->j);
            if (x->j.i < x->j.n && x->j.s[x->j.i] == ',') {
                x->j.i++;
                continue;
            }
            if (x->j.i >= x->j.n || x->j.s[x->j.i++] != ']')
                return false;
            *out = lh_type_array(elem);
            return true;
        }
    }
    if (k == T_NUM) {
        size_t end;
        bool is_int;
        if (!scan_number(&x->j, &end, &is_int))
            return false;
        size_t digits = end - x->j.i - (x->j.s[x->j.i] == '-');
        errno = 0;
        if (is_int && digits < 20) { /* ERANGE past a long */
            char num[24];
            memcpy(num, x->j.s + x->j.i, end - x->j.i);
            num[end - x->j.i] = '\0';
            (void)strtoll(num, NULL, 10);
        }
        *out = !is_int                     ? T_DOUBLE
               : errno == 0 && digits < 20 ? T_LONG
               : digits <= 38              ? (lh_type_t){LH_TYPE_DECIMAL, (uint8_t)digits, 0, NULL}
                                           : T_DOUBLE;
        x->j.i = end;
        return true;
    }
    *out = k == T_STR ? T_STRING : k == T_TRUE || k == T_FALSE ? T_BOOL : T_NULLT;
    return (k == T_STR || k == T_TRUE || k == T_FALSE || k == T_NULL) &&
           skip_value(&x->j, 0, NULL, &x->err);
}

/* Spark's canonicalizeType: NULL becomes STRING, empty structs (and what only holds them)
 * are dropped (false), fields with empty names too. */
static bool canonical(lh_type_t t, lh_type_t *out)
{
    if (t.id == LH_TYPE_NULL) {
        *out = T_STRING;
        return true;
    }
    if (t.id == LH_TYPE_ARRAY) {
        lh_type_t e;
        if (!canonical(t.nested->elem, &e))
            return false;
        *out = lh_type_array(e);
        return true;
    }
    if (t.id != LH_TYPE_STRUCT) {
        *out = t;
        return true;
    }
    const lh_ntype_t *d = t.nested;
    const char **names = calloc((size_t)d->field_count + 1, sizeof *names);
    lh_type_t *types = calloc((size_t)d->field_count + 1, sizeof *types);
    LH_ASSERT(names != NULL && types != NULL);
    int k = 0;
    for (int i = 0; i < d->field_count; i++)
        if (d->fields[i].name[0] != '\0' && canonical(d->fields[i].type, &types[k]))
            names[k++] = d->fields[i].name;
    if (k > 0)
        *out = lh_type_struct(k, names, types);
    free(names);
    free(types);
    return k > 0;
}

static lh_type_t empty_struct(void)
{
    return lh_type_struct(0, NULL, NULL);
}

lh_err lh_schema_of_json(const char *text, size_t len, char **out, lh_errbuf *eb)
{
    *out = NULL;
    infer_ctx x = {.j = {text, len, 0, true}};
    lh_type_t t;
    bool ok = infer(&x, 0, &t);
    lh_nbuf_free(&x.key);
    LH_FAIL_IF(x.err != LH_OK, x.err, eb, "schema_of_json: out of memory");
    if (!ok) {
        char rec[256];
        snprintf(rec, sizeof rec, "%.*s", (int)(len < 200 ? len : 200), text);
        return lh_sqlerr(eb, "MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION", "badRecord", rec,
                         "failFastMode", "FAILFAST", NULL);
    }
    lh_type_t c;
    if (t.id == LH_TYPE_STRUCT)
        c = canonical(t, &c) ? c : empty_struct();
    else if (t.id == LH_TYPE_ARRAY && t.nested->elem.id == LH_TYPE_STRUCT)
        c = lh_type_array(canonical(t.nested->elem, &c) ? c : empty_struct());
    else
        c = canonical(t, &c) ? c : T_STRING;
    for (size_t cap = 256;; cap *= 4) {
        char *buf = malloc(cap);
        LH_FAIL_IF(buf == NULL, LH_E_NOMEM, eb, "schema_of_json: out of memory");
        if (strlen(lh_format_type_sql(c, buf, cap)) + 1 < cap) {
            *out = buf;
            return LH_OK;
        }
        free(buf);
    }
}

lh_err lh_fn_const_text(lh_func_bind_t *b, const char *fname, const char *input,
                        const lh_value_t **out, lh_errbuf *eb)
{
    const lh_value_t *v = b->const_args ? b->const_args[0] : NULL;
    const char *sql = lh_arena_sprintf(
        b->arena, "\"%s\"", b->sql ? b->sql : lh_arena_sprintf(b->arena, "%s(...)", fname));
    if (v == NULL || v->type.id != LH_TYPE_STRING) {
        char buf[64];
        return lh_sqlerr(
            eb, "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", "sqlExpr", sql, "inputName",
            lh_arena_sprintf(b->arena, "`%s`", input), "inputType", "\"STRING\"", "inputExpr",
            lh_arena_sprintf(b->arena, "\"%s\"",
                             lh_func_arg_sql(b, 0) ? lh_func_arg_sql(b, 0)
                                                   : fn_type_sql(b->arg_types[0], buf, sizeof buf)),
            NULL);
    }
    if (v->is_null)
        return lh_sqlerr(eb, "DATATYPE_MISMATCH.UNEXPECTED_NULL", "sqlExpr", sql, "exprName", input,
                         NULL);
    *out = v;
    return LH_OK;
}

lh_err lh_fn_bound_string(lh_func_bind_t *b, char *text)
{
    lh_value_t *r = lh_arena_calloc(b->arena, 1, sizeof *r);
    r->type = fn_type(LH_TYPE_STRING);
    size_t n = strlen(text);
    r->v.str = (lh_sv_t){(const uint8_t *)lh_arena_strndup(b->arena, text, n), (uint32_t)n};
    free(text);
    b->bind_data = r;
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = false;
    return LH_OK;
}

static lh_err b_schema_of_json(lh_func_bind_t *b, lh_errbuf *eb)
{
    const lh_value_t *v = NULL;
    LH_TRY(lh_fn_const_text(b, "schema_of_json", "json", &v, eb));
    if (b->arg_count > 1) {
        from_bd ignored = {0};
        LH_TRY(bind_options(b, 1, "schema_of_json", &ignored, eb));
    }
    char *text;
    LH_TRY(lh_schema_of_json((const char *)v->v.str.ptr, v->v.str.len, &text, eb));
    return lh_fn_bound_string(b, text);
}

lh_err lh_fn_exec_bound_string(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    const lh_value_t *r = x->bind_data;
    for (size_t i = 0; i < x->rows; i++)
        LH_TRY(fn_put_str(x->out, i, r->v.str.ptr, r->v.str.len));
    return LH_OK;
}

const lh_func_t lh_fn_json_from[] = {
    {"from_json", LH_FUNC_SCALAR, 2, 3, b_from_json, x_from_json, true},
    {"schema_of_json", LH_FUNC_SCALAR, 1, 2, b_schema_of_json, lh_fn_exec_bound_string, true},
};
FN_COUNT(lh_fn_json_from);
