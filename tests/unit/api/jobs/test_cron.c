/* test_cron.c - api/jobs/cron: Quartz syntax, L/W/#, years, DST in four zones, errors,
 * a brute-force cross-check around transitions, and a benchmark line.
 *
 * Expected times are written as local wall time with the offset in effect, worked out
 * by hand from the calendar (2024-01-01 was a Monday; 2024 is a leap year) and the zones'
 * 2024 rules: America/Los_Angeles 03-10 02:00 -> 03:00 and 11-03 02:00 -> 01:00;
 * Europe/Berlin 03-31 02:00 -> 03:00 and 10-27 03:00 -> 02:00; Australia/Lord_Howe 04-07
 * 02:00 -> 01:30 and 10-06 02:00 -> 02:30; America/Santiago 04-07 00:00 -> 04-06 23:00
 * and 09-08 00:00 -> 01:00. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/jobs/cron.h"
#include "api/jobs/cron_internal.h"
#include "compute/func/tz.h"
#include "t.h"

#define LA  "America/Los_Angeles"
#define BER "Europe/Berlin"
#define LHI "Australia/Lord_Howe"
#define SCL "America/Santiago"

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* "2024-03-10T03:30:00-07:00" or "...Z" (optionally ".mmm" after the seconds) -> ms. */
static int64_t ms(const char *iso)
{
    int y, mo, d, h, mi, s, n = 0, frac = 0;
    LH_ASSERT(sscanf(iso, "%d-%d-%dT%d:%d:%d%n", &y, &mo, &d, &h, &mi, &s, &n) == 6);
    const char *p = iso + n;
    if (*p == '.') {
        frac = atoi(p + 1);
        p += 4;
    }
    int off = 0;
    if (*p == '+' || *p == '-') {
        int oh, om;
        LH_ASSERT(sscanf(p + 1, "%d:%d", &oh, &om) == 2);
        off = (*p == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
        LH_ASSERT(*p == 'Z');
    }
    int64_t local = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return (local - off) * 1000 + frac;
}

/* ms -> local ISO text with the zone's offset at that instant. */
static void fmt(int64_t t_ms, const char *zone, char *out, size_t cap)
{
    int64_t t = t_ms / 1000;
    int32_t off = lh_tz_offset(lh_tz_get(zone), t);
    time_t local = (time_t)(t + off);
    struct tm tm;
    gmtime_r(&local, &tm);
    int a = off < 0 ? -off : off;
    char text[96];
    snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
             a / 3600, a / 60 % 60);
    snprintf(out, cap, "%s", text);
    if (off == 0 && strcmp(zone, "UTC") == 0)
        snprintf(out + 19, cap - 19, "Z");
}

/* The next n fire times after `after`, space-separated ("none" when the search ends,
 * "parse error" / "error" on failures). */
static const char *seq(const char *expr, const char *zone, const char *after, int n)
{
    static char buf[4096];
    lh_cron_t *c;
    lh_errbuf eb;
    buf[0] = '\0';
    if (lh_cron_parse(expr, &c, &eb) != LH_OK) {
        fprintf(stderr, "  parse %s: %s\n", expr, eb.msg);
        return "parse error";
    }
    int64_t t = ms(after), next;
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        lh_err e = lh_cron_next(c, zone, t, &next, &eb);
        char one[96];
        if (e == LH_E_NOT_FOUND)
            snprintf(one, sizeof one, "none");
        else if (e != LH_OK)
            snprintf(one, sizeof one, "error %d", (int)e);
        else
            fmt(next, zone, one, sizeof one);
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", i ? " " : "", one);
        if (e != LH_OK)
            break;
        t = next;
    }
    lh_cron_destroy(c);
    return buf;
}

#define NEXT(expr, zone, after, expect)   T_EQ_STR(seq(expr, zone, after, 1), expect)
#define SEQ(expr, zone, after, n, expect) T_EQ_STR(seq(expr, zone, after, n), expect)

/* The parse error message, or "ok". */
static const char *perr(const char *expr)
{
    static lh_errbuf eb;
    lh_cron_t *c;
    if (lh_cron_parse(expr, &c, &eb) == LH_OK) {
        lh_cron_destroy(c);
        return "ok";
    }
    if (eb.code != LH_E_INVALID)
        return "wrong code";
    return eb.msg;
}

#define PARSES(expr)        T_EQ_STR(perr(expr), "ok")
#define REJECTS(expr, what) T_EQ_STR(perr(expr), "Invalid quartz_cron_expression '" expr "': " what)

