/*
 * csv_text.c - CSV records, values and type inference (see csv_text.h).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/func/csv_text.h"
#include "compute/func/datetime.h"
#include "compute/func/dec.h"

/* ---- records -------------------------------------------------------------------------------- */

lh_csv_char_res lh_csv_option_char(const char *v, size_t n, char *out)
{
    static const char esc[] = "tnr\\\"'b", rep[] = "\t\n\r\\\"'\b";
    if (n == 0)
        return LH_CSV_CHAR_EMPTY;
    if (n == 1) {
        *out = v[0];
        return LH_CSV_CHAR_OK;
    }
    const char *m = n == 2 && v[0] == '\\' ? memchr(esc, v[1], sizeof esc - 1) : NULL;
    if (m != NULL) {
        *out = rep[m - esc];
        return LH_CSV_CHAR_OK;
    }
    if (n == 6 && v[0] == '\\' && v[1] == 'u') {
        int x = 0;
        for (size_t i = 2; i < 6 && x >= 0; i++) {
            char c = v[i];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            x = d < 0 ? -1 : x * 16 + d;
        }
        if (x >= 0 && x < 128) {
            *out = (char)x;
            return LH_CSV_CHAR_OK;
        }
    }
    return LH_CSV_CHAR_LONG;
}

void lh_csv_fmt_init(lh_csv_fmt_t *c, char sep, char quote, char escape, char comment, bool lines)
{
    memset(c, 0, sizeof *c);
    c->sep = sep;
    c->quote = quote;
    c->escape = escape;
    c->comment = comment;
    c->lines = lines;
    c->stop[(unsigned char)sep] = true;
    if (lines)
        c->stop['\n'] = c->stop['\r'] = true;
}

static bool sc_put(lh_csv_rec_t *r, const char *s, size_t n)
{
    if (n == 0)
        return true;
    if (r->sc_len + n > r->sc_cap) {
        size_t cap = r->sc_cap ? r->sc_cap * 2 : 256;
        while (cap < r->sc_len + n)
            cap *= 2;
        char *p = realloc(r->scratch, cap);
        if (p == NULL)
            return false;
        r->scratch = p;
        r->sc_cap = cap;
    }
    memcpy(r->scratch + r->sc_len, s, n);
    r->sc_len += n;
    return true;
}

static bool push(lh_csv_rec_t *r, lh_csv_fld_t f)
{
    if (r->count == r->cap) {
        int cap = r->cap ? r->cap * 2 : 16;
        lh_csv_fld_t *p = realloc(r->f, (size_t)cap * sizeof *p);
        if (p == NULL)
            return false;
        r->f = p;
        r->cap = cap;
    }
    r->f[r->count++] = f;
    return true;
}

void lh_csv_rec_free(lh_csv_rec_t *r)
{
    free(r->f);
    free(r->scratch);
}

/* A quoted field starting after its opening quote at *pp. */
static bool quoted_field(const lh_csv_fmt_t *c, const char *base, const char **pp, const char *end,
                         lh_csv_rec_t *r, lh_csv_fld_t *f)
{
    const char *p = *pp, *s = p;
    bool copy = false;
    size_t sc0 = r->sc_len;
    for (;;) {
        if (p >= end) {
            r->bad = true;
            break;
        }
        char ch = *p;
        bool esc = c->escape && c->escape != c->quote && ch == c->escape && p + 1 < end &&
                   (p[1] == c->quote || p[1] == c->escape);
        if (ch == c->quote && !(p + 1 < end && p[1] == c->quote)) {
            break;
        } else if (ch == c->quote || esc) {
            if (!copy && !sc_put(r, s, (size_t)(p - s)))
                return false;
            copy = true;
            if (!sc_put(r, p + 1, 1))
                return false;
            p += 2;
            continue;
        }
        if (copy && !sc_put(r, p, 1))
            return false;
        p++;
    }
    const char *close = p;
    if (p < end)
        p++;                                      /* the closing quote */
    if (p < end && !c->stop[(unsigned char)*p]) { /* text after the closing quote: kept */
        if (!copy && !sc_put(r, s, (size_t)(close - s)))
            return false;
        copy = true;
        const char *t = p;
        while (p < end && !c->stop[(unsigned char)*p])
            p++;
        if (!sc_put(r, t, (size_t)(p - t)))
            return false;
    }
    *f = copy ? (lh_csv_fld_t){sc0, r->sc_len - sc0, true, true}
              : (lh_csv_fld_t){(size_t)(s - base), (size_t)(close - s), false, true};
    *pp = p;
    return true;
}

/* The record at p (after skipping empty lines, when line breaks end records, and comment
 * lines): its fields in r. Returns the
 * position after it, or NULL when there is none (or on out of memory: r->count < 0). */
