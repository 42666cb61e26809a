/*
 * fmtfn.c - format_number(x, d|pattern) and format_string/printf(fmt, ...), the latter a
 * subset of Java's Formatter: %s %S %d %f %e %E %x %X %o %b %c %% %n with the flags
 * - 0 + space , and width/precision, plus positional %N$.
 *
 * format_number rounds HALF_EVEN as java.text.DecimalFormat does: exactly on DECIMAL
 * inputs, on the exact binary value for doubles (which is what C's %.*f rounds too).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "compute/func/fn.h"
#include "compute/func/format.h"

#define FMT_MAX_OUT 4096 /* bytes per formatted value */

/* Insert thousands separators into the integer part of a plain number. */
static size_t group_digits(const char *in, char *out, size_t cap)
{
    const char *dot = strchr(in, '.');
    size_t ilen = dot ? (size_t)(dot - in) : strlen(in), o = 0, st = in[0] == '-';
    if (st)
        out[o++] = '-';
    size_t digits = ilen - st;
    for (size_t k = 0; k < digits && o + 2 < cap; k++) {
        if (k > 0 && (digits - k) % 3 == 0)
            out[o++] = ',';
        out[o++] = in[st + k];
    }
    for (const char *p = dot; p && *p && o + 1 < cap; p++)
        out[o++] = *p;
    out[o] = '\0';
    return o;
}

/* A java.text.DecimalFormat pattern's positive part, for the subset format_number meets:
 * a literal prefix and suffix, '#', '0' and ',' before an optional '.', then '0's and '#'s.
 * Anything else ('%', exponents, quotes, ';') is not taken (false). */
typedef struct dfpat {
    char prefix[32], suffix[32];
    int min_int, group, min_frac, max_frac;
} dfpat_t;

static bool df_special(uint8_t c)
{
    return c == '%' || c == 'E' || c == ';' || c == '\'' || c == '-' || c >= 0x80;
}

static bool df_parse(lh_sv_t p, dfpat_t *f)
{
    *f = (dfpat_t){.group = 0};
    size_t i = 0, k = 0;
    for (; i < p.len && !strchr("#0,.", p.ptr[i]); i++) {
        if (df_special(p.ptr[i]) || k + 1 >= sizeof f->prefix)
            return false;
        f->prefix[k++] = (char)p.ptr[i];
    }
    int since_comma = -1, digits = 0;
    for (; i < p.len && strchr("#0,", p.ptr[i]); i++) {
        if (p.ptr[i] == ',') {
            since_comma = 0;
            continue;
        }
        digits++;
        f->min_int += p.ptr[i] == '0';
        if (since_comma >= 0)
            since_comma++;
    }
    f->group = since_comma > 0 ? since_comma : 0;
    if (i < p.len && p.ptr[i] == '.') {
        for (i++; i < p.len && (p.ptr[i] == '0' || p.ptr[i] == '#'); i++) {
            if (p.ptr[i] == '0' && f->max_frac > f->min_frac)
                return false; /* a '0' after a '#' */
            f->min_frac += p.ptr[i] == '0';
            f->max_frac++;
        }
    }
    if (digits == 0 && f->max_frac == 0)
        return false;
    for (k = 0; i < p.len; i++) {
        if (df_special(p.ptr[i]) || strchr("#0,.", p.ptr[i]) || k + 1 >= sizeof f->suffix)
            return false;
        f->suffix[k++] = (char)p.ptr[i];
    }
    return true;
}