static void test_basic_fields(void)
{
    NEXT("0 0 12 * * ?", "UTC", "2024-01-01T00:00:00Z", "2024-01-01T12:00:00Z");
    /* strictly after: the fire time itself gives the next one; milliseconds count */
    NEXT("0 0 12 * * ?", "UTC", "2024-01-01T12:00:00Z", "2024-01-02T12:00:00Z");
    NEXT("0 0 12 * * ?", "UTC", "2024-01-01T11:59:59.999Z", "2024-01-01T12:00:00Z");
    NEXT("0 0 12 * * ?", "UTC", "2024-01-01T12:00:00.001Z", "2024-01-02T12:00:00Z");
    SEQ("*/15 * * * * ?", "UTC", "2024-01-01T00:00:07Z", 3,
        "2024-01-01T00:00:15Z 2024-01-01T00:00:30Z 2024-01-01T00:00:45Z");
    SEQ("0 0/15 * * * ?", "UTC", "2024-01-01T00:50:00Z", 2,
        "2024-01-01T01:00:00Z 2024-01-01T01:15:00Z");
    SEQ("5-50/5 * * * * ?", "UTC", "2024-01-01T00:00:49Z", 2,
        "2024-01-01T00:00:50Z 2024-01-01T00:01:05Z");
    SEQ("0 0 8,12,18 * * ?", "UTC", "2024-01-01T09:00:00Z", 3,
        "2024-01-01T12:00:00Z 2024-01-01T18:00:00Z 2024-01-02T08:00:00Z");
    /* "/n" is "*" "/n" (Quartz), "a/n" runs from a to the field's maximum */
    SEQ("0 /20 * * * ?", "UTC", "2024-01-01T00:00:00Z", 3,
        "2024-01-01T00:20:00Z 2024-01-01T00:40:00Z 2024-01-01T01:00:00Z");
    SEQ("0 0 5/6 * * ?", "UTC", "2024-01-01T00:00:00Z", 5,
        "2024-01-01T05:00:00Z 2024-01-01T11:00:00Z 2024-01-01T17:00:00Z 2024-01-01T23:00:00Z "
        "2024-01-02T05:00:00Z");
    SEQ("0 0 0 1 1/4 ?", "UTC", "2024-02-01T00:00:00Z", 3,
        "2024-05-01T00:00:00Z 2024-09-01T00:00:00Z 2025-01-01T00:00:00Z");
    /* day-of-week 2/2 = MON, WED, FRI (Quartz 1 = SUN) */
    SEQ("0 0 0 ? * 2/2", "UTC", "2024-01-01T00:00:00Z", 4,
        "2024-01-03T00:00:00Z 2024-01-05T00:00:00Z 2024-01-08T00:00:00Z 2024-01-10T00:00:00Z");
    SEQ("0 0 0 ? * MON-FRI/2", "UTC", "2024-01-01T00:00:00Z", 3,
        "2024-01-03T00:00:00Z 2024-01-05T00:00:00Z 2024-01-08T00:00:00Z");
    /* names are case-insensitive */
    SEQ("0 0 9 ? jan,Jul mOn", "UTC", "2023-12-31T00:00:00Z", 3,
        "2024-01-01T09:00:00Z 2024-01-08T09:00:00Z 2024-01-15T09:00:00Z");
    NEXT("0 0 9 ? jan,Jul mOn", "UTC", "2024-01-29T10:00:00Z", "2024-07-01T09:00:00Z");
    /* whitespace: tabs, runs of spaces, leading and trailing */
    NEXT("  0\t0  12 \t * * ?  ", "UTC", "2024-01-01T00:00:00Z", "2024-01-01T12:00:00Z");
    NEXT("0 0 12 * * ? *", "UTC", "2024-01-01T00:00:00Z", "2024-01-01T12:00:00Z");
    SEQ("* * * * * ?", "UTC", "2024-01-01T23:59:58Z", 2,
        "2024-01-01T23:59:59Z 2024-01-02T00:00:00Z");
    /* a fixed offset zone */
    NEXT("0 0 12 * * ?", "GMT+05:30", "2024-01-01T00:00:00Z", "2024-01-01T12:00:00+05:30");
}

static void test_wrapping_ranges(void)
{
    SEQ("0 0 22-2 * * ?", "UTC", "2024-01-01T21:00:00Z", 6,
        "2024-01-01T22:00:00Z 2024-01-01T23:00:00Z 2024-01-02T00:00:00Z 2024-01-02T01:00:00Z "
        "2024-01-02T02:00:00Z 2024-01-02T22:00:00Z");
    SEQ("0 0 22-3/2 * * ?", "UTC", "2024-01-01T21:00:00Z", 4,
        "2024-01-01T22:00:00Z 2024-01-02T00:00:00Z 2024-01-02T02:00:00Z 2024-01-02T22:00:00Z");
    SEQ("50-10/5 * * * * ?", "UTC", "2024-01-01T00:00:49Z", 6,
        "2024-01-01T00:00:50Z 2024-01-01T00:00:55Z 2024-01-01T00:01:00Z 2024-01-01T00:01:05Z "
        "2024-01-01T00:01:10Z 2024-01-01T00:01:50Z");
    /* 2024-01-01 is a Monday */
    SEQ("0 0 12 ? * FRI-MON", "UTC", "2024-01-01T13:00:00Z", 5,
        "2024-01-05T12:00:00Z 2024-01-06T12:00:00Z 2024-01-07T12:00:00Z 2024-01-08T12:00:00Z "
        "2024-01-12T12:00:00Z");
    SEQ("0 0 0 1 NOV-FEB ?", "UTC", "2024-03-01T00:00:00Z", 5,
        "2024-11-01T00:00:00Z 2024-12-01T00:00:00Z 2025-01-01T00:00:00Z 2025-02-01T00:00:00Z "
        "2025-11-01T00:00:00Z");
    /* day-of-month wraps modulo 31 whatever the month's length */
    SEQ("0 0 0 28-2 * ?", "UTC", "2024-02-27T00:00:00Z", 5,
        "2024-02-28T00:00:00Z 2024-02-29T00:00:00Z 2024-03-01T00:00:00Z 2024-03-02T00:00:00Z "
        "2024-03-28T00:00:00Z");
}

