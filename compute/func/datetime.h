/*
 * datetime.h - calendar arithmetic, Spark's date/timestamp string forms, and Spark's
 * datetime patterns (date_format, to_timestamp, ...), all in the proleptic Gregorian
 * calendar as Spark 3+ uses.
 *
 * DATE is days since 1970-01-01; TIMESTAMP micros since the epoch (UTC); TIMESTAMP_NTZ
 * micros of a local wall time. Pure functions, thread-safe; patterns compile once (in a
 * function's bind) into an lh_dtpat_t that is read-only afterwards.
 */
#ifndef LH_COMPUTE_FUNC_DATETIME_H
#define LH_COMPUTE_FUNC_DATETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/vec.h"
#include "compute/func/tz.h"

#define LH_US_PER_SEC 1000000LL
#define LH_US_PER_DAY 86400000000LL

typedef struct lh_civil {
    int64_t year;
    int month, day, hour, minute, second;
    int32_t micros;
    int nanos_extra; /* parsed digits past micros (dropped) */
} lh_civil_t;

int64_t lh_dt_days_from_civil(int64_t y, int m, int d);
void lh_dt_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
int lh_dt_days_in_month(int64_t y, int m);
/* 1 = Monday ... 7 = Sunday (ISO). */
int lh_dt_iso_weekday(int64_t days);
/* floor division helpers for negative instants */
static inline int64_t lh_floordiv(int64_t a, int64_t b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
static inline int64_t lh_floormod(int64_t a, int64_t b)
{
    return a - lh_floordiv(a, b) * b;
}

/* Calendar months added to a DATE (days), a TIMESTAMP (UTC micros: in the zone tz's local
 * time) or a TIMESTAMP_NTZ (local micros), the day of month clamped to the month's last
 * (Spark's DateAddYMInterval / TimestampAddYMInterval). */
int64_t lh_dt_add_months(lh_type_id type, int64_t v, int64_t months, const lh_tz_t *tz);

/* Split local micros into fields, and back. */
void lh_dt_civil_from_micros(int64_t local_us, lh_civil_t *c);
int64_t lh_dt_micros_from_civil(const lh_civil_t *c);
/* UTC micros <-> local micros in a zone. */
int64_t lh_dt_utc_to_local(const lh_tz_t *tz, int64_t utc_us);
int64_t lh_dt_local_to_utc(const lh_tz_t *tz, int64_t local_us);

/* Spark's CAST(string AS DATE) forms (trimmed): [+-]yyyy*, yyyy-[m]m, yyyy-[m]m-[d]d,
 * followed by ' ' or 'T' and anything. false when malformed or out of range. */
bool lh_dt_parse_date(const char *s, size_t n, int32_t *days);
/* Spark's CAST(string AS TIMESTAMP[_NTZ]) forms: a date as above, then [T| ]
 * [h]h:[m]m[:[s]s[.fraction]] and an optional zone (Z, +hh[:mm], UTC+.., region id);
 * or a time alone (today's date is then taken from today_days). For TIMESTAMP the
 * zone (or else tz) maps it to UTC; for NTZ (ntz=true) any zone is rejected. */
bool lh_dt_parse_timestamp(const char *s, size_t n, const lh_tz_t *tz, bool ntz, int32_t today_days,
                           int64_t *out_us);

/* "yyyy-MM-dd" into buf (>= 16). Years beyond 9999 get a '+' as Spark prints them. */
size_t lh_dt_format_date(int32_t days, char *buf, size_t cap);
/* "yyyy-MM-dd HH:mm:ss[.ffffff]" of local micros, trailing fraction zeros dropped. */
size_t lh_dt_format_local(int64_t local_us, char *buf, size_t cap);

/* ---- Spark datetime patterns ---- */
typedef struct lh_dtpat lh_dtpat_t;
/* Compile a pattern; on letters Spark rejects raises
 * INCONSISTENT_BEHAVIOR_CROSS_VERSION.DATETIME_PATTERN_RECOGNITION (or
 * INVALID_PARAMETER_VALUE.PATTERN for unterminated quotes). The result is malloc'd:
 * free with lh_dtpat_free. */
lh_err lh_dtpat_compile(const char *pattern, lh_dtpat_t **out, lh_errbuf *eb);
void lh_dtpat_free(lh_dtpat_t *p);
/* Format local micros (zone offset `offset_s` and zone name for the z, X, Z, V letters). */
size_t lh_dtpat_format(const lh_dtpat_t *p, int64_t local_us, int32_t offset_s, const char *zone,
                       char *buf, size_t cap);
/* Parse text fully; fields not in the pattern default to 1970-01-01 00:00:00. Sets
 * has_zone and either offset_s (an offset in the text) or *zone (a zone name, to be
 * resolved at the parsed local time). false when it does not match. */
bool lh_dtpat_parse(const lh_dtpat_t *p, const char *s, size_t n, lh_civil_t *c, bool *has_zone,
                    int32_t *offset_s, const lh_tz_t **zone);

#endif
