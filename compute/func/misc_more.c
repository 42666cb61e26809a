/*
 * misc_more.c - Spark 4 scalar functions: try_to_date, to_timestamp_ltz,
 * try_make_timestamp[_ltz|_ntz] (over date.c's binds and execs), convert_timezone, quote,
 * assert_true, raise_error, version and sentences.
 *
 * sentences(str[, lang, country]) approximates Java's BreakIterator (the language and
 * country are accepted and ignored; Spark's default is Locale.US):
 *   - a sentence ends after a run of . ! ? (then closing quotes/brackets) followed by
 *     white space or the end of the text, and after each line break; a '.' followed by spaces and
 *     a lower-case letter does not end one ("Mr. smith");
 *   - a word is a run of letters and digits (every non-ASCII code point counts as a letter),
 *     joined across one ' or . between two letters/digits ("don't", "e.g", "3.14") and
 *     across one , between two digits ("1,000");
 *   - everything else is dropped; a sentence without words is [] (as in Spark).
 * Not reproduced: Unicode word/sentence property tables (CJK, Thai dictionaries, combining
 * marks, non-ASCII punctuation all count as letters), abbreviation heuristics beyond the
 * lower-case rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/nested.h"
#include "compute/func/date_fn.h"
#include "compute/func/datetime.h"
#include "compute/func/fn.h"
#include "compute/func/nested_fn.h"

/* ---- try_to_date / to_timestamp_ltz ---- */

static lh_err x_by_name(const char *name, const lh_func_exec_t *x, lh_errbuf *eb)
{
    const lh_func_t *f = lh_func_find(name);
    return f->exec(x, eb);
}

static lh_err b_try_to_date(lh_func_bind_t *b, lh_errbuf *eb)
{
    return lh_fn_bind_pattern(b, 2, true, 1, eb);
}
static lh_err x_try_to_date(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return x_by_name("to_date", x, eb);
}

static lh_err b_to_ts_ltz(lh_func_bind_t *b, lh_errbuf *eb)
{
    return lh_fn_bind_pattern(b, 1, false, 1, eb);
}
static lh_err x_to_ts_ltz(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return x_by_name("to_timestamp", x, eb);
}

/* ---- try_make_timestamp[_ltz|_ntz] ---- */

static lh_err b_try_make_ts(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_TRY(lh_func_find("make_timestamp")->bind(b, eb));
    b->ret_nullable = true;
    return LH_OK;
}
static lh_err b_try_make_ts_ntz(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_TRY(lh_func_find("make_timestamp_ntz")->bind(b, eb));
    b->ret_nullable = true;
    return LH_OK;
}
static lh_err x_try_make_ts(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return lh_fn_make_ts_exec(x, true, eb);
}

/* ---- convert_timezone([sourceTz, ]targetTz, sourceTs) ---- */

static lh_err b_convert_tz(lh_func_bind_t *b, lh_errbuf *eb)
{
    (void)eb;
    int n = b->arg_count;
    for (int i = 0; i < n - 1; i++)
        b->cast_to[i] = fn_type(LH_TYPE_STRING);
    b->cast_to[n - 1] = fn_type(LH_TYPE_TIMESTAMP_NTZ);
    b->ret_type = fn_type(LH_TYPE_TIMESTAMP_NTZ);
    return LH_OK;
}

static lh_err zone_of(lh_sv_t z, const lh_tz_t **out, lh_errbuf *eb)
{
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(z.len < 127 ? z.len : 127), (const char *)z.ptr);
    *out = lh_tz_get(name);
    if (*out == NULL)
        return lh_sqlerr(eb, "INVALID_TIMEZONE", "timeZone", name, NULL);
    return LH_OK;
}

static lh_err x_convert_tz(const lh_func_exec_t *x, lh_errbuf *eb)
{
    int n = x->arg_count;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        const lh_tz_t *src = fn_tz(x->conf), *dst;
        if (n == 3)
            LH_TRY(zone_of(fn_str(x->args[0], i), &src, eb));
        LH_TRY(zone_of(fn_str(x->args[n - 2], i), &dst, eb));
        int64_t utc = lh_dt_local_to_utc(src, fn_i64(x->args[n - 1], i));
        fn_put_i64(x->out, i, lh_dt_utc_to_local(dst, utc));
    }
    return LH_OK;
}

/* ---- quote(str): 'str', each ' in it preceded by a backslash (Spark's description) ---- */

/* Every argument a STRING (scalars cast; ARRAY, MAP, STRUCT rejected as Spark does). */
static lh_err strings_only(lh_func_bind_t *b, const char *fname, lh_errbuf *eb)
{
    for (int i = 0; i < b->arg_count; i++) {
        if (lh_type_is_nested(b->arg_types[i]))
            return fn_bad_input(b, eb, fname, i, "\"STRING\"");
        b->cast_to[i] = fn_type(LH_TYPE_STRING);
    }
    return LH_OK;
}

