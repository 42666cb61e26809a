/*
 * tz.h - time zones: IANA zones read from the system TZif files (/usr/share/zoneinfo,
 * Debian package tzdata) and fixed offsets ("+08:00", "-0530", "UTC", "Z", "GMT+1").
 *
 * A zone is loaded once per name and cached for the life of the process (a small,
 * mutex-guarded list); the returned pointer stays valid and is read-only, so lookups
 * after the first are lock-free reads of immutable data. Thread-safe.
 * Times here are seconds since the epoch; callers split micros themselves.
 */
#ifndef LH_COMPUTE_FUNC_TZ_H
#define LH_COMPUTE_FUNC_TZ_H

#include <stdint.h>

typedef struct lh_tz lh_tz_t;

/* The zone for a name, or NULL when it is neither an IANA zone nor an offset Spark
 * accepts (INVALID_TIMEZONE is the caller's to raise). */
const lh_tz_t *lh_tz_get(const char *name);
/* UTC offset in seconds at a UTC instant. */
int32_t lh_tz_offset(const lh_tz_t *tz, int64_t utc_seconds);
/* The UTC instant of a local wall time, as java.time resolves it (Spark's choice): in a
 * gap (spring forward) the time moves later by the gap; in an overlap the earlier
 * offset (the one before the transition) wins. */
int64_t lh_tz_local_to_utc(const lh_tz_t *tz, int64_t local_seconds);
/* The zone's abbreviation at a UTC instant ("PST", "PDT", "LMT"); for fixed offsets the
 * name as given ("UTC", "+08:00"). Never NULL. */
const char *lh_tz_abbrev(const lh_tz_t *tz, int64_t utc_seconds);
/* The zone's name as given ("America/Los_Angeles", "+08:00"). */
const char *lh_tz_name(const lh_tz_t *tz);

#endif
