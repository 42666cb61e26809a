/*
 * string.c - string functions: concat, concat_ws, lower/upper/initcap, substring, left,
 * right, the lengths, trims, pads, instr/locate/position, replace, translate, reverse,
 * repeat, split_part, startswith/endswith/contains, ascii, chr, space, elt, soundex,
 * levenshtein, uuid.
 *
 * Positions and lengths count characters (UTF-8 code points) as Spark's UTF8String does;
 * BINARY arguments count bytes. Binding casts the argument list to a "signature" of S
 * (string), I (int) and B (keep binary) letters with one helper; exec loops fetch the
 * row's values and build the result in a stack buffer or the output heap.
 */
#include <ctype.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <wctype.h>

#include "common/limits.h"
#include "common/nested.h"
#include "compute/func/fn.h"
#include "compute/func/nested_fn.h"

/* Bind by signature: 'S' string, 'I' int, 'L' bigint, 'V' variadic strings. */
static lh_err bind_sig(lh_func_bind_t *b, const char *sig, lh_type_id ret, lh_errbuf *eb)
{
    bool binary = b->arg_count > 0 && b->arg_types[0].id == LH_TYPE_BINARY;
    for (int i = 0; i < b->arg_count; i++) {
        char c = sig[i < (int)strlen(sig) ? i : (int)strlen(sig) - 1];
        if (c == 'V')
            c = 'S';
        lh_type_t t = b->arg_types[i];
        if (c == 'S') {
            if (t.id != LH_TYPE_BINARY || !binary)
                b->cast_to[i] = fn_type(LH_TYPE_STRING);
        } else {
            if (t.id != LH_TYPE_NULL && !lh_type_is_integral(t.id) && t.id != LH_TYPE_STRING)
                return fn_bad_input(b, eb, "string function", i,
                                    c == 'I' ? "\"INT\"" : "\"BIGINT\"");
            b->cast_to[i] = fn_type(c == 'I' ? LH_TYPE_INT : LH_TYPE_LONG);
        }
    }
    b->ret_type = fn_type(ret);
    b->ret_nullable = true;
    return LH_OK;
}

/* ---- UTF-8 ---- */

static size_t u8_len(const uint8_t *p, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += (p[i] & 0xC0) != 0x80;
    return c;
}

/* Byte offset of character index ci (clamped to n). */
static size_t u8_off(const uint8_t *p, size_t n, size_t ci)
{
    size_t i = 0;
    while (i < n && ci > 0) {
        i++;
        while (i < n && (p[i] & 0xC0) == 0x80)
            i++;
        ci--;
    }
    return i;
}

static size_t u8_next(const uint8_t *p, size_t n, size_t i)
{
    i++;
    while (i < n && (p[i] & 0xC0) == 0x80)
        i++;
    return i;
}

static uint32_t u8_decode(const uint8_t *p, size_t n, size_t i)
{
    uint32_t c = p[i];
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    c &= extra == 3 ? 0x07 : extra == 2 ? 0x0F : extra == 1 ? 0x1F : 0x7F;
    for (int k = 1; k <= extra && i + (size_t)k < n; k++)
        c = c << 6 | (p[i + (size_t)k] & 0x3F);
    return c;
}

size_t fn_utf8_put(uint32_t c, uint8_t *o)
{
    if (c < 0x80)
        return o[0] = (uint8_t)c, 1;
    if (c < 0x800)
        return o[0] = (uint8_t)(0xC0 | c >> 6), o[1] = (uint8_t)(0x80 | (c & 0x3F)), 2;
    if (c < 0x10000) {
        o[0] = (uint8_t)(0xE0 | c >> 12), o[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (uint8_t)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | c >> 18), o[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F)), o[3] = (uint8_t)(0x80 | (c & 0x3F));
    return 4;
}

static bool is_bin(const lh_func_exec_t *x)
{
    return x->args[0]->type.id == LH_TYPE_BINARY;
}

/* A growable result buffer (malloc'd; freed by the loop). */
typedef struct sbuf {
    uint8_t *p;
    size_t n, cap;
} sbuf_t;

static bool sb_put(sbuf_t *b, const void *d, size_t n)
{
    if (n == 0)
        return true;
    if (b->n + n > b->cap) {
        size_t c = b->cap ? b->cap * 2 : 256;
        while (c < b->n + n)
            c *= 2;
        if (c > LH_SQL_STRING_VALUE_MAX)
            return false;
        uint8_t *q = realloc(b->p, c);
        if (q == NULL)
            return false;
        b->p = q, b->cap = c;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
    return true;
}

/* ---- concat / concat_ws ---- */

static lh_err b_concat(lh_func_bind_t *b, lh_errbuf *eb)
{
    for (int i = 0; i < b->arg_count; i++)
        if (b->arg_types[i].id == LH_TYPE_ARRAY)
            return lh_fnc_concat_bind(b, eb); /* concat of arrays: collection.c */
    bool all_bin = b->arg_count > 0;
    for (int i = 0; i < b->arg_count; i++)
        all_bin &= b->arg_types[i].id == LH_TYPE_BINARY;
    for (int i = 0; i < b->arg_count; i++)
        b->cast_to[i] = fn_type(all_bin ? LH_TYPE_BINARY : LH_TYPE_STRING);
    b->ret_type = fn_type(all_bin ? LH_TYPE_BINARY : LH_TYPE_STRING);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_concat(const lh_func_exec_t *x, lh_errbuf *eb)
{
    if (x->out->type.id == LH_TYPE_ARRAY)
        return lh_fnc_concat_exec(x, eb);
    fn_begin(x);
    sbuf_t sb = {0};
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        sb.n = 0;
        for (int k = 0; k < x->arg_count; k++) {
            lh_sv_t s = fn_str(x->args[k], i);
            if (!sb_put(&sb, s.ptr, s.len)) {
                free(sb.p);
                LH_FAIL(LH_E_NOMEM, eb, "concat result too large");
            }
        }
        lh_err e = fn_put_str(x->out, i, sb.p, sb.n);
        if (e) {
            free(sb.p);
            return e;
        }
    }
    free(sb.p);
    return LH_OK;
}

/* concat_ws(sep, (str | array<str>)...): the strings and the arrays' elements, NULL ones
 * skipped, joined by sep (Spark's ConcatWs) */
static lh_err b_concat_ws(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_TRY(bind_sig(b, "V", LH_TYPE_STRING, eb));
    for (int i = 1; i < b->arg_count; i++)
        if (b->arg_types[i].id == LH_TYPE_ARRAY)
            b->cast_to[i] = lh_type_array(fn_type(LH_TYPE_STRING));
    return LH_OK;
}

static lh_err x_concat_ws(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    sbuf_t sb = {0};
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_null(x->args[0], i) || x->args[0]->type.id == LH_TYPE_NULL) {
            fn_put_null(x->out, i);
            continue;
        }
        lh_sv_t sep = fn_str(x->args[0], i);
        sb.n = 0;
        bool first = true, ok = true;
        for (int k = 1; k < x->arg_count; k++) {
            if (fn_null(x->args[k], i) || x->args[k]->type.id == LH_TYPE_NULL)
                continue;
            if (x->args[k]->type.id == LH_TYPE_ARRAY) {
                lh_narray_t a;
                lh_narray_open(x->args[k]->type.nested->elem, fn_str(x->args[k], i), &a);
                for (uint32_t j = 0; j < a.count; j++) {
                    lh_value_t v;
                    lh_narray_get(&a, j, &v);
                    if (v.is_null)
                        continue;
                    ok &= (first || sb_put(&sb, sep.ptr, sep.len)) &&
                          sb_put(&sb, v.v.str.ptr, v.v.str.len);
                    first = false;
                }
                continue;
            }
            lh_sv_t s = fn_str(x->args[k], i);
            ok &= (first || sb_put(&sb, sep.ptr, sep.len)) && sb_put(&sb, s.ptr, s.len);
            first = false;
        }
        lh_err e = ok ? fn_put_str(x->out, i, sb.p, sb.n) : LH_E_NOMEM;
        if (e) {
            free(sb.p);
            return e;
        }
    }
    free(sb.p);
    return LH_OK;
}

