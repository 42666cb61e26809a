/*
 * tonumber.c - to_number(str, fmt) and try_to_number(str, fmt): a string to a DECIMAL
 * through Spark's number format (ToNumberParser).
 *
 * The format (a constant) must have the shape
 *     [MI|S] [$] [0|9|G|,]* [.|D] [0|9]* [$] [PR|MI|S]
 * with at least one digit. The result is DECIMAL(digits, digits after the point). The
 * input matches when, after its sign ('+'/'-' for S, '-' for MI, '<...>' for PR) and the
 * '$' the format asks for, its integer digits fit the format's (exactly as many when that
 * part starts with 0), its thousands separators fall where the format's do (counted from
 * the point; the leftmost group may be short) and its fraction has at most as many digits.
 * A mismatch is INVALID_FORMAT.MISMATCH_INPUT for to_number and NULL for try_to_number.
 */
#include <ctype.h>
#include <stdio.h>
#include <strings.h>

#include "compute/func/fn.h"

#define NUM_GROUPS_MAX 40

typedef enum { SIGN_NONE, SIGN_S, SIGN_MI, SIGN_PR } sign_t;

typedef struct numfmt {
    sign_t lead, trail;
    bool lead_dollar, trail_dollar, point, int_starts_zero;
    int int_digits, frac_digits;
    int groups[NUM_GROUPS_MAX]; /* digit counts between separators, left to right */
    int group_count;
    bool try_, null_format; /* NULL format: every result NULL */
    char quoted[80];        /* 'fmt' for messages */
} numfmt;

static lh_err fmt_error(const numfmt *f, const char *cls, const char *token, lh_errbuf *eb)
{
    if (token == NULL)
        return lh_sqlerr(eb, cls, "format", f->quoted, NULL);
    return lh_sqlerr(eb, cls, "format", f->quoted, "token", token, NULL);
}

static bool take_word(const char **p, const char *w)
{
    size_t n = strlen(w);
    if (strncasecmp(*p, w, n) != 0)
        return false;
    *p += n;
    return true;
}

/* Compile fmt (NUL-terminated) into f. */
static lh_err compile(const char *fmt, numfmt *f, lh_errbuf *eb)
{
    const char *p = fmt;
    if (*p == '\0')
        return fmt_error(f, "INVALID_FORMAT.EMPTY", NULL, eb);
    if (take_word(&p, "MI"))
        f->lead = SIGN_MI;
    else if (*p == 'S' || *p == 's')
        f->lead = SIGN_S, p++;
    if (*p == '$')
        f->lead_dollar = true, p++;
    f->group_count = 1;
    for (bool seen_digit = false; *p; p++) {
        if (*p == '0' || *p == '9') {
            if (!seen_digit)
                f->int_starts_zero = *p == '0';
            seen_digit = true;
            f->int_digits++;
            f->groups[f->group_count - 1]++;
        } else if (*p == ',' || *p == 'G' || *p == 'g') {
            if (!seen_digit || f->groups[f->group_count - 1] == 0 ||
                f->group_count == NUM_GROUPS_MAX)
                return fmt_error(f, "INVALID_FORMAT.CONT_THOUSANDS_SEPS", NULL, eb);
            f->groups[f->group_count++] = 0;
        } else {
            break;
        }
    }
    if (f->group_count > 1 && f->groups[f->group_count - 1] == 0)
        return fmt_error(f, "INVALID_FORMAT.CONT_THOUSANDS_SEPS", NULL, eb);
    if (*p == '.' || *p == 'D' || *p == 'd') {
        f->point = true;
        for (p++; *p == '0' || *p == '9'; p++)
            f->frac_digits++;
    }
    if (*p == '$' && !f->lead_dollar)
        f->trail_dollar = true, p++;
    if (f->lead == SIGN_NONE && take_word(&p, "PR"))
        f->trail = SIGN_PR;
    else if (f->lead == SIGN_NONE && take_word(&p, "MI"))
        f->trail = SIGN_MI;
    else if (f->lead == SIGN_NONE && (*p == 'S' || *p == 's'))
        f->trail = SIGN_S, p++;
    if (*p != '\0') {
        char tok[8] = {*p, 0};
        return fmt_error(f, "INVALID_FORMAT.UNEXPECTED_TOKEN", tok, eb);
    }
    if (f->int_digits + f->frac_digits == 0)
        return fmt_error(f, "INVALID_FORMAT.WRONG_NUM_DIGIT", NULL, eb);
    if (f->int_digits + f->frac_digits > 38)
        return lh_sqlerr(eb, "DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION", "precision", "39",
                         "maxPrecision", "38", NULL);
    return LH_OK;
}

