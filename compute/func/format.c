/*
 * format.c - Spark's value text (see format.h).
 *
 * Doubles: the shortest digit string that reads back to the same double (what Java's
 * Double.toString produces since JDK 19 and in nearly every case before), laid out as
 * Java does: plain notation with at least one fraction digit for 1e-3 <= |d| < 1e7,
 * otherwise d.dddE[-]n.
 */
#include "compute/func/format.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/func/datetime.h"
#include "compute/func/dec.h"
#include "compute/func/nested_fn.h"

/* Shortest decimal digits (no dot) and exponent such that value = 0.d1d2... * 10^exp10. */
static int shortest(double d, bool is_float, char *digs, int *exp10)
{
    char tmp[40];
    int p;
    for (p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
        if (is_float ? strtof(tmp, NULL) == (float)d : strtod(tmp, NULL) == d)
            break;
    }
    int n = 0;
    for (char *c = tmp; *c && *c != 'e'; c++)
        if (*c >= '0' && *c <= '9')
            digs[n++] = *c;
    while (n > 1 && digs[n - 1] == '0')
        n--;
    digs[n] = '\0';
    *exp10 = atoi(strchr(tmp, 'e') + 1) + 1;
    return n;
}

static size_t java_double(double d, bool is_float, char *buf, size_t cap)
{
    if (isnan(d))
        return (size_t)snprintf(buf, cap, "NaN");
    if (isinf(d))
        return (size_t)snprintf(buf, cap, d > 0 ? "Infinity" : "-Infinity");
    if (d == 0)
        return (size_t)snprintf(buf, cap, signbit(d) ? "-0.0" : "0.0");
    char digs[24], out[64];
    int e, n = shortest(fabs(d), is_float, digs, &e), o = 0;
    if (d < 0)
        out[o++] = '-';
    double a = fabs(d);
    if (a >= 1e-3 && a < 1e7) {
        if (e <= 0) {
            out[o++] = '0', out[o++] = '.';
            for (int i = 0; i < -e; i++)
                out[o++] = '0';
            for (int i = 0; i < n; i++)
                out[o++] = digs[i];
        } else {
            for (int i = 0; i < e; i++)
                out[o++] = i < n ? digs[i] : '0';
            out[o++] = '.';
            if (n <= e)
                out[o++] = '0';
            for (int i = e; i < n; i++)
                out[o++] = digs[i];
        }
        out[o] = '\0';
    } else {
        out[o++] = digs[0], out[o++] = '.';
        if (n == 1)
            out[o++] = '0';
        for (int i = 1; i < n; i++)
            out[o++] = digs[i];
        snprintf(out + o, sizeof out - (size_t)o, "E%d", e - 1);
    }
    return (size_t)snprintf(buf, cap, "%s", out);
}

size_t lh_format_double(double d, char *buf, size_t cap)
{
    return java_double(d, false, buf, cap);
}

size_t lh_format_float(float f, char *buf, size_t cap)
{
    return java_double((double)f, true, buf, cap);
}

static const char *const YM_FIELDS[] = {"YEAR", "MONTH"};
static const char *const DT_FIELDS[] = {"DAY", "HOUR", "MINUTE", "SECOND"};

static void fields(lh_type_t t, int *start, int *end)
{
    int full_end = t.id == LH_TYPE_INTERVAL_YM ? 1 : 3;
    *start = t.precision ? t.precision - 1 : 0;
    *end = t.scale ? t.scale - 1 : full_end;
}

static size_t fmt_ym(lh_type_t t, int64_t months, lh_fmt_style style, char *buf, size_t cap)
{
    int s, e;
    fields(t, &s, &e);
    const char *sign = months < 0 ? "-" : "";
    int64_t a = months < 0 ? -months : months;
    char body[48];
    if (style == LH_FMT_RESULT) /* Hive's form is always y-m */
        return (size_t)snprintf(buf, cap, "%s%lld-%lld", sign, (long long)(a / 12),
                                (long long)(a % 12));
    if (s == e)
        snprintf(body, sizeof body, "%s%lld", sign, (long long)(s == 0 ? a / 12 : a));
    else
        snprintf(body, sizeof body, "%s%lld-%lld", sign, (long long)(a / 12), (long long)(a % 12));
    if (s == e)
        return (size_t)snprintf(buf, cap, "INTERVAL '%s' %s", body, YM_FIELDS[s]);
    return (size_t)snprintf(buf, cap, "INTERVAL '%s' YEAR TO MONTH", body);
}

