/*
 * cron.h - Quartz cron expressions (the `quartz_cron_expression` of a Databricks job or
 * pipeline schedule) and their fire times in an IANA time zone.
 *
 *   seconds minutes hours day-of-month month day-of-week [year]
 *   0-59    0-59    0-23  1-31 L W ?   1-12  1-7 L # ?   1970-2099
 *                                      JAN-DEC SUN-SAT (SUN = 1)
 *
 * Every field takes `*`, lists `a,b`, ranges `a-b` (wrapping past the field's maximum
 * when a > b, as Quartz does: `22-2`, `FRI-MON`, `NOV-FEB`; not for years) and steps
 * `a/n`, `*` `/n`, `a-b/n`. Exactly one of day-of-month and day-of-week is `?`.
 * Day-of-month also takes `L` (last day), `L-n` (n days before it, n <= 30), `nW` (the
 * weekday nearest day n, never leaving the month), `LW` and `L-nW`, in lists. Day-of-week
 * also takes `L` alone (= 7, Saturday), `nL` (last n-day of the month) and `n#k` (k-th
 * n-day, k 1-5); `nL` and `n#k` must be the field's only item. Names and letters are
 * case-insensitive. Fields are separated by spaces or tabs, as Quartz's tokenizer does (a
 * newline is an unexpected character).
 *
 * Where Quartz silently accepts a malformed field (trailing junk after a name, `*5`,
 * `MONDAY` read as MON, a step of 0, a step after a name ignored), this parser rejects it
 * or honours it (`MON-FRI/2` = MON,WED,FRI); an expression Quartz reads sensibly means the
 * same here. Years are 1970-2099: a 6-field expression has no fire time after 2099.
 *
 * Time zones and daylight saving follow Quartz (java.util.GregorianCalendar), as the
 * Quartz FAQ describes it: a wall time skipped by a spring-forward transition does not
 * exist that day, so it does not fire (a daily 02:30 job in America/Los_Angeles skips
 * 2024-03-10; an every-15-minutes job fires 01:45 PST then 03:00 PDT); a wall time that a
 * fall-back transition repeats fires once, at its second occurrence (the offset after
 * the transition: Calendar resolves an ambiguous wall time to standard time), so the
 * first pass through the repeated hour has no fire times. Three differences, each where
 * Quartz's CronExpression.getTimeAfter skips times that match (checked against it):
 *   - asked for the next time from inside that first pass, Quartz re-reads the instant's
 *     wall time in the later offset and skips second-pass times before it; here every
 *     second-pass time after the instant still fires;
 *   - where a gap does not start on the hour (Pacific/Chatham 02:45 -> 03:45) Quartz
 *     also skips the rest of the hour after it (03:45-03:59); here those times fire;
 *   - on a day that W moved later (1W on a Saturday the 1st fires Monday the 3rd) Quartz
 *     fires only the day's first time; here every matching time of that day fires.
 *
 * A parsed expression is immutable: thread-safe to share. Nothing here blocks except
 * the first use of a zone, which reads its TZif file once (compute/func/tz.h caches it).
 */
#ifndef LH_API_JOBS_CRON_H
#define LH_API_JOBS_CRON_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

#define LH_CRON_YEAR_MIN 1970
#define LH_CRON_YEAR_MAX 2099

typedef struct lh_cron lh_cron_t;

/* Parse a Quartz cron expression into *out (the caller's; free with lh_cron_destroy).
 * LH_E_INVALID with a message naming the field, its number and, for a bad character, its
 * position: "Invalid quartz_cron_expression '0 0 25 * * ?': hours must be 0-23 (field 3)".
 * LH_E_NOMEM when allocation fails. expr may be NULL (invalid). */
lh_err lh_cron_parse(const char *expr, lh_cron_t **out, lh_errbuf *eb);
void lh_cron_destroy(lh_cron_t *c);

/* The first fire time strictly after after_ms (ms since the epoch; fire times are whole
 * seconds) with the expression read as wall time in timezone_id (an IANA name such as
 * "America/Los_Angeles", or "UTC" / a fixed offset such as "GMT+01:00"). LH_E_INVALID
 * naming the zone when it is unknown; LH_E_NOT_FOUND when there is no fire time before
 * the end of LH_CRON_YEAR_MAX (or none at all, e.g. "0 0 0 30 2 ?"). */
lh_err lh_cron_next(const lh_cron_t *c, const char *timezone_id, int64_t after_ms, int64_t *next_ms,
                    lh_errbuf *eb);

/* LH_OK when timezone_id names a zone lh_cron_next accepts, else LH_E_INVALID naming it. */
lh_err lh_cron_check_timezone(const char *timezone_id, lh_errbuf *eb);

/* True when at_ms is a fire time in timezone_id (Quartz's isSatisfiedBy: milliseconds are
 * ignored). False for an unknown zone. */
bool lh_cron_fires_at(const lh_cron_t *c, const char *timezone_id, int64_t at_ms);

#endif