/* ---- one-string-in, one-string-out transforms ---- */

typedef enum { T_LOWER, T_UPPER, T_INITCAP, T_REVERSE, T_SOUNDEX } tform_t;

static lh_err bind_tform(lh_func_bind_t *b, tform_t t, lh_errbuf *eb)
{
    tform_t *bd = lh_arena_alloc(b->arena, sizeof *bd);
    *bd = t;
    b->bind_data = bd;
    b->cast_to[0] = fn_type(
        t == T_REVERSE && b->arg_types[0].id == LH_TYPE_BINARY ? LH_TYPE_BINARY : LH_TYPE_STRING);
    b->ret_type = b->cast_to[0];
    b->ret_nullable = true;
    return LH_OK;
}

static size_t soundex(const uint8_t *p, size_t n, uint8_t *o)
{
    static const char code[] = "01230120022455012623010202";
    if (n == 0 || !isalpha(p[0])) {
        memcpy(o, p, n);
        return n;
    }
    o[0] = (uint8_t)toupper(p[0]);
    size_t k = 1;
    char last = code[toupper(p[0]) - 'A'];
    for (size_t i = 1; i < n && k < 4; i++) {
        if (!isalpha(p[i]))
            continue;
        char c = code[toupper(p[i]) - 'A'];
        if (c != '0' && c != last)
            o[k++] = (uint8_t)c;
        if (toupper(p[i]) != 'H' && toupper(p[i]) != 'W')
            last = c;
    }
    while (k < 4)
        o[k++] = '0';
    return 4;
}