/* The integer digits s[0..n) (digits and ',') against the format's groups. */
static bool int_part_ok(const numfmt *f, const char *s, size_t n, int *digits)
{
    int in_groups[NUM_GROUPS_MAX], count = 1;
    in_groups[0] = 0;
    *digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (isdigit((unsigned char)s[i])) {
            in_groups[count - 1]++;
            (*digits)++;
        } else if (s[i] == ',' && f->group_count > 1 && count < NUM_GROUPS_MAX &&
                   in_groups[count - 1] > 0) {
            in_groups[count++] = 0;
        } else {
            return false;
        }
    }
    if (*digits > f->int_digits || (f->int_starts_zero && *digits != f->int_digits))
        return false;
    if (count == 1)
        return true; /* no separators in the input: any digit count up to the format's */
    if (count > f->group_count || in_groups[0] == 0)
        return false;
    for (int k = 1; k <= count - 1; k++) /* every group but the leftmost, from the right */
        if (in_groups[count - k] != f->groups[f->group_count - k])
            return false;
    return in_groups[0] <= f->groups[f->group_count - count];
}

/* Parse s; false when it does not match. */
static bool parse(const numfmt *f, const char *s, size_t n, lh_i128 *out)
{
    bool neg = false;
    if (f->trail == SIGN_PR && n >= 2 && s[0] == '<' && s[n - 1] == '>')
        neg = true, s++, n -= 2;
    if (f->lead != SIGN_NONE && n > 0 && (s[0] == '-' || (f->lead == SIGN_S && s[0] == '+')))
        neg = s[0] == '-', s++, n--;
    if (f->lead_dollar) {
        if (n == 0 || s[0] != '$')
            return false;
        s++, n--;
    }
    if ((f->trail == SIGN_S || f->trail == SIGN_MI) && n > 0 &&
        (s[n - 1] == '-' || (f->trail == SIGN_S && s[n - 1] == '+')))
        neg = s[n - 1] == '-', n--;
    if (f->trail_dollar) {
        if (n == 0 || s[n - 1] != '$')
            return false;
        n--;
    }
    const char *pt = memchr(s, '.', n);
    size_t int_len = pt ? (size_t)(pt - s) : n;
    if (pt && !f->point)
        return false;
    int digits;
    if (!int_part_ok(f, s, int_len, &digits))
        return false;
    lh_i128 v = 0;
    for (size_t i = 0; i < int_len; i++)
        if (s[i] != ',')
            v = v * 10 + (s[i] - '0');
    size_t frac = 0;
    if (pt) {
        for (size_t i = int_len + 1; i < n; i++, frac++) {
            if (!isdigit((unsigned char)s[i]) || (int)frac >= f->frac_digits)
                return false;
            v = v * 10 + (s[i] - '0');
        }
    }
    if (digits + frac == 0)
        return false;
    for (; (int)frac < f->frac_digits; frac++)
        v *= 10;
    *out = neg ? -v : v;
    return true;
}

static lh_err bind_tonum(lh_func_bind_t *b, bool try_, lh_errbuf *eb)
{
    const char *fname = try_ ? "try_to_number" : "to_number";
    lh_type_id t0 = b->arg_types[0].id, t1 = b->arg_types[1].id;
    if (t0 != LH_TYPE_STRING && t0 != LH_TYPE_NULL)
        return fn_bad_input(b, eb, fname, 0, "\"STRING\"");
    if (t1 != LH_TYPE_STRING && t1 != LH_TYPE_NULL)
        return fn_bad_input(b, eb, fname, 1, "\"STRING\"");
    const lh_value_t *fv = b->const_args ? b->const_args[1] : NULL;
    if (fv == NULL)
        return lh_sqlerr(eb, "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", "sqlExpr",
                         try_ ? "\"try_to_number(...)\"" : "\"to_number(...)\"", "inputName",
                         "`format`", "inputType", "\"STRING\"", "inputExpr", "\"format\"", NULL);
    numfmt *f = lh_arena_calloc(b->arena, 1, sizeof *f);
    f->try_ = try_;
    if (fv->is_null) {
        f->null_format = true, f->int_digits = 38; /* typed DECIMAL(38, 0), always NULL */
    } else {
        char *fmt = lh_arena_alloc(b->arena, fv->v.str.len + 1);
        memcpy(fmt, fv->v.str.ptr, fv->v.str.len);
        fmt[fv->v.str.len] = '\0';
        snprintf(f->quoted, sizeof f->quoted, "'%.70s'", fmt);
        if (strlen(fmt) != fv->v.str.len)
            return fmt_error(f, "INVALID_FORMAT.UNEXPECTED_TOKEN", "\\0", eb);
        LH_TRY(compile(fmt, f, eb));
    }
    b->cast_to[0] = b->cast_to[1] = fn_type(LH_TYPE_STRING);
    b->ret_type = (lh_type_t){LH_TYPE_DECIMAL, (uint8_t)(f->int_digits + f->frac_digits),
                              (uint8_t)f->frac_digits};
    b->ret_nullable = true;
    b->bind_data = f;
    return LH_OK;
}

