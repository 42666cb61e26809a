/*
 * utf8.c - is_valid_utf8, make_valid_utf8, validate_utf8 and try_validate_utf8.
 *
 * A STRING (or a BINARY, cast to STRING unchanged) is checked as UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF). make_valid_utf8 replaces each
 * maximal ill-formed subpart with U+FFFD, as Unicode recommends and Java's decoders do;
 * validate_utf8 raises INVALID_UTF8_STRING (the bad bytes shown as \xNN), try_ gives NULL.
 */
#include <stdio.h>
#include <stdlib.h>

#include "compute/func/fn.h"
#include "compute/func/format.h"

/* Bytes of the well-formed sequence at s[0..n), or 0 with *bad the length of the maximal
 * ill-formed subpart (at least 1). */
size_t fn_utf8_seq(const uint8_t *s, size_t n, size_t *bad)
{
    uint8_t c = s[0];
    size_t need;
    uint8_t lo = 0x80, hi = 0xBF;
    *bad = 1;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 2, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 3, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else
        return 0;
    for (size_t k = 1; k <= need; k++) {
        uint8_t b = k < n ? s[k] : 0;
        if (k >= n || b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) {
            *bad = k;
            return 0;
        }
    }
    return need + 1;
}

size_t lh_format_utf8_lossy(const char *s, size_t n, char *out)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t o = 0, bad;
    for (size_t i = 0; i < n;) {
        size_t k = fn_utf8_seq(p + i, n - i, &bad);
        if (k == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3); /* U+FFFD */
            o += 3, i += bad;
        } else {
            memcpy(out + o, p + i, k);
            o += k, i += k;
        }
    }
    return o;
}

bool lh_format_utf8_valid(const char *s, size_t n)
{
    size_t bad;
    for (size_t i = 0; i < n;) {
        size_t k = fn_utf8_seq((const uint8_t *)s + i, n - i, &bad);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

static bool utf8_valid(lh_sv_t s)
{
    size_t bad;
    for (size_t i = 0; i < s.len;) {
        size_t k = fn_utf8_seq(s.ptr + i, s.len - i, &bad);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

typedef enum { U_IS_VALID, U_MAKE_VALID, U_VALIDATE, U_TRY_VALIDATE } utf8_op;

static lh_err bind_utf8(lh_func_bind_t *b, utf8_op op)
{
    lh_type_id t = b->arg_types[0].id;
    b->cast_to[0] = fn_type(t == LH_TYPE_NULL ? LH_TYPE_NULL : LH_TYPE_STRING);
    b->ret_type = fn_type(op == U_IS_VALID ? LH_TYPE_BOOLEAN : LH_TYPE_STRING);
    b->ret_nullable = true;
    utf8_op *bd = lh_arena_alloc(b->arena, sizeof *bd);
    *bd = op;
    b->bind_data = bd;
    return LH_OK;
}

static lh_err invalid(lh_sv_t s, lh_errbuf *eb)
{
    char buf[256];
    size_t o = 0, bad;
    for (size_t i = 0; i < s.len && o + 8 < sizeof buf;) {
        size_t k = fn_utf8_seq(s.ptr + i, s.len - i, &bad);
        if (k == 0) {
            for (size_t j = 0; j < bad; j++)
                o += (size_t)snprintf(buf + o, sizeof buf - o, "\\x%02X", s.ptr[i + j]);
            i += bad;
            continue;
        }
        if (o + k + 1 >= sizeof buf)
            break;
        memcpy(buf + o, s.ptr + i, k);
        o += k, i += k;
    }
    buf[o] = '\0';
    return lh_sqlerr(eb, "INVALID_UTF8_STRING", "str", buf, NULL);
}

static lh_err make_valid(lh_vec_t *out, size_t i, lh_sv_t s)
{
    uint8_t *tmp = malloc(s.len * 3 + 1);
    if (tmp == NULL)
        return LH_E_NOMEM;
    size_t o = 0, bad;
    for (size_t p = 0; p < s.len;) {
        size_t k = fn_utf8_seq(s.ptr + p, s.len - p, &bad);
        if (k == 0) {
            memcpy(tmp + o, "\xEF\xBF\xBD", 3); /* U+FFFD */
            o += 3, p += bad;
        } else {
            memcpy(tmp + o, s.ptr + p, k);
            o += k, p += k;
        }
    }
    lh_err e = fn_put_str(out, i, tmp, o);
    free(tmp);
    return e;
}

static lh_err x_utf8(const lh_func_exec_t *x, lh_errbuf *eb)
{
    utf8_op op = *(const utf8_op *)x->bind_data;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i);
        bool ok = utf8_valid(s);
        if (op == U_IS_VALID)
            fn_put_i64(x->out, i, ok);
        else if (ok)
            LH_TRY(fn_put_str(x->out, i, s.ptr, s.len));
        else if (op == U_MAKE_VALID)
            LH_TRY(make_valid(x->out, i, s));
        else if (op == U_TRY_VALIDATE)
            LH_TRY(fn_put_null(x->out, i));
        else
            return invalid(s, eb);
    }
    return LH_OK;
}

#define UBIND(fn, op)                                                                              \
    static lh_err fn(lh_func_bind_t *b, lh_errbuf *eb)                                             \
    {                                                                                              \
        (void)eb;                                                                                  \
        return bind_utf8(b, op);                                                                   \
    }
UBIND(b_is_valid, U_IS_VALID)
UBIND(b_make_valid, U_MAKE_VALID)
UBIND(b_validate, U_VALIDATE)
UBIND(b_try_validate, U_TRY_VALIDATE)

#define F(name, bind)                                                                              \
    {                                                                                              \
        name, LH_FUNC_SCALAR, 1, 1, bind, x_utf8, true                                             \
    }
const lh_func_t lh_fn_utf8[] = {
    F("is_valid_utf8", b_is_valid),
    F("make_valid_utf8", b_make_valid),
    F("try_validate_utf8", b_try_validate),
    F("validate_utf8", b_validate),
};
FN_COUNT(lh_fn_utf8);