static lh_err b_string1(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_TRY(strings_only(b, "quote", eb));
    b->ret_type = fn_type(LH_TYPE_STRING);
    return LH_OK;
}

static lh_err x_quote(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    lh_nbuf_t nb = {0};
    lh_err e = LH_OK;
    fn_begin(x);
    for (size_t i = 0; i < x->rows && e == LH_OK; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i);
        nb.len = 0;
        e = lh_nbuf_put(&nb, "'", 1);
        for (uint32_t k = 0; k < s.len && e == LH_OK; k++) {
            if (s.ptr[k] == '\'')
                e = lh_nbuf_put(&nb, "\\", 1);
            if (e == LH_OK)
                e = lh_nbuf_put(&nb, &s.ptr[k], 1);
        }
        if (e == LH_OK)
            e = lh_nbuf_put(&nb, "'", 1);
        if (e == LH_OK)
            e = fn_put_str(x->out, i, nb.bytes, nb.len);
    }
    lh_nbuf_free(&nb);
    return e;
}

/* ---- assert_true(cond[, msg]), raise_error(msg) ---- */

static lh_err b_assert_true(lh_func_bind_t *b, lh_errbuf *eb)
{
    (void)eb;
    b->cast_to[0] = fn_type(LH_TYPE_BOOLEAN);
    if (b->arg_count > 1)
        b->cast_to[1] = fn_type(LH_TYPE_STRING);
    b->ret_type = fn_type(LH_TYPE_NULL);
    b->ret_nullable = true;
    if (b->arg_count == 1) { /* the binder passes the default message; others name a column */
        const char *c = lh_func_arg_sql(b, 0);
        b->bind_data = lh_arena_sprintf(b->arena, "'%s' is not true!", c ? c : "?");
    }
    return LH_OK;
}

static lh_err user_raised(lh_errbuf *eb, const lh_vec_t *msg, size_t i)
{
    char buf[1024];
    if (fn_null(msg, i))
        snprintf(buf, sizeof buf, "null");
    else
        snprintf(buf, sizeof buf, "%.*s",
                 (int)(fn_str(msg, i).len < 1023 ? fn_str(msg, i).len : 1023),
                 (const char *)fn_str(msg, i).ptr);
    return lh_sqlerr(eb, "USER_RAISED_EXCEPTION", "errorMessage", buf, NULL);
}

static lh_err x_assert_true(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (!fn_null(x->args[0], i) && fn_i64(x->args[0], i) != 0) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        if (x->arg_count > 1)
            return user_raised(eb, x->args[1], i);
        return lh_sqlerr(eb, "USER_RAISED_EXCEPTION", "errorMessage",
                         x->bind_data ? (const char *)x->bind_data : "", NULL);
    }
    return LH_OK;
}

static lh_err b_raise_error(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->cast_to[0] = fn_type(LH_TYPE_STRING);
    if (b->arg_count > 1) { /* raise_error(errorClass, map<string, string> parameters) */
        lh_type_t t = b->arg_types[1];
        if (t.id != LH_TYPE_MAP && t.id != LH_TYPE_NULL)
            return fn_bad_input(b, eb, "raise_error", 1, "\"MAP<STRING, STRING>\"");
        b->cast_to[1] = lh_type_map(fn_type(LH_TYPE_STRING), fn_type(LH_TYPE_STRING));
    }
    b->ret_type = fn_type(LH_TYPE_NULL);
    b->ret_nullable = true;
    return LH_OK;
}

#define RAISE_MAX_PARMS 8

/* raise_error(errorClass, parameters): the class (upper-cased) must be known and the
 * parameter names exactly its message's <names>. */