static size_t fmt_dt_hive(int64_t us, char *buf, size_t cap)
{
    const char *sign = us < 0 ? "-" : "";
    uint64_t a = us < 0 ? (uint64_t)(-(us + 1)) + 1 : (uint64_t)us;
    uint64_t secs = a / 1000000, frac = a % 1000000;
    return (size_t)snprintf(
        buf, cap, "%s%llu %02llu:%02llu:%02llu.%06llu000", sign, (unsigned long long)(secs / 86400),
        (unsigned long long)(secs / 3600 % 24), (unsigned long long)(secs / 60 % 60),
        (unsigned long long)(secs % 60), (unsigned long long)frac);
}

static size_t fmt_dt_ansi(lh_type_t t, int64_t us, char *buf, size_t cap)
{
    int s, e;
    fields(t, &s, &e);
    const char *sign = us < 0 ? "-" : "";
    uint64_t a = us < 0 ? (uint64_t)(-(us + 1)) + 1 : (uint64_t)us;
    uint64_t unit[4] = {86400000000ULL, 3600000000ULL, 60000000ULL, 1000000ULL};
    uint64_t mod[4] = {0, 24, 60, 60};
    char body[64];
    size_t o = (size_t)snprintf(body, sizeof body, "%s", sign);
    for (int f = s; f <= e; f++) {
        uint64_t v = a / unit[f];
        if (f > s)
            v %= mod[f];
        const char *sep = f == s ? "" : f == 1 ? " " : ":";
        o += (size_t)snprintf(body + o, sizeof body - o, f == s && f == 0 ? "%s%llu" : "%s%02llu",
                              sep, (unsigned long long)v);
    }
    if (e == 3 && a % 1000000 != 0) {
        char fr[8];
        snprintf(fr, sizeof fr, "%06llu", (unsigned long long)(a % 1000000));
        int k = 6;
        while (fr[k - 1] == '0')
            k--;
        o += (size_t)snprintf(body + o, sizeof body - o, ".%.*s", k, fr);
    }
    if (s == e)
        return (size_t)snprintf(buf, cap, "INTERVAL '%s' %s", body, DT_FIELDS[s]);
    return (size_t)snprintf(buf, cap, "INTERVAL '%s' %s TO %s", body, DT_FIELDS[s], DT_FIELDS[e]);
}

size_t lh_format_interval(lh_type_t t, int64_t v, lh_fmt_style style, char *buf, size_t cap)
{
    if (t.id == LH_TYPE_INTERVAL_YM)
        return fmt_ym(t, v, style, buf, cap);
    return style == LH_FMT_RESULT ? fmt_dt_hive(v, buf, cap) : fmt_dt_ansi(t, v, buf, cap);
}

/* One "<n> <unit> " part of a calendar interval's text, when n is not zero. */
static size_t cal_unit(char *buf, size_t cap, size_t o, int64_t n, const char *unit)
{
    if (n == 0 || o >= cap)
        return o;
    return o + (size_t)snprintf(buf + o, cap - o, "%lld %s ", (long long)n, unit);
}

size_t lh_format_cal_interval(lh_cal_iv_t v, char *buf, size_t cap)
{
    if (v.months == 0 && v.days == 0 && v.micros == 0)
        return (size_t)snprintf(buf, cap, "0 seconds");
    size_t o = 0;
    buf[0] = '\0';
    if (v.months != 0) {
        o = cal_unit(buf, cap, o, v.months / 12, "years");
        o = cal_unit(buf, cap, o, v.months % 12, "months");
    }
    o = cal_unit(buf, cap, o, v.days, "days");
    if (v.micros != 0) {
        int64_t rest = v.micros;
        o = cal_unit(buf, cap, o, rest / 3600000000LL, "hours");
        rest %= 3600000000LL;
        o = cal_unit(buf, cap, o, rest / 60000000LL, "minutes");
        rest %= 60000000LL;
        if (rest != 0 && o < cap) { /* BigDecimal(rest, 6).stripTrailingZeros: 7.008009 */
            uint64_t a = rest < 0 ? (uint64_t)(-rest) : (uint64_t)rest;
            char fr[8];
            snprintf(fr, sizeof fr, "%06llu", (unsigned long long)(a % 1000000));
            int k = 6;
            while (k > 0 && fr[k - 1] == '0')
                k--;
            o += (size_t)snprintf(buf + o, cap - o, "%s%llu%s%.*s seconds ", rest < 0 ? "-" : "",
                                  (unsigned long long)(a / 1000000), k ? "." : "", k, fr);
        }
    }
    if (o > cap - 1)
        o = cap - 1;
    if (o > 0 && buf[o - 1] == ' ')
        buf[--o] = '\0';
    return o;
}