static lh_err b_to_number(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_tonum(b, false, eb);
}
static lh_err b_try_to_number(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_tonum(b, true, eb);
}

static lh_err x_to_number(const lh_func_exec_t *x, lh_errbuf *eb)
{
    const numfmt *f = x->bind_data;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i);
        lh_i128 v;
        if (!f->null_format && parse(f, (const char *)s.ptr, s.len, &v)) {
            lh_dec_put(x->out, i, v);
            continue;
        }
        if (f->try_ || f->null_format) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        char in[160];
        snprintf(in, sizeof in, "'%.*s'", (int)(s.len > 128 ? 128 : s.len), (const char *)s.ptr);
        return lh_sqlerr(eb, "INVALID_FORMAT.MISMATCH_INPUT", "inputType", "\"STRING\"", "input",
                         in, "format", f->quoted, NULL);
    }
    return LH_OK;
}

/* ---- to_char(number, fmt): Spark's ToCharacter (ToNumberParser.format), bound by the binder
 * as __to_char_number when to_char's first argument is a number. The number (as a DECIMAL:
 * integers at their width, FLOAT as (14,7), DOUBLE as (30,15)) is written through the same
 * formats: its integer digits right-aligned in the format's (a '0' run pads with zeros, a
 * '9' run with spaces that a sign moves past), separators only between digits, the fraction
 * padded with zeros, signs and '$' where the format puts them. A number with more digits
 * than the format's prints '#' for each of them. ---- */

typedef struct tochar_bd {
    char fmt[128]; /* the format, validated by compile */
} tochar_bd_t;

static lh_err b_to_char_number(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t = b->arg_types[0];
    if (!lh_type_is_numeric(t.id) && t.id != LH_TYPE_NULL)
        return fn_bad_input(b, eb, "to_char", 0, "\"DECIMAL\"");
    const lh_value_t *fv = b->const_args ? b->const_args[1] : NULL;
    if (fv == NULL || (!fv->is_null && fv->type.id != LH_TYPE_STRING))
        return lh_sqlerr(eb, "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", "sqlExpr", "\"to_char(...)\"",
                         "inputName", "`format`", "inputType", "\"STRING\"", "inputExpr",
                         "\"format\"", NULL);
    tochar_bd_t *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    if (!fv->is_null) {
        numfmt f = {0};
        size_t n = fv->v.str.len < sizeof bd->fmt - 1 ? fv->v.str.len : sizeof bd->fmt - 1;
        memcpy(bd->fmt, fv->v.str.ptr, n);
        snprintf(f.quoted, sizeof f.quoted, "'%.70s'", bd->fmt);
        if (strlen(bd->fmt) != fv->v.str.len)
            return fmt_error(&f, "INVALID_FORMAT.UNEXPECTED_TOKEN", "\\0", eb);
        LH_TRY(compile(bd->fmt, &f, eb));
    }
    b->cast_to[0] = t.id == LH_TYPE_DECIMAL ? t
                    : t.id == LH_TYPE_FLOAT ? (lh_type_t){LH_TYPE_DECIMAL, 14, 7}
                    : t.id == LH_TYPE_DOUBLE
                        ? (lh_type_t){LH_TYPE_DECIMAL, 30, 15}
                        : lh_type_as_decimal(t.id == LH_TYPE_NULL ? fn_type(LH_TYPE_INT) : t);
    b->cast_to[1] = fn_type(LH_TYPE_STRING);
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = true;
    b->bind_data = bd;
    return LH_OK;
}

/* The growing result: append c; a sign (or '>') moves left past the spaces before it. */
static void put_sign(char *o, size_t *n, char c)
{
    size_t i = (*n)++;
    o[i] = c;
    for (; i >= 1 && o[i - 1] == ' ' && o[i] == c; i--)
        o[i] = ' ', o[i - 1] = c;
}

/* Append a space; a '+', '-' or '<' before it moves right, next to the digits to come. */
static void put_space(char *o, size_t *n)
{
    size_t i = (*n)++;
    o[i] = ' ';
    for (; i >= 1 && (o[i - 1] == '+' || o[i - 1] == '-' || o[i - 1] == '<') && o[i] == ' '; i--)
        o[i] = o[i - 1], o[i - 1] = ' ';
}

/* A '.' that ends the result or has a space after it becomes a space. */
static void strip_lone_point(char *o, size_t n)
{
    char *p = memchr(o, '.', n);
    if (p && ((size_t)(p - o) == n - 1 || p[1] == ' '))
        *p = ' ';
}

