/*
 * cast.c - CAST and TRY_CAST (see cast.h).
 *
 * One converter per target type, each a switch on the source type; a vector cast is a
 * loop over rows calling the converter on the row's value. Failures go through three
 * helpers that either raise Spark's class (CAST) or write NULL (TRY_CAST, non-ANSI).
 */
#include "compute/func/cast.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "compute/func/datetime.h"
#include "compute/func/fn.h"
#include "compute/func/nested_fn.h"
#include "compute/func/format.h"
#include "compute/func/literal.h"

typedef struct cctx {
    const lh_value_t *in;
    lh_vec_t *out;
    size_t i;
    const lh_sql_conf_t *conf;
    bool try_;
    lh_errbuf *eb;
} cctx_t;

static lh_err fail_invalid(cctx_t *c)
{
    if (c->try_)
        return fn_put_null(c->out, c->i);
    char v[256], st[64], tt[64];
    return lh_sqlerr(c->eb, "CAST_INVALID_INPUT", "expression", fn_value_sql(c->in, v, sizeof v),
                     "sourceType", fn_type_sql(c->in->type, st, sizeof st), "targetType",
                     fn_type_sql(c->out->type, tt, sizeof tt), NULL);
}

static lh_err fail_overflow(cctx_t *c)
{
    if (c->try_)
        return fn_put_null(c->out, c->i);
    char v[256], st[64], tt[64];
    return lh_sqlerr(c->eb, "CAST_OVERFLOW", "value", fn_value_sql(c->in, v, sizeof v),
                     "sourceType", fn_type_sql(c->in->type, st, sizeof st), "targetType",
                     fn_type_sql(c->out->type, tt, sizeof tt), NULL);
}

static lh_err fail_decimal(cctx_t *c, const char *value)
{
    if (c->try_)
        return fn_put_null(c->out, c->i);
    char p[8], s[8];
    snprintf(p, sizeof p, "%u", c->out->type.precision);
    snprintf(s, sizeof s, "%u", c->out->type.scale);
    return lh_sqlerr(c->eb, "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION", "value", value,
                     "precision", p, "scale", s, "config", "\"spark.sql.ansi.enabled\"", NULL);
}

/* ---- string parsing ---- */

static void trim_sv(const char **s, size_t *n)
{
    while (*n > 0 && (unsigned char)**s <= ' ')
        (*s)++, (*n)--;
    while (*n > 0 && (unsigned char)(*s)[*n - 1] <= ' ')
        (*n)--;
}

/* Spark's ANSI string to integer: [+-]digits after trimming (a fraction is malformed). */
static bool parse_long(const char *s, size_t n, int64_t *out)
{
    trim_sv(&s, &n);
    size_t i = 0;
    bool neg = false;
    if (n == 0)
        return false;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        if (++i == n)
            return false;
    }
    unsigned __int128 v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
        if (v > (unsigned __int128)INT64_MAX + 1)
            return false;
    }
    if (!neg && v > INT64_MAX)
        return false;
    *out = neg ? (int64_t)(0 - (uint64_t)v) : (int64_t)v;
    return true;
}

/* Java's Double.parseDouble plus Spark's inf/nan spellings. */
static bool parse_double(const char *s, size_t n, double *out)
{
    trim_sv(&s, &n);
    char buf[128];
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    const char *b = buf + (buf[0] == '+' || buf[0] == '-');
    double sign = buf[0] == '-' ? -1 : 1;
    if (strcasecmp(b, "inf") == 0 || strcasecmp(b, "infinity") == 0) {
        *out = sign * INFINITY;
        return true;
    }
    if (strcasecmp(b, "nan") == 0) {
        *out = NAN;
        return true;
    }
    size_t i = (size_t)(b - buf), digits = 0;
    for (; buf[i] >= '0' && buf[i] <= '9'; i++)
        digits++;
    if (buf[i] == '.')
        for (i++; buf[i] >= '0' && buf[i] <= '9'; i++)
            digits++;
    if (digits == 0)
        return false;
    if (buf[i] == 'e' || buf[i] == 'E') {
        i++;
        if (buf[i] == '+' || buf[i] == '-')
            i++;
        if (buf[i] < '0' || buf[i] > '9')
            return false;
        while (buf[i] >= '0' && buf[i] <= '9')
            i++;
    }
    if (buf[i] && strchr("dDfF", buf[i]))
        buf[i] = '\0', i++;
    if (i != n && buf[i] != '\0')
        return false;
    if (i != n)
        return false;
    *out = strtod(buf, NULL);
    return true;
}