static lh_err raise_class(const lh_func_exec_t *x, lh_errbuf *eb)
{
    char cls[160], want[512] = "", got[512] = "";
    const char *names[RAISE_MAX_PARMS * 2 + 1] = {0};
    lh_sv_t c =
        fn_null(x->args[0], 0) ? (lh_sv_t){(const uint8_t *)"null", 4} : fn_str(x->args[0], 0);
    size_t cl = c.len < sizeof cls - 1 ? c.len : sizeof cls - 1;
    for (size_t k = 0; k < cl; k++)
        cls[k] = (char)(c.ptr[k] >= 'a' && c.ptr[k] <= 'z' ? c.ptr[k] - 32 : c.ptr[k]);
    cls[cl] = '\0';
    const lh_sqlerr_class_t *row = lh_sqlerr_find(cls);
    if (row == NULL)
        return lh_sqlerr(eb, "USER_RAISED_EXCEPTION_UNKNOWN_ERROR_CLASS", "errorClass", cls, NULL);
    lh_narray_t keys = {0}, vals = {0};
    if (!fn_null(x->args[1], 0))
        lh_nmap_open(x->args[1]->type, fn_str(x->args[1], 0), &keys, &vals);
    /* the template's parameters, each once, in order; all must be given and no others */
    int nwant = 0;
    bool ok = true;
    for (const char *p = row->tmpl; (p = strchr(p, '<')) != NULL;) {
        const char *e = strchr(p, '>');
        if (e == NULL)
            break;
        size_t len = (size_t)(e - p - 1);
        bool seen = false, given = false;
        char tok[96];
        snprintf(tok, sizeof tok, "%.*s", (int)len, p + 1);
        for (int k = 0; k < nwant && !seen; k++)
            seen = strcmp(names[2 * k], tok) == 0;
        for (uint32_t k = 0; k < keys.count && !seen && !given; k++) {
            lh_value_t kv;
            lh_narray_get(&keys, k, &kv);
            given = kv.v.str.len == len && memcmp(kv.v.str.ptr, tok, len) == 0;
        }
        if (!seen) {
            snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", nwant ? ", " : "",
                     tok);
            ok &= given && nwant < RAISE_MAX_PARMS;
            if (nwant < RAISE_MAX_PARMS)
                names[2 * nwant++] = strdup(tok);
        }
        p = e + 1;
    }
    ok &= keys.count == (uint32_t)nwant;
    for (uint32_t k = 0; k < keys.count; k++) {
        lh_value_t kv;
        lh_narray_get(&keys, k, &kv);
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%.*s", k ? ", " : "",
                 (int)kv.v.str.len, (const char *)kv.v.str.ptr);
    }
    lh_err e;
    if (!ok) {
        e = lh_sqlerr(eb, "USER_RAISED_EXCEPTION_PARAMETER_MISMATCH", "errorClass", cls,
                      "expectedParms", want, "providedParms", got, NULL);
    } else {
        for (int w = 0; w < nwant; w++)
            for (uint32_t k = 0; k < keys.count; k++) {
                lh_value_t kv, vv;
                lh_narray_get(&keys, k, &kv);
                if (strlen(names[2 * w]) != kv.v.str.len ||
                    memcmp(kv.v.str.ptr, names[2 * w], kv.v.str.len) != 0)
                    continue;
                lh_narray_get(&vals, k, &vv);
                names[2 * w + 1] =
                    vv.is_null ? strdup("null") : strndup((const char *)vv.v.str.ptr, vv.v.str.len);
            }
        e = lh_sqlerr(eb, cls, names[0], names[1], names[2], names[3], names[4], names[5], names[6],
                      names[7], names[8], names[9], names[10], names[11], names[12], names[13],
                      names[14], names[15], NULL);
    }
    for (int k = 0; k < RAISE_MAX_PARMS * 2; k++)
        free((void *)names[k]);
    return e;
}

static lh_err x_raise_error(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    if (x->rows == 0)
        return LH_OK;
    return x->arg_count > 1 ? raise_class(x, eb) : user_raised(eb, x->args[0], 0);
}

/* ---- version() ---- */

#define LH_SPARK_VERSION "4.0.0 lakehouse"

static lh_err b_version(lh_func_bind_t *b, lh_errbuf *eb)
{
    (void)eb;
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = false;
    return LH_OK;
}
static lh_err x_version(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++)
        LH_TRY(fn_put_str(x->out, i, LH_SPARK_VERSION, strlen(LH_SPARK_VERSION)));
    return LH_OK;
}

/* ---- sentences(str[, lang, country]) ---- */

static lh_err b_sentences(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_TRY(strings_only(b, "sentences", eb));
    b->ret_type = lh_type_array(lh_type_array(fn_type(LH_TYPE_STRING)));
    return LH_OK;
}

static bool is_alnum_at(const uint8_t *s, size_t n, size_t k)
{
    if (k >= n)
        return false;
    uint8_t c = s[k];
    return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}
static bool is_digit_at(const uint8_t *s, size_t n, size_t k)
{
    return k < n && s[k] >= '0' && s[k] <= '9';
}