/* plain ("-123.4500", rounded to max_frac digits) written by pattern f into out. */
static size_t df_format(const dfpat_t *f, const char *plain, char *out, size_t cap)
{
    bool neg = plain[0] == '-';
    const char *ip = plain + neg, *dot = strchr(ip, '.');
    size_t il = dot ? (size_t)(dot - ip) : strlen(ip), fl = dot ? strlen(dot + 1) : 0;
    while (il > 0 && *ip == '0')
        ip++, il--;
    while (fl > (size_t)f->min_frac && dot[fl] == '0')
        fl--;
    bool zero = il == 0;
    for (size_t k = 0; zero && k < fl; k++)
        zero = dot[1 + k] == '0';
    int pad = f->min_int > (int)il ? f->min_int - (int)il : 0;
    if (il == 0 && fl == 0 && pad == 0)
        pad = 1; /* nothing to show: DecimalFormat writes "0" */
    size_t o = 0;
    char digits[160];
    size_t dn = 0;
    for (int k = 0; k < pad && dn + 1 < sizeof digits; k++)
        digits[dn++] = '0';
    for (size_t k = 0; k < il && dn + 1 < sizeof digits; k++)
        digits[dn++] = ip[k];
    if (neg && !zero && o + 1 < cap)
        out[o++] = '-';
    for (const char *p = f->prefix; *p && o + 1 < cap; p++)
        out[o++] = *p;
    for (size_t k = 0; k < dn && o + 2 < cap; k++) {
        if (f->group > 0 && k > 0 && (dn - k) % (size_t)f->group == 0)
            out[o++] = ',';
        out[o++] = digits[k];
    }
    if (fl > 0 && o + 1 < cap)
        out[o++] = '.';
    for (size_t k = 0; k < fl && o + 1 < cap; k++)
        out[o++] = dot[1 + k];
    for (const char *p = f->suffix; *p && o + 1 < cap; p++)
        out[o++] = *p;
    out[o] = '\0';
    return o;
}

static lh_err b_format_number(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_id t = b->arg_types[0].id;
    if (!lh_type_is_numeric(t) && t != LH_TYPE_NULL)
        return fn_bad_input(b, eb, "format_number", 0, "\"NUMERIC\"");
    if (t != LH_TYPE_DECIMAL)
        b->cast_to[0] = fn_type(LH_TYPE_DOUBLE);
    if (b->arg_types[1].id != LH_TYPE_STRING)
        b->cast_to[1] = fn_type(LH_TYPE_INT);
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_format_number(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        int64_t d;
        dfpat_t pat;
        bool by_pattern = false;
        if (x->args[1]->type.id == LH_TYPE_STRING) { /* a DecimalFormat pattern */
            lh_sv_t p = fn_str(x->args[1], i);
            static const char DEFAULT[] = "#,###,###,###,###,###,##0"; /* Spark's for '' */
            by_pattern = df_parse(p.len ? p : (lh_sv_t){(const uint8_t *)DEFAULT, 25}, &pat);
            const uint8_t *dot = memchr(p.ptr, '.', p.len);
            d = by_pattern ? pat.max_frac : dot ? (int64_t)(p.ptr + p.len - dot - 1) : 0;
        } else {
            d = fn_i64(x->args[1], i);
        }
        if (d < 0 || d > 100) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        char plain[512], out[700];
        const lh_vec_t *a = x->args[0];
        if (a->type.id == LH_TYPE_DECIMAL) {
            lh_i128 r;
            int sc = a->type.scale;
            if (d <= sc) {
                lh_dec_rescale(lh_dec_get(a, i), sc, (int)d, true, &r);
                lh_dec_format(r, (int)d, plain, sizeof plain);
            } else {
                size_t n = lh_dec_format(lh_dec_get(a, i), sc, plain, sizeof plain);
                if (sc == 0)
                    plain[n++] = '.';
                for (int64_t k = sc; k < d && n + 1 < sizeof plain; k++)
                    plain[n++] = '0';
                plain[n] = '\0';
            }
        } else {
            double v = fn_f64(a, i);
            if (!isfinite(v)) {
                LH_TRY(fn_put_str(x->out, i,
                                  isnan(v) ? "NaN"
                                  : v > 0  ? "∞"
                                           : "-∞",
                                  isnan(v) ? 3
                                  : v > 0  ? 3
                                           : 4));
                continue;
            }
            snprintf(plain, sizeof plain, "%.*f", (int)d, v);
            if (strcmp(plain, "-0") == 0 || strncmp(plain, "-0.", 3) == 0) {
                bool zero = true;
                for (char *p = plain + 1; *p; p++)
                    zero &= *p == '0' || *p == '.';
                if (zero)
                    memmove(plain, plain + 1, strlen(plain));
            }
        }
        size_t n = by_pattern ? df_format(&pat, plain, out, sizeof out)
                              : group_digits(plain, out, sizeof out);
        LH_TRY(fn_put_str(x->out, i, out, n));
    }
    return LH_OK;
}

