/*
 * datetime.c - calendar math, Spark's date/timestamp string forms and datetime patterns
 * (see datetime.h). Civil-from-days is Howard Hinnant's public-domain era algorithm;
 * string forms follow Spark's DateTimeUtils.stringToDate/stringToTimestamp; patterns
 * follow java.time's DateTimeFormatter letters as Spark restricts them.
 */
#include "compute/func/datetime.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/sqlerr.h"

int64_t lh_dt_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

void lh_dt_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int lh_dt_days_in_month(int64_t y, int m)
{
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return md[m - 1] + (m == 2 && leap);
}

int lh_dt_iso_weekday(int64_t days)
{
    return (int)lh_floormod(days + 3, 7) + 1; /* 1970-01-01 was a Thursday (4) */
}

void lh_dt_civil_from_micros(int64_t us, lh_civil_t *c)
{
    memset(c, 0, sizeof *c);
    int64_t days = lh_floordiv(us, LH_US_PER_DAY), rem = us - days * LH_US_PER_DAY;
    lh_dt_civil_from_days(days, &c->year, &c->month, &c->day);
    int64_t secs = rem / LH_US_PER_SEC;
    c->micros = (int32_t)(rem % LH_US_PER_SEC);
    c->hour = (int)(secs / 3600);
    c->minute = (int)(secs / 60 % 60);
    c->second = (int)(secs % 60);
}

int64_t lh_dt_micros_from_civil(const lh_civil_t *c)
{
    int64_t days = lh_dt_days_from_civil(c->year, c->month, c->day);
    return days * LH_US_PER_DAY +
           ((int64_t)c->hour * 3600 + c->minute * 60 + c->second) * LH_US_PER_SEC + c->micros;
}

int64_t lh_dt_utc_to_local(const lh_tz_t *tz, int64_t utc_us)
{
    return utc_us + (int64_t)lh_tz_offset(tz, lh_floordiv(utc_us, LH_US_PER_SEC)) * LH_US_PER_SEC;
}

int64_t lh_dt_local_to_utc(const lh_tz_t *tz, int64_t local_us)
{
    int64_t secs = lh_floordiv(local_us, LH_US_PER_SEC), frac = local_us - secs * LH_US_PER_SEC;
    return lh_tz_local_to_utc(tz, secs) * LH_US_PER_SEC + frac;
}

/* ---- string forms ---- */

typedef struct scan {
    const char *s;
    size_t i, n;
} scan_t;

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && ((unsigned char)**s <= ' '))
        (*s)++, (*n)--;
    while (*n > 0 && ((unsigned char)(*s)[*n - 1] <= ' '))
        (*n)--;
}

/* Up to max digits; returns the count read (0 = none). */
static int digits(scan_t *sc, int max, int64_t *v)
{
    int k = 0;
    *v = 0;
    while (sc->i < sc->n && k < max && isdigit((unsigned char)sc->s[sc->i]))
        *v = *v * 10 + (sc->s[sc->i++] - '0'), k++;
    return k;
}

static bool valid_ymd(int64_t y, int64_t m, int64_t d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= lh_dt_days_in_month(y, (int)m) && y >= -290000 &&
           y <= 294000;
}

/* yyyy[-m[m][-d[d]]]; leaves sc after the date. */
static bool scan_date(scan_t *sc, int64_t *y, int64_t *m, int64_t *d)
{
    int sign = 1;
    if (sc->i < sc->n && (sc->s[sc->i] == '-' || sc->s[sc->i] == '+'))
        sign = sc->s[sc->i++] == '-' ? -1 : 1;
    int k = digits(sc, 7, y);
    if (k < 4 || k > 6 + (sign < 0 || sc->s[0] == '+'))
        return false;
    *y *= sign;
    *m = 1;
    *d = 1;
    if (sc->i < sc->n && sc->s[sc->i] == '-') {
        sc->i++;
        if (digits(sc, 2, m) == 0)
            return false;
        if (sc->i < sc->n && sc->s[sc->i] == '-') {
            sc->i++;
            if (digits(sc, 2, d) == 0)
                return false;
        }
    }
    return valid_ymd(*y, *m, *d);
}

bool lh_dt_parse_date(const char *s, size_t n, int32_t *days)
{
    trim(&s, &n);
    scan_t sc = {s, 0, n};
    int64_t y, m, d;
    if (n == 0 || !scan_date(&sc, &y, &m, &d))
        return false;
    if (sc.i < n && s[sc.i] != ' ' && s[sc.i] != 'T')
        return false;
    if (sc.i < n && (m == 1 && d == 1) && memchr(s, '-', sc.i) == NULL)
        return false; /* "2019 x": a year alone must end the string */
    *days = (int32_t)lh_dt_days_from_civil(y, (int)m, (int)d);
    return true;
}