static void test_last_and_weekday(void)
{
    SEQ("0 0 0 L * ?", "UTC", "2024-01-15T00:00:00Z", 4,
        "2024-01-31T00:00:00Z 2024-02-29T00:00:00Z 2024-03-31T00:00:00Z 2024-04-30T00:00:00Z");
    NEXT("0 0 0 L * ?", "UTC", "2023-02-01T00:00:00Z", "2023-02-28T00:00:00Z");
    NEXT("0 0 0 L * ?", "UTC", "2100-01-01T00:00:00Z", "none");
    SEQ("0 0 0 L-3 * ?", "UTC", "2024-01-01T00:00:00Z", 4,
        "2024-01-28T00:00:00Z 2024-02-26T00:00:00Z 2024-03-28T00:00:00Z 2024-04-27T00:00:00Z");
    /* L-30 exists only in 31-day months (day 1) */
    SEQ("0 0 0 L-30 * ?", "UTC", "2024-01-01T00:00:00Z", 3,
        "2024-03-01T00:00:00Z 2024-05-01T00:00:00Z 2024-07-01T00:00:00Z");
    /* LW: 03-31 Sun -> Fri 29, 06-30 Sun -> Fri 28, 08-31 Sat -> Fri 30 */
    SEQ("0 0 0 LW * ?", "UTC", "2024-01-01T00:00:00Z", 8,
        "2024-01-31T00:00:00Z 2024-02-29T00:00:00Z 2024-03-29T00:00:00Z 2024-04-30T00:00:00Z "
        "2024-05-31T00:00:00Z 2024-06-28T00:00:00Z 2024-07-31T00:00:00Z 2024-08-30T00:00:00Z");
    /* 15W: 06-15 Sat -> Fri 14, 09-15 Sun -> Mon 16 */
    NEXT("0 0 0 15W * ?", "UTC", "2024-06-01T00:00:00Z", "2024-06-14T00:00:00Z");
    NEXT("0 0 0 15W * ?", "UTC", "2024-09-01T00:00:00Z", "2024-09-16T00:00:00Z");
    NEXT("0 0 0 15W * ?", "UTC", "2024-05-01T00:00:00Z", "2024-05-15T00:00:00Z"); /* Wed */
    /* 1W never leaves the month: 06-01 Sat -> Mon 3, 09-01 Sun -> Mon 2 */
    NEXT("0 0 0 1W * ?", "UTC", "2024-05-31T00:00:00Z", "2024-06-03T00:00:00Z");
    NEXT("0 0 0 1W * ?", "UTC", "2024-08-31T00:00:00Z", "2024-09-02T00:00:00Z");
    /* 31W: only 31-day months; 03-31 Sun -> Fri 29, 08-31 Sat -> Fri 30 */
    SEQ("0 0 0 31W * ?", "UTC", "2024-03-01T00:00:00Z", 4,
        "2024-03-29T00:00:00Z 2024-05-31T00:00:00Z 2024-07-31T00:00:00Z 2024-08-30T00:00:00Z");
    /* 29W in February: only leap years; 2024-02-29 Thu, 2032-02-29 Sun -> Fri 27 */
    SEQ("0 0 0 29W 2 ?", "UTC", "2024-01-01T00:00:00Z", 3,
        "2024-02-29T00:00:00Z 2028-02-29T00:00:00Z 2032-02-27T00:00:00Z");
    NEXT("0 0 0 30W 2 ?", "UTC", "2024-01-01T00:00:00Z", "none");
    /* L-1W: 09-29 Sun -> Mon 30 */
    NEXT("0 0 0 L-1W * ?", "UTC", "2024-09-01T00:00:00Z", "2024-09-30T00:00:00Z");
    SEQ("0 0 0 1,15,L * ?", "UTC", "2024-02-10T00:00:00Z", 3,
        "2024-02-15T00:00:00Z 2024-02-29T00:00:00Z 2024-03-01T00:00:00Z");
    /* Feb 29 */
    SEQ("0 0 0 29 2 ?", "UTC", "2024-03-01T00:00:00Z", 2,
        "2028-02-29T00:00:00Z 2032-02-29T00:00:00Z");
    NEXT("0 0 0 29 2 ? 2025-2027", "UTC", "2024-03-01T00:00:00Z", "none");
    NEXT("0 0 0 30 2 ?", "UTC", "2024-01-01T00:00:00Z", "none");
    NEXT("0 0 0 31 4,6,9,11 ?", "UTC", "2024-01-01T00:00:00Z", "none");
    SEQ("0 0 0 31 * ?", "UTC", "2024-01-31T00:00:00Z", 2,
        "2024-03-31T00:00:00Z 2024-05-31T00:00:00Z");
}

static void test_day_of_week_specials(void)
{
    SEQ("0 0 0 ? * 6L", "UTC", "2024-01-01T00:00:00Z", 3,
        "2024-01-26T00:00:00Z 2024-02-23T00:00:00Z 2024-03-29T00:00:00Z");
    SEQ("0 0 0 ? * fril", "UTC", "2024-01-01T00:00:00Z", 3,
        "2024-01-26T00:00:00Z 2024-02-23T00:00:00Z 2024-03-29T00:00:00Z");
    SEQ("0 0 0 ? * 1L", "UTC", "2024-03-01T00:00:00Z", 2,
        "2024-03-31T00:00:00Z 2024-04-28T00:00:00Z");
    SEQ("0 0 0 ? * 6#3", "UTC", "2024-01-01T00:00:00Z", 3,
        "2024-01-19T00:00:00Z 2024-02-16T00:00:00Z 2024-03-15T00:00:00Z");
    SEQ("0 0 0 ? * FRI#1", "UTC", "2024-01-05T00:00:00Z", 2,
        "2024-02-02T00:00:00Z 2024-03-01T00:00:00Z");
    /* no fifth Monday in Feb, Mar, May, Jun, Aug, Oct, Nov 2024 */
    SEQ("0 0 0 ? * 2#5", "UTC", "2024-01-01T00:00:00Z", 5,
        "2024-01-29T00:00:00Z 2024-04-29T00:00:00Z 2024-07-29T00:00:00Z 2024-09-30T00:00:00Z "
        "2024-12-30T00:00:00Z");
    /* L alone is Saturday */
    SEQ("0 0 0 ? * L", "UTC", "2024-01-01T00:00:00Z", 2,
        "2024-01-06T00:00:00Z 2024-01-13T00:00:00Z");
    SEQ("0 0 0 ? * SUN,SAT", "UTC", "2024-01-01T00:00:00Z", 3,
        "2024-01-06T00:00:00Z 2024-01-07T00:00:00Z 2024-01-13T00:00:00Z");
}