/* ---- format_string ---- */

static lh_err b_format_string(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->cast_to[0] = fn_type(LH_TYPE_STRING);
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = true;
    return LH_OK;
}

typedef struct spec {
    bool left, zero, plus, space, comma;
    int width, prec;
    char conv;
} spec_t;

static void pad_out(char **o, size_t *on, const char *s, size_t n, const spec_t *sp)
{
    size_t w = sp->width > 0 ? (size_t)sp->width : 0, padn = n < w ? w - n : 0;
    if (*on + n + padn + 1 > FMT_MAX_OUT)
        return;
    if (!sp->left && !sp->zero)
        for (size_t k = 0; k < padn; k++)
            (*o)[(*on)++] = ' ';
    if (!sp->left && sp->zero) { /* zeros go after the sign */
        size_t sign = n > 0 && (s[0] == '-' || s[0] == '+' || s[0] == ' ');
        memcpy(*o + *on, s, sign);
        *on += sign;
        for (size_t k = 0; k < padn; k++)
            (*o)[(*on)++] = '0';
        s += sign, n -= sign;
    }
    memcpy(*o + *on, s, n);
    *on += n;
    if (sp->left)
        for (size_t k = 0; k < padn; k++)
            (*o)[(*on)++] = ' ';
}

/* Format one argument; false when the conversion does not fit the value's type. */
static bool format_arg(const spec_t *sp, const lh_vec_t *v, size_t i, const lh_tz_t *tz, char *o,
                       size_t cap)
{
    bool null = fn_null(v, i) || v->type.id == LH_TYPE_NULL;
    char c = (char)tolower((unsigned char)sp->conv);
    if (c == 's' || c == 'b') {
        char buf[LH_FMT_MAX];
        const char *txt = "null";
        size_t n = 4;
        if (!null && c == 'b')
            txt = v->type.id != LH_TYPE_BOOLEAN || fn_i64(v, i) ? "true" : "false", n = strlen(txt);
        else if (!null)
            n = lh_format_vec(v, i, tz, LH_FMT_CAST, buf, &txt);
        if (sp->prec >= 0 && (size_t)sp->prec < n)
            n = (size_t)sp->prec;
        snprintf(o, cap, "%.*s", (int)n, txt);
        if (sp->conv == 'S' || sp->conv == 'B')
            for (char *p = o; *p; p++)
                *p = (char)toupper((unsigned char)*p);
        return true;
    }
    if (null) {
        snprintf(o, cap, "null");
        return true;
    }
    bool integral = lh_type_is_integral(v->type.id);
    char f[16];
    int k = 0;
    f[k++] = '%';
    if (sp->plus)
        f[k++] = '+';
    if (sp->space)
        f[k++] = ' ';
    if (c == 'd' || c == 'x' || c == 'o') {
        if (!integral)
            return false;
        int64_t x = fn_i64(v, i);
        if (c == 'd') {
            char plain[32];
            snprintf(plain, sizeof plain,
                     sp->plus    ? "%+lld"
                     : sp->space ? "% lld"
                                 : "%lld",
                     (long long)x);
            if (sp->comma)
                group_digits(plain, o, cap);
            else
                snprintf(o, cap, "%s", plain);
            return true;
        }
        uint64_t u = (uint64_t)x; /* Java: two's complement of the value's width */
        size_t w = lh_type_width(v->type);
        if (w < 8)
            u &= (1ULL << (8 * w)) - 1;
        snprintf(o, cap,
                 c == 'o'          ? "%llo"
                 : sp->conv == 'X' ? "%llX"
                                   : "%llx",
                 (unsigned long long)u);
        return true;
    }
    if (c == 'f' || c == 'e' || c == 'g') {
        if (integral || !lh_type_is_numeric(v->type.id))
            return false;
        double x = fn_f64(v, i);
        if (v->type.id == LH_TYPE_DECIMAL)
            x = lh_dec_to_double(lh_dec_get(v, i), v->type.scale);
        f[k++] = '.', f[k++] = '*', f[k++] = sp->conv, f[k] = '\0';
        char plain[400];
        snprintf(plain, sizeof plain, f, sp->prec >= 0 ? sp->prec : 6, x);
        if (sp->comma && c == 'f')
            group_digits(plain, o, cap);
        else
            snprintf(o, cap, "%s", plain);
        return true;
    }
    if (c == 'c') {
        snprintf(o, cap, "%c", (int)fn_i64(v, i));
        return true;
    }
    return false;
}