static bool parse_bool(const char *s, size_t n, bool *out)
{
    trim_sv(&s, &n);
    static const char *const t[] = {"t", "true", "y", "yes", "1"};
    static const char *const f[] = {"f", "false", "n", "no", "0"};
    for (int k = 0; k < 5; k++) {
        if (strlen(t[k]) == n && strncasecmp(s, t[k], n) == 0)
            return *out = true, true;
        if (strlen(f[k]) == n && strncasecmp(s, f[k], n) == 0)
            return *out = false, true;
    }
    return false;
}

/* ---- helpers on the input ---- */

static int interval_start(lh_type_t t)
{
    return t.precision ? t.precision - 1 : 0;
}
static int interval_end(lh_type_t t)
{
    return t.scale ? t.scale - 1 : (t.id == LH_TYPE_INTERVAL_YM ? 1 : 3);
}
static const int64_t DT_UNIT[] = {86400000000LL, 3600000000LL, 60000000LL, 1000000LL};

/* The input as an exact decimal (unscaled, scale); false for non-numeric input. */
static bool in_as_decimal(const lh_value_t *in, lh_i128 *u, int *scale)
{
    switch (in->type.id) {
    case LH_TYPE_BOOLEAN:
    case LH_TYPE_BYTE:
    case LH_TYPE_SHORT:
    case LH_TYPE_INT:
    case LH_TYPE_LONG:
        *u = in->v.i64, *scale = 0;
        return true;
    case LH_TYPE_DECIMAL:
        *u = in->type.precision > 18 ? in->v.i128 : in->v.i64, *scale = in->type.scale;
        return true;
    case LH_TYPE_INTERVAL_YM:
        *u = in->v.i64, *scale = 0;
        if (interval_start(in->type) == 0 && interval_end(in->type) == 0)
            *u /= 12;
        return true;
    case LH_TYPE_INTERVAL_DT: {
        int f = interval_end(in->type);
        *u = in->v.i64;
        *scale = f == 3 ? 6 : 0;
        if (f < 3)
            *u /= DT_UNIT[f];
        return true;
    }
    default:
        return false;
    }
}

/* ---- converters ---- */

static int64_t int_limit(lh_type_id id, bool max)
{
    switch (id) {
    case LH_TYPE_BYTE:
        return max ? INT8_MAX : INT8_MIN;
    case LH_TYPE_SHORT:
        return max ? INT16_MAX : INT16_MIN;
    case LH_TYPE_INT:
        return max ? INT32_MAX : INT32_MIN;
    default:
        return max ? INT64_MAX : INT64_MIN;
    }
}