/* Unicode simple case mapping through glibc's C.UTF-8 locale (ASCII only without it). */
static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void utf8_init(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

static uint32_t map_case(uint32_t c, bool upper)
{
    if (c < 0x80)
        return (uint32_t)(upper ? toupper((int)c) : tolower((int)c));
    if (utf8_locale == (locale_t)0)
        return c;
    return (uint32_t)(upper ? towupper_l((wint_t)c, utf8_locale)
                            : towlower_l((wint_t)c, utf8_locale));
}

/* Java's (Unicode SpecialCasing.txt's) unconditional full uppercase mappings that are not one
 * code point: upper('ß') = 'SS', upper('ﬁ') = 'FI'. Sorted by code point; the Greek letters
 * with ypogegrammeni U+1F80..U+1FAF are computed in full_upper. */
static const struct special_upper {
    uint16_t c;
    uint16_t to[3];
} special_upper[] = {
    {0x00DF, {0x0053, 0x0053}},         {0x0149, {0x02BC, 0x004E}},
    {0x01F0, {0x004A, 0x030C}},         {0x0390, {0x0399, 0x0308, 0x0301}},
    {0x03B0, {0x03A5, 0x0308, 0x0301}}, {0x0587, {0x0535, 0x0552}},
    {0x1E96, {0x0048, 0x0331}},         {0x1E97, {0x0054, 0x0308}},
    {0x1E98, {0x0057, 0x030A}},         {0x1E99, {0x0059, 0x030A}},
    {0x1E9A, {0x0041, 0x02BE}},         {0x1F50, {0x03A5, 0x0313}},
    {0x1F52, {0x03A5, 0x0313, 0x0300}}, {0x1F54, {0x03A5, 0x0313, 0x0301}},
    {0x1F56, {0x03A5, 0x0313, 0x0342}}, {0x1FB2, {0x1FBA, 0x0399}},
    {0x1FB3, {0x0391, 0x0399}},         {0x1FB4, {0x0386, 0x0399}},
    {0x1FB6, {0x0391, 0x0342}},         {0x1FB7, {0x0391, 0x0342, 0x0399}},
    {0x1FBC, {0x0391, 0x0399}},         {0x1FC2, {0x1FCA, 0x0399}},
    {0x1FC3, {0x0397, 0x0399}},         {0x1FC4, {0x0389, 0x0399}},
    {0x1FC6, {0x0397, 0x0342}},         {0x1FC7, {0x0397, 0x0342, 0x0399}},
    {0x1FCC, {0x0397, 0x0399}},         {0x1FD2, {0x0399, 0x0308, 0x0300}},
    {0x1FD3, {0x0399, 0x0308, 0x0301}}, {0x1FD6, {0x0399, 0x0342}},
    {0x1FD7, {0x0399, 0x0308, 0x0342}}, {0x1FE2, {0x03A5, 0x0308, 0x0300}},
    {0x1FE3, {0x03A5, 0x0308, 0x0301}}, {0x1FE4, {0x03A1, 0x0313}},
    {0x1FE6, {0x03A5, 0x0342}},         {0x1FE7, {0x03A5, 0x0308, 0x0342}},
    {0x1FF2, {0x1FFA, 0x0399}},         {0x1FF3, {0x03A9, 0x0399}},
    {0x1FF4, {0x038F, 0x0399}},         {0x1FF6, {0x03A9, 0x0342}},
    {0x1FF7, {0x03A9, 0x0342, 0x0399}}, {0x1FFC, {0x03A9, 0x0399}},
    {0xFB00, {0x0046, 0x0046}},         {0xFB01, {0x0046, 0x0049}},
    {0xFB02, {0x0046, 0x004C}},         {0xFB03, {0x0046, 0x0046, 0x0049}},
    {0xFB04, {0x0046, 0x0046, 0x004C}}, {0xFB05, {0x0053, 0x0054}},
    {0xFB06, {0x0053, 0x0054}},         {0xFB13, {0x0544, 0x0546}},
    {0xFB14, {0x0544, 0x0535}},         {0xFB15, {0x0544, 0x053B}},
    {0xFB16, {0x054E, 0x0546}},         {0xFB17, {0x0544, 0x053D}},
};

/* The full uppercase of c when it is several code points (into to[0..2]), else 0. */
static int full_upper(uint32_t c, uint32_t *to)
{
    if (c >= 0x1F80 && c <= 0x1FAF) { /* ᾀ..ᾯ: the capital without the iota, then Ι */
        static const uint16_t base[] = {0x1F08, 0x1F28, 0x1F68};
        to[0] = base[(c - 0x1F80) / 16] + (c & 7);
        to[1] = 0x0399;
        return 2;
    }
    size_t lo = 0, hi = sizeof special_upper / sizeof special_upper[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (special_upper[mid].c == c) {
            int n = 0;
            while (n < 3 && special_upper[mid].to[n] != 0) {
                to[n] = special_upper[mid].to[n];
                n++;
            }
            return n;
        }
        if (special_upper[mid].c < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* lower/upper/initcap of s into o (>= 4 * len bytes: a full mapping at most triples a
 * character's bytes); returns the length. */
static bool is_letter(uint32_t c)
{
    return c < 0x80 ? isalpha((int)c) != 0
                    : utf8_locale != (locale_t)0 && iswalpha_l((wint_t)c, utf8_locale);
}

/* Whether the 'Σ' at s[k..e) ends a word (Unicode's Final_Sigma, as Java's toLowerCase
 * applies it): a letter before it and none right after. */
static bool final_sigma(lh_sv_t s, size_t k, size_t e)
{
    if (k == 0)
        return false;
    size_t b = k - 1;
    while (b > 0 && (s.ptr[b] & 0xC0) == 0x80)
        b--;
    if (!is_letter(u8_decode(s.ptr, s.len, b)))
        return false;
    return e >= s.len || !is_letter(u8_decode(s.ptr, s.len, e));
}

static size_t case_map(tform_t t, lh_sv_t s, uint8_t *o)
{
    size_t n = 0;
    bool word_start = true;
    for (size_t k = 0; k < s.len;) {
        size_t e = u8_next(s.ptr, s.len, k);
        uint32_t c = u8_decode(s.ptr, s.len, k);
        bool upper = t == T_UPPER || (t == T_INITCAP && word_start);
        uint32_t full[3];
        int fn = t == T_UPPER && c >= 0xDF ? full_upper(c, full) : 0;
        if (fn > 0) {
            for (int j = 0; j < fn; j++)
                n += fn_utf8_put(full[j], o + n);
            word_start = false;
            k = e;
            continue;
        }
        if (!upper && c == 0x130) { /* Java: 'İ' lowers to "i̇" (i, combining dot above) */
            n += fn_utf8_put('i', o + n);
            n += fn_utf8_put(0x307, o + n);
            word_start = false;
            k = e;
            continue;
        }
        uint32_t m = map_case(c, upper);
        if (!upper && c == 0x3A3 && final_sigma(s, k, e)) /* Java's final sigma: 'ς' */
            m = 0x3C2;
        if (m == c) { /* keep the original bytes (also keeps invalid UTF-8 as is) */
            memcpy(o + n, s.ptr + k, e - k);
            n += e - k;
        } else {
            n += fn_utf8_put(m, o + n);
        }
        word_start = c == ' ';
        k = e;
    }
    return n;
}

static lh_err x_tform(const lh_func_exec_t *x, lh_errbuf *eb)
{
    tform_t t = *(const tform_t *)x->bind_data;
    pthread_once(&utf8_once, utf8_init);
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i);
        uint8_t *o = malloc(4 * (size_t)s.len + 4);
        LH_FAIL_IF(o == NULL, LH_E_NOMEM, eb, "out of memory");
        size_t n = s.len;
        if (t == T_SOUNDEX)
            n = soundex(s.ptr, s.len, o);
        else if (t == T_REVERSE && is_bin(x))
            for (size_t k = 0; k < n; k++)
                o[k] = s.ptr[n - 1 - k];
        else if (t == T_REVERSE)
            for (size_t k = 0, w = n; k < n;) {
                size_t e = u8_next(s.ptr, n, k);
                w -= e - k;
                memcpy(o + w, s.ptr + k, e - k);
                k = e;
            }
        else
            n = case_map(t, s, o);
        lh_err e = fn_put_str(x->out, i, o, n);
        free(o);
        LH_TRY(e);
    }
    return LH_OK;
}

size_t fn_lower(const uint8_t *s, size_t n, uint8_t *o)
{
    pthread_once(&utf8_once, utf8_init);
    return case_map(T_LOWER, (lh_sv_t){s, n}, o);
}

#define TBIND(fn, t)                                                                               \
    static lh_err fn(lh_func_bind_t *b, lh_errbuf *eb)                                             \
    {                                                                                              \
        return bind_tform(b, t, eb);                                                               \
    }
TBIND(b_lower, T_LOWER)
TBIND(b_upper, T_UPPER)
TBIND(b_initcap, T_INITCAP)
TBIND(b_reverse, T_REVERSE)
TBIND(b_soundex, T_SOUNDEX)

/* ---- lengths ---- */

typedef enum { L_CHARS, L_OCTETS, L_BITS, L_ASCII } len_t;

static lh_err bind_len(lh_func_bind_t *b, len_t k, lh_errbuf *eb)
{
    len_t *bd = lh_arena_alloc(b->arena, sizeof *bd);
    *bd = k;
    b->bind_data = bd;
    if (b->arg_types[0].id != LH_TYPE_BINARY)
        b->cast_to[0] = fn_type(LH_TYPE_STRING);
    b->ret_type = fn_type(LH_TYPE_INT);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_len(const lh_func_exec_t *x, lh_errbuf *eb)
{
    len_t k = *(const len_t *)x->bind_data;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i);
        int64_t v = k == L_OCTETS  ? s.len
                    : k == L_BITS  ? (int64_t)s.len * 8
                    : k == L_ASCII ? (s.len ? (int64_t)u8_decode(s.ptr, s.len, 0) : 0)
                    : is_bin(x)    ? s.len
                                   : (int64_t)u8_len(s.ptr, s.len);
        fn_put_i64(x->out, i, v);
    }
    return LH_OK;
}

#define LBIND(fn, k)                                                                               \
    static lh_err fn(lh_func_bind_t *b, lh_errbuf *eb)                                             \
    {                                                                                              \
        return bind_len(b, k, eb);                                                                 \
    }
LBIND(b_length, L_CHARS)
LBIND(b_octet, L_OCTETS)
LBIND(b_bits, L_BITS)
LBIND(b_ascii, L_ASCII)

/* ---- substring / left / right ---- */

typedef enum { SUB_SUBSTR, SUB_LEFT, SUB_RIGHT } sub_t;

static lh_err bind_sub(lh_func_bind_t *b, sub_t k, lh_errbuf *eb)
{
    sub_t *bd = lh_arena_alloc(b->arena, sizeof *bd);
    *bd = k;
    b->bind_data = bd;
    bool bin = b->arg_types[0].id == LH_TYPE_BINARY;
    b->cast_to[0] = fn_type(bin ? LH_TYPE_BINARY : LH_TYPE_STRING);
    for (int i = 1; i < b->arg_count; i++) {
        if (b->arg_types[i].id != LH_TYPE_NULL && !lh_type_is_integral(b->arg_types[i].id) &&
            b->arg_types[i].id != LH_TYPE_STRING)
            return fn_bad_input(b, eb, "substring", i, "\"INT\"");
        b->cast_to[i] = fn_type(LH_TYPE_INT);
    }
    b->ret_type = b->cast_to[0];
    b->ret_nullable = true;
    return LH_OK;
}

/* Spark's UTF8String.substringSQL(pos, len) in characters (bytes when bin). */
static void substr_sql(lh_sv_t s, bool bin, int64_t pos, int64_t len, size_t *from, size_t *to)
{
    int64_t n = bin ? s.len : (int64_t)u8_len(s.ptr, s.len);
    int64_t start = pos > 0 ? pos - 1 : pos < 0 ? n + pos : 0;
    int64_t end = len == INT64_MAX ? n : start + len;
    if (start < 0)
        start = 0;
    if (end > n)
        end = n;
    if (start >= end) {
        *from = *to = 0;
        return;
    }
    *from = bin ? (size_t)start : u8_off(s.ptr, s.len, (size_t)start);
    *to = bin ? (size_t)end : u8_off(s.ptr, s.len, (size_t)end);
}

static lh_err x_sub(const lh_func_exec_t *x, lh_errbuf *eb)
{
    sub_t k = *(const sub_t *)x->bind_data;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i);
        int64_t a = fn_i64(x->args[1], i);
        int64_t len = x->arg_count > 2 ? fn_i64(x->args[2], i) : INT64_MAX, pos = a;
        if (k == SUB_LEFT)
            pos = 1, len = a;
        else if (k == SUB_RIGHT)
            pos = -a, len = INT64_MAX;
        size_t from, to;
        if ((k != SUB_SUBSTR && a <= 0) || (k == SUB_RIGHT && a <= 0))
            from = to = 0;
        else
            substr_sql(s, is_bin(x), pos, len, &from, &to);
        if (k == SUB_RIGHT && a > 0 && (int64_t)u8_len(s.ptr, s.len) <= a)
            from = 0, to = s.len;
        LH_TRY(fn_put_str(x->out, i, s.ptr + from, to - from));
    }
    return LH_OK;
}