static void test_years(void)
{
    SEQ("0 0 0 1 1 ? 2030", "UTC", "2024-01-01T00:00:00Z", 2, "2030-01-01T00:00:00Z none");
    SEQ("0 0 0 1 1 ? 2025-2027", "UTC", "2024-06-01T00:00:00Z", 4,
        "2025-01-01T00:00:00Z 2026-01-01T00:00:00Z 2027-01-01T00:00:00Z none");
    SEQ("0 0 0 1 1 ? 2070/10", "UTC", "2024-01-01T00:00:00Z", 5,
        "2070-01-01T00:00:00Z 2080-01-01T00:00:00Z 2090-01-01T00:00:00Z none");
    SEQ("0 0 0 1 1 ? 2031,2029", "UTC", "2024-01-01T00:00:00Z", 3,
        "2029-01-01T00:00:00Z 2031-01-01T00:00:00Z none");
    /* six fields: every year through 2099 */
    SEQ("0 0 0 1 1 ?", "UTC", "2098-06-01T00:00:00Z", 2, "2099-01-01T00:00:00Z none");
    NEXT("59 59 23 31 12 ?", "UTC", "2099-12-31T23:59:58Z", "2099-12-31T23:59:59Z");
    NEXT("* * * * * ?", "UTC", "2099-12-31T23:59:59Z", "none");
    NEXT("0 0 0 1 1 ? 1970", "UTC", "1969-06-01T00:00:00Z", "1970-01-01T00:00:00Z");
    /* the first second of 1970 in Los Angeles is after the epoch */
    NEXT("* * * * * ?", LA, "1900-01-01T00:00:00Z", "1970-01-01T00:00:00-08:00");
    NEXT("0 0 0 1 1 ? 2050", "UTC", "2050-01-01T00:00:00Z", "none");

    lh_cron_t *c;
    int64_t next;
    T_EQ_INT(lh_cron_parse("* * * * * ?", &c, NULL), LH_OK);
    T_EQ_INT(lh_cron_next(c, "UTC", -1, &next, NULL), LH_OK);
    T_EQ_INT(next, 0);
    T_EQ_INT(lh_cron_next(c, "UTC", INT64_MIN, &next, NULL), LH_OK);
    T_EQ_INT(next, 0);
    T_EQ_INT(lh_cron_next(c, "UTC", INT64_MAX, &next, NULL), LH_E_NOT_FOUND);
    T_EQ_INT(lh_cron_next(c, LA, INT64_MAX, &next, NULL), LH_E_NOT_FOUND);
    lh_cron_destroy(c);
}

static void test_dst_los_angeles(void)
{
    /* spring forward 2024-03-10 02:00 PST -> 03:00 PDT: 02:xx does not exist */
    SEQ("0 30 2 * * ?", LA, "2024-03-09T12:00:00-08:00", 2,
        "2024-03-11T02:30:00-07:00 2024-03-12T02:30:00-07:00");
    SEQ("0 0/15 * * * ?", LA, "2024-03-10T01:30:00-08:00", 3,
        "2024-03-10T01:45:00-08:00 2024-03-10T03:00:00-07:00 2024-03-10T03:15:00-07:00");
    SEQ("0 0 * * * ?", LA, "2024-03-10T00:30:00-08:00", 3,
        "2024-03-10T01:00:00-08:00 2024-03-10T03:00:00-07:00 2024-03-10T04:00:00-07:00");
    SEQ("0 30 1-3 * * ?", LA, "2024-03-10T00:00:00-08:00", 3,
        "2024-03-10T01:30:00-08:00 2024-03-10T03:30:00-07:00 2024-03-11T01:30:00-07:00");
    SEQ("* * * * * ?", LA, "2024-03-10T01:59:58-08:00", 2,
        "2024-03-10T01:59:59-08:00 2024-03-10T03:00:00-07:00");
    /* fall back 2024-11-03 02:00 PDT -> 01:00 PST: 01:xx repeats and fires once, in PST */
    SEQ("0 30 1 * * ?", LA, "2024-11-02T12:00:00-07:00", 2,
        "2024-11-03T01:30:00-08:00 2024-11-04T01:30:00-08:00");
    SEQ("0 0/30 * * * ?", LA, "2024-11-03T00:00:00-07:00", 5,
        "2024-11-03T00:30:00-07:00 2024-11-03T01:00:00-08:00 2024-11-03T01:30:00-08:00 "
        "2024-11-03T02:00:00-08:00 2024-11-03T02:30:00-08:00");
    SEQ("0 0 * * * ?", LA, "2024-11-02T23:30:00-07:00", 3,
        "2024-11-03T00:00:00-07:00 2024-11-03T01:00:00-08:00 2024-11-03T02:00:00-08:00");
    NEXT("0 0 1 * * ?", LA, "2024-11-03T00:59:59-07:00", "2024-11-03T01:00:00-08:00");
    /* asked from inside the first pass, the second pass's wall times all lie ahead */
    NEXT("0 30 1 * * ?", LA, "2024-11-03T01:40:00-07:00", "2024-11-03T01:30:00-08:00");
    NEXT("0 0/30 * * * ?", LA, "2024-11-03T01:40:00-07:00", "2024-11-03T01:00:00-08:00");
    NEXT("* * * * * ?", LA, "2024-11-03T01:59:59-07:00", "2024-11-03T01:00:00-08:00");
    NEXT("0 0 2 * * ?", LA, "2024-11-03T01:59:59-08:00", "2024-11-03T02:00:00-08:00");
    /* the whole first pass is skipped: every second jumps from 00:59:59 PDT to 01:00 PST */
    SEQ("* * * * * ?", LA, "2024-11-03T00:59:58-07:00", 2,
        "2024-11-03T00:59:59-07:00 2024-11-03T01:00:00-08:00");
}