static lh_err to_integral(cctx_t *c)
{
    lh_type_id to = c->out->type.id;
    const lh_value_t *in = c->in;
    int64_t v = 0;
    lh_i128 u;
    int sc;
    switch (in->type.id) {
    case LH_TYPE_STRING:
        if (!parse_long((const char *)in->v.str.ptr, in->v.str.len, &v) ||
            v > int_limit(to, true) || v < int_limit(to, false))
            return fail_invalid(c);
        break;
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE: {
        double d = trunc(in->v.f64);
        if (isnan(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0)
            return fail_overflow(c);
        v = (int64_t)d;
        break;
    }
    case LH_TYPE_TIMESTAMP:
        v = lh_floordiv(in->v.i64, LH_US_PER_SEC);
        break;
    default:
        if (!in_as_decimal(in, &u, &sc))
            return fail_invalid(c);
        u /= lh_dec_pow10(sc);
        if (u > INT64_MAX || u < INT64_MIN)
            return fail_overflow(c);
        v = (int64_t)u;
    }
    if (v > int_limit(to, true) || v < int_limit(to, false))
        return fail_overflow(c);
    fn_put_i64(c->out, c->i, v);
    return LH_OK;
}

static lh_err to_floating(cctx_t *c)
{
    const lh_value_t *in = c->in;
    double d;
    lh_i128 u;
    int sc;
    switch (in->type.id) {
    case LH_TYPE_STRING:
        if (!parse_double((const char *)in->v.str.ptr, in->v.str.len, &d))
            return fail_invalid(c);
        break;
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        d = in->v.f64;
        break;
    case LH_TYPE_TIMESTAMP:
        d = (double)in->v.i64 / 1e6;
        break;
    case LH_TYPE_DECIMAL:
        d = lh_dec_to_double(in->type.precision > 18 ? in->v.i128 : in->v.i64, in->type.scale);
        break;
    default:
        if (!in_as_decimal(in, &u, &sc))
            return fail_invalid(c);
        d = sc ? lh_dec_to_double(u, sc) : (double)u;
    }
    fn_put_f64(c->out, c->i, d);
    return LH_OK;
}

static lh_err to_decimal(cctx_t *c)
{
    const lh_value_t *in = c->in;
    lh_type_t t = c->out->type;
    lh_i128 u, r;
    int sc, prec;
    char txt[64];
    switch (in->type.id) {
    case LH_TYPE_STRING: {
        const char *s = (const char *)in->v.str.ptr;
        size_t n = in->v.str.len;
        trim_sv(&s, &n);
        if (!lh_dec_parse(s, n, &u, &sc, &prec) || (n > 0 && (s[n - 1] == '.' && n == 1)))
            return fail_invalid(c);
        break;
    }
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        if (!isfinite(in->v.f64))
            return fail_invalid(c);
        if (!lh_dec_from_double(in->v.f64, t.scale, t.precision, &r)) {
            lh_format_double(in->v.f64, txt, sizeof txt);
            return fail_decimal(c, txt);
        }
        lh_dec_put(c->out, c->i, r);
        return LH_OK;
    case LH_TYPE_TIMESTAMP:
        u = in->v.i64, sc = 6;
        break;
    default:
        if (!in_as_decimal(in, &u, &sc))
            return fail_invalid(c);
    }
    bool ok = sc >= -38 && lh_dec_rescale(u, sc, t.scale, false, &r) && lh_dec_fits(r, t.precision);
    if (!ok) {
        if (sc >= 0)
            lh_dec_format(u, sc, txt, sizeof txt);
        else
            snprintf(txt, sizeof txt, "%sE%d", "overflow", -sc);
        return fail_decimal(c, txt);
    }
    lh_dec_put(c->out, c->i, r);
    return LH_OK;
}

static lh_err to_boolean(cctx_t *c)
{
    const lh_value_t *in = c->in;
    bool b;
    lh_i128 u;
    int sc;
    if (in->type.id == LH_TYPE_STRING) {
        if (!parse_bool((const char *)in->v.str.ptr, in->v.str.len, &b))
            return fail_invalid(c);
    } else if (in->type.id == LH_TYPE_FLOAT || in->type.id == LH_TYPE_DOUBLE) {
        b = in->v.f64 != 0;
    } else if (in->type.id == LH_TYPE_TIMESTAMP) {
        b = in->v.i64 != 0;
    } else if (in_as_decimal(in, &u, &sc)) {
        b = u != 0;
    } else {
        return fail_invalid(c);
    }
    fn_put_i64(c->out, c->i, b);
    return LH_OK;
}

static lh_err to_date(cctx_t *c)
{
    const lh_value_t *in = c->in;
    int32_t days;
    switch (in->type.id) {
    case LH_TYPE_STRING:
        if (!lh_dt_parse_date((const char *)in->v.str.ptr, in->v.str.len, &days))
            return fail_invalid(c);
        break;
    case LH_TYPE_TIMESTAMP:
        days = (int32_t)lh_floordiv(lh_dt_utc_to_local(fn_tz(c->conf), in->v.i64), LH_US_PER_DAY);
        break;
    case LH_TYPE_TIMESTAMP_NTZ:
        days = (int32_t)lh_floordiv(in->v.i64, LH_US_PER_DAY);
        break;
    default:
        return fail_invalid(c);
    }
    fn_put_i64(c->out, c->i, days);
    return LH_OK;
}

static int32_t today(const lh_sql_conf_t *conf)
{
    return (int32_t)lh_floordiv(lh_dt_utc_to_local(fn_tz(conf), fn_now_us(conf)), LH_US_PER_DAY);
}

static lh_err to_timestamp(cctx_t *c)
{
    const lh_value_t *in = c->in;
    bool ntz = c->out->type.id == LH_TYPE_TIMESTAMP_NTZ;
    const lh_tz_t *tz = fn_tz(c->conf);
    int64_t us;
    lh_i128 u;
    int sc;
    switch (in->type.id) {
    case LH_TYPE_STRING:
        if (!lh_dt_parse_timestamp((const char *)in->v.str.ptr, in->v.str.len, tz, ntz,
                                   today(c->conf), &us))
            return fail_invalid(c);
        break;
    case LH_TYPE_DATE:
        us = in->v.i64 * LH_US_PER_DAY;
        if (!ntz)
            us = lh_dt_local_to_utc(tz, us);
        break;
    case LH_TYPE_TIMESTAMP:
        us = ntz ? lh_dt_utc_to_local(tz, in->v.i64) : in->v.i64;
        break;
    case LH_TYPE_TIMESTAMP_NTZ:
        us = ntz ? in->v.i64 : lh_dt_local_to_utc(tz, in->v.i64);
        break;
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE: {
        double d = in->v.f64 * 1e6;
        if (!isfinite(d))
            return fail_invalid(c);
        if (d >= 9.2e18 || d <= -9.2e18)
            return fail_overflow(c);
        us = (int64_t)d;
        break;
    }
    default:
        if (ntz || !in_as_decimal(in, &u, &sc))
            return fail_invalid(c);
        lh_i128 r;
        if (!lh_dec_rescale(u, sc, 6, false, &r) || r > INT64_MAX || r < INT64_MIN)
            return fail_overflow(c);
        us = (int64_t)r;
    }
    fn_put_i64(c->out, c->i, us);
    return LH_OK;
}

static lh_err to_interval(cctx_t *c)
{
    const lh_value_t *in = c->in;
    lh_type_t t = c->out->type;
    int64_t v;
    if (in->type.id == LH_TYPE_STRING) {
        if (!lh_interval_from_string((const char *)in->v.str.ptr, in->v.str.len, t, &v))
            return fail_invalid(c);
    } else if (in->type.id == t.id) {
        v = in->v.i64;
    } else {
        lh_i128 u;
        int sc;
        if (!in_as_decimal(in, &u, &sc) || in->type.id == LH_TYPE_BOOLEAN)
            return fail_invalid(c);
        /* YM: months rounded HALF_UP; DT: micros, truncated to the end field */
        int f = interval_end(t);
        lh_i128 unit = t.id == LH_TYPE_INTERVAL_YM ? (f == 0 ? 12 : 1) : DT_UNIT[f], r;
        if (!lh_dec_rescale(u * unit, sc, 0, false, &r))
            return fail_overflow(c);
        if (t.id == LH_TYPE_INTERVAL_DT && f < 3)
            r = r / unit * unit;
        lh_i128 lim = t.id == LH_TYPE_INTERVAL_YM ? INT32_MAX : INT64_MAX;
        if (r > lim || r < -lim - 1)
            return fail_overflow(c);
        v = (int64_t)r;
    }
    fn_put_i64(c->out, c->i, v);
    return LH_OK;
}

/* CAST(s AS INTERVAL): Spark's safeStringToInterval, NULL for bad text even under ANSI. */
static lh_err to_cal_interval(cctx_t *c)
{
    lh_cal_iv_t v;
    if (c->in->type.id != LH_TYPE_STRING ||
        !lh_cal_interval_from_string((const char *)c->in->v.str.ptr, c->in->v.str.len, &v))
        return fn_put_null(c->out, c->i);
    uint8_t b[LH_CAL_IV_BYTES];
    lh_cal_iv_encode(v, b);
    return fn_put_str(c->out, c->i, b, sizeof b);
}

static lh_err to_string(cctx_t *c)
{
    char buf[LH_FMT_MAX];
    const char *txt;
    size_t n = lh_format_value(c->in, fn_tz(c->conf), LH_FMT_CAST, buf, &txt);
    return fn_put_str(c->out, c->i, txt, n);
}

lh_err lh_cast_row(const lh_value_t *in, lh_vec_t *out, size_t i, const lh_sql_conf_t *conf,
                   bool try_, lh_errbuf *eb)
{
    if (in->is_null || in->type.id == LH_TYPE_NULL)
        return fn_put_null(out, i);
    if (lh_type_is_nested(in->type) || lh_type_is_nested(out->type))
        return lh_nested_cast_row(in, out, i, conf, try_, eb);
    cctx_t c = {in, out, i, conf, try_ || (conf && !conf->ansi), eb};
    if (lh_type_equal(in->type, out->type) && in->type.id != LH_TYPE_DECIMAL)
        return fn_put(out, i, in);
    switch (out->type.id) {
    case LH_TYPE_BOOLEAN:
        return to_boolean(&c);
    case LH_TYPE_BYTE:
    case LH_TYPE_SHORT:
    case LH_TYPE_INT:
    case LH_TYPE_LONG:
        return to_integral(&c);
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        return to_floating(&c);
    case LH_TYPE_DECIMAL:
        return to_decimal(&c);
    case LH_TYPE_STRING:
        return to_string(&c);
    case LH_TYPE_BINARY:
        if (in->type.id != LH_TYPE_STRING && in->type.id != LH_TYPE_BINARY)
            return fail_invalid(&c);
        return fn_put_str(out, i, in->v.str.ptr, in->v.str.len);
    case LH_TYPE_DATE:
        return to_date(&c);
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
        return to_timestamp(&c);
    case LH_TYPE_INTERVAL_YM:
    case LH_TYPE_INTERVAL_DT:
        return to_interval(&c);
    case LH_TYPE_INTERVAL_CAL:
        return to_cal_interval(&c);
    default:
        return fn_put_null(out, i);
    }
}

/* Widening casts the binder inserts all the time (integer to a wider integer, integer or
 * FLOAT to DOUBLE) cannot fail: typed loops, validity copied. */
#define WIDEN(TI, TO)                                                                              \
    do {                                                                                           \
        const TI *src = in->data;                                                                  \
        TO *dst = out->data;                                                                       \
        for (size_t i = 0; i < rows; i++)                                                          \
            dst[i] = (TO)src[i];                                                                   \
    } while (0)

#define WIDEN_FROM(TO)                                                                             \
    do {                                                                                           \
        switch (lh_type_width(in->type)) {                                                         \
        case 1:                                                                                    \
            WIDEN(int8_t, TO);                                                                     \
            break;                                                                                 \
        case 2:                                                                                    \
            WIDEN(int16_t, TO);                                                                    \
            break;                                                                                 \
        case 4:                                                                                    \
            WIDEN(int32_t, TO);                                                                    \
            break;                                                                                 \
        default:                                                                                   \
            WIDEN(int64_t, TO);                                                                    \
        }                                                                                          \
    } while (0)

static bool cast_widen(const lh_vec_t *in, lh_vec_t *out, size_t rows)
{
    lh_type_id f = in->type.id, t = out->type.id;
    bool fi = lh_type_is_integral(f);
    if (fi && lh_type_is_integral(t) && lh_type_width(out->type) >= lh_type_width(in->type)) {
        switch (lh_type_width(out->type)) {
        case 2:
            WIDEN_FROM(int16_t);
            break;
        case 4:
            WIDEN_FROM(int32_t);
            break;
        case 8:
            WIDEN_FROM(int64_t);
            break;
        default:
            WIDEN_FROM(int8_t);
        }
    } else if (fi && t == LH_TYPE_DOUBLE) {
        WIDEN_FROM(double);
    } else if (f == LH_TYPE_FLOAT && t == LH_TYPE_DOUBLE) {
        WIDEN(float, double);
    } else {
        return false;
    }
    return true;
}

lh_err lh_cast_vec(const lh_vec_t *in, lh_vec_t *out, size_t rows, const lh_sql_conf_t *conf,
                   bool try_, lh_errbuf *eb)
{
    out->count = rows;
    if (cast_widen(in, out, rows)) {
        for (size_t i = 0; in->validity && i < rows; i++)
            if (!lh_vec_is_valid(in, i))
                LH_TRY(lh_vec_set_null(out, i, true));
        return LH_OK;
    }
    for (size_t i = 0; i < rows; i++) {
        lh_value_t v = fn_get(in, i);
        LH_TRY(lh_cast_row(&v, out, i, conf, try_, eb));
    }
    return LH_OK;
}

/* ---- registry rows ---- */

static lh_err cast_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_FAIL_IF(b->bind_data == NULL, LH_E_INTERNAL, eb, "cast: no target type");
    lh_type_t to = *(const lh_type_t *)b->bind_data;
    if (!lh_type_can_cast(b->arg_types[0], to, b->conf ? b->conf->ansi : true)) {
        char s[64], t[64], e[160];
        snprintf(e, sizeof e, "\"CAST(%s AS %s)\"", b->arg_sql ? b->arg_sql[0] : "?",
                 lh_format_type_sql(to, t, sizeof t));
        if (lh_type_can_cast(b->arg_types[0], to, false))
            return lh_sqlerr(eb, "DATATYPE_MISMATCH.CAST_WITH_CONF_SUGGESTION", "sqlExpr", e,
                             "srcType", fn_type_sql(b->arg_types[0], s, sizeof s), "targetType",
                             fn_type_sql(to, t, sizeof t), "config", "\"spark.sql.ansi.enabled\"",
                             "configVal", "'false'", NULL);
        return lh_sqlerr(eb, "DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION", "sqlExpr", e, "srcType",
                         fn_type_sql(b->arg_types[0], s, sizeof s), "targetType",
                         fn_type_sql(to, t, sizeof t), NULL);
    }
    b->ret_type = to;
    b->ret_nullable = true;
    lh_type_t *keep = lh_arena_alloc(b->arena, sizeof *keep);
    *keep = to;
    b->bind_data = keep;
    return LH_OK;
}