size_t lh_format_value(const lh_value_t *val, const lh_tz_t *tz, lh_fmt_style style, char *buf,
                       const char **out)
{
    *out = buf;
    int64_t x = val->v.i64;
    switch (val->type.id) {
    case LH_TYPE_NULL:
        return (size_t)snprintf(buf, LH_FMT_MAX, "NULL");
    case LH_TYPE_BOOLEAN:
        return (size_t)snprintf(buf, LH_FMT_MAX, "%s", x ? "true" : "false");
    case LH_TYPE_BYTE:
    case LH_TYPE_SHORT:
    case LH_TYPE_INT:
    case LH_TYPE_LONG:
        return (size_t)snprintf(buf, LH_FMT_MAX, "%lld", (long long)x);
    case LH_TYPE_FLOAT:
        return lh_format_float((float)val->v.f64, buf, LH_FMT_MAX);
    case LH_TYPE_DOUBLE:
        return lh_format_double(val->v.f64, buf, LH_FMT_MAX);
    case LH_TYPE_DECIMAL:
        return lh_dec_format(val->type.precision > 18 ? val->v.i128 : (lh_i128)x, val->type.scale,
                             buf, LH_FMT_MAX);
    case LH_TYPE_DATE:
        return lh_dt_format_date((int32_t)x, buf, LH_FMT_MAX);
    case LH_TYPE_TIMESTAMP:
        return lh_dt_format_local(tz ? lh_dt_utc_to_local(tz, x) : x, buf, LH_FMT_MAX);
    case LH_TYPE_TIMESTAMP_NTZ:
        return lh_dt_format_local(x, buf, LH_FMT_MAX);
    case LH_TYPE_INTERVAL_YM:
    case LH_TYPE_INTERVAL_DT:
        return lh_format_interval(val->type, x, style, buf, LH_FMT_MAX);
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
        *out = (const char *)val->v.str.ptr;
        return val->v.str.len;
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT:
        return lh_format_nested(val, tz, style, out);
    case LH_TYPE_INTERVAL_CAL:
        return lh_format_cal_interval(lh_cal_iv_decode(val->v.str), buf, LH_FMT_MAX);
    case LH_TYPE__COUNT:
        break;
    }
    buf[0] = '\0';
    return 0;
}

size_t lh_format_vec(const lh_vec_t *v, size_t i, const lh_tz_t *tz, lh_fmt_style style, char *buf,
                     const char **out)
{
    lh_value_t val = {.type = v->type};
    switch (v->type.id) {
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        val.v.f64 = lh_vec_get_f64(v, i);
        break;
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT:
    case LH_TYPE_INTERVAL_CAL:
        val.v.str = ((const lh_sv_t *)v->data)[i];
        break;
    case LH_TYPE_DECIMAL:
        if (v->type.precision > 18) {
            val.v.i128 = lh_dec_get(v, i);
            break;
        }
        /* fall through */
    default:
        val.v.i64 = v->type.id == LH_TYPE_NULL ? 0 : lh_vec_get_i64(v, i);
    }
    return lh_format_value(&val, tz, style, buf, out);
}

const char *lh_format_type_sql(lh_type_t t, char *buf, size_t cap)
{
    static const char *const names[LH_TYPE__COUNT] = {
        [LH_TYPE_NULL] = "VOID",
        [LH_TYPE_BOOLEAN] = "BOOLEAN",
        [LH_TYPE_BYTE] = "TINYINT",
        [LH_TYPE_SHORT] = "SMALLINT",
        [LH_TYPE_INT] = "INT",
        [LH_TYPE_LONG] = "BIGINT",
        [LH_TYPE_FLOAT] = "FLOAT",
        [LH_TYPE_DOUBLE] = "DOUBLE",
        [LH_TYPE_STRING] = "STRING",
        [LH_TYPE_BINARY] = "BINARY",
        [LH_TYPE_DATE] = "DATE",
        [LH_TYPE_TIMESTAMP] = "TIMESTAMP",
        [LH_TYPE_TIMESTAMP_NTZ] = "TIMESTAMP_NTZ",
        [LH_TYPE_INTERVAL_CAL] = "INTERVAL",
    };
    int s, e;
    switch (t.id) {
    case LH_TYPE_DECIMAL:
        snprintf(buf, cap, "DECIMAL(%u,%u)", t.precision, t.scale);
        return buf;
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT:
        return lh_type_sql_string(t, lh_format_type_sql, buf, cap);
    case LH_TYPE_INTERVAL_YM:
    case LH_TYPE_INTERVAL_DT: {
        const char *const *f = t.id == LH_TYPE_INTERVAL_YM ? YM_FIELDS : DT_FIELDS;
        fields(t, &s, &e);
        if (s == e)
            snprintf(buf, cap, "INTERVAL %s", f[s]);
        else
            snprintf(buf, cap, "INTERVAL %s TO %s", f[s], f[e]);
        return buf;
    }
    default:
        snprintf(buf, cap, "%s", names[t.id]);
        return buf;
    }
}
