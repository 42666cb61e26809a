/*
 * literal.h - literal text the binder turns into values: typed literals (DATE '...',
 * TIMESTAMP '...', TIMESTAMP_NTZ '...', X'...', INTERVAL ...) and numeric literals
 * (42, 42L, 1.5, 1e10, 1.5BD, 3Y, 7S, 2.0D, 1.5F) with Spark's typing: an integer without
 * suffix is INT when it fits, else BIGINT, else DECIMAL(p,0); a decimal point gives
 * DECIMAL(p,s); an exponent gives DOUBLE. Errors: INVALID_TYPED_LITERAL,
 * INVALID_NUMERIC_LITERAL_RANGE, INVALID_INTERVAL_FORMAT.*, with Spark's parameters.
 * String values (binary literals) are allocated in the arena.
 */
#ifndef LH_COMPUTE_FUNC_LITERAL_H
#define LH_COMPUTE_FUNC_LITERAL_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "compute/func/func.h"

/* A numeric literal token as the lexer saw it (digits, '.', exponent, suffix). */
lh_err lh_literal_number(const char *text, lh_value_t *out, lh_errbuf *eb);
/* kind: "DATE", "TIMESTAMP", "TIMESTAMP_LTZ", "TIMESTAMP_NTZ", "X" (hex binary),
 * "INTERVAL" (value is the quoted text; then use lh_literal_interval). */
lh_err lh_literal_typed(const char *kind, const char *value, const lh_sql_conf_t *conf,
                        lh_arena_t *arena, lh_value_t *out, lh_errbuf *eb);
/* INTERVAL literal after the keyword: "'1-2' YEAR TO MONTH", "'1' DAY", "2 years 4 months",
 * "'10:11:12' HOUR TO SECOND", "3 day 1 second". Mixing year-month with day-time units
 * is an error (as Spark's ANSI intervals). */
lh_err lh_literal_interval(const char *text, lh_value_t *out, lh_errbuf *eb);
/* The string form of an interval for CAST(string AS INTERVAL ...) to type t: the ANSI
 * literal ("INTERVAL '1-2' YEAR TO MONTH") or the bare value ("1-2"). */
bool lh_interval_from_string(const char *s, size_t n, lh_type_t t, int64_t *out);
/* A calendar INTERVAL from text, as Spark's IntervalUtils.stringToInterval (CAST(s AS
 * INTERVAL)): "[interval] [+|-]n unit [[+|-]n unit ...]", units year, month, week, day,
 * hour, minute, second, millisecond, microsecond (plural allowed), a fraction (up to 9
 * digits, kept to microseconds) only on seconds. false when s is not such a text or a
 * part overflows. */
bool lh_cal_interval_from_string(const char *s, size_t n, lh_cal_iv_t *out);

#endif