static void test_dst_berlin(void)
{
    /* 2024-03-31 02:00 CET -> 03:00 CEST */
    SEQ("0 30 2 * * ?", BER, "2024-03-30T12:00:00+01:00", 2,
        "2024-04-01T02:30:00+02:00 2024-04-02T02:30:00+02:00");
    SEQ("0 0 * * * ?", BER, "2024-03-31T01:30:00+01:00", 2,
        "2024-03-31T03:00:00+02:00 2024-03-31T04:00:00+02:00");
    /* 2024-10-27 03:00 CEST -> 02:00 CET: 02:xx fires once, in CET */
    SEQ("0 30 2 * * ?", BER, "2024-10-26T12:00:00+02:00", 2,
        "2024-10-27T02:30:00+01:00 2024-10-28T02:30:00+01:00");
    NEXT("0 0 2 * * ?", BER, "2024-10-27T00:00:00+02:00", "2024-10-27T02:00:00+01:00");
    SEQ("0 0 * * * ?", BER, "2024-10-27T01:00:00+02:00", 2,
        "2024-10-27T02:00:00+01:00 2024-10-27T03:00:00+01:00");
    /* a weekly job across the change keeps its wall time */
    SEQ("0 0 9 ? * SUN", BER, "2024-10-20T10:00:00+02:00", 2,
        "2024-10-27T09:00:00+01:00 2024-11-03T09:00:00+01:00");
}

static void test_dst_lord_howe(void)
{
    if (lh_tz_get(LHI) == NULL) {
        printf("  (skipped: no %s in tzdata)\n", LHI);
        return;
    }
    /* 2024-04-07 02:00 +11:00 -> 01:30 +10:30: 01:30-01:59 repeats */
    NEXT("0 45 1 * * ?", LHI, "2024-04-06T12:00:00+11:00", "2024-04-07T01:45:00+10:30");
    SEQ("0 0/15 * * * ?", LHI, "2024-04-07T01:00:00+11:00", 4,
        "2024-04-07T01:15:00+11:00 2024-04-07T01:30:00+10:30 2024-04-07T01:45:00+10:30 "
        "2024-04-07T02:00:00+10:30");
    /* 2024-10-06 02:00 +10:30 -> 02:30 +11:00: 02:00-02:29 does not exist */
    NEXT("0 15 2 * * ?", LHI, "2024-10-05T12:00:00+10:30", "2024-10-07T02:15:00+11:00");
    NEXT("0 45 2 * * ?", LHI, "2024-10-05T12:00:00+10:30", "2024-10-06T02:45:00+11:00");
    SEQ("0 0/15 * * * ?", LHI, "2024-10-06T01:30:00+10:30", 3,
        "2024-10-06T01:45:00+10:30 2024-10-06T02:30:00+11:00 2024-10-06T02:45:00+11:00");
}

/* Where Quartz's getTimeAfter skips matching times, these fire (see cron.h). */
static void test_quartz_differences(void)
{
    /* Pacific/Chatham 2024-09-29 02:45 +12:45 -> 03:45 +13:45: 03:45-03:59 exist */
    if (lh_tz_get("Pacific/Chatham") != NULL)
        SEQ("0 50 3 * * ?", "Pacific/Chatham", "2024-09-28T12:00:00+12:45", 2,
            "2024-09-29T03:50:00+13:45 2024-09-30T03:50:00+13:45");
    /* 2024-06-01 is a Saturday: 1W is Monday the 3rd, at both hours */
    SEQ("0 0 9,17 1W * ?", "UTC", "2024-06-01T00:00:00Z", 3,
        "2024-06-03T09:00:00Z 2024-06-03T17:00:00Z 2024-07-01T09:00:00Z");
}

static void test_dst_santiago(void)
{
    /* 2024-09-08 00:00 -04 -> 01:00 -03: midnight does not exist, the day does */
    SEQ("0 0 0 * * ?", SCL, "2024-09-06T12:00:00-04:00", 2,
        "2024-09-07T00:00:00-04:00 2024-09-09T00:00:00-03:00");
    NEXT("0 0 12 * * ?", SCL, "2024-09-07T13:00:00-04:00", "2024-09-08T12:00:00-03:00");
    NEXT("0 0 0 ? * SUN", SCL, "2024-09-01T12:00:00-04:00", "2024-09-15T00:00:00-03:00");
    /* 2024-04-07 00:00 -03 -> 04-06 23:00 -04 */
    SEQ("0 30 23 * * ?", SCL, "2024-04-06T12:00:00-03:00", 2,
        "2024-04-06T23:30:00-04:00 2024-04-07T23:30:00-04:00");
    NEXT("0 0 0 * * ?", SCL, "2024-04-06T12:00:00-03:00", "2024-04-07T00:00:00-04:00");
}

/* Every second of a window, fire times by definition: the wall time matches and no later
 * instant has the same wall time. Compared with chained lh_cron_next. */