static lh_err cast_exec(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return lh_cast_vec(x->args[0], x->out, x->rows, x->conf, false, eb);
}

static lh_err try_cast_exec(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return lh_cast_vec(x->args[0], x->out, x->rows, x->conf, true, eb);
}

/* Spark's cast aliases: boolean(x), int(x), date(x), ... are CAST(x AS <type>). */
#define CAST_ALIAS(fn, ...)                                                                        \
    static lh_err fn(lh_func_bind_t *b, lh_errbuf *eb)                                             \
    {                                                                                              \
        static const lh_type_t to = __VA_ARGS__;                                                   \
        b->bind_data = (void *)&to;                                                                \
        return cast_bind(b, eb);                                                                   \
    }
CAST_ALIAS(as_boolean, {LH_TYPE_BOOLEAN, 0, 0})
CAST_ALIAS(as_tinyint, {LH_TYPE_BYTE, 0, 0})
CAST_ALIAS(as_smallint, {LH_TYPE_SHORT, 0, 0})
CAST_ALIAS(as_int, {LH_TYPE_INT, 0, 0})
CAST_ALIAS(as_bigint, {LH_TYPE_LONG, 0, 0})
CAST_ALIAS(as_float, {LH_TYPE_FLOAT, 0, 0})
CAST_ALIAS(as_double, {LH_TYPE_DOUBLE, 0, 0})
CAST_ALIAS(as_decimal, {LH_TYPE_DECIMAL, 10, 0})
CAST_ALIAS(as_string, {LH_TYPE_STRING, 0, 0})
CAST_ALIAS(as_binary, {LH_TYPE_BINARY, 0, 0})
CAST_ALIAS(as_date, {LH_TYPE_DATE, 0, 0})
CAST_ALIAS(as_timestamp, {LH_TYPE_TIMESTAMP, 0, 0})

