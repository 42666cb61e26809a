/*
 * files_util.c - text to typed values, for the CSV parser (and JSON strings): the
 * conversions of Spark's CSV reader and its type inference (CSVInferSchema):
 *
 *   a value is tried as INT, BIGINT, DECIMAL(p,0) (integers wider than BIGINT, up to 38
 *   digits), DOUBLE (also NaN, Inf, -Inf, Infinity), DATE (yyyy-MM-dd), TIMESTAMP
 *   (a date, 'T' or ' ', a time, an optional zone), BOOLEAN (true/false, any case), and
 *   STRING otherwise; a column's type is the merge of its values' types (numbers widen,
 *   DATE and TIMESTAMP give TIMESTAMP, anything else mixed gives STRING).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/files/files_internal.h"
#include "compute/sql/sqlerr.h"
#include "compute/func/datetime.h"
#include "compute/func/dec.h"

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

static bool parse_double(const char *s, size_t n, double *out)
{
    if (n == 0 || n > 400)
        return false;
    if (n == 3 && memcmp(s, "NaN", 3) == 0)
        return *out = NAN, true;
    if ((n == 3 && memcmp(s, "Inf", 3) == 0) || (n == 8 && memcmp(s, "Infinity", 8) == 0) ||
        (n == 9 && memcmp(s, "+Infinity", 9) == 0))
        return *out = INFINITY, true;
    if ((n == 4 && memcmp(s, "-Inf", 4) == 0) || (n == 9 && memcmp(s, "-Infinity", 9) == 0))
        return *out = -INFINITY, true;
    /* digits, one '.', an exponent: what Double.parseDouble takes, without hex forms */
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

bool lh_ff_append_text(lh_vec_t *v, lh_type_t t, const char *s, size_t n, const lh_tz_t *tz)
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

lh_type_t lh_ff_infer_text(const char *s, size_t n, const lh_tz_t *tz)
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

lh_type_t lh_ff_merge_types(lh_type_t a, lh_type_t b)
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
            return lh_ff_merge_types(b, a);
        return ra > rb ? a : b;
    }
    if ((a.id == LH_TYPE_DATE && b.id == LH_TYPE_TIMESTAMP) ||
        (a.id == LH_TYPE_TIMESTAMP && b.id == LH_TYPE_DATE))
        return (lh_type_t){LH_TYPE_TIMESTAMP};
    return (lh_type_t){LH_TYPE_STRING};
}

/* ---- JSON text for the rescued data column ---------------------------------------------- */

bool ff_sb_put(ff_sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL)
            return false;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    return true;
}

bool ff_sb_json_str(ff_sbuf *b, const char *s, size_t n)
{
    bool ok = ff_sb_put(b, "\"", 1);
    for (size_t i = 0; i < n && ok; i++) {
        unsigned char ch = (unsigned char)s[i];
        char esc[8];
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            ok = ff_sb_put(b, esc, 2);
        } else if (ch < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", ch);
            ok = ff_sb_put(b, esc, 6);
        } else {
            ok = ff_sb_put(b, s + i, 1);
        }
    }
    return ok && ff_sb_put(b, "\"", 1);
}

/* Append "name":"value" to a rescued object (opened on first use). */
bool ff_rescue_add(ff_sbuf *b, const char *name, const char *s, size_t n)
{
    return ff_sb_put(b, b->n == 0 ? "{" : ",", 1) && ff_sb_json_str(b, name, strlen(name)) &&
           ff_sb_put(b, ":", 1) && ff_sb_json_str(b, s, n);
}

bool ff_rescue_finish(ff_sbuf *b, const char *path)
{
    return ff_sb_put(b, ",", 1) && ff_sb_json_str(b, "_file_path", 10) && ff_sb_put(b, ":", 1) &&
           ff_sb_json_str(b, path, strlen(path)) && ff_sb_put(b, "}", 1);
}

/* ---- output batches ---- */

bool ff_out_init(ff_out *o, const lh_ff_scan_t *s)
{
    o->cols = calloc((size_t)s->col_count + 1, sizeof *o->cols);
    if (o->cols == NULL)
        return false;
    for (int i = 0; i < s->col_count; i++)
        if ((o->cols[i] = lh_vec_create(s->types[i], LH_BATCH_ROWS)) == NULL)
            return false;
    o->b = (lh_batch_t){s->col_count, o->cols, 0};
    return true;
}

void ff_out_free(ff_out *o, int n)
{
    for (int i = 0; o->cols && i < n; i++)
        lh_vec_destroy(o->cols[i]);
    free(o->cols);
}

lh_err ff_out_flush(ff_out *o, lh_ff_emit_fn emit, void *ctx, lh_errbuf *eb)
{
    if (o->b.row_count == 0)
        return LH_OK;
    lh_err e = emit(ctx, &o->b, eb);
    o->rows += (int64_t)o->b.row_count;
    for (int i = 0; i < o->b.col_count; i++)
        lh_vec_reset(o->cols[i]);
    o->b.row_count = 0;
    return e;
}

lh_err ff_malformed(const char *what, size_t n, lh_errbuf *eb)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%.*s", (int)(n < 200 ? n : 200), what);
    return lh_sqlerr(eb, "MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION", "badRecord", buf,
                     "failFastMode", "FAILFAST", NULL);
}