static void brute_force(const char *zone, const char *from, const char *expr)
{
    const lh_tz_t *tz = lh_tz_get(zone);
    if (tz == NULL)
        return;
    lh_cron_t *c;
    LH_ASSERT(lh_cron_parse(expr, &c, NULL) == LH_OK);
    int64_t a = ms(from) / 1000, span = 30 * 3600, tail = 4 * 3600;
    int64_t wmin = INT64_MAX, wmax = INT64_MIN;
    for (int64_t t = a; t < a + span + tail; t++) {
        int64_t w = t + lh_tz_offset(tz, t);
        wmin = w < wmin ? w : wmin;
        wmax = w > wmax ? w : wmax;
    }
    int64_t *last = calloc((size_t)(wmax - wmin + 1), sizeof *last);
    for (int64_t t = a; t < a + span + tail; t++)
        last[t + lh_tz_offset(tz, t) - wmin] = t;
    int64_t got = a * 1000 - 1, next;
    int mismatches = 0, fires = 0;
    for (int64_t t = a; t < a + span && mismatches < 3; t++) {
        int64_t w = t + lh_tz_offset(tz, t);
        if (last[w - wmin] != t || !lh_cron_wall_matches(c, w))
            continue;
        fires++;
        if (lh_cron_next(c, zone, got, &next, NULL) != LH_OK || next != t * 1000) {
            fprintf(stderr, "  %s %s: expected %lld, next gives %lld\n", zone, expr, (long long)t,
                    (long long)(next / 1000));
            mismatches++;
        }
        T_CHECK(lh_cron_fires_at(c, zone, t * 1000));
        got = t * 1000;
    }
    /* and nothing in between */
    if (mismatches == 0 && lh_cron_next(c, zone, got, &next, NULL) == LH_OK)
        T_CHECK(next >= (a + span) * 1000);
    T_EQ_INT(mismatches, 0);
    free(last);
    lh_cron_destroy(c);
}

static void test_dst_brute_force(void)
{
    static const char *const exprs[] = {"* * * * * ?",  "0 * * * * ?",     "0 */15 * * * ?",
                                        "0 30 1 * * ?", "0 30 2 * * ?",    "0 0 2 * * ?",
                                        "0 0 0 * * ?",  "30 59 1 * * ?",   "0 45 1,2 * * ?",
                                        "0 0 23 * * ?", "15 10,40 * * * ?"};
    static const struct {
        const char *zone, *from;
    } windows[] = {
        {LA, "2024-03-09T12:00:00-08:00"},
        {LA, "2024-11-02T12:00:00-07:00"},
        {BER, "2024-03-30T12:00:00+01:00"},
        {BER, "2024-10-26T12:00:00+02:00"},
        {LHI, "2024-04-06T12:00:00+11:00"},
        {LHI, "2024-10-05T12:00:00+10:30"},
        {SCL, "2024-04-06T06:00:00-03:00"},
        {SCL, "2024-09-07T06:00:00-04:00"},
        {"Asia/Kolkata", "2024-01-01T00:00:00+05:30"},
    };
    for (size_t w = 0; w < sizeof windows / sizeof windows[0]; w++)
        for (size_t e = 0; e < sizeof exprs / sizeof exprs[0]; e++)
            brute_force(windows[w].zone, windows[w].from, exprs[e]);
}

static void test_fires_at(void)
{
    /* from Quartz's CronExpressionTest (testLastDayOffset), read in UTC */
    lh_cron_t *c;
    T_EQ_INT(lh_cron_parse("0 15 10 L-2 * ? 2010", &c, NULL), LH_OK);
    T_CHECK(lh_cron_fires_at(c, "UTC", ms("2010-10-29T10:15:00Z")));
    T_CHECK(!lh_cron_fires_at(c, "UTC", ms("2010-10-28T10:15:00Z")));
    T_CHECK(lh_cron_fires_at(c, "UTC", ms("2010-02-26T10:15:00Z")));
    T_CHECK(lh_cron_fires_at(c, "UTC", ms("2010-06-28T10:15:00Z")));
    T_CHECK(!lh_cron_fires_at(c, "UTC", ms("2010-06-27T10:15:00Z")));
    T_CHECK(lh_cron_fires_at(c, "UTC", ms("2010-06-28T10:15:00.500Z"))); /* ms ignored */
    T_CHECK(!lh_cron_fires_at(c, "Nowhere/Land", ms("2010-06-28T10:15:00Z")));
    lh_cron_destroy(c);
    T_EQ_INT(lh_cron_parse("0 15 10 L-5W * ? 2010", &c, NULL), LH_OK);
    T_CHECK(lh_cron_fires_at(c, "UTC", ms("2010-10-26T10:15:00Z")));
    T_CHECK(!lh_cron_fires_at(c, "UTC", ms("2010-10-25T10:15:00Z")));
    T_CHECK(lh_cron_fires_at(c, "UTC", ms("2010-09-24T10:15:00Z")));
    T_CHECK(!lh_cron_fires_at(c, "UTC", ms("2010-09-25T10:15:00Z")));
    lh_cron_destroy(c);
    T_EQ_INT(lh_cron_parse("0 15 10 L-1W,L-1 * ? 2010", &c, NULL), LH_OK);
    T_CHECK(lh_cron_fires_at(c, "UTC", ms("2010-10-29T10:15:00Z")));
    T_CHECK(lh_cron_fires_at(c, "UTC", ms("2010-10-30T10:15:00Z")));
    T_CHECK(lh_cron_fires_at(c, "UTC", ms("2010-02-26T10:15:00Z")));
    T_CHECK(lh_cron_fires_at(c, "UTC", ms("2010-02-27T10:15:00Z")));
    lh_cron_destroy(c);
    T_EQ_INT(lh_cron_parse("0 15 10 2W,16 * ? 2010", &c, NULL), LH_OK);
    T_CHECK(lh_cron_fires_at(c, "UTC", ms("2010-10-01T10:15:00Z")));
    T_CHECK(!lh_cron_fires_at(c, "UTC", ms("2010-10-02T10:15:00Z")));
    T_CHECK(lh_cron_fires_at(c, "UTC", ms("2010-10-16T10:15:00Z")));
    T_CHECK(lh_cron_fires_at(c, "UTC", ms("2010-11-02T10:15:00Z")));
    lh_cron_destroy(c);
    /* the first pass of a repeated hour is not a fire time */
    T_EQ_INT(lh_cron_parse("0 30 1 * * ?", &c, NULL), LH_OK);
    T_CHECK(!lh_cron_fires_at(c, LA, ms("2024-11-03T01:30:00-07:00")));
    T_CHECK(lh_cron_fires_at(c, LA, ms("2024-11-03T01:30:00-08:00")));
    lh_cron_destroy(c);
}