/* The end of the sentence starting at p (exclusive). */
static size_t sentence_end(const uint8_t *s, size_t n, size_t p)
{
    while (p < n) {
        uint8_t c = s[p];
        if (c == '\n' || c == '\r') /* a paragraph separator ends one (CR LF is one) */
            return p + (c == '\r' && p + 1 < n && s[p + 1] == '\n' ? 2 : 1);
        if (c != '.' && c != '!' && c != '?') {
            p++;
            continue;
        }
        bool aterm_only = true;
        while (p < n && (s[p] == '.' || s[p] == '!' || s[p] == '?'))
            aterm_only &= s[p++] == '.';
        while (p < n && (s[p] == '"' || s[p] == '\'' || s[p] == ')' || s[p] == ']'))
            p++;
        if (p >= n)
            return n;
        if (s[p] != ' ' && s[p] != '\t' && s[p] != '\n' && s[p] != '\r')
            continue;
        size_t q = p;
        while (q < n && (s[q] == ' ' || s[q] == '\t'))
            q++;
        if (aterm_only && q < n && s[q] >= 'a' && s[q] <= 'z')
            continue;
        return q;
    }
    return n;
}

static lh_err x_sentences(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    lh_type_t str_t = fn_type(LH_TYPE_STRING), inner_t = lh_type_array(str_t);
    lh_nbuf_t inner = {0}, outer = {0};
    lh_value_t *words = NULL, *sents = NULL;
    size_t *ends = NULL;
    lh_err e = LH_OK;
    fn_begin(x);
    for (size_t i = 0; i < x->rows && e == LH_OK; i++) {
        if (fn_null(x->args[0], i)) {
            e = fn_put_null(x->out, i);
            continue;
        }
        lh_sv_t sv = fn_str(x->args[0], i);
        const uint8_t *s = sv.ptr;
        size_t n = sv.len, ns = 0;
        free(words), free(sents), free(ends);
        /* at most n / 2 + 1 words; at most n sentences (each takes a byte) */
        words = malloc((n / 2 + 1) * sizeof *words);
        ends = malloc((n + 1) * sizeof *ends);
        sents = malloc((n + 1) * sizeof *sents);
        if (words == NULL || ends == NULL || sents == NULL) {
            e = LH_E_NOMEM;
            break;
        }
        inner.len = 0;
        for (size_t p = 0; p < n && e == LH_OK;) {
            size_t end = sentence_end(s, n, p), nw = 0;
            for (size_t k = p; k < end;) {
                if (!is_alnum_at(s, end, k)) {
                    k++;
                    continue;
                }
                size_t w = k;
                for (;;) {
                    while (is_alnum_at(s, end, k))
                        k++;
                    bool join =
                        k + 1 < end && is_alnum_at(s, end, k + 1) &&
                        (s[k] == '\'' || s[k] == '.' ||
                         (s[k] == ',' && is_digit_at(s, end, k - 1) && is_digit_at(s, end, k + 1)));
                    if (!join)
                        break;
                    k++;
                }
                words[nw++] = (lh_value_t){.type = str_t, .v.str = {s + w, (uint32_t)(k - w)}};
            }
            e = lh_nested_put_array(&inner, str_t, words, nw); /* [] when no words */
            ends[ns++] = inner.len;
            p = end > p ? end : p + 1;
        }
        for (size_t k = 0; k < ns && e == LH_OK; k++) {
            size_t b = k ? ends[k - 1] : 0;
            sents[k] =
                (lh_value_t){.type = inner_t, .v.str = {inner.bytes + b, (uint32_t)(ends[k] - b)}};
        }
        if (e == LH_OK)
            e = lh_fnc_put_array(x->out, i, sents, ns, &outer);
    }
    free(words), free(sents), free(ends);
    lh_nbuf_free(&inner);
    lh_nbuf_free(&outer);
    return e;
}

#define F(name, lo, hi, bind, exec)                                                                \
    {                                                                                              \
        name, LH_FUNC_SCALAR, lo, hi, bind, exec, true                                             \
    }
#define NF(name, lo, hi, bind, exec)                                                               \
    {                                                                                              \
        name, LH_FUNC_SCALAR, lo, hi, bind, exec, false                                            \
    }
const lh_func_t lh_fn_misc_more[] = {
    NF("assert_true", 1, 2, b_assert_true, x_assert_true),
    F("convert_timezone", 2, 3, b_convert_tz, x_convert_tz),
    F("quote", 1, 1, b_string1, x_quote),
    NF("raise_error", 1, 2, b_raise_error, x_raise_error),
    F("sentences", 1, 3, b_sentences, x_sentences),
    F("to_timestamp_ltz", 1, 2, b_to_ts_ltz, x_to_ts_ltz),
    F("try_make_timestamp", 6, 7, b_try_make_ts, x_try_make_ts),
    F("try_make_timestamp_ltz", 6, 7, b_try_make_ts, x_try_make_ts),
    F("try_make_timestamp_ntz", 6, 6, b_try_make_ts_ntz, x_try_make_ts),
    F("try_to_date", 1, 2, b_try_to_date, x_try_to_date),
    F("version", 0, 0, b_version, x_version),
};
FN_COUNT(lh_fn_misc_more);