/* [h]h:[m]m[:[s]s[.f]] */
static bool scan_time(scan_t *sc, lh_civil_t *c)
{
    int64_t h, mi, se = 0;
    if (digits(sc, 2, &h) == 0 || sc->i >= sc->n || sc->s[sc->i] != ':')
        return false;
    sc->i++;
    if (digits(sc, 2, &mi) == 0)
        return false;
    if (sc->i < sc->n && sc->s[sc->i] == ':') {
        sc->i++;
        if (digits(sc, 2, &se) == 0)
            return false;
        if (sc->i < sc->n && sc->s[sc->i] == '.') {
            sc->i++;
            int64_t f = 0;
            int k = 0;
            while (sc->i < sc->n && isdigit((unsigned char)sc->s[sc->i])) {
                if (k < 6)
                    f = f * 10 + (sc->s[sc->i] - '0');
                k++, sc->i++;
            }
            if (k > 9)
                return false;
            for (int j = k; j < 6; j++)
                f *= 10;
            c->micros = (int32_t)f;
        }
    }
    if (h > 23 || mi > 59 || se > 59)
        return false;
    c->hour = (int)h, c->minute = (int)mi, c->second = (int)se;
    return true;
}

bool lh_dt_parse_timestamp(const char *s, size_t n, const lh_tz_t *tz, bool ntz, int32_t today_days,
                           int64_t *out_us)
{
    trim(&s, &n);
    scan_t sc = {s, 0, n};
    lh_civil_t c = {0};
    int64_t y, m, d;
    if (n == 0)
        return false;
    bool time_only = (n > 0 && s[0] == 'T') || (n > 2 && (s[1] == ':' || s[2] == ':'));
    if (time_only) {
        if (s[0] == 'T')
            sc.i++;
        lh_dt_civil_from_days(today_days, &c.year, &c.month, &c.day);
        if (!scan_time(&sc, &c))
            return false;
    } else {
        if (!scan_date(&sc, &y, &m, &d))
            return false;
        c.year = y, c.month = (int)m, c.day = (int)d;
        if (sc.i < n && (s[sc.i] == ' ' || s[sc.i] == 'T')) {
            sc.i++;
            if (sc.i < n && !scan_time(&sc, &c))
                return false;
        }
    }
    const lh_tz_t *zone = tz;
    if (sc.i < n) {
        if (s[sc.i] == ' ')
            sc.i++;
        char zbuf[64];
        size_t zl = n - sc.i;
        if (ntz || zl == 0 || zl >= sizeof zbuf)
            return false;
        memcpy(zbuf, s + sc.i, zl);
        zbuf[zl] = '\0';
        zone = lh_tz_get(zbuf);
        if (zone == NULL)
            return false;
    }
    int64_t local = lh_dt_micros_from_civil(&c);
    *out_us = ntz ? local : lh_dt_local_to_utc(zone, local);
    return true;
}

size_t lh_dt_format_date(int32_t days, char *buf, size_t cap)
{
    int64_t y;
    int m, d;
    lh_dt_civil_from_days(days, &y, &m, &d);
    int w = y > 9999 ? snprintf(buf, cap, "+%lld-%02d-%02d", (long long)y, m, d)
            : y < 0  ? snprintf(buf, cap, "-%04lld-%02d-%02d", (long long)-y, m, d)
                     : snprintf(buf, cap, "%04lld-%02d-%02d", (long long)y, m, d);
    return w < 0 ? 0 : (size_t)w;
}

size_t lh_dt_format_local(int64_t us, char *buf, size_t cap)
{
    int64_t days = lh_floordiv(us, LH_US_PER_DAY);
    size_t o = lh_dt_format_date((int32_t)days, buf, cap);
    lh_civil_t c;
    lh_dt_civil_from_micros(us, &c);
    int w = snprintf(buf + o, cap - o, " %02d:%02d:%02d", c.hour, c.minute, c.second);
    o += (size_t)w;
    if (c.micros != 0 && o + 8 < cap) {
        char f[8];
        snprintf(f, sizeof f, "%06d", c.micros);
        int k = 6;
        while (k > 0 && f[k - 1] == '0')
            k--;
        buf[o++] = '.';
        memcpy(buf + o, f, (size_t)k);
        o += (size_t)k;
        buf[o] = '\0';
    }
    return o;
}

static int64_t add_months_to_days(int64_t days, int64_t months)
{
    int64_t y;
    int m, d;
    lh_dt_civil_from_days(days, &y, &m, &d);
    int64_t total = y * 12 + (m - 1) + months;
    int64_t ny = lh_floordiv(total, 12);
    int nm = (int)(total - ny * 12) + 1;
    int dim = lh_dt_days_in_month(ny, nm);
    return lh_dt_days_from_civil(ny, nm, d > dim ? dim : d);
}

int64_t lh_dt_add_months(lh_type_id type, int64_t v, int64_t months, const lh_tz_t *tz)
{
    if (type == LH_TYPE_DATE)
        return add_months_to_days(v, months);
    bool ntz = type == LH_TYPE_TIMESTAMP_NTZ || tz == NULL;
    int64_t local = ntz ? v : lh_dt_utc_to_local(tz, v);
    int64_t days = lh_floordiv(local, LH_US_PER_DAY), tod = local - days * LH_US_PER_DAY;
    int64_t r = add_months_to_days(days, months) * LH_US_PER_DAY + tod;
    return ntz ? r : lh_dt_local_to_utc(tz, r);
}