static void test_valid_syntax(void)
{
    PARSES("* * * * * ?");
    PARSES("0 15 10 L-1W,L-1 * ? 2010");
    PARSES("0 43 9 ? * 5L");
    PARSES("0/5 * * 31W 1 ?");
    PARSES("0 0 12 ? * MON-FRI");
    PARSES("0 0 12 ? * sun#1");
    PARSES("0 0 12 L-0 * ?");
    PARSES("0 0 12 L-30W * ?");
    PARSES("0 0 0 ? * 7");
    PARSES("0 0 0 ? * */7");
    PARSES("59 59 23 31 12 ? 1970-2099");
    PARSES("0 0 0 1 JAN-DEC/3 ?");
    PARSES("0 0 0 1 1-DEC ?");
    PARSES("0,1,2,3 */59 */23 */31 */12 ?");
}

static void test_errors(void)
{
    REJECTS("0 0 25 * * ?", "hours must be 0-23 (field 3)");
    REJECTS("60 * * * * ?", "seconds must be 0-59 (field 1)");
    REJECTS("0 0-60 * * * ?", "minutes must be 0-59 (field 2)");
    REJECTS("0 0 0 32 * ?", "day-of-month must be 1-31 (field 4)");
    REJECTS("0 0 0 0 * ?", "day-of-month must be 1-31 (field 4)");
    REJECTS("0 0 0 ? 13 *", "month must be 1-12 or JAN-DEC (field 5)");
    REJECTS("0 0 0 ? * 8", "day-of-week must be 1-7 or SUN-SAT (field 6)");
    REJECTS("0 0 0 ? * 0", "day-of-week must be 1-7 or SUN-SAT (field 6)");
    REJECTS("0 0 0 1 1 ? 1969", "year must be 1970-2099 (field 7)");
    REJECTS("0 0 0 1 1 ? 2100", "year must be 1970-2099 (field 7)");
    REJECTS("0 0 0 1 1 ? 2030-2020", "year range 2030-2020 must not wrap around (field 7)");
    REJECTS("0 0 12 * *", "expected 6 or 7 fields (seconds minutes hours day-of-month month "
                          "day-of-week [year]), found 5");
    REJECTS("0 0 12 * * ? 2020 x", "expected 6 or 7 fields (seconds minutes hours day-of-month "
                                   "month day-of-week [year]), found 8");
    REJECTS("", "expected 6 or 7 fields (seconds minutes hours day-of-month month day-of-week "
                "[year]), found 0");
    T_CHECK(strstr(perr(NULL), "found 0") != NULL);
    REJECTS("0 0 12 * * *", "one of day-of-month (field 4) and day-of-week (field 6) must be '?'");
    REJECTS("0 0 12 4 * 4", "one of day-of-month (field 4) and day-of-week (field 6) must be '?'");
    REJECTS("0 0 12 ? * ?", "day-of-month (field 4) and day-of-week (field 6) cannot both be '?'");
    REJECTS("? 0 12 * * ?", "'?' is only allowed in day-of-month or day-of-week, not seconds at "
                            "position 1 (field 1)");
    REJECTS("0 0 12 ?,1 * ?", "'?' must be the only value of day-of-month at position 8 (field 4)");
    REJECTS("0 0 1x * * ?", "unexpected character 'x' in hours at position 6 (field 3)");
    REJECTS("0 0 1, * * ?", "empty value in hours at position 7 (field 3)");
    REJECTS("0 0 ,1 * * ?", "empty value in hours at position 5 (field 3)");
    REJECTS("0 0 1,,2 * * ?", "empty value in hours at position 7 (field 3)");
    REJECTS("0 0 1- * * ?", "expected a number at the end of hours at position 7 (field 3)");
    REJECTS("0 0 1-x * * ?", "unexpected character 'x' in hours at position 7 (field 3)");
    REJECTS("*/0 * * * * ?", "seconds step must be 1-59 (field 1)");
    REJECTS("/60 * * * * ?", "seconds step must be 1-59 (field 1)");
    REJECTS("0 0 */24 * * ?", "hours step must be 1-23 (field 3)");
    REJECTS("0 0 0 ? * /8", "day-of-week step must be 1-7 (field 6)");
    REJECTS("0/ 0 8-18 ? * 2-6", "expected a number at the end of seconds at position 3 (field 1)");
    REJECTS("*5 * * * * ?", "unexpected character '5' in seconds at position 2 (field 1)");
    REJECTS("0 0 0 ? FOO *", "unknown month name 'FOO' at position 9 (field 5)");
    REJECTS("0 0 0 ? JAN-FOO *", "unknown month name 'FOO' at position 13 (field 5)");
    REJECTS("0 0 0 ? * MONDAY", "unknown day-of-week name 'MONDAY' at position 11 (field 6)");
    REJECTS("0 0 0 ? * 6#6", "day-of-week occurrence after '#' must be 1-5 (field 6)");
    REJECTS("0 0 0 ? * 6#0", "day-of-week occurrence after '#' must be 1-5 (field 6)");
    REJECTS("0 0 0 ? * 6#", "expected a number at the end of day-of-week at position 13 (field 6)");
    REJECTS("0 0 0 ? * 6#3,2",
            "'L' and '#' cannot be combined with other day-of-week values (field 6)");
    REJECTS("0 43 9 ? * SAT,SUN,L",
            "'L' and '#' cannot be combined with other day-of-week values (field 6)");
    REJECTS("0 0 0 ? * 2-6L", "unexpected character 'L' in day-of-week at position 14 (field 6)");
    REJECTS("0 0 0 L-31 * ?", "day-of-month offset after 'L-' must be 0-30 (field 4)");
    REJECTS("0/5 * * 32W 1 ?", "day-of-month must be 1-31 (field 4)");
    REJECTS("0 0 0 15L * ?", "unexpected character 'L' in day-of-month at position 9 (field 4)");
    REJECTS("0 0 0 1W-5 * ?", "unexpected character '-' in day-of-month at position 9 (field 4)");
    REJECTS("0 0 0 W * ?", "unexpected character 'W' in day-of-month at position 7 (field 4)");
    REJECTS("0 0 0 ? * 5W", "unexpected character 'W' in day-of-week at position 12 (field 6)");
    REJECTS("0 0 L * * ?", "unexpected character 'L' in hours at position 5 (field 3)");
    REJECTS("L 30 * * * ?", "unexpected character 'L' in seconds at position 1 (field 1)");
    REJECTS("0 0 MON * * ?", "unexpected character 'M' in hours at position 5 (field 3)");
    REJECTS("0 0 0 ? * JAN", "unknown day-of-week name 'JAN' at position 11 (field 6)");
    REJECTS("0 0 99999999999 * * ?", "hours must be 0-23 (field 3)");
    T_EQ_STR(perr("0 0 12 * * ?\n"), "Invalid quartz_cron_expression '0 0 12 * * ?\\x0A': '?' must "
                                     "be the only value of day-of-week at position 12 (field 6)");
    /* non-printable bytes are escaped, long expressions shortened */
    T_EQ_STR(perr("0 0 \x01 * * ?"), "Invalid quartz_cron_expression '0 0 \\x01 * * ?': "
                                     "unexpected character \\x01 in hours at position 5 (field 3)");
    char longer[400];
    memset(longer, '1', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    const char *m = perr(longer);
    T_CHECK(strstr(m, "...'") != NULL && strlen(m) < 300);
}

static void test_time_zones(void)
{
    lh_cron_t *c;
    lh_errbuf eb;
    int64_t next = 0;
    T_EQ_INT(lh_cron_parse("0 0 12 * * ?", &c, NULL), LH_OK);
    T_EQ_INT(lh_cron_next(c, "Mars/Olympus_Mons", 0, &next, &eb), LH_E_INVALID);
    T_EQ_STR(eb.msg, "Invalid timezone_id 'Mars/Olympus_Mons': not a known time zone");
    T_EQ_INT(lh_cron_next(c, "", 0, &next, &eb), LH_E_INVALID);
    T_EQ_INT(lh_cron_next(c, NULL, 0, &next, &eb), LH_E_INVALID);
    T_EQ_STR(eb.msg, "Invalid timezone_id '': not a known time zone");
    T_EQ_INT(lh_cron_next(c, "../../etc/passwd", 0, &next, &eb), LH_E_INVALID);
    T_EQ_INT(lh_cron_next(c, "America", 0, &next, &eb), LH_E_INVALID); /* a directory */
    T_EQ_INT(lh_cron_check_timezone("Europe/Paris", &eb), LH_OK);
    T_EQ_INT(lh_cron_check_timezone("UTC", &eb), LH_OK);
    T_EQ_INT(lh_cron_check_timezone("Europe/Pariss", &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "'Europe/Pariss'") != NULL);
    lh_cron_destroy(c);
}

static void bench(void)
{
    lh_cron_t *c;
    LH_ASSERT(lh_cron_parse("0 */5 * * * ?", &c, NULL) == LH_OK);
    int64_t t = ms("2024-01-01T00:00:00Z"), next;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 1000000; i++) {
        LH_ASSERT(lh_cron_next(c, LA, t, &next, NULL) == LH_OK);
        t = next;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double sec = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    printf("bench: 1000000 next fires of '0 */5 * * * ?' in %s: %.3f s (%.0f ns each)\n", LA, sec,
           sec * 1e3);
    lh_cron_destroy(c);
}

int main(void)
{
    if (lh_tz_get(LA) == NULL || lh_tz_get(BER) == NULL) {
        printf("no tzdata: skipped\n0 passed, 0 failed\n");
        return 0;
    }
    T_RUN(test_basic_fields);
    T_RUN(test_wrapping_ranges);
    T_RUN(test_last_and_weekday);
    T_RUN(test_day_of_week_specials);
    T_RUN(test_years);
    T_RUN(test_dst_los_angeles);
    T_RUN(test_dst_berlin);
    T_RUN(test_dst_lord_howe);
    T_RUN(test_dst_santiago);
    T_RUN(test_quartz_differences);
    T_RUN(test_dst_brute_force);
    T_RUN(test_fires_at);
    T_RUN(test_valid_syntax);
    T_RUN(test_errors);
    T_RUN(test_time_zones);
    bench();
    return T_DONE();
}