#define SBIND(fn, k)                                                                               \
    static lh_err fn(lh_func_bind_t *b, lh_errbuf *eb)                                             \
    {                                                                                              \
        return bind_sub(b, k, eb);                                                                 \
    }
SBIND(b_substr, SUB_SUBSTR)
SBIND(b_left, SUB_LEFT)
SBIND(b_right, SUB_RIGHT)

/* ---- overlay(input, replace, pos[, len]) (also OVERLAY(input PLACING replace FROM pos
 * [FOR len])): Spark's Overlay, in characters (bytes for two BINARY arguments): the input's
 * first pos - 1 characters, replace, then the input from character pos - 1 + len on (len
 * -1, the default, is replace's length). ---- */

static lh_err b_overlay(lh_func_bind_t *b, lh_errbuf *eb)
{
    bool bin = b->arg_types[0].id == LH_TYPE_BINARY && b->arg_types[1].id == LH_TYPE_BINARY;
    b->cast_to[0] = b->cast_to[1] = fn_type(bin ? LH_TYPE_BINARY : LH_TYPE_STRING);
    for (int i = 2; i < b->arg_count; i++) {
        if (b->arg_types[i].id != LH_TYPE_NULL && !lh_type_is_integral(b->arg_types[i].id) &&
            b->arg_types[i].id != LH_TYPE_STRING)
            return fn_bad_input(b, eb, "overlay", i, "\"INT\"");
        b->cast_to[i] = fn_type(LH_TYPE_INT);
    }
    b->ret_type = b->cast_to[0];
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_overlay(const lh_func_exec_t *x, lh_errbuf *eb)
{
    bool bin = is_bin(x);
    uint8_t *o = NULL;
    size_t cap = 0;
    lh_err e = LH_OK;
    fn_begin(x);
    for (size_t i = 0; i < x->rows && e == LH_OK; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i), r = fn_str(x->args[1], i);
        int64_t pos = fn_i64(x->args[2], i), len = x->arg_count > 3 ? fn_i64(x->args[3], i) : -1;
        int64_t n = bin ? s.len : (int64_t)u8_len(s.ptr, s.len);
        int64_t rn = bin ? r.len : (int64_t)u8_len(r.ptr, r.len);
        int64_t head = pos - 1 < 0 ? 0 : pos - 1 > n ? n : pos - 1;
        int64_t tail = pos - 1 + (len >= 0 ? len : rn);
        tail = tail < 0 ? 0 : tail > n ? n : tail;
        size_t hb = bin ? (size_t)head : u8_off(s.ptr, s.len, (size_t)head);
        size_t tb = bin ? (size_t)tail : u8_off(s.ptr, s.len, (size_t)tail);
        size_t total = hb + r.len + (s.len - tb);
        if (total + 1 > cap) {
            free(o);
            cap = total + 64;
            if ((o = malloc(cap)) == NULL) {
                e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
                break;
            }
        }
        if (hb) /* (an empty value may have no pointer) */
            memcpy(o, s.ptr, hb);
        if (r.len)
            memcpy(o + hb, r.ptr, r.len);
        if (s.len > tb)
            memcpy(o + hb + r.len, s.ptr + tb, s.len - tb);
        e = fn_put_str(x->out, i, o, total);
    }
    free(o);
    return e;
}

/* ---- trims ---- */

typedef enum { TR_BOTH, TR_LEFT, TR_RIGHT } trim_t;