static size_t format_number(const char *fmt, lh_i128 v, int scale, char *o)
{
    char txt[64];
    size_t tn = lh_dec_format(v, scale, txt, sizeof txt);
    txt[tn] = '\0';
    bool neg = v < 0;
    const char *d = txt + (neg ? 1 : 0), *pt = strchr(d, '.');
    size_t bl = pt ? (size_t)(pt - d) : strlen(d), al = pt ? strlen(pt + 1) : 0;
    const char *bs = d, *as = pt ? pt + 1 : "";
    while (bl > 0 && *bs == '0') /* integer digits without leading zeros */
        bs++, bl--;
    while (al > 0 && as[al - 1] == '0') /* fraction without trailing zeros */
        al--;
    int nb = 0, na = 0; /* the format's digits before and after its point */
    bool after = false;
    for (const char *p = fmt; *p; p++) {
        if (*p == '.' || *p == 'D' || *p == 'd')
            after = true;
        else if ((*p == '0' || *p == '9') && after)
            na++;
        else if (*p == '0' || *p == '9')
            nb++;
    }
    char before[64], frac[64];
    if ((int)bl > nb || (int)al > na) {
        memset(before, '#', (size_t)nb), memset(frac, '#', (size_t)na);
    } else {
        memset(before, ' ', (size_t)(nb - (int)bl));
        memcpy(before + nb - (int)bl, bs, bl);
        memcpy(frac, as, al);
        memset(frac + al, '0', (size_t)na - al);
    }
    size_t n = 0;
    int bi = 0, ai = 0;
    after = false;
    const char *p = fmt;
    bool pr = false;
    for (const char *q = fmt; *q; q++)
        if ((q[0] == 'P' || q[0] == 'p') && (q[1] == 'R' || q[1] == 'r'))
            pr = true;
    if (pr && neg)
        o[n++] = '<';
    while (*p) {
        char c = *p;
        if (c == '0' || c == '9') { /* a run of digits */
            bool exact = c == '0' && !after;
            for (; *p == '0' || *p == '9'; p++) {
                if (after) {
                    o[n++] = frac[ai++];
                } else {
                    char x = before[bi++];
                    if (x == ' ' && exact)
                        o[n++] = '0';
                    else if (x == ' ')
                        put_space(o, &n);
                    else
                        o[n++] = x;
                }
            }
            continue;
        }
        if (c == ',' || c == 'G' || c == 'g') {
            if (n > 0 && o[n - 1] >= '0' && o[n - 1] <= '9')
                o[n++] = ',';
            else
                put_space(o, &n);
        } else if (c == '.' || c == 'D' || c == 'd') {
            if (n > 0 && o[n - 1] == ' ')
                o[n - 1] = '0';
            o[n++] = '.';
            after = true;
        } else if (c == '$') {
            o[n++] = '$';
        } else if ((c == 'M' || c == 'm') && (p[1] == 'I' || p[1] == 'i')) {
            if (neg) {
                strip_lone_point(o, n);
                put_sign(o, &n, '-');
            } else {
                o[n++] = ' ';
            }
            p++;
        } else if ((c == 'P' || c == 'p') && (p[1] == 'R' || p[1] == 'r')) {
            strip_lone_point(o, n);
            if (neg) {
                put_sign(o, &n, '>');
            } else {
                o[n++] = ' ';
                o[n++] = ' ';
            }
            p++;
        } else if (c == 'S' || c == 's') {
            strip_lone_point(o, n);
            put_sign(o, &n, neg ? '-' : '+');
        }
        p++;
    }
    strip_lone_point(o, n);
    if (n == 0 || (n == 1 && (o[0] == '+' || o[0] == '-')))
        return o[0] = '0', 1;
    return n;
}

static lh_err x_to_char_number(const lh_func_exec_t *x, lh_errbuf *eb)
{
    const tochar_bd_t *bd = x->bind_data;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i) || bd->fmt[0] == '\0') {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        char o[400];
        size_t n = format_number(bd->fmt, lh_dec_get(x->args[0], i), x->args[0]->type.scale, o);
        LH_TRY(fn_put_str(x->out, i, o, n));
    }
    return LH_OK;
}

#define F(name, bind)                                                                              \
    {                                                                                              \
        name, LH_FUNC_SCALAR, 2, 2, bind, x_to_number, true                                        \
    }
const lh_func_t lh_fn_tonumber[] = {
    {"__to_char_number", LH_FUNC_SCALAR, 2, 2, b_to_char_number, x_to_char_number, true},
    F("to_number", b_to_number),
    F("try_to_number", b_try_to_number),
};
FN_COUNT(lh_fn_tonumber);