static lh_err format_error(const char *fmt_char, lh_errbuf *eb)
{
    return lh_sqlerr(eb, "INTERNAL_ERROR", "message", fmt_char, NULL);
}

static lh_err x_format_string(const lh_func_exec_t *x, lh_errbuf *eb)
{
    const lh_tz_t *tz = fn_tz(x->conf);
    char *o = malloc(FMT_MAX_OUT + 1);
    LH_FAIL_IF(o == NULL, LH_E_NOMEM, eb, "out of memory");
    fn_begin(x);
    lh_err e = LH_OK;
    for (size_t i = 0; i < x->rows && e == LH_OK; i++) {
        if (fn_null(x->args[0], i)) {
            fn_put_null(x->out, i);
            continue;
        }
        lh_sv_t f = fn_str(x->args[0], i);
        size_t on = 0;
        int next = 1;
        for (size_t p = 0; p < f.len && e == LH_OK;) {
            if (f.ptr[p] != '%') {
                if (on < FMT_MAX_OUT)
                    o[on++] = (char)f.ptr[p];
                p++;
                continue;
            }
            p++;
            spec_t sp = {.prec = -1};
            int argi = -1;
            size_t save = p;
            int num = 0;
            while (p < f.len && isdigit(f.ptr[p]))
                num = num * 10 + (f.ptr[p++] - '0');
            if (p < f.len && f.ptr[p] == '$')
                argi = num, p++;
            else
                p = save;
            for (; p < f.len && strchr("-0+ ,", f.ptr[p]); p++)
                f.ptr[p] == '-'   ? (void)(sp.left = true)
                : f.ptr[p] == '0' ? (void)(sp.zero = true)
                : f.ptr[p] == '+' ? (void)(sp.plus = true)
                : f.ptr[p] == ' ' ? (void)(sp.space = true)
                                  : (void)(sp.comma = true);
            while (p < f.len && isdigit(f.ptr[p]))
                sp.width = sp.width * 10 + (f.ptr[p++] - '0');
            if (p < f.len && f.ptr[p] == '.') {
                sp.prec = 0;
                for (p++; p < f.len && isdigit(f.ptr[p]); p++)
                    sp.prec = sp.prec * 10 + (f.ptr[p] - '0');
            }
            if (p >= f.len) {
                e = format_error("format specifier missing its conversion", eb);
                break;
            }
            sp.conv = (char)f.ptr[p++];
            if (sp.conv == '%' || sp.conv == 'n') {
                pad_out(&o, &on, sp.conv == '%' ? "%" : "\n", 1, &sp);
                continue;
            }
            int ai = argi > 0 ? argi : next++;
            if (ai >= x->arg_count) {
                e = lh_sqlerr(eb, "INTERNAL_ERROR", "message",
                              "MissingFormatArgumentException: Format specifier", NULL);
                break;
            }
            char buf[512];
            if (!format_arg(&sp, x->args[ai], i, tz, buf, sizeof buf)) {
                e = format_error("IllegalFormatConversionException", eb);
                break;
            }
            pad_out(&o, &on, buf, strlen(buf), &sp);
        }
        if (e == LH_OK)
            e = fn_put_str(x->out, i, o, on);
    }
    free(o);
    return e;
}

#define F(name, lo, hi, bind, exec)                                                                \
    {                                                                                              \
        name, LH_FUNC_SCALAR, lo, hi, bind, exec, true                                             \
    }
const lh_func_t lh_fn_fmt[] = {
    F("format_number", 2, 2, b_format_number, x_format_number),
    F("format_string", 1, -1, b_format_string, x_format_string),
    F("printf", 1, -1, b_format_string, x_format_string),
};
FN_COUNT(lh_fn_fmt);