static lh_err bind_trim(lh_func_bind_t *b, trim_t k, lh_errbuf *eb)
{
    trim_t *bd = lh_arena_alloc(b->arena, sizeof *bd);
    *bd = k;
    b->bind_data = bd;
    for (int i = 0; i < b->arg_count; i++)
        b->cast_to[i] = fn_type(LH_TYPE_STRING);
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = true;
    return LH_OK;
}

static bool in_set(const uint8_t *set, size_t n, const uint8_t *c, size_t cl)
{
    for (size_t i = 0; i < n;) {
        size_t e = u8_next(set, n, i);
        if (e - i == cl && memcmp(set + i, c, cl) == 0)
            return true;
        i = e;
    }
    return false;
}

static lh_err x_trim(const lh_func_exec_t *x, lh_errbuf *eb)
{
    trim_t k = *(const trim_t *)x->bind_data;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i);
        lh_sv_t set = x->arg_count > 1 ? fn_str(x->args[1], i) : (lh_sv_t){(const uint8_t *)" ", 1};
        size_t a = 0, z = s.len;
        if (k != TR_RIGHT)
            while (a < z) {
                size_t e = u8_next(s.ptr, z, a);
                if (!in_set(set.ptr, set.len, s.ptr + a, e - a))
                    break;
                a = e;
            }
        if (k != TR_LEFT)
            while (z > a) {
                size_t st = z - 1;
                while (st > a && (s.ptr[st] & 0xC0) == 0x80)
                    st--;
                if (!in_set(set.ptr, set.len, s.ptr + st, z - st))
                    break;
                z = st;
            }
        LH_TRY(fn_put_str(x->out, i, s.ptr + a, z - a));
    }
    return LH_OK;
}

#define TRBIND(fn, k)                                                                              \
    static lh_err fn(lh_func_bind_t *b, lh_errbuf *eb)                                             \
    {                                                                                              \
        return bind_trim(b, k, eb);                                                                \
    }
TRBIND(b_trim, TR_BOTH)
TRBIND(b_ltrim, TR_LEFT)
TRBIND(b_rtrim, TR_RIGHT)

/* ---- lpad / rpad ---- */

static lh_err bind_pad(lh_func_bind_t *b, bool left, lh_errbuf *eb)
{
    bool *bd = lh_arena_alloc(b->arena, sizeof *bd);
    *bd = left;
    b->bind_data = bd;
    bool bin = b->arg_types[0].id == LH_TYPE_BINARY &&
               (b->arg_count < 3 || b->arg_types[2].id == LH_TYPE_BINARY);
    b->cast_to[0] = fn_type(bin ? LH_TYPE_BINARY : LH_TYPE_STRING);
    b->cast_to[1] = fn_type(LH_TYPE_INT);
    if (b->arg_count > 2)
        b->cast_to[2] = b->cast_to[0];
    b->ret_type = b->cast_to[0];
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_pad(const lh_func_exec_t *x, lh_errbuf *eb)
{
    bool left = *(const bool *)x->bind_data, bin = is_bin(x);
    fn_begin(x);
    sbuf_t sb = {0};
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i);
        int64_t len = fn_i64(x->args[1], i);
        lh_sv_t pad = x->arg_count > 2 ? fn_str(x->args[2], i)
                                       : (lh_sv_t){(const uint8_t *)(bin ? "\0" : " "), 1};
        size_t n = bin ? s.len : u8_len(s.ptr, s.len);
        sb.n = 0;
        if (len <= 0) {
            LH_TRY(fn_put_str(x->out, i, "", 0));
            continue;
        }
        if ((size_t)len <= n || pad.len == 0) {
            size_t cut = bin ? ((size_t)len < s.len ? (size_t)len : s.len)
                             : u8_off(s.ptr, s.len, (size_t)len);
            LH_TRY(fn_put_str(x->out, i, s.ptr, cut));
            continue;
        }
        size_t need = (size_t)len - n, padn = bin ? pad.len : u8_len(pad.ptr, pad.len);
        bool ok = !left || true;
        if (!left)
            ok = sb_put(&sb, s.ptr, s.len);
        for (size_t done = 0; ok && done < need;) {
            size_t take = need - done < padn ? need - done : padn;
            size_t bytes = bin ? take : u8_off(pad.ptr, pad.len, take);
            ok = sb_put(&sb, pad.ptr, bytes);
            done += take;
        }
        if (left && ok)
            ok = sb_put(&sb, s.ptr, s.len);
        lh_err e = ok ? fn_put_str(x->out, i, sb.p, sb.n) : LH_E_NOMEM;
        if (e) {
            free(sb.p);
            return e;
        }
    }
    free(sb.p);
    return LH_OK;
}

static lh_err b_lpad(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_pad(b, true, eb);
}
static lh_err b_rpad(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_pad(b, false, eb);
}

/* ---- search: instr, locate/position, startswith, endswith, contains ---- */

typedef enum { FIND_INSTR, FIND_LOCATE, FIND_STARTS, FIND_ENDS, FIND_CONTAINS } find_t;

static lh_err bind_find(lh_func_bind_t *b, find_t k, lh_errbuf *eb)
{
    find_t *bd = lh_arena_alloc(b->arena, sizeof *bd);
    *bd = k;
    b->bind_data = bd;
    bool bin = b->arg_types[0].id == LH_TYPE_BINARY && b->arg_types[1].id == LH_TYPE_BINARY;
    b->cast_to[0] = b->cast_to[1] = fn_type(bin ? LH_TYPE_BINARY : LH_TYPE_STRING);
    if (b->arg_count > 2)
        b->cast_to[2] = fn_type(LH_TYPE_INT);
    b->ret_type = fn_type(k >= FIND_STARTS ? LH_TYPE_BOOLEAN : LH_TYPE_INT);
    b->ret_nullable = true;
    return LH_OK;
}

static const uint8_t *find_bytes(const uint8_t *h, size_t hn, const uint8_t *nd, size_t nn)
{
    if (nn == 0)
        return h;
    if (nn > hn)
        return NULL;
    return memmem(h, hn, nd, nn);
}