const lh_func_t lh_fn_cast[] = {
    {"cast", LH_FUNC_SCALAR, 1, 1, cast_bind, cast_exec, true},
    {"try_cast", LH_FUNC_SCALAR, 1, 1, cast_bind, try_cast_exec, true},
    {"boolean", LH_FUNC_SCALAR, 1, 1, as_boolean, cast_exec, true},
    {"tinyint", LH_FUNC_SCALAR, 1, 1, as_tinyint, cast_exec, true},
    {"smallint", LH_FUNC_SCALAR, 1, 1, as_smallint, cast_exec, true},
    {"int", LH_FUNC_SCALAR, 1, 1, as_int, cast_exec, true},
    {"bigint", LH_FUNC_SCALAR, 1, 1, as_bigint, cast_exec, true},
    {"float", LH_FUNC_SCALAR, 1, 1, as_float, cast_exec, true},
    {"double", LH_FUNC_SCALAR, 1, 1, as_double, cast_exec, true},
    {"decimal", LH_FUNC_SCALAR, 1, 1, as_decimal, cast_exec, true},
    {"string", LH_FUNC_SCALAR, 1, 1, as_string, cast_exec, true},
    {"binary", LH_FUNC_SCALAR, 1, 1, as_binary, cast_exec, true},
    {"date", LH_FUNC_SCALAR, 1, 1, as_date, cast_exec, true},
    {"timestamp", LH_FUNC_SCALAR, 1, 1, as_timestamp, cast_exec, true},
};
FN_COUNT(lh_fn_cast);