const char *lh_csv_next_record(const lh_csv_fmt_t *c, const char *base, const char *p,
                               const char *end, lh_csv_rec_t *r)
{
    r->count = 0;
    r->sc_len = 0;
    r->bad = false;
    for (;;) { /* skip empty lines and comments */
        if (p >= end)
            return NULL;
        if (c->lines && (*p == '\n' || *p == '\r')) {
            p++;
            continue;
        }
        if (c->comment && *p == c->comment) {
            while (p < end && *p != '\n' && *p != '\r')
                p++;
            continue;
        }
        break;
    }
    for (;;) {
        lh_csv_fld_t f;
        if (c->quote && p < end && *p == c->quote) {
            p++;
            if (!quoted_field(c, base, &p, end, r, &f)) {
                r->count = -1;
                return NULL;
            }
        } else {
            const char *s = p;
            while (p < end && !c->stop[(unsigned char)*p])
                p++;
            f = (lh_csv_fld_t){(size_t)(s - base), (size_t)(p - s), false, false};
        }
        if (!push(r, f)) {
            r->count = -1;
            return NULL;
        }
        if (p < end && *p == c->sep) {
            p++;
            continue;
        }
        if (p < end && *p == '\r') {
            p++;
            if (p < end && *p == '\n')
                p++;
        } else if (p < end && *p == '\n') {
            p++;
        }
        return p;
    }
}

/* Whether the field reads as NULL; *s, *n get its text otherwise. */
bool lh_csv_fld_value(const lh_csv_rec_t *r, const char *base, const lh_csv_fld_t *f,
                      const char *null_value, const char *empty_value, const char **s, size_t *n)
{
    *s = lh_csv_fld_text(r, base, f);
    *n = f->n;
    if (f->quoted && f->n == 0) {
        *s = empty_value;
        *n = strlen(empty_value);
    }
    size_t nn = strlen(null_value);
    return *n == nn && memcmp(*s, null_value, nn) == 0;
}

/* ---- values --------------------------------------------------------------------------------- */