static lh_err x_find(const lh_func_exec_t *x, lh_errbuf *eb)
{
    find_t k = *(const find_t *)x->bind_data;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t a = fn_str(x->args[0], i), b = fn_str(x->args[1], i);
        int64_t v;
        if (k == FIND_STARTS)
            v = b.len <= a.len && memcmp(a.ptr, b.ptr, b.len) == 0;
        else if (k == FIND_ENDS)
            v = b.len <= a.len && memcmp(a.ptr + a.len - b.len, b.ptr, b.len) == 0;
        else if (k == FIND_CONTAINS)
            v = find_bytes(a.ptr, a.len, b.ptr, b.len) != NULL;
        else {
            lh_sv_t hay = k == FIND_INSTR ? a : b, nd = k == FIND_INSTR ? b : a;
            int64_t start = x->arg_count > 2 ? fn_i64(x->args[2], i) : 1;
            if (start < 1) {
                fn_put_i64(x->out, i, 0);
                continue;
            }
            size_t off = u8_off(hay.ptr, hay.len, (size_t)start - 1);
            const uint8_t *p = off <= hay.len || nd.len == 0
                                   ? find_bytes(hay.ptr + off, hay.len - off, nd.ptr, nd.len)
                                   : NULL;
            v = p ? (int64_t)u8_len(hay.ptr, (size_t)(p - hay.ptr)) + 1 : 0;
            if (off >= hay.len && nd.len > 0)
                v = 0;
        }
        fn_put_i64(x->out, i, v);
    }
    return LH_OK;
}

#define FBIND(fn, k)                                                                               \
    static lh_err fn(lh_func_bind_t *b, lh_errbuf *eb)                                             \
    {                                                                                              \
        return bind_find(b, k, eb);                                                                \
    }
FBIND(b_instr, FIND_INSTR)
FBIND(b_locate, FIND_LOCATE)
FBIND(b_starts, FIND_STARTS)
FBIND(b_ends, FIND_ENDS)
FBIND(b_contains, FIND_CONTAINS)

/* ---- replace / translate / repeat / split_part ---- */

static lh_err b_strs(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_sig(b, "SSS", LH_TYPE_STRING, eb);
}

static lh_err x_replace(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    sbuf_t sb = {0};
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i), f = fn_str(x->args[1], i);
        lh_sv_t r = x->arg_count > 2 ? fn_str(x->args[2], i) : (lh_sv_t){NULL, 0};
        sb.n = 0;
        bool ok = true;
        size_t k = 0;
        while (ok && f.len > 0 && k < s.len) {
            const uint8_t *p = find_bytes(s.ptr + k, s.len - k, f.ptr, f.len);
            if (p == NULL)
                break;
            ok = sb_put(&sb, s.ptr + k, (size_t)(p - s.ptr) - k) && sb_put(&sb, r.ptr, r.len);
            k = (size_t)(p - s.ptr) + f.len;
        }
        ok = ok && sb_put(&sb, s.ptr + k, s.len - k);
        lh_err e = ok ? fn_put_str(x->out, i, sb.p, sb.n) : LH_E_NOMEM;
        if (e) {
            free(sb.p);
            return e;
        }
    }
    free(sb.p);
    return LH_OK;
}

static lh_err x_translate(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    sbuf_t sb = {0};
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i), f = fn_str(x->args[1], i), t = fn_str(x->args[2], i);
        sb.n = 0;
        bool ok = true;
        for (size_t k = 0; ok && k < s.len;) {
            size_t e = u8_next(s.ptr, s.len, k);
            /* the first occurrence in `from` decides; its index picks the `to` char */
            size_t fi = 0, idx = 0;
            bool hit = false;
            while (fi < f.len) {
                size_t fe = u8_next(f.ptr, f.len, fi);
                if (fe - fi == e - k && memcmp(f.ptr + fi, s.ptr + k, e - k) == 0) {
                    hit = true;
                    break;
                }
                fi = fe, idx++;
            }
            if (!hit) {
                ok = sb_put(&sb, s.ptr + k, e - k);
            } else {
                size_t to = u8_off(t.ptr, t.len, idx);
                if (to < t.len)
                    ok = sb_put(&sb, t.ptr + to, u8_next(t.ptr, t.len, to) - to);
            }
            k = e;
        }
        lh_err e = ok ? fn_put_str(x->out, i, sb.p, sb.n) : LH_E_NOMEM;
        if (e) {
            free(sb.p);
            return e;
        }
    }
    free(sb.p);
    return LH_OK;
}

static lh_err b_repeat(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_sig(b, "SI", LH_TYPE_STRING, eb);
}

static lh_err x_repeat(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    sbuf_t sb = {0};
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i);
        int64_t n = fn_i64(x->args[1], i);
        sb.n = 0;
        bool ok = true;
        for (int64_t k = 0; ok && k < n; k++)
            ok = sb_put(&sb, s.ptr, s.len);
        lh_err e = ok ? fn_put_str(x->out, i, sb.p, sb.n) : LH_E_NOMEM;
        if (e) {
            free(sb.p);
            LH_FAIL(e, eb, "repeat result too large");
        }
    }
    free(sb.p);
    return LH_OK;
}

static lh_err b_split_part(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_sig(b, "SSI", LH_TYPE_STRING, eb);
}

static lh_err x_split_part(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i), d = fn_str(x->args[1], i);
        int64_t part = fn_i64(x->args[2], i);
        if (part == 0)
            return lh_sqlerr(eb, "INVALID_INDEX_OF_ZERO", NULL);
        /* split into parts (an empty delimiter leaves the string whole) */
        size_t starts[1024], ends[1024], n = 0, k = 0;
        while (n < 1024) {
            const uint8_t *p = d.len ? find_bytes(s.ptr + k, s.len - k, d.ptr, d.len) : NULL;
            starts[n] = k;
            ends[n++] = p ? (size_t)(p - s.ptr) : s.len;
            if (p == NULL)
                break;
            k = (size_t)(p - s.ptr) + d.len;
        }
        int64_t idx = part > 0 ? part - 1 : (int64_t)n + part;
        if (idx < 0 || idx >= (int64_t)n || (s.len == 0 && d.len > 0))
            LH_TRY(fn_put_str(x->out, i, "", 0));
        else
            LH_TRY(fn_put_str(x->out, i, s.ptr + starts[idx], ends[idx] - starts[idx]));
    }
    return LH_OK;
}

/* ---- chr / space / elt / levenshtein / uuid ---- */

static lh_err b_long_arg(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_sig(b, "L", LH_TYPE_STRING, eb);
}

static lh_err x_chr(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        int64_t v = fn_i64(x->args[0], i);
        uint8_t o[4];
        size_t n = v < 0 ? 0 : fn_utf8_put((uint32_t)(v % 256), o);
        LH_TRY(fn_put_str(x->out, i, o, n));
    }
    return LH_OK;
}

static lh_err x_space(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        int64_t n = fn_i64(x->args[0], i);
        n = n < 0 ? 0 : n > (1 << 20) ? (1 << 20) : n;
        char *b = malloc((size_t)n + 1);
        LH_FAIL_IF(b == NULL, LH_E_NOMEM, eb, "out of memory");
        memset(b, ' ', (size_t)n);
        lh_err e = fn_put_str(x->out, i, b, (size_t)n);
        free(b);
        LH_TRY(e);
    }
    return LH_OK;
}

