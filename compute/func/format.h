/*
 * format.h - one value as Spark prints it: the text of results (what Spark's golden files
 * and the Statement Execution API's data_array show) and the text of CAST(x AS STRING).
 *
 *   BOOLEAN true/false; integers decimal; FLOAT/DOUBLE as Java's Float/Double.toString
 *   (1.0E10, 1.0E-5, 0.1, NaN, Infinity, -0.0); DECIMAL with its scale; DATE yyyy-MM-dd;
 *   TIMESTAMP yyyy-MM-dd HH:mm:ss[.ffffff] in the session time zone, TIMESTAMP_NTZ as is
 *   (trailing zeros of the fraction dropped); STRING and BINARY their bytes;
 *   intervals: results show Hive's form ("1-2", "3 04:05:06.000000000"), CAST shows the
 *   ANSI literal form (INTERVAL '1-2' YEAR TO MONTH).
 * Interval types carry their fields in lh_type_t: precision = start field + 1, scale =
 * end field + 1 (YEAR=0, MONTH=1; DAY=0, HOUR=1, MINUTE=2, SECOND=3); 0 = the full range.
 * Thread-safe, no allocation: output goes to the caller's buffer (LH_FMT_MAX bytes always
 * suffice for non-string types); strings are returned by pointer instead.
 */
#ifndef LH_COMPUTE_FUNC_FORMAT_H
#define LH_COMPUTE_FUNC_FORMAT_H

#include <stddef.h>

#include "common/vec.h"
#include "compute/func/tz.h"

#define LH_FMT_MAX 128

typedef enum { LH_FMT_RESULT, LH_FMT_CAST } lh_fmt_style;

/* Text of row i of v (must be valid). For STRING/BINARY *out points into the vector and
 * buf is unused; otherwise *out = buf. Returns the length. */
size_t lh_format_vec(const lh_vec_t *v, size_t i, const lh_tz_t *tz, lh_fmt_style style, char *buf,
                     const char **out);
/* The same for a single non-null value. */
size_t lh_format_value(const lh_value_t *val, const lh_tz_t *tz, lh_fmt_style style, char *buf,
                       const char **out);
/* Bytes that are not UTF-8 as Spark shows them (Java's new String(bytes, UTF_8)): each
 * maximal ill-formed subpart becomes U+FFFD. out has room for 3 * n bytes; returns the
 * length. lh_format_utf8_valid tells whether s needs it. */
size_t lh_format_utf8_lossy(const char *s, size_t n, char *out);
bool lh_format_utf8_valid(const char *s, size_t n);
/* Java's Double.toString / Float.toString. */
size_t lh_format_double(double d, char *buf, size_t cap);
size_t lh_format_float(float f, char *buf, size_t cap);
/* Interval text: ANSI "INTERVAL '1-2' YEAR TO MONTH" or Hive "1-2". */
size_t lh_format_interval(lh_type_t t, int64_t v, lh_fmt_style style, char *buf, size_t cap);
/* A calendar INTERVAL as Spark's CalendarInterval.toString: "1 years 2 months 3 days
 * 4 hours 5 minutes 6.5 seconds", zero parts left out, "0 seconds" for zero. */
size_t lh_format_cal_interval(lh_cal_iv_t v, char *buf, size_t cap);
/* Spark's SQL type name as errors show it: "INT", "DECIMAL(10,2)", "STRING". */
const char *lh_format_type_sql(lh_type_t t, char *buf, size_t cap);

#endif