static bool parse_int(const char *s, size_t n, int64_t *out, int *digits)
{
    size_t i = 0;
    bool neg = false;
    if (n > 0 && (s[0] == '-' || s[0] == '+'))
        neg = s[i++] == '-';
    if (i == n)
        return false;
    uint64_t v = 0;
    int d = 0;
    for (; i < n; i++) {
        unsigned c = (unsigned char)s[i] - '0';
        if (c > 9)
            return false;
        if (v > (UINT64_MAX - c) / 10)
            d = 99; /* overflow: not a BIGINT, maybe a DECIMAL */
        else
            v = v * 10 + c;
        if (v != 0 || d > 0)
            d++;
    }
    *digits = d;
    if (d == 99 || v > (uint64_t)INT64_MAX + neg)
        return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static bool all_digits(const char *s, size_t n)
{
    size_t i = n > 0 && (s[0] == '-' || s[0] == '+');
    if (i == n)
        return false;
    for (; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* Spark's CSV double: the nanValue / positiveInf / negativeInf defaults (NaN, Inf, -Inf),
 * else Java's Double.parseDouble: surrounding whitespace (<= ' ') ignored, NaN, [+-]Infinity,
 * digits with one '.' and an exponent, an f/F/d/D suffix (no hex forms). */
static bool parse_double(const char *s, size_t n, double *out)
{
    if ((n == 3 && memcmp(s, "Inf", 3) == 0))
        return *out = INFINITY, true;
    if (n == 4 && memcmp(s, "-Inf", 4) == 0)
        return *out = -INFINITY, true;
    while (n > 0 && (unsigned char)s[0] <= ' ')
        s++, n--;
    while (n > 0 && (unsigned char)s[n - 1] <= ' ')
        n--;
    if (n == 0 || n > 400)
        return false;
    if (n == 3 && memcmp(s, "NaN", 3) == 0)
        return *out = NAN, true;
    if ((n == 8 && memcmp(s, "Infinity", 8) == 0) || (n == 9 && memcmp(s, "+Infinity", 9) == 0))
        return *out = INFINITY, true;
    if (n == 9 && memcmp(s, "-Infinity", 9) == 0)
        return *out = -INFINITY, true;
    size_t i = s[0] == '-' || s[0] == '+';
    int digits = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t e0 = i;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == e0)
            return false;
    }
    if (i + 1 == n && strchr("fFdD", s[i]) != NULL)
        n--; /* the type suffix */
    if (i != n)
        return false;
    char buf[416];
    memcpy(buf, s, n);
    buf[n] = '\0';
    *out = strtod(buf, NULL);
    return true;
}

static bool parse_bool(const char *s, size_t n, bool *out)
{
    if (n == 4 && strncasecmp(s, "true", 4) == 0)
        return *out = true, true;
    if (n == 5 && strncasecmp(s, "false", 5) == 0)
        return *out = false, true;
    return false;
}

/* yyyy-MM-dd exactly (the default dateFormat). */
static bool parse_date(const char *s, size_t n, int32_t *days)
{
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    return lh_dt_parse_date(s, n, days);
}

static bool parse_ts(const char *s, size_t n, const lh_tz_t *tz, int64_t *us)
{
    int32_t d;
    if (n < 16 || (s[10] != 'T' && s[10] != ' ') || !parse_date(s, 10, &d))
        return false;
    return lh_dt_parse_timestamp(s, n, tz, false, 0, us);
}

bool lh_csv_append_text(lh_vec_t *v, lh_type_t t, const char *s, size_t n, const lh_tz_t *tz)
{
    int64_t i;
    int digits;
    double d;
    bool b;
    int32_t days;
    switch (t.id) {
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
        return lh_vec_append_str(v, s, n) == LH_OK;
    case LH_TYPE_BYTE:
    case LH_TYPE_SHORT:
    case LH_TYPE_INT: {
        int64_t lo = t.id == LH_TYPE_BYTE    ? INT8_MIN
                     : t.id == LH_TYPE_SHORT ? INT16_MIN
                                             : INT32_MIN;
        int64_t hi = t.id == LH_TYPE_BYTE    ? INT8_MAX
                     : t.id == LH_TYPE_SHORT ? INT16_MAX
                                             : INT32_MAX;
        return parse_int(s, n, &i, &digits) && i >= lo && i <= hi &&
               lh_vec_append_i64(v, i) == LH_OK;
    }
    case LH_TYPE_LONG:
        return parse_int(s, n, &i, &digits) && lh_vec_append_i64(v, i) == LH_OK;
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        return parse_double(s, n, &d) && lh_vec_append_f64(v, d) == LH_OK;
    case LH_TYPE_BOOLEAN:
        return parse_bool(s, n, &b) && lh_vec_append_bool(v, b) == LH_OK;
    case LH_TYPE_DATE:
        return lh_dt_parse_date(s, n, &days) && lh_vec_append_i64(v, days) == LH_OK;
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ: {
        int64_t us;
        return lh_dt_parse_timestamp(s, n, tz, t.id == LH_TYPE_TIMESTAMP_NTZ, 0, &us) &&
               lh_vec_append_i64(v, us) == LH_OK;
    }
    case LH_TYPE_DECIMAL: {
        lh_i128 u, r;
        int scale, prec;
        if (!lh_dec_parse(s, n, &u, &scale, &prec) ||
            !lh_dec_rescale(u, scale, t.scale, false, &r) || !lh_dec_fits(r, t.precision))
            return false;
        return (t.precision <= 18 ? lh_vec_append_i64(v, (int64_t)r) : lh_vec_append_i128(v, r)) ==
               LH_OK;
    }
    default:
        return false;
    }
}

lh_type_t lh_csv_infer_text(const char *s, size_t n, const lh_tz_t *tz)
{
    int64_t i;
    int digits;
    double d;
    bool b;
    int32_t days;
    int64_t us;
    if (parse_int(s, n, &i, &digits))
        return (lh_type_t){i >= INT32_MIN && i <= INT32_MAX ? LH_TYPE_INT : LH_TYPE_LONG};
    if (all_digits(s, n)) {
        size_t k = s[0] == '-' || s[0] == '+';
        while (k < n - 1 && s[k] == '0')
            k++;
        if (n - k <= 38)
            return (lh_type_t){LH_TYPE_DECIMAL, (uint8_t)(n - k), 0, NULL};
    }
    if (parse_double(s, n, &d))
        return (lh_type_t){LH_TYPE_DOUBLE};
    if (parse_date(s, n, &days))
        return (lh_type_t){LH_TYPE_DATE};
    if (parse_ts(s, n, tz, &us))
        return (lh_type_t){LH_TYPE_TIMESTAMP};
    if (parse_bool(s, n, &b))
        return (lh_type_t){LH_TYPE_BOOLEAN};
    return (lh_type_t){LH_TYPE_STRING};
}

static int num_rank(lh_type_id id)
{
    switch (id) {
    case LH_TYPE_INT:
        return 1;
    case LH_TYPE_LONG:
        return 2;
    case LH_TYPE_DECIMAL:
        return 3;
    case LH_TYPE_DOUBLE:
        return 4;
    default:
        return 0;
    }
}

lh_type_t lh_csv_merge_types(lh_type_t a, lh_type_t b)
{
    if (a.id == LH_TYPE_NULL)
        return b;
    if (b.id == LH_TYPE_NULL || lh_type_equal(a, b))
        return a;
    int ra = num_rank(a.id), rb = num_rank(b.id);
    if (ra && rb) {
        if (a.id == LH_TYPE_DECIMAL && b.id == LH_TYPE_DECIMAL)
            return a.precision >= b.precision ? a : b;
        if (a.id == LH_TYPE_DECIMAL && rb < 3)
            return a.precision >= 19 ? a : (lh_type_t){LH_TYPE_DECIMAL, 20, 0, NULL};
        if (b.id == LH_TYPE_DECIMAL && ra < 3)
            return lh_csv_merge_types(b, a);
        return ra > rb ? a : b;
    }
    if ((a.id == LH_TYPE_DATE && b.id == LH_TYPE_TIMESTAMP) ||
        (a.id == LH_TYPE_TIMESTAMP && b.id == LH_TYPE_DATE))
        return (lh_type_t){LH_TYPE_TIMESTAMP};
    return (lh_type_t){LH_TYPE_STRING};
}