static lh_err b_elt(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->cast_to[0] = fn_type(LH_TYPE_INT);
    for (int i = 1; i < b->arg_count; i++)
        b->cast_to[i] = fn_type(LH_TYPE_STRING);
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_elt(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_null(x->args[0], i) || x->args[0]->type.id == LH_TYPE_NULL) {
            fn_put_null(x->out, i);
            continue;
        }
        int64_t k = fn_i64(x->args[0], i);
        if (k < 1 || k >= x->arg_count) {
            char idx[24], sz[24];
            snprintf(idx, sizeof idx, "%lld", (long long)k);
            snprintf(sz, sizeof sz, "%d", x->arg_count - 1);
            return lh_sqlerr(eb, "INVALID_ARRAY_INDEX", "indexValue", idx, "arraySize", sz,
                             "ansiConfig", "\"spark.sql.ansi.enabled\"", NULL);
        }
        lh_value_t v = fn_get(x->args[k], i);
        LH_TRY(fn_put(x->out, i, &v));
    }
    return LH_OK;
}

static lh_err b_levenshtein(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_sig(b, "SSI", LH_TYPE_INT, eb);
}

static lh_err x_levenshtein(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t a = fn_str(x->args[0], i), b = fn_str(x->args[1], i);
        size_t na = u8_len(a.ptr, a.len), nb = u8_len(b.ptr, b.len);
        int *row = malloc((nb + 1) * sizeof *row);
        uint32_t *cb = malloc((nb + 1) * sizeof *cb);
        LH_FAIL_IF(row == NULL || cb == NULL, LH_E_NOMEM, eb, "out of memory");
        for (size_t j = 0, o = 0; j < nb; j++, o = u8_next(b.ptr, b.len, o))
            cb[j] = u8_decode(b.ptr, b.len, o);
        for (size_t j = 0; j <= nb; j++)
            row[j] = (int)j;
        for (size_t k = 1, o = 0; k <= na; k++, o = u8_next(a.ptr, a.len, o)) {
            uint32_t ca = u8_decode(a.ptr, a.len, o);
            int prev = row[0];
            row[0] = (int)k;
            for (size_t j = 1; j <= nb; j++) {
                int cur = row[j], sub = prev + (ca != cb[j - 1]);
                int best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
                row[j] = sub < best ? sub : best;
                prev = cur;
            }
        }
        int d = row[nb];
        free(row), free(cb);
        if (x->arg_count > 2 && d > fn_i64(x->args[2], i))
            d = -1;
        fn_put_i64(x->out, i, d);
    }
    return LH_OK;
}

/* ---- substring_index(str, delim, count): Spark's UTF8String.subStringIndex (byte-wise;
 * the search for the next delimiter starts one byte after the last, so matches overlap) */

static lh_err b_substring_index(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_sig(b, "SSI", LH_TYPE_STRING, eb);
}

static lh_err x_substring_index(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i), d = fn_str(x->args[1], i);
        int64_t count = fn_i64(x->args[2], i);
        size_t from = 0, to = 0; /* the result s[from, to) */
        if (d.len > 0 && count > 0) {
            int64_t idx = -1;
            for (; count > 0; count--) {
                const uint8_t *p =
                    (size_t)(idx + 1) + d.len <= s.len
                        ? find_bytes(s.ptr + idx + 1, s.len - (size_t)(idx + 1), d.ptr, d.len)
                        : NULL;
                if (p == NULL)
                    break;
                idx = p - s.ptr;
            }
            to = count > 0 ? s.len : (size_t)idx; /* fewer delimiters: the whole string */
        } else if (d.len > 0 && count < 0) {
            int64_t idx = (int64_t)s.len;
            for (; count < 0; count++) {
                int64_t k = idx - 1;
                if (k + (int64_t)d.len > (int64_t)s.len)
                    k = (int64_t)s.len - (int64_t)d.len;
                while (k >= 0 && memcmp(s.ptr + k, d.ptr, d.len) != 0)
                    k--;
                if (k < 0)
                    break;
                idx = k;
            }
            from = count < 0 ? 0 : (size_t)idx + d.len, to = s.len;
        }
        LH_TRY(fn_put_str(x->out, i, from < to ? s.ptr + from : (const uint8_t *)"",
                          from < to ? to - from : 0));
    }
    return LH_OK;
}

/* ---- find_in_set(str, list): the 1-based place of str among list's comma-separated
 * items, 0 when absent or when str has a comma ---- */

static lh_err b_find_in_set(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->cast_to[0] = b->cast_to[1] = fn_type(LH_TYPE_STRING);
    b->ret_type = fn_type(LH_TYPE_INT);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_find_in_set(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t m = fn_str(x->args[0], i), l = fn_str(x->args[1], i);
        int64_t n = 1, found = 0;
        if (m.len == 0 || memchr(m.ptr, ',', m.len) == NULL) {
            size_t start = 0;
            for (size_t k = 0; k <= l.len && found == 0; k++) {
                if (k < l.len && l.ptr[k] != ',')
                    continue;
                if (k - start == m.len && (m.len == 0 || memcmp(l.ptr + start, m.ptr, m.len) == 0))
                    found = n;
                start = k + 1, n++;
            }
        }
        fn_put_i64(x->out, i, found);
    }
    return LH_OK;
}

/* ---- mask(input[, upper, lower, digit, other]): Spark's Mask. Upper-case letters become
 * upper ('X'), lower-case ones lower ('x'), digits digit ('n'), anything else other (NULL:
 * kept); a NULL replacement keeps that class. The replacements are constant characters. */

typedef struct mask_bd {
    uint32_t repl[4]; /* UINT32_MAX: keep */
} mask_bd_t;

static lh_err b_mask(lh_func_bind_t *b, lh_errbuf *eb)
{
    static const char *const names[] = {"upperChar", "lowerChar", "digitChar", "otherChar"};
    mask_bd_t *bd = lh_arena_alloc(b->arena, sizeof *bd);
    const uint32_t defaults[4] = {'X', 'x', 'n', UINT32_MAX};
    b->cast_to[0] = fn_type(LH_TYPE_STRING);
    for (int k = 0; k < 4; k++) {
        bd->repl[k] = defaults[k];
        if (k + 1 >= b->arg_count)
            continue;
        const lh_value_t *c = b->const_args ? b->const_args[k + 1] : NULL;
        lh_type_id t = b->arg_types[k + 1].id;
        if (c == NULL) {
            char in[80];
            snprintf(in, sizeof in, "`%s`", names[k]);
            return lh_sqlerr(eb, "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", "sqlExpr", "\"mask(...)\"",
                             "inputName", in, "inputType", "\"STRING\"", "inputExpr",
                             "the argument", NULL);
        }
        if (t != LH_TYPE_STRING && t != LH_TYPE_NULL)
            return fn_bad_input(b, eb, "mask", k + 1, "\"STRING\"");
        if (c->is_null || t == LH_TYPE_NULL) {
            bd->repl[k] = UINT32_MAX;
            continue;
        }
        if (c->v.str.len == 0 || u8_len(c->v.str.ptr, c->v.str.len) != 1) {
            char in[80];
            snprintf(in, sizeof in, "%s", names[k]);
            return lh_sqlerr(eb, "DATATYPE_MISMATCH.INPUT_SIZE_NOT_ONE", "sqlExpr", "\"mask(...)\"",
                             "exprName", in, NULL);
        }
        bd->repl[k] = u8_decode(c->v.str.ptr, c->v.str.len, 0);
        b->cast_to[k + 1] = fn_type(LH_TYPE_STRING);
    }
    b->bind_data = bd;
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_mask(const lh_func_exec_t *x, lh_errbuf *eb)
{
    const mask_bd_t *bd = x->bind_data;
    uint8_t *o = NULL;
    size_t cap = 0;
    lh_err e = LH_OK;
    pthread_once(&utf8_once, utf8_init);
    fn_begin(x);
    for (size_t i = 0; i < x->rows && e == LH_OK; i++) {
        if (fn_null(x->args[0], i)) {
            e = fn_put_null(x->out, i);
            continue;
        }
        lh_sv_t s = fn_str(x->args[0], i);
        if (4 * (size_t)s.len + 1 > cap) {
            free(o);
            cap = 4 * (size_t)s.len + 64;
            if ((o = malloc(cap)) == NULL) {
                e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
                break;
            }
        }
        size_t n = 0;
        for (size_t k = 0; k < s.len;) {
            size_t end = u8_next(s.ptr, s.len, k);
            uint32_t c = u8_decode(s.ptr, s.len, k);
            bool ascii = c < 0x80, loc = utf8_locale != (locale_t)0;
            int cls =
                (ascii ? isupper((int)c) != 0 : loc && iswupper_l((wint_t)c, utf8_locale))   ? 0
                : (ascii ? islower((int)c) != 0 : loc && iswlower_l((wint_t)c, utf8_locale)) ? 1
                : (ascii ? isdigit((int)c) != 0 : loc && iswdigit_l((wint_t)c, utf8_locale)) ? 2
                                                                                             : 3;
            if (bd->repl[cls] == UINT32_MAX) {
                memcpy(o + n, s.ptr + k, end - k);
                n += end - k;
            } else {
                n += fn_utf8_put(bd->repl[cls], o + n);
            }
            k = end;
        }
        e = fn_put_str(x->out, i, o, n);
    }
    free(o);
    return e;
}

static lh_err b_uuid(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->ret_type = fn_type(LH_TYPE_STRING);
    return LH_OK;
}

static lh_err x_uuid(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        uint8_t r[16];
        if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
            LH_FAIL(LH_E_IO, eb, "getrandom failed");
        r[6] = (uint8_t)((r[6] & 0x0F) | 0x40);
        r[8] = (uint8_t)((r[8] & 0x3F) | 0x80);
        char s[37];
        snprintf(s, sizeof s,
                 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1],
                 r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14],
                 r[15]);
        LH_TRY(fn_put_str(x->out, i, s, 36));
    }
    return LH_OK;
}

#define F(name, lo, hi, bind, exec)                                                                \
    {                                                                                              \
        name, LH_FUNC_SCALAR, lo, hi, bind, exec, true                                             \
    }
const lh_func_t lh_fn_string[] = {
    F("ascii", 1, 1, b_ascii, x_len),
    F("bit_length", 1, 1, b_bits, x_len),
    F("btrim", 1, 2, b_trim, x_trim),
    F("char", 1, 1, b_long_arg, x_chr),
    F("char_length", 1, 1, b_length, x_len),
    F("character_length", 1, 1, b_length, x_len),
    F("chr", 1, 1, b_long_arg, x_chr),
    F("concat", 0, -1, b_concat, x_concat),
    F("concat_ws", 1, -1, b_concat_ws, x_concat_ws),
    F("contains", 2, 2, b_contains, x_find),
    F("elt", 2, -1, b_elt, x_elt),
    F("endswith", 2, 2, b_ends, x_find),
    F("initcap", 1, 1, b_initcap, x_tform),
    F("instr", 2, 2, b_instr, x_find),
    F("lcase", 1, 1, b_lower, x_tform),
    F("left", 2, 2, b_left, x_sub),
    F("len", 1, 1, b_length, x_len),
    F("length", 1, 1, b_length, x_len),
    F("find_in_set", 2, 2, b_find_in_set, x_find_in_set),
    F("levenshtein", 2, 3, b_levenshtein, x_levenshtein),
    F("locate", 2, 3, b_locate, x_find),
    F("lower", 1, 1, b_lower, x_tform),
    F("mask", 1, 5, b_mask, x_mask),
    F("lpad", 2, 3, b_lpad, x_pad),
    F("ltrim", 1, 2, b_ltrim, x_trim),
    F("octet_length", 1, 1, b_octet, x_len),
    F("overlay", 3, 4, b_overlay, x_overlay),
    F("position", 2, 3, b_locate, x_find),
    F("repeat", 2, 2, b_repeat, x_repeat),
    F("replace", 2, 3, b_strs, x_replace),
    F("reverse", 1, 1, b_reverse, x_tform),
    F("right", 2, 2, b_right, x_sub),
    F("rpad", 2, 3, b_rpad, x_pad),
    F("rtrim", 1, 2, b_rtrim, x_trim),
    F("soundex", 1, 1, b_soundex, x_tform),
    F("space", 1, 1, b_long_arg, x_space),
    F("split_part", 3, 3, b_split_part, x_split_part),
    F("startswith", 2, 2, b_starts, x_find),
    F("substr", 2, 3, b_substr, x_sub),
    F("substring", 2, 3, b_substr, x_sub),
    F("substring_index", 3, 3, b_substring_index, x_substring_index),
    F("translate", 3, 3, b_strs, x_translate),
    F("trim", 1, 2, b_trim, x_trim),
    F("ucase", 1, 1, b_upper, x_tform),
    F("upper", 1, 1, b_upper, x_tform),
    {"uuid", LH_FUNC_SCALAR, 0, 0, b_uuid, x_uuid, false},
};
FN_COUNT(lh_fn_string);
